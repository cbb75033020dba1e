"""Real browser: pages read at a glance, in their language (issue 17).

- the home map frames all 17 territories on a desktop and on a phone, clear of the
  attribution, the scale bar and the legend, with readable (non-overlapping) numbers;
- the language is in the URL and survives the menu's navigation and a reload;
- ``/accueil`` renders the home page;
- no command line or administration hint on any page a visitor can open;
- axe-core finds no serious or critical violation on any page, in French and in English.
"""

from __future__ import annotations

import pytest

from tests.browser_support import (
    APP_RUN_TIMEOUT_MS,
    axe_violations,
    blocking,
    is_local_url,
    map_frame,
    open_app_page,
    wait_for_app_idle,
)

pytestmark = pytest.mark.browser

#: Every page of the menu, as a visitor (signed out) sees it.
PAGES = ("/", "/carte", "/verifier", "/progres", "/transparence", "/saisie", "/perimetre")
#: Pages drawing a folium map (wait for it before auditing).
MAP_PAGES = ("/", "/accueil", "/carte", "/verifier")

#: Boxes (relative to the map) of the home map's territories, numbered markers and controls,
#: once the frame has settled.
_MAP_BOXES = """() => {
    const m = document.querySelector('.leaflet-container');
    const c = m.getBoundingClientRect();
    const rel = el => { const r = el.getBoundingClientRect();
        return {l: r.left - c.left, t: r.top - c.top, r: r.right - c.left, b: r.bottom - c.top}; };
    const visible = el => el.offsetWidth > 0 && el.offsetHeight > 0;
    return {
        width: c.width, height: c.height,
        territories: [...document.querySelectorAll('path.leaflet-interactive')].map(rel),
        markers: [...document.querySelectorAll('.tzcld-num')].filter(visible).map(el => Object.assign(rel(el),
            {n: el.getAttribute('data-number')})),
        controls: [...document.querySelectorAll('.leaflet-control')].filter(visible).map(el => Object.assign(rel(el),
            {name: el.className})),
        legendOpen: !!document.querySelector('.tzcld-legend details[open]'),
    };
}"""


def _hits(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _phone_or_desktop(chromium_browser, width: int, height: int):
    context = chromium_browser.new_context(viewport={"width": width, "height": height}, locale="fr-BE")
    context.route(lambda url: not is_local_url(url), lambda route: route.abort())
    return context


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_home_map_frames_all_17_territories(streamlit_url, chromium_browser, width, height):
    context = _phone_or_desktop(chromium_browser, width, height)
    try:
        page = context.new_page()
        open_app_page(page, f"{streamlit_url}/?fond=aucun")
        frame = map_frame(page, min_paths=17)
        frame.wait_for_function(
            "() => { const m = document.querySelector('.leaflet-container');"
            " return m && m.hasAttribute('data-tzcld-framed')"
            " && document.querySelectorAll('.tzcld-num').length === 17; }",
            timeout=APP_RUN_TIMEOUT_MS,
        )
        page.wait_for_timeout(1500)  # late refits (stylesheets loaded, legend folded) have settled
        boxes = frame.evaluate(_MAP_BOXES)
        assert len(boxes["territories"]) == 17
        names = {c["name"].split()[0] for c in boxes["controls"]}
        assert {"leaflet-control-attribution", "leaflet-control-scale", "tzcld-legend"} <= names, names
        for i, territory in enumerate(boxes["territories"]):
            # Inside the frame (Virton, the southernmost, included) ...
            assert territory["l"] >= 0 and territory["t"] >= 0, (i, territory)
            assert territory["r"] <= boxes["width"] and territory["b"] <= boxes["height"], (i, territory)
            # ... and under no control: attribution, scale bar, legend, zoom buttons.
            for control in boxes["controls"]:
                assert not _hits(territory, control), (i, territory, control)
        # The scale bar is not covered by the attribution; the attribution is one line on a
        # desktop (at most two on a phone).
        scale = next(c for c in boxes["controls"] if "leaflet-control-scale" in c["name"])
        credit = next(c for c in boxes["controls"] if "leaflet-control-attribution" in c["name"])
        assert not _hits(scale, credit)
        assert credit["b"] - credit["t"] <= (20 if width > 600 else 34)
        # The legend is folded on a phone (it would cover the Luxembourg territories).
        assert boxes["legendOpen"] == (width > 600)
        # Seventeen numbers, readable: inside the frame, none over another.
        markers = boxes["markers"]
        assert sorted(int(m["n"]) for m in markers) == list(range(1, 18))
        for a in markers:
            assert a["l"] >= 0 and a["r"] <= boxes["width"] and a["t"] >= 0 and a["b"] <= boxes["height"]
            for b in markers:
                if a is not b:
                    assert not _hits(a, b), (a, b)
        # The numbers are listed under the map with the territories' names.
        key = page.locator("ol.tzcld-key li")
        assert key.count() == 17
        assert "Liège (Droixhe" in key.first.inner_text()
    finally:
        context.close()


def test_language_survives_navigation_and_reload(streamlit_url, browser_page):
    open_app_page(browser_page, f"{streamlit_url}/?lang=en")
    assert browser_page.locator("h1").first.inner_text().startswith("Zero long-term unemployment")
    sidebar = browser_page.locator('[data-testid="stSidebar"]')
    # Every menu link carries the language (a link opened in a new tab stays in English).
    sidebar.locator("a").nth(6).wait_for(timeout=APP_RUN_TIMEOUT_MS)  # the menu is drawn in the run
    hrefs = [a.get_attribute("href") for a in sidebar.locator("a").all()]
    assert len(hrefs) == 7 and all("lang=en" in h for h in hrefs), hrefs
    assert "Partner area" in sidebar.inner_text()
    sidebar.get_by_role("link", name="Map").click()
    browser_page.wait_for_url("**/carte?lang=en", timeout=APP_RUN_TIMEOUT_MS)
    wait_for_app_idle(browser_page)
    browser_page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.startsWith('Map of')",
        timeout=APP_RUN_TIMEOUT_MS,
    )
    browser_page.reload(wait_until="domcontentloaded")
    wait_for_app_idle(browser_page)
    assert browser_page.url.endswith("/carte?lang=en")
    assert browser_page.locator("h1").first.inner_text() == "Map of the territories"
    browser_page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=10_000)
    # Back to French: the parameter goes, the page speaks French.
    sidebar.get_by_text("Français").click()
    browser_page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText === 'Carte des territoires'",
        timeout=APP_RUN_TIMEOUT_MS,
    )
    assert "lang=" not in browser_page.url


