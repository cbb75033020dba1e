"""Proposals from sectors (the geodata build's geometry rules) and from streets (ICAR), and
the diff's numbers: on a synthetic case with known answers, and on Gembloux."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.conftest import RAW_DIR, requires_raw
from tzcld.geodata.layers import read_perimeters
from tzcld.perimeters import (
    PerimeterError,
    build_catalogue,
    compute_diff,
    match_streets,
    proposal_from_sectors,
    proposal_from_streets,
)
from tzcld.perimeters.diff import diff_layers
from tzcld.perimeters.display import diff_flags, diff_measures, format_area
from tzcld.perimeters.proposals import expand_codes, make_rows


def rows(tid: str, boxes: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    return make_rows(
        [
            {
                "territory_id": tid,
                "unit": f"U {code}",
                "unit_kind": "sector",
                "unit_code": code,
                "commune_refnis": "00000",
                "precision": "sectors",
                "method": "statbel-polygon",
                "geometry": shapely.MultiPolygon([shapely.box(*b)]),
            }
            for code, b in boxes.items()
        ]
    )


def test_diff_numbers_on_a_known_case():
    """Current: A [0,100]² and B [100,200]×[0,100]. Proposed: B and C [200,300]×[0,100].
    Addresses every 10 m at cell centres; territory 'other' owns [250,400]×[0,100];
    the communes cover [0,280]×[0,100]."""
    current = rows("t", {"A": (0, 0, 100, 100), "B": (100, 0, 200, 100)})
    proposed = rows("t", {"B": (100, 0, 200, 100), "C": (200, 0, 300, 100)})
    xs, ys = np.meshgrid(np.arange(5, 400, 10.0), np.arange(5, 100, 10.0))
    xy = np.column_stack([xs.ravel(), ys.ravel()])
    others = rows("other", {"Z": (250, 0, 400, 100)})
    communes = shapely.box(0, 0, 280, 100)
    d = compute_diff("t", current, proposed, xy, others, communes)
    assert d.units_added == [("C", "U C")]
    assert d.units_removed == [("A", "U A")]
    assert d.units_kept == 1
    assert d.area_current_m2 == pytest.approx(20_000)
    assert d.area_proposed_m2 == pytest.approx(20_000)
    assert d.area_added_m2 == pytest.approx(10_000)
    assert d.area_removed_m2 == pytest.approx(10_000)
    assert (d.addresses_current, d.addresses_proposed) == (200, 200)
    assert (d.addresses_gained, d.addresses_lost, d.addresses_changing_side) == (100, 100, 200)
    assert d.overlaps == {"other": pytest.approx(5_000)}
    assert d.outside_communes_m2 == pytest.approx(2_000)
    assert d.flags == ["overlap", "outside_communes"]
    assert not d.unchanged
    layers = diff_layers(d)
    assert layers["change"].tolist() == ["added", "removed"]
    assert layers.geometry.area.tolist() == pytest.approx([10_000, 10_000])
    table = diff_measures(d)
    values = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    assert values["Adresses qui changent de côté"] == "200"
    assert values["Surface ajoutée"] == "10\u202f000 m²"
    flags = diff_flags(d, {"other": "Autre territoire"})
    assert flags == [
        "Chevauche le territoire « Autre territoire » sur 5\u202f000 m².",
        "2\u202f000 m² du périmètre proposé sont en dehors des communes du territoire.",
    ]
    summary = d.summary()
    assert summary["units_removed"] == [["A", "U A"]] and summary["addresses_lost"] == 100


def test_diff_without_addresses_says_unknown_not_zero():
    current = rows("t", {"A": (0, 0, 100, 100)})
    d = compute_diff("t", current, current, None)
    assert d.unchanged and d.addresses_gained is None and d.addresses_changing_side is None
    values = dict(diff_measures(d).itertuples(index=False))
    assert values["Adresses qui entrent"] == "non communiqué"
    assert format_area(1_234_567) == "1,23 km²"


def test_diff_rejects_other_crs():
    current = rows("t", {"A": (0, 0, 100, 100)}).set_crs("EPSG:3812", allow_override=True)
    with pytest.raises(ValueError):
        compute_diff("t", current, current)


# ------------------------------------------------------------------ with the raw data


@pytest.fixture(scope="session")
def gembloux():
    return build_catalogue("gembloux", RAW_DIR)


@pytest.fixture(scope="session")
def gembloux_addresses():
    from tzcld.perimeters.sources import territory_addresses

    return territory_addresses("gembloux", RAW_DIR)


def committed(tid: str):
    per = read_perimeters()
    return per[per["territory_id"] == tid].reset_index(drop=True)


@requires_raw
def test_catalogue_holds_every_sector_of_the_communes(gembloux):
    sectors = gembloux.sectors
    assert gembloux.sectors.crs.to_epsg() == 31370
    assert len(sectors) == 61 and sectors["code"].str.startswith("92142").all()
    assert sorted(sectors.loc[sectors["current"], "code"]) == sorted(committed("gembloux")["unit_code"])
    assert set(sectors.loc[sectors["drawable"], "method"]) == {"best-voronoi"}
    # the drawable sectors tile the commune (Voronoi cells clipped to it)
    commune = gembloux.communes_union()
    drawn = shapely.union_all(sectors.loc[sectors["drawable"]].geometry.values)
    assert shapely.symmetric_difference(drawn, commune).area / commune.area < 0.01


@requires_raw
def test_proposal_from_sectors_reproduces_the_build(gembloux):
    cur = committed("gembloux")
    p = proposal_from_sectors(gembloux, list(cur["unit_code"]))
    assert p.method == "sectors" and p.precision == "sectors-from-addresses"
    assert p.rows["unit_code"].tolist() == cur["unit_code"].tolist()
    assert p.rows["unit"].unique().tolist() == cur["unit"].unique().tolist()
    for a, b in zip(cur.geometry.values, p.rows.geometry.values, strict=True):
        assert shapely.symmetric_difference(a, b).area < 1.0  # the same geometry rules
    d = compute_diff("gembloux", cur, p.rows)
    assert d.unchanged


@requires_raw
def test_sections_expand_and_unknown_codes_are_refused(gembloux):
    section = gembloux.sectors["section_code"].iloc[0]
    in_section = gembloux.sectors.loc[gembloux.sectors["section_code"] == section, "code"].tolist()
    codes, unknown = expand_codes(gembloux, [section.lower(), " 92142A00- ", "XXXX"])
    assert set(codes) == set(in_section) | {"92142A00-"} and unknown == ["XXXX"]
    with pytest.raises(PerimeterError) as info:
        proposal_from_sectors(gembloux, ["92142A00-", "62063A50-"])
    assert info.value.key == "error.unknown_codes" and "62063A50-" in str(info.value)
    with pytest.raises(PerimeterError, match="vide"):
        proposal_from_sectors(gembloux, [])


@requires_raw
def test_click_finds_the_sector(gembloux):
    row = gembloux.sectors[gembloux.sectors["drawable"]].iloc[3]
    point = row.geometry.representative_point()
    assert gembloux.sector_at(point.x, point.y) == row["code"]
    assert gembloux.sector_at(0.0, 0.0) is None


@requires_raw
def test_diff_on_gembloux_removing_one_sector(gembloux, gembloux_addresses):
    """Known case on real data: removing the last sector of Gembloux's perimeter removes
    exactly that sector's area and the ICAR addresses lying in it."""
    cur = committed("gembloux")
    removed = cur.iloc[-1]
    p = proposal_from_sectors(gembloux, list(cur["unit_code"].iloc[:-1]))
    xy = gembloux_addresses[["x", "y"]].to_numpy()
    d = compute_diff("gembloux", cur, p.rows, xy, read_perimeters(), gembloux.communes_union())
    assert d.units_removed == [(removed["unit_code"], removed["unit"])] and d.units_added == []
    assert d.area_removed_m2 == pytest.approx(removed.geometry.area, rel=1e-3)
    assert d.area_added_m2 < 1.0
    kept = shapely.union_all(cur.geometry.values[:-1])
    whole = shapely.union_all(cur.geometry.values)
    in_whole = shapely.intersects_xy(whole, xy[:, 0], xy[:, 1])
    in_kept = shapely.intersects_xy(kept, xy[:, 0], xy[:, 1])
    assert d.addresses_lost == int((in_whole & ~in_kept).sum()) > 0
    assert d.addresses_gained == 0
    assert d.addresses_current == int(in_whole.sum())
    assert d.overlaps == {} and d.outside_communes_m2 < 1.0
    assert len(gembloux_addresses) == 8093  # ICAR 2019, commune of Gembloux


