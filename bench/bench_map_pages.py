"""Map pages in a real browser: time to the first polygon, bytes per view, concurrency.

Run by hand (never in tests), from the repository root::

    .venv/bin/python bench/bench_map_pages.py                   # both parts
    .venv/bin/python bench/bench_map_pages.py --skip-load       # first polygon only
    .venv/bin/python bench/bench_map_pages.py --skip-first --visitors 20 --rounds 3
    git worktree add /tmp/before <commit>                       # earlier code, same run:
    .venv/bin/python bench/bench_map_pages.py --before /tmp/before

Servers (127.0.0.1 only; ``--port-base`` picks consecutive ports from 8580: the servers,
then one relay each — six ports, eight with ``--before``):

- the static export of the same map (``python -m tzcld export-site``), served by
  ``python -m http.server`` — the baseline;
- the floor: a bare Streamlit page, a title then an ``st.iframe`` already holding 17 drawn
  paths — what any Streamlit page costs before a map can show (:data:`FLOOR_APP`; a second
  page of text, ``/autre``, in Streamlit's own sidebar menu, to navigate from);
- ``streamlit run dashboard.py`` with a throw-away data folder (no perimeter database: the
  committed perimeters) and ``.streamlit/config.toml`` as committed; the address index of
  ``TZCLD_ADDRESS_INDEX`` (default ``data/address_index``) for Vérifier;
- with ``--before DIR``, the same dashboard from an earlier checkout (its own code and
  ``.streamlit/config.toml``), measured in the same run, interleaved with this one;
- a byte-counting TCP relay in front of each, used only for the "bytes per view" runs
  (HTTP and websocket bytes as they cross the wire, compressed or not).

Part 1 — first polygon. One headless ``/usr/bin/chromium`` (Playwright, the launch flags
of ``tests/browser_support.py``; every other host resolves to nothing, so nothing waits on
the internet). For the static page, Accueil (``/?fond=aucun``) and Vérifier
(``/verifier?fond=aucun``), measured in the page itself (``performance.now()``, from the
start of the navigation): the first ``path`` in Leaflet's overlay pane (first polygon drawn)
and the 17th territory (``path.leaflet-interactive``). The server's caches are warm (each
page was opened once before). Two kinds of visit:

- ``warm``: a returning visitor — same browser profile, its HTTP cache filled by an earlier
  visit; a new tab each time;
- ``first``: a first-time visitor — a new browser profile (empty cache);
- ``in-app``: a visitor already in the app — the returning visitor's profile, a new tab
  opened on a page without a map (Transparence; the floor's ``/autre``) and left to finish
  drawing, then the page's link in the sidebar menu clicked: Streamlit's own page switch
  (``st.navigation``: no reload, the websocket open, its JavaScript running). Measured from
  the click (the click event's time stamp, ``performance.now()``'s clock) by a watcher armed
  on the start page (:data:`IN_APP_WATCH`): the first polygon and the 17th territory are
  counted only once the URL path and the page's heading (``h1``) are the target's; the visit
  fails if the start page shows a polygon, if a polygon shows before the page has changed,
  or if the page reached is not the target's (checked again at the end). The menu links
  carry no ``?fond=``: the maps use their page's default basemap (Accueil: OpenStreetMap,
  whose tiles fail at once here, after the polygons are drawn; Vérifier: none). Only the
  click and what follows are counted in the CPU per view, not the start page.

``--runs`` visits of each kind, the three pages interleaved so that the machine's load
falls evenly on them; median, min and max are printed, with the ratio of the medians to
the static export's (``in-app``: to its returning visit, the static page opened again). CPU seconds per view of the Streamlit server and of the browser are
read from ``/proc``, beside the wall time; so is the machine's load (other users' CPU).

Part 2 — concurrency. ``--visitors`` first-time visitors (new profiles) open Accueil
together, ``--rounds`` times; each one's time to the 17 territories is measured in its
page. Errors (timeouts, script errors) are counted. Then the same number of sessions
without a browser (Streamlit's websocket protocol: the Accueil script run, no drawing)
gives the server's own cost per view, hence what one process can hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

HOST = "127.0.0.1"
TERRITORIES = 17
#: Every host but this machine resolves to nothing: a stray request fails at once.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

#: How many elements match ``sel`` in the page and its same-origin iframes (the maps' frames).
COUNT_JS = """function count(sel) {
    var n = document.querySelectorAll(sel).length;
    var frames = document.querySelectorAll('iframe');
    for (var i = 0; i < frames.length; i++) {
      try { var d = frames[i].contentDocument; if (d) { n += d.querySelectorAll(sel).length; } } catch (e) {}
    }
    return n;
  }"""

#: Runs in every page at document start (top frame only): watches the page and its
#: same-origin iframes on every animation frame; records when the first polygon and the
#: 17th territory are in Leaflet's SVG (so drawn at that frame), from navigation start.
PROBE = """
(() => {
  if (window.top !== window) { return; }
  __COUNT__
  function tick() {
    var now = performance.now();
    if (window.__tzShell === undefined && document.querySelector('[data-testid="stElementContainer"], h1')) {
      window.__tzShell = now;
    }
    if (window.__tzFirst === undefined && count('.leaflet-overlay-pane path') > 0) { window.__tzFirst = now; }
    if (window.__tzAll === undefined && count('path.leaflet-interactive') >= __N__) { window.__tzAll = now; return; }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
""".replace("__N__", str(TERRITORIES)).replace("__COUNT__", COUNT_JS)


# ----------------------------------------------------------------------------- machine


def cpu_seconds(pid: int, tree: bool = True) -> float:
    """User + system CPU seconds of ``pid`` (and, with ``tree``, of all its descendants)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK)
    wanted = {pid}
    if tree:
        grew = True
        while grew:
            grew = False
            for p, (ppid, _) in stats.items():
                if ppid in wanted and p not in wanted:
                    wanted.add(p)
                    grew = True
    return sum(stats[p][1] for p in wanted if p in stats)


def rss_mib(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of ``pid`` in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot (``/proc/stat``)."""
    parts = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


@dataclass
class Window:
    """CPU use over a stretch of the benchmark: ours (server, browser) and the machine's."""

    server_pid: int | None
    browser_pid: int | None
    t0: float = 0.0
    busy0: tuple[float, float] = (0.0, 0.0)
    server0: float = 0.0
    browser0: float = 0.0
    bench0: float = 0.0

    def __enter__(self) -> Window:
        self.t0 = time.perf_counter()
        self.busy0 = machine_busy()
        self.server0 = cpu_seconds(self.server_pid) if self.server_pid else 0.0
        self.browser0 = cpu_seconds(self.browser_pid) if self.browser_pid else 0.0
        self.bench0 = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t0
        busy1 = machine_busy()
        self.machine_cpu = (busy1[0] - self.busy0[0]) / CLK_TCK
        self.server = (cpu_seconds(self.server_pid) if self.server_pid else 0.0) - self.server0
        self.browser = (cpu_seconds(self.browser_pid) if self.browser_pid else 0.0) - self.browser0
        self.bench = time.process_time() - self.bench0
        self.others = max(0.0, self.machine_cpu - self.server - self.browser - self.bench)

    def line(self, views: int) -> str:
        ncpu = os.cpu_count() or 1
        return (
            f"  CPU per view: server {self.server / views * 1000:.0f} ms, browser {self.browser / views * 1000:.0f} ms "
            f"(wall {self.wall / views * 1000:.0f} ms); other processes used {self.others / self.wall:.2f} of "
            f"{ncpu} CPUs meanwhile (machine busy {self.machine_cpu / self.wall / ncpu:.0%})"
        )


# ----------------------------------------------------------------------------- relay


class ByteRelay:
    """A TCP relay ``listen_port`` → ``target_port`` on 127.0.0.1 counting the bytes each way."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port, self.target_port = listen_port, target_port
        self.down = 0  # server → browser
        self.up = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, down: bool) -> None:
            try:
                while data := await reader.read(65536):
                    with self._lock:
                        if down:
                            self.down += len(data)
                        else:
                            self.up += len(data)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    writer.close()

        async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
            try:
                server_r, server_w = await asyncio.open_connection(HOST, self.target_port)
            except OSError:
                client_w.close()
                return
            await asyncio.gather(pipe(client_r, server_w, False), pipe(server_r, client_w, True))

        async def serve() -> None:
            self._server = await asyncio.start_server(handle, HOST, self.listen_port)
            self._ready.set()
            await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(serve())

    def reset(self) -> None:
        with self._lock:
            self.down = self.up = 0

    def stop(self) -> None:
        def cancel() -> None:
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()

        self._loop.call_soon_threadsafe(cancel)
        self._thread.join(5)


# ----------------------------------------------------------------------------- servers


def wait_http(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT of a previous run is fine
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def launch_streamlit(checkout: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``streamlit run dashboard.py`` in ``checkout`` (its own code and .streamlit/config.toml),
    with the flags of ``tests/browser_support.start_streamlit``; waits until healthy."""
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    cmd += ["--server.address", HOST, "--server.headless", "true", "--server.fileWatcherType", "none"]
    cmd += ["--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://{HOST}:{port}/_stcore/health", 90)
    except RuntimeError:
        process.terminate()
        raise
    return process


@dataclass
class Servers:
    """Base URLs (direct, and through a counting relay) and pids, by server name:
    ``static``, ``floor`` (:data:`FLOOR_APP`), ``now`` (this checkout) and, with
    ``--before``, ``before``."""

    urls: dict[str, str]
    relay_urls: dict[str, str]
    relays: dict[str, ByteRelay]
    pids: dict[str, int]


#: The floor: the least a Streamlit page can do before a map shows — a title, then an
#: ``st.iframe`` whose document already holds 17 drawn paths (no Leaflet, no data). Two pages
#: in Streamlit's own navigation (sidebar menu), so that the floor can be reached in the app
#: too: the iframe page at ``/``, a page of text at ``/autre`` to navigate from.
FLOOR_APP = """
import streamlit as st


def floor_map():
    st.title("Streamlit")
    paths = "".join('<path class="leaflet-interactive" d="M%d 10h8v8z"/>' % (10 * i) for i in range(17))
    st.iframe(
        '<!doctype html><html><body><div class="leaflet-overlay-pane"><svg width="200" height="40">'
        + paths
        + "</svg></div></body></html>",
        height=60,
    )


def other():
    st.title("Autre page")
    st.write("Une page sans carte.")


st.navigation(
    [st.Page(floor_map, title="Carte", default=True), st.Page(other, title="Autre", url_path="autre")]
).run()
"""


@contextlib.contextmanager
def servers(port_base: int, work: Path, before: Path | None) -> Iterator[Servers]:
    names = ["static", "floor", "now"] + (["before"] if before else [])
    ports = {name: port_base + i for i, name in enumerate(names)}
    relay_ports = {name: port_base + len(names) + i for i, name in enumerate(names)}
    busy = [p for p in [*ports.values(), *relay_ports.values()] if not port_free(p)]
    if busy:
        raise SystemExit(f"ports already in use: {busy} (choose --port-base)")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for name in ("TZCLD_DATABASE_URL", "TZCLD_DEMO"):
        env.pop(name, None)
    env.setdefault("TZCLD_ADDRESS_INDEX", str(REPO / "data" / "address_index"))
    site = work / "site"
    subprocess.run(
        [sys.executable, "-m", "tzcld", "export-site", str(site)],
        cwd=REPO,
        env=dict(env, TZCLD_DATA_DIR=str(work / "data-static")),
        check=True,
        capture_output=True,
    )
    processes: dict[str, subprocess.Popen] = {}
    relays: dict[str, ByteRelay] = {}
    try:
        processes["static"] = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(ports["static"]), "--bind", HOST, "--directory", str(site)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://{HOST}:{ports['static']}/index.html")
        floor = work / "floor"
        floor.mkdir()
        (floor / "dashboard.py").write_text(FLOOR_APP, encoding="utf-8")
        for name, checkout in (("floor", floor), ("now", REPO), ("before", before)):
            if checkout is not None:
                data = dict(env, TZCLD_DATA_DIR=str(work / f"data-{name}"))
                processes[name] = launch_streamlit(checkout, ports[name], data, work / f"streamlit-{name}.log")
        relays = {name: ByteRelay(relay_ports[name], ports[name]) for name in names}
        yield Servers(
            urls={name: f"http://{HOST}:{port}" for name, port in ports.items()},
            relay_urls={name: f"http://{HOST}:{port}" for name, port in relay_ports.items()},
            relays=relays,
            pids={name: processes[name].pid for name in names if name != "static"},
        )
    finally:
        for relay in relays.values():
            relay.stop()
        for process in processes.values():
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


# ----------------------------------------------------------------------------- part 1


@dataclass(frozen=True)
class Target:
    label: str
    server: str
    path: str
    #: the heading (``h1``) the page shows: how an in-app visit knows it has arrived
    title: str = ""
    #: in-app visits: the page (without a map) the visitor is on before clicking the menu link
    start: str | None = None
    #: other URL paths of the same page a menu may link (the dashboard's home at /accueil)
    aliases: tuple[str, ...] = ()

    @property
    def streamlit(self) -> bool:
        return self.server != "static"

    @property
    def pathname(self) -> str:
        """The URL path of the page (no query, no trailing slash but for ``/``)."""
        return self.path.split("?", 1)[0].rstrip("/") or "/"


STATIC = Target("static export (baseline)", "static", "/index.html")


FLOOR = Target("Streamlit floor (iframe)", "floor", "/", title="Streamlit", start="/autre")


def _title(key: str) -> str:
    from tzcld.i18n import t

    return t(key, "fr")


def targets(srv: Servers) -> list[Target]:
    out = [STATIC, FLOOR]
    for server, suffix in (("now", ""), ("before", " (before)")):
        if server in srv.pids and server != "floor":
            out += [
                Target(
                    f"Accueil{suffix}",
                    server,
                    "/?fond=aucun",
                    _title("common.app_title"),
                    "/transparence",
                    ("/accueil",),
                ),
                Target(f"Vérifier{suffix}", server, "/verifier?fond=aucun", _title("check.title"), "/transparence"),
            ]
    return out


def carte_targets(srv: Servers) -> list[Target]:
    """Measured for their bytes only (the Carte map is not the static export's)."""
    return [
        Target("Carte" + ("" if s == "now" else " (before)"), s, "/carte?fond=aucun")
        for s in ("now", "before")
        if s in srv.pids
    ]


#: The kinds of visit of part 1 (see the module's docstring).
KINDS = ("warm", "first", "in-app")


@dataclass
class Series:
    shell: list[float] = field(default_factory=list)
    first_polygon: list[float] = field(default_factory=list)
    all_territories: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def visit(page, url: str, timeout_ms: int = 120_000) -> tuple[float, float, float]:
    """Open ``url`` in ``page``; (first element of the page, first polygon, 17 territories)
    in ms from navigation start."""
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    page.wait_for_function("() => window.__tzAll !== undefined", timeout=timeout_ms, polling=50)
    shell, first, every = page.evaluate("() => [window.__tzShell, window.__tzFirst, window.__tzAll]")
    return float(shell if shell is not None else "nan"), float(first), float(every)


#: In-app visits: armed on the start page (its own probe stopped), then a menu link is
#: clicked. From the click (the event's time stamp, ``performance.now()``'s clock) it watches
#: every animation frame for the new page — URL path and heading (``h1``) both the target's —
#: and, once there, for the first polygon and the 17th territory in the page and its
#: same-origin iframes (:data:`PROBE`'s count). A polygon seen before the page has changed is
#: recorded as ``stray`` (the visit then fails: it would be the previous page's map).
IN_APP_WATCH = r"""
(args) => {
  window.__tzAll = window.__tzAll === undefined ? -1 : window.__tzAll;  // stop the load probe
  const w = {armed: performance.now()};
  window.__tzInApp = w;
  __COUNT__
  function arrived() {
    var path = location.pathname.replace(/\/+$/, '') || '/';
    if (path !== args.path) { return false; }
    var h = document.querySelector('[data-testid="stMainBlockContainer"] h1, h1');
    return !!h && (h.textContent || '').indexOf(args.title) >= 0;
  }
  w.before = count('.leaflet-overlay-pane path');
  window.addEventListener('click', function (ev) {
    if (w.t0 !== undefined) { return; }
    w.t0 = ev.timeStamp;
    function tick() {
      var now = performance.now();
      var here = arrived();
      var n = count('.leaflet-overlay-pane path');
      if (here && w.changed === undefined) { w.changed = now; }
      if (!here && n > 0 && w.stray === undefined) { w.stray = now; }
      if (here && n > 0 && w.first === undefined) { w.first = now; }
      if (here && count('path.leaflet-interactive') >= args.n) { w.all = now; return; }
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  }, {capture: true});
}
""".replace("__COUNT__", COUNT_JS)


def open_start(page, base: str, target: Target, timeout_ms: int = 120_000) -> None:
    """Open the in-app visit's start page and wait until it is drawn (its script run over)."""
    assert target.start is not None
    page.goto(base + target.start, wait_until="commit", timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)
    settle(page, True)


def in_app_visit(page, target: Target, timeout_ms: int = 120_000) -> tuple[float, float, float]:
    """On the start page (open, drawn), click the menu link of ``target``; (page changed,
    first polygon, 17 territories) in ms from the click. Raises when the start page already
    shows a polygon, when no menu link leads to the target, or when the page reached is not
    the target's (URL path and heading checked again at the end)."""
    links = page.locator('[data-testid="stSidebar"] a[href]')
    # Streamlit writes the links relative to the app's root (a default page's is ``href=""``;
    # the dashboard's menu links its home page at /accueil)
    hrefs = links.evaluate_all(
        "els => els.map(a => new URL(a.getAttribute('href'), location.origin + '/').pathname"
        ".replace(/\\/+$/, '') || '/')"
    )
    path = next((p for p in (target.pathname, *target.aliases) if p in hrefs), None)
    if path is None:
        raise RuntimeError(f"no menu link to {target.pathname} on {target.start}: {hrefs}")
    page.evaluate(IN_APP_WATCH, {"path": path, "title": target.title, "n": TERRITORIES})
    before = page.evaluate("() => window.__tzInApp.before")
    if before:
        raise RuntimeError(f"the start page {target.start} already shows {before} polygons")
    links.nth(hrefs.index(path)).click(timeout=timeout_ms)
    page.wait_for_function("() => window.__tzInApp.all !== undefined", timeout=timeout_ms, polling=50)
    w = page.evaluate("() => window.__tzInApp")
    if w.get("stray") is not None:
        raise RuntimeError(f"a polygon was drawn before the page changed ({w['stray'] - w['t0']:.0f} ms)")
    where, heading = page.evaluate(
        "() => [location.pathname, (document.querySelector('[data-testid=\"stMainBlockContainer\"] h1') || {}).textContent]"
    )
    if (where.rstrip("/") or "/") != path or target.title not in (heading or ""):
        raise RuntimeError(f"the page reached is not {target.label}: {where!r}, heading {heading!r}")
    t0 = float(w["t0"])
    return float(w["changed"]) - t0, float(w["first"]) - t0, float(w["all"]) - t0


def settle(page, streamlit: bool) -> None:
    """Let the view finish (Streamlit: the script run is over) before the next one."""
    if streamlit:
        page.wait_for_function(
            """() => { const w = document.querySelector('[data-testid="stStatusWidget"]');
                      return !w || !/running|exécution/i.test(w.textContent || ''); }""",
            timeout=120_000,
        )
    page.wait_for_timeout(300)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{med(values):6.0f} ms  ({min(values):.0f}–{max(values):.0f})"


def new_context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    ctx.add_init_script(PROBE)
    return ctx


def part_first_polygon(browser, srv: Servers, runs: int, browser_pid: int | None) -> list[str]:
    pages = targets(srv)
    series = {(t.label, kind): Series() for t in pages for kind in KINDS}
    out = [f"Part 1 — first polygon, {runs} visits of each kind per page (median, min–max)", ""]
    # First view on a fresh server (its caches cold; Vérifier after Accueil, as a visitor would),
    # then one returning-visitor profile per page, its browser cache filled by that visit.
    out.append("### first view on a freshly started server (server caches cold, browser cache empty)")
    warm_contexts = {}
    for target in pages:
        ctx = new_context(browser)
        page = ctx.new_page()
        shell, first, every = visit(page, srv.urls[target.server] + target.path)
        settle(page, target.streamlit)
        page.close()
        warm_contexts[target.label] = ctx
        out.append(f"{target.label:26s} first polygon {first:6.0f} ms · 17 territories {every:6.0f} ms")
    out.append("")
    windows = {(t.label, kind): Window(srv.pids.get(t.server), browser_pid) for t in pages for kind in KINDS}
    for _ in range(runs):
        for kind in KINDS:
            for target in pages:
                if kind == "in-app" and target.start is None:
                    continue  # the static export has no app to navigate in
                s = series[(target.label, kind)]
                ctx = new_context(browser) if kind == "first" else warm_contexts[target.label]
                page = ctx.new_page()
                window = windows[(target.label, kind)]
                try:
                    if kind == "in-app":  # the app open on its start page, then the menu link
                        open_start(page, srv.urls[target.server], target)
                        with Window(window.server_pid, browser_pid) as w:
                            shell, first, every = in_app_visit(page, target)
                            settle(page, True)
                    else:
                        with Window(window.server_pid, browser_pid) as w:
                            shell, first, every = visit(page, srv.urls[target.server] + target.path)
                            settle(page, target.streamlit)
                    for name in ("wall", "server", "browser", "machine_cpu", "bench", "others"):
                        setattr(window, name, getattr(window, name, 0.0) + getattr(w, name))
                    s.shell.append(shell)
                    s.first_polygon.append(first)
                    s.all_territories.append(every)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    s.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                finally:
                    page.close()
                    if kind == "first":
                        ctx.close()
    bytes_lines = bytes_per_view(browser, srv)
    for ctx in warm_contexts.values():
        ctx.close()
    titles = {
        "warm": "returning visitor, new tab (browser cache filled)",
        "first": "first visit (empty cache)",
        "in-app": "in-app navigation: the app open on a page without a map, its menu link clicked (from the click; "
        "ratios to the static export's returning visit)",
    }
    for kind in KINDS:
        out.append(f"### {titles[kind]}")
        ref = series[(STATIC.label, "first" if kind == "first" else "warm")]
        ref_first, ref_all = med(ref.first_polygon), med(ref.all_territories)
        for target in pages:
            if kind == "in-app" and target.start is None:
                continue
            s = series[(target.label, kind)]
            ratio = (
                f"  ratio ×{med(s.first_polygon) / ref_first:.2f} / ×{med(s.all_territories) / ref_all:.2f}"
                if target is not STATIC
                else ""
            )
            out.append(
                f"{target.label:26s} first polygon {spread(s.first_polygon)} · 17 territories "
                f"{spread(s.all_territories)}{ratio}"
                + (f"  ERRORS {len(s.errors)}: {s.errors[:2]}" if s.errors else "")
            )
            if kind == "in-app":
                out.append(f"  (from {target.start}; the page changed, URL and heading: {spread(s.shell).strip()})")
            elif target.streamlit:
                out.append(f"  (first element of the page, Streamlit's own start: {spread(s.shell).strip()})")
            w = windows[(target.label, kind)]
            if getattr(w, "wall", 0) and len(s.first_polygon):
                out.append(w.line(len(s.first_polygon)))
        out.append("")
    out += bytes_lines
    return out


def bytes_per_view(browser, srv: Servers) -> list[str]:
    """Bytes on the wire (both directions, HTTP + websocket) per view, through the relays."""
    out = ["### bytes per view (through the counting relay: what crosses the wire)"]
    for target in [*targets(srv), *carte_targets(srv)]:
        url = srv.relay_urls[target.server] + target.path
        relay = srv.relays[target.server]
        ctx = new_context(browser)
        figures = []
        try:
            for _ in ("first", "warm"):
                relay.reset()
                page = ctx.new_page()
                if target.label.startswith("Carte"):
                    page.goto(url, wait_until="commit")
                    page.wait_for_function("() => window.__tzFirst !== undefined", timeout=120_000)
                else:
                    visit(page, url)
                settle(page, target.streamlit)
                page.wait_for_timeout(700)
                figures.append((relay.down, relay.up))
                page.close()
        finally:
            ctx.close()
        (fd, fu), (wd, wu) = figures
        out.append(
            f"{target.label:26s} first visit {fd / 1024:7.0f} KiB received, {fu / 1024:5.0f} KiB sent · "
            f"returning {wd / 1024:6.0f} KiB received, {wu / 1024:5.0f} KiB sent"
        )
    out.append("")
    return out


# ----------------------------------------------------------------------------- part 2


def concurrent_round(browser, url: str, visitors: int) -> tuple[list[float], list[float], list[str]]:
    """``visitors`` first-time visitors (new profiles) open ``url`` together; their times to
    the first polygon and to the 17 territories (measured in each page), and the errors."""
    firsts: list[float] = []
    alls: list[float] = []
    errors: list[str] = []
    contexts = []
    for _ in range(visitors):
        ctx = new_context(browser)
        contexts.append((ctx, ctx.new_page()))
    for _ctx, page in contexts:
        page.evaluate("u => { window.location.href = u; }", url)
    for _ctx, page in contexts:
        try:
            page.wait_for_load_state("commit", timeout=180_000)
            page.wait_for_function("() => window.__tzAll !== undefined", timeout=180_000, polling=100)
            first, every = page.evaluate("() => [window.__tzFirst, window.__tzAll]")
            firsts.append(float(first))
            alls.append(float(every))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
    for ctx, page in contexts:  # the next round starts once every script run is over
        with contextlib.suppress(Exception):
            settle(page, True)
        ctx.close()
    return firsts, alls, errors


def part_concurrency(browser, srv: Servers, visitors: int, rounds: int, browser_pid: int | None) -> list[str]:
    servers_ = [s for s in ("now", "before") if s in srv.pids]  # the floor draws no map
    results = {s: ([], [], []) for s in servers_}
    windows = {s: Window(srv.pids[s], browser_pid) for s in servers_}
    for _ in range(rounds):
        for server in servers_:  # interleaved: the machine's load falls on both alike
            with Window(srv.pids[server], browser_pid) as w:
                firsts, alls, errors = concurrent_round(browser, srv.urls[server] + "/?fond=aucun", visitors)
            for name in ("wall", "server", "browser", "machine_cpu", "bench", "others"):
                setattr(windows[server], name, getattr(windows[server], name, 0.0) + getattr(w, name))
            for acc, new in zip(results[server], (firsts, alls, errors), strict=True):
                acc.extend(new)
    out = [
        f"Part 2 — {visitors} concurrent first-time visitors on Accueil (chromium, one profile each), {rounds} rounds"
    ]
    for server in servers_:
        firsts, alls, errors = results[server]
        lat = sorted(alls)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] if lat else float("nan")
        rss, peak = rss_mib(srv.pids[server])
        out += [
            f"[{server}] {len(alls)} views, {len(errors)} errors; 17 territories drawn: median {med(alls):.0f} ms, "
            f"p95 {p95:.0f} ms, max {max(lat, default=float('nan')):.0f} ms; first polygon median {med(firsts):.0f} ms",
            windows[server].line(max(len(alls) + len(errors), 1)),
            f"  Streamlit server memory: {rss:.0f} MiB resident after the rounds, peak {peak:.0f} MiB",
        ]
        if errors:
            out.append(f"  first errors: {errors[:3]}")
    for server in servers_:
        out += websocket_sessions(srv, server, visitors, rounds)
    return out


def websocket_sessions(srv: Servers, server: str, sessions: int, rounds: int) -> list[str]:
    """``sessions`` concurrent Accueil runs over Streamlit's websocket protocol (no browser)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = srv.urls[server].replace("http://", "ws://") + "/_stcore/stream"

    async def one() -> tuple[float, int]:
        start = time.perf_counter()
        received = 0
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, compression=None) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = "fond=aucun"
            msg.rerun_script.page_name = ""
            await ws.send(msg.SerializeToString())
            while True:
                data = await asyncio.wait_for(ws.recv(), 180)
                received += len(data)
                fwd = ForwardMsg()
                fwd.ParseFromString(data)
                if fwd.WhichOneof("type") == "script_finished":
                    if fwd.script_finished != 0:
                        raise RuntimeError(f"script_finished {fwd.script_finished}")
                    return time.perf_counter() - start, received

    results: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []

    async def visitor() -> None:
        for _ in range(rounds):
            try:
                seconds, size = await one()
                results.append(seconds)
                sizes.append(size)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

    async def run_all() -> None:
        await asyncio.gather(*(visitor() for _ in range(sessions)))

    def in_thread(coro_fn) -> None:  # Playwright's sync API owns this thread's event loop
        worker = threading.Thread(target=lambda: asyncio.run(coro_fn()))
        worker.start()
        worker.join()

    in_thread(one)  # warm
    with Window(srv.pids[server], None) as w:
        in_thread(run_all)
    views = max(1, len(results) + len(errors))
    per_view = w.server / views
    return [
        f"[{server}] websocket sessions (no browser): {sessions} concurrent × {rounds}: {len(results)} runs, "
        f"{len(errors)} errors; median {med(results) * 1000:.0f} ms per run; "
        f"{med([float(s) for s in sizes]) / 1024:.0f} KiB of messages per view (uncompressed)",
        f"  server CPU per view {per_view * 1000:.0f} ms → one process (one core) holds about "
        f"{1 / per_view if per_view else float('nan'):.0f} views/s; other processes used "
        f"{w.others / w.wall:.2f} of {os.cpu_count()} CPUs meanwhile",
    ] + ([f"  first errors: {errors[:3]}"] if errors else [])


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="visits of each kind per page (part 1)")
    parser.add_argument("--visitors", type=int, default=20, help="concurrent visitors (part 2)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of concurrent visits (part 2)")
    parser.add_argument("--port-base", type=int, default=8580)
    parser.add_argument("--skip-first", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="a checkout of earlier code (git worktree add DIR COMMIT), measured in the same run",
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    header = [
        f"bench_map_pages — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {platform.node()}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {sys.version.split()[0]}; load average at start "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
    ]
    print("\n".join(header), flush=True)
    work = Path(tempfile.mkdtemp(prefix="tzcld-bench-maps-"))
    with servers(args.port_base, work, args.before) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + OFFLINE_ARGS, headless=True)
        browser_pid = _chromium_pid()
        try:
            if not args.skip_first:
                print("\n".join(part_first_polygon(browser, srv, args.runs, browser_pid)), flush=True)
            if not args.skip_load:
                print("\n".join(part_concurrency(browser, srv, args.visitors, args.rounds, browser_pid)), flush=True)
        finally:
            browser.close()
    print("load average at end " + "/".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0


def _chromium_pid() -> int | None:
    """The pid of the newest chromium browser process started by this bench (for its CPU)."""
    mine = os.getpid()
    best: tuple[float, int] | None = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        if not cmd or not cmd[0].endswith(b"chromium") or b"--type=" in b" ".join(cmd):
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        # descendant of this process?
        p, seen = int(fields[1]), 0
        while p > 1 and p != mine and seen < 20:
            try:
                r = Path(f"/proc/{p}/stat").read_text()
            except OSError:
                break
            p = int(r[r.rindex(")") + 2 :].split()[1])
            seen += 1
        if p != mine:
            continue
        started = float(fields[19])
        if best is None or started > best[0]:
            best = (started, int(entry.name))
    return best[1] if best else None


if __name__ == "__main__":
    raise SystemExit(main())
