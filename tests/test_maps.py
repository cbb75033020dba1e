"""tzcld.maps and tzcld.map_assets, without Streamlit: maps from the committed layers."""

from __future__ import annotations

import hashlib
import json
import re

import folium
import folium.plugins
import geopandas as gpd
import pytest
from shapely.geometry import box

from tzcld import map_assets, maps
from tzcld.formatting import format_date
from tzcld.geodata import layers as geodata
from tzcld.map_assets import VENDOR_DIR, UnvendoredAssetError, asset_urls, localize_assets
from tzcld.territories import TERRITORY_IDS


@pytest.fixture(scope="module")
def map_layers() -> maps.MapLayers:
    return maps.load_map_layers()


@pytest.fixture(scope="module")
def prepared_fr(map_layers) -> maps.PreparedLayers:
    return maps.prepare_layers(map_layers, "fr")


def _geojsons(fmap: folium.Map) -> list[maps.WebLayer]:
    found = []

    def walk(element):
        for child in element._children.values():
            if isinstance(child, (folium.GeoJson, maps.WebLayer)):
                found.append(child)
            walk(child)

    walk(fmap)
    return found


def _layer_with(fmap: folium.Map, prop: str) -> maps.WebLayer:
    matches = [g for g in _geojsons(fmap) if g.data["features"] and prop in g.data["features"][0]["properties"]]
    assert len(matches) == 1, [list(g.data["features"][0]["properties"]) for g in _geojsons(fmap)]
    return matches[0]


def _tooltip(layer: maps.WebLayer) -> maps.Tooltip:
    assert layer.tooltip is not None
    return layer.tooltip


def _render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


# --- the home map -------------------------------------------------------------------


def test_home_map_draws_the_17_territories_with_tooltips(prepared_fr):
    fmap = maps.home_map(prepared_fr, "fr", basemap="none")
    territories = _layer_with(fmap, "territory_label")
    ids = [f["properties"]["id"] for f in territories.data["features"]]
    assert ids == list(TERRITORY_IDS)
    # One compact tooltip per territory (no table of aliases): number and name in bold, target
    # and status, precision, perimeter version.
    tip = _tooltip(territories)
    assert tip.field == "tip" and tip.html and not tip.label
    seraing = next(f for f in territories.data["features"] if f["properties"]["id"] == "seraing")
    assert seraing["properties"]["target_label"] == "60"
    assert seraing["properties"]["number"] == 3
    assert seraing["properties"]["precision_label"].startswith("périmètre indicatif")
    # No approved version: every territory is drawn with the committed (reference) perimeter.
    vintage = format_date(geodata.data_version().split("+")[0], "fr")
    assert seraing["properties"]["perimeter_label"] == f"périmètre de référence (données du {vintage})"
    assert seraing["properties"]["tip"] == (
        "<strong>3 · Seraing (bas de Seraing, bas d&#x27;Ougrée, bas de Jemeppe)</strong><br>"
        "60 emplois visés · statut 2025 non confirmé<br>"
        "périmètre indicatif, à confirmer par le porteur de projet<br>"
        f"périmètre de référence (données du {vintage})"
    )


def test_indicative_territories_are_dashed_and_hatched(prepared_fr):
    fmap = maps.home_map(prepared_fr, "fr", basemap="none")
    territories = _layer_with(fmap, "territory_label")
    styles = {f["properties"]["id"]: territories.style_function(f) for f in territories.data["features"]}
    registry_indicative = {"flemalle", "seraing", "trooz-chaudfontaine", "herstal-oupeye", "comblain-sprimont-aywaille"}
    for tid, style in styles.items():
        if tid in registry_indicative:
            assert style["dashArray"] == maps.INDICATIVE_DASH
            status = "continued" if tid == "trooz-chaudfontaine" else "unconfirmed"
            assert style["fillColor"] == f"url(#tzcld-hatch-{status})"
        else:
            assert "dashArray" not in style, tid
            assert style["fillColor"].startswith("#"), tid
    # The patterns the fills refer to are defined on the page, one per status colour.
    html = _render(fmap)
    for status, colour in maps.STATUS_COLOURS.items():
        assert f'id=\\"tzcld-hatch-{status}\\"' in html or f'id="tzcld-hatch-{status}"' in html
        assert colour in maps.HatchPatterns.svg()
    assert styles["la-louviere"]["color"] == maps.STATUS_COLOURS["ended"]


