"""Exact distances to the territories' boundaries for points outside every convex hull,
vectorised (most points of a file are kilometres from any territory).

For a point outside the convex hull of a territory, the hull is nearer than (or as near as) the
territory itself; and where the hull's nearest point is one of its vertices (always a vertex of
the territory's boundary) or lies on a hull edge that is a piece of the boundary, the two
distances are equal. So, for a point outside every hull:

1. keep the territories whose bounding circle may hold the nearest boundary (a lower bound
   per territory against the best upper bound);
2. compute the exact distance to each kept territory's hull, edge by edge (the formula of
   GEOS's ``Distance::pointToSegment``, in numpy), in registry order, a tie kept by the first;
3. where a hull's nearest point is a boundary vertex, or on a hull edge that is a boundary
   piece, that is the territory's distance. Where it is on an edge that bridges a bay of the
   territory, at distance ``h``, every boundary point at depth ``δ`` behind that edge's line is
   at least ``h + δ`` away, and a trusted feature of the hull at ``U``: only the boundary
   segments less than ``U − h`` deep can be nearer — measured one by one (at most
   :data:`MAX_POCKET_SEGMENTS` of them, else the point is not settled here);
4. the nearest territory (of several at the same distance, the first in registry order) is
   settled when no territory left unmeasured could be as near.

Points inside a hull, and the unsettled ones, go the general way
(:meth:`tzcld.eligibility.Classifier.boundary_distance`: a GEOS nearest-neighbour query).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

#: Beyond this many candidate segments behind a bay's edge, a point goes the general way.
MAX_POCKET_SEGMENTS = 64
#: Points settled at a time (:meth:`HullDistance.settle`).
BLOCK = 32_768
#: Slack (m) on the depth bound, far above the rounding errors of the coordinates' arithmetic.
_SLACK_M = 1e-6


class HullDistance:
    """The convex hulls of the territories (one per territory, in registry order)."""

    def __init__(self, territories: Sequence[object]) -> None:
        """``territories``: one (Multi)Polygon per territory, in registry order (EPSG:31370)."""
        self.hulls = []
        self.edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.segments: list[tuple[np.ndarray, np.ndarray]] = []
        self._pockets: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        centres, radii_min, radii_max, boxes = [], [], [], []
        for shape in territories:
            hull = shapely.convex_hull(shape)
            if shapely.get_type_id(hull) != 3:  # degenerate (a point or a line): never settles
                hull = shapely.Polygon()
            shapely.prepare(hull)
            self.hulls.append(hull)
            ring = shapely.get_coordinates(shapely.get_exterior_ring(hull)) if not hull.is_empty else np.zeros((0, 2))
            a, b = ring[:-1], ring[1:]
            boundary = shapely.boundary(shape)
            real = (
                shapely.covers(boundary, shapely.linestrings(np.stack([a, b], axis=1))) if len(a) else np.zeros(0, bool)
            )
            self.edges.append((a, b, np.asarray(real, bool)))
            self.segments.append(_segments(boundary))
            if len(a):
                centre = a.mean(axis=0)
                r = np.hypot(a[:, 0] - centre[0], a[:, 1] - centre[1])
                centres.append(centre)
                radii_min.append(r.min())
                radii_max.append(r.max())
                boxes.append(shapely.bounds(hull))
            else:
                centres.append((np.nan, np.nan))
                radii_min.append(np.nan)
                radii_max.append(np.nan)
                boxes.append((np.inf, np.inf, -np.inf, -np.inf))
        self.centre = np.asarray(centres, float).reshape(-1, 2)
        self.r_min = np.asarray(radii_min, float)
        self.r_max = np.asarray(radii_max, float)
        self.boxes = np.asarray(boxes, float).reshape(-1, 4)

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
        distance and index are meaningful where ``settled``. By blocks of :data:`BLOCK`
        points (the per-territory arrays stay a few MB)."""
        if len(x) > BLOCK:
            parts = [self.settle(x[i : i + BLOCK], y[i : i + BLOCK]) for i in range(0, len(x), BLOCK)]
            return tuple(np.concatenate(a) for a in zip(*parts, strict=True))  # type: ignore[return-value]
        n = len(x)
        settled = np.zeros(n, bool)
        dist = np.full(n, np.inf)
        owner = np.full(n, -1, dtype=np.int32)
        if n == 0 or not len(self.hulls):
            return settled, dist, owner
        dc = np.hypot(x[:, None] - self.centre[None, :, 0], y[:, None] - self.centre[None, :, 1])
        lower = dc - self.r_max[None, :]  # no point of hull k is nearer than this
        # first the territory of the nearest centre: its distance, or a boundary point's, bounds
        # the answer; then only the territories that could be nearer than that
        first = np.nanargmin(dc, axis=1)
        measured_of: dict[int, tuple] = {}
        bound = np.full(n, np.inf)
        for k in np.unique(first).tolist():
            rows = np.flatnonzero(first == k)
            d, measured, h, upper_k = self._territory(k, x[rows], y[rows])
            measured_of[k] = (rows, d, measured, h)
            bound[rows] = np.where(measured, d, upper_k)
        unknown = np.full(n, np.inf)  # the lowest bound of the territories left unmeasured
        for k in range(len(self.edges)):
            done = measured_of.get(k)
            rows = np.flatnonzero((lower[:, k] <= bound) & (first != k))
            if len(rows):
                d, measured, h, _upper = self._territory(k, x[rows], y[rows])
                if done is not None:
                    rows = np.concatenate([done[0], rows])
                    d, measured, h = (np.concatenate([u, v]) for u, v in zip(done[1:], (d, measured, h), strict=True))
            elif done is not None:
                rows, d, measured, h = done
            else:
                continue
            order = np.argsort(rows, kind="stable")
            rows, d, measured, h = rows[order], d[order], measured[order], h[order]
            better = measured & (d < dist[rows])
            dist[rows[better]] = d[better]
            owner[rows[better]] = k
            lost = rows[~measured]
            unknown[lost] = np.minimum(unknown[lost], h[~measured])
        settled[:] = np.isfinite(dist) & (dist < unknown)
        return settled, dist, owner

    def _territory(
        self, k: int, px: np.ndarray, py: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For points outside territory ``k``'s hull: the distance to its boundary, whether it
        was measured, the distance to the hull (a lower bound) and to a boundary point of the
        hull (an upper bound)."""
        a, b, real = self.edges[k]
        if not len(a):
            inf = np.full(len(px), np.inf)
            return inf, np.zeros(len(px), bool), inf, inf
        h, trusted, edge, upper = _to_polygon(px, py, a, b, real)
        d = np.where(trusted, h, np.inf)
        measured = trusted.copy()
        bay = np.flatnonzero(~trusted)
        for e in np.unique(edge[bay]).tolist():
            sel = bay[edge[bay] == e]
            d[sel], measured[sel] = self._pocket(k, e, px[sel], py[sel], h[sel], upper[sel])
        return d, measured, h, upper

    def _pocket(
        self, k: int, e: int, px: np.ndarray, py: np.ndarray, h: np.ndarray, upper: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact distances to territory ``k``'s boundary of points whose nearest hull point is
        inside edge ``e`` (a bridge over a bay), at ``h``, with a boundary point at ``upper``;
        and whether each was measured (not too many candidate segments)."""
        if (k, e) not in self._pockets:
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
            order = np.argsort(depth, kind="stable")
            self._pockets[k, e] = (order, depth[order])
        order, depth = self._pockets[k, e]
        sa, sb = self.segments[k]
        counts = np.searchsorted(depth, upper - h + _SLACK_M, side="right")
        measured = counts <= MAX_POCKET_SEGMENTS
        d = upper.copy()
        most = int(counts[measured].max()) if measured.any() else 0
        if most:
            act = np.flatnonzero(measured & (counts > 0))
            seg = order[:most]
            m = _to_segment(px[act, None], py[act, None], sa[seg, 0], sa[seg, 1], sb[seg, 0], sb[seg, 1])
            m[np.arange(most)[None, :] >= counts[act, None]] = np.inf  # beyond each point's candidates
            d[act] = np.minimum(d[act], m.min(axis=1))
        return d, measured


def _segments(boundary: object) -> tuple[np.ndarray, np.ndarray]:
    """The segments (start points, end points) of every line of ``boundary``, none of length zero."""
    starts, ends = [], []
    for line in np.atleast_1d(shapely.get_parts(boundary)):
        coords = shapely.get_coordinates(line)
        if len(coords) >= 2:
            starts.append(coords[:-1])
            ends.append(coords[1:])
    if not starts:
        return np.zeros((0, 2)), np.zeros((0, 2))
    a, b = np.concatenate(starts), np.concatenate(ends)
    keep = (a != b).any(axis=1)  # a repeated vertex: no segment (its point ends its neighbours)
    return a[keep], b[keep]


def _to_segment(
    px: np.ndarray,
    py: np.ndarray,
    ax: np.ndarray | float,
    ay: np.ndarray | float,
    bx: np.ndarray | float,
    by: np.ndarray | float,
) -> np.ndarray:
    """GEOS's ``Distance::pointToSegment`` from points to segments ``a``–``b`` (numpy arrays
    or floats, broadcast; never of length zero): the nearer end when the projection falls
    outside the segment, else the perpendicular distance."""
    ex, ey = bx - ax, by - ay
    len2 = ex * ex + ey * ey
    r = ((px - ax) * ex + (py - ay) * ey) / len2
    s = ((ay - py) * ex - (ax - px) * ey) / len2
    d_a = np.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    d_b = np.sqrt((px - bx) * (px - bx) + (py - by) * (py - by))
    return np.where(r <= 0.0, d_a, np.where(r >= 1.0, d_b, np.abs(s) * np.sqrt(len2)))


def _to_polygon(
    px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distance from each point to the closed chain of segments ``a[i]–b[i]`` (a convex hull);
    whether the nearest point is a vertex or lies on a segment flagged ``real`` (a boundary
    piece: the distance is a boundary distance); the nearest segment; and the distance to the
    nearest vertex or real segment (a boundary point: an upper bound)."""
    best = np.full(len(px), np.inf)
    upper = np.full(len(px), np.inf)
    on_real = np.zeros(len(px), bool)
    edge = np.zeros(len(px), np.int64)
    for i, is_real in enumerate(real.tolist()):
        ax, ay, bx, by = float(a[i][0]), float(a[i][1]), float(b[i][0]), float(b[i][1])
        ex, ey = bx - ax, by - ay
        len2 = ex * ex + ey * ey
        if len2 == 0.0:
            continue
        r = ((px - ax) * ex + (py - ay) * ey) / len2
        d = _to_segment(px, py, ax, ay, bx, by)
        # the nearest point is a vertex (a boundary vertex), or inside this edge
        trusted = (r <= 0.0) | (r >= 1.0) | is_real
        better = d < best
        # of several nearest points at the same distance, one that is trusted is enough
        on_real = np.where(better, trusted, on_real | ((d == best) & trusted))
        edge = np.where(better, i, edge)
        best = np.where(better, d, best)
        upper = np.where(trusted, np.minimum(upper, d), upper)
    return best, on_real, edge, upper
