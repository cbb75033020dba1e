"""The Progrès page in Streamlit (AppTest, no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.html_tables import page_table, page_tables
from tzcld.ledger import Account, ObservationInput
from tzcld.runtime import Runtime

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


def territories(at: AppTest):
    """The per-territory table (status, target, latest figure of each measure)."""
    return page_table(at, "table_territories").frame()


def figures_detail(at: AppTest, index: int = 0):
    """The tables with one row per published territory figure (details, then budgets)."""
    return page_table(at, ("table_territory_figures", "table_territory_budgets")[index]).frame()


def history(at: AppTest):
    return page_table(at, "progress_changes").frame()


def budget(at: AppTest):
    return page_table(at, "table_budget").frame()


def test_page_shows_every_section_with_a_table_and_both_downloads():
    at = run_page("fr")
    assert at.title[0].value == "Progrès du programme"
    assert [h.value for h in at.header] == [
        "Programme : emplois créés, personnes engagées et objectifs",
        "Budget",
        "Par territoire : objectif, statut 2025 et derniers chiffres communiqués",
        "Carte : part de l'objectif atteinte",
        "Dernières modifications du registre",
    ]
    assert len(at.get("plotly_chart")) == 4
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 10  # each table: for a spreadsheet and for machines
    assert labels.count("CSV pour tableur (« ; », virgule décimale)") == 5
    assert not at.warning  # demo off by default: no "données d'exemple"
    programme = figures(at)[0]
    traces = [t for t in programme["data"] if t.get("mode") == "lines+markers+text"]
    # 60 people hired (09/2024) and 120 jobs created (2025) are two metrics, never one line
    assert [(t["name"], t["text"]) for t in traces] == [
        ("Emplois créés (selon la source)", ["120"]),
        ("Personnes engagées sous contrat (cumul)", ["60"]),
        ("Personnes en cours d'intégration", ["33"]),
    ]
    assert programme["layout"]["separators"] == ",\u202f"


def test_per_territory_table_shows_figures_sources_and_both_mons_figures():
    at = run_page("fr")
    by_name = territories(at).set_index("Territoire")
    mons = by_name.filter(like="Mons", axis=0).iloc[0]
    jobs = mons["Emplois créés (selon la source)"]
    assert jobs.startswith("23 (Télé MB, 2025, date déduite du texte)")
    assert "sources divergentes : moins de 5 (Cabinet du ministre Yves Coppieters, 2025)" in jobs
    assert mons["Part atteinte"] == "sources divergentes : pas de part calculée"
    assert mons["Statut 2025"] == "arrêté (Télé MB, 2025, date déduite du texte)"
    marchienne = by_name.filter(like="Marchienne", axis=0).iloc[0]
    assert marchienne["Personnes engagées sous contrat (cumul)"] == "22 (Télésambre, 10/2025, date déduite du texte)"
    assert marchienne["dont chômeurs de longue durée"] == "16 (Télésambre, 10/2025, date déduite du texte)"
    assert marchienne["Part atteinte"] == "44\u202f% (d'après : Personnes engagées sous contrat (cumul))"
    trooz = by_name.filter(like="Trooz", axis=0).iloc[0]
    assert trooz["Objectif"] == "50 (enMieux, 2025, date déduite du texte) — l'annonce : 55"
    assert trooz["Statut 2025"].startswith("poursuivi (Cabinet du ministre Yves Coppieters, 2025)")
    farciennes = by_name.filter(like="Farciennes", axis=0).iloc[0]
    assert farciennes["Équivalents temps plein"].startswith("15 ETP (Journal L'Essentiel, 2024")
    assert farciennes["Personnes au travail"].startswith("environ 20 (Télésambre, date incertaine")
    # every figure's source and link, both Mons figures side by side
    details = figures_detail(at)
    mons_jobs = details[details["Territoire"].str.startswith("Mons") & details["Indicateur"].str.startswith("Emplois")]
    assert sorted(mons_jobs["Valeur"]) == ["23", "moins de 5"]
    assert set(mons_jobs["Concordance"]) == {"sources divergentes"}
    table = page_table(at, "table_territory_figures")
    links = [
        u for row, (_, r) in zip(table.links("Source"), details.iterrows()) if r.name in mons_jobs.index for u in row
    ]
    assert {u.split("/")[2] for u in links} == {"www.telemb.be", "coppieters.wallonie.be"}
    assert any("Sources divergentes — Mons" in m.value for m in at.markdown)
    statuses = " ".join(m.value for m in at.markdown)
    assert "5 territoires arrêtés et 11 poursuivis, soit 16 et non 17" in statuses


def test_unknown_territory_figures_say_non_communique_never_zero():
    at = run_page("fr")
    table_ = territories(at)
    seraing = table_[table_["Territoire"].str.startswith("Seraing")].iloc[0]
    measures = [
        c for c in table_.columns if c not in ("Territoire", "Province", "Statut 2025", "Objectif", "Précision")
    ]
    assert all(seraing[c] == "non communiqué" for c in measures), seraing
    assert seraing["Statut 2025"] == "statut 2025 non confirmé"
    assert not any(str(v).startswith("0 ") or str(v) == "0" for v in table_.to_numpy().ravel())
    louviere = table_[table_["Territoire"].str.startswith("La Louvière")].iloc[0]
    assert louviere["Statut 2025"].startswith("arrêté")  # ended territories stay visible
    assert list(budget(at)["Valeur"]) == [
        "104\u202fM€",
        "52\u202fM€",
        "52\u202fM€",
        "27,7\u202fM€",
        "non communiqué",
        "non communiqué",
        "4,8\u202fM€",
    ]
    budgets = figures_detail(at, 1)
    assert {"environ 12\u202fM€", "3,5\u202fM€", "9\u202fM€", "10\u202fM€", "4,8\u202fM€"} <= set(budgets["Valeur"])
    applied = budgets[budgets["Indicateur"] == "Budget demandé (candidature)"]
    assert len(applied) == 2  # Verviers-Dison and Charleroi: applied for, not granted


def test_recorded_figure_appears_with_share_of_target():
    store = Runtime.from_env(demo=False).ledger_store()
    store.add(
        Account("anne", "porteur", "liege"),
        ObservationInput("liege", "hired", 23, "persons", "2025-06", "Rapport du CPAS"),
    )
    store.dispose()
    at = run_page("fr")
    table_ = territories(at)
    liege = table_[table_["Territoire"].str.startswith("Liège")].iloc[0]
    assert liege["Personnes engagées sous contrat (cumul)"] == "23 (Rapport du CPAS, 06/2025)"
    assert liege["Part atteinte"].startswith("50\u202f%")
    log = history(at)
    assert log.iloc[0]["Origine"] == "anne" and log.iloc[0]["Valeur"] == "23"
    seeded = log[log["Origine"] == "import des chiffres publiés"]
    assert len(seeded) and all(v.startswith("source : ") for v in seeded["Date de la source ou de la saisie"])


def test_filters_narrow_the_territories():
    at = run_page("fr", progress_provinces=["Luxembourg"])
    table_ = territories(at)
    assert len(table_) == 3 and set(table_["Province"]) == {"Luxembourg"}
    at = run_page("fr", progress_statuses=["ended"])
    names = [n.split(" (")[0] for n in territories(at)["Territoire"]]
    assert names == ["Mons", "La Louvière", "Frameries"]
    at = run_page("fr", progress_statuses=["continued"])
    assert [n.split(" (")[0] for n in territories(at)["Territoire"]] == ["Trooz et Chaudfontaine", "Bertrix"]


def test_map_without_any_figure_says_so_in_a_sentence():
    at = run_page("fr", progress_territories=["seraing", "flemalle"])
    assert len(at.get("plotly_chart")) == 3  # no empty colour scale
    assert any("la carte n'est pas colorée" in i.value for i in at.info)
    at = run_page("fr")
    spec = figures(at)[3]
    assert any(t.get("marker", {}).get("showscale") for t in spec["data"])
    assert any(c.value == "Sources divergentes (aucune part calculée) : Mons." for c in at.caption)


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


def test_tables_are_plain_html_with_captions_scopes_and_linked_sources():
    at = run_page("fr")
    assert not at.dataframe  # no data grid: its code is not downloaded for this page
    tables = page_tables(at)
    assert {t.id for t in tables} == {
        "table-table_programme",
        "table-programme_figures",
        "table-table_budget",
        "table-table_territories",
        "table-table_territory_figures",
        "table-table_territory_budgets",
        "table-table_map",
        "table-progress_changes",
    }
    for table in tables:
        assert table.caption.strip(), table.id
        assert all(c.scope == "col" for c in table.header), table.id
        assert all(row[0].tag == "th" and row[0].scope == "row" for row in table.rows), table.id
        assert table.region["role"] == "region" and table.region["aria-labelledby"] == f"{table.id}-caption"
        assert "Lien" not in table.columns  # the link is on the source's name
    budget_ = page_table(at, "table_budget")
    values = budget_.cells("Valeur")
    assert all("num" in c.classes for c in values)
    assert [c.text for c in values if "unknown" in c.classes] == ["non communiqué", "non communiqué"]
    sources = page_table(at, "programme_figures").links("Source")
    # a source with a page is a link to it (the announcement has none: its name only)
    assert sum(bool(links) for links in sources) >= 8
    assert all(u.startswith("https://") for links in sources for u in links)


def test_a_rerun_does_not_rebuild_the_tables_or_the_charts(monkeypatch):
    from tzcld import charts
    from tzcld.ledger import summary

    calls = {"tables": 0, "charts": 0}
    build, chart = summary.progress_tables, charts.territory_chart

    def counted_tables(*args, **kwargs):
        calls["tables"] += 1
        return build(*args, **kwargs)

    def counted_chart(*args, **kwargs):
        calls["charts"] += 1
        return chart(*args, **kwargs)

    monkeypatch.setattr(summary, "progress_tables", counted_tables)
    monkeypatch.setattr(charts, "territory_chart", counted_chart)
    at = run_page("fr")
    assert calls == {"tables": 1, "charts": 1}
    at.multiselect(key="progress_provinces").set_value(["Luxembourg"]).run()
    assert len(territories(at)) == 3
    assert calls == {"tables": 1, "charts": 2}  # the filtered chart is new, the tables are not
    at.multiselect(key="progress_provinces").set_value([]).run()
    at.run()
    assert len(territories(at)) == 17
    assert calls == {"tables": 1, "charts": 2}
    at.session_state["lang"] = "en"
    at.run()
    assert calls == {"tables": 2, "charts": 3}
    at.session_state["lang"] = "fr"
    at.run()
    assert calls == {"tables": 2, "charts": 3}


def test_changes_without_a_database_show_no_internal_ids():
    at = run_page("en")
    log = page_table(at, "progress_changes")
    assert "No." not in log.columns and "Corrects entry" not in log.columns  # nothing but internal ids there
    assert not any(c.text.startswith("-") for row in log.rows for c in row)
    assert not any("unknown" in c.classes for row in log.rows for c in row)  # an empty cell is "none" here