def test_legend_is_french_and_explains_indicative_perimeters(prepared_fr):
    fmap = maps.home_map(prepared_fr, "fr", basemap="none")
    legends = [c for c in fmap._children.values() if isinstance(c, maps.Legend)]
    assert len(legends) == 1
    html = legends[0].html
    for text in ("Légende", "poursuivi", "arrêté", "statut 2025 non confirmé", "à confirmer par le porteur de projet"):
        assert text in html
    assert ">actif<" not in html
    # A <details> legend: folded on phones by the Legend control, unfolded by a tap.
    assert html.startswith("<details open><summary>Légende</summary>")
    assert "tzcld-legend" in _render(fmap)


def test_english_map_has_english_tooltips_and_legend(map_layers):
    prepared = maps.prepare_layers(map_layers, "en")
    fmap = maps.home_map(prepared, "en", basemap="none")
    territories = _layer_with(fmap, "territory_label")
    tips = {f["properties"]["id"]: f["properties"]["tip"] for f in territories.data["features"]}
    assert tips["mons-jemappes"].startswith(
        "<strong>9 · Mons (Jemappes and its surroundings)</strong><br>100 jobs targeted"
    )
    assert "Legend" in maps.legend_html("en")
    with pytest.raises(ValueError):
        maps.home_map(prepared, "fr")


# --- the Carte map --------------------------------------------------------------------


def test_territory_map_draws_units_context_and_places(prepared_fr, map_layers):
    fmap = maps.territory_map(prepared_fr, "fr", basemap="none")
    units = _layer_with(fmap, "unit_label")
    assert len(units.data["features"]) == len(map_layers.units)
    assert {f["properties"]["territory_id"] for f in units.data["features"]} == set(TERRITORY_IDS)
    tip = _tooltip(units)
    assert tip.field == "tip"
    flenu = next(
        f["properties"] for f in units.data["features"] if f["properties"]["unit_label"] == "Flénu (alentours)"
    )
    assert flenu["tip"].startswith(
        "<strong>9 · Mons (Jemappes et ses alentours)</strong><br>Quartier / village : Flénu"
    )
    # Base layers (the basemaps, one shown), then the context: Wallonia outline, provinces, the
    # territories' communes (named), units, places.
    groups = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    assert groups == [
        "Aucun fond (hors ligne)",
        "Wallonie",
        "Provinces",
        "Communes des territoires",
        "Quartiers et villages des territoires",
        "Lieux nommés (OpenStreetMap)",
    ]
    places = [g for g in _geojsons(fmap) if g.point is not None]
    assert len(places) == 1 and len(places[0].data["features"]) > 0
    assert set(places[0].data["features"][0]["properties"]) == {"name", "territory_id"}
    assert any(isinstance(c, folium.LayerControl) for c in fmap._children.values())


def test_named_places_are_shown_once_a_territory_is_selected(prepared_fr):
    def places_shown(fmap) -> bool:
        group = next(
            c
            for c in fmap._children.values()
            if isinstance(c, folium.FeatureGroup) and c.layer_name.startswith("Lieux nommés")
        )
        return group.show

    # Over the whole of Wallonia the places would hide the small territories.
    assert not places_shown(maps.territory_map(prepared_fr, "fr", basemap="none"))
    assert places_shown(maps.territory_map(prepared_fr, "fr", basemap="none", territory_id="seraing"))


def test_places_are_those_listed_or_of_indicative_territories(map_layers):
    shown = maps.shown_places(map_layers.places, map_layers.territories)
    indicative = set(map_layers.territories.query("precision == 'indicative'")["id"])
    assert 0 < len(shown) < len(map_layers.places)
    assert all(row.listed or row.territory_id in indicative for row in shown.itertuples())
    assert indicative <= set(shown["territory_id"])


def test_selected_territory_is_zoomed_and_thickened(prepared_fr):
    fmap = maps.territory_map(prepared_fr, "fr", basemap="none", territory_id="seraing")
    fits = [c for c in fmap._children.values() if isinstance(c, maps.FrameLayers)]
    (south, west), (north, east) = fits[-1].bounds
    (w_south, w_west), (w_north, w_east) = maps.WALLONIA_BOUNDS
    assert w_south < south < north < w_north and w_west < west < east < w_east
    assert north - south < 0.3 and east - west < 0.3  # a few km, not all of Wallonia
    assert (south, west, north, east) == pytest.approx(
        [v for pair in prepared_fr.territory_bounds["seraing"] for v in pair]
    )
    units = _layer_with(fmap, "unit_label")
    weights = {f["properties"]["territory_id"]: units.style_function(f)["weight"] for f in units.data["features"]}
    assert weights["seraing"] > weights["liege"]
    with pytest.raises(KeyError):
        maps.territory_map(prepared_fr, "fr", basemap="none", territory_id="atlantis")


