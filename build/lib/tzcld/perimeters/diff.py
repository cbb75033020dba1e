"""What a proposal changes, before it is saved: units, area, addresses, overlaps, outside parts.

All geometry in Belgian Lambert 72 (EPSG:31370); areas in square metres; addresses are the
ICAR register's (SPW – ICAR 2019) addresses of the territory's communes, counted by their
position (a point on a boundary counts as inside).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tzcld.config import LAMBERT72

#: Areas below this (m²) are numerical debris, not a real change, overlap or outside part.
MIN_AREA_M2 = 100.0


@dataclass
class PerimeterDiff:
    """The difference between the current perimeter and a proposal of one territory.

    ``units_added`` / ``units_removed``: ``(unit_code, unit name)`` pairs;
    ``area_*_m2``: areas in m²; ``addresses_*``: ICAR address counts (``None`` when the
    register is not available — unknown, never 0); ``overlaps``: other territory id → m²
    shared; ``outside_communes_m2``: proposed area outside the territory's communes.
    ``added`` / ``removed``: the geometries (EPSG:31370) for the diff map.
    """

    territory_id: str
    units_added: list[tuple[str, str]]
    units_removed: list[tuple[str, str]]
    units_kept: int
    area_current_m2: float
    area_proposed_m2: float
    area_added_m2: float
    area_removed_m2: float
    addresses_current: int | None
    addresses_proposed: int | None
    addresses_gained: int | None
    addresses_lost: int | None
    overlaps: dict[str, float] = field(default_factory=dict)
    outside_communes_m2: float = 0.0
    added: shapely.Geometry | None = None
    removed: shapely.Geometry | None = None

    @property
    def addresses_changing_side(self) -> int | None:
        if self.addresses_gained is None or self.addresses_lost is None:
            return None
        return self.addresses_gained + self.addresses_lost

    @property
    def unchanged(self) -> bool:
        return (
            not self.units_added
            and not self.units_removed
            and self.area_added_m2 < MIN_AREA_M2
            and self.area_removed_m2 < MIN_AREA_M2
        )

    @property
    def flags(self) -> list[str]:
        """Problems to look at: ``overlap`` and/or ``outside_communes``."""
        out = []
        if self.overlaps:
            out.append("overlap")
        if self.outside_communes_m2 >= MIN_AREA_M2:
            out.append("outside_communes")
        return out

    def summary(self) -> dict:
        """JSON-ready numbers (stored with the version)."""
        return {
            "units_added": [list(u) for u in self.units_added],
            "units_removed": [list(u) for u in self.units_removed],
            "units_kept": self.units_kept,
            "area_current_m2": round(self.area_current_m2, 1),
            "area_proposed_m2": round(self.area_proposed_m2, 1),
            "area_added_m2": round(self.area_added_m2, 1),
            "area_removed_m2": round(self.area_removed_m2, 1),
            "addresses_current": self.addresses_current,
            "addresses_proposed": self.addresses_proposed,
            "addresses_gained": self.addresses_gained,
            "addresses_lost": self.addresses_lost,
            "overlaps": {k: round(v, 1) for k, v in self.overlaps.items()},
            "outside_communes_m2": round(self.outside_communes_m2, 1),
            "flags": self.flags,
        }

    def table(self) -> pd.DataFrame:
        """One row per unit added or removed: ``change`` (added|removed), ``unit_code``, ``unit``."""
        rows = [("added", c, n) for c, n in self.units_added] + [("removed", c, n) for c, n in self.units_removed]
        return pd.DataFrame(rows, columns=["change", "unit_code", "unit"])


def _union(rows: gpd.GeoDataFrame) -> shapely.Geometry:
    if rows is None or not len(rows):
        return shapely.MultiPolygon()
    return shapely.make_valid(shapely.union_all(np.asarray(rows.geometry.values)))


def _area(geom: shapely.Geometry | None) -> float:
    return 0.0 if geom is None or geom.is_empty else float(geom.area)


def _units(rows: gpd.GeoDataFrame) -> dict[str, str]:
    if rows is None or not len(rows):
        return {}
    return {str(c): str(u) for c, u in zip(rows["unit_code"], rows["unit"], strict=True)}


def compute_diff(
    territory_id: str,
    current: gpd.GeoDataFrame,
    proposed: gpd.GeoDataFrame,
    addresses_xy: np.ndarray | None = None,
    others: gpd.GeoDataFrame | None = None,
    communes: shapely.Geometry | None = None,
) -> PerimeterDiff:
    """Compare ``current`` and ``proposed`` rows (EPSG:31370, perimeter schema).

    ``addresses_xy``: (n, 2) Lambert 72 positions of the territory communes' addresses
    (``None``: address counts unknown); ``others``: the published perimeters of the other
    territories (``territory_id``, geometry); ``communes``: the territory's communes as one
    geometry (``None``: not checked).
    """
    for frame in (current, proposed, others):
        if frame is not None and frame.crs is not None and frame.crs.to_epsg() != 31370:
            raise ValueError("perimeters must be in EPSG:31370")
    old, new = _union(current), _union(proposed)
    added = shapely.make_valid(shapely.difference(new, old))
    removed = shapely.make_valid(shapely.difference(old, new))
    cu, pu = _units(current), _units(proposed)
    units_added = [(c, pu[c]) for c in pu if c not in cu]
    units_removed = [(c, cu[c]) for c in cu if c not in pu]
    kept = sum(1 for c in pu if c in cu)
    counts: list[int | None] = [None, None, None, None]
    if addresses_xy is not None:
        xy = np.asarray(addresses_xy, float).reshape(-1, 2)
        shapely.prepare(old)
        shapely.prepare(new)
        in_old = shapely.intersects_xy(old, xy[:, 0], xy[:, 1]) if not old.is_empty else np.zeros(len(xy), bool)
        in_new = shapely.intersects_xy(new, xy[:, 0], xy[:, 1]) if not new.is_empty else np.zeros(len(xy), bool)
        counts = [int(in_old.sum()), int(in_new.sum()), int((in_new & ~in_old).sum()), int((in_old & ~in_new).sum())]
    overlaps: dict[str, float] = {}
    if others is not None and len(others) and not new.is_empty:
        other = others[others["territory_id"] != territory_id]
        tree = shapely.STRtree(np.asarray(other.geometry.values))
        for i in tree.query(new, predicate="intersects"):
            tid = str(other["territory_id"].iloc[int(i)])
            area = _area(shapely.intersection(new, other.geometry.values[int(i)]))
            if area > 0:
                overlaps[tid] = overlaps.get(tid, 0.0) + area
        overlaps = {k: v for k, v in overlaps.items() if v >= MIN_AREA_M2}
    outside = 0.0
    if communes is not None and not new.is_empty:
        outside = _area(shapely.difference(new, communes))
    return PerimeterDiff(
        territory_id=territory_id,
        units_added=units_added,
        units_removed=units_removed,
        units_kept=kept,
        area_current_m2=_area(old),
        area_proposed_m2=_area(new),
        area_added_m2=_area(added),
        area_removed_m2=_area(removed),
        addresses_current=counts[0],
        addresses_proposed=counts[1],
        addresses_gained=counts[2],
        addresses_lost=counts[3],
        overlaps=overlaps,
        outside_communes_m2=outside,
        added=added,
        removed=removed,
    )


def diff_layers(diff: PerimeterDiff) -> gpd.GeoDataFrame:
    """The diff's added and removed parts as a frame (``change``, geometry EPSG:31370),
    parts under :data:`MIN_AREA_M2` dropped."""
    rows = []
    for change, geom in (("added", diff.added), ("removed", diff.removed)):
        if geom is None or geom.is_empty:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area >= MIN_AREA_M2]
        if parts:
            rows.append({"change": change, "geometry": shapely.MultiPolygon(parts)})
    if not rows:
        return gpd.GeoDataFrame({"change": []}, geometry=[], crs=LAMBERT72)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=LAMBERT72)
