"""The vectorised distances to the territories' boundaries (``tzcld.hull_distance``) are GEOS's,
to the last bit, with the same nearest territory (ties: the first in registry order): points
far away, inside hulls, inside territories, in holes and bays, on boundaries, near vertices,
on the cells' edges, beyond the cells."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import tzcld.hull_distance as hd
from tests.check_support import bay_shapes, shapes_classifier
from tzcld.eligibility import Classifier, default_classifier


def _classifier() -> Classifier:
    """A U (a deep bay), a comb, two villages as one territory, a square with a hole, a
    neighbour sharing an edge with the comb, an L whose hull edges run along several
    collinear boundary segments, and a thin sliver beside the square's hole."""
    shapes = bay_shapes()
    shapes["ell"] = shapely.Polygon(
        [(13000, 0), (13250.5, 0), (13500, 0), (14000, 0), (14000, 333.3), (14000, 700), (13500, 700), (13500, 2000)]
        + [(13000, 2000), (13000, 1000.25)]
    )
    shapes["sliver"] = shapely.Polygon([(9600, 600), (10400, 600.001), (10400, 610), (9600, 610)])  # in the hole
    return shapes_classifier(list(shapes.values()), list(shapes))


def _awkward_points(c: Classifier, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points of every kind: far, around and inside the shapes, every boundary vertex with
    tiny offsets, points on segments, on the cells' edges."""
    coords = shapely.get_coordinates(c.boundary_pieces)
    x0, y0, x1, y1 = shapely.total_bounds(c.geoms)
    xs = [
        rng.uniform(-30_000, 45_000, 4000),
        rng.uniform(x0 - 300, x1 + 300, 12_000),
        coords[:, 0],
    ]
    ys = [
        rng.uniform(-30_000, 40_000, 4000),
        rng.uniform(y0 - 300, y1 + 300, 12_000),
        coords[:, 1],
    ]
    for offset in (1e-9, 1e-6, 1e-3, 0.3, 7.0):
        pick = rng.integers(0, len(coords), 400)
        angle = rng.uniform(0, 2 * np.pi, len(pick))
        xs.append(coords[pick, 0] + offset * np.cos(angle))
        ys.append(coords[pick, 1] + offset * np.sin(angle))
    # on segments (and a hair beside)
    for line in c.boundary_pieces[:: max(len(c.boundary_pieces) // 60, 1)]:
        t = rng.uniform(0, 1, 20)
        pts = shapely.line_interpolate_point(line, t, normalized=True)
        px, py = shapely.get_x(pts), shapely.get_y(pts)
        xs += [px, px + 1e-7]
        ys += [py, py - 1e-7]
    # on the cells' edges and corners (both kinds of cells)
    for size in (hd.CELL_M, hd.HULL_CELL_M):
        gx = np.arange(np.floor((x0 - 2000) / size), np.ceil((x1 + 2000) / size)) * size
        gy = rng.uniform(y0 - 2000, y1 + 2000, len(gx))
        xs += [gx, gx, np.nextafter(gx, -np.inf)]
        ys += [gy, np.round(gy / size) * size, gy]
    return np.concatenate(xs), np.concatenate(ys)


def _same_as_geos(c: Classifier, x: np.ndarray, y: np.ndarray) -> None:
    fast_d, fast_o = c.boundary_distance(x, y)
    geos_d, geos_o = c.boundary_distance(x, y, fast=False)
    bad = np.flatnonzero((fast_d != geos_d) | (fast_o != geos_o))
    assert not len(bad), (
        f"{len(bad)} points differ, e.g. ({x[bad[0]]!r}, {y[bad[0]]!r}): "
        f"{fast_d[bad[0]]!r} ({fast_o[bad[0]]}) vs GEOS {geos_d[bad[0]]!r} ({geos_o[bad[0]]})"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_kind_of_point_gets_geos_distance_and_territory(seed):
    c = _classifier()
    x, y = _awkward_points(c, np.random.default_rng(seed))
    _same_as_geos(c, x, y)


def test_each_way_is_exact_on_its_own():
    """The hull way on points outside every hull (settled ones), the cells' way on any point."""
    c = _classifier()
    x, y = _awkward_points(c, np.random.default_rng(5))
    geos_d, geos_o = c.boundary_distance(x, y, fast=False)
    far = c.hulls.outside_all(x, y)
    settled, d, o = c.hulls.settle(x[far], y[far])
    assert settled.mean() > 0.8
    assert np.array_equal(d[settled], geos_d[far][settled])
    assert np.array_equal(o[settled], geos_o[far][settled])
    assert (~far).sum() > 3000  # many points inside hulls
    d, o = c.cells.nearest(x, y)
    assert np.array_equal(d, geos_d)
    assert np.array_equal(o, geos_o)


def test_cells_listed_in_several_calls_and_small_chunks(monkeypatch):
    """Cells listed by earlier calls are kept and merged; chunks smaller than a cell's list."""
    c = _classifier()
    rng = np.random.default_rng(7)
    x, y = _awkward_points(c, rng)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    monkeypatch.setattr(hd, "CHUNK", 7)
    for part in np.array_split(np.arange(len(x)), 5):
        _same_as_geos(c, x[part], y[part])
    _same_as_geos(c, x, y)


def test_points_beyond_the_cells_and_invalid_points():
    c = _classifier()
    x = np.array([3e8, -5e8, 1e7, np.nan, 500.0, np.inf])
    y = np.array([0.0, 2e8, -1e7, 0.0, np.nan, 0.0])
    fast_d, fast_o = c.boundary_distance(x, y)
    geos_d, geos_o = c.boundary_distance(x, y, fast=False)
    assert np.array_equal(fast_d, geos_d, equal_nan=True)
    assert np.array_equal(fast_o, geos_o)
    assert np.isnan(fast_d[3:]).all() and (fast_o[3:] == -1).all()
    assert c.boundary_distance(np.zeros(0), np.zeros(0))[0].shape == (0,)


def test_inside_holes_and_on_shared_edges_name_the_first_territory():
    c = _classifier()
    ids = list(c.territory_ids)
    # in the hole of the square, nearer to the sliver; on the comb/neighbour shared edge;
    # a point of the hole as near to the hole's ring as to the sliver (y = 555 is 55 m from both)
    x = np.array([10_000.0, 7100.0, 7100.0, 10_000.0, 9800.0])
    y = np.array([1000.0, 150.0, -40.0, 605.0, 555.0])
    d, o = c.boundary_distance(x, y)
    geos_d, geos_o = c.boundary_distance(x, y, fast=False)
    assert np.array_equal(d, geos_d) and np.array_equal(o, geos_o)
    assert [ids[k] for k in o[:3]] == ["sliver", "comb", "comb"]
    assert d[1] == 0.0 and d[2] == 40.0


def test_register_like_points_on_the_real_perimeters():
    """The committed perimeters: points inside the hulls (most of them in territories),
    every boundary vertex with tiny offsets, and points a few km around."""
    c = default_classifier()
    rng = np.random.default_rng(11)
    xs, ys = [], []
    for hull in c.hulls.hulls:
        if hull.is_empty:
            continue
        x0, y0, x1, y1 = shapely.bounds(hull)
        xs.append(rng.uniform(x0 - 3000, x1 + 3000, 2500))
        ys.append(rng.uniform(y0 - 3000, y1 + 3000, 2500))
    coords = shapely.get_coordinates(c.boundary_pieces)
    pick = rng.integers(0, len(coords), 6000)
    for offset in (0.0, 1e-8, 1e-4, 0.5):
        angle = rng.uniform(0, 2 * np.pi, len(pick))
        xs.append(coords[pick, 0] + offset * np.cos(angle))
        ys.append(coords[pick, 1] + offset * np.sin(angle))
    _same_as_geos(c, np.concatenate(xs), np.concatenate(ys))


def test_threads_sharing_a_classifier_and_a_bounded_cell_cache(monkeypatch):
    """The API and the pages share one classifier between threads: cells listed by one call
    never disturb another's; past MAX_CELLS the cells are listed afresh, answers unchanged."""
    from concurrent.futures import ThreadPoolExecutor

    c = _classifier()
    x, y = _awkward_points(c, np.random.default_rng(9))
    geos_d, geos_o = c.boundary_distance(x, y, fast=False)
    parts = np.array_split(np.random.default_rng(10).permutation(len(x)), 12)
    monkeypatch.setattr(hd, "CHUNK", 257)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda part: c.boundary_distance(x[part], y[part]), parts))
    for part, (d, o) in zip(parts, got, strict=True):
        assert np.array_equal(d, geos_d[part]) and np.array_equal(o, geos_o[part])
    monkeypatch.setattr(hd, "MAX_CELLS", 50)
    for part in parts[:4]:
        d, o = c.boundary_distance(x[part], y[part])
        assert np.array_equal(d, geos_d[part]) and np.array_equal(o, geos_o[part])
    assert len(c.cells.cells.state.keys) < 3000


@pytest.mark.parametrize("make", [_classifier, default_classifier])
def test_listings_are_their_definitions(make):
    """The segments touching each hull feature (found among the segments whose box is near)
    are those of the whole territory within 1 cm; the cells' bound is GEOS's distance from
    their centre to the boundary (found from the nearest vertex)."""
    c = make()
    h = c.hulls
    n_edges = len(h.ea_x)
    features = np.arange(2 * n_edges)
    first, count, joined = h._touching(features)
    for f in features.tolist():
        g = f % n_edges
        k = int(h.edge_terr[g])
        lo, hi = int(h.seg_start[k]), int(h.seg_start[k + 1])
        segs = shapely.linestrings(
            np.stack([np.c_[h.sa_x[lo:hi], h.sa_y[lo:hi]], np.c_[h.sb_x[lo:hi], h.sb_y[lo:hi]]], axis=1)
        )
        a = shapely.Point(h.ea_x[g], h.ea_y[g])
        feature = a if f < n_edges else shapely.LineString([a, (h.eb_x[g], h.eb_y[g])])
        expected = lo + np.flatnonzero(shapely.distance(feature, segs) <= hd._TOUCH_M)
        assert joined[first[f] : first[f] + count[f]].tolist() == expected.tolist(), f
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = shapely.total_bounds(c.boundary_pieces)
    x, y = rng.uniform(x0 - 2000, x1 + 2000, 400), rng.uniform(y0 - 2000, y1 + 2000, 400)
    cell, seg, _dq, _label, bound, anchor_x, anchor_y = c.cells._list_segments(x, y)
    (pi, _), d = c.boundary_tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    assert np.array_equal(bound[pi], d)
    # each cell's anchor: a boundary vertex, the nearest one
    vertices = set(zip(c.cells.ax.tolist(), c.cells.ay.tolist(), strict=True))
    assert all(v in vertices for v in zip(anchor_x.tolist(), anchor_y.tolist(), strict=True))
    nearest_vertex = shapely.distance(shapely.points(x, y)[:, None], shapely.points(c.cells.ax, c.cells.ay)[None, :])
    assert np.allclose(np.hypot(x - anchor_x, y - anchor_y), nearest_vertex.min(axis=1), rtol=1e-12, atol=0)
    # listed: every segment within the bound plus twice the cells' half-diagonal, no other
    s = c.cells
    reach = bound + 2 * (hd.CELL_M * np.sqrt(0.5) + hd._SLACK_M) + hd._SLACK_M
    n = len(s.ax)
    p, q = np.repeat(np.arange(len(x)), n), np.tile(np.arange(n), len(x))
    every = hd._kernel(x[p], y[p], s.ax[q], s.ay[q], s.bx[q], s.by[q])[0]
    within = every <= reach[p]
    assert sorted(zip(cell.tolist(), seg.tolist(), strict=True)) == list(
        zip(p[within].tolist(), q[within].tolist(), strict=True)
    )
