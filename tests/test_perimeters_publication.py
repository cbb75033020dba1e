"""Approved perimeter versions reach the public side: the maps (Accueil, Carte, Progrès),
the open-data exports, the static site and the Transparence page. Real SQLite in the
per-test data folder (see conftest.py)."""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path

import frictionless
import geopandas as gpd
import pytest
import shapely
import streamlit as st
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from tests.map_support import layer_file, layer_urls, map_html, map_text
from tzcld import maps
from tzcld.cli import main as cli_main
from tzcld.config import SQLITE_FILE
from tzcld.export import opendata
from tzcld.export.site import export_site
from tzcld.formatting import format_date
from tzcld.geodata.layers import data_version, read_territories, read_territories_geojson, read_units
from tzcld.ledger import open_store
from tzcld.ledger.permissions import Account
from tzcld.map_assets import LAYERS_URL
from tzcld.perimeters import Proposal, perimeter_store_for
from tzcld.perimeters.proposals import make_rows
from tzcld.runtime import Runtime, Settings
from tzcld.territories import TERRITORY_IDS

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = str(REPO / "dashboard.py")
ANNE = Account("anne", "porteur", "gembloux", "Anne")
ADMIN = Account("admin", "admin", None, "Forem")
SOURCE = "convention FSE du 12/03/2023, annexe 2"
#: A 500 m square (Lambert 72) approved as Gembloux's perimeter: 0.25 km².
SQUARE = (172300.0, 138700.0, 172800.0, 139200.0)


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def approve_square(pstore, tid: str = "gembloux") -> int:
    """Propose and approve the square as ``tid``'s perimeter; returns the version id."""
    rows = make_rows(
        [
            {
                "territory_id": tid,
                "unit": "Carré",
                "unit_kind": "file",
                "unit_code": "fichier-1",
                "commune_refnis": "92142",
                "precision": "sectors",
                "method": "porteur-file",
                "geometry": shapely.MultiPolygon([shapely.box(*SQUARE)]),
            }
        ]
    )
    actor = ANNE if tid == "gembloux" else ADMIN
    vid = pstore.propose(
        actor, Proposal(tid, "file", rows, {"file": {"filename": "carre.geojson"}}), "plan officiel", SOURCE
    )
    pstore.approve(ADMIN, vid)
    return vid


def area_m2(geometry) -> float:
    return float(gpd.GeoSeries([geometry], crs="EPSG:4326").to_crs("EPSG:31370").area.iloc[0])


def decided(pstore, vid: int) -> str:
    return pstore.get(vid).decided_at.date().isoformat()


# ------------------------------------------------------------------ maps, no Streamlit


def test_map_layers_draw_the_approved_version_and_the_committed_others():
    pstore = Runtime.from_env().perimeter_store()
    before = maps.load_map_layers(store=pstore)
    committed = read_territories()
    assert before.version == data_version()
    assert before.territories["perimeter_version_label"].unique().tolist() == ["base"]
    assert [g.equals(c) for g, c in zip(before.territories.geometry, committed.geometry, strict=True)] == [True] * 17
    vid = approve_square(pstore)
    layers = maps.load_map_layers(store=pstore)
    assert layers.version == f"{data_version()}+p{vid}"
    t = layers.territories.set_index("id")
    assert area_m2(t.loc["gembloux", "geometry"]) == pytest.approx(250_000, rel=0.01)
    assert t.loc["gembloux", "perimeter_version_label"] == f"v{vid}"
    for tid, geom in zip(committed["id"], committed.geometry, strict=True):
        if tid != "gembloux":
            assert t.loc[tid, "geometry"].equals(geom), tid
            assert t.loc[tid, "perimeter_version_label"] == "base"
    units = layers.units
    assert units.loc[units["territory_id"] == "gembloux", "unit"].tolist() == ["Carré"]
    assert len(units[units["territory_id"] != "gembloux"]) == len(read_units().query("territory_id != 'gembloux'"))

    prepared = maps.prepare_layers(layers, "fr")
    when = format_date(decided(pstore, vid), "fr")
    assert prepared.perimeters["gembloux"].approved and prepared.perimeters["gembloux"].units == ("Carré",)
    home = maps.home_map(prepared, "fr", basemap="none")
    layer = next(
        g for g in home._children.values() if isinstance(g, maps.folium.FeatureGroup) and g.layer_name == "Territoires"
    )
    geojson = next(c for c in layer._children.values() if isinstance(c, maps.WebLayer))
    props = {f["properties"]["id"]: f["properties"] for f in geojson.data["features"]}
    assert props["gembloux"]["perimeter_label"] == f"version v{vid} approuvée le {when}"
    assert props["liege"]["perimeter_label"].startswith("périmètre de référence (données du ")
    assert geojson.tooltip.field == "tip"  # the compact tooltip ends with the perimeter drawn
    assert props["gembloux"]["tip"].endswith(f"<br>version v{vid} approuvée le {when}")
    caption = maps.perimeters_caption(prepared, "fr")
    assert f"Gembloux (commune hors villages) : version v{vid} approuvée le {when}" in caption
    # the Carte map zooms to the approved perimeter
    (south, west), (north, east) = prepared.territory_bounds["gembloux"]
    square = gpd.GeoSeries([shapely.box(*SQUARE)], crs="EPSG:31370").to_crs("EPSG:4326").total_bounds
    assert (west, south, east, north) == pytest.approx(tuple(square), abs=1e-4)


