"""A real browser signs in on the Saisie page and saves one entry (Playwright, chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import open_app_page, wait_for_app_idle
from tzcld.auth import add_account
from tzcld.ledger import open_store

PASSWORD = "navigateur-mot-de-passe"


@pytest.mark.browser
def test_sign_in_and_save_an_entry(streamlit_url, streamlit_env, streamlit_data_dir: Path, browser_page, request_log):
    accounts = Path(streamlit_env.get("TZCLD_ACCOUNTS_FILE") or streamlit_data_dir / "accounts.toml")
    add_account("navigateur", PASSWORD, "porteur", "gembloux", "Test navigateur", path=accounts, replace=True)
    page = browser_page
    open_app_page(page, f"{streamlit_url}/saisie")
    page.get_by_label("Nom d'utilisateur").fill("navigateur")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Nom d'utilisateur ou mot de passe incorrect.").wait_for(timeout=30_000)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Test navigateur").wait_for(timeout=30_000)
    wait_for_app_idle(page)
    page.get_by_label(re.compile(r"^Valeur \(")).fill("7")
    page.get_by_label(re.compile(r"^Date décrite")).fill("2025-05")
    page.get_by_label(re.compile(r"^Source \(")).fill("Rapport du porteur (test navigateur)")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text(re.compile(r"Enregistré \(entrée n° \d+\)")).wait_for(timeout=30_000)
    store = open_store(
        streamlit_env.get("TZCLD_DATABASE_URL") or f"sqlite:///{streamlit_data_dir / 'tzcld.sqlite'}", demo=False
    )
    latest = store.latest("gembloux", "hired")
    store.dispose()
    assert latest["value"].iloc[0] == 7
    assert latest["entered_by"].iloc[0] == "navigateur"
    assert latest["source_title"].iloc[0] == "Rapport du porteur (test navigateur)"
    assert not request_log.blocked  # nothing left this machine
