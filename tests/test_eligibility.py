"""Point-in-polygon verdicts on synthetic perimeters (exact expectations) and on the real ones."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.check_support import bay_shapes, shapes_classifier
from tzcld.eligibility import (
    BOUNDARY_MARGIN_M,
    Classifier,
    CriterionStatus,
    Reason,
    add_months,
    criteria_checklist,
    default_classifier,
)


def square(x0, y0, size):
    return shapely.box(x0, y0, x0 + size, y0 + size)


@pytest.fixture(scope="module")
def toy() -> Classifier:
    """Territory A: two sector units side by side (0–1000 m and 1000–2000 m); territory B:
    an indicative commune (5000–6000 m); territory C: a 'sectors-from-addresses' sector unit."""
    gdf = gpd.GeoDataFrame(
        {
            "territory_id": ["a", "a", "b", "c"],
            "unit": ["Nord", "Sud", "Commune B", "Quartier C"],
            "unit_kind": ["sector", "sector", "commune", "sector"],
            "unit_code": ["11111A00-", "11111B00-", "22222", "33333A00-"],
            "precision": ["sectors", "sectors", "indicative", "sectors-from-addresses"],
        },
        geometry=[square(0, 0, 1000), square(1000, 0, 1000), square(5000, 0, 1000), square(0, 5000, 1000)],
        crs="EPSG:31370",
    )
    return Classifier(gdf, data_version="test-1", territory_names={"a": "Territoire A", "b": "B", "c": "C"})


def test_inside_outside_with_distances(toy):
    x = np.array([500.0, 1500.0, 3000.0, -10_000.0])
    y = np.array([500.0, 500.0, 500.0, 500.0])
    r = toy.classify(x, y)
    assert r.status.tolist() == ["inside", "inside", "outside", "outside"]
    assert [toy.unit_names[u] if u >= 0 else None for u in r.unit] == ["Nord", "Sud", None, None]
    # the shared inner boundary between Nord and Sud is not a territory boundary
    assert r.distance_to_boundary_m[1] == pytest.approx(500.0)
    assert r.distance_to_boundary_m[0] == pytest.approx(500.0)
    # outside: nearest territory and its distance
    assert toy.territory_ids[r.nearest[2]] == "a" and r.distance_to_territory_m[2] == pytest.approx(1000.0)
    assert r.distance_to_territory_m[3] == pytest.approx(10_000.0)


def test_near_boundary_is_undetermined_on_both_sides(toy):
    eps = BOUNDARY_MARGIN_M / 2
    r = toy.classify(np.array([2000.0 - eps, 2000.0 + eps, 2000.0 + 3 * BOUNDARY_MARGIN_M]), np.array([500.0] * 3))
    assert r.status.tolist() == ["undetermined", "undetermined", "outside"]
    assert all(r.reasons[:2] & Reason.NEAR_BOUNDARY)
    assert r.territory[0] >= 0 and r.territory[1] == -1


def test_indicative_perimeter_is_undetermined(toy):
    r = toy.classify(np.array([5500.0]), np.array([500.0]))
    assert r.status[0] == "undetermined" and r.reasons[0] & Reason.INDICATIVE
    assert toy.territory_ids[r.territory[0]] == "b"


def test_sector_truth(toy):
    # a point drawn in Nord but officially in sector B ("Sud") is in Sud, whatever the margin
    r = toy.classify(
        np.array([999.0, 500.0, 500.0, 3000.0]),
        np.array([500.0, 5500.0, 5500.0, 500.0]),
        sectors=["11111B00-", "99999Z00-", "", "33333A00-"],
    )
    assert toy.unit_names[r.unit[0]] == "Sud" and r.status[0] == "inside"
    # approximate (sectors-from-addresses) unit, but the address's sector is another one: outside
    assert r.status[1] == "outside" and r.reasons[1] & Reason.SECTOR_TRUTH
    # unknown sector: geometry decides
    assert r.status[2] == "inside"
    # geometry says outside, the official sector says Quartier C
    assert r.status[3] == "inside" and toy.unit_names[r.unit[3]] == "Quartier C"


def test_sector_conflict_on_exact_polygons_is_undetermined(toy):
    r = toy.classify(np.array([500.0]), np.array([500.0]), sectors=["99999Z00-"])
    assert r.status[0] == "undetermined" and r.reasons[0] & Reason.SECTOR_CONFLICT


def test_invalid_points(toy):
    r = toy.classify(np.array([np.nan, 500.0]), np.array([1.0, 500.0]))
    assert r.status[0] is None and r.status[1] == "inside"


def test_spread_verdict(toy):
    assert toy.spread_verdict(np.array([[100.0, 100.0], [1900.0, 900.0]])) == (True, toy.territory_ids.index("a"))
    assert toy.spread_verdict(np.array([[100.0, 100.0], [3000.0, 100.0]]))[0] is False


def test_grid_agrees_with_exact_test_on_random_points(toy):
    rng = np.random.default_rng(0)
    x = rng.uniform(-500, 6500, 20_000)
    y = rng.uniform(-500, 6500, 20_000)
    fast = toy.locate(x, y)
    pi, gi = toy.tree.query(shapely.points(x, y), predicate="intersects")
    exact = np.full(len(x), -1)
    exact[pi] = gi
    assert (fast == exact).all()


def test_real_perimeters_agree_with_shapely():
    c = default_classifier()
    assert set(c.territory_ids) <= set(__import__("tzcld.territories", fromlist=["TERRITORY_IDS"]).TERRITORY_IDS)
    assert c.data_version
    xmin, ymin, xmax, ymax = shapely.total_bounds(c.geoms)
    rng = np.random.default_rng(1)
    x = rng.uniform(xmin, xmax, 50_000)
    y = rng.uniform(ymin, ymax, 50_000)
    fast = c.locate(x, y)
    pi, gi = c.tree.query(shapely.points(x, y), predicate="intersects")
    exact = np.full(len(x), -1)
    exact[pi] = gi
    assert (fast == exact).mean() > 0.9999  # points exactly on a shared edge may go either way
    assert (fast >= 0).sum() > 100


@pytest.mark.parametrize("which", ["real", "toy", "ragged"])
def test_grid_by_squares_is_the_grid_cell_by_cell(which, toy):
    """The look-up grid asked by squares of cells first (:data:`GRID_BLOCK`) is the grid asked
    cell by cell, on the real perimeters, on squares whose sides are the cells' sides, and on
    ragged shapes with holes and islands."""
    from tzcld.eligibility import GRID_BLOCK

    if which == "real":
        c = default_classifier()
    elif which == "toy":
        c = toy
    else:
        rng = np.random.default_rng(7)
        shapes = []
        for k in range(4):
            cx, cy = 3000.0 * k, 1500.0 * (k % 2)
            ring = shapely.Point(cx, cy).buffer(1800, quad_segs=3)
            centres, radii = rng.uniform(-900, 900, (6, 2)), rng.uniform(50, 400, 6)
            holes = shapely.union_all(
                [shapely.Point(cx + dx, cy + dy).buffer(r) for (dx, dy), r in zip(centres, radii)]
            )
            shapes.append(shapely.union(shapely.difference(ring, holes), square(cx + 2500, cy + 2500, 250)))
        c = shapes_classifier(shapes, ["p", "q", "r", "s"])
    fast = c.grid.copy()
    for block in (1, 3, GRID_BLOCK, 16):
        c._build_grid(block=block)
        assert np.array_equal(c.grid, fast), block
    assert (fast == -2).any() and (fast >= 0).any()


# ------------------------------------------------------------------ checklist


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2022, 2, 28), 24) == dt.date(2024, 2, 28)


def test_criteria_checklist_dates():
    on = dt.date(2026, 11, 26)
    seeker, dom = criteria_checklist(dt.date(2024, 11, 26), dt.date(2026, 5, 26), on)
    assert seeker.status is CriterionStatus.NOT_MET and seeker.met_on == dt.date(2024 + 2, 11, 27)
    assert dom.status is CriterionStatus.MET and dom.met_on == dt.date(2026, 11, 26)
    seeker, dom = criteria_checklist(dt.date(2020, 1, 1), None, on)
    assert seeker.status is CriterionStatus.MET and dom.status is CriterionStatus.UNKNOWN and dom.met_on is None
    seeker, dom = criteria_checklist(None, dt.date(2026, 6, 1), on)
    assert seeker.status is CriterionStatus.UNKNOWN and dom.status is CriterionStatus.NOT_MET
    assert dom.met_on == dt.date(2026, 12, 1)


def test_a_point_as_near_to_two_territories_names_the_first_in_registry_order():
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    from tzcld.eligibility import Classifier

    def squares(order):
        shapes = {"a": box(0, 0, 1000, 1000), "b": box(1000, 0, 2000, 1000)}  # they share x = 1000
        return gpd.GeoDataFrame(
            {
                "territory_id": order,
                "unit": order,
                "unit_kind": ["commune"] * 2,
                "unit_code": order,
                "precision": ["exact"] * 2,
            },
            geometry=[shapes[t] for t in order],
            crs="EPSG:31370",
        )

    for order in (["a", "b"], ["b", "a"]):
        c = Classifier(squares(order))
        dist, owner = c.boundary_distance(np.array([1000.0, 1000.0]), np.array([-500.0, 1500.0]))
        assert dist.tolist() == [500.0, 500.0]
        assert [c.territory_ids[k] for k in owner] == [order[0], order[0]]


def _bays_classifier() -> Classifier:
    """Shapes whose convex hulls bridge bays (:func:`tests.check_support.bay_shapes`)."""
    shapes = bay_shapes()
    return shapes_classifier(list(shapes.values()), list(shapes))


@pytest.mark.parametrize("seed", [0, 1])
def test_distances_outside_the_hulls_are_geos_distances(seed):
    """The vectorised distances (points outside every convex hull) equal GEOS's nearest-boundary
    distances (to the last bits: a hull edge made of several collinear boundary segments is
    measured whole), and name the same territory — bays, holes, several parts, a
    shared edge (the first territory in registry order) included."""
    c = _bays_classifier()
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-20_000, 30_000, 20_000), rng.uniform(-500, 12_000, 20_000), [7100.0, 1500.0]])
    y = np.concatenate([rng.uniform(-20_000, 30_000, 20_000), rng.uniform(-500, 7_000, 20_000), [-800.0, 5000.0]])
    fast = c.boundary_distance(x, y)
    geos = c.boundary_distance(x, y, fast=False)
    assert np.array_equal(fast[0], geos[0])
    assert np.array_equal(fast[1], geos[1])
    far = c.hulls.outside_all(x, y)
    settled, _d, _o = c.hulls.settle(x[far], y[far])
    assert settled.mean() > 0.9  # far points are settled without GEOS, bays included
    # the point below the shared edge names the first of the two territories
    assert c.territory_ids[fast[1][-2]] == "comb"


def test_distances_on_the_real_perimeters_are_geos_distances():
    c = default_classifier()
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = shapely.total_bounds(c.geoms)
    x = rng.uniform(x0 - 60_000, x1 + 60_000, 60_000)
    y = rng.uniform(y0 - 60_000, y1 + 60_000, 60_000)
    fast = c.boundary_distance(x, y)
    geos = c.boundary_distance(x, y, fast=False)
    assert np.array_equal(fast[0], geos[0])
    assert np.array_equal(fast[1], geos[1])
