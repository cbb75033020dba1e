"""The Transparence page in Streamlit (AppTest, no browser)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tzcld.ledger import Account, ObservationInput
from tzcld.runtime import Runtime

REPO = Path(__file__).resolve().parent.parent
#: The page file, wherever dashboard.py's navigation keeps the page scripts.
PAGE = str(
    next(
        p
        for p in (
            REPO / "app_pages" / "transparence.py",
            REPO / "app_pages" / "transparence.py",
            REPO / "views" / "transparence.py",
        )
        if p.exists()
    )
)


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(lang: str = "fr") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def html_of(at: AppTest) -> str:
    return html.unescape("\n".join(h.proto.body for h in at.get("html")))


def test_page_shows_sourced_figures_methodology_changes_and_credits() -> None:
    at = run_page("fr")
    assert at.title[0].value == "Transparence et données ouvertes"
    assert [h.value for h in at.header] == [
        "Chiffres publiés",
        "Méthodologie",
        "Précision des périmètres par territoire",
        "Journal des modifications",
        "Données ouvertes",
        "Crédits et licences",
    ]
    page = html_of(at)
    assert '<caption id="caption-chiffres">Chiffres du programme' in page
    assert "104\u202fM€" in page and "https://coppieters.wallonie.be/" in page
    # every territory's figures, the 2025 statuses, and Mons's two conflicting sources
    assert 'id="table-chiffres-territoires"' in page and "16 et non 17" in page
    assert "Mons : 23 emplois créés à Jemappes et Flénu" in page and "moins de 5" in page
    assert page.count("sources divergentes : les deux chiffres sont montrés") == 2
    assert "déclaration politique" in page and "735" in page
    assert "Ce qui n'est pas connu" in page
    assert "5 territoires sur 17 ont un périmètre indicatif" in page
    assert "Statbel" in page and "OpenStreetMap" in page
    assert 'id="table-journal"' in page  # the seeded facts are in the change log
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Tout le registre (CSV)",  # the journal's full history
        "Territoires (GeoJSON)",
        "Registre des progrès (CSV pour tableur)",
        "Registre des progrès (CSV pour machines)",
        "Registre des progrès (XLSX)",
        "Dictionnaire des données (CSV)",
    ]


def test_page_in_english() -> None:
    at = run_page("en")
    assert at.title[0].value == "Transparency and open data"
    assert "Published figures" in [h.value for h in at.header]
    assert "What is not known" in html_of(at)


def test_a_new_ledger_entry_appears_with_its_source() -> None:
    store = Runtime.from_env().ledger_store()
    store.record(
        Account("admin-test", "admin"),
        [
            ObservationInput(
                scope="gembloux",
                metric="hired",
                value=7,
                unit="persons",
                period_date="2026-02",
                source_title="Rapport du porteur de Gembloux",
                source_url="https://example.org/gembloux",
            )
        ],
    )
    store.dispose()
    page = html_of(run_page("fr"))
    assert "Rapport du porteur de Gembloux" in page and 'href="https://example.org/gembloux"' in page
    assert "Dernière saisie dans le registre des progrès" in " ".join(m.value for m in run_page("fr").markdown)


def test_example_data_is_labelled(monkeypatch) -> None:
    monkeypatch.setenv("TZCLD_DEMO", "1")
    at = run_page("fr")
    assert [w.value for w in at.warning] == ["données d'exemple"]
    assert 'class="badge">données d\'exemple' in html_of(at)


def test_ledger_down_still_shows_the_published_figures(monkeypatch) -> None:
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing?connect_timeout=2")
    at = run_page("fr")
    page = html_of(at)
    assert "Le registre des progrès n'est pas disponible." in page
    assert "104\u202fM€" in page
