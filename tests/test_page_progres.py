"""The Progrès page in Streamlit (AppTest, no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tzcld.ledger import Account, ObservationInput, open_store

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "progres.py")


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TZCLD_DEMO", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(lang: str = "fr", **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_page_shows_every_section_with_a_table_and_a_download():
    at = run_page("fr")
    assert at.title[0].value == "Progrès du programme"
    assert [h.value for h in at.header] == [
        "Programme : personnes engagées et objectif",
        "Budget",
        "Par territoire : objectif et dernier chiffre communiqué",
        "Carte : part de l'objectif atteinte",
        "Dernières modifications du registre",
    ]
    assert len(at.get("plotly_chart")) == 4
    assert len(at.get("download_button")) == 4
    assert len(at.expander) == 4
    assert not at.warning  # demo off by default: no "données d'exemple"
    hired = figures(at)[0]
    labels = [x for trace in hired["data"] if trace.get("mode") == "lines+markers+text" for x in trace["text"]]
    assert labels == ["60", "120"]
    assert hired["layout"]["separators"] == ",\u202f"


def test_unknown_territory_figures_say_non_communique_never_zero():
    at = run_page("fr")
    territories = at.dataframe[2].value
    liege = territories[territories["Territoire"].str.startswith("Liège")].iloc[0]
    assert liege["Dernier chiffre"] == "non communiqué"
    assert liege["Part atteinte"] == "non communiqué"
    louviere = territories[territories["Territoire"].str.startswith("La Louvière")].iloc[0]
    assert louviere["Statut"] == "arrêté"  # ended territories stay visible
    budget = at.dataframe[1].value
    assert list(budget["Valeur"]) == [
        "104\u202fM€",
        "52\u202fM€",
        "52\u202fM€",
        "27,7\u202fM€",
        "non communiqué",
        "non communiqué",
        "4,8\u202fM€",
    ]


def test_recorded_figure_appears_with_share_of_target():
    store = open_store(demo=False)
    store.add(
        Account("anne", "porteur", "liege"),
        ObservationInput("liege", "hired", 23, "persons", "2025-06", "Rapport du CPAS"),
    )
    store.dispose()
    at = run_page("fr")
    territories = at.dataframe[2].value
    liege = territories[territories["Territoire"].str.startswith("Liège")].iloc[0]
    assert liege["Dernier chiffre"] == "23" and liege["Part atteinte"] == "50\u202f%"
    history = at.dataframe[-1].value
    assert history.iloc[0]["Saisi par"] == "anne" and history.iloc[0]["Valeur"] == "23"


def test_filters_narrow_the_territories():
    at = run_page("fr", progress_provinces=["Luxembourg"])
    table = at.dataframe[2].value
    assert len(table) == 3 and set(table["Province"]) == {"Luxembourg"}
    at = run_page("fr", progress_statuses=["ended"])
    table = at.dataframe[2].value
    assert len(table) == 1 and table["Territoire"].iloc[0].startswith("La Louvière")


def test_demo_mode_labels_everything_as_example_data(monkeypatch):
    monkeypatch.setenv("TZCLD_DEMO", "1")
    at = run_page("fr")
    assert "données d'exemple" in " ".join(w.value for w in at.warning) or "fictives" in at.warning[0].value
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert all(title.endswith("données d'exemple") for title in titles), titles


def test_english_labels():
    at = run_page("en")
    assert at.title[0].value == "Programme progress"
    assert "Budget" in [h.value for h in at.header]
