"""Bounded load test of the public Transparence page (loopback only, run by hand).

    .venv/bin/python bench/load_public.py                 # both parts, default sizes
    .venv/bin/python bench/load_public.py --skip-streamlit
    .venv/bin/python bench/load_public.py --write-results bench/load_public_results.md

Part 1 — static export (``python -m tzcld export-site``) served by Python's
``http.server`` (a ThreadingHTTPServer) in its own process on 127.0.0.1. First a
baseline: ONE client visits the page (HTML + CSS + Leaflet + map script + GeoJSON) a
few times; then ``--static-clients`` (default 50) concurrent clients each make
``--static-visits`` visits. Prints request latency percentiles, errors, throughput,
the server's resident memory, and the ratio of loaded to baseline latency.

Part 2 — Streamlit: ``streamlit run dashboard.py`` on 127.0.0.1 with a throw-away data
folder; ``--streamlit-sessions`` (default 20) concurrent Playwright pages (one headless
/usr/bin/chromium, one context per session) each open ``/transparence``
``--streamlit-loads`` times and wait until the change log table is drawn (a full
script run). Baseline: one session alone. Prints the same figures, with the server's
memory before and after.

Every loop is bounded in count and by ``--time-limit`` seconds; only 127.0.0.1 is
contacted; every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures as cf
import datetime as dt
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"
#: What one visit of the static page fetches (paths from the site root).
VISIT_PATHS: tuple[str, ...] = (
    "/index.html",
    "/assets/site.css",
    "/assets/leaflet/leaflet.css",
    "/assets/leaflet/leaflet.js",
    "/assets/map.js",
    "/data/territoires.geojson",
    "/assets/context/wallonia.geojson",
    "/assets/context/provinces.geojson",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int, include_children: bool = True) -> tuple[int, int]:
    """(current RSS, peak RSS) in KiB of ``pid`` (+ its children), from /proc."""
    pids = [pid]
    if include_children:
        try:
            out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
            pids += [int(p) for p in out.split()]
        except OSError:
            pass
    cur = peak = 0
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                cur += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return cur, peak


@dataclass
class Stats:
    """Latencies (seconds) and errors of one run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, latency: float | None, error: str | None = None) -> None:
        with self.lock:
            if error is not None:
                self.errors.append(error)
            elif latency is not None:
                self.latencies.append(latency)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        k = min(len(data) - 1, max(0, round(q / 100 * (len(data) - 1))))
        return data[k]

    def line(self) -> str:
        n = len(self.latencies)
        rate = n / self.wall if self.wall else float("nan")
        return (
            f"{self.name}: {n} ok, {len(self.errors)} errors, {self.wall:.1f} s, {rate:.0f} req/s; "
            f"latency ms p50 {self.pct(50) * 1e3:.1f} · p90 {self.pct(90) * 1e3:.1f} · "
            f"p99 {self.pct(99) * 1e3:.1f} · max {max(self.latencies, default=float('nan')) * 1e3:.1f}"
            + (f" · mean {statistics.fmean(self.latencies) * 1e3:.1f}" if self.latencies else "")
        )


# ---------------------------------------------------------------- static


def fetch(port: int, path: str, timeout: float = 30.0) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return len(body)
    finally:
        conn.close()


def static_client(port: int, visits: int, stats: Stats, deadline: float) -> None:
    for _ in range(visits):
        for path in VISIT_PATHS:
            if time.monotonic() > deadline:
                stats.add(None, "time limit")
                return
            start = time.perf_counter()
            try:
                fetch(port, path)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                stats.add(None, f"{path}: {exc}")
            else:
                stats.add(time.perf_counter() - start)


#: A ThreadingHTTPServer with a listen backlog fit for bursts (http.server's default is 5).
TUNED_SERVER = """
import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
Server((sys.argv[1], int(sys.argv[2])), functools.partial(Handler, directory=sys.argv[3])).serve_forever()
"""


