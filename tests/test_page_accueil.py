"""AppTest: the Accueil page, the dashboard's default page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.map_support import layer_file, layer_urls, map_html, page_assets
from tzcld.territories import TERRITORY_IDS

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def accueil(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    return at.run()


def test_default_page_is_accueil_in_french():
    at = accueil()
    assert not at.exception
    assert at.title[0].value == "Territoires zéro chômeur de longue durée — Wallonie"
    headers = [h.value for h in at.header]
    assert headers == [
        "Le projet pilote en bref",
        "Les 17 territoires",
        "Chiffres clés du programme",
        "Explorer le tableau de bord",
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "TerritoiR'ES" in text and "19 candidatures" in text


def test_both_targets_750_and_725_are_shown_with_sources():
    at = accueil()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Objectif annoncé : près de 750 personnes sous contrat de travail"] == "750"
    assert metrics["Somme des objectifs des 17 territoires : 725 emplois"] == "725"
    assert "104\u202fM€" in metrics.values()
    assert any("750" in i.value and "725" in i.value for i in at.info)
    sources = [c.value for c in at.caption if c.value.startswith("Source :")]
    # One source line per figure, each with its date.
    assert len(sources) >= len(metrics) == 12
    assert any("(2022)" in s for s in sources) and any("(09/2024)" in s for s in sources)
    assert any("coppieters.wallonie.be" in s for s in sources)


def test_map_of_the_17_territories_with_local_assets():
    at = accueil()
    html = map_html(at)
    assert "tzcld-legend" in html
    assets, preloads = page_assets(html)
    assert assets and all(u.startswith("/app/static/vendor/") for u in assets), assets
    assert preloads == [f"{u}.gz" for u in layer_urls(html)]
    # The territories are a static file that the map loads, not features in the page.
    territories = next(layer_file(u) for u in layer_urls(html) if "/territories." in u)
    assert [f["properties"]["id"] for f in territories["features"]] == list(TERRITORY_IDS)
    for tid in TERRITORY_IDS:
        assert f'"id":"{tid}"' not in html and f'"id": "{tid}"' not in html, tid
    assert len(html) < 40_000  # controls, legend, markers and URLs; the features were 320 KB
    assert any("Statbel" in c.value for c in at.caption)


def test_navigation_links():
    at = accueil()
    links = at.main.get("page_link")
    assert [link.proto.page for link in links] == ["carte", "verifier", "progres", "transparence"]
    labels = [link.proto.label for link in links]
    assert labels[0].startswith("Carte") and labels[1].startswith("Vérifier une adresse")


def test_english_switch():
    at = accueil(lang="en")
    assert not at.exception
    assert at.title[0].value == "Zero long-term unemployment territories — Wallonia"
    assert "Key figures of the programme" in [h.value for h in at.header]
    labels = [m.label for m in at.metric]
    assert "Announced target: nearly 750 people on an employment contract" in labels


def test_missing_geodata_gets_a_french_message(monkeypatch, tmp_path):
    from tzcld.geodata import layers

    st.cache_resource.clear()
    monkeypatch.setattr(layers, "GEODATA_DIR", tmp_path)
    try:
        at = accueil()
        assert not at.exception
        # Visitors are told the map is unavailable; the command is for the server's log.
        assert any("carte n'est pas disponible" in e.value for e in at.error)
        assert not any("python -m" in e.value for e in at.error)
        # The rest of the page is still there.
        assert len(at.metric) == 12
    finally:
        st.cache_resource.clear()
