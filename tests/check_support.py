"""Fixtures shared by the address-check tests (import them into a test module).

The offline address index is built ONCE per test run (about 15 s for the 1.37 M ICAR
addresses) into the run's base temporary folder — shared by the parallel workers of
pytest-xdist (their own base folders are inside it), built by the first that needs it under the
index's own lock (:func:`tzcld.geocode.register.ensure_index`, as replicas starting together
build it once); importing these fixtures into several modules is safe.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RAW_DIR

ICAR = RAW_DIR / "icar_addresses_wallonia_2019.parquet"

requires_icar = pytest.mark.skipif(not ICAR.exists(), reason="ICAR register (../shared/geodata) not available")


def build_session_index(base: Path) -> Path:
    """The index in ``base / "address_index"``, built there unless it already is."""
    from tzcld.geocode.register import ensure_index

    folder = base / "address_index"
    ensure_index(folder, RAW_DIR)
    return folder


@pytest.fixture(scope="session")
def address_index_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The address index built from the real ICAR register, once per test run."""
    if not ICAR.exists():
        pytest.skip("ICAR register not available")
    base = tmp_path_factory.getbasetemp()
    return build_session_index(base if worker_id == "master" else base.parent)


@pytest.fixture(scope="session")
def register_geocoder(address_index_dir: Path):
    from tzcld.geocode.register import default_geocoder

    return default_geocoder(address_index_dir)


@pytest.fixture(scope="session")
def checker_fr(register_geocoder):
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier

    return Checker(default_classifier(), register_geocoder, "fr")


# ---------------------------------------------------------------- published perimeters
# A perimeter change for the tests of the address check using the published version:
# Gembloux without its last sector (proposed by its porteur, approved by an admin).


def gembloux_without_last_sector():
    """The proposal removing the last sector of Gembloux's committed perimeter."""
    from tzcld.geodata.layers import read_perimeters
    from tzcld.perimeters import Proposal
    from tzcld.perimeters.proposals import make_rows

    per = read_perimeters()
    rows = per[per["territory_id"] == "gembloux"].reset_index(drop=True).iloc[:-1]
    return Proposal(
        "gembloux",
        "sectors",
        make_rows(rows.drop(columns=["area_m2"]).to_dict("records")),
        {"codes": list(rows["unit_code"])},
    )


def approve_gembloux_change(store) -> int:
    """Propose and approve :func:`gembloux_without_last_sector`; the version id."""
    from tzcld.ledger.permissions import Account

    anne = Account("anne", "porteur", "gembloux", "Anne")
    admin = Account("admin", "admin", None, "Forem")
    vid = store.propose(anne, gembloux_without_last_sector(), "secteur retiré", "convention FSE, annexe 2")
    store.approve(admin, vid)
    return vid


def gembloux_points() -> dict[str, tuple[float, float]]:
    """WGS84 ``(lat, lon)`` of Gembloux points: ``removed`` (in the last sector, more than
    30 m from the others: inside before the change, outside after) and ``kept`` (well
    inside the remaining sectors)."""
    import shapely
    from pyproj import Transformer

    from tzcld.geodata.layers import read_perimeters

    per = read_perimeters()
    rows = per[per["territory_id"] == "gembloux"].reset_index(drop=True)
    kept = shapely.union_all(rows.iloc[:-1].geometry.values)
    removed = shapely.difference(rows.iloc[-1].geometry, kept.buffer(30)).representative_point()
    inner = kept.buffer(-200)
    kept_point = (inner if not inner.is_empty else kept).representative_point()
    to_wgs = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True)
    out = {}
    for name, p in (("removed", removed), ("kept", kept_point)):
        lon, lat = to_wgs.transform(p.x, p.y)
        out[name] = (round(lat, 6), round(lon, 6))
    return out


def run(capsys, *argv):
    """``python -m tzcld *argv`` in this process: exit code, standard output, standard error."""
    from tzcld.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def pstore():
    """The perimeter store of the test's data folder, its engine disposed after."""
    from tzcld.runtime import Runtime

    store = Runtime.from_env().perimeter_store()
    yield store
    store.engine.dispose()


def bay_shapes() -> dict[str, object]:
    """Test territories (EPSG:31370) whose convex hulls bridge bays, by id: a U (a deep bay), a
    comb, two villages as one territory, a square with a hole, and a square sharing an edge
    with the comb."""
    import shapely

    u = shapely.difference(shapely.box(0, 0, 3000, 3000), shapely.box(1000, 800, 2000, 3000))
    comb = shapely.union_all([shapely.box(5000 + 600 * i, 0, 5300 + 600 * i, 2500) for i in range(4)])
    comb = shapely.union(comb, shapely.box(5000, 0, 7100, 300))
    villages = shapely.MultiPolygon([shapely.box(0, 6000, 500, 6500), shapely.box(2500, 6200, 2900, 6600)])
    holed = shapely.Polygon(
        [(9000, 0), (11000, 0), (11000, 2000), (9000, 2000)], [[(9500, 500), (10500, 500), (10500, 1500), (9500, 1500)]]
    )
    neighbour = shapely.box(7100, 0, 8000, 300)  # shares x = 7100 with the comb
    return {"u": u, "comb": comb, "villages": villages, "holed": holed, "neighbour": neighbour}


def shapes_classifier(shapes: list, ids: list[str]):
    """A :class:`tzcld.eligibility.Classifier` over test territories (EPSG:31370), one unit
    each, named by ``ids``, in that (registry) order."""
    import geopandas as gpd

    from tzcld.eligibility import Classifier

    gdf = gpd.GeoDataFrame(
        {
            "territory_id": ids,
            "unit": ids,
            "unit_kind": ["commune"] * len(ids),
            "unit_code": ids,
            "precision": ["exact"] * len(ids),
        },
        geometry=shapes,
        crs="EPSG:31370",
    )
    return Classifier(gdf)


#: The Vérifier page draws some widgets only while their tab or section is open: for each, the
#: state that opens it (the tabs' key and the tab's label, or a section's key).
VERIFIER_OPENS: dict[str, tuple[str, str | None]] = {
    "check_address": ("check_tab", "check.page.tab_address"),
    "check_coords": ("check_tab", "check.page.tab_coords"),
    "check_file": ("check_tab", "check.page.tab_file"),
    "check_as_of": ("check_options", None),
    "check_geocoder": ("check_options", None),
    "check_seeker": ("check_criteria", None),
    "check_domicile": ("check_criteria", None),
}


def open_for(at, key: str):
    """Open, on the Vérifier page under AppTest, the tab or section that draws the widget
    ``key`` (as a visitor's click would), and run the page; returns ``at``."""
    from tzcld.i18n import t

    state, label = VERIFIER_OPENS[key]
    at.session_state[state] = t(label, at.session_state["lang"]) if label else True
    return at.run()
