"""A real browser signs in on the Périmètre page and toggles a sector by clicking the map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import open_app_page, wait_for_app_idle
from tests.conftest import requires_raw
from tzcld.auth import add_account

PASSWORD = "navigateur-perimetre"
MAP_FRAME = 'iframe[title*="st_folium"]'
#: The sector map draws the 60 drawable sectors of Gembloux (other maps draw fewer paths).
SECTOR_PATHS = "() => document.querySelectorAll('path.leaflet-interactive').length >= 50"

pytestmark = [pytest.mark.browser, requires_raw]


@pytest.fixture
def perimetre_url(streamlit_url: str) -> str:
    return streamlit_url + "/perimetre"


def test_click_on_the_map_toggles_a_sector(perimetre_url, streamlit_env, streamlit_data_dir: Path, browser_page):
    accounts = Path(streamlit_env.get("TZCLD_ACCOUNTS_FILE") or streamlit_data_dir / "accounts.toml")
    add_account("perimetre", PASSWORD, "porteur", "gembloux", "Porteur Gembloux", path=accounts, replace=True)
    page = browser_page
    open_app_page(page, f"{perimetre_url}?fond=aucun")
    page.get_by_label("Nom d'utilisateur").fill("perimetre")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Secteurs sélectionnés : 14").wait_for(timeout=120_000)
    wait_for_app_idle(page)
    frames = page.locator(MAP_FRAME)
    frame = None
    for _attempt in range(60):  # maps render once scrolled into view; find the one with the sectors
        for i in range(frames.count()):
            frames.nth(i).scroll_into_view_if_needed()
            content = frames.nth(i).element_handle().content_frame()
            if content is not None and content.evaluate(SECTOR_PATHS):
                frame = content
                frames.nth(i).scroll_into_view_if_needed()
                break
        if frame is not None:
            break
        page.wait_for_timeout(1000)
    assert frame is not None, "the sector map was not drawn"
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    message = page.get_by_text(re.compile(r"^Secteur 92142\w+ \(.+\) (ajouté|retiré)\.$"))
    message.wait_for(timeout=60_000)
    added = message.inner_text().endswith("ajouté.")
    page.get_by_text(f"Secteurs sélectionnés : {15 if added else 13}").wait_for(timeout=30_000)
