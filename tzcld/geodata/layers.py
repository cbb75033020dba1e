"""Readers of the committed derived geodata (``geodata/``): cheap, no raw data needed.

CRS: the web layers (territories, units, context) are WGS84 (``EPSG:4326``, degrees,
simplified); the exact perimeters are Belgian Lambert 72 (``EPSG:31370``, metres,
not simplified), for point-in-polygon. Built by ``python -m tzcld geodata build``
(:mod:`tzcld.geodata.build`). Callers that render pages cache these results
(``tzcld.ui``); the functions themselves read the files on each call.

The exact perimeters have two readers sharing :data:`PERIMETER_COLUMNS`:
:func:`read_perimeters` (a GeoDataFrame, through geopandas/pyogrio: pages, exports, the
perimeter versions) and :func:`read_perimeter_table` (a plain DataFrame whose ``geometry``
column holds shapely geometries, read with :mod:`sqlite3` alone: the address check's
start-up, which needs neither geopandas, pyogrio nor pyproj for it). Same rows, order,
attributes and geometries (the same WKB).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tzcld.config import GEODATA_DIR, LAMBERT72, WGS84
from tzcld.errors import TzcldError
from tzcld.i18n import DEFAULT_LANG, t

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: The context layers available to :func:`read_context`.
CONTEXT_LAYERS: tuple[str, ...] = ("wallonia", "provinces", "communes", "places")
#: Attribute columns of the exact perimeters (``perimeters.gpkg``), in order; then ``geometry``.
PERIMETER_COLUMNS: tuple[str, ...] = (
    "territory_id",
    "unit",
    "unit_kind",
    "unit_code",
    "commune_refnis",
    "precision",
    "method",
    "area_m2",
)
#: Layer (table) and geometry column of the exact perimeters in ``perimeters.gpkg``.
PERIMETER_LAYER = "perimeters"
PERIMETER_EPSG = 31370


class GeodataNotBuiltError(TzcldError, FileNotFoundError):
    """A derived layer is missing: run ``python -m tzcld geodata build`` (``geodata.not_built_at``)."""


def _path(name: str, folder: Path | None) -> Path:
    path = Path(folder or GEODATA_DIR) / name
    if not path.exists():
        raise GeodataNotBuiltError("geodata.not_built_at", path=str(path))
    return path


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    with path.open(encoding="utf-8") as fh:
        doc = json.load(fh)
    gdf = gpd.GeoDataFrame.from_features(doc["features"], crs=WGS84)
    cols = list(doc["features"][0]["properties"]) if doc["features"] else []
    return gdf[[*cols, "geometry"]] if cols else gdf


def read_territories_geojson(folder: Path | None = None) -> dict[str, Any]:
    """``territories.geojson`` as a GeoJSON dict (WGS84), 17 features in registry order."""
    with _path("territories.geojson", folder).open(encoding="utf-8") as fh:
        return json.load(fh)


def read_territories(folder: Path | None = None) -> gpd.GeoDataFrame:
    """One row per territory (WGS84, simplified): ``id``, ``name``, ``province``,
    ``job_target``, ``status``, ``status_date``, ``status_source``, ``precision``,
    ``indicative``, ``units``, ``communes``, ``perimeter_version``, ``area_km2``..."""
    return _read_geojson(_path("territories.geojson", folder))


def read_units(folder: Path | None = None) -> gpd.GeoDataFrame:
    """One row per (territory, named unit) (WGS84, simplified): ``territory_id``,
    ``territory_name``, ``unit``, ``unit_kind``, ``codes``, ``job_target``, ``status``,
    ``precision``, ``indicative``, ``rationale``, ``area_km2``."""
    return _read_geojson(_path("units.geojson", folder))


def read_perimeters(folder: Path | None = None) -> gpd.GeoDataFrame:
    """Exact perimeters (EPSG:31370, metres), one row per elementary unit:
    ``territory_id``, ``unit``, ``unit_kind`` (``sector``|``commune``), ``unit_code``,
    ``commune_refnis``, ``precision``, ``method``, ``area_m2``, MultiPolygon geometry."""
    import pyogrio

    gdf = pyogrio.read_dataframe(_path("perimeters.gpkg", folder), layer=PERIMETER_LAYER)
    if gdf.crs is None or gdf.crs.to_epsg() != PERIMETER_EPSG:  # pragma: no cover - written by build
        gdf = gdf.set_crs(LAMBERT72, allow_override=True)
    return gdf[[*PERIMETER_COLUMNS, "geometry"]]


def _gpkg_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (``None`` for a null geometry).

    The blob is ``GP``, a version byte, a flags byte (bit 0: little-endian header; bits
    1–3: envelope kind, 0/32/48/48/64 bytes; bit 4: empty, whose WKB still follows), the
    ``srs_id`` (4 bytes), the envelope, then standard WKB (GeoPackage 1.x, clause 2.1.3)."""
    if blob is None:
        return None
    kind = (blob[3] >> 1) & 0b111 if blob[:2] == b"GP" and len(blob) >= 8 else 7
    if kind > 4 or blob[3] & 0b10_0000:  # not a GeoPackage blob, or an extension's geometry
        raise ValueError("perimeters.gpkg: not a standard GeoPackage geometry blob")
    return bytes(blob[8 + (0, 32, 48, 48, 64)[kind] :])


