"""Geometry helpers shared by the geodata build, the perimeter versions and the address check.

- **Coordinate transforms**, one argument order everywhere: ``to_lambert(lat, lon)`` (WGS84
  degrees → Lambert 72 metres, EPSG:31370) and ``to_wgs84(x, y, crs)`` (Lambert metres →
  ``(lat, lon)`` degrees); vectorised, one cached :class:`pyproj.Transformer` per pair.
- **Polygons** (EPSG:31370 unless said): :func:`polygonal` (the polygonal part as a valid
  MultiPolygon, empty when none: what the build stores), :func:`polygon_parts` (the polygons
  of a geometry as they are, ``None`` when it has none: what an uploaded file holds),
  :func:`union`, :func:`drop_slivers`, :func:`voronoi_cells` (the build's rule for sectors
  drawn from address points), :func:`simplify_coverage` and :func:`to_web` (the web layers:
  WGS84, :data:`WEB_DECIMALS` decimals, rings oriented per RFC 7946).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from tzcld.config import LAMBERT72, WGS84

if TYPE_CHECKING:
    import pandas as pd
    from pyproj import Transformer

#: Decimal places of WGS84 coordinates in the web layers (6 ≈ 0.1 m).
WEB_DECIMALS = 6


# --------------------------------------------------------------------------- transforms


#: The PROJ pipelines :meth:`pyproj.Transformer.from_crs` applies (axis order x/lon first)
#: between WGS84 and Lambert 72, given as they are: the transformer is then made without
#: looking up PROJ's database (about 30 ms of every process that transforms a point) and
#: without weighing, point by point, the other operations PROJ lists for those systems. The
#: same numbers to the bit: of the operations PROJ lists (``TransformerGroup``), this one
#: comes first and has the largest area of use, and PROJ takes the first one for points
#: outside every area; ``tests/test_coords.py`` checks that it is still PROJ's first, and
#: compares both transformers on points in and far out of Belgium.
PINNED_PIPELINES: dict[tuple[str, str], str] = {
    (WGS84, LAMBERT72): (
        "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=push v_3 "
        "step proj=cart ellps=WGS84 step inv proj=helmert x=-106.8686 y=52.2978 z=-103.7239 "
        "rx=-0.3366 ry=0.457 rz=-1.8422 s=-1.2747 convention=coordinate_frame "
        "step inv proj=cart ellps=intl step proj=pop v_3 "
        "step proj=lcc lat_0=90 lon_0=4.36748666666667 lat_1=51.1666672333333 lat_2=49.8333339 "
        "x_0=150000.013 y_0=5400088.438 ellps=intl"
    ),
    (LAMBERT72, WGS84): (
        "proj=pipeline step inv proj=lcc lat_0=90 lon_0=4.36748666666667 lat_1=51.1666672333333 "
        "lat_2=49.8333339 x_0=150000.013 y_0=5400088.438 ellps=intl step proj=push v_3 "
        "step proj=cart ellps=intl step proj=helmert x=-106.8686 y=52.2978 z=-103.7239 "
        "rx=-0.3366 ry=0.457 rz=-1.8422 s=-1.2747 convention=coordinate_frame "
        "step inv proj=cart ellps=WGS84 step proj=pop v_3 step proj=unitconvert xy_in=rad xy_out=deg"
    ),
}


@lru_cache(maxsize=8)
def transformer(src: str, dst: str) -> Transformer:
    """The (cached) transformer from ``src`` to ``dst``, axis order x/lon first (the pipeline of
    :data:`PINNED_PIPELINES` for WGS84 ⇄ Lambert 72)."""
    from pyproj import Transformer

    pinned = PINNED_PIPELINES.get((src, dst))
    if pinned is not None:
        return Transformer.from_pipeline(pinned)
    return general_transformer(src, dst)


def general_transformer(src: str, dst: str) -> Transformer:
    """The transformer PROJ picks from ``src`` to ``dst`` (its database looked up; what
    :data:`PINNED_PIPELINES` must equal)."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_lambert(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 ``(lat, lon)`` degrees → ``(x, y)`` Lambert 72 metres (floats or arrays)."""
    x, y = transformer(WGS84, LAMBERT72).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def to_wgs84(x: Any, y: Any, crs: str = LAMBERT72) -> tuple[np.ndarray, np.ndarray]:
    """Lambert metres (72 by default, or ``crs``) → ``(lat, lon)`` WGS84 degrees."""
    lon, lat = transformer(crs, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat, float), np.asarray(lon, float)


# --------------------------------------------------------------------------- polygons


