"""AppTest: the Carte page (through dashboard.py's navigation)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.html_tables import page_table, page_tables
from tests.map_support import layer_urls, map_html, map_text, page_assets

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def carte(lang: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("app_pages/carte.py")
    return at.run()


def fitted_bounds(at: AppTest) -> list[list[float]]:
    found = re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", map_html(at), re.S)
    assert found
    return json.loads(found[-1])


def test_french_page_with_map_of_wallonia():
    at = carte()
    assert not at.exception
    assert at.title[0].value == "Carte des territoires"
    box = at.selectbox(key="carte_territory")
    assert box.label == "Zoomer sur un territoire"
    assert len(box.options) == 18 and box.options[0] == "Toute la Wallonie"
    assert box.value == ""
    script = map_html(at)
    assets, preloads = page_assets(script)
    assert assets and all(u.startswith("/app/static/vendor/") for u in assets), assets
    assert preloads == [f"{u}.gz" for u in layer_urls(script)]
    # The layers are files the browser loads (context, communes, units, places), not inline.
    assert len(layer_urls(script)) == 5
    text = map_text(at)
    for name in ("Bertrix", "Gembloux", "Seraing", "tzcld-legend", "Statbel"):
        assert name in text, name
    (south, west), (north, east) = fitted_bounds(at)
    assert north - south > 1.0 and east - west > 3.0  # all of Wallonia
    assert "tile.openstreetmap.org" in script  # OSM basemap by default
    assert any("Statbel" in c.value for c in at.caption)


def test_query_parameter_selects_and_zooms_to_a_territory():
    at = carte(territoire="seraing")
    assert not at.exception
    assert at.selectbox(key="carte_territory").value == "seraing"
    (south, west), (north, east) = fitted_bounds(at)
    assert 50.5 < south < north < 50.7 and 5.4 < west < east < 5.6
    assert any("bas de Seraing" in h.value for h in at.subheader)
    assert any("périmètre indicatif" in i.value.lower() for i in at.info)


def test_selector_zooms_and_updates_the_url():
    at = carte()
    at.selectbox(key="carte_territory").select("bertrix").run()
    assert not at.exception
    assert at.query_params["territoire"] == ["bertrix"] or at.query_params["territoire"] == "bertrix"
    (south, west), (north, east) = fitted_bounds(at)
    assert 49.7 < south < north < 50.0 and 5.1 < west < east < 5.4
    at.selectbox(key="carte_territory").select("").run()
    assert "territoire" not in at.query_params
    (south, _), (north, _) = fitted_bounds(at)
    assert north - south > 1.0


def test_unknown_territory_in_url_gets_a_french_warning():
    at = carte(territoire="atlantis")
    assert not at.exception
    assert any("atlantis" in w.value and "Territoire inconnu" in w.value for w in at.warning)
    assert at.selectbox(key="carte_territory").value == ""


def shown_tiles(script: str) -> set[str]:
    """The tile servers whose layer is added to the map when it opens (the other basemaps are
    only offered in the layer control: Leaflet loads no tile of a layer it has not added)."""
    shown = set()
    for var, url in re.findall(r'var (\w+) = L\.tileLayer\(\s*"https://([^/"]+)/', script):
        if re.search(rf"\b{var}\.addTo\(", script):
            shown.add(url)
    return shown


@pytest.mark.parametrize(
    ("fond", "shown"),
    [("", {"tile.openstreetmap.org"}), ("aucun", set()), ("ngi", {"cartoweb.wmts.ngi.be"})],
)
def test_basemap_from_url(fond, shown):
    at = carte(fond=fond) if fond else carte()
    script = map_html(at)
    assert shown_tiles(script) == shown
    # Polygons are drawn whatever the basemap.
    assert "L.geoJson" in script


def test_one_basemap_control_the_maps_own():
    """The basemap is chosen in the map's layer control (three base layers), not in a second
    widget of the page."""
    at = carte()
    assert not at.main.radio
    script = map_html(at)
    assert "L.control.layers" in script
    base_layers = re.search(r"base_layers\s*:\s*\{(.*?)\}", script, re.S).group(1)
    for label in ("OpenStreetMap", "IGN/NGI CartoWeb", "Aucun fond (hors ligne)"):
        assert json.dumps(label) in base_layers, label
    assert any("en haut à droite de la carte" in c.value for c in at.caption)


def test_english_switch():
    at = carte(lang="en", territoire="bertrix")
    assert not at.exception
    assert at.title[0].value == "Map of the territories"
    assert at.selectbox(key="carte_territory").label == "Zoom to a territory"
    assert "Legend<" in map_html(at)
    script = map_text(at)
    assert "jobs targeted" in script
    assert "les contributeurs" not in script and "Direction générale" not in script  # the credit is English


def test_table_of_territories_when_none_is_selected():
    at = carte()
    shown = page_table(at, "carte_territories")
    table = shown.frame()
    assert len(table) == 17 and not at.dataframe
    assert "Identifiant" not in table.columns and "seraing" not in set(table.stack())  # no raw ids
    assert all("num" in c.classes for c in shown.cells("Objectif d'emplois"))
    assert any("725" in c.value and "750" in c.value for c in at.caption)
    at = carte(territoire="bertrix")
    assert page_tables(at) == []


def test_the_reasons_of_each_unit_are_in_the_language_of_the_page():
    at = carte(lang="en", territoire="mons-jemappes")
    assert not at.exception
    units = " ".join(m.value for m in at.markdown)
    assert "**Flénu (surroundings)** — “Its surroundings”: the FLENU section (7 sectors)" in units
    assert "alentours" not in units and " ; " not in units and 'lang="fr"' not in units
    assert not any("written in French" in c.value for c in at.caption)
    at = carte(territoire="mons-jemappes")
    units = " ".join(m.value for m in at.markdown)
    assert "**Flénu (alentours)** — « Ses alentours » : la section FLENU (7 secteurs)" in units


def test_a_database_that_cannot_be_read_is_said_without_its_internals(monkeypatch):
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://postgres:secret-pw@127.0.0.1:1/nowhere")
    st.cache_resource.clear()  # a fresh runtime: its fallback has not failed yet
    at = carte()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "base de données des périmètres est injoignable" in warning
    assert "Error" not in warning and "secret-pw" not in warning and "postgresql" not in warning
    st.cache_resource.clear()


def test_a_returning_view_renders_no_map_again(monkeypatch):
    """The map's page is rendered once per layers, language, basemap and territory for every
    session: a second visitor's run (a new session, server caches warm) renders nothing
    (folium's rendering was most of Carte's server CPU per view, issue 13)."""
    import branca.element

    st.cache_resource.clear()
    renders: list[int] = []
    real_render = branca.element.Figure.render

    def render(figure, **kwargs):
        renders.append(1)
        return real_render(figure, **kwargs)

    monkeypatch.setattr(branca.element.Figure, "render", render)
    first = carte()
    assert not first.exception and len(renders) == 1
    again = carte()
    assert len(renders) == 1 and map_html(again) == map_html(first)
    seraing = carte(territoire="seraing")  # another territory: its own map, once
    assert len(renders) == 2 and map_html(seraing) != map_html(first)
    carte(territoire="seraing", fond="aucun")
    assert len(renders) == 3
    carte(territoire="seraing")
    assert len(renders) == 3