def read_perimeter_table(folder: Path | None = None) -> pd.DataFrame:
    """:func:`read_perimeters` without geopandas, pyogrio or pyproj: the same rows in the
    same order, the same :data:`PERIMETER_COLUMNS` (same dtypes) and a ``geometry`` column
    of the same shapely geometries (EPSG:31370 implied: the file's only CRS, checked), in
    a plain :class:`pandas.DataFrame` (for :class:`tzcld.eligibility.Classifier`)."""
    import numpy as np
    import pandas as pd
    import shapely

    path = _path("perimeters.gpkg", folder)
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        column, srs = con.execute(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (PERIMETER_LAYER,)
        ).fetchone()
        if int(srs) != PERIMETER_EPSG:  # pragma: no cover - written by build
            raise ValueError(f"perimeters.gpkg: srs_id {srs}, expected {PERIMETER_EPSG}")
        names = ", ".join(f'"{c}"' for c in (column, *PERIMETER_COLUMNS))
        rows = con.execute(f'SELECT {names} FROM "{PERIMETER_LAYER}" ORDER BY rowid').fetchall()
    finally:
        con.close()
    geoms = shapely.from_wkb(np.array([_gpkg_wkb(r[0]) for r in rows], dtype=object))
    data: dict[str, Any] = {
        name: pd.Series([r[i + 1] for r in rows], dtype="float64" if name == "area_m2" else "str")
        for i, name in enumerate(PERIMETER_COLUMNS)
    }
    data["geometry"] = pd.Series(geoms, dtype=object)
    return pd.DataFrame(data)


def read_context(name: str, folder: Path | None = None) -> gpd.GeoDataFrame:
    """A context layer (WGS84, simplified): ``wallonia``, ``provinces`` (``refnis``,
    ``name``), ``communes`` (``refnis``, ``name``, ``territory_id``) or ``places``
    (``name``, ``type``, ``territory_id``, ``listed``)."""
    if name not in CONTEXT_LAYERS:
        raise ValueError(t("geodata.unknown_layer", name=name, names=", ".join(CONTEXT_LAYERS)))
    return _read_geojson(_path(f"context/{name}.geojson", folder))


def read_context_geometries(name: str, folder: Path | None = None) -> list[Any]:
    """The geometries (shapely, WGS84) of a context layer, in file order, without geopandas:
    those of :func:`read_context` (``shapely.geometry.shape`` of each feature, ``None`` for
    a feature without one)."""
    from shapely.geometry import shape

    if name not in CONTEXT_LAYERS:
        raise ValueError(t("geodata.unknown_layer", name=name, names=", ".join(CONTEXT_LAYERS)))
    with _path(f"context/{name}.geojson", folder).open(encoding="utf-8") as fh:
        doc = json.load(fh)
    return [shape(f["geometry"]) if f["geometry"] else None for f in doc["features"]]


def read_manifest(folder: Path | None = None) -> dict[str, Any]:
    """``manifest.json``: inputs (sha256, vintage, producer, licence), outputs, parameters."""
    with _path("manifest.json", folder).open(encoding="utf-8") as fh:
        return json.load(fh)


def data_version(folder: Path | None = None) -> str:
    """Version of the derived geodata, e.g. ``2024-10-30+1a2b3c4d`` (deterministic)."""
    return str(read_manifest(folder)["data_version"])


def attribution(lang: str = DEFAULT_LANG) -> str:
    """The data producers' credit line, to show wherever derived geodata is shown."""
    return t("geodata.attribution", lang)
