"""Real-browser checks of the public Transparence page and its static export.

- Accessibility: axe-core (vendored from npm in ``tests/vendor/axe-core``, see
  ``tools/fetch_axe.sh``) is injected with Playwright into Debian's chromium; the audit
  must find no *serious* or *critical* violation (WCAG 2.x A/AA and best-practice rules).
- Privacy: every request of the public page is recorded; none may leave 127.0.0.1
  (tiles disabled, the default of the export).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser_support import (
    APP_RUN_TIMEOUT_MS,
    BLOCKING_IMPACTS,
    axe_violations,
    blocking,
    non_local,
    open_app_page,
    wait_for_app_idle,
)

pytestmark = pytest.mark.browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def static_site(tmp_path_factory) -> Iterator[str]:
    """The static export (tiles off), served on 127.0.0.1 by a ThreadingHTTPServer."""
    from tzcld.export.site import export_site
    from tzcld.ledger import open_store

    folder = tmp_path_factory.mktemp("ledger")
    store = open_store(f"sqlite:///{folder / 'l.sqlite'}", demo=False)
    out = tmp_path_factory.mktemp("site")
    export_site(out, store.observations_frame(), tiles=False)
    store.dispose()
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _open_static(page, url: str) -> None:
    page.goto(url, wait_until="load")
    # The map has drawn its 17 outlines (or reported an error) before auditing.
    page.wait_for_function(
        "() => { const m = document.getElementById('map');"
        " return !m || m.hasAttribute('data-loaded') || m.hasAttribute('data-error'); }",
        timeout=15_000,
    )


@pytest.mark.parametrize("path", ["/index.html", "/en/index.html"])
def test_static_export_has_no_serious_accessibility_violation(static_site, browser_page, path) -> None:
    _open_static(browser_page, static_site + path)
    assert browser_page.get_attribute("html", "lang") in {"fr", "en"}
    assert blocking(axe_violations(browser_page)) == []


def test_static_export_loads_nothing_from_another_host(static_site, browser_page, page_requests, request_log) -> None:
    console_errors: list[str] = []
    browser_page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    _open_static(browser_page, static_site + "/index.html")
    browser_page.click("a[href='#carte']")
    map_state = browser_page.get_attribute("#map", "data-loaded") if browser_page.locator("#map").count() else None
    if map_state is not None:
        assert map_state == "17"  # the outlines were drawn from the local GeoJSON
    assert page_requests, "no request recorded"
    assert non_local(page_requests) == [] and request_log.blocked == []
    assert any(u.endswith("/data/territoires.geojson") for u in page_requests) or map_state is None
    assert console_errors == []  # no CSP violation, no 404


def test_streamlit_page_has_no_serious_accessibility_violation(streamlit_url, browser_page) -> None:
    open_app_page(browser_page, f"{streamlit_url}/transparence")
    browser_page.wait_for_selector("#table-chiffres", timeout=APP_RUN_TIMEOUT_MS)
    assert blocking(axe_violations(browser_page)) == []


def test_streamlit_public_page_requests_stay_on_the_machine(
    streamlit_url, browser_page, page_requests, request_log
) -> None:
    open_app_page(browser_page, f"{streamlit_url}/transparence")
    browser_page.wait_for_selector("#table-journal", timeout=APP_RUN_TIMEOUT_MS)
    browser_page.wait_for_timeout(1000)  # late requests (fonts, images) are recorded too
    assert any("/_stcore/stream" in u for u in page_requests)
    assert non_local(page_requests) == [] and request_log.blocked == []


def test_the_audit_itself_catches_violations(browser_page) -> None:
    """Guard against a vacuous audit: a page with known faults must fail it."""
    browser_page.set_content(
        '<html><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">texte pâle</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(browser_page) if v["impact"] in BLOCKING_IMPACTS}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= found


def test_streamlit_ledger_csv_download_is_generated_on_click(streamlit_url, browser_page) -> None:
    open_app_page(browser_page, f"{streamlit_url}/transparence")
    button = browser_page.get_by_role("button", name="Registre des progrès (CSV pour machines)")
    button.wait_for(timeout=APP_RUN_TIMEOUT_MS)
    try:
        with browser_page.expect_download(timeout=30_000) as info:
            button.click()
        download = info.value
    except PlaywrightTimeoutError:
        # On a loaded machine a click can land while the page is still re-running (the
        # button is drawn again and the click is lost): once the run is over, click again.
        wait_for_app_idle(browser_page)
        with browser_page.expect_download(timeout=APP_RUN_TIMEOUT_MS) as info:
            button.click()
        download = info.value
    assert download.suggested_filename == "registre-progres.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("id,scope,scope_name,metric,value,")
    assert "entered_by" not in text.splitlines()[0]
    assert len(text.splitlines()) > 30  # the seeded published facts


def test_static_export_map_popup_names_the_territory_and_its_perimeter(static_site, browser_page) -> None:
    from tzcld.territories import load_registry

    _open_static(browser_page, static_site + "/index.html")
    assert browser_page.get_attribute("#map", "data-loaded") == "17"
    # Click a territory outline: its popup gives its name, job target and perimeter version.
    browser_page.locator("#map").scroll_into_view_if_needed()
    # the largest outline (Virton–Rouvroy–Meix or Bertrix, whole communes), clicked at its centre
    # (measured again before each click: on a loaded machine the map may still be settling after
    # the scroll, and a click computed on the old layout lands beside the outline)
    popup = browser_page.locator(".leaflet-popup-content")
    for attempt in range(3):
        box = browser_page.evaluate(
            "() => [...document.querySelectorAll('#map path.leaflet-interactive')]"
            ".map(p => p.getBoundingClientRect()).sort((a, b) => b.width * b.height - a.width * a.height)"
            ".map(r => ({x: r.x + r.width / 2, y: r.y + r.height / 2}))[0]"
        )
        browser_page.mouse.click(box["x"], box["y"])
        try:
            popup.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            browser_page.wait_for_timeout(500)
    content = popup.inner_text()
    assert any(t.name in content for t in load_registry()), content
    assert "emplois annoncés" in content
    assert "Périmètre" in content and "périmètre de référence" in content, content
