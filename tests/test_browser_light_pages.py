"""Real browser: light map pages (issue 13).

- the map's layers come from static files named by their content (``/app/static/layers/``),
  compressed, and not inside the page;
- folium's unused assets (Bootstrap, jQuery, Font Awesome, awesome-markers, Glyphicons)
  are never requested, on Accueil, Carte and Vérifier;
- a returning visitor's browser takes the layer files from its cache;
- the public pages' figures are plain HTML tables: Streamlit's data grid (≈ 1.6 MB) is never
  downloaded, and on a phone the rows are cards and the page never scrolls sideways.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tests.browser_support import MAP_IFRAMES, is_local_url, map_frame, non_local, open_app_page, wait_for_app_idle

pytestmark = pytest.mark.browser

LAYER_FILE = re.compile(r"/app/static/layers/(\w+)\.[0-9a-f]{16}\.json(\.gz)?$")
UNUSED = ("bootstrap", "jquery", "fontawesome", "awesome-markers", "glyphicons", "awesome.rotate")


def _layer_requests(urls: list[str]) -> dict[str, str]:
    """Layer kind → URL of the layer files requested."""
    out = {}
    for url in urls:
        match = LAYER_FILE.search(url)
        if match:
            out[match.group(1)] = url
    return out


@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        ("/?fond=aucun", {"wallonia", "provinces", "territories"}),
        ("/carte?fond=aucun", {"wallonia", "provinces", "communes", "units", "places"}),
        ("/verifier?fond=aucun", {"wallonia", "provinces", "territories"}),
    ],
)
def test_layers_are_static_files_and_no_unused_asset_is_requested(
    streamlit_url, browser_page, request_log, path, kinds
):
    open_app_page(browser_page, f"{streamlit_url}{path}")
    map_frame(browser_page, min_paths=17)
    layers = _layer_requests(request_log.urls)
    assert set(layers) == kinds, request_log.urls
    # The compressed twin is what the browser fetches (it decompresses it itself).
    assert all(url.endswith(".json.gz") for url in layers.values()), layers
    for url in request_log.urls:
        assert not any(name in url.lower() for name in UNUSED), url
    assert non_local(request_log.urls) == []


def test_accueil_page_carries_urls_not_features(streamlit_url, browser_page, request_log):
    open_app_page(browser_page, f"{streamlit_url}/?fond=aucun")
    frame = map_frame(browser_page, min_paths=17)
    # The map is an st.iframe: no streamlit-folium component script before it.
    assert not any("/component/streamlit_folium" in url for url in request_log.urls)
    srcdoc = browser_page.locator(MAP_IFRAMES).first.get_attribute("srcdoc") or ""
    assert 0 < len(srcdoc) < 40_000 and '"coordinates"' not in srcdoc
    assert frame.locator("path.leaflet-interactive").count() == 17
    # The files are served as they are on disk: the .gz decompresses to the .json.
    url = _layer_requests(request_log.urls)["territories"]
    packed = browser_page.request.get(url)
    plain = browser_page.request.get(url[: -len(".gz")])
    assert packed.status == plain.status == 200
    assert packed.headers["content-type"] == "application/gzip"
    assert gzip.decompress(packed.body()) == plain.body()
    territories = json.loads(plain.body())
    assert len(territories["features"]) == 17
    assert "Droixhe" in json.dumps(territories, ensure_ascii=False)


def test_a_returning_visitor_takes_the_layers_from_its_cache(chromium_browser, streamlit_url):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    try:
        page = context.new_page()
        open_app_page(page, f"{streamlit_url}/?fond=aucun")
        map_frame(page, min_paths=17)
        page.close()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sources: dict[str, bool] = {}

        def received(event: dict) -> None:
            response = event["response"]
            if LAYER_FILE.search(response["url"]):
                sources[response["url"]] = bool(response.get("fromDiskCache") or response.get("fromMemoryCache"))

        cdp.on("Network.responseReceived", received)
        open_app_page(page, f"{streamlit_url}/?fond=aucun")
        map_frame(page, min_paths=17)
        page.wait_for_timeout(300)
        assert len(sources) == 3, sources
        assert all(sources.values()), sources
    finally:
        context.close()


#: Streamlit's data-grid bundles (``st.dataframe``): ≈ 1.6 MB a first visit would download.
GRID_BUNDLE = re.compile(r"/static/js/(DataFrame|ReadOnlyGrid|arrowFormatUtils|data-grid-overlay-editor)\.[\w-]+\.js$")


def test_the_grid_bundles_are_the_installed_streamlits():
    """The pattern names files that exist: a renamed bundle in a Streamlit upgrade fails here
    rather than letting the test below pass without looking at anything."""
    import streamlit

    static = Path(streamlit.__file__).parent / "static" / "static" / "js"
    names = {m.group(1) for p in static.glob("*.js") if (m := GRID_BUNDLE.search(f"/static/js/{p.name}"))}
    assert {"DataFrame", "arrowFormatUtils"} <= names, sorted(p.name for p in static.glob("*.js"))[:40]


@pytest.mark.parametrize("path", ["/?fond=aucun", "/carte?fond=aucun", "/progres"])
def test_public_pages_draw_html_tables_without_the_data_grid(chromium_browser, streamlit_url, path):
    """A first visit (new profile) on a phone-sized screen: the figures are plain tables
    (caption, header cells), Streamlit's data grid is never downloaded, and the page does
    not scroll sideways at 390 px."""
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-BE")
    context.route(lambda u: not is_local_url(u), lambda route: route.abort())
    urls: list[str] = []
    context.on("request", lambda req: urls.append(req.url))
    try:
        page = context.new_page()
        open_app_page(page, f"{streamlit_url}{path}")
        page.wait_for_selector(".tzcld-table table caption", state="attached", timeout=30_000)
        scripts = [u for u in urls if "/static/js/" in u]
        assert any("/static/js/index." in u for u in scripts), scripts  # the log sees the app's scripts
        assert [u for u in scripts if GRID_BUNDLE.search(u)] == []
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        widths = page.evaluate(
            """() => { const m = document.querySelector('[data-testid="stMain"]');
                       return [document.documentElement.scrollWidth, m.scrollWidth, window.innerWidth]; }"""
        )
        assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
        # on a phone each row is a card: every value under its column's name
        cell = page.locator(".tzcld-table td[data-label]").first
        assert cell.evaluate("el => getComputedStyle(el).display") == "block"
        assert cell.evaluate("el => getComputedStyle(el, '::before').content").strip('"') == cell.get_attribute(
            "data-label"
        )
    finally:
        context.close()


def test_verifier_map_is_not_sent_again_when_it_did_not_change(streamlit_url, browser_page):
    """The click map's message (≈ 22 KB: streamlit-folium's script) is the same from one run
    to the next while the map does not change (folium's ids are fixed), so Streamlit sends a
    reference to it, not the map again; a changed map (the basemap switched on) is sent."""
    page = browser_page
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    frames: list[int] = []
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(len(e["response"]["payloadData"])))
    open_app_page(page, f"{streamlit_url}/verifier")
    map_frame(page, min_paths=17)
    page.wait_for_timeout(500)
    first = max(frames)
    assert first > 15_000, frames  # the map's message on the first view
    sizes = []
    for _ in range(2):  # basemap on (a new map), then off (the first view's map again)
        frames.clear()
        page.get_by_text("Fond de carte OpenStreetMap").first.click()
        page.wait_for_timeout(500)
        wait_for_app_idle(page)
        map_frame(page, min_paths=17)
        page.wait_for_timeout(500)
        sizes.append(max(frames, default=0))
    assert sizes[0] > 15_000, sizes  # the changed map is sent
    assert sizes[1] < first / 2, sizes  # the unchanged one is not