def polygonal(geom: shapely.Geometry | None) -> MultiPolygon:
    """The polygonal part of ``geom`` as a valid MultiPolygon (repaired first; parts in a
    stable order; empty when there is none)."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            if not g.is_empty and g.area > 0:
                parts.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    parts.sort(key=lambda p: (p.bounds, p.area))
    return MultiPolygon(parts)


def polygon_parts(geom: shapely.Geometry | None) -> MultiPolygon | None:
    """The polygons of ``geom`` as they are (no repair, order kept), one level of nested
    collection included; ``None`` when it has none (a line, a point, an empty geometry)."""
    if geom is None or geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    flat: list = []
    for p in parts:
        flat.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    flat = [p for p in flat if not p.is_empty and p.area > 0]
    if not flat:
        # a GeometryCollection (e.g. from make_valid) may nest polygons one level down
        nested = [g for g in shapely.get_parts(geom) if g.geom_type == "GeometryCollection"]
        for g in nested:
            flat.extend(p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0)
    return shapely.MultiPolygon(flat) if flat else None


def union(geoms: Any) -> MultiPolygon:
    """The union of ``geoms`` (a list or an array; ``None`` and empty ones skipped) as
    :func:`polygonal`."""
    kept = [g for g in geoms if g is not None and not g.is_empty]
    if not kept:
        return MultiPolygon()
    return polygonal(shapely.union_all(np.asarray(kept, dtype=object)))


def drop_slivers(geom: MultiPolygon, min_area_m2: float = 1.0) -> MultiPolygon:
    """``geom`` without its parts smaller than ``min_area_m2`` (numerical debris of clipping)."""
    return MultiPolygon([p for p in geom.geoms if p.area >= min_area_m2])


def voronoi_cells(points: pd.DataFrame, clip: MultiPolygon) -> dict[str, MultiPolygon]:
    """Voronoi cells of address points dissolved per label, clipped to ``clip``.

    ``points``: ``x``, ``y`` (EPSG:31370) and ``cd_sector`` (the label: a sector, a street, a
    postcode), deduplicated. One MultiPolygon per label; neighbouring labels share edges.
    """
    if points.empty:
        return {}
    coords = points[["x", "y"]].to_numpy()
    if len(coords) == 1:
        cells = np.array([clip], dtype=object)
    else:
        minx, miny, maxx, maxy = clip.bounds
        frame = shapely.box(minx - 1000, miny - 1000, maxx + 1000, maxy + 1000)
        diagram = shapely.voronoi_polygons(shapely.multipoints(coords), extend_to=frame, ordered=True)
        cells = np.asarray(shapely.get_parts(diagram), dtype=object)
        if len(cells) != len(coords):  # pragma: no cover - GEOS guarantees one cell per site
            raise ValueError("Voronoi diagram with a number of cells other than of sites")
    out: dict[str, MultiPolygon] = {}
    labels = points["cd_sector"].to_numpy()
    for label in sorted(set(labels)):
        members = cells[labels == label]
        merged = shapely.coverage_union_all(members) if len(members) > 1 else members[0]
        out[label] = drop_slivers(polygonal(shapely.intersection(merged, clip)))
    return out


def simplify_coverage(geoms: list[MultiPolygon], tolerance: float) -> list[MultiPolygon]:
    """Simplify non-overlapping polygons by ``tolerance`` metres, shared edges kept shared;
    a result that is not valid falls back to a topology-preserving simplification of its own."""
    arr = np.asarray(geoms, dtype=object)
    try:
        simplified = shapely.coverage_simplify(arr, tolerance)
    except shapely.errors.GEOSException:
        simplified = shapely.simplify(arr, tolerance, preserve_topology=True)
    out: list[MultiPolygon] = []
    for original, simple in zip(geoms, simplified, strict=True):
        if simple is None or simple.is_empty or not simple.is_valid:
            simple = shapely.simplify(original, tolerance, preserve_topology=True)
        out.append(polygonal(simple))
    return out


def to_web(geoms: list[MultiPolygon]) -> list[MultiPolygon]:
    """EPSG:31370 → WGS84, snapped to a 10⁻⁶° grid (:data:`WEB_DECIMALS`), valid, rings
    oriented per RFC 7946 (exterior counter-clockwise)."""
    import geopandas as gpd

    series = gpd.GeoSeries(geoms, crs=LAMBERT72).to_crs(WGS84)
    snapped = shapely.set_precision(series.values, 10.0**-WEB_DECIMALS)
    return [polygonal(shapely.orient_polygons(g)) if g is not None else MultiPolygon() for g in snapped]
