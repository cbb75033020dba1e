"""The geodata build (tzcld.geodata.build / sources / cli): determinism, geometry rules,
raw readers in the producers' schemas, clear French errors."""

from __future__ import annotations

import copy
import filecmp
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from tests.conftest import RAW_DIR, requires_raw
from tzcld.cli import main as cli_main
from tzcld.config import GEODATA_DIR, LAMBERT72, LAMBERT2008
from tzcld.geodata import build as geobuild
from tzcld.geodata import layers, sources
from tzcld.geometry import voronoi_cells
from tzcld.territories import REGISTRY_PATH, parse_registry

COMMITTED = [*geobuild.OUTPUT_FILES, "manifest.json"]


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory) -> geobuild.BuildResult:
    out = tmp_path_factory.mktemp("geodata-rebuild")
    return geobuild.build(raw=RAW_DIR, out=out, progress=lambda _msg: None)


@requires_raw
def test_rebuild_reproduces_committed_files_byte_for_byte(rebuilt):
    different = [rel for rel in COMMITTED if not filecmp.cmp(rebuilt.out_dir / rel, GEODATA_DIR / rel, shallow=False)]
    assert not different, (
        f"committed geodata differs from a rebuild: {different} — run `python -m tzcld geodata build` "
        "and commit geodata/"
    )


@requires_raw
def test_build_is_deterministic(rebuilt, tmp_path):
    again = geobuild.build(raw=RAW_DIR, out=tmp_path / "again", progress=lambda _msg: None)
    assert again.outputs == rebuilt.outputs
    assert again.data_version == rebuilt.data_version
    for rel in COMMITTED:
        assert (tmp_path / "again" / rel).read_bytes() == (rebuilt.out_dir / rel).read_bytes(), rel


@requires_raw
def test_rebuild_outputs_are_readable_by_the_layer_api(rebuilt):
    out = rebuilt.out_dir
    assert len(layers.read_territories(out)) == 17
    assert layers.read_perimeters(out).crs.to_epsg() == 31370
    assert layers.data_version(out) == rebuilt.data_version


# --------------------------------------------------------------------------- geometry rules


def _registry_doc() -> dict:
    with REGISTRY_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