def test_territory_bounds_of_a_layer(map_layers):
    (south, west), (north, east) = maps.territory_bounds(map_layers.territories, "bertrix")
    assert 49.7 < south < north < 50.0 and 5.1 < west < east < 5.4
    with pytest.raises(KeyError):
        maps.territory_bounds(map_layers.territories, "atlantis")
    # Lambert 72 input is reprojected to degrees.
    lambert = map_layers.territories.to_crs("EPSG:31370")
    (s2, w2), (n2, e2) = maps.territory_bounds(lambert, "bertrix")
    assert [s2, w2, n2, e2] == pytest.approx([south, west, north, east], abs=1e-5)


# --- basemaps, credits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "osm"),
        ("", "osm"),
        ("osm", "osm"),
        ("NGI", "ngi"),
        ("aucun", "none"),
        ("none", "none"),
        ("n'importe quoi", "osm"),
    ],
)
def test_parse_basemap(value, expected):
    assert maps.parse_basemap(value) == expected


def test_basemaps():
    def tiles(fmap):
        return [c for c in fmap._children.values() if isinstance(c, folium.TileLayer)]

    osm = tiles(maps.base_map("osm"))
    assert [t.tiles for t in osm] == [maps.OSM_TILES]
    assert "OpenStreetMap" in osm[0].options["attribution"]
    ngi = tiles(maps.base_map("ngi"))
    assert [t.tiles for t in ngi] == ["https://cartoweb.wmts.ngi.be/1.0.0/topo/default/3857/{z}/{y}/{x}.png"]
    assert "© " in ngi[0].options["attribution"] and "IGN/NGI" in ngi[0].options["attribution"]
    assert tiles(maps.base_map("none")) == []
    assert "tile.openstreetmap.org" not in _render(maps.base_map("none"))


def test_producers_are_credited_in_the_map_attribution(prepared_fr):
    assert "Statbel" in prepared_fr.credit and "OpenStreetMap" in prepared_fr.credit
    html = _render(maps.territory_map(prepared_fr, "fr", basemap="none"))
    assert "control.addAttribution(part)" in html
    assert "Statbel" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("basemap", ["osm", "ngi", "none"])
def test_attribution_names_each_producer_once_on_one_line(basemap, lang):
    """One compact line: each producer once (OpenStreetMap is both the basemap and a data
    source: the tile layer carries the very text of the data credit, which Leaflet counts
    once), from the catalogue in the page's language."""
    fmap = maps.base_map(basemap, lang, credit="Source : Statbel …")
    credit = next(c for c in fmap._children.values() if isinstance(c, maps.Attribution))
    parts = credit.parts
    assert len(parts) == len(set(parts))
    producers = ["OpenStreetMap", "Statbel", "SPW – ICAR", "BOSA BeST Address"] + (["NGI"] if basemap == "ngi" else [])
    for producer in producers:
        assert sum(producer in part for part in parts) == 1, (producer, parts)
    for tile in (c for c in fmap._children.values() if isinstance(c, folium.TileLayer)):
        assert tile.options["attribution"] in parts
    text = credit.text
    assert "les contributeurs" not in text and "Direction générale" not in text and "Source :" not in text
    assert len(re.sub("<[^>]+>", "", text)) < 70  # fits one line on a desktop map
    # Without data (a bare basemap) only the basemap's producer is credited.
    bare = next(c for c in maps.base_map(basemap, lang)._children.values() if isinstance(c, maps.Attribution))
    assert ("OpenStreetMap" in bare.text) == (basemap == "osm")


# --- unknown stays unknown; layer data -----------------------------------------------------


def test_unknown_job_target_is_never_zero():
    gdf = gpd.GeoDataFrame(
        {
            "id": ["x"],
            "name": ["X"],
            "job_target": [None],
            "status": ["active"],
            "precision": ["communes"],
            "units": [["A", "B"]],
        },
        geometry=[box(5.0, 50.0, 5.1, 50.1)],
        crs="EPSG:4326",
    )
    props = maps.territories_data(gdf, "fr").geojson["features"][0]["properties"]
    assert props["target_label"] == "non communiqué"
    assert props["units_label"] == "A, B"