def test_every_menu_link_opens_its_page_in_a_new_tab(streamlit_url, browser_page):
    """A link of the menu copied, or opened in a new tab, leads to its page — the home page's
    too (Streamlit writes the default page's own link as href="", the current page)."""
    open_app_page(browser_page, f"{streamlit_url}/carte?fond=aucun")
    sidebar = browser_page.locator('[data-testid="stSidebar"]')
    sidebar.locator("a").nth(6).wait_for(timeout=APP_RUN_TIMEOUT_MS)
    home = sidebar.get_by_role("link", name="Accueil")
    href = home.get_attribute("href")
    assert href and href.rstrip("/").split("/")[-1] == "accueil", href
    tab = browser_page.context.new_page()
    try:
        open_app_page(tab, f"{streamlit_url}/{href.lstrip('/')}" if "://" not in href else href)
        assert tab.locator("h1").first.inner_text().startswith("Territoires zéro chômeur")
    finally:
        tab.close()


def test_accueil_deep_link_renders_the_home_page(streamlit_url, browser_page):
    open_app_page(browser_page, f"{streamlit_url}/accueil")
    assert browser_page.locator("h1").first.inner_text().startswith("Territoires zéro chômeur")
    assert "Page not found" not in browser_page.locator("body").inner_text()
    assert browser_page.locator('[role="dialog"]').count() == 0
    map_frame(browser_page, min_paths=17)


@pytest.mark.parametrize("path", PAGES)
def test_no_command_line_on_a_public_page(streamlit_url, browser_page, path):
    open_app_page(browser_page, f"{streamlit_url}{path}?fond=aucun")
    if path == "/transparence":
        browser_page.wait_for_selector("#table-journal", timeout=APP_RUN_TIMEOUT_MS)
    if path in ("/saisie", "/perimetre"):  # the sign-in notice is drawn after the page's title
        browser_page.get_by_text("Espace partenaires, connexion requise").first.wait_for(timeout=APP_RUN_TIMEOUT_MS)
    text = browser_page.locator("body").inner_text()
    assert "python -m" not in text and "add-account" not in text and "export-site" not in text
    if path in ("/saisie", "/perimetre"):
        assert "Espace partenaires, connexion requise" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_no_serious_accessibility_violation(streamlit_url, browser_page, path, lang):
    """axe-core (WCAG 2.x A/AA, best practice) on every page of the menu, in both languages;
    the page declares its language."""
    query = "?fond=aucun" + ("&lang=en" if lang == "en" else "")
    open_app_page(browser_page, f"{streamlit_url}{path}{query}")
    if path in MAP_PAGES:
        map_frame(browser_page, min_paths=1)
    if path == "/transparence":
        browser_page.wait_for_selector("#table-journal", timeout=APP_RUN_TIMEOUT_MS)
    browser_page.wait_for_function(f"() => document.documentElement.lang === '{lang}'", timeout=10_000)
    assert blocking(axe_violations(browser_page)) == []
