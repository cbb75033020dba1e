"""The address check's start-up readers (no geopandas, pyogrio or pyproj for the perimeters):
the same data as the geopandas readers, to the bit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from shapely.geometry import MultiPolygon, Polygon, box

from tzcld import coords, territories
from tzcld.config import LAMBERT72
from tzcld.eligibility import Classifier
from tzcld.geodata import layers
from tzcld.perimeters.published import PUBLISHED_COLUMNS


def _same(light: pd.DataFrame, heavy: gpd.GeoDataFrame) -> None:
    """Same columns in the same order, same attributes and dtypes, same geometries (WKB)."""
    assert list(light.columns) == [*layers.PERIMETER_COLUMNS, "geometry"] == list(heavy.columns)
    pd.testing.assert_frame_equal(light.drop(columns="geometry"), pd.DataFrame(heavy.drop(columns="geometry")))
    a, b = np.asarray(light["geometry"], dtype=object), np.asarray(heavy.geometry.values, dtype=object)
    assert len(a) == len(b)
    assert [None if g is None else g.wkb for g in a] == [None if g is None else g.wkb for g in b]
    both = ~shapely.is_missing(a)
    assert (shapely.is_missing(a) == shapely.is_missing(b)).all()
    assert shapely.equals_exact(a[both], b[both], tolerance=0).all()


def test_light_reader_gives_what_the_geopandas_reader_gives():
    light, heavy = layers.read_perimeter_table(), layers.read_perimeters()
    assert len(light) == 129
    _same(light, heavy)


def test_light_reader_on_a_file_with_nulls_empties_and_odd_rows(tmp_path: Path):
    """A GeoPackage written by GDAL with a null geometry, an empty one, missing attributes,
    polygons and multipolygons, negative and large coordinates: both readers agree."""
    rng = np.random.default_rng(7)
    geoms: list = [
        MultiPolygon([box(150_000.5, 120_000.25, 151_000.125, 121_000.0625)]),
        None,
        MultiPolygon(),
        MultiPolygon([Polygon(rng.uniform(-1e6, 1e6, (7, 2))), box(1, 2, 3, 4)]),
        MultiPolygon([box(0.1 + i, 0.2, 0.3 + i, 0.4) for i in range(5)]),
    ]
    n = len(geoms)
    frame = gpd.GeoDataFrame(
        {
            "territory_id": ["a", "b", None, "c", "é-ü"],
            "unit": ["U 1", "", "x", None, "Œuvre"],
            "unit_kind": ["sector"] * n,
            "unit_code": ["62063A001", "1", "2", "3", "4"],
            "commune_refnis": ["62063"] * n,
            "precision": ["official", "communes", "indicative", "sectors", "official"],
            "method": ["m"] * n,
            "area_m2": [1.5, np.nan, 0.0, 1e12, -0.0],
        },
        geometry=geoms,
        crs=LAMBERT72,
    )
    frame.to_file(tmp_path / "perimeters.gpkg", layer=layers.PERIMETER_LAYER, driver="GPKG")
    _same(layers.read_perimeter_table(tmp_path), layers.read_perimeters(tmp_path))


def test_gpkg_blob_envelopes_and_flags():
    wkb = box(0, 0, 1, 1).wkb
    for kind, size in enumerate((0, 32, 48, 48, 64)):
        for endian in (0, 1):
            blob = b"GP\x00" + bytes([kind << 1 | endian]) + (31370).to_bytes(4, "little") + b"\x00" * size + wkb
            assert layers._gpkg_wkb(blob) == wkb
    empty = MultiPolygon().wkb
    assert layers._gpkg_wkb(b"GP\x00\x11" + b"\x00" * 4 + empty) == empty  # the empty flag: WKB follows
    assert layers._gpkg_wkb(None) is None
    for bad in (wkb, b"GP\x00\x0f" + b"\x00" * 4 + wkb, b"GP\x00\x21" + b"\x00" * 4 + wkb, b"GP"):
        with pytest.raises(ValueError):
            layers._gpkg_wkb(bad)


def test_missing_perimeters_give_the_french_message(tmp_path: Path):
    with pytest.raises(layers.GeodataNotBuiltError):
        layers.read_perimeter_table(tmp_path)


def test_both_classifiers_are_the_same():
    """The classifier of the light table and that of the GeoDataFrame: same index, answers."""
    light, heavy = Classifier(layers.read_perimeter_table()), Classifier(layers.read_perimeters())
    assert [g.wkb for g in light.geoms] == [g.wkb for g in heavy.geoms]
    for name in ("unit_names", "unit_kinds", "unit_codes", "unit_precision", "unit_territory"):
        assert np.array_equal(getattr(light, name), getattr(heavy, name)), name
    assert light.territory_ids == heavy.territory_ids and light.sector_unit == heavy.sector_unit
    rng = np.random.default_rng(3)
    x, y = rng.uniform(100_000, 260_000, 20_000), rng.uniform(20_000, 165_000, 20_000)
    a, b = light.classify(x, y), heavy.classify(x, y)
    for field in ("status", "unit", "territory", "nearest", "distance_to_boundary_m", "reasons"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


def test_published_columns_are_the_perimeter_columns_and_the_version():
    assert (*layers.PERIMETER_COLUMNS, "perimeter_version") == PUBLISHED_COLUMNS


def test_wallonia_outline_is_the_geopandas_one_to_the_bit():
    coords._wallonia.cache_clear()
    outline = coords._wallonia()
    expected = layers.read_context("wallonia").to_crs(LAMBERT72).geometry.union_all()
    expected = shapely.buffer(expected, coords.WALLONIA_TOLERANCE_M)
    assert outline is not None and outline.wkb == expected.wkb
    wgs = layers.read_context_geometries("wallonia")
    assert [g.wkb for g in wgs] == [g.wkb for g in layers.read_context("wallonia").geometry]


def test_registry_loader_builds_the_same_document():
    text = territories.REGISTRY_PATH.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=territories.SAFE_LOADER) == yaml.safe_load(text)
    if hasattr(yaml, "CSafeLoader"):  # libyaml is installed here: the fast loader is used
        assert territories.SAFE_LOADER is yaml.CSafeLoader


def test_check_file_on_coordinates_loads_neither_geopandas_nor_pyogrio(tmp_path: Path):
    """The file check's start-up reads the perimeters and Wallonia's outline without them."""
    src = tmp_path / "points.csv"
    src.write_text("lat,lon\n50.41,4.44\n50.6,5.5\n", encoding="utf-8")
    probe = (
        "import sys; from tzcld.cli import main; "
        f"code = main(['check-file', {str(src)!r}, '-o', {str(tmp_path / 'out.csv')!r}]); "
        "print(code, sorted(m for m in ('geopandas', 'pyogrio', 'fiona') if m in sys.modules))"
    )
    env = {**os.environ, "TZCLD_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent
    )
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").count("\n") == 3
