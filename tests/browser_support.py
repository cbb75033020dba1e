"""Real-browser test support: a live ``streamlit run dashboard.py`` and Playwright pages.

A pytest plugin module (registered in ``tests/conftest.py`` with
``pytest_plugins = ["tests.browser_support"]``). Fixtures:

- ``streamlit_data_dir`` (session): the ``TZCLD_DATA_DIR`` of the live server, a temporary
  folder. Seed it (e.g. with ``python -m tzcld ...`` and ``env=streamlit_env``) before or
  while the server runs; the app reads it at runtime.
- ``streamlit_env`` (session): the environment the server runs with (a ``dict``).
- ``streamlit_server`` (session): ONE ``streamlit run dashboard.py`` for the whole session
  on a free 127.0.0.1 port (a :class:`StreamlitServer`: ``url``, ``log_tail()``).
- ``streamlit_url`` (session): that server's base URL, e.g. ``http://127.0.0.1:40123``,
  after opening its home page once (see :func:`warm_up`).
- ``chromium_browser`` (session): a headless ``/usr/bin/chromium`` driven by Playwright.
- ``browser_page`` (function): a fresh page in a fresh context. Every request it makes is
  recorded in ``page_requests`` (a list of URLs, frames and iframes included); requests to a
  non-local host are recorded and ABORTED, so tests never depend on the internet.
- ``page_requests`` (function): that list of URLs.

Helpers: ``open_app_page(page, url)`` (navigate and wait until Streamlit has finished
running the script), ``map_frame(page, min_paths)`` (the map's iframe once Leaflet
has drawn), ``non_local(urls)`` (the URLs whose host is not 127.0.0.1/localhost),
``start_streamlit(...)`` (start another server, e.g. with different environment).

Tests using these fixtures must be marked ``@pytest.mark.browser``. They are skipped when
Playwright or ``/usr/bin/chromium`` is missing.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("TZCLD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: Seconds to wait for the server's health endpoint.
SERVER_START_TIMEOUT = 90.0
#: Milliseconds to wait for a Streamlit script run to finish in the browser.
APP_RUN_TIMEOUT_MS = 60_000


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_local_url(url: str) -> bool:
    """True for URLs served by this machine (or with no network host: data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}:
        return True
    host = (parts.hostname or "").lower()
    return host in LOCAL_HOSTS or host == ""


