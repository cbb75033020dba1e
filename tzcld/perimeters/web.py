"""The published perimeters as web layers (WGS84, simplified): for maps, exports, the static site.

Same schemas as :func:`tzcld.geodata.layers.read_territories` and
:func:`~tzcld.geodata.layers.read_units`; for a territory with an approved version the
geometry, ``precision``, ``indicative``, ``units`` and ``area_km2`` come from that version
(simplified like the build: :func:`tzcld.geometry.simplify_coverage`, :data:`tzcld.geodata.build.UNIT_TOLERANCE_M`
metres, WGS84 rounded to 6 decimals). Every territory gets ``perimeter_version`` (``v<id>``,
or the committed hash), ``perimeter_version_label`` (``v<id>`` | ``base``),
``perimeter_version_date`` (ISO date) and ``perimeter_source``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tzcld.config import WGS84
from tzcld.geometry import simplify_coverage, to_web, union
from tzcld.perimeters.published import published_version, territory_versions
from tzcld.perimeters.store import PerimeterStore

#: ``unit_kind`` of the units layer for each elementary ``unit_kind`` of a version.
UNIT_KINDS = {"sector": "sectors", "commune": "communes", "file": "file", "street": "streets"}


def published_web_layers(
    store: PerimeterStore | None = None, folder: Path | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str]:
    """``(territories, units, version)``: the committed web layers with every approved
    version in place of its territory's committed perimeter (WGS84)."""
    from tzcld.geodata.build import UNIT_TOLERANCE_M
    from tzcld.geodata.layers import read_territories, read_units

    territories = read_territories(folder)
    units = read_units(folder)
    versions = territory_versions(store, folder)
    ids = store.published_ids() if store is not None else {}
    territories["perimeter_version_label"] = [versions[t].label for t in territories["id"]]
    territories["perimeter_version_date"] = [versions[t].date for t in territories["id"]]
    territories["perimeter_source"] = [versions[t].source for t in territories["id"]]
    new_units: list[dict] = []
    for tid, vid in ids.items():
        assert store is not None  # ids come from it
        v = store.get(vid)
        assert v is not None
        rows = store.rows(vid)
        names = list(dict.fromkeys(rows["unit"]))
        unit_geoms = [union(rows.loc[rows["unit"] == n].geometry.values) for n in names]
        web_units = to_web(simplify_coverage(unit_geoms, UNIT_TOLERANCE_M))
        whole = union(rows.geometry.values)
        web_whole = to_web(simplify_coverage([whole], UNIT_TOLERANCE_M))[0]
        i = territories.index[territories["id"] == tid][0]
        territories.at[i, "geometry"] = web_whole
        territories.at[i, "precision"] = v.precision
        territories.at[i, "indicative"] = v.precision == "indicative"
        territories.at[i, "units"] = names
        territories.at[i, "perimeter_version"] = v.label
        if "area_km2" in territories:
            territories.at[i, "area_km2"] = round(whole.area / 1e6, 3)
        base = territories.loc[i]
        for name, exact, web in zip(names, unit_geoms, web_units, strict=True):
            sel = rows[rows["unit"] == name]
            new_units.append(
                {
                    "territory_id": tid,
                    "territory_name": base["name"],
                    "unit": name,
                    "unit_kind": UNIT_KINDS.get(str(sel["unit_kind"].iloc[0]), str(sel["unit_kind"].iloc[0])),
                    "codes": [str(c) for c in sel["unit_code"]],
                    "job_target": base["job_target"],
                    "status": base["status"],
                    "precision": v.precision,
                    "indicative": v.precision == "indicative",
                    "rationale": f"{v.reason} (source : {v.source} ; version {v.label} approuvée par {v.decided_by})",
                    "area_km2": round(exact.area / 1e6, 3),
                    "geometry": web,
                }
            )
    if new_units:
        kept = units[~units["territory_id"].isin(list(ids))]
        extra = gpd.GeoDataFrame(new_units, geometry="geometry", crs=WGS84)
        order = {t: k for k, t in enumerate(territories["id"])}
        units = gpd.GeoDataFrame(
            pd.concat([kept, extra[[c for c in units.columns if c in extra.columns]]], ignore_index=True),
            geometry="geometry",
            crs=WGS84,
        )
        units = (
            units.assign(_o=units["territory_id"].map(order))
            .sort_values("_o", kind="stable")
            .drop(columns="_o")
            .reset_index(drop=True)
        )
    territories = gpd.GeoDataFrame(territories, geometry="geometry", crs=WGS84)
    return territories, units, published_version(store, folder)


def published_territories_geojson(store: PerimeterStore | None = None, folder: Path | None = None) -> dict:
    """The published territories as a GeoJSON dict (WGS84, RFC 7946, 6 decimals), with the
    top-level ``data_version`` (the published version string) — a drop-in for
    :func:`tzcld.geodata.layers.read_territories_geojson` in exports."""
    territories, _units, version = published_web_layers(store, folder)
    doc = json.loads(territories.to_json(drop_id=True, to_wgs84=False))
    for feature in doc["features"]:
        feature["geometry"] = _round(feature["geometry"])
    doc["name"] = "territories"
    doc["data_version"] = version
    return doc


def _round(geometry: dict | None) -> dict | None:
    """6 decimals (about 0.1 m), rings wound as RFC 7946 requires (:func:`rfc7946_geometry`)."""
    if geometry is None:
        return None
    geom = shapely.geometry.shape(geometry)
    if geom.is_empty:
        return geometry
    return rfc7946_geometry(shapely.set_precision(geom, 1e-6))


def rfc7946_geometry(geom) -> dict:
    """A shapely geometry as a GeoJSON geometry dict whose polygon rings follow RFC 7946
    §3.1.6: exterior rings counterclockwise, holes clockwise. ``shapely.set_precision``
    (and other GEOS operations) may return rings wound either way; this puts them right."""
    return shapely.geometry.mapping(shapely.orient_polygons(geom, exterior_cw=False))
