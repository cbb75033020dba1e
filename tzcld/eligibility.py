"""Is a point in a territory? Vectorised point-in-polygon over the exact perimeters.

Works in Belgian Lambert 72 (EPSG:31370, metres) on ``read_perimeters()``. Three answers:

- ``inside``: the point lies in a unit of a territory (territory, unit, precision);
- ``outside``: in none; the nearest territory and its distance are given;
- ``undetermined`` ("à vérifier"): the territory's perimeter is only indicative, or the
  point is within :data:`BOUNDARY_MARGIN_M` metres of a boundary, or the address stands for a
  whole street / commune whose points fall on both sides of a boundary.

The distance to the nearest territory boundary (metres) is always given. Sector truth: when
an address's Statbel sector is known from the sector-tagged BeST points, it decides for
sector-defined units (see :meth:`Classifier.classify`).

Speed: a coarse grid answers most points with one array look-up; only points in cells that a
boundary crosses go through the exact STRtree test (shapely 2, vectorised).

The other two criteria of the programme (job seeker > 2 years, domiciled ≥ 6 months) are a
dated checklist (:func:`criteria_checklist`); nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

#: Points closer than this to a territory boundary (metres) are "à vérifier".
BOUNDARY_MARGIN_M = 10.0
#: Grid cell size (metres) of the fast look-up.
GRID_CELL_M = 250.0
#: The grid's cells are asked by squares of this many cells a side first (:meth:`Classifier._build_grid`).
GRID_BLOCK = 4
#: Boundary lines are cut into pieces of at most this many vertices for the distance index
#: (4: the fastest nearest-piece queries on the register's addresses, a third faster than 32).
BOUNDARY_CHUNK = 4

OUTSIDE = -1
MIXED = -2


class Status(str, enum.Enum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNDETERMINED = "undetermined"


class Reason(enum.IntFlag):
    """Why a verdict is what it is (several may hold)."""

    NONE = 0
    INDICATIVE = 1  #: the territory's perimeter is indicative (whole communes shown)
    NEAR_BOUNDARY = 2  #: within BOUNDARY_MARGIN_M of a boundary
    STREET_CROSSES = 4  #: a street-only match whose addresses lie on both sides
    AREA_CROSSES = 8  #: a commune/postcode-only match that is partly in a territory
    SECTOR_TRUTH = 16  #: decided by the address's official Statbel sector
    SECTOR_CONFLICT = 32  #: the sector and the drawn perimeter disagree
    AMBIGUOUS = 64  #: several plausible addresses that do not agree
    CONFLICT = 128  #: the match contradicts the typed postcode / locality, and the two do not agree
    NUMBER_UNSURE = 256  #: a house number missing from the register, whose neighbours do not agree
    NUMBER_OFF_STREET = 512  #: a house number far from every number of the street found


@dataclass(frozen=True)
class Classification:
    """Vectorised verdicts for n points (arrays of length n).

    ``unit`` indexes :attr:`Classifier.units` (-1 when outside); ``nearest`` indexes
    :attr:`Classifier.territory_ids` (the nearest territory, for outside points);
    ``distance_to_boundary_m`` is the distance to the nearest territory boundary;
    ``distance_to_territory_m`` is 0 inside, else the distance to the nearest territory.
    """

    status: np.ndarray  # object array of Status values (str), None where the point is invalid
    unit: np.ndarray
    territory: np.ndarray  # index into territory_ids, -1 if outside
    nearest: np.ndarray
    distance_to_boundary_m: np.ndarray
    distance_to_territory_m: np.ndarray
    reasons: np.ndarray  # int flags


@dataclass(frozen=True)
class SpreadSummary:
    """Where a set of points falls (:meth:`Classifier.spread_summary`): the ``territories``
    touched (indices), whether some points are ``outside`` every territory, whether some
    fall in an ``indicative`` unit."""

    territories: tuple[int, ...]
    outside: bool
    indicative: bool

    @property
    def unanimous(self) -> bool:
        """All points in the same territory, or all outside."""
        return len(self.territories) + int(self.outside) <= 1


class Classifier:
    """The index over the exact perimeters: build once (cached), classify many points."""

    def __init__(self, perimeters, data_version: str = "", territory_names: dict[str, str] | None = None) -> None:
        """``perimeters``: GeoDataFrame in EPSG:31370 with ``territory_id``, ``unit``,
        ``unit_kind``, ``unit_code``, ``precision`` and (Multi)Polygon geometries — or a plain
        DataFrame with those columns and a ``geometry`` column of shapely geometries in
        EPSG:31370 (:func:`tzcld.geodata.layers.read_perimeter_table`: no geopandas)."""
        crs = getattr(perimeters, "crs", None)
        if crs is not None and crs.to_epsg() != 31370:
            perimeters = perimeters.to_crs("EPSG:31370")
        geoms = np.asarray(perimeters.geometry.to_numpy(), dtype=object)
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not keep.all():
            perimeters, geoms = perimeters[keep].reset_index(drop=True), geoms[keep]
        self.data_version = data_version
        self.geoms = np.asarray(shapely.make_valid(geoms))
        for g in self.geoms:
            shapely.prepare(g)
        self.unit_names = perimeters["unit"].astype(str).to_numpy(object)
        self.unit_kinds = perimeters["unit_kind"].astype(str).to_numpy(object)
        self.unit_codes = perimeters["unit_code"].astype(str).to_numpy(object)
        self.unit_precision = perimeters["precision"].astype(str).to_numpy(object)
        tids = perimeters["territory_id"].astype(str).to_numpy(object)
        self.territory_ids: tuple[str, ...] = tuple(dict.fromkeys(tids))
        self.unit_territory = np.array([self.territory_ids.index(t) for t in tids], dtype=np.int32)
        self.territory_names = territory_names or {}
        self.territory_precision = {t: self.unit_precision[np.flatnonzero(tids == t)[0]] for t in self.territory_ids}
        self.sector_unit = {
            code: i for i, (code, kind) in enumerate(zip(self.unit_codes, self.unit_kinds)) if kind == "sector"
        }
        self.tree = shapely.STRtree(self.geoms)
        self._build_boundaries(tids)
        self._build_grid()

    # ------------------------------------------------------------------ build
    def _build_boundaries(self, tids: np.ndarray) -> None:
        from tzcld.hull_distance import HullDistance, SegmentCells

        shapes = [shapely.union_all(self.geoms[tids == tid]) for tid in self.territory_ids]
        # every boundary line, cut into pieces of BOUNDARY_CHUNK segments (the index's leaves)
        lines, line_owner = [], []
        for k, shape in enumerate(shapes):
            parts = np.atleast_1d(shapely.get_parts(shapely.boundary(shape)))
            lines.extend(parts.tolist())
            line_owner.extend([k] * len(parts))
        coords, line_of = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
        # segment j joins coords[j] and coords[j + 1] within one line
        seg = np.flatnonzero(line_of[:-1] == line_of[1:]) if len(coords) else np.zeros(0, np.int64)
        a, b = coords[seg], coords[seg + 1]
        seg_line = line_of[seg]
        line_first = np.searchsorted(seg_line, np.arange(len(lines)))  # each line's first segment
        local = np.arange(len(seg)) - line_first[seg_line]
        new_piece = (local % BOUNDARY_CHUNK) == 0
        piece = np.cumsum(new_piece) - 1
        piece_start = np.r_[np.flatnonzero(new_piece), len(seg)]
        last = np.r_[piece[1:] != piece[:-1], True] if len(seg) else np.zeros(0, bool)
        # a piece's coordinates: its segments' starts, then its last segment's end
        pts = np.concatenate([a, b[last]])
        idx = np.concatenate([piece, piece[last]])
        order = np.argsort(idx, kind="stable")
        self.boundary_pieces = np.asarray(shapely.linestrings(pts[order], indices=idx[order]), dtype=object)
        self.boundary_owner = np.asarray(line_owner, dtype=np.int32)[seg_line[new_piece]]
        self.boundary_tree = shapely.STRtree(self.boundary_pieces)
        seg_owner = np.asarray(line_owner, dtype=np.int32)[seg_line]
        self.cells = SegmentCells(a, b, seg_owner, self.boundary_tree, piece_start)
        self.hulls = HullDistance(shapes)

    def _build_grid(self, block: int = GRID_BLOCK) -> None:
        """The look-up grid: each cell of :data:`GRID_CELL_M` metres is the unit it lies in
        (``contains_properly``), :data:`OUTSIDE` when it touches none, :data:`MIXED` otherwise.

        Each unit's cells are asked by squares of ``block`` × ``block`` cells first: a square
        the unit does not touch has no cell touching it, a square inside the unit has every
        cell inside; only the cells of the other squares are asked one by one (the same grid
        as asking every cell, ``block=1``, a few times fewer questions; the squares' sides are
        the cells' sides, the same numbers)."""
        xmin, ymin, xmax, ymax = shapely.total_bounds(self.geoms)
        cs = GRID_CELL_M
        self.x0, self.y0 = xmin - cs, ymin - cs
        self.nx = int(np.ceil((xmax - self.x0) / cs)) + 2
        self.ny = int(np.ceil((ymax - self.y0) / cs)) + 2
        grid = np.full((self.ny, self.nx), OUTSIDE, dtype=np.int32)
        for i, g in enumerate(self.geoms):
            gx0, gy0, gx1, gy1 = shapely.bounds(g)
            ix0, ix1 = int((gx0 - self.x0) // cs), int((gx1 - self.x0) // cs)
            iy0, iy1 = int((gy0 - self.y0) // cs), int((gy1 - self.y0) // cs)
            # the squares: cells [bx, bx + block) x [by, by + block), cut at the unit's box
            bxs, bys = np.meshgrid(np.arange(ix0, ix1 + 1, block), np.arange(iy0, iy1 + 1, block))
            bx, by = bxs.ravel(), bys.ravel()
            bx1, by1 = np.minimum(bx + block, ix1 + 1), np.minimum(by + block, iy1 + 1)
            if block > 1:
                squares = self._boxes(bx, by, bx1, by1)
                touch_sq = shapely.intersects(g, squares)
                in_sq = touch_sq.copy()
                in_sq[touch_sq] = shapely.contains_properly(g, squares[touch_sq])
            else:
                touch_sq = in_sq = np.zeros(len(bx), bool)
            # every cell of the box, by square (each cell once)
            w, h = bx1 - bx, by1 - by
            sq = np.repeat(np.arange(len(bx)), w * h)
            k = np.arange(len(sq)) - np.repeat(np.cumsum(w * h) - w * h, w * h)
            ixs, iys = bx[sq] + k % w[sq], by[sq] + k // w[sq]
            touches = touch_sq[sq] if block > 1 else np.ones(len(sq), bool)
            inside = in_sq[sq].copy()
            ask = np.flatnonzero(touches & ~inside)  # the cells of the squares that cross the unit's edge
            if len(ask):
                boxes = self._boxes(ixs[ask], iys[ask], ixs[ask] + 1, iys[ask] + 1)
                hit = shapely.intersects(g, boxes)
                touches[ask] = hit
                inside[ask[hit]] = shapely.contains_properly(g, boxes[hit])
            partial = touches & ~inside
            cur = grid[iys, ixs]
            # a cell fully inside one unit takes that unit; anything else touched becomes MIXED
            new_inside = np.where(cur == OUTSIDE, i, MIXED)
            grid[iys[inside], ixs[inside]] = new_inside[inside]
            grid[iys[partial], ixs[partial]] = MIXED
        self.grid = grid

    def _boxes(self, ix0: np.ndarray, iy0: np.ndarray, ix1: np.ndarray, iy1: np.ndarray) -> np.ndarray:
        """The boxes from cell corner ``(ix0, iy0)`` to cell corner ``(ix1, iy1)`` (grid indices)."""
        cs = GRID_CELL_M
        return shapely.box(self.x0 + ix0 * cs, self.y0 + iy0 * cs, self.x0 + ix1 * cs, self.y0 + iy1 * cs)

    # ------------------------------------------------------------------ classify
    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Unit index of each Lambert 72 point (-1 when in no unit). Vectorised, exact."""
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        n = len(x)
        out = np.full(n, OUTSIDE, dtype=np.int32)
        ok = np.isfinite(x) & np.isfinite(y)
        ix = np.floor((np.where(ok, x, self.x0) - self.x0) / GRID_CELL_M).astype(np.int64)
        iy = np.floor((np.where(ok, y, self.y0) - self.y0) / GRID_CELL_M).astype(np.int64)
        in_grid = ok & (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        code = np.full(n, OUTSIDE, dtype=np.int32)
        code[in_grid] = self.grid[iy[in_grid], ix[in_grid]]
        out[code >= 0] = code[code >= 0]
        mixed = np.flatnonzero(code == MIXED)
        if len(mixed):
            pts = shapely.points(x[mixed], y[mixed])
            pi, gi = self.tree.query(pts, predicate="intersects")
            # first unit wins when units overlap (there should be none)
            order = np.lexsort((gi, pi))
            pi, gi = pi[order], gi[order]
            first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
            out[mixed[pi[first]]] = gi[first]
        return out

    def boundary_distance(self, x: np.ndarray, y: np.ndarray, fast: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Distance (m) from each point to the nearest territory boundary, and that territory's
        index; a point as near to the boundaries of several territories (a boundary they
        share) gets the first of them in registry order, whatever the index's layout.

        GEOS's distances to the last bit (``fast=False``: GEOS's nearest-neighbour query for
        every point, the reference), measured in numpy (:mod:`tzcld.hull_distance`): points
        outside every convex hull by the hulls' edges, the others by cells listing their
        candidate boundary segments (cells listed when first needed, kept by the classifier);
        GEOS only for points beyond the cells (:data:`tzcld.hull_distance.CELL_LIMIT_M`)."""
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        n = len(x)
        dist = np.full(n, np.nan)
        owner = np.full(n, -1, dtype=np.int32)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if len(ok) and len(self.boundary_pieces) and fast:
            # outside every territory's convex hull, most points are settled by the hulls
            outside = self.hulls.outside_all(x[ok], y[ok])
            far = ok[outside]
            settled, d, own = self.hulls.settle(x[far], y[far])
            dist[far[settled]] = d[settled]
            owner[far[settled]] = own[settled]
            ok = np.concatenate([ok[~outside], far[~settled]])
            # the others (inside a hull, facing a deep bay): by the cells' candidate segments
            bounded = self.cells.bounded(x[ok], y[ok])
            near = ok[bounded]
            dist[near], owner[near] = self.cells.nearest(x[near], y[near])
            ok = ok[~bounded]
        if len(ok) and len(self.boundary_pieces):
            (pi, bi), d = self.boundary_tree.query_nearest(
                shapely.points(x[ok], y[ok]), return_distance=True, all_matches=True
            )
            own = self.boundary_owner[bi]
            order = np.lexsort((own, pi))
            pi, own, d = pi[order], own[order], d[order]
            first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
            dist[ok[pi[first]]] = d[first]
            owner[ok[pi[first]]] = own[first]
        return dist, owner

    def classify(
        self,
        x: np.ndarray,
        y: np.ndarray,
        sectors: Sequence[str] | np.ndarray | None = None,
        margin_m: float = BOUNDARY_MARGIN_M,
        with_distance: bool = True,
    ) -> Classification:
        """Verdicts for Lambert 72 points, optionally with their known Statbel sectors.

        Sector truth: a known sector that is a unit of a territory puts the point inside
        that unit; a known sector that is *not* one, for a point the drawn perimeter places in a
        sector-defined unit, puts it outside (``sectors-from-addresses`` outlines are
        approximate) or, for exact sector polygons, makes it undetermined.
        """
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        n = len(x)
        unit = self.locate(x, y)
        reasons = np.zeros(n, dtype=np.int64)
        if sectors is not None and n:
            import pandas as pd

            sec = pd.Series(np.asarray(sectors, dtype=object)).fillna("").astype(str).to_numpy(object)
            known = sec != ""
            truth_unit = pd.Series(sec).map(self.sector_unit).fillna(-1).to_numpy(np.int64)
            has_truth = known & (truth_unit >= 0)
            conflict = has_truth & (unit >= 0) & (unit != truth_unit)
            reasons[conflict] |= Reason.SECTOR_CONFLICT
            unit[has_truth] = truth_unit[has_truth]
            reasons[has_truth] |= Reason.SECTOR_TRUTH
            geo_kind = self.unit_kinds[np.maximum(unit, 0)]
            geo_prec = self.unit_precision[np.maximum(unit, 0)]
            other = known & ~has_truth & (unit >= 0) & (geo_kind == "sector")
            approx = other & (geo_prec == "sectors-from-addresses")
            unit[approx] = OUTSIDE
            reasons[approx] |= Reason.SECTOR_TRUTH | Reason.SECTOR_CONFLICT
            reasons[other & ~approx] |= Reason.SECTOR_CONFLICT
        territory = np.where(unit >= 0, self.unit_territory[np.maximum(unit, 0)], -1).astype(np.int32)
        if with_distance:
            dist, owner = self.boundary_distance(x, y)
        else:
            dist, owner = np.full(n, np.nan), np.full(n, -1, dtype=np.int32)
        nearest = np.where(territory >= 0, territory, owner).astype(np.int32)
        dist_terr = np.where(territory >= 0, 0.0, dist)
        status = np.full(n, Status.OUTSIDE.value, dtype=object)
        status[territory >= 0] = Status.INSIDE.value
        indicative = np.zeros(n, bool)
        if n:
            prec_of_unit = self.unit_precision[np.maximum(unit, 0)]
            indicative = (unit >= 0) & (prec_of_unit == "indicative")
        reasons[indicative] |= Reason.INDICATIVE
        truth = (reasons & Reason.SECTOR_TRUTH) != 0
        near = np.isfinite(dist) & (dist < margin_m) & ~truth
        reasons[near] |= Reason.NEAR_BOUNDARY
        conflict_exact = ((reasons & Reason.SECTOR_CONFLICT) != 0) & ~truth
        undetermined = indicative | near | conflict_exact
        status[undetermined] = Status.UNDETERMINED.value
        status[~(np.isfinite(x) & np.isfinite(y))] = None
        return Classification(status, unit, territory, nearest, dist, dist_terr, reasons)

    def spread_summary(self, xy: np.ndarray | None) -> SpreadSummary:
        """Where points standing for one answer (a street, an area, several candidates) fall:
        the territories they touch, whether some are outside every territory, whether some
        fall in an indicative unit."""
        if xy is None or len(xy) == 0:
            return SpreadSummary((), False, False)
        return self.summary_of_units(self.locate(xy[:, 0], xy[:, 1]))

    def summary_of_units(self, u: np.ndarray) -> SpreadSummary:
        """:meth:`spread_summary` from the points' unit indices (as :meth:`locate` gives them)."""
        if len(u) == 0:
            return SpreadSummary((), False, False)
        t = np.where(u >= 0, self.unit_territory[np.maximum(u, 0)], -1)
        inside = u >= 0
        indicative = bool((self.unit_precision[u[inside]] == "indicative").any()) if inside.any() else False
        return SpreadSummary(tuple(int(v) for v in np.unique(t[t >= 0])), bool((~inside).any()), indicative)

    def has_located(self, key: object) -> bool:
        """Whether :meth:`located` already holds the points of ``key``."""
        return key in self.__dict__.get("_located", {})

    def located(self, key: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`locate` of a large fixed set of points (the address register), computed
        once per classifier and ``key`` (~0.2 s for the 1.37 M ICAR addresses), so that
        verdicts over whole streets and communes are array look-ups."""
        cache = self.__dict__.setdefault("_located", {})
        if key not in cache:
            if len(cache) >= 2:  # an index rebuilt in the same process: drop the old one
                cache.clear()
            cache[key] = self.locate(x, y)
        return cache[key]

    def spread_verdict(self, xy: np.ndarray) -> tuple[bool, int]:
        """Whether points standing for one street/commune all fall in the same place.

        Returns ``(unanimous, territory index or -1)``: unanimous when every point is in the
        same territory (or all outside).
        """
        if xy is None or len(xy) == 0:
            return True, -1
        u = self.locate(xy[:, 0], xy[:, 1])
        t = np.where(u >= 0, self.unit_territory[np.maximum(u, 0)], -1)
        values = np.unique(t)
        return len(values) == 1, int(values[0]) if len(values) == 1 else -1

    # ------------------------------------------------------------------ names
    def territory_name(self, index: int) -> str | None:
        if index < 0:
            return None
        tid = self.territory_ids[index]
        return self.territory_names.get(tid, tid)


@lru_cache(maxsize=2)
def default_classifier(folder: str | None = None) -> Classifier:
    """The classifier over the committed ``geodata/perimeters.gpkg`` (built once per process)."""
    from pathlib import Path

    from tzcld.geodata.layers import data_version, read_perimeter_table
    from tzcld.territories import load_registry

    gfolder = Path(folder) if folder else None
    perimeters = read_perimeter_table(gfolder)
    names = {t.id: t.name for t in load_registry()}
    return Classifier(perimeters, data_version=data_version(gfolder), territory_names=names)


# ---------------------------------------------------------------------- the other criteria

#: Criteria of the programme besides the address: job seeker for more than 2 years,
#: domiciled in the territory for at least 6 months.
JOB_SEEKER_YEARS = 2
DOMICILE_MONTHS = 6


class CriterionStatus(str, enum.Enum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Criterion:
    """One dated criterion: ``key`` in ``job_seeker`` | ``domicile``; ``met_on`` is the date
    from which it is (or will be) met, when the start date is known."""

    key: str
    status: CriterionStatus
    met_on: dt.date | None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    import calendar

    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def criteria_checklist(
    job_seeker_since: dt.date | None,
    domiciled_since: dt.date | None,
    on: dt.date | None = None,
) -> list[Criterion]:
    """The two dated criteria, evaluated on ``on`` (default today).

    "More than 2 years" is read as: met from the day after the 2-year anniversary;
    "at least 6 months": met on the 6-month anniversary. A start date in the future is
    "not met" (with its date). Unknown start → ``UNKNOWN``.
    """
    on = on or dt.date.today()
    out: list[Criterion] = []
    if job_seeker_since is None:
        out.append(Criterion("job_seeker", CriterionStatus.UNKNOWN, None))
    else:
        met_on = add_months(job_seeker_since, 12 * JOB_SEEKER_YEARS) + dt.timedelta(days=1)
        out.append(Criterion("job_seeker", CriterionStatus.MET if on >= met_on else CriterionStatus.NOT_MET, met_on))
    if domiciled_since is None:
        out.append(Criterion("domicile", CriterionStatus.UNKNOWN, None))
    else:
        met_on = add_months(domiciled_since, DOMICILE_MONTHS)
        out.append(Criterion("domicile", CriterionStatus.MET if on >= met_on else CriterionStatus.NOT_MET, met_on))
    return out