SYNTHETIC_PERIMETERS = {
    "verviers-dison": [
        {"unit": "Hodimont", "sectors": ["63079A600", "63079G19-"], "rationale": "test"},
        {"unit": "Prés-Javais", "sectors": ["63079A11-"], "rationale": "test"},
        {"unit": "Centre de Dison", "sections": ["63020A"], "rationale": "test"},
    ],
    "la-louviere": [{"unit": "Saint-Vaast", "sections": ["55022D"], "rationale": "test"}],
    "gembloux": [{"unit": "Centre", "sectors": ["92142A00-", "92142Z99-"], "rationale": "test"}],
    "seraing": [{"unit": "Bas de Seraing", "sections": ["62096A"], "rationale": "test"}],
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A build from the real raw data and a registry with address-derived perimeters."""
    folder = tmp_path_factory.mktemp("synthetic")
    doc = copy.deepcopy(_registry_doc())
    for t in doc["territories"]:
        if t["id"] in SYNTHETIC_PERIMETERS:
            t["perimeter"] = SYNTHETIC_PERIMETERS[t["id"]]
    reg = folder / "territories.yaml"
    reg.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = geobuild.build(raw=RAW_DIR, out=folder / "out", registry_path=reg, progress=lambda _m: None)
    registry = parse_registry(doc)
    ctx = geobuild.GeometryContext(RAW_DIR, registry, lambda _m: None)
    return result, layers.read_perimeters(folder / "out"), layers.read_units(folder / "out"), ctx


@requires_raw
def test_address_derived_sectors_are_voronoi_cells_inside_their_commune(synthetic):
    _result, perim, _units, ctx = synthetic
    verviers = perim[perim["territory_id"] == "verviers-dison"]
    assert set(verviers["method"]) == {"best-voronoi"}
    assert set(verviers["unit"]) == {"Hodimont", "Prés-Javais", "Centre de Dison"}
    dison_sectors = ctx.table.loc[ctx.table["cd_sub_munty"] == "63020A", "cd_sector"]
    assert set(verviers.loc[verviers["unit"] == "Centre de Dison", "unit_code"]) <= set(dison_sectors)
    for row in verviers.itertuples():
        commune = ctx.commune_geometry(row.commune_refnis)
        assert row.geometry.difference(commune).area < 1.0
    geoms = list(verviers.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 1.0


@requires_raw
def test_voronoi_cells_tile_the_commune_and_hold_their_points(synthetic):
    _result, _perim, _units, ctx = synthetic
    commune = "63020"  # Dison
    sectors = ctx.commune_sectors[commune]
    cells = {s: ctx.voronoi_sector(s) for s in sectors}
    cells = {s: g for s, g in cells.items() if g is not None}
    assert len(cells) >= 0.8 * len(sectors)
    union = shapely.union_all(list(cells.values()))
    assert abs(union.area - ctx.commune_geometry(commune).area) < 1e-4 * union.area
    pts = ctx._address_points()
    pts = pts[pts["cd_sector"] == "63020A00-"]
    inside = shapely.covers(cells["63020A00-"], shapely.points(pts[["x", "y"]].to_numpy()))
    assert inside.mean() > 0.99


@requires_raw
def test_new_refnis_codes_map_to_2011_communes(synthetic):
    _result, perim, _units, ctx = synthetic
    assert ctx.old_refnis["58001"] == "55022"  # La Louvière, renumbered on 1 Jan 2019
    rows = perim[perim["territory_id"] == "la-louviere"]
    assert len(rows) and (rows["commune_refnis"] == "58001").all()
    assert (rows["unit_code"].str.startswith("55022D")).all()
    ll = ctx.commune_geometry("58001")
    assert 60e6 < ll.area < 66e6  # La Louvière: 64 km²


@requires_raw
def test_commune_polygons_of_two_vintages_do_not_overlap(synthetic):
    _result, _perim, _units, ctx = synthetic
    charleroi = ctx.commune_geometry("52011")  # union of 2023 sector polygons
    for neighbour in ("52018", "52015", "52025"):  # Farciennes, Châtelet, Fleurus (2011 polygons)
        assert charleroi.intersection(ctx.commune_geometry(neighbour)).area < 1.0


@requires_raw
def test_unknown_codes_warn_and_indicative_draws_whole_communes(synthetic):
    result, perim, units, _ctx = synthetic
    assert any("92142Z99-" in w for w in result.warnings)
    assert set(perim.loc[perim["territory_id"] == "gembloux", "unit_code"]) == {"92142A00-"}
    seraing = perim[perim["territory_id"] == "seraing"]
    assert list(seraing["unit_kind"]) == ["commune"] and list(seraing["unit_code"]) == ["62096"]
    rationale = units.loc[units["territory_id"] == "seraing", "rationale"].iloc[0]
    assert "indicatif" in rationale and "Bas de Seraing" in rationale


@requires_raw
def test_unresearched_perimeter_falls_back_to_communes_with_warning(tmp_path):
    doc = copy.deepcopy(_registry_doc())
    for t in doc["territories"]:
        if t["id"] == "gembloux":
            t["perimeter"] = []
    reg = tmp_path / "territories.yaml"
    reg.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = geobuild.build(raw=RAW_DIR, out=tmp_path / "out", registry_path=reg, progress=lambda _m: None)
    assert any("gembloux" in w and "non renseigné" in w for w in result.warnings)
    perim = layers.read_perimeters(tmp_path / "out")
    assert list(perim.loc[perim["territory_id"] == "gembloux", "unit_code"]) == ["92142"]


# --------------------------------------------------------------------------- raw readers


def test_voronoi_helper_on_synthetic_points():
    square = shapely.MultiPolygon([shapely.box(0, 0, 100, 100)])
    pts = pd.DataFrame(
        {"x": [10.0, 20.0, 80.0, 90.0], "y": [10.0, 80.0, 20.0, 90.0], "cd_sector": ["A", "A", "B", "B"]}
    )
    cells = voronoi_cells(pts, square)
    assert set(cells) == {"A", "B"}
    assert cells["A"].area + cells["B"].area == pytest.approx(10_000)
    assert cells["A"].intersection(cells["B"]).area == pytest.approx(0)
    assert cells["A"].contains(shapely.Point(10, 10)) and cells["B"].contains(shapely.Point(90, 90))


@requires_raw
def test_official_statbel_sector_file_name_columns_and_crs_are_accepted(tmp_path):
    """A full official download (``sh_statbel_statistical_sectors_3812_*.gpkg``, upper-case
    columns, Lambert 2008) is read like the sample file."""
    sample = sources.read_sector_polygons(RAW_DIR).head(5)
    official = gpd.GeoDataFrame(
        sample.drop(columns="geometry").rename(columns=str.upper), geometry=sample.geometry.values, crs=LAMBERT72
    ).to_crs(LAMBERT2008)
    official.to_file(tmp_path / "sh_statbel_statistical_sectors_3812_20240101.gpkg", layer="sh_statbel", driver="GPKG")
    found = sources.find_input(tmp_path, "sector_polygons")
    assert found.name.startswith("sh_statbel_statistical_sectors")
    back = sources.read_sector_polygons(tmp_path)
    assert back.crs.to_epsg() == 31370
    assert list(back["cd_sector"]) == list(sample["cd_sector"])
    assert np.allclose(back.geometry.area, sample.geometry.area, rtol=1e-6)
    # without a sector table, the polygons' attributes serve as the table
    table = sources.read_sector_table(tmp_path)
    assert list(table["cd_sector"]) == list(sample["cd_sector"])


def test_refnis_codes_are_normalised():
    s = pd.Series([3000, "3000.0", "62063", 58001.0])
    assert list(sources.refnis(s)) == ["03000", "03000", "62063", "58001"]


@requires_raw
def test_address_points_are_deduplicated_and_sorted():
    pts = sources.read_address_points(RAW_DIR, ["63020A00-", "63020A01-"])
    assert len(pts) > 100
    assert not pts.duplicated(["x", "y"]).any()
    assert pts[["x", "y"]].equals(pts.sort_values(["x", "y"])[["x", "y"]])
    assert set(pts["cd_sector"]) <= {"63020A00-", "63020A01-"}


def test_missing_raw_folder_gives_french_error_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = cli_main(["geodata", "build", "--raw", str(tmp_path / "absent"), "--out", str(out)])
    assert code == 1
    assert "Dossier des données brutes introuvable" in capsys.readouterr().err
    assert not out.exists()


@requires_raw
def test_missing_raw_file_names_the_dataset_in_french(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in RAW_DIR.iterdir():
        if f.name != "statbel_admin_units_2011.gpkg":
            (raw / f.name).symlink_to(f)
    code = cli_main(["geodata", "build", "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert code == 1
    err = capsys.readouterr().err
    assert "Donnée brute introuvable" in err and "Unités administratives" in err
    assert not (tmp_path / "out" / "territories.geojson").exists()


def test_cli_registers_geodata_build():
    from tzcld.cli import build_parser

    args = build_parser().parse_args(["geodata", "build", "--raw", "R", "--out", "O"])
    assert (args.raw, args.out) == ("R", "O") and callable(args.handler)


@requires_raw
def test_bad_registry_gives_french_error(tmp_path, capsys):
    doc = copy.deepcopy(_registry_doc())
    doc["territories"][0]["status"] = "paused"
    reg = tmp_path / "territories.yaml"
    reg.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code = cli_main(["geodata", "build", "--registry", str(reg), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "statut inconnu" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
