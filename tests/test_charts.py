"""Plotly figure builders and the tables behind them: labels, formats, unknown vs zero."""

from __future__ import annotations

import pandas as pd
import pytest

from tzcld import charts
from tzcld.geodata.layers import read_territories_geojson
from tzcld.ledger import Account, ObservationInput, open_store, summary
from tzcld.ledger.demo import example_frame


@pytest.fixture(scope="module")
def seeded_frame(tmp_path_factory):
    path = tmp_path_factory.mktemp("charts") / "l.sqlite"
    store = open_store(f"sqlite:///{path}", demo=False)
    store.add(
        Account("anne", "porteur", "liege"), ObservationInput("liege", "hired", 23, "persons", "2025-06", "Rapport")
    )
    frame = store.observations_frame()
    store.dispose()
    return frame


def test_okabe_ito_palette_is_used():
    assert charts.OKABE_ITO["blue"] == "#0072B2" and charts.OKABE_ITO["vermillion"] == "#D55E00"
    assert charts.share_colour(0) != charts.share_colour(1)
    assert charts.share_colour(2) == charts.share_colour(1)  # clipped


def test_programme_chart_keeps_each_measure_in_its_own_trace(seeded_frame):
    points = summary.programme_points(seeded_frame)
    assert list(zip(points["metric"], points["value"])) == [
        ("jobs_created", 120),
        ("hired", 60),
        ("in_integration", 33),
    ]
    fig = charts.programme_chart(points, 750, 725, "fr")
    traces = [t for t in fig.data if t.mode == "lines+markers+text"]
    # 120 "emplois créés" (2025) and 60 "personnes engagées" (2024) are never one line
    assert [(t.name, list(t.y)) for t in traces] == [
        ("Emplois créés (selon la source)", [120]),
        ("Personnes engagées sous contrat (cumul)", [60]),
        ("Personnes en cours d'intégration", [33]),
    ]
    text = charts.figure_text(fig)
    assert "Objectif annoncé : près de 750" in text and "Somme des objectifs des territoires : 725" in text
    assert fig.layout.separators == ",\u202f"
    assert "coppieters.wallonie.be" in traces[0].customdata[0][2] and traces[0].customdata[0][1] == "2025"
    assert "SPW Économie" in traces[1].customdata[0][2] and traces[1].customdata[0][1] == "09/2024"
    assert "données d'exemple" not in text


def test_programme_chart_without_data_says_so():
    empty = summary.programme_points(example_frame().iloc[0:0])
    fig = charts.programme_chart(empty, 750, None, "fr")
    assert "Aucun chiffre communiqué" in charts.figure_text(fig)


def test_budget_unknowns_are_labelled_not_zero(seeded_frame):
    table = summary.budget_table(seeded_frame, "fr")
    committed = table[table["metric"] == "budget_committed"].iloc[0]
    assert pd.isna(committed["value"]) and committed["display"] == "non communiqué"
    withdrawn = table[table["metric"] == "budget_withdrawn"].iloc[0]
    assert withdrawn["value"] == 4.8e6 and "La Louvière" in withdrawn["detail"]
    fig = charts.budget_chart(table, "fr")
    assert list(fig.data[0].text).count("non communiqué") == 2
    assert "104\u202fM€" in fig.data[0].text and "27,7\u202fM€" in fig.data[0].text


def test_territory_table_and_chart(seeded_frame):
    table = summary.territory_table(seeded_frame, "fr")
    assert len(table) == 17
    by_id = table.set_index("id")
    liege = by_id.loc["liege"]
    assert liege["reported"] == 23 and liege["share_basis"] == "hired" and liege["share"] == pytest.approx(0.5)
    seraing = by_id.loc["seraing"]
    assert (
        pd.isna(seraing["reported"]) and pd.isna(seraing["share"]) and seraing["jobs_created_cell"] == "non communiqué"
    )
    assert by_id.loc["farciennes", "fte"] == 15 and by_id.loc["farciennes", "headcount"] == 20
    # Gembloux: jobs created (two sources agree), share against its 25
    assert by_id.loc["gembloux", "jobs_created"] == 14 and by_id.loc["gembloux", "share"] == pytest.approx(0.56)
    assert "Canal Zoom" in by_id.loc["gembloux", "jobs_created_cell"]
    # Mons: two sources disagree, both shown, no share computed
    mons = by_id.loc["mons-jemappes"]
    assert mons["jobs_created_conflict"] and pd.isna(mons["share"])
    assert "23 (Télé MB" in mons["jobs_created_cell"] and "moins de 5 (Cabinet du ministre" in mons["jobs_created_cell"]
    # Trooz: the project's own goal (50) beside the announcement's 55
    assert (
        by_id.loc["trooz-chaudfontaine", "target"] == 50 and by_id.loc["trooz-chaudfontaine", "target_announced"] == 55
    )
    assert by_id.loc["trooz-chaudfontaine", "status"] == "continued"
    assert (
        by_id.loc["la-louviere", "status"] == "ended" and "Antenne Centre" in by_id.loc["la-louviere", "status_source"]
    )
    fig = charts.territory_chart(table, "fr")
    text = charts.figure_text(fig)
    assert "La Louvière (arrêté)" in text and "Mons (arrêté)" in text
    names = [t.name for t in fig.data]
    assert names == [
        "Objectif",
        "Emplois créés (selon la source)",
        "Personnes engagées sous contrat (cumul)",
        "Personnes au travail",
    ]
    jobs = fig.data[1]
    # territories with none of the three measures say so once
    assert list(jobs.text).count("non communiqué") == 17 - 8
    display = summary.territory_display(table, "fr")
    row = display.set_index("Territoire").filter(like="Liège", axis=0).iloc[0]
    assert row["Part atteinte"] == "50\u202f% (d'après : Personnes engagées sous contrat (cumul))"


def test_share_map_is_offline_and_colours_known_shares(seeded_frame):
    table = summary.territory_table(seeded_frame, "fr")
    fig = charts.share_map(read_territories_geojson(), table, "fr")
    assert not any(t.type.startswith(("choropleth", "scattergeo", "scattermap")) for t in fig.data)  # no basemap
    polygons = {t.name: t for t in fig.data if t.fill == "toself"}
    assert len(polygons) == 17
    assert polygons["liege"].fillcolor == charts.share_colour(0.5)
    assert polygons["seraing"].fillcolor.startswith("rgba(153,153,153")
    assert "non communiqué" in polygons["seraing"].text
    assert fig.layout.yaxis.scaleanchor == "x"  # degrees drawn with the latitude aspect correction


def test_example_data_is_labelled_in_titles():
    frame = example_frame()
    frame["superseded"] = False
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True)
    series = summary.programme_points(frame)
    assert series["is_example"].all()
    fig = charts.programme_chart(series, 750, 725, "fr")
    assert fig.layout.title.text.endswith("données d'exemple")
    fig_en = charts.territory_chart(summary.territory_table(frame, "en"), "en")
    assert fig_en.layout.title.text.endswith("example data")


def test_filters():
    frame = example_frame().assign(superseded=False)
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True)
    table = summary.territory_table(frame, "fr")
    assert set(summary.filter_territories(table, provinces=["Namur"])["id"]) == {"gembloux"}
    assert len(summary.filter_territories(table, ids=["liege", "bertrix"])) == 2
    assert len(summary.filter_territories(table)) == 17
