"""The static site opened from disk (``file://``) draws its map, as it does from a web server,
and says so plainly when the map cannot be drawn. Real browser (Debian chromium)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.browser_support import non_local

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    from tzcld.export.site import export_site

    out = tmp_path_factory.mktemp("site-file")
    result = export_site(out, None, tiles=False, ledger_available=False)
    if not result.map_available:
        pytest.skip("map unavailable (geodata or Leaflet missing)")
    return out


def _wait_for_map(page) -> None:
    page.wait_for_function(
        "() => { const m = document.getElementById('map');"
        " return m && (m.hasAttribute('data-loaded') || m.hasAttribute('data-error')); }",
        timeout=15_000,
    )


@pytest.mark.parametrize("page_path", ["index.html", "en/index.html"])
def test_the_map_draws_from_disk(site_dir, browser_page, page_requests, page_path):
    errors: list[str] = []
    browser_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_page.goto((site_dir / page_path).as_uri(), wait_until="load")
    _wait_for_map(browser_page)
    assert browser_page.get_attribute("#map", "data-error") is None
    assert browser_page.get_attribute("#map", "data-loaded") == "17"
    assert browser_page.locator("#map path.leaflet-interactive").count() >= 17
    assert errors == []  # no CORS refusal, no CSP violation (the JSON-LD block is data, not script)
    assert any(u.endswith("/assets/map-data.js") for u in page_requests)
    assert non_local(page_requests) == []


def test_from_a_web_server_the_map_fetches_the_geojson_and_not_the_embedded_copy(site_dir, browser_page, page_requests):
    handler = functools.partial(_Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser_page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="load")
        _wait_for_map(browser_page)
        assert browser_page.get_attribute("#map", "data-loaded") == "17"
        assert any(u.endswith("/data/territoires.geojson") for u in page_requests)
        assert not any(u.endswith("/map-data.js") for u in page_requests)
    finally:
        server.shutdown()
        server.server_close()


def test_a_map_that_cannot_load_says_so(site_dir, browser_page, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(site_dir, broken)
    (broken / "assets" / "map-data.js").unlink()
    browser_page.goto((broken / "index.html").as_uri(), wait_until="load")
    _wait_for_map(browser_page)
    assert browser_page.get_attribute("#map", "data-error")
    message = browser_page.locator("p.map-message[role=status]")
    assert message.is_visible() and "La carte n'a pas pu être chargée" in message.inner_text()
    assert not browser_page.locator("#map").is_visible()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass
