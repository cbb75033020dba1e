"""AppTest: the Accueil page, the dashboard's default page: the headline first (jobs created
against both targets, people being integrated, territories continued / ended, budget, each
with its source and date), then the map, then every published programme figure."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.html_tables import page_table
from tests.map_support import layer_file, layer_urls, map_html, page_assets
from tzcld.facts import fact, published_facts
from tzcld.territories import TERRITORY_IDS

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TZCLD_DEMO", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def accueil(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, dict[str, str]]:
    """The headline tiles: key -> label, value, detail, source (text) and links."""
    body = next(h.proto.body for h in at.get("html") if "tzcld-tiles" in h.proto.body)
    out = {}
    for key, inner in re.findall(r'<article class="tzcld-tile" id="tile-([a-z]+)"[^>]*>(.*?)</article>', body, re.S):

        def part(cls: str, inner: str = inner) -> str:
            m = re.search(rf'class="{cls}[^"]*">(.*?)</p>', inner, re.S)
            return html.unescape(re.sub("<[^>]+>", "", m.group(1))) if m else ""

        label = html.unescape(re.sub("<[^>]+>", "", re.search(r"<h3[^>]*>(.*?)</h3>", inner, re.S).group(1)))
        out[key] = {
            "label": label,
            "value": part("tzcld-value"),
            "detail": part("tzcld-detail"),
            "source": part("tzcld-source"),
            "links": " ".join(re.findall(r'href="([^"]+)"', inner)),
        }
    return out


def test_default_page_is_accueil_in_french_headline_first():
    at = accueil()
    assert at.title[0].value == "Territoires zéro chômeur de longue durée — Wallonie"
    assert [h.value for h in at.header] == [
        "Où en est le programme",
        "Les 17 territoires",
        "Le projet pilote en bref",
        "Tous les chiffres publiés du programme",
        "Explorer le tableau de bord",
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "TerritoiR'ES" in text and "19 candidatures" in text


def test_headline_says_what_is_known_with_source_and_date():
    at = accueil()
    got = tiles(at)
    assert list(got) == ["jobs", "integration", "territories", "budget"]
    jobs = got["jobs"]
    assert (jobs["label"], jobs["value"]) == ("Emplois créés", "120")
    assert f"près de 750 annoncés (16{NNBSP}%)" in jobs["detail"]
    assert f"725, la somme des objectifs des territoires (17{NNBSP}%)" in jobs["detail"]
    release = fact("jobs_created.midterm-2025").source_url
    assert jobs["source"] == "Source : Cabinet du ministre Yves Coppieters, 2025" and jobs["links"] == release
    assert (got["integration"]["value"], got["integration"]["source"]) == ("33", jobs["source"])
    assert "60 personnes avaient trouvé un emploi (09/2024)" in got["integration"]["detail"]
    territories = got["territories"]
    assert territories["value"] == "11 poursuivis · 5 arrêtés"
    assert "5 + 11 = 16" in territories["detail"]
    assert "poursuivis : Trooz et Chaudfontaine, Bertrix" in territories["detail"]
    assert "arrêtés : Mons, La Louvière, Frameries" in territories["detail"]
    budget = got["budget"]
    assert budget["value"] == f"104{NNBSP}M€"
    assert "Dépensé : non communiqué" in budget["detail"] and f"Retiré : 4,8{NNBSP}M€ (La Louvière)" in budget["detail"]
    # the announcement has no public address: its source line has no link, and a date as known
    assert budget["source"] == "Source : Wallonie, 04/2023, date déduite du texte" and budget["links"] == ""
    # one short source line per tile, never an unknown shown as 0
    assert all(t["source"].count("Source") == 1 and len(t["source"]) < 80 for t in got.values())
    assert all(t["value"] not in ("0", "") for t in got.values())
    assert any("750" in c.value and "725" in c.value for c in at.caption)


def test_conflicting_mons_figures_are_both_shown_with_their_sources():
    at = accueil()
    notes = [m.value for m in at.markdown if "Sources divergentes" in m.value]
    assert len(notes) == 1
    mons = notes[0]
    assert "Mons" in mons and "emplois créés" in mons
    assert f"23 selon [Télé MB]({fact('jobs_created.mons-jemappes-telemb').source_url})" in mons
    assert (
        f"moins de 5 selon [Cabinet du ministre Yves Coppieters]({fact('jobs_created.mons-jemappes-release').source_url})"
        in mons
    )


def test_every_programme_figure_is_listed_with_its_source_and_date():
    at = accueil()
    assert not at.dataframe  # a plain HTML table: no data grid to download on a first visit
    shown = page_table(at, "home_figures")
    assert shown.caption == "Chiffres publiés du programme, avec leur source et leur date"
    table = shown.frame()
    assert "Territoire" not in table.columns and "Lien" not in table.columns
    sixty = table[table["Valeur"] == "60"].index[0]
    assert table.loc[sixty, "Date"] == "09/2024"
    assert shown.links("Source")[sixty] == ["https://economie.wallonie.be/"]  # the source's name is the link
    assert "environ 30" in set(table["Valeur"])
    assert all("num" in c.classes for c in shown.cells("Valeur"))
    assert all(c.tag == "th" and c.scope == "col" for c in shown.header)
    assert all(row[0].tag == "th" and row[0].scope == "row" for row in shown.rows)
    assert len(table) == len([f for f in published_facts() if f.scope == "programme"])


def test_map_of_the_17_territories_with_local_assets():
    at = accueil()
    html = map_html(at)
    assert "tzcld-legend" in html and "poursuivi" in html
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
    assert at.title[0].value == "Zero long-term unemployment territories — Wallonia"
    assert "Where the programme stands" in [h.value for h in at.header]
    got = tiles(at)
    assert got["jobs"]["label"] == "Jobs created" and got["territories"]["value"] == "11 continued · 5 ended"
    assert got["budget"]["value"] == "€104M"


def test_missing_geodata_gets_a_french_message(monkeypatch, tmp_path):
    from tzcld.geodata import layers

    monkeypatch.setattr(layers, "GEODATA_DIR", tmp_path)
    try:
        at = accueil()
        assert not at.exception
        # Visitors are told the map is unavailable; the command is for the server's log.
        assert any("carte n'est pas disponible" in e.value for e in at.error)
        assert not any("python -m" in e.value for e in at.error)
        # The rest of the page is still there.
        assert len(tiles(at)) == 4
    finally:
        st.cache_resource.clear()


def test_ledger_down_shows_the_published_figures_and_says_so(monkeypatch):
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing?connect_timeout=2")
    at = accueil()
    assert any("fichier des chiffres publiés" in i.value for i in at.info)
    assert tiles(at)["jobs"]["value"] == "120"


def test_demo_mode_labels_example_data(monkeypatch):
    monkeypatch.setenv("TZCLD_DEMO", "1")
    at = accueil()
    assert any("données d'exemple" in w.value for w in at.warning)
    got = tiles(at)
    assert got["jobs"]["value"] == "120"  # a real figure stays real
    assert "(données d'exemple)" in got["budget"]["detail"]  # example spending is labelled
    assert "données d'exemple" in got["budget"]["label"]


def test_a_database_that_failed_is_left_alone_for_a_minute(monkeypatch):
    import time

    from tzcld.fallback import RETRY_AFTER_S
    from tzcld.ui import ledger as ui_ledger
    from tzcld.ui.runtime import runtime

    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing?connect_timeout=2")
    calls: list[int] = []

    def down(settings):
        calls.append(1)
        raise ConnectionError("no server")

    monkeypatch.setattr(ui_ledger, "_observations", down)
    first, from_ledger = ui_ledger.observations_or_facts()
    again, from_ledger_again = ui_ledger.observations_or_facts()
    assert calls == [1] and not from_ledger and not from_ledger_again
    assert len(first) == len(again) == len(published_facts())
    later = time.monotonic() + RETRY_AFTER_S + 1
    monkeypatch.setattr(runtime().fallback, "clock", lambda: later)
    ui_ledger.observations_or_facts()
    assert calls == [1, 1]  # tried again after the pause


class _Counts:
    """Counts the expensive work of a page run: the passes over the figures
    (:func:`tzcld.ledger.figures.figure_sets`, as the ledger's summaries call it) and
    folium's rendering of a map page."""

    def __init__(self, monkeypatch) -> None:
        import branca.element

        from tzcld.ledger import summary

        self.figures = 0
        self.renders = 0
        real_sets, real_render = summary.figure_sets, branca.element.Figure.render

        def figure_sets(frame):
            self.figures += 1
            return real_sets(frame)

        def render(figure, **kwargs):
            self.renders += 1
            return real_render(figure, **kwargs)

        monkeypatch.setattr(summary, "figure_sets", figure_sets)
        monkeypatch.setattr(branca.element.Figure, "render", render)

    def take(self) -> tuple[int, int]:
        got = (self.figures, self.renders)
        self.figures = self.renders = 0
        return got


def test_a_returning_view_builds_neither_the_headline_nor_the_map_again(monkeypatch):
    """The headline, the figures and the map's page are built once per observations and
    language for every session: a second visitor's run (a new session, server caches warm)
    passes over no figure and renders no map (issue 13: 414 ms of server CPU per view)."""
    counts = _Counts(monkeypatch)
    first = accueil()
    figures, renders = counts.take()
    assert figures > 0 and renders == 1
    again = accueil()
    assert counts.take() == (0, 0)
    assert tiles(again) == tiles(first) and map_html(again) == map_html(first)
    accueil("en")  # another language is built once, too
    assert counts.take()[0] > 0
    accueil("en")
    assert counts.take() == (0, 0)


def test_the_ledger_read_is_summarised_once_and_a_save_is_seen(monkeypatch, tmp_path):
    """With a database, each run gets its own copy of the cached read: the summary is keyed
    by the observations' content, not by that copy; a recorded figure is shown at once."""
    from tzcld.ledger import Account, ObservationInput
    from tzcld.runtime import Runtime
    from tzcld.ui.ledger import ledger_changed

    monkeypatch.setenv("TZCLD_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    store = Runtime.from_env().ledger_store()
    counts = _Counts(monkeypatch)
    first = accueil()
    assert counts.take()[0] > 0 and tiles(first)["jobs"]["value"] == "120"
    accueil()
    assert counts.take()[0] == 0
    store.add(
        Account("anne", "admin", None),
        ObservationInput("programme", "jobs_created", 130, "jobs", "2026-11", "Rapport du SPW"),
    )
    store.dispose()
    ledger_changed()
    assert tiles(accueil())["jobs"]["value"] == "130"
    assert counts.take()[0] > 0
