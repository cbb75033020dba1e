"""Perimeter versions: propose, approve, reject; permissions enforced by the store (not the
page); history; the published perimeters and the address check using them. SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tzcld.check import Checker
from tzcld.geodata.layers import data_version, read_perimeters
from tzcld.ledger.permissions import Account
from tzcld.perimeters import (
    PerimeterError,
    PerimeterPermissionDenied,
    Proposal,
    changed_territories,
    compose_version,
    open_perimeter_store,
    parse_version,
    perimeter_store_for,
    published_classifier,
    published_perimeters,
    published_version,
    territory_versions,
)
from tzcld.perimeters.proposals import make_rows
from tzcld.perimeters.store import rows_from_geojson, rows_to_geojson
from tzcld.runtime import Runtime

ANNE = Account("anne", "porteur", "gembloux", "Anne")
BOB = Account("bob", "porteur", "liege", "Bob")
ADMIN = Account("admin", "admin", None, "Forem")
SOURCE = "convention FSE du 12/03/2023, annexe 2"


@pytest.fixture(params=["sqlite", "postgresql"])
def pstore(request):
    if request.param == "sqlite":
        store = Runtime.from_env().perimeter_store()
    else:
        store = open_perimeter_store(request.getfixturevalue("fresh_postgres_url"))
    yield store
    store.engine.dispose()


def committed(tid: str):
    per = read_perimeters()
    return per[per["territory_id"] == tid].reset_index(drop=True)


def drop_last_sector(tid: str = "gembloux") -> Proposal:
    rows = committed(tid).iloc[:-1]
    return Proposal(
        tid, "sectors", make_rows(rows.drop(columns=["area_m2"]).to_dict("records")), {"codes": list(rows["unit_code"])}
    )


def square_proposal(tid: str, x: float, y: float, size: float = 200.0) -> Proposal:
    rows = make_rows(
        [
            {
                "territory_id": tid,
                "unit": "Carré",
                "unit_kind": "file",
                "unit_code": "fichier-1",
                "commune_refnis": "92142",
                "precision": "sectors",
                "method": "porteur-file",
                "geometry": shapely.MultiPolygon([shapely.box(x, y, x + size, y + size)]),
            }
        ]
    )
    return Proposal(tid, "file", rows, {"file": {"filename": "carre.geojson"}})


def test_propose_then_approve_publishes(pstore):
    base = data_version()
    assert pstore.published_ids() == {}
    assert published_version(pstore) == base
    vid = pstore.propose(
        ANNE, drop_last_sector(), "Secteur rural hors du quartier", SOURCE, {"units_removed": [["x", "y"]]}
    )
    v = pstore.get(vid)
    assert (v.status, v.created_by, v.based_on, v.method, v.source) == ("pending", "anne", "base", "sectors", SOURCE)
    assert v.report["diff"] == {"units_removed": [["x", "y"]]}
    assert v.precision == "sectors-from-addresses"
    # pending: nothing published yet
    assert published_version(pstore) == base
    done = pstore.approve(ADMIN, vid, "conforme à la convention")
    assert (done.status, done.decided_by, done.decision_note) == ("approved", "admin", "conforme à la convention")
    assert done.decided_at is not None and done.decided_at.tzinfo is not None
    assert pstore.published_ids() == {"gembloux": vid}
    per, version = published_perimeters(pstore)
    assert version == f"{base}+p{vid}" == published_version(pstore)
    g = per[per["territory_id"] == "gembloux"]
    assert len(g) == len(committed("gembloux")) - 1
    assert set(g["perimeter_version"]) == {f"v{vid}"}
    others = per[per["territory_id"] != "gembloux"]
    assert set(others["perimeter_version"]) == {"base"}
    assert len(others) == len(read_perimeters()) - len(committed("gembloux"))
    assert per.crs.to_epsg() == 31370


def test_permissions_are_enforced_by_the_store(pstore):
    with pytest.raises(PerimeterPermissionDenied) as info:
        pstore.propose(BOB, drop_last_sector("gembloux"), "pas mon territoire", SOURCE)
    assert "son propre territoire" in str(info.value)
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    for who in (ANNE, BOB, None):
        with pytest.raises(PerimeterPermissionDenied):
            pstore.approve(who, vid)
        with pytest.raises(PerimeterPermissionDenied):
            pstore.reject(who, vid, "non")
    assert pstore.get(vid).status == "pending"
    # an administrator may propose for any territory
    assert pstore.propose(ADMIN, drop_last_sector("liege"), "correction", SOURCE) > vid


def test_reason_and_source_are_required_and_nothing_is_saved(pstore):
    with pytest.raises(PerimeterError, match="raison"):
        pstore.propose(ANNE, drop_last_sector(), "  ", SOURCE)
    with pytest.raises(PerimeterError, match="source"):
        pstore.propose(ANNE, drop_last_sector(), "raison", "")
    empty = Proposal("gembloux", "sectors", make_rows([]))
    with pytest.raises(PerimeterError, match="vide"):
        pstore.propose(ANNE, empty, "raison", SOURCE)
    wrong = drop_last_sector("liege")
    wrong = Proposal("gembloux", "sectors", wrong.rows)
    with pytest.raises(PerimeterError, match="autre territoire"):
        pstore.propose(ANNE, wrong, "raison", SOURCE)
    assert pstore.versions() == []


def test_reject_needs_a_note_and_decisions_are_final(pstore):
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    with pytest.raises(PerimeterError, match="pourquoi"):
        pstore.reject(ADMIN, vid, " ")
    rejected = pstore.reject(ADMIN, vid, "source insuffisante")
    assert rejected.status == "rejected"
    with pytest.raises(PerimeterError, match="déjà été traitée"):
        pstore.approve(ADMIN, vid)
    assert pstore.published_ids() == {}
    with pytest.raises(PerimeterError, match="introuvable"):
        pstore.approve(ADMIN, 999)


def test_history_keeps_every_version_and_the_latest_approval_wins(pstore):
    v1 = pstore.propose(ANNE, drop_last_sector(), "première", SOURCE)
    pstore.approve(ADMIN, v1)
    v2 = pstore.propose(ANNE, square_proposal("gembloux", 172300, 138700), "deuxième", "plan communal")
    v3 = pstore.propose(ANNE, square_proposal("gembloux", 172600, 138700), "troisième", "plan communal")
    assert pstore.get(v2).based_on == f"v{v1}"
    pstore.reject(ADMIN, v3, "doublon")
    history = pstore.history("gembloux")
    assert history["label"].tolist() == [f"v{v3}", f"v{v2}", f"v{v1}", "base"]
    assert history["status"].tolist() == ["rejected", "pending", "approved", "approved"]
    assert history["published"].tolist() == [False, False, True, False]
    assert history.loc[history["label"] == f"v{v1}", "reason"].item() == "première"
    pstore.approve(ADMIN, v2)
    assert pstore.published("gembloux").id == v2
    assert pstore.history("gembloux")["published"].tolist() == [False, True, False, False]
    # an earlier version stays readable (for the map)
    early = pstore.rows(v1)
    assert len(early) == len(committed("gembloux")) - 1
    assert pstore.history("liege")["label"].tolist() == ["base"]
    # any version of the history, by its label, as the page's version selector asks for it
    assert len(pstore.rows_of("gembloux", f"v{v1}")) == len(early)
    assert pstore.rows_of("gembloux", f"v{v3}")["unit"].tolist() == ["Carré"]
    assert pstore.rows_of("gembloux", "base")["unit_code"].tolist() == committed("gembloux")["unit_code"].tolist()
    with pytest.raises(PerimeterError):
        pstore.rows_of("liege", f"v{v1}")  # another territory's version


def test_rows_round_trip_keeps_geometry_to_the_millimetre():
    rows = committed("liege")
    back = rows_from_geojson(rows_to_geojson(rows.drop(columns=["area_m2"]).assign(area_m2=rows["area_m2"])))
    assert back["unit_code"].tolist() == rows["unit_code"].tolist()
    assert back.crs.to_epsg() == 31370
    for a, b in zip(rows.geometry.values, back.geometry.values, strict=True):
        assert b.is_valid
        # mm rounding: at most a 1 mm band along the boundary
        assert shapely.symmetric_difference(a, b).area < a.length * 0.001
        assert b.area == pytest.approx(a.area, rel=1e-5)


def test_version_strings_and_changed_territories(pstore):
    base = data_version()
    assert compose_version(base, [7, 3]) == f"{base}+p3.7"
    assert parse_version(f"{base}+p3.7") == (base, (3, 7))
    assert parse_version(base) == (base, ())
    before = published_version(pstore)
    assert changed_territories(before, pstore) == []
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    pstore.approve(ADMIN, vid)
    assert changed_territories(before, pstore) == ["gembloux"]
    after = published_version(pstore)
    assert changed_territories(after, pstore) == []
    assert len(changed_territories("2000-01-01+deadbeef", pstore)) == 17
    versions = territory_versions(pstore)
    assert versions["gembloux"].label == f"v{vid}" and versions["gembloux"].approved_by == "admin"
    assert versions["gembloux"].source == SOURCE
    assert versions["liege"].label == "base" and versions["liege"].date == base.split("+")[0]


def test_the_address_check_uses_the_published_version(pstore):
    """A point in the removed sector is inside with the committed perimeter, outside once
    the proposal removing it is approved; the answer names the version used."""
    rows = committed("gembloux")
    removed = rows.iloc[-1]
    kept = shapely.union_all(rows.iloc[:-1].geometry.values)
    inside_removed = shapely.difference(removed.geometry, kept.buffer(30))
    point = inside_removed.representative_point()
    clf = published_classifier(pstore)
    assert clf.data_version == data_version()
    assert clf.classify(np.array([point.x]), np.array([point.y])).status[0] == "inside"
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    pstore.approve(ADMIN, vid)
    clf = published_classifier(pstore)
    assert clf.data_version == f"{data_version()}+p{vid}"
    assert clf.classify(np.array([point.x]), np.array([point.y])).status[0] == "outside"
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True).transform(point.x, point.y)
    result = Checker(clf).check_latlon(lat, lon)
    assert result.status == "outside"
    assert result.data_version == f"{data_version()}+p{vid}"


def test_shares_the_ledger_database():
    ledger = Runtime.from_env().ledger_store()
    pstore = perimeter_store_for(ledger)
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    again = Runtime.from_env().perimeter_store()  # same default SQLite file in the data folder
    assert again.get(vid).territory_id == "gembloux"
    assert published_perimeters(perimeter_store_for(ledger))[1] == data_version()  # the ledger's engine
    ledger.dispose()


def test_published_web_layers_carry_the_version_and_its_date(pstore):
    from tzcld.geodata.layers import read_territories, read_units
    from tzcld.perimeters.web import published_territories_geojson, published_web_layers

    territories, units, version = published_web_layers(pstore)
    committed_t = read_territories()
    assert version == data_version()
    assert territories["perimeter_version_label"].unique().tolist() == ["base"]
    assert territories["perimeter_version"].tolist() == committed_t["perimeter_version"].tolist()
    assert len(units) == len(read_units())
    vid = pstore.propose(ANNE, square_proposal("gembloux", 172300, 138700, 500.0), "plan officiel", SOURCE)
    pstore.approve(ADMIN, vid)
    territories, units, version = published_web_layers(pstore)
    g = territories[territories["id"] == "gembloux"].iloc[0]
    assert (g["perimeter_version"], g["perimeter_version_label"], g["perimeter_source"]) == (
        f"v{vid}",
        f"v{vid}",
        SOURCE,
    )
    assert g["perimeter_version_date"] == pstore.get(vid).decided_at.date().isoformat()
    assert g["area_km2"] == pytest.approx(0.25)
    assert g["units"] == ["Carré"]
    assert territories.crs.to_epsg() == 4326
    lam = gpd_area(g.geometry)
    assert lam == pytest.approx(250_000, rel=0.01)
    gu = units[units["territory_id"] == "gembloux"]
    assert gu["unit"].tolist() == ["Carré"] and gu["codes"].iloc[0] == ["fichier-1"]
    assert SOURCE in gu["rationale"].iloc[0]
    other = territories[territories["id"] == "liege"].iloc[0]
    assert other["perimeter_version_label"] == "base"
    doc = published_territories_geojson(pstore)
    assert doc["data_version"] == version == f"{data_version()}+p{vid}"
    feature = next(f for f in doc["features"] if f["properties"]["id"] == "gembloux")
    assert feature["properties"]["perimeter_version_date"] == g["perimeter_version_date"]


def gpd_area(geom) -> float:
    import geopandas as gpd

    return float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:31370").area.iloc[0])


def test_batch_rows_to_recheck_after_a_perimeter_change(pstore):
    import pandas as pd

    from tzcld.perimeters import recheck_mask

    old = published_version(pstore)
    results = pd.DataFrame(
        {
            "status": ["inside", "inside", "outside", "undetermined", "error"],
            "territory_id": ["gembloux", "liege", None, "flemalle", None],
            "data_version": [old] * 5,
        }
    )
    assert not recheck_mask(results, pstore).any()
    vid = pstore.propose(ANNE, drop_last_sector(), "raison", SOURCE)
    pstore.approve(ADMIN, vid)
    assert recheck_mask(results, pstore).tolist() == [True, False, True, True, False]
    results["data_version"] = published_version(pstore)
    assert not recheck_mask(results, pstore).any()
