"""Exact distances to the territories' boundaries, vectorised, for whole batches of points.

Every distance is GEOS's (``shapely.distance`` to the boundary: the minimum, over the boundary's
segments, of ``Distance::pointToSegment``), to the last bit: the same formula in numpy
(:func:`_kernel`), over a set of candidate segments that holds every segment at the minimum
(bounded below), so that the minimum over the set is the minimum over all; of the segments at
the minimum, the first territory in registry order is named. Two ways, both by cells listed
once per classifier when first needed:

**Outside every convex hull** (:class:`HullDistance`; most points of a file are kilometres from
any territory). For a point outside a territory's hull, the hull is nearer than (or as near as)
the territory; where the hull's nearest point is one of its vertices (a vertex of the boundary)
or lies on a hull edge that is a piece of the boundary, the two distances are equal. So:

1. each cell of :data:`HULL_CELL_M` metres lists the hull edges that can be nearest for a
   point of the cell, of the territories whose hull may be as near as the nearest boundary
   (bounded by the cell's nearest hull vertex);
2. each point is measured against its cell's hull edges (per territory: the hull distance,
   every edge at the minimum being listed);
3. where a hull's nearest point is a boundary vertex, or on a hull edge that is a boundary
   piece, that is the territory's distance, measured on the boundary segments within 1 cm of
   that vertex or edge (GEOS's value to the bit: an edge made of collinear pieces is measured
   piece by piece). Where it is on an edge that bridges a bay of the territory, at distance
   ``h``, every boundary point at depth ``δ`` behind that edge's line is at least ``h + δ``
   away, and a trusted feature of the hull at ``U``: only the boundary segments less than
   ``U − h`` deep can be nearer — measured one by one (at most :data:`MAX_POCKET_SEGMENTS`
   of them, else the point is not settled here);
4. the nearest territory (of several at the same distance, the first in registry order) is
   settled when no territory left unmeasured could be as near (with a slack).

**Anywhere else** (:class:`SegmentCells`: inside a hull, facing a deep bay): cells of
:data:`CELL_M` metres list the boundary segments that can hold the nearest boundary point of
a point of the cell (bounded by the cell centre's distance to the boundary, GEOS's).

Only points beyond :data:`CELL_LIMIT_M` (no cell) go to GEOS's nearest-neighbour query
(:meth:`tzcld.eligibility.Classifier.boundary_distance`). Pairs are measured
:data:`CHUNK` at a time: arrays that stay in the processor's cache, several times faster than
one pass over millions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import shapely

#: Beyond this many candidate segments behind a bay's edge, a point goes the general way.
MAX_POCKET_SEGMENTS = 64
#: Points settled at a time by :meth:`HullDistance.settle`.
BLOCK = 1 << 18
#: Candidate (point, segment) pairs measured at a time.
CHUNK = 16_384
#: Side (m) of the cells of :class:`SegmentCells`.
CELL_M = 250.0
#: Side (m) of the cells listing candidate hull edges (:class:`HullDistance`).
HULL_CELL_M = 1000.0
#: Cells kept per classifier (a few MB; beyond, the cells are listed afresh).
MAX_CELLS = 1 << 19
#: Beyond this coordinate (m), a point has no cell (its cell's index would not fit): GEOS.
CELL_LIMIT_M = 1e8
#: Slack (m) on every bound, far above the rounding errors of the coordinates' arithmetic.
_SLACK_M = 1e-6
_BIG = np.iinfo(np.int32).max
#: A boundary segment this near a hull edge (m) may hold the nearest boundary point there.
_TOUCH_M = 0.01
#: Segments whose box is within this (m) of a hull feature's are measured for :data:`_TOUCH_M`.
_TOUCH_BOX_M = 1.0
#: An item's rank: its list's index (27 bits), then its distance from the centre in 1/1024 m
#: (36 bits; a farther item, and a farther limit, count as the farthest: never an item too few).
_RANK_BITS = 36
_RANK_SCALE = 1024.0
_RANK_MAX = (1 << _RANK_BITS) - 1

#: A listing of cells: (cell, item, distance from the centre, label) of every item, and each
#: cell's bound and anchor (x, y: a boundary point, NaN when none).
_Listing = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class _CellState:
    """The cells listed so far (never changed once made: a classifier shared by threads
    swaps the whole state, each call keeps the one it started with)."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, np.int64)  # sorted
        self.lists = np.zeros(0, np.int64)  # each cell's first list
        self.n_lists = np.zeros(0, np.int64)
        self.bound = np.zeros(0)  # U
        self.cx = np.zeros(0)
        self.cy = np.zeros(0)
        self.ax = np.zeros(0)  # the anchor: a boundary point (NaN: none)
        self.ay = np.zeros(0)
        self.label = np.zeros(0, np.int32)  # each list's label, first item and length
        self.first = np.zeros(0, np.int64)
        self.count = np.zeros(0, np.int64)
        self.flat = np.zeros(0, np.int32)  # the items, list after list
        self.rank = np.zeros(0, np.int64)  # each item's list, then distance from the centre (sorted)


