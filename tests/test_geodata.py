"""The committed derived geodata (geodata/*.geojson, perimeters.gpkg, manifest.json) and
its reader API (tzcld.geodata.layers). No raw data needed."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import shapely

from tzcld.config import GEODATA_DIR, LAMBERT72
from tzcld.geodata import layers
from tzcld.geodata.build import OUTPUT_FILES, perimeter_version
from tzcld.geodata.sources import sha256_file
from tzcld.territories import PRECISIONS, STATUSES, TERRITORY_IDS, load_registry

WEB_LIMIT_BYTES = 800_000  # "well under 1 MB"
#: Overlap allowed between two territories: exact perimeters (m²) and web layers (m²).
EXACT_OVERLAP_M2 = 5.0
WEB_OVERLAP_M2 = 2_000.0
#: Area of a unit allowed outside its commune (m²; the context communes are simplified).
OUTSIDE_COMMUNE_M2 = 2_000.0
#: The context communes are simplified for the web: compare against them with this slack (m).
COMMUNE_SIMPLIFICATION_SLACK_M = 50.0

TERRITORY_PROPS = {
    "id",
    "name",
    "province",
    "job_target",
    "status",
    "status_date",
    "status_source",
    "precision",
    "units",
    "communes",
    "perimeter_version",
}
UNIT_PROPS = {
    "territory_id",
    "territory_name",
    "unit",
    "unit_kind",
    "codes",
    "job_target",
    "status",
    "precision",
    "rationale",
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def territories():
    return layers.read_territories()


@pytest.fixture(scope="module")
def units():
    return layers.read_units()


@pytest.fixture(scope="module")
def perimeters():
    return layers.read_perimeters()


@pytest.fixture(scope="module")
def wallonia_lambert():
    return layers.read_context("wallonia").to_crs(LAMBERT72).geometry.union_all()


@pytest.fixture(scope="module")
def communes_lambert():
    gdf = layers.read_context("communes").to_crs(LAMBERT72)
    return dict(zip(gdf["refnis"], gdf.geometry, strict=True))


def test_web_layers_are_well_under_one_megabyte():
    for name in ("territories.geojson", "units.geojson"):
        size = (GEODATA_DIR / name).stat().st_size
        assert 10_000 < size < WEB_LIMIT_BYTES, (name, size)


def test_territories_layer_matches_registry(territories, registry):
    assert list(territories["id"]) == list(TERRITORY_IDS)
    doc = layers.read_territories_geojson()
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 17
    assert set(doc["features"][0]["properties"]) >= TERRITORY_PROPS
    for row in territories.itertuples():
        t = registry[row.id]
        assert (row.name, row.province, row.job_target, row.status, row.precision) == (
            t.name,
            t.province,
            t.job_target,
            t.status,
            t.precision,
        )
        assert row.status in STATUSES and row.precision in PRECISIONS
        assert list(row.communes) == [c.name for c in t.communes]
        # the committed layers were built from the registry as it is now
        assert row.perimeter_version == perimeter_version(t), (
            f"{row.id}: geodata/ is stale — run `python -m tzcld geodata build`"
        )
        if t.perimeter:
            assert list(row.units) == [u.unit for u in t.perimeter]
    assert int(territories["job_target"].sum()) == 725


def test_units_layer_one_feature_per_named_unit(units, registry):
    assert set(units.columns) >= UNIT_PROPS
    assert set(units["unit_kind"]) <= {"sectors", "sections", "communes", "postcodes"}
    for t in registry:
        rows = units[units["territory_id"] == t.id]
        assert len(rows), t.id
        assert (rows["job_target"] == t.job_target).all()
        assert (rows["precision"] == t.precision).all()
        drawable = t.perimeter and (
            not t.is_indicative or all(u.kind in ("communes", "postcodes") for u in t.perimeter)
        )
        if drawable:
            assert list(rows["unit"]) == [u.unit for u in t.perimeter]
            assert [list(c) for c in rows["codes"]] == [list(u.codes) for u in t.perimeter]
        else:  # not yet researched, or undrawable indicative units: whole communes, flagged
            assert list(rows["unit"]) == [c.name for c in t.communes]
            assert all("commune entière" in r for r in rows["rationale"])
        assert all(isinstance(r, str) and r for r in rows["rationale"])


def test_perimeters_exact_layer_schema(perimeters, registry):
    assert perimeters.crs.to_epsg() == 31370
    assert {"territory_id", "unit", "unit_kind", "unit_code", "precision"} <= set(perimeters.columns)
    assert set(perimeters["unit_kind"]) <= {"sector", "commune", "postcode"}
    assert list(dict.fromkeys(perimeters["territory_id"])) == list(TERRITORY_IDS)
    assert not perimeters.duplicated(["territory_id", "unit_code"]).any()
    assert (perimeters.geometry.geom_type == "MultiPolygon").all()
    for row in perimeters.itertuples():
        t = registry[row.territory_id]
        assert row.precision == t.precision
        if row.unit_kind == "sector":
            assert re.fullmatch(r"\d{5}[A-Z0-9][A-Z0-9-]{3}", row.unit_code)
        elif row.unit_kind == "postcode":  # <REFNIS>-<postcode>
            refnis, postcode = row.unit_code.split("-")
            assert refnis in t.commune_codes and re.fullmatch(r"\d{4}", postcode)
        else:
            assert row.unit_code in t.commune_codes
    # Liège, Mons and Charleroi perimeters come from the official sector polygons
    for tid in ("liege", "mons-jemappes", "charleroi-marchienne"):
        if registry[tid].perimeter:
            rows = perimeters[perimeters["territory_id"] == tid]
            assert (rows["method"] == "statbel-polygon").all(), tid


@pytest.mark.parametrize("layer", ["territories", "units", "perimeters"])
def test_geometries_valid_non_empty_inside_wallonia(layer, wallonia_lambert):
    gdf = {"territories": layers.read_territories, "units": layers.read_units, "perimeters": layers.read_perimeters}[
        layer
    ]()
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    lam = gdf.to_crs(LAMBERT72)
    outside = lam.geometry.difference(wallonia_lambert.buffer(200)).area
    assert (outside < 1.0).all(), outside.max()
    if layer != "perimeters":
        xmin, ymin, xmax, ymax = gdf.total_bounds  # WGS84 degrees: inside Wallonia's box
        assert xmin > 2.8 and xmax < 6.5 and ymin > 49.4 and ymax < 50.9


def test_units_lie_inside_their_communes(perimeters, communes_lambert):
    for row in perimeters.itertuples():
        commune = communes_lambert[row.commune_refnis].buffer(COMMUNE_SIMPLIFICATION_SLACK_M)
        outside = row.geometry.difference(commune).area
        assert outside < OUTSIDE_COMMUNE_M2, (row.territory_id, row.unit_code, outside)
        assert row.geometry.area > 0


def _overlaps(geoms: dict[str, shapely.Geometry]) -> dict[tuple[str, str], float]:
    out = {}
    for (a, ga), (b, gb) in itertools.combinations(geoms.items(), 2):
        if ga.intersects(gb):
            out[(a, b)] = ga.intersection(gb).area
    return out


def test_no_territory_overlaps_another(perimeters, territories):
    exact = {tid: g.geometry.union_all() for tid, g in perimeters.groupby("territory_id")}
    assert len(exact) == 17
    worst = max(_overlaps(exact).values(), default=0.0)
    assert worst < EXACT_OVERLAP_M2, _overlaps(exact)
    web = territories.to_crs(LAMBERT72)
    web_overlaps = _overlaps(dict(zip(web["id"], web.geometry, strict=True)))
    assert max(web_overlaps.values(), default=0.0) < WEB_OVERLAP_M2, web_overlaps


def test_units_of_a_territory_do_not_overlap(perimeters):
    for tid, rows in perimeters.groupby("territory_id"):
        geoms = dict(zip(rows["unit_code"], rows.geometry, strict=True))
        worst = max(_overlaps(geoms).values(), default=0.0)
        assert worst < EXACT_OVERLAP_M2, tid


def test_simplified_layers_stay_close_to_exact(perimeters, territories):
    web = territories.to_crs(LAMBERT72).set_index("id").geometry
    for tid, rows in perimeters.groupby("territory_id"):
        exact = rows.geometry.union_all()
        assert abs(web[tid].area - exact.area) / exact.area < 0.02, tid
        assert web[tid].symmetric_difference(exact).area / exact.area < 0.05, tid


def test_context_layers(registry):
    wal = layers.read_context("wallonia")
    assert len(wal) == 1
    area_km2 = wal.to_crs(LAMBERT72).area.iloc[0] / 1e6
    assert 16_000 < area_km2 < 17_500  # Wallonia: 16,901 km²
    prov = layers.read_context("provinces")
    assert sorted(prov["name"]) == sorted(["Brabant wallon", "Hainaut", "Liège", "Luxembourg", "Namur"])
    assert prov["refnis"].str.fullmatch(r"\d{5}").all()
    com = layers.read_context("communes")
    assert list(com["refnis"]) == [c.refnis for t in registry for c in t.communes]
    assert {"name", "territory_id"} <= set(com.columns)
    places = layers.read_context("places")
    assert {"name", "type", "territory_id"} <= set(places.columns)
    assert set(places["territory_id"]) <= set(TERRITORY_IDS)
    assert (places.geometry.geom_type == "Point").all()
    # named villages of the announcement are found
    for tid, name in [
        ("hotton-durbuy-erezee-rendeux-la-roche", "Bomal"),
        ("herstal-oupeye", "Vivegnis"),
        ("la-louviere", "Strépy-Bracquegnies"),
    ]:
        assert ((places["territory_id"] == tid) & (places["name"] == name)).any(), (tid, name)


def test_unknown_context_layer_is_refused_in_french():
    with pytest.raises(ValueError, match="Couche de contexte inconnue"):
        layers.read_context("rivers")


def test_missing_outputs_give_a_french_message(tmp_path: Path):
    with pytest.raises(layers.GeodataNotBuiltError, match="geodata build"):
        layers.read_territories(tmp_path)


def test_manifest_records_inputs_outputs_and_version():
    manifest = layers.read_manifest()
    keys = {i["key"] for i in manifest["inputs"]}
    assert {"sector_polygons", "sector_table", "address_points", "admin_units", "osm_places"} <= keys
    for item in manifest["inputs"]:
        assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"])
        assert item["vintage"] and item["producer"] and item["licence"] and item["attribution"]
    outputs = {o["file"]: o["sha256"] for o in manifest["outputs"]}
    assert set(outputs) == set(OUTPUT_FILES)
    for rel, digest in outputs.items():
        assert sha256_file(GEODATA_DIR / rel) == digest, f"{rel} changed since the build"
    assert manifest["registry"]["sha256"] == sha256_file(GEODATA_DIR / "territories.yaml"), (
        "territories.yaml changed since the last build: run `python -m tzcld geodata build`"
    )
    params = manifest["parameters"]
    assert params["crs_exact"] == "EPSG:31370" and params["crs_web"] == "EPSG:4326"
    assert params["unit_simplification_m"] > 0
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\+[0-9a-f]{8}", layers.data_version())
    assert layers.data_version() == manifest["data_version"]
    text = (GEODATA_DIR / "manifest.json").read_text(encoding="utf-8")
    assert not re.search(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d", text)  # no build timestamp
    json.loads(text)


def test_attribution_credits_every_producer():
    fr = layers.attribution()
    assert fr == (
        "Source : Statbel (Direction générale Statistique – Statistics Belgium) ; SPW – ICAR ; "
        "BOSA BeST Address ; © les contributeurs d'OpenStreetMap"
    )
    en = layers.attribution("en")
    assert "Statbel" in en and "OpenStreetMap contributors" in en and en != fr