@requires_raw
def test_a_unit_of_another_territory_is_flagged_as_overlap_and_outside(gembloux):
    liege = committed("liege")
    foreign = make_rows([{**liege.iloc[0].drop(labels=["area_m2"]).to_dict(), "territory_id": "gembloux"}])
    d = compute_diff("gembloux", committed("gembloux"), foreign, None, read_perimeters(), gembloux.communes_union())
    assert set(d.overlaps) == {"liege"} and d.outside_communes_m2 == pytest.approx(
        liege.geometry.iloc[0].area, rel=1e-6
    )


@requires_raw
def test_proposal_from_streets(gembloux, gembloux_addresses):
    from tzcld.perimeters.sources import territory_streets

    streets = territory_streets("gembloux", RAW_DIR)
    assert {"street_id", "street", "postcode", "municipality", "addresses"} <= set(streets.columns)
    ids, missing = match_streets(["Rue de la Sucrerie", "rue Théo Toussaint, 5030", "Rue qui n'existe pas"], streets)
    assert missing == ["Rue qui n'existe pas"]
    assert len(ids) == 2
    p = proposal_from_streets("gembloux", ids, gembloux_addresses, gembloux.communes)
    assert p.method == "streets" and p.precision == "sectors-from-addresses"
    assert p.rows["unit"].tolist() == ["Rue de la Sucrerie", "Rue Théo Toussaint"]
    assert (p.rows["unit_kind"] == "street").all()
    # every address of those streets lies in the derived area, and the area stays in the commune
    on_streets = gembloux_addresses[gembloux_addresses["street_id"].isin(ids)]
    union = p.union()
    assert shapely.intersects_xy(union, on_streets["x"].to_numpy(), on_streets["y"].to_numpy()).all()
    assert shapely.difference(union, gembloux.communes_union()).area < 1.0
    assert p.inputs["addresses"] == {sid: int((on_streets["street_id"] == sid).sum()) for sid in ids}
    with pytest.raises(PerimeterError):
        proposal_from_streets("gembloux", [], gembloux_addresses, gembloux.communes)
    with pytest.raises(PerimeterError, match="inconnues"):
        proposal_from_streets("gembloux", ["0"], gembloux_addresses, gembloux.communes)


def test_street_matching_without_raw_data():
    import pandas as pd

    from tzcld.perimeters import match_streets

    streets = pd.DataFrame(
        {
            "street_id": ["1", "2", "3"],
            "street": ["Chaussée de Bruxelles", "Rue de la Gare", "Rue de la Gare"],
            "postcode": ["5030", "5030", "5032"],
            "municipality": ["Gembloux"] * 3,
        }
    )
    assert match_streets(["CHEE DE BRUXELLES"], streets) == (["1"], [])
    assert match_streets(["Rue de la Gare"], streets) == (["2", "3"], [])
    assert match_streets(["Rue de la Gare, 5032"], streets) == (["3"], [])
    assert match_streets(["Rue de la Garre"], streets) == (["2", "3"], [])
    assert match_streets(["", "Avenue X"], streets) == ([], ["Avenue X"])
