"""``bash deploy/local-cluster.sh --check``: a smoke test, then a bounded load test, through
nginx (https, the local cluster of :mod:`deploy.cluster`).

Smoke test: http → https redirect; nginx's ``/healthz``; a dashboard page with its security
headers and the affinity cookie; Streamlit's ``/_stcore/health``; the API's ``/health`` and
one check; an address in a URL refused (405); a body over the API's limit refused by nginx
in the API's JSON (413); the static site with its cache headers; the same visitor (cookie)
always on the same replica, from one client address; and in chromium (Playwright,
``/usr/bin/chromium``): an address typed on Vérifier, a file uploaded there (through nginx,
with XSRF protection on), the maps of Accueil and of the static site drawn, and no
Content-Security-Policy violation anywhere.

Load test: ``visitors`` concurrent dashboard visitors — real Streamlit sessions over the
websocket protocol (:class:`Visitor`: the page's HTTP request first, for the affinity
cookie, then ``/_stcore/stream``), each from its own loopback address (127.10.x.y) — open
Accueil, then Vérifier, then check a typed address; every session stays open until all are
done (held at once). Then ``api_clients`` clients (127.20.x.y) make ``api_checks`` single
checks each (``POST /api/v1/check``). Every loop is bounded in count and time; errors are
counted, never retried. Figures: visitors held and errors, page times (median…), replicas
used, API checks per second, the machine's load average.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from deploy.cluster import HOST, Cluster, insecure_tls

#: The address every visitor checks, and what the answer must say (tests/test_browser_check.py).
ADDRESS = "Rue de Droixhe 10, 4020 Liège"
EXPECTED_ANSWER = "Dans le territoire « Liège (Droixhe"
#: Addresses of the API checks (inside, outside, typed loosely).
API_ADDRESSES = ("Rue de Droixhe 10, 4020 Liège", "rue de la station 1 gembloux", "Grand-Place 1, 7000 Mons")
RUN_TIMEOUT_S = 180.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def source_address(group: int, i: int) -> str:
    """The ``i``-th loopback address of a group (127.G.x.y): one per simulated client."""
    return f"127.{group}.{i // 250}.{i % 250 + 1}"


def texts(strings: list[str], *needles: str) -> bool:
    return all(any(n in s for s in strings) for n in needles)


# ----------------------------------------------------------------------------- HTTP
@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return ", ".join(self.headers.get(name.lower(), []))


def request(
    origin: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, source: str = HOST
) -> Answer:
    """One HTTP(S) request from ``source`` (a loopback address), no redirect followed."""
    parts = urlsplit(origin)
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=60, context=insecure_tls(), source_address=(source, 0)
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        got: dict[str, list[str]] = {}
        for k, v in response.getheaders():
            got.setdefault(k.lower(), []).append(v)
        return Answer(response.status, got, data)
    finally:
        conn.close()


# ----------------------------------------------------------------------------- a visitor
class VisitError(RuntimeError):
    """A visit that went wrong (its message says how)."""


class Visitor:
    """One browser-like dashboard visitor speaking Streamlit's websocket protocol through nginx.

    :meth:`open` makes the page's first HTTP request (nginx sets the affinity cookie; in the
    local cluster its ``X-Tzcld-Upstream`` header says which replica) and opens the
    websocket with that cookie; :meth:`run` runs a page (or re-runs it with widget values)
    and returns what it drew as text, raising :class:`VisitError` on an exception element,
    a failed run or a closed connection.
    """

    def __init__(self, origin: str, source: str = HOST, cookie: str | None = None) -> None:
        self.origin = origin
        self.source = source
        self.cookie = cookie
        self.upstream: str | None = None
        self.ws = None
        self.page_hash = ""
        self.widgets: dict[str, str] = {}

    async def open(self, path: str = "/") -> float:
        import websockets

        start = time.perf_counter()
        headers = {"Cookie": f"tzcld_route={self.cookie}"} if self.cookie else {}
        answer = await asyncio.to_thread(request, self.origin, "GET", path, None, headers, self.source)
        if answer.status != 200:
            raise VisitError(f"GET {path}: HTTP {answer.status}")
        for value in answer.headers.get("set-cookie", []):
            if value.startswith("tzcld_route="):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1]
        self.upstream = answer.header("x-tzcld-upstream") or None
        ws_url = self.origin.replace("https://", "wss://").replace("http://", "ws://") + "/_stcore/stream"
        extra = {"Origin": self.origin}
        if self.cookie:
            extra["Cookie"] = f"tzcld_route={self.cookie}"
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers=extra,
            ssl=insecure_tls() if ws_url.startswith("wss") else None,
            local_addr=(self.source, 0),
            max_size=None,
            open_timeout=60,
            ping_interval=None,
        )
        return time.perf_counter() - start

    async def run(self, page_name: str = "", widgets: list | None = None, timeout: float = RUN_TIMEOUT_S) -> list[str]:
        """Run ``page_name`` (``""``: the home page), or re-run the current page with
        ``widgets`` (WidgetState messages); the texts drawn."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if self.ws is None:
            raise VisitError("not connected")
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page_name
        if widgets is not None:
            msg.rerun_script.page_script_hash = self.page_hash
            msg.rerun_script.widget_states.widgets.extend(widgets)
        try:
            await self.ws.send(msg.SerializeToString())
        except Exception as exc:  # noqa: BLE001 - a closed connection is a failed visit
            raise VisitError(f"send: {type(exc).__name__}") from None
        found: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VisitError("time-out waiting for the page")
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                raise VisitError("time-out waiting for the page") from None
            except Exception as exc:  # noqa: BLE001 - the connection closed: the replica went away
                raise VisitError(f"connection closed ({type(exc).__name__})") from None
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash  # the page this run drew
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    raise VisitError(f"exception shown: {el.exception.type}")
                if etype in ("markdown", "heading", "alert", "html", "text"):
                    found.append(getattr(el, etype).body)
                elif etype in ("text_input", "button"):
                    widget = getattr(el, etype)
                    self.widgets[widget.id.rsplit("-", 1)[-1]] = widget.id
            elif kind == "page_not_found":
                raise VisitError(f"page not found: {page_name}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    raise VisitError(f"script finished with status {status}")
                return found

    async def check_address(self, address: str) -> list[str]:
        """On Vérifier: type ``address`` and press the button (the page's own widgets)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        try:
            field_id, button_id = self.widgets["check_address"], self.widgets["check_address_button"]
        except KeyError:
            raise VisitError("Vérifier's address field not drawn") from None
        typed = WidgetState(id=field_id, string_value=address)
        pressed = WidgetState(id=button_id, trigger_value=True)
        return await self.run("verifier", [typed, pressed])

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.ws = None


# ----------------------------------------------------------------------------- report
@dataclass
class Report:
    """Figures of one ``--check``; :meth:`text` prints them, :attr:`passed` says the verdict."""

    replicas: int
    started: str
    cpus: int
    load_start: tuple[float, ...]
    smoke: list[tuple[str, bool, str]] = field(default_factory=list)
    visitors: int = 0
    visitor_errors: list[str] = field(default_factory=list)
    held: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    per_replica: dict[str, int] = field(default_factory=dict)
    load_wall_s: float = 0.0
    api_clients: int = 0
    api_checks: int = 0
    api_ok: int = 0
    api_refused: int = 0
    api_errors: list[str] = field(default_factory=list)
    api_latencies: list[float] = field(default_factory=list)
    api_wall_s: float = 0.0
    load_end: tuple[float, ...] = ()

    @property
    def passed(self) -> bool:
        return (
            all(ok for _, ok, _ in self.smoke)
            and not self.visitor_errors
            and self.held == self.visitors
            and not self.api_errors
            and self.api_refused == 0
        )

    @property
    def checks_per_s(self) -> float:
        return self.api_ok / self.api_wall_s if self.api_wall_s else 0.0

    def median_page_s(self) -> float:
        every = [t for values in self.times.values() for t in values]
        return statistics.median(every) if every else float("nan")

    def json(self) -> str:
        data = asdict(self)
        data.update(passed=self.passed, checks_per_s=self.checks_per_s, median_page_s=self.median_page_s())
        return json.dumps(data, indent=2, ensure_ascii=False)

    def text(self) -> str:
        def pct(values: list[float], q: float) -> float:
            data = sorted(values)
            return data[min(len(data) - 1, max(0, round(q / 100 * (len(data) - 1))))] if data else float("nan")

        load = "/".join(f"{x:.1f}" for x in self.load_start)
        lines = [
            f"Local cluster check — {self.replicas} dashboard replica(s) — {self.started} — {self.cpus} CPU, "
            f"load average {load} at start, {'/'.join(f'{x:.1f}' for x in self.load_end)} at end",
            "Smoke test (through nginx, https):",
            *(
                f"  {'ok ' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail else "")
                for name, ok, detail in self.smoke
            ),
            f"Load test: {self.held} of {self.visitors} visitors held at once (Streamlit websocket sessions "
            f"through nginx, one loopback address each), {len(self.visitor_errors)} errors, {self.load_wall_s:.1f} s",
        ]
        if self.per_replica:
            lines.append("  replicas: " + ", ".join(f"{k} {v}" for k, v in sorted(self.per_replica.items())))
        labels = {"accueil": "Accueil", "verifier": "Vérifier", "answer": "answer to a typed address"}
        for key, label in labels.items():
            values = self.times.get(key, [])
            if values:
                lines.append(
                    f"  {label}: median {statistics.median(values):.2f} s · p90 {pct(values, 90):.2f} s · "
                    f"max {max(values):.2f} s ({len(values)} runs)"
                )
        lines.append(f"  median page time, all pages: {self.median_page_s():.2f} s")
        if self.visitor_errors:
            lines.append("  first errors: " + "; ".join(self.visitor_errors[:5]))
        lines.append(
            f"API: {self.api_clients} clients × {self.api_checks} single checks (POST /api/v1/check through nginx): "
            f"{self.api_ok} ok, {len(self.api_errors)} errors, {self.api_refused} refused by a rate limit; "
            f"{self.checks_per_s:.0f} checks/s; latency median {pct(self.api_latencies, 50) * 1e3:.0f} ms · "
            f"p90 {pct(self.api_latencies, 90) * 1e3:.0f} ms"
        )
        if self.api_errors:
            lines.append("  first errors: " + "; ".join(self.api_errors[:5]))
        lines.append("RESULT: " + ("PASSED" if self.passed else "FAILED"))
        return "\n".join(lines)


# ----------------------------------------------------------------------------- smoke test
def smoke_http(cluster: Cluster, report: Report) -> None:
    origin = cluster.plan.origin

    def item(name: str, fn) -> None:
        try:
            detail = fn() or ""
            report.smoke.append((name, True, detail))
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the others still run
            report.smoke.append((name, False, f"{type(exc).__name__}: {exc}"[:300]))

    def redirect():
        a = request(cluster.plan.http_origin, "GET", "/verifier?lang=en")
        assert a.status == 301 and a.header("location") == f"{origin}/verifier?lang=en", (
            a.status,
            a.header("location"),
        )

    def healthz():
        a = request(origin, "GET", "/healthz")
        assert a.status == 200 and a.body == b"ok\n", a.status

    def page_headers():
        a = request(origin, "GET", "/")
        assert a.status == 200 and b"<html" in a.body.lower(), a.status
        csp = a.header("content-security-policy")
        assert "default-src 'self'" in csp and "tile.openstreetmap.org" in csp and "frame-ancestors 'self'" in csp, csp
        assert a.header("strict-transport-security") and a.header("x-content-type-options") == "nosniff"
        cookie = next((c for c in a.headers.get("set-cookie", []) if c.startswith("tzcld_route=")), "")
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie, cookie
        return "CSP, HSTS, nosniff, affinity cookie"

    def streamlit_health():
        a = request(origin, "GET", "/_stcore/health")
        assert a.status == 200 and a.body.strip() == b"ok", (a.status, a.body[:80])

    def api_health():
        a = request(origin, "GET", "/api/health")
        data = json.loads(a.body)
        assert a.status == 200 and data["status"] == "ok" and data["address_index"] == "ready", data
        assert data["perimeter_database"] and "unavailable" not in str(data["perimeter_database"]), data
        return f"data_version {data['data_version']}"

    def api_check():
        body = json.dumps({"address": ADDRESS}).encode()
        a = request(origin, "POST", "/api/v1/check", body, {"Content-Type": "application/json"})
        data = json.loads(a.body)
        assert a.status == 200 and data["status"] == "inside" and data["territory_id"] == "liege", (a.status, data)
        assert a.header("cache-control") == "no-store"
        url = request(origin, "GET", "/api/v1/check?address=rue+de+droixhe+10")
        assert url.status == 405, url.status
        return "inside Liège; an address in a URL: 405"

    def api_limit():
        big = json.dumps({"address": "x" * 20_000}).encode()
        a = request(origin, "POST", "/api/v1/check", big, {"Content-Type": "application/json"})
        data = json.loads(a.body)
        assert a.status == 413 and data["error"]["code"] == "too_large", (a.status, a.body[:200])
        return "20 kB body → 413 (API's JSON)"

    def static_site():
        a = request(origin, "GET", "/site/")
        assert a.status == 200 and b"<html" in a.body.lower(), a.status
        assert a.header("cache-control") == "no-cache" and a.header("etag"), a.headers
        again = request(origin, "GET", "/site/", headers={"If-None-Match": a.header("etag")})
        assert again.status == 304, again.status
        data = request(origin, "GET", "/site/data/territoires.geojson")
        assert data.status == 200 and data.header("cache-control") == "max-age=300", data.header("cache-control")
        release = json.loads(request(origin, "GET", "/site/release.json").body)
        return f"version {release['version']}, 304 on revalidation"

    def affinity():
        """Three visitors from ONE address (an office behind a NAT): each keeps its replica."""
        seen = []
        for _ in range(3):
            first = request(origin, "GET", "/")
            cookie = next(c for c in first.headers["set-cookie"] if c.startswith("tzcld_route=")).split(";")[0]
            replicas = {
                request(origin, "GET", "/_stcore/health", headers={"Cookie": cookie}).header("x-tzcld-upstream")
                for _ in range(4)
            }
            replicas.add(first.header("x-tzcld-upstream"))
            assert len(replicas) == 1, replicas
            seen.append(cluster.replica_of(replicas.pop()))
        return "same replica for each cookie: " + ", ".join(str(s) for s in seen)

    for name, fn in (
        ("http → https redirect", redirect),
        ("nginx /healthz", healthz),
        ("dashboard page and its headers", page_headers),
        ("Streamlit /_stcore/health", streamlit_health),
        ("API /api/health (address index ready, database reachable)", api_health),
        ("API check through nginx", api_check),
        ("request size limit of the API (nginx)", api_limit),
        ("static site /site/ and its cache headers", static_site),
        ("session affinity by cookie, one client address", affinity),
    ):
        item(name, fn)


def smoke_browser(cluster: Cluster, report: Report) -> None:
    """In chromium, through nginx: Vérifier (typed address, uploaded file), the maps of Accueil
    and of the static site, and no CSP violation."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.smoke.append(("browser (chromium)", False, "Playwright missing: bash tests/setup.sh, or --no-browser"))
        return
    if not os.path.exists(CHROMIUM):
        report.smoke.append(("browser (chromium)", False, f"{CHROMIUM} missing: bash tests/setup.sh, or --no-browser"))
        return
    origin = cluster.plan.origin
    violations: list[str] = []
    recorder = (
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    steps: list[tuple[str, object]] = []

    def verifier(page):
        page.goto(f"{origin}/verifier", wait_until="domcontentloaded", timeout=120_000)
        field_ = page.locator('input[aria-label="Adresse"]')
        field_.wait_for(timeout=120_000)
        field_.fill(ADDRESS)
        field_.press("Enter")
        page.get_by_text(EXPECTED_ANSWER, exact=False).first.wait_for(timeout=120_000)

    def upload(page):
        page.get_by_role("tab", name="Fichier").click()
        content = f"nom;adresse\r\nA;{ADDRESS}\r\nB;Zzzz Qqqq\r\n".encode("cp1252")
        page.locator('input[type="file"]').set_input_files(
            files=[{"name": "candidats.csv", "mimeType": "text/csv", "buffer": content}]
        )
        page.get_by_role("button", name="Vérifier le fichier").wait_for(timeout=120_000)
        page.get_by_role("button", name="Vérifier le fichier").click()
        page.get_by_text("Télécharger les résultats (CSV)").first.wait_for(timeout=120_000)

    def accueil_map(page):
        page.goto(f"{origin}/", wait_until="domcontentloaded", timeout=120_000)
        # Accueil draws its map in an st.iframe (tzcld.ui.geo.show_map); a map sending clicks
        # back is streamlit-folium's component
        frame = page.wait_for_selector(
            'iframe[data-testid="stIFrame"], iframe[title*="st_folium"]', timeout=120_000
        ).content_frame()
        frame.wait_for_function(
            "() => document.querySelectorAll('path.leaflet-interactive').length >= 17", timeout=120_000
        )

    def static_map(page):
        page.goto(f"{origin}/site/", wait_until="load", timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('path.leaflet-interactive').length >= 17", timeout=60_000
        )

    steps = [
        ("browser: Vérifier answers a typed address", verifier),
        ("browser: a file uploaded on Vérifier (XSRF on, through nginx)", upload),
        ("browser: Accueil's map drawn", accueil_map),
        ("browser: the static site's map drawn", static_map),
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(ignore_https_errors=True, locale="fr-BE")
            context.add_init_script(recorder)
            # nothing leaves the machine (tiles are off by default anyway)
            context.route(
                "**/*",
                lambda route: route.abort() if urlsplit(route.request.url).hostname != HOST else route.continue_(),
            )
            page = context.new_page()

            def on_console(msg) -> None:
                text = msg.text
                if "CSP-VIOLATION" in text or "Content Security Policy" in text or "Content-Security-Policy" in text:
                    violations.append(text[:200])

            page.on("console", on_console)
            for name, step in steps:
                t0 = time.perf_counter()
                before = len(violations)
                try:
                    step(page)
                    page.wait_for_timeout(500)
                    violations[before:] = [f"{name.split(': ', 1)[1]}: {v}" for v in violations[before:]]
                    report.smoke.append((name, True, f"{time.perf_counter() - t0:.1f} s"))
                except Exception as exc:  # noqa: BLE001 - reported; the next steps still run
                    report.smoke.append((name, False, f"{type(exc).__name__}: {exc}"[:300]))
            report.smoke.append(
                ("browser: no Content-Security-Policy violation", not violations, "; ".join(violations[:3]))
            )
            context.close()
        finally:
            browser.close()


# ----------------------------------------------------------------------------- load test
async def warm_up(cluster: Cluster) -> None:
    """One visit straight to each replica (not through nginx): its caches and its address
    index are loaded before the figures are taken."""
    for name in cluster.app_services:
        if name.startswith("dashboard"):
            v = Visitor(cluster.plan.url(name))
            await v.open()
            await v.run("")
            await v.run("verifier")
            await v.check_address(ADDRESS)
            await v.close()


async def load_visitors(cluster: Cluster, report: Report, n: int, time_limit_s: float) -> None:
    origin = cluster.plan.origin
    everyone_done = asyncio.Event()
    done_count = [0]
    replicas: Counter = Counter()
    report.visitors = n
    for key in ("accueil", "verifier", "answer"):
        report.times.setdefault(key, [])

    async def one(i: int) -> None:
        v = Visitor(origin, source=source_address(10, i))
        ok = False
        try:
            t0 = time.perf_counter()
            await v.open("/")
            home = await v.run("")
            report.times["accueil"].append(time.perf_counter() - t0)
            if not texts(home, TITLE_FR):
                raise VisitError("Accueil without its headline")
            t0 = time.perf_counter()
            await v.run("verifier")
            report.times["verifier"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            answer = await v.check_address(ADDRESS)
            report.times["answer"].append(time.perf_counter() - t0)
            if not texts(answer, EXPECTED_ANSWER):
                raise VisitError("no answer to the typed address")
            ok = True
            replicas[cluster.replica_of(v.upstream or "") or "?"] += 1
        except Exception as exc:  # noqa: BLE001 - every failure counts, nothing retried
            report.visitor_errors.append(f"visitor {i}: {type(exc).__name__}: {exc}"[:200])
        finally:
            done_count[0] += 1
            if done_count[0] == n:
                everyone_done.set()
            if ok:
                # held until everyone is done: n sessions open at once; then still alive?
                await everyone_done.wait()
                try:
                    await v.run("verifier", timeout=60)
                    report.held += 1
                except Exception as exc:  # noqa: BLE001
                    report.visitor_errors.append(f"visitor {i} after the others: {type(exc).__name__}"[:200])
            await v.close()

    t0 = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), time_limit_s)
    except TimeoutError:
        report.visitor_errors.append(f"time limit of {time_limit_s:.0f} s reached")
    report.load_wall_s = time.perf_counter() - t0
    report.per_replica = dict(replicas)


def load_api(cluster: Cluster, report: Report, clients: int, checks: int, time_limit_s: float) -> None:
    origin = urlsplit(cluster.plan.origin)
    report.api_clients, report.api_checks = clients, checks
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit_s

    def client(i: int) -> None:
        conn = http.client.HTTPSConnection(
            origin.hostname, origin.port, timeout=60, context=insecure_tls(), source_address=(source_address(20, i), 0)
        )
        try:
            for k in range(checks):
                if time.monotonic() > deadline:
                    with lock:
                        report.api_errors.append("time limit")
                    return
                body = json.dumps({"address": API_ADDRESSES[(i + k) % len(API_ADDRESSES)]}).encode()
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/api/v1/check", body=body, headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    data = response.read()
                    status = response.status
                except Exception as exc:  # noqa: BLE001 - counted
                    with lock:
                        report.api_errors.append(f"{type(exc).__name__}")
                    conn.close()
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    if status == 200 and json.loads(data).get("status") in ("inside", "outside", "undetermined"):
                        report.api_ok += 1
                        report.api_latencies.append(elapsed)
                    elif status == 429:
                        report.api_refused += 1
                    else:
                        report.api_errors.append(f"HTTP {status}")
        finally:
            conn.close()

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    report.api_wall_s = time.perf_counter() - t0


def _title_fr() -> str:
    from tzcld.i18n import t

    return t("home.headline_heading", "fr")


TITLE_FR = ""


def run_check(
    cluster: Cluster,
    visitors: int = 10,
    api_clients: int = 8,
    api_checks: int = 40,
    time_limit_s: float = 600.0,
    browser: bool = True,
) -> Report:
    """The smoke test, then the load test, on a started :class:`~deploy.cluster.Cluster`."""
    global TITLE_FR
    TITLE_FR = _title_fr()
    report = Report(
        replicas=cluster.plan.replicas,
        started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpus=os.cpu_count() or 0,
        load_start=os.getloadavg(),
    )
    smoke_http(cluster, report)
    print("check: smoke test over HTTP done; warming up each replica…", file=sys.stderr, flush=True)
    asyncio.run(warm_up(cluster))
    if browser:
        print("check: chromium smoke test…", file=sys.stderr, flush=True)
        smoke_browser(cluster, report)
    print(f"check: {visitors} visitors…", file=sys.stderr, flush=True)
    asyncio.run(load_visitors(cluster, report, visitors, time_limit_s))
    print(f"check: {api_clients} API clients × {api_checks} checks…", file=sys.stderr, flush=True)
    load_api(cluster, report, api_clients, api_checks, time_limit_s)
    report.load_end = os.getloadavg()
    return report