def export_static_site() -> Path:
    """Export the site (tiles off) into a temporary folder; returns the site folder."""
    from tzcld.export.site import export_site
    from tzcld.ledger import open_store

    work = Path(tempfile.mkdtemp(prefix="tzcld-load-static-"))
    store = open_store(f"sqlite:///{work / 'ledger.sqlite'}", demo=False)
    export_site(work / "site", store.observations_frame(), tiles=False)
    store.dispose()
    return work / "site"


def run_static(site: Path, clients: int, visits: int, time_limit: float, tuned: bool) -> tuple[list[str], dict]:
    paths = [p for p in VISIT_PATHS if (site / p.lstrip("/")).is_file()]
    globals()["VISIT_PATHS"] = tuple(paths)
    port = free_port()
    if tuned:
        cmd = [sys.executable, "-c", TUNED_SERVER, HOST, str(port), str(site)]
    else:
        cmd = [sys.executable, "-m", "http.server", str(port), "--bind", HOST, "--directory", str(site)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines: list[str] = []
    figures: dict = {}
    try:
        for _ in range(100):
            try:
                fetch(port, "/index.html", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        rss_idle, _ = rss_kib(server.pid, include_children=False)
        label = "ThreadingHTTPServer, backlog 1024" if tuned else "python -m http.server (backlog 5)"
        base = Stats(f"[{label}] baseline, 1 client")
        t0 = time.perf_counter()
        static_client(port, max(3, visits // 2), base, time.monotonic() + time_limit)
        base.wall = time.perf_counter() - t0
        loaded = Stats(f"[{label}] {clients} concurrent clients × {visits} visits × {len(paths)} files")
        deadline = time.monotonic() + time_limit
        t0 = time.perf_counter()
        peak_seen = 0
        with cf.ThreadPoolExecutor(max_workers=clients) as pool:
            futures = [pool.submit(static_client, port, visits, loaded, deadline) for _ in range(clients)]
            while not all(f.done() for f in futures):
                peak_seen = max(peak_seen, rss_kib(server.pid, include_children=False)[0])
                time.sleep(0.05)
        loaded.wall = time.perf_counter() - t0
        rss_end, rss_peak = rss_kib(server.pid, include_children=False)
        lines += [
            base.line(),
            loaded.line(),
            f"  p50 ratio loaded/baseline: {loaded.pct(50) / base.pct(50):.1f}×; "
            f"p99 ratio: {loaded.pct(99) / base.pct(99):.1f}×",
            f"  http.server RSS: idle {rss_idle / 1024:.1f} MiB, max sampled {peak_seen / 1024:.1f} MiB, "
            f"peak (VmHWM) {rss_peak / 1024:.1f} MiB, end {rss_end / 1024:.1f} MiB",
        ]
        figures = {"base": base, "loaded": loaded, "rss_idle": rss_idle, "rss_peak": rss_peak}
        if loaded.errors:
            lines.append(f"  first errors: {loaded.errors[:3]}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return lines, figures


# ---------------------------------------------------------------- streamlit


async def _ws_visit(ws_url: str, page_name: str, timeout: float) -> float:
    """One visitor over Streamlit's websocket: connect, run the page, wait for the end.

    Returns the seconds from connecting to ``script_finished``; raises if the run fails
    or the change-log table was not sent.
    """
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page_name
        await ws.send(msg.SerializeToString())
        saw_table = False
        while True:
            data = await asyncio.wait_for(ws.recv(), timeout)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "html" and 'id="table-journal"' in element.html.body:
                    saw_table = True
            elif kind == "script_finished":
                if fwd.script_finished != 0:  # FINISHED_SUCCESSFULLY
                    raise RuntimeError(f"script_finished status {fwd.script_finished}")
                if not saw_table:
                    raise RuntimeError("change-log table not sent")
                return time.perf_counter() - start
            elif kind == "page_not_found":
                raise RuntimeError("page not found")


def run_streamlit_ws(server_url: str, pid: int, sessions: int, loads: int, time_limit: float) -> tuple[list[str], dict]:
    """``sessions`` concurrent websocket visitors, each making ``loads`` visits (a new session each)."""
    ws_url = server_url.replace("http://", "ws://") + "/_stcore/stream"
    base = Stats("[websocket] baseline, 1 session")
    loaded = Stats(f"[websocket] {sessions} concurrent sessions × {loads} visits")
    peak = [0]

    async def visitor(stats: Stats, n: int, deadline: float) -> None:
        for _ in range(n):
            if time.monotonic() > deadline:
                stats.add(None, "time limit")
                return
            try:
                stats.add(await _ws_visit(ws_url, "transparence", 120.0))
            except Exception as exc:  # noqa: BLE001
                stats.add(None, f"{type(exc).__name__}: {exc}"[:200])

    async def sample_memory(stop: asyncio.Event) -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(pid)[0])
            await asyncio.sleep(0.1)

    async def run_all() -> None:
        await visitor(Stats("warm-up"), 1, time.monotonic() + time_limit)  # fills the caches
        t0 = time.perf_counter()
        await visitor(base, max(3, loads), time.monotonic() + time_limit)
        base.wall = time.perf_counter() - t0
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(stop))
        deadline = time.monotonic() + time_limit
        t0 = time.perf_counter()
        await asyncio.gather(*(visitor(loaded, loads, deadline) for _ in range(sessions)))
        loaded.wall = time.perf_counter() - t0
        stop.set()
        await sampler

    asyncio.run(run_all())
    rss_end, rss_peak = rss_kib(pid)
    lines = [
        base.line().replace("req/s", "runs/s"),
        loaded.line().replace("req/s", "runs/s"),
        f"  p50 ratio loaded/baseline: {loaded.pct(50) / base.pct(50):.1f}× "
        "(latency = websocket connect until script_finished, full page script run)",
        f"  streamlit server RSS: max sampled {peak[0] / 1024:.0f} MiB, peak VmHWM {rss_peak / 1024:.0f} MiB, "
        f"end {rss_end / 1024:.0f} MiB",
    ]
    if loaded.errors:
        lines.append(f"  first errors: {loaded.errors[:3]}")
    return lines, {"base": base, "loaded": loaded}


def run_streamlit_browser(
    server_url: str, pid: int, sessions: int, loads: int, time_limit: float
) -> tuple[list[str], dict]:
    """``sessions`` Playwright pages (one chromium) loading the page together, ``loads`` rounds.

    Latency is measured inside each page (``performance.now()`` when the change-log table
    appears, i.e. from the start of that navigation), so waiting on one page does not
    inflate another's figure. The browser shares the machine's CPUs with the server.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    url = f"{server_url}/transparence"
    marker = (
        "(() => { const t = setInterval(() => { if (document.querySelector('#table-journal')) "
        "{ window.__tzcldDone = performance.now(); clearInterval(t); } }, 25); })();"
    )
    base = Stats("[chromium] baseline, 1 page")
    loaded = Stats(f"[chromium] {sessions} concurrent pages × {loads} loads")
    peak = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

        def new_page():
            ctx = browser.new_context()
            ctx.add_init_script(marker)
            return ctx, ctx.new_page()

        def finish(page) -> float:
            page.wait_for_function("() => window.__tzcldDone !== undefined", timeout=120_000)
            return float(page.evaluate("() => window.__tzcldDone")) / 1000.0

        ctx, page = new_page()
        page.goto(url, wait_until="commit")
        finish(page)  # warm-up: browser cache and server caches
        t0 = time.perf_counter()
        for _ in range(max(2, loads)):
            page.goto(url, wait_until="commit")
            base.add(finish(page))
        base.wall = time.perf_counter() - t0
        ctx.close()

        pairs = [new_page() for _ in range(sessions)]
        deadline = time.monotonic() + time_limit
        t0 = time.perf_counter()
        for _ in range(loads):
            if time.monotonic() > deadline:
                loaded.add(None, "time limit")
                break
            for _, p in pairs:
                p.evaluate("u => { window.location.href = u; }", url)
            for _, p in pairs:
                try:
                    p.wait_for_load_state("commit", timeout=120_000)
                    loaded.add(finish(p))
                except Exception as exc:  # noqa: BLE001
                    loaded.add(None, str(exc)[:200])
                peak = max(peak, rss_kib(pid)[0])
        loaded.wall = time.perf_counter() - t0
        for c, _ in pairs:
            c.close()
        browser.close()
    lines = [
        base.line().replace("req/s", "loads/s"),
        loaded.line().replace("req/s", "loads/s"),
        f"  p50 ratio loaded/baseline: {loaded.pct(50) / base.pct(50):.1f}× "
        "(latency = navigation start until the change-log table is drawn, measured in the page)",
        f"  streamlit server RSS: max sampled {peak / 1024:.0f} MiB",
    ]
    if loaded.errors:
        lines.append(f"  first errors: {loaded.errors[:3]}")
    return lines, {"base": base, "loaded": loaded}


def run_streamlit(sessions: int, loads: int, time_limit: float, browser: bool) -> tuple[list[str], dict]:
    from tests.browser_support import start_streamlit

    work = Path(tempfile.mkdtemp(prefix="tzcld-load-streamlit-"))
    env = dict(os.environ, TZCLD_DATA_DIR=str(work / "data"), PYTHONUNBUFFERED="1")
    env.pop("TZCLD_DATABASE_URL", None)
    env.pop("TZCLD_DEMO", None)
    server = start_streamlit(env, work / "streamlit.log")
    try:
        rss_idle, _ = rss_kib(server.process.pid)
        lines = [f"streamlit server RSS idle (before any session): {rss_idle / 1024:.0f} MiB"]
        ws_lines, figures = run_streamlit_ws(server.url, server.process.pid, sessions, loads, time_limit)
        lines += ws_lines
        if browser:
            b_lines, b_fig = run_streamlit_browser(server.url, server.process.pid, sessions, loads, time_limit)
            lines += b_lines
            figures["loaded"].errors.extend(b_fig["loaded"].errors)
        time.sleep(1.0)
        lines.append(f"  streamlit server RSS after the runs: {rss_kib(server.process.pid)[0] / 1024:.0f} MiB")
    finally:
        server.stop()
    return lines, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--static-clients", type=int, default=50)
    parser.add_argument("--static-visits", type=int, default=10)
    parser.add_argument("--streamlit-sessions", type=int, default=20)
    parser.add_argument("--streamlit-loads", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=180.0, help="seconds per loaded run (hard bound)")
    parser.add_argument(
        "--streamlit-browser",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also load the page in real chromium pages (end to end); default on",
    )
    parser.add_argument("--skip-static", action="store_true")
    parser.add_argument("--skip-streamlit", action="store_true")
    parser.add_argument("--write-results", type=Path, default=None, help="also write the figures to this Markdown file")
    args = parser.parse_args(argv)
    for name in ("static_clients", "static_visits", "streamlit_sessions", "streamlit_loads"):
        if not 1 <= getattr(args, name) <= 500:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 500")
    out: list[str] = [
        f"load_public — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {os.cpu_count()} CPU, "
        f"Python {sys.version.split()[0]}, loopback {HOST} only; load average at start "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
    ]
    errors = 0
    if not args.skip_static:
        site = export_static_site()
        site_kib = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1024
        out += [
            "",
            "## Static export served on 127.0.0.1",
            f"export: {site_kib:.0f} KiB on disk; one visit = {len(VISIT_PATHS)} files (HTML, CSS, Leaflet, map script, GeoJSON)",
        ]
        for tuned in (False, True):
            lines, fig = run_static(site, args.static_clients, args.static_visits, args.time_limit, tuned)
            out += lines
            errors += len(fig.get("loaded").errors) if fig else 1
        print("\n".join(out), flush=True)
    if not args.skip_streamlit:
        lines, fig = run_streamlit(
            args.streamlit_sessions, args.streamlit_loads, args.time_limit, args.streamlit_browser
        )
        section = ["", "## Streamlit page /transparence (websocket sessions, then chromium pages)", *lines]
        out += section
        errors += len(fig.get("loaded").errors) if fig else 1
        print("\n".join(section), flush=True)
    out.append("")
    out.append(
        "load average at end "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
        + " (other processes on the machine inflate the latencies; compare ratios within one run)"
    )
    print(out[-1])
    if args.write_results:
        args.write_results.write_text(
            "# Load test of the public page (bench/load_public.py)\n\n```\n" + "\n".join(out) + "\n```\n",
            encoding="utf-8",
        )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