def test_layer_data_rounds_coordinates_and_sets_ids(map_layers):
    data = maps.layer_data(map_layers.wallonia)
    text = json.dumps(data.geojson["features"][0]["geometry"])
    decimals = [len(m) for m in re.findall(r"\.(\d+)", text)]
    assert decimals and max(decimals) <= maps.COORD_DECIMALS
    assert [f["id"] for f in data.geojson["features"]] == [str(i) for i in range(len(data))]


# --- local assets only ----------------------------------------------------------------


def test_localized_map_loads_only_vendored_assets(prepared_fr):
    fmap = localize_assets(maps.territory_map(prepared_fr, "fr", basemap="none", territory_id="liege"))
    urls = asset_urls(fmap)
    assert any(u.endswith("/leaflet/1.9.3/leaflet.js") for u in urls)
    assert any(u.endswith("/leaflet/1.9.3/leaflet.css") for u in urls)
    for url in urls:
        assert url.startswith("/app/static/vendor/"), url
        assert map_assets.vendored_file(url).is_file(), url
    html = _render(fmap)
    loaded = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert loaded and all(u.startswith("/app/static/vendor/") for u in loaded), loaded


def test_vendor_url_honours_base_url_path():
    assert map_assets.vendor_url("") == "/app/static/vendor"
    assert map_assets.vendor_url("/tzcld/") == "/tzcld/app/static/vendor"
    fmap = localize_assets(maps.base_map("none"), map_assets.vendor_url("tzcld"))
    assert all(u.startswith("/tzcld/app/static/vendor/") for u in asset_urls(fmap))


def test_unvendored_asset_fails_loudly():
    fmap = maps.base_map("none")
    folium.plugins.MarkerCluster().add_to(fmap)  # brings its own CDN assets
    with pytest.raises(UnvendoredAssetError):
        localize_assets(fmap)
    with pytest.raises(UnvendoredAssetError):
        map_assets.local_url("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@2.0.0/dist/leaflet.js")


def test_vendored_files_match_their_manifest():
    manifest = json.loads((VENDOR_DIR / "ASSETS.json").read_text(encoding="utf-8"))
    listed = {}
    for package in manifest["packages"]:
        assert package["licence"]
        listed.update(package["files"])
    for asset in map_assets.VENDORED:
        assert asset.path in listed, asset.path
    for path, digest in listed.items():
        assert hashlib.sha256((VENDOR_DIR / path).read_bytes()).hexdigest() == digest, path
    # Every package ships its licence text.
    folders = {p["folder"] for p in manifest["packages"] if p["folder"] != "folium"}
    for folder in folders:
        assert any((VENDOR_DIR / folder / name).is_file() for name in ("LICENSE", "LICENSE.txt")), folder


def test_geodata_readers_feed_the_maps():
    assert len(geodata.read_territories()) == 17


def test_building_maps_leaves_the_cached_layers_untouched(prepared_fr):
    import copy

    before = copy.deepcopy(prepared_fr)
    for territory_id in (None, "seraing"):
        _render(localize_assets(maps.territory_map(prepared_fr, "fr", "none", territory_id)))
    _render(localize_assets(maps.home_map(prepared_fr, "fr", "osm")))
    assert prepared_fr == before


def test_territories_table_beside_the_map():
    from tzcld.territories import load_registry

    table = maps.territories_table(load_registry(), "fr")
    assert list(table.columns) == [
        "N°",
        "Territoire",
        "Province",
        "Objectif d'emplois",
        "Statut",
        "Précision du périmètre",
        "Identifiant",
    ]
    assert list(table["Identifiant"]) == list(TERRITORY_IDS)
    assert table["Objectif d'emplois"].sum() == 725
    louviere = table.set_index("Identifiant").loc["la-louviere"]
    assert louviere["Statut"] == "arrêté"
    assert list(table["N°"]) == list(range(1, 18))  # the numbers of the map's markers
    english = maps.territories_table(load_registry(), "en")
    assert list(english.columns)[:2] == ["No.", "Territory"]
    assert "Mons (Jemappes and its surroundings)" in list(english["Territory"])