class _Cells:
    """Cells of side ``size`` and, for each, lists of items (indices) by label (a territory,
    or one label for all), each sorted by the items' distance from the cell's centre, and a
    bound ``U`` on the centre's distance to the boundary, and an anchor ``a``: a boundary
    point (a vertex) near the centre. Listed on demand by ``make(cx, cy)`` (the cells'
    centres → ``(cell, item, distance, label, U, a)``) and kept (at most about
    :data:`MAX_CELLS`: beyond, listed afresh).

    A point ``p`` of the cell of centre ``q`` is at most ``U + |p − q|`` from the boundary, and
    at most ``|p − a|`` (never more: ``|p − a| ≤ |p − q| + |q − a|``, and often much less); an
    item that holds its nearest boundary point is at most that plus ``|p − q|`` from ``q``:
    of each list, only the items within ``min(U + 2 |p − q|, |p − a| + |p − q|)`` of ``q``
    (a prefix, :meth:`groups`) can be nearest, or tie."""

    def __init__(self, size: float, make: Callable[[np.ndarray, np.ndarray], _Listing]) -> None:
        self.size = size
        self.make = make
        self.state = _CellState()

    def key(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each point's cell."""
        key = (np.floor(x / self.size).astype(np.int64) + (1 << 30)) << 31
        key |= np.floor(y / self.size).astype(np.int64) + (1 << 30)
        return key

    def order(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The points by cell (the look-ups and measures of a cell's points then stay in the
        processor's cache: several times faster than in a file's order). The points of a cell
        in any order (numpy's fastest sort, five times the stable one's speed): each point is
        measured on its own, the same numbers whatever its neighbours."""
        return np.argsort(self.key(x, y))

    def groups(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For each point and each list of its cell that has items near enough: the point's
        index, the list's label, its first item in the returned items and how many items are
        near enough (by point, then label); and the items."""
        key = self.key(x, y)
        st = self.state
        pos = np.minimum(np.searchsorted(st.keys, key), max(len(st.keys) - 1, 0))
        missing = (st.keys[pos] != key) if len(st.keys) else np.ones(len(key), bool)
        if missing.any():
            new = np.unique(key[missing])
            if len(st.keys) + len(new) > MAX_CELLS:
                st, new = _CellState(), np.unique(key)
            st = self._add(st, new)
            self.state = st
            pos = np.searchsorted(st.keys, key)
        dx = x - st.cx[pos]
        dy = y - st.cy[pos]
        r = np.sqrt(dx * dx + dy * dy)
        dx = x - st.ax[pos]
        dy = y - st.ay[pos]
        # the anchor's bound where there is one (fmin: NaN, no anchor, leaves the other)
        limit = np.fmin(st.bound[pos] + 2.0 * r, np.sqrt(dx * dx + dy * dy) + r) + 3 * _SLACK_M
        point, lst = _pairs(st.lists[pos], st.n_lists[pos])
        # the items within the limit: a prefix of each list, found by its rank (the distance
        # rounded down to 1/1024 m: a few more items at most, never fewer)
        within = np.minimum(np.floor(limit * _RANK_SCALE), _RANK_MAX).astype(np.int64)
        first = st.first[lst]
        count = np.searchsorted(st.rank, (lst << _RANK_BITS) | within[point], side="right") - first
        some = count > 0
        return point[some], st.label[lst[some]], first[some], count[some], st.flat

    def _add(self, st: _CellState, keys: np.ndarray) -> _CellState:
        """``st`` with cells ``keys`` (not in it) listed."""
        ix = ((keys >> 31) - (1 << 30)).astype(float)
        iy = ((keys & ((1 << 31) - 1)) - (1 << 30)).astype(float)
        cx, cy = (ix + 0.5) * self.size, (iy + 0.5) * self.size
        cell, item, dist, label, bound, ax, ay = self.make(cx, cy)
        n_labels = int(label.max()) + 1 if len(label) else 1
        rounded = np.minimum(np.floor(dist * _RANK_SCALE), _RANK_MAX).astype(np.int64)
        # (items of the same rank in any order: a list's prefix takes all of a rank or none)
        order = np.argsort(((cell * n_labels + label) << _RANK_BITS) | rounded)
        cell, item, label, rounded = cell[order], item[order], label[order], rounded[order]
        head = np.r_[True, (cell[1:] != cell[:-1]) | (label[1:] != label[:-1])] if len(cell) else np.zeros(0, bool)
        starts = np.flatnonzero(head)
        n_lists = np.bincount(cell[starts], minlength=len(keys)).astype(np.int64)
        done = len(st.label)
        out = _CellState()
        out.label = np.concatenate([st.label, np.asarray(label[starts], np.int32)])
        out.first = np.concatenate([st.first, len(st.flat) + starts])
        out.count = np.concatenate([st.count, np.diff(np.r_[starts, len(cell)])])
        lists = done + np.cumsum(n_lists) - n_lists
        out.flat = np.concatenate([st.flat, np.asarray(item, np.int32)])
        out.rank = np.concatenate([st.rank, ((done + np.cumsum(head) - 1) << _RANK_BITS) | rounded])
        keys_all = np.concatenate([st.keys, keys])
        order = np.argsort(keys_all)  # distinct keys
        out.keys = keys_all[order]
        out.lists = np.concatenate([st.lists, lists])[order]
        out.n_lists = np.concatenate([st.n_lists, n_lists])[order]
        out.bound = np.concatenate([st.bound, bound])[order]
        out.cx = np.concatenate([st.cx, cx])[order]
        out.cy = np.concatenate([st.cy, cy])[order]
        out.ax = np.concatenate([st.ax, ax])[order]
        out.ay = np.concatenate([st.ay, ay])[order]
        return out


class HullDistance:
    """The convex hulls of the territories (one per territory, in registry order)."""

    def __init__(self, territories: Sequence[object]) -> None:
        """``territories``: one (Multi)Polygon per territory, in registry order (EPSG:31370)."""
        self.hulls = []
        self.edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.segments: list[tuple[np.ndarray, np.ndarray]] = []
        self._pockets: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        centres, boxes = [], []
        for shape in territories:
            hull = shapely.convex_hull(shape)
            if shapely.get_type_id(hull) != 3:  # degenerate (a point or a line): never settles
                hull = shapely.Polygon()
            shapely.prepare(hull)
            self.hulls.append(hull)
            ring = shapely.get_coordinates(shapely.get_exterior_ring(hull)) if not hull.is_empty else np.zeros((0, 2))
            a, b = ring[:-1], ring[1:]
            keep = (a != b).any(axis=1)  # no edge of length zero
            a, b = a[keep], b[keep]
            boundary = shapely.boundary(shape)
            real = (
                shapely.covers(boundary, shapely.linestrings(np.stack([a, b], axis=1))) if len(a) else np.zeros(0, bool)
            )
            self.edges.append((a, b, np.asarray(real, bool)))
            self.segments.append(_segments(boundary))
            centres.append(a.mean(axis=0) if len(a) else (np.nan, np.nan))
            boxes.append(shapely.bounds(hull) if len(a) else (np.inf, np.inf, -np.inf, -np.inf))
        self.centre = np.asarray(centres, float).reshape(-1, 2)
        self.boxes = np.asarray(boxes, float).reshape(-1, 4)
        # every hull edge, territory after territory, and every boundary segment
        n_edges = [len(e[0]) for e in self.edges]
        self.edge_start = np.r_[0, np.cumsum(n_edges)].astype(np.int64)
        self.edge_terr = np.repeat(np.arange(len(self.edges)), n_edges).astype(np.int32)
        self.edge_local = (np.arange(int(self.edge_start[-1])) - np.repeat(self.edge_start[:-1], n_edges)).astype(int)
        ea = np.concatenate([e[0] for e in self.edges] + [np.zeros((0, 2))])
        eb = np.concatenate([e[1] for e in self.edges] + [np.zeros((0, 2))])
        self.ea_x, self.ea_y = np.ascontiguousarray(ea[:, 0]), np.ascontiguousarray(ea[:, 1])
        self.eb_x, self.eb_y = np.ascontiguousarray(eb[:, 0]), np.ascontiguousarray(eb[:, 1])
        self.edge_real = np.concatenate([e[2] for e in self.edges] + [np.zeros(0, bool)]).astype(bool)
        self.seg_start = np.r_[0, np.cumsum([len(s[0]) for s in self.segments])].astype(np.int64)
        sa = np.concatenate([s[0] for s in self.segments] + [np.zeros((0, 2))])
        sb = np.concatenate([s[1] for s in self.segments] + [np.zeros((0, 2))])
        self.sa_x, self.sa_y = np.ascontiguousarray(sa[:, 0]), np.ascontiguousarray(sa[:, 1])
        self.sb_x, self.sb_y = np.ascontiguousarray(sb[:, 0]), np.ascontiguousarray(sb[:, 1])
        self.cells = _Cells(HULL_CELL_M, self._list_edges)
        # per hull edge, the boundary segments that touch it (listed when first needed)
        # (first, number, joined lists): swapped whole, never changed (threads share a classifier)
        self._touch_state = (
            np.full(2 * len(self.ea_x), -1, np.int64),
            np.zeros(2 * len(self.ea_x), np.int64),
            np.zeros(0, np.int64),
        )
        # each hull edge's next one (its end is that one's start)
        nxt = np.arange(1, len(self.ea_x) + 1)
        nxt[self.edge_start[1:][np.diff(self.edge_start) > 0] - 1] = self.edge_start[:-1][np.diff(self.edge_start) > 0]
        self.edge_next = nxt.astype(np.int64)

    def outside_all(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each (finite) point is outside every hull (on a hull's edge counts as inside)."""
        out = np.isfinite(x) & np.isfinite(y)
        for k, hull in enumerate(self.hulls):
            x0, y0, x1, y1 = self.boxes[k]
            near = np.flatnonzero(out & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
            if len(near):
                inside = shapely.intersects_xy(hull, x[near], y[near])
                out[near[inside]] = False
        return out

    def settle(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For points outside every hull: ``(settled, distance, territory index)``; the
        distance and index are meaningful where ``settled``."""
        if len(x) > BLOCK:  # the groups of a block stay a few tens of MB
            parts = [self.settle(x[i : i + BLOCK], y[i : i + BLOCK]) for i in range(0, len(x), BLOCK)]
            return tuple(np.concatenate(a) for a in zip(*parts, strict=True))  # type: ignore[return-value]
        n = len(x)
        settled = np.zeros(n, bool)
        dist = np.full(n, np.inf)
        owner = np.full(n, -1, dtype=np.int32)
        rows = np.flatnonzero((np.abs(x) < CELL_LIMIT_M) & (np.abs(y) < CELL_LIMIT_M))
        if not len(rows) or not len(self.ea_x):
            return settled, dist, owner
        rows = rows[self.cells.order(x[rows], y[rows])]
        px, py = x[rows], y[rows]
        # one group per (point, territory listed in its cell): the hull distance, whether a
        # trusted feature is at that distance, the first edge at it, the nearest trusted one
        g_point, g_terr, g_first, g_count, items = self.cells.groups(px, py)
        measures = [self._hull_groups(px, py, g_point, g_first, g_count, items, lo, hi) for lo, hi in _spans(g_count)]
        h, on_real, edge, upper = (np.concatenate(p) for p in zip(*measures, strict=True))
        d_k = np.where(on_real, h, np.inf)
        measured = on_real.copy()
        bay = np.flatnonzero(~on_real)
        if len(bay):
            p = g_point[bay]
            d_k[bay], measured[bay] = self._pockets_of(edge[bay], px[p], py[p], h[bay], upper[bay])
        # per point: the nearest measured territory (the first of several at the same
        # distance), settled when no territory left unmeasured could be as near
        head = np.r_[True, g_point[1:] != g_point[:-1]]
        ps = np.flatnonzero(head)
        pid = np.cumsum(head) - 1
        d_m = np.where(measured, d_k, np.inf)
        best = np.minimum.reduceat(d_m, ps)
        own = np.minimum.reduceat(np.where(measured & (d_m == best[pid]), g_terr, _BIG), ps)
        unknown = np.minimum.reduceat(np.where(measured, np.inf, h), ps)
        hit = rows[g_point[ps]]
        dist[hit] = best
        owner[hit] = np.where(own == _BIG, -1, own)
        settled[hit] = np.isfinite(best) & (best + _SLACK_M < unknown)
        return settled, dist, owner

    def _hull_groups(
        self,
        px: np.ndarray,
        py: np.ndarray,
        g_point: np.ndarray,
        g_first: np.ndarray,
        g_count: np.ndarray,
        items: np.ndarray,
        lo: int,
        hi: int,
    ) -> tuple[np.ndarray, ...]:
        """:meth:`settle`'s measures of the (point, territory) groups ``lo:hi``."""
        group, flat = _pairs(g_first[lo:hi], g_count[lo:hi])
        e = items[flat]
        point = g_point[lo:hi][group]
        d, end = _kernel(px[point], py[point], self.ea_x[e], self.ea_y[e], self.eb_x[e], self.eb_y[e], vertex=True)
        assert end is not None
        vertex = end > 0  # the nearest point of the edge is its start (1) or its end (2)
        r_end = end == 2
        trusted = vertex | self.edge_real[e]
        gs = np.cumsum(g_count[lo:hi]) - g_count[lo:hi]
        h = np.minimum.reduceat(d, gs)
        at_best = d == h[group]
        nearest = np.minimum.reduceat(np.where(at_best, e, _BIG), gs)  # the first edge at the minimum
        # of several nearest points at the same distance, one that is trusted is enough
        on_real = np.logical_or.reduceat(at_best & trusted, gs)
        upper = np.minimum.reduceat(np.where(trusted, d, np.inf), gs)
        # a trusted hull distance is that of a boundary point: GEOS's distance is the
        # minimum over the boundary segments there — those touching the trusted edges at
        # (or within a slack of) the minimum
        near = np.flatnonzero(trusted & on_real[group] & (d <= h[group] + _SLACK_M))
        exact = np.full(len(h), np.inf)
        if len(near):
            # the feature of each trusted pair at the minimum: a hull vertex (a boundary vertex)
            # or the inside of an edge that is a boundary piece; one per group unless several
            owner = group[near]
            at_b = r_end[near]
            feature = np.where(vertex[near], np.where(at_b, self.edge_next[e[near]], e[near]), len(self.ea_x) + e[near])
            heads = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            one = np.minimum.reduceat(feature, heads) == np.maximum.reduceat(feature, heads)
            keep = ~np.repeat(one, np.diff(np.r_[heads, len(owner)]))
            keep[heads] = True
            owner, feature = owner[keep], feature[keep]
            first, count, joined = self._touching(feature)
            pair, flat = _pairs(first, count)
            seg = joined[flat]
            q = g_point[lo:hi][owner[pair]]
            m, _ = _kernel(px[q], py[q], self.sa_x[seg], self.sa_y[seg], self.sb_x[seg], self.sb_y[seg])
            by = owner[pair]
            heads = np.flatnonzero(np.r_[True, by[1:] != by[:-1]])
            exact[by[heads]] = np.minimum.reduceat(m, heads)
        return np.where(on_real, exact, h), on_real, nearest, upper

    def _touching(self, feature: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The boundary segments of each feature of a hull (its first in the joined lists, its
        number, the joined lists): those within 1 cm of hull vertex ``f`` (the start of edge ``f``), or of edge
        ``f − number of edges`` (a segment within 1 cm of an edge is so at one of the two
        segments' ends). Where the hull's nearest point is that feature, they hold the
        territory's nearest boundary point. Listed when first needed."""
        first, count, joined = self._touch_state
        todo = np.unique(feature[first[feature] < 0])
        if len(todo):
            n_edges = len(self.ea_x)
            g = todo % n_edges
            is_edge = todo >= n_edges
            # candidates: the territory's segments whose box is within a metre of the
            # feature's (far more than 1 cm: never a segment too few), all features at once
            fx0 = np.where(is_edge, np.minimum(self.ea_x[g], self.eb_x[g]), self.ea_x[g]) - _TOUCH_BOX_M
            fx1 = np.where(is_edge, np.maximum(self.ea_x[g], self.eb_x[g]), self.ea_x[g]) + _TOUCH_BOX_M
            fy0 = np.where(is_edge, np.minimum(self.ea_y[g], self.eb_y[g]), self.ea_y[g]) - _TOUCH_BOX_M
            fy1 = np.where(is_edge, np.maximum(self.ea_y[g], self.eb_y[g]), self.ea_y[g]) + _TOUCH_BOX_M
            terr = self.edge_terr[g]
            pf_parts, ps_parts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
            for k in np.unique(terr).tolist():
                fi = np.flatnonzero(terr == k)
                lo, hi = int(self.seg_start[k]), int(self.seg_start[k + 1])
                ax, ay, bx, by = self.sa_x[lo:hi], self.sa_y[lo:hi], self.sb_x[lo:hi], self.sb_y[lo:hi]
                near = (np.minimum(ax, bx)[None, :] <= fx1[fi, None]) & (np.maximum(ax, bx)[None, :] >= fx0[fi, None])
                near &= (np.minimum(ay, by)[None, :] <= fy1[fi, None]) & (np.maximum(ay, by)[None, :] >= fy0[fi, None])
                row, col = np.nonzero(near)
                pf_parts.append(fi[row])
                ps_parts.append(lo + col)
            pf, ps = np.concatenate(pf_parts), np.concatenate(ps_parts)
            order = np.lexsort((ps, pf))  # by feature, then segment
            pf, ps = pf[order], ps[order]
            # each pair's gap, as GEOS measures it: vertex → segment; for an edge, also its
            # end → segment and the segment's ends → edge
            ge = g[pf]
            v0x, v0y = self.ea_x[ge], self.ea_y[ge]
            gap = _kernel(v0x, v0y, self.sa_x[ps], self.sa_y[ps], self.sb_x[ps], self.sb_y[ps])[0]
            on = np.flatnonzero(is_edge[pf])
            if len(on):
                ge, so = ge[on], ps[on]
                v1x, v1y = self.eb_x[ge], self.eb_y[ge]
                m = _kernel(v1x, v1y, self.sa_x[so], self.sa_y[so], self.sb_x[so], self.sb_y[so])[0]
                for sx, sy in ((self.sa_x[so], self.sa_y[so]), (self.sb_x[so], self.sb_y[so])):  # segments' ends → edge
                    m = np.minimum(m, _kernel(sx, sy, v0x[on], v0y[on], v1x.copy(), v1y.copy())[0])
                gap[on] = np.minimum(gap[on], m)
            hit = gap <= _TOUCH_M
            pf, ps = pf[hit], ps[hit]
            n_found = np.bincount(pf, minlength=len(todo)).astype(np.int64)
            first, count = first.copy(), count.copy()
            first[todo] = len(joined) + np.cumsum(n_found) - n_found
            count[todo] = n_found
            joined = np.concatenate([joined, ps.astype(np.int64)])
            self._touch_state = (first, count, joined)
        return first[feature], count[feature], joined

    def _pockets_of(
        self, e: np.ndarray, px: np.ndarray, py: np.ndarray, h: np.ndarray, upper: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact distances to the territory's boundary of points whose nearest hull point is
        inside hull edge ``e`` (global index: a bridge over a bay), at ``h``, with a boundary
        point at ``upper``; and whether each was measured (not too many candidate segments)."""
        by_edge = np.argsort(e, kind="stable")
        cut = np.flatnonzero(np.r_[True, e[by_edge][1:] != e[by_edge][:-1], True])
        counts = np.zeros(len(e), np.int64)
        start = np.zeros(len(e), np.int64)  # each point's first candidate in the joined orders
        orders, total = [], 0
        for i in range(len(cut) - 1):
            sel = by_edge[cut[i] : cut[i + 1]]
            order, depth = self._pocket(int(e[sel[0]]))
            # (at most MAX_POCKET_SEGMENTS + 1 of them: one more says "too many")
            counts[sel] = np.searchsorted(depth, upper[sel] - h[sel] + _SLACK_M, side="right")
            start[sel] = total
            total += len(order)
            orders.append(order)
        # the nearest boundary point is at most `upper` away: among the candidates (GEOS's
        # distance: the minimum over them); none (rounding) or too many: not measured here
        measured = (counts <= MAX_POCKET_SEGMENTS) & (counts > 0)
        d = np.full(len(e), np.inf)
        act = np.flatnonzero(measured)
        if len(act):
            joined = np.concatenate(orders)
            for lo, hi in _spans(counts[act]):
                rows = act[lo:hi]
                point, flat = _pairs(start[rows], counts[rows])
                seg = joined[flat]
                m, _ = _kernel(
                    px[rows][point], py[rows][point], self.sa_x[seg], self.sa_y[seg], self.sb_x[seg], self.sb_y[seg]
                )
                d[rows] = np.minimum(
                    d[rows], np.minimum.reduceat(m, np.flatnonzero(np.r_[True, point[1:] != point[:-1]]))
                )
        return d, measured

    def _pocket(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """The boundary segments (global indices) of hull edge ``g``'s territory by their depth
        behind that edge's line (towards the hull's centre), and those depths: the
        :data:`MAX_POCKET_SEGMENTS` + 1 shallowest (a point with more candidates is not
        measured here: one more tells it), made when first needed."""
        if g not in self._pockets:
            k, e = int(self.edge_terr[g]), int(self.edge_local[g])
            a, b, _real = self.edges[k]
            sa, sb = self.segments[k]
            ex, ey = b[e] - a[e]
            length = float(np.hypot(ex, ey))
            nx, ny = -ey / length, ex / length
            cx, cy = self.centre[k]
            if (cx - a[e][0]) * nx + (cy - a[e][1]) * ny < 0:  # inward: towards the hull's centre
                nx, ny = -nx, -ny
            depth = np.minimum(
                (sa[:, 0] - a[e][0]) * nx + (sa[:, 1] - a[e][1]) * ny,
                (sb[:, 0] - a[e][0]) * nx + (sb[:, 1] - a[e][1]) * ny,
            )
            keep = MAX_POCKET_SEGMENTS + 1
            if len(depth) > keep:  # the shallowest ones (ties at the last depth kept), then in order
                near = np.flatnonzero(depth <= np.partition(depth, keep - 1)[keep - 1])
                order = near[np.argsort(depth[near], kind="stable")][:keep]
            else:
                order = np.argsort(depth, kind="stable")
            self._pockets[g] = (order + self.seg_start[k], depth[order])
        return self._pockets[g]

    def _list_edges(self, cx: np.ndarray, cy: np.ndarray) -> _Listing:
        """The hull edges of the cells centred at ``cx``, ``cy`` that can hold the nearest hull
        point of a territory that may be the nearest one, for any point of the cell.

        A cell of centre ``q`` and half-diagonal ``ρ``, ``U`` from its nearest hull vertex (a
        boundary vertex): every point ``p`` of the cell is at most ``U + ρ`` from the
        boundary, so only territories whose hull is that near matter, and of their hull
        edges, only those at most ``U + 2ρ`` from ``q`` can be nearest to ``p`` (a territory
        whose hull is farther may be listed with some of its edges: what they give is farther
        than the nearest boundary, it cannot be nearest nor tie)."""
        rho = HULL_CELL_M * np.sqrt(0.5) + _SLACK_M
        # U: the nearest hull vertex of the territory whose box is nearest (any boundary
        # vertex bounds the distance; that one is near)
        gx = np.maximum(np.maximum(self.boxes[None, :, 0] - cx[:, None], cx[:, None] - self.boxes[None, :, 2]), 0.0)
        gy = np.maximum(np.maximum(self.boxes[None, :, 1] - cy[:, None], cy[:, None] - self.boxes[None, :, 3]), 0.0)
        gap = np.sqrt(gx * gx + gy * gy)
        k0 = np.argmin(gap, axis=1)
        point, v = _pairs(self.edge_start[k0], self.edge_start[k0 + 1] - self.edge_start[k0])
        dx = cx[point] - self.ea_x[v]
        dy = cy[point] - self.ea_y[v]
        d2 = dx * dx + dy * dy
        heads = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
        u2 = np.minimum.reduceat(d2, heads)
        u = np.sqrt(u2)
        vertex = np.minimum.reduceat(np.where(d2 == u2[point], v, _BIG), heads)  # the anchor: that vertex
        reach = u + 2 * rho + _SLACK_M
        # the territories whose box is within reach, then their edges within reach
        ci, k = np.nonzero(gap <= reach[:, None] * (1 + 1e-9))
        point, e = _pairs(self.edge_start[k], self.edge_start[k + 1] - self.edge_start[k])
        cell = ci[point]
        dq = _distances(cx, cy, cell, self.ea_x, self.ea_y, self.eb_x, self.eb_y, e)
        keep = dq <= reach[cell]
        return cell[keep], e[keep], dq[keep], self.edge_terr[e[keep]], u, self.ea_x[vertex], self.ea_y[vertex]


class SegmentCells:
    """Exact nearest-boundary distances for any point with a cell (inside a hull, facing a
    bay...), by cells of :data:`CELL_M` metres, each listing the boundary segments that can
    hold the nearest boundary point of any point of the cell.

    For a cell of centre ``q`` and half-diagonal ``ρ``, at distance ``D`` from the boundary
    (GEOS's to the bit, once per cell: the minimum of :func:`_kernel` over the pieces within
    ``v + 2ρ``, ``v`` the distance to the nearest boundary vertex, ``v ≥ D``): every point
    ``p`` of the cell is at most ``D + ρ`` from the boundary, and a segment at that distance
    from ``p`` is at most ``D + 2ρ`` from ``q``; segments farther from ``q`` than that (plus a
    slack far above the rounding errors) cannot be nearest, nor tie."""

    def __init__(self, a: np.ndarray, b: np.ndarray, owner: np.ndarray, tree: object, piece_start: np.ndarray) -> None:
        """``a``, ``b``: the boundary segments' ends (every segment of the pieces of ``tree``,
        the STRtree of the boundary pieces, in order); ``owner``: each segment's territory
        index; ``piece_start``: each piece's first segment (and, last, the number of segments)."""
        self.ax, self.ay = np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
        self.bx, self.by = np.ascontiguousarray(b[:, 0]), np.ascontiguousarray(b[:, 1])
        self.owner = np.asarray(owner, np.int32)
        self.tree = tree
        self.piece_start = np.asarray(piece_start, np.int64)
        self.cells = _Cells(CELL_M, self._list_segments)
        self._vertex_tree: shapely.STRtree | None = None  # the segments' starts (when first needed)

    @staticmethod
    def bounded(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point has a cell (finite, within :data:`CELL_LIMIT_M`)."""
        return (np.abs(x) < CELL_LIMIT_M) & (np.abs(y) < CELL_LIMIT_M)

    def nearest(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance to the nearest boundary segment and its territory (the first in registry
        order of those at that distance), for :meth:`bounded` points."""
        n = len(x)
        dist = np.full(n, np.inf)
        owner = np.full(n, -1, np.int32)
        if n == 0 or not len(self.ax):
            return dist, owner
        order = self.cells.order(x, y)
        x, y = x[order], y[order]
        g_point, _label, g_first, g_count, items = self.cells.groups(x, y)  # one list per cell
        for lo, hi in _spans(g_count):
            group, flat = _pairs(g_first[lo:hi], g_count[lo:hi])
            seg = items[flat]
            point = g_point[lo:hi][group]
            d, _ = _kernel(x[point], y[point], self.ax[seg], self.ay[seg], self.bx[seg], self.by[seg])
            gs = np.cumsum(g_count[lo:hi]) - g_count[lo:hi]
            best = np.minimum.reduceat(d, gs)
            own = np.minimum.reduceat(np.where(d == best[group], self.owner[seg], _BIG), gs)
            dist[order[g_point[lo:hi]]] = best
            owner[order[g_point[lo:hi]]] = own
        return dist, owner

    def _list_segments(self, cx: np.ndarray, cy: np.ndarray) -> _Listing:
        """The segments of the cells centred at ``cx``, ``cy`` (see the class)."""
        centres = shapely.points(cx, cy)
        # the nearest boundary vertex (a boundary point, GEOS's nearest-neighbour query of
        # points: twice as fast as the pieces'): at ``v`` ≥ ``D``, so the pieces within
        # ``v + 2ρ`` hold every segment within ``D + 2ρ``, and the nearest one (``D``: the
        # minimum of the kernel over them, GEOS's distance to the bit)
        if self._vertex_tree is None:
            self._vertex_tree = shapely.STRtree(shapely.points(self.ax, self.ay))
        (vi, vt), v = self._vertex_tree.query_nearest(centres, return_distance=True, all_matches=False)
        bound = np.full(len(cx), np.inf)
        bound[vi] = v
        anchor_x, anchor_y = np.full(len(cx), np.nan), np.full(len(cx), np.nan)  # that vertex
        anchor_x[vi], anchor_y[vi] = self.ax[vt], self.ay[vt]
        rho2 = 2 * (CELL_M * np.sqrt(0.5) + _SLACK_M) + _SLACK_M
        ci, pi = self.tree.query(centres, predicate="dwithin", distance=bound + rho2)  # type: ignore[attr-defined]
        order = np.lexsort((pi, ci))
        ci, pi = ci[order], pi[order]
        point, seg = _pairs(self.piece_start[pi], self.piece_start[pi + 1] - self.piece_start[pi])
        cell = ci[point]
        dq = _distances(cx, cy, cell, self.ax, self.ay, self.bx, self.by, seg)
        near = np.full(len(cx), np.inf)
        if len(cell):
            heads = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            near[cell[heads]] = np.minimum.reduceat(dq, heads)
        reach = near + 2 * (CELL_M * np.sqrt(0.5) + _SLACK_M) + _SLACK_M  # as before: the same lists
        keep = dq <= reach[cell]
        return cell[keep], seg[keep], dq[keep], np.zeros(int(keep.sum()), np.int32), near, anchor_x, anchor_y


def _segments(boundary: object) -> tuple[np.ndarray, np.ndarray]:
    """The segments (start points, end points) of every line of ``boundary`` (as GEOS measures
    them: one of length zero, a repeated vertex, is a point)."""
    starts, ends = [], []
    for line in np.atleast_1d(shapely.get_parts(boundary)):
        coords = shapely.get_coordinates(line)
        if len(coords) >= 2:
            starts.append(coords[:-1])
            ends.append(coords[1:])
    if not starts:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(starts), np.concatenate(ends)


def _spans(count: np.ndarray) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of points whose ``count`` candidate pairs add up to about :data:`CHUNK`."""
    ends = np.cumsum(count)
    lo, n = 0, len(count)
    while lo < n:
        done = int(ends[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(ends, done + CHUNK, side="right")), lo + 1)
        yield lo, min(hi, n)
        lo = hi


def _pairs(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (owner, item) pair of ``count[i]`` consecutive items from ``first[i]``: the owner's
    index (non-decreasing) and the item's."""
    point = np.repeat(np.arange(len(count)), count)
    group = np.cumsum(count) - count
    return point, np.repeat(first - group, count) + np.arange(int(count.sum()))


def _distances(
    px: np.ndarray,
    py: np.ndarray,
    point: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    seg: np.ndarray,
) -> np.ndarray:
    """:func:`_kernel` from points ``point`` to segments ``seg``, :data:`CHUNK` pairs at a time."""
    out = np.empty(len(point))
    for i in range(0, len(point), CHUNK):
        p, s = point[i : i + CHUNK], seg[i : i + CHUNK]
        out[i : i + CHUNK], _ = _kernel(px[p], py[p], ax[s], ay[s], bx[s], by[s])
    return out


def _kernel(
    px: np.ndarray,
    py: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    vertex: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """GEOS's ``Distance::pointToSegment`` from points to segments ``a``–``b`` (arrays of one
    length; the arrays ``ax``... are overwritten): the nearer end when the projection falls
    outside the segment (then, with ``vertex``, flagged: 1 at ``a``, 2 at ``b``, else 0), else the perpendicular distance; a
    segment of length zero is its point. The operations are GEOS's, in its order::

        len2 = (B.x - A.x)² + (B.y - A.y)²
        r = ((p.x - A.x)(B.x - A.x) + (p.y - A.y)(B.y - A.y)) / len2
        r <= 0: |p - A|;  r >= 1: |p - B|
        s = ((A.y - p.y)(B.x - A.x) - (A.x - p.x)(B.y - A.y)) / len2;  |s| · √len2

    (``(A.y - p.y)·ex − (A.x − p.x)·ey`` is ``dx·ey − dy·ex`` to the bit: a rounded
    difference changes sign exactly with its operands)."""
    ex = bx - ax
    ey = by - ay
    len2 = ex * ex
    len2 += ey * ey
    dx = px - ax
    dy = py - ay
    with np.errstate(divide="ignore", invalid="ignore"):
        r = dx * ex
        r += dy * ey
        r /= len2
        s = dx * ey
        s -= dy * ex
        s /= len2
    np.abs(s, out=s)
    s *= np.sqrt(len2)
    # |p - A| and |p - B| (ax, ay, ex, ey reused)
    np.multiply(dx, dx, out=ax)
    ax += dy * dy
    np.sqrt(ax, out=ax)
    np.subtract(px, bx, out=ex)
    np.subtract(py, by, out=ey)
    ex *= ex
    ey *= ey
    ex += ey
    np.sqrt(ex, out=ex)
    start = r <= 0.0
    end = r >= 1.0
    np.copyto(s, ax, where=start)
    np.copyto(s, ex, where=end)
    point = len2 == 0.0
    if point.any():
        s[point] = ax[point]
    return s, (start.view(np.int8) + 2 * end.view(np.int8)) if vertex else None
