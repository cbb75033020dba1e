"""Real browser: the Carte page draws the territories offline, from the app's own assets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_support import map_frame, non_local, open_app_page, start_streamlit

pytestmark = pytest.mark.browser


def test_carte_draws_territories_offline(streamlit_url, browser_page, request_log):
    open_app_page(browser_page, f"{streamlit_url}/carte?fond=aucun&territoire=seraing")
    frame = map_frame(browser_page, min_paths=17)
    assert frame.locator("path.leaflet-interactive").count() >= 17
    # The page ran inside the dashboard's navigation (titles, not file names).
    assert "Carte" in browser_page.locator('[data-testid="stSidebar"]').inner_text()
    # The territory from the URL is selected: its heading and perimeter are shown.
    main = browser_page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "bas de Seraing" in main
    # Indicative perimeters (Seraing...) are hatched with a pattern defined in the page.
    assert frame.locator("#tzcld-hatch-defs pattern").count() == 4  # one per status colour
    assert frame.locator('path.leaflet-interactive[fill="url(#tzcld-hatch-unconfirmed)"]').count() >= 5
    # The legend and the producers' credit are on the map.
    assert "Légende" in frame.locator(".tzcld-legend").inner_text()
    assert "Statbel" in frame.locator(".leaflet-control-attribution").inner_text()
    # No tile layer was asked for, and nothing left this machine.
    assert frame.locator("img.leaflet-tile").count() == 0
    assert non_local(request_log.urls) == []
    assert request_log.blocked == []
    # Leaflet came from the app's static folder, not from a CDN.
    assert any("/app/static/vendor/leaflet/1.9.3/leaflet.js" in url for url in request_log.urls)


def test_with_a_basemap_only_tiles_leave_the_machine(streamlit_url, browser_page, request_log):
    open_app_page(browser_page, f"{streamlit_url}/carte?territoire=bertrix")
    frame = map_frame(browser_page, min_paths=17)
    # Tiles are requested (and blocked here: no internet), polygons are drawn anyway.
    frame.wait_for_function("() => document.querySelectorAll('img.leaflet-tile').length > 0", timeout=30_000)
    outside = non_local(request_log.urls)
    assert outside, "the OSM basemap should request tiles"
    assert {urlsplit(u).hostname for u in outside} == {"tile.openstreetmap.org"}
    assert all(urlsplit(u).path.endswith(".png") for u in outside)


def test_deep_link_as_first_visit_runs_the_entry_point(streamlit_env, tmp_path, chromium_browser, browser_page):
    """A press link to ``/carte`` opened first on a freshly started server still runs
    ``dashboard.py`` (navigation, language switch). Streamlit falls back to its old
    ``pages/`` folder navigation when such a folder sits beside the entry point, hence
    ``app_pages/``."""
    server = start_streamlit(streamlit_env, tmp_path / "streamlit.log")
    try:
        open_app_page(browser_page, f"{server.url}/carte?fond=aucun")
        sidebar = browser_page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Langue" in sidebar
    finally:
        server.stop()