def test_ui_geo_picks_up_an_approval_without_a_restart():
    from tzcld.ui import geo

    assert not (Settings.from_env().data_dir / SQLITE_FILE).exists()
    first = geo.prepared_layers("fr")
    # No database yet: nothing is approved, none is opened or created.
    assert first.version == data_version() and not first.approved()
    assert not (Settings.from_env().data_dir / SQLITE_FILE).exists()
    ledger = Runtime.from_env().ledger_store()  # the dashboard's database (default SQLite in the data folder)
    pstore = perimeter_store_for(ledger)
    assert geo.prepared_layers("fr") is geo.prepared_layers("fr")  # cached while nothing changes
    vid = approve_square(pstore)
    after = geo.prepared_layers("fr")
    assert after.version == f"{data_version()}+p{vid}"
    assert [p.territory_id for p in after.approved()] == ["gembloux"]
    assert geo.prepared_layers("fr") is after
    doc = geo.published_territories_geojson()
    assert doc["data_version"] == after.version
    ledger.dispose()


def test_an_approval_gives_the_maps_new_layer_urls():
    """The layer files are named by their content: after an approval the maps load new
    files (no browser or proxy cache can draw the old perimeter), the old ones stay served
    for pages still open, and the context layers keep their (cached) files."""
    from tzcld import map_files
    from tzcld.ui import geo

    at = AppTest.from_file(DASHBOARD, default_timeout=90).run()
    before_urls = set(layer_urls(map_html(at)))
    before = geo.prepared_layers("fr")
    assert f"{LAYERS_URL}/{before.territories.file}" in before_urls
    ledger = open_store(Settings.from_env().database_url)
    vid = approve_square(perimeter_store_for(ledger))
    after = geo.prepared_layers("fr")
    assert after.territories.file != before.territories.file and after.units.file != before.units.file
    assert after.wallonia.file == before.wallonia.file and after.provinces.file == before.provinces.file
    assert map_files.missing_files(before) == map_files.missing_files(after) == []
    at = AppTest.from_file(DASHBOARD, default_timeout=90).run()
    urls = layer_urls(map_html(at))
    assert f"{LAYERS_URL}/{after.territories.file}" in urls and before_urls - set(urls) != set()
    territories = next(layer_file(u) for u in urls if "/territories." in u)
    gembloux = next(f for f in territories["features"] if f["properties"]["id"] == "gembloux")
    assert gembloux["properties"]["perimeter_label"].startswith(f"version v{vid} approuvée le ")
    ledger.dispose()


def test_ui_geo_falls_back_to_the_committed_layers_when_the_database_fails(monkeypatch, tmp_path, caplog):
    from tzcld.ui import geo

    # A database server that does not answer (nothing listens on port 1).
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://tzcld@127.0.0.1:1/tzcld?connect_timeout=2")
    from tzcld.ui.runtime import published

    with caplog.at_level(logging.WARNING, logger="tzcld.fallback"):
        prepared = geo.prepared_layers("fr")
    assert prepared.version == data_version() and len(prepared.perimeters) == 17
    assert "committed perimeters" in caplog.text
    state = published()
    assert (state.version, state.store) == (data_version(), None)


# ------------------------------------------------------------------ pages (AppTest)


