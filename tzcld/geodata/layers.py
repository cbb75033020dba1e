"""Readers of the committed derived geodata (``geodata/``): cheap, no raw data needed.

CRS: the web layers (territories, units, context) are WGS84 (``EPSG:4326``, degrees,
simplified); the exact perimeters are Belgian Lambert 72 (``EPSG:31370``, metres,
not simplified), for point-in-polygon. Built by ``python -m tzcld geodata build``
(:mod:`tzcld.geodata.build`). Callers that render pages cache these results
(``tzcld.ui``); the functions themselves read the files on each call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from tzcld.config import GEODATA_DIR, LAMBERT72, WGS84
from tzcld.errors import TzcldError
from tzcld.i18n import DEFAULT_LANG, t

#: The context layers available to :func:`read_context`.
CONTEXT_LAYERS: tuple[str, ...] = ("wallonia", "provinces", "communes", "places")


class GeodataNotBuiltError(TzcldError, FileNotFoundError):
    """A derived layer is missing: run ``python -m tzcld geodata build`` (``geodata.not_built_at``)."""


def _path(name: str, folder: Path | None) -> Path:
    path = Path(folder or GEODATA_DIR) / name
    if not path.exists():
        raise GeodataNotBuiltError("geodata.not_built_at", path=str(path))
    return path


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
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
    gdf = pyogrio.read_dataframe(_path("perimeters.gpkg", folder), layer="perimeters")
    if gdf.crs is None or gdf.crs.to_epsg() != 31370:  # pragma: no cover - written by build
        gdf = gdf.set_crs(LAMBERT72, allow_override=True)
    return gdf


def read_context(name: str, folder: Path | None = None) -> gpd.GeoDataFrame:
    """A context layer (WGS84, simplified): ``wallonia``, ``provinces`` (``refnis``,
    ``name``), ``communes`` (``refnis``, ``name``, ``territory_id``) or ``places``
    (``name``, ``type``, ``territory_id``, ``listed``)."""
    if name not in CONTEXT_LAYERS:
        raise ValueError(t("geodata.unknown_layer", name=name, names=", ".join(CONTEXT_LAYERS)))
    return _read_geojson(_path(f"context/{name}.geojson", folder))


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
