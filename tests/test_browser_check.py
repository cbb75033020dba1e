"""Real browser: type an address on the Vérifier page and see the answer; upload a file.

Every test opens the page with its default settings: nothing may go to another host.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import non_local, open_app_page, wait_for_app_idle
from tests.check_support import requires_icar

pytestmark = [pytest.mark.browser, requires_icar]

SECRET = "Rue de Droixhe 10"


@pytest.fixture
def seeded_index(streamlit_data_dir, address_index_dir):
    """Give the live server the session's address index (instead of building its own)."""
    target = streamlit_data_dir / "address_index"
    if not target.exists():
        os.symlink(address_index_dir, target, target_is_directory=True)
    return target


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "address_index" not in p.parts)


def test_type_an_address_and_see_the_answer(seeded_index, streamlit_url, browser_page, request_log):
    """With the DEFAULT settings (no ``?fond=aucun``): the answer, the map zoomed on the
    point, and not one request to another host (no tile centred on the candidate)."""
    page = browser_page
    open_app_page(page, f"{streamlit_url}/verifier")
    field = page.locator('input[aria-label="Adresse"]')
    field.fill("rue de droixhe 10 liege")
    field.press("Enter")
    page.get_by_text("Rue de Droixhe 10, 4020 Liège").first.wait_for(timeout=90_000)
    wait_for_app_idle(page)
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Dans le territoire « Liège (Droixhe" in body
    assert "Rue de Droixhe 10, 4020 Liège" in body
    # the map has drawn the point (its marker) before we look at the requests
    handle = page.wait_for_selector('iframe[title*="st_folium"]', timeout=60_000)
    frame = handle.content_frame()
    frame.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length >= 2", timeout=60_000)
    page.wait_for_timeout(1500)
    assert non_local(request_log.urls) == []


def test_upload_a_file_nothing_written_nothing_logged(
    seeded_index, streamlit_url, streamlit_server, streamlit_data_dir, browser_page
):
    page = browser_page
    before = _files(streamlit_data_dir)
    open_app_page(page, f"{streamlit_url}/verifier")
    page.get_by_role("tab", name="Fichier").click()
    content = f"nom;adresse\r\nDupont;{SECRET}, 4020 Liège\r\nX;Zzzz Qqqq\r\n".encode("cp1252")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "candidats.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Vérifier le fichier").wait_for(timeout=60_000)
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("2 lignes : 1 dans un territoire", exact=False).first.wait_for(timeout=90_000)
    page.get_by_text("Télécharger les résultats (CSV)").first.wait_for(timeout=90_000)
    page.get_by_text("Télécharger les résultats (XLSX)").first.wait_for(timeout=90_000)
    wait_for_app_idle(page)
    assert _files(streamlit_data_dir) == before
    log = streamlit_server.log_tail(200_000)
    assert SECRET not in log and "Dupont" not in log


def test_click_on_the_map_checks_the_point(seeded_index, streamlit_url, browser_page, request_log):
    page = browser_page
    open_app_page(page, f"{streamlit_url}/verifier")
    handle = page.wait_for_selector('iframe[title*="st_folium"]', timeout=60_000)
    frame = handle.content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=60_000)
    frame.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length >= 1", timeout=60_000)
    box = frame.locator(".leaflet-container").bounding_box()
    # the component may still be wiring its click handler: click again if nothing comes back
    for attempt in range(3):
        frame.locator(".leaflet-container").click(
            position={"x": box["width"] * 0.5, "y": box["height"] * (0.5 + attempt * 0.05)}
        )
        try:
            page.get_by_text("Réponse").first.wait_for(timeout=30_000)
            break
        except Exception:  # playwright TimeoutError
            if attempt == 2:
                raise
    wait_for_app_idle(page)
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "lat, lon" in body
    assert any(s in body for s in ("Dans le territoire", "Hors des territoires", "vérifier"))
    assert non_local(request_log.urls) == []


def test_download_results_as_xlsx(seeded_index, streamlit_url, browser_page):
    """The results file is generated on demand and downloads with the verdict columns."""

    from tzcld.batch_io import read_table

    page = browser_page
    open_app_page(page, f"{streamlit_url}/verifier")
    page.get_by_role("tab", name="Fichier").click()
    content = b"latitude,longitude\n50.647992,5.615269\n50.4669,4.8675\n"
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "points.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("Télécharger les résultats (XLSX)").first.wait_for(timeout=90_000)
    wait_for_app_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("Télécharger les résultats (XLSX)").first.click()
    data = Path(info.value.path()).read_bytes()
    table = read_table(data, "verification.xlsx")
    assert table["status"].tolist() == ["inside", "outside"]
    assert table.loc[0, "territory_id"] == "liege"


def _deployment_csp() -> str:
    """The Content-Security-Policy that deploy/nginx's template puts on every page."""
    import re

    template = (Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "nginx.conf.template").read_text("utf-8")
    found = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', template)
    assert found, "no Content-Security-Policy in the nginx template"
    return found.group(1).replace("${TZCLD_NGINX_TILE_ORIGINS}", "https://tile.openstreetmap.org")


def test_the_click_map_runs_under_the_deployments_csp(streamlit_url, chromium_browser):
    """Behind nginx the page carries deploy/nginx's Content-Security-Policy: the click map (and
    everything else of the page) must be allowed by it — a script it refuses is a blank map in
    production only."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, map_frame

    # The page is answered with the CSP added (Playwright's route); Chromium then counts it as
    # a public page and would refuse its websocket to 127.0.0.1 without this flag.
    browser = chromium_browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
        headless=True,
    )
    try:
        page = browser.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        csp = _deployment_csp()

        def with_csp(route) -> None:
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

        page.route(lambda url: url.split("?")[0].endswith("/verifier"), with_csp)
        open_app_page(page, f"{streamlit_url}/verifier")
        frame = map_frame(page, min_paths=17)
        assert frame.locator(".leaflet-container").count() == 1
        assert refused == []
    finally:
        browser.close()