def carte(**query: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("app_pages/carte.py")
    return at.run()


def test_carte_page_draws_the_approved_perimeter():
    ledger = Runtime.from_env().ledger_store()
    vid = approve_square(perimeter_store_for(ledger))
    when = format_date(decided(perimeter_store_for(ledger), vid), "fr")
    at = carte(territoire="gembloux")
    assert not at.exception, at.exception
    script = map_html(at)
    assert f"version v{vid} approuvée le {when}" in map_text(at)  # a tooltip of the units layer
    bounds = json.loads(re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", script, re.S)[-1])
    square = gpd.GeoSeries([shapely.box(*SQUARE)], crs="EPSG:31370").to_crs("EPSG:4326").total_bounds
    assert [bounds[0][1], bounds[0][0], bounds[1][1], bounds[1][0]] == pytest.approx(list(square), abs=1e-4)
    texts = " ".join(m.value for m in at.markdown)
    assert f"Périmètre : version v{vid} approuvée le {when} (source : {SOURCE})." in texts
    assert "- **Carré**" in texts
    assert any("Périmètres approuvés : Gembloux" in c.value for c in at.caption)
    ledger.dispose()


def test_accueil_without_approval_says_every_perimeter_is_the_reference_one():
    at = AppTest.from_file(DASHBOARD, default_timeout=90).run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Périmètres de référence (données du ") for c in at.caption)


def test_progres_map_draws_the_approved_perimeter():
    ledger = Runtime.from_env().ledger_store()
    vid = approve_square(perimeter_store_for(ledger))
    at = AppTest.from_file(str(REPO / "app_pages" / "progres.py"), default_timeout=90)
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    share = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if any(tr.get("name") == "gembloux" for tr in json.loads(c.proto.spec)["data"])
    )
    trace = next(tr for tr in share["data"] if tr.get("name") == "gembloux")
    xs = [x for x in trace["x"] if x is not None]
    ys = [y for y in trace["y"] if y is not None]
    square = gpd.GeoSeries([shapely.box(*SQUARE)], crs="EPSG:31370").to_crs("EPSG:4326").total_bounds
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(tuple(square), abs=1e-4)
    assert f"Version v{vid} approuvée le" in trace["text"]
    ledger.dispose()


def test_transparence_page_lists_each_territory_published_version_and_downloads_it():
    from tzcld.ui import transparency

    ledger = Runtime.from_env().ledger_store()
    pstore = perimeter_store_for(ledger)
    vid = approve_square(pstore)
    when = format_date(decided(pstore, vid), "fr")
    at = AppTest.from_file(str(REPO / "app_pages" / "transparence.py"), default_timeout=90)
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    page = "\n".join(h.proto.body for h in at.get("html"))
    row = re.search(r'<tr data-territory="gembloux">.*?</tr>', page).group(0)
    assert f'data-perimeter-version="v{vid}"' in row and f"version v{vid} approuvée le {when}" in row
    assert "Périmètre publié" in page
    liege = re.search(r'<tr data-territory="liege">.*?</tr>', page).group(0)
    assert 'data-perimeter-version="base"' in liege
    assert any(f"{data_version()}+p{vid}" in m.value for m in at.markdown)
    doc = json.loads(transparency.download_file(opendata.TERRITORIES_GEOJSON))
    assert doc["data_version"] == f"{data_version()}+p{vid}"
    gembloux = next(f for f in doc["features"] if f["id"] == "gembloux")
    assert gembloux["properties"]["perimeter_version"] == f"v{vid}"
    assert area_m2(shape(gembloux["geometry"])) == pytest.approx(250_000, rel=0.01)
    ledger.dispose()


def test_transparence_reads_the_ledger_of_the_streamlit_secrets(tmp_path):
    """``[database] url`` in the secrets: the Transparence page reads the same ledger as the
    Progrès page (not the default SQLite file)."""
    from tzcld.ledger import ObservationInput

    url = f"sqlite:///{tmp_path / 'secret.sqlite'}"
    other = open_store(url, demo=False)
    other.record(
        ADMIN,
        [
            ObservationInput(
                scope="programme",
                metric="hired",
                value=321,
                unit="persons",
                period_date="2026-06",
                source_title="Rapport des secrets",
                source_url="https://example.org/secrets",
            )
        ],
    )
    at = AppTest.from_file(str(REPO / "app_pages" / "transparence.py"), default_timeout=90)
    at.session_state["lang"] = "fr"
    at.secrets["database"] = {"url": url}
    at.run()
    assert not at.exception, at.exception
    assert "Rapport des secrets" in "\n".join(h.proto.body for h in at.get("html"))
    other.dispose()


# ------------------------------------------------------------------ exports


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_open_data_carry_the_approved_version_and_base_for_the_others(tmp_path):
    pstore = Runtime.from_env().perimeter_store()
    vid = approve_square(pstore)
    paths = opendata.write_open_data(tmp_path, None, store=pstore)
    doc = json.loads(paths[opendata.TERRITORIES_GEOJSON].read_text(encoding="utf-8"))
    version = f"{data_version()}+p{vid}"
    assert doc["data_version"] == version
    committed = {f["properties"]["id"]: f for f in read_territories_geojson()["features"]}
    features = {f["id"]: f for f in doc["features"]}
    assert list(features) == list(TERRITORY_IDS)
    g = features["gembloux"]["properties"]
    assert (g["perimeter_version"], g["perimeter_version_label"], g["perimeter_source"]) == (
        f"v{vid}",
        f"v{vid}",
        SOURCE,
    )
    assert g["perimeter_version_date"] == decided(pstore, vid)
    assert g["precision"] == "sectors" and g["indicative"] is False
    assert area_m2(shape(features["gembloux"]["geometry"])) == pytest.approx(250_000, rel=0.01)
    for tid, feature in features.items():
        if tid == "gembloux":
            continue
        props = feature["properties"]
        assert props["perimeter_version_label"] == "base", tid
        assert props["perimeter_version"] == committed[tid]["properties"]["perimeter_version"]
        assert props["perimeter_version_date"] == data_version().split("+")[0]
        assert shapely.hausdorff_distance(shape(feature["geometry"]), shape(committed[tid]["geometry"])) < 2e-6, tid
    rows = {r["id"]: r for r in read_csv(paths[opendata.TERRITORIES_CSV])}
    assert (rows["gembloux"]["perimeter_version"], rows["gembloux"]["perimeter_version_date"]) == (
        f"v{vid}",
        decided(pstore, vid),
    )
    assert rows["liege"]["perimeter_version_label"] == "base"
    described = {(d["resource"], d["field"]) for d in read_csv(paths[opendata.DICTIONARY_CSV])}
    for field in ("perimeter_version", "perimeter_version_label", "perimeter_version_date", "perimeter_source"):
        assert ("territoires", field) in described
    report = frictionless.validate(str(paths[opendata.DATAPACKAGE_JSON]))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(paths[opendata.DATAPACKAGE_JSON].read_text(encoding="utf-8"))
    assert descriptor["version"] == version
    schema = next(r for r in descriptor["resources"] if r["name"] == "territoires")["schema"]
    assert {"perimeter_version", "perimeter_version_date"} <= {f["name"] for f in schema["fields"]}


def test_static_site_page_and_map_carry_the_version_and_its_date(tmp_path):
    pstore = Runtime.from_env().perimeter_store()
    vid = approve_square(pstore)
    result = export_site(tmp_path, None, store=pstore)
    version = f"{data_version()}+p{vid}"
    assert result.perimeter_version == version
    when_fr, when_en = format_date(decided(pstore, vid), "fr"), format_date(decided(pstore, vid), "en")
    fr = (tmp_path / "index.html").read_text(encoding="utf-8")
    en = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr data-territory="gembloux">.*?</tr>', fr).group(0)
    assert f"version v{vid} approuvée le {when_fr}" in row
    assert f"version v{vid} approved on {when_en}" in en
    assert version in fr and version in en  # footer
    map_block = re.search(r'<div id="map".*?</div><p class="note" id="map-perimeters">.*?</p>', fr, re.S).group(0)
    assert 'data-perimeter-approved="version {version} approuvée le {date}"' in map_block
    assert f"Gembloux (commune hors villages) : version v{vid} approuvée le {when_fr}" in map_block
    # the map script fills its popups from the GeoJSON's version fields
    js = (tmp_path / "assets" / "map.js").read_text(encoding="utf-8")
    assert "perimeter_version_label" in js and "perimeter_version_date" in js
    doc = json.loads((tmp_path / "data" / opendata.TERRITORIES_GEOJSON).read_text(encoding="utf-8"))
    assert next(f for f in doc["features"] if f["id"] == "gembloux")["properties"]["perimeter_version"] == f"v{vid}"


def test_cli_database_url_gives_both_the_ledger_and_the_perimeters(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    ledger = open_store(url, demo=False)
    vid = approve_square(perimeter_store_for(ledger), "liege")
    ledger.dispose()
    assert cli_main(["export-site", str(tmp_path / "site"), "--database-url", url]) == 0
    assert f"périmètres publiés : version {data_version()}+p{vid}" in capsys.readouterr().out
    doc = json.loads((tmp_path / "site" / "data" / opendata.TERRITORIES_GEOJSON).read_text(encoding="utf-8"))
    labels = {f["id"]: f["properties"]["perimeter_version_label"] for f in doc["features"]}
    assert labels["liege"] == f"v{vid}" and labels["gembloux"] == "base"
    # the default database (another one) has no approved version
    assert cli_main(["export-site", str(tmp_path / "default")]) == 0
    doc = json.loads((tmp_path / "default" / "data" / opendata.TERRITORIES_GEOJSON).read_text(encoding="utf-8"))
    assert doc["data_version"] == data_version()