def non_local(urls: Iterable[str]) -> list[str]:
    """The URLs among ``urls`` that go to another host than this machine."""
    return [url for url in urls if not is_local_url(url)]


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` process."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_streamlit(
    env: dict[str, str],
    log_path: Path,
    script: str = "dashboard.py",
    extra_args: Iterable[str] = (),
    timeout: float = SERVER_START_TIMEOUT,
    port: int | None = None,
) -> StreamlitServer:
    """Start ``streamlit run <script>`` on a free 127.0.0.1 port (or ``port``, e.g. one
    picked with :func:`free_port` beforehand because a setting names it); wait until it is
    healthy."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://127.0.0.1:{port}"
    server = StreamlitServer(url=url, process=process, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def streamlit_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's ``TZCLD_DATA_DIR``."""
    return tmp_path_factory.mktemp("streamlit-data")


@pytest.fixture(scope="session")
def streamlit_env(streamlit_data_dir: Path) -> dict[str, str]:
    """Environment of the live server: this process's, with its own data folder."""
    env = dict(os.environ)
    env["TZCLD_DATA_DIR"] = str(streamlit_data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


@pytest.fixture(scope="session")
def streamlit_server(
    streamlit_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """One ``streamlit run dashboard.py`` for the whole session."""
    log_path = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    server = start_streamlit(streamlit_env, log_path)
    try:
        yield server
    finally:
        server.stop()


def warm_up(browser, url: str) -> None:
    """Open the app's home page once, so that the first test does not pay for loading
    the geodata and building the map layers (Streamlit caches them per server process).
    """
    context = browser.new_context()
    context.route(lambda u: not is_local_url(u), lambda route: route.abort())
    try:
        page = context.new_page()
        open_app_page(page, url + "/")
    finally:
        context.close()


@pytest.fixture(scope="session")
def streamlit_url(streamlit_server: StreamlitServer, chromium_browser) -> str:
    """Base URL of the live server, e.g. ``http://127.0.0.1:40123`` (no trailing slash).

    The server has been warmed up (home page opened once, see :func:`warm_up`).
    """
    warm_up(chromium_browser, streamlit_server.url)
    return streamlit_server.url


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (sync API), one per session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RequestLog:
    """URLs requested by a page (all frames), and the non-local ones that were blocked."""

    urls: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def request_log() -> RequestLog:
    """The request log filled by ``browser_page``."""
    return RequestLog()


@pytest.fixture
def page_requests(request_log: RequestLog) -> list[str]:
    """Every URL requested by ``browser_page`` so far (including blocked ones)."""
    return request_log.urls


@pytest.fixture
def browser_page(chromium_browser, request_log: RequestLog) -> Iterator[object]:
    """A fresh Playwright page (fresh context, 1280×900) with request recording.

    Requests to non-local hosts are recorded and aborted: the test sees them in
    ``page_requests`` / ``request_log.blocked`` and never waits on the internet.
    """
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    context.on("request", lambda req: request_log.urls.append(req.url))

    def block(route) -> None:
        request_log.blocked.append(route.request.url)
        route.abort()

    context.route(lambda url: not is_local_url(url), block)
    page = context.new_page()
    page.on("websocket", lambda ws: request_log.urls.append(ws.url))
    try:
        yield page
    finally:
        context.close()


def wait_for_app_idle(page, timeout_ms: int = APP_RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit's app shell is present and the script run has finished."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_ms)
    # The script has run to its end at least once ("initial" before, "running" during): the
    # status widget alone appears only after a delay, so a page could look idle mid-run.
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    # While a script runs, the status widget shows "Running..."; wait until it is gone.
    page.wait_for_function(
        """() => {
            const w = document.querySelector('[data-testid="stStatusWidget"]');
            return !w || !/running|exécution/i.test(w.textContent || '');
        }""",
        timeout=timeout_ms,
    )
    # The page has rendered something from the script: its title (every page has one; an
    # element container alone may be the menu's or the language switch's hidden helpers).
    page.wait_for_selector(
        '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]', timeout=timeout_ms
    )
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)


#: The iframes holding a map: an ``st.iframe`` (Accueil, Carte: ``tzcld.ui.geo.show_map``) or
#: streamlit-folium's component (maps sending clicks back: Vérifier, Périmètre).
MAP_IFRAMES = 'iframe[data-testid="stIFrame"], iframe[title*="st_folium"]'


def map_frame(page, min_paths: int = 1, timeout_ms: int = APP_RUN_TIMEOUT_MS):
    """The frame of the page's (first) map, once Leaflet has drawn at least ``min_paths``
    interactive vector paths (``path.leaflet-interactive``)."""
    handle = page.wait_for_selector(MAP_IFRAMES, timeout=timeout_ms)
    frame = handle.content_frame()
    assert frame is not None, "the map iframe has no document"
    frame.wait_for_function(
        "n => document.querySelectorAll('path.leaflet-interactive').length >= n",
        arg=min_paths,
        timeout=timeout_ms,
    )
    return frame


def open_app_page(page, url: str, timeout_ms: int = APP_RUN_TIMEOUT_MS) -> None:
    """Navigate to ``url`` (e.g. ``f"{streamlit_url}/carte?fond=aucun"``) and wait for the run."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_for_app_idle(page, timeout_ms)


# ----------------------------------------------------------------- accessibility (axe-core)

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def axe_violations(page, context: object = None) -> list[dict]:
    """Run axe-core in ``page`` and return its violations (each with impact and nodes)."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} missing: run bash tools/fetch_axe.sh")
    # Evaluated through the DevTools protocol: the page's own CSP (script-src 'self')
    # rightly forbids injected <script> tags.
    # Streamlit fades the previous run's elements (data-stale) while a script runs: audit the
    # settled page, not a half-transparent one (a real low contrast stays and is caught).
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=APP_RUN_TIMEOUT_MS)
    page.wait_for_timeout(500)  # the fade back to full opacity is a CSS transition
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        "([context, options]) => axe.run(context || document, options).then(r => r.violations)",
        [context, AXE_OPTIONS],
    )


@functools.lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def blocking(violations: list[dict]) -> list[str]:
    """Readable summary of the serious/critical violations."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            (" ".join(n.get("target", [])) if isinstance(n.get("target"), list) else str(n.get("target")))
            + f" {n.get('html', '')[:160]!r} {n.get('failureSummary', '')[-200:]!r}"
            for n in v["nodes"][:5]
        )
        for v in violations
        if v.get("impact") in BLOCKING_IMPACTS
    ]
