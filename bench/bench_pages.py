"""Benchmark of the map pages: first load vs rerun (run by hand, not a test).

    .venv/bin/python bench/bench_pages.py [--runs N]

For Accueil and Carte (through ``dashboard.py``'s navigation, with Streamlit's AppTest):

- ``first``: the first run in a fresh process (empty caches: reads ``geodata/``,
  serialises the layers for the browser, builds the map);
- ``rerun``: the same session run again (what a widget interaction costs), median of N;
- ``new session``: another visitor once the caches are warm, median of N;
- baseline in the same run: the uncached work a rerun would repeat without
  ``tzcld.ui.geo``'s caches (read layers + prepare + build the map), median of N.

Prints the figures and the ratios first/rerun and baseline/rerun. Goal: a rerun well
under a second.

Maps draw the published perimeters (``tzcld.ui.geo``). ``--database`` says what the
data folder holds before the first load:

- ``none`` (default): no database file: nothing can be approved, none is opened;
- ``empty``: the database exists, no perimeter version approved (the first load pays for
  opening it: importing SQLAlchemy and the ledger, once per process);
- ``approved``: one approved version (Gembloux without its last sector): the first load
  also recomputes that territory's web layers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TZCLD_DATA_DIR", tempfile.mkdtemp(prefix="tzcld-bench-"))

from streamlit.testing.v1 import AppTest  # noqa: E402

from tzcld import maps  # noqa: E402
from tzcld.map_assets import localize_assets  # noqa: E402
from tzcld.runtime import Runtime  # noqa: E402

DASHBOARD = str(REPO / "dashboard.py")


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def app(page: str | None, **query: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at


def run_checked(at: AppTest) -> None:
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)


def bench_page(label: str, page: str | None, runs: int, baseline, **query: str) -> None:
    at = app(page, **query)
    first = timed(lambda: run_checked(at))
    reruns = [timed(lambda: run_checked(at)) for _ in range(runs)]
    sessions = []
    for _ in range(runs):
        other = app(page, **query)
        sessions.append(timed(lambda other=other: run_checked(other)))
    base = [timed(baseline) for _ in range(runs)]
    rerun, session, uncached = (statistics.median(x) for x in (reruns, sessions, base))
    print(f"{label}")
    print(f"  first load (cold caches) : {first * 1000:8.0f} ms")
    print(f"  rerun, same session      : {rerun * 1000:8.0f} ms  (median of {runs})")
    print(f"  new session, warm caches : {session * 1000:8.0f} ms  (median of {runs})")
    print(f"  baseline, no cache       : {uncached * 1000:8.0f} ms  (read + prepare + build)")
    print(f"  ratio first / rerun      : {first / rerun:8.1f} x")
    print(f"  ratio baseline / rerun   : {uncached / rerun:8.1f} x")


def prepare_database(kind: str) -> None:
    """Create the data folder's database (``empty``) and approve a version (``approved``)."""
    if kind == "none":
        return
    from tzcld.geodata.layers import read_perimeters
    from tzcld.ledger.permissions import Account
    from tzcld.perimeters import Proposal, perimeter_store_for
    from tzcld.perimeters.proposals import make_rows

    ledger = Runtime.from_env().ledger_store()
    pstore = perimeter_store_for(ledger)
    if kind == "approved" and not pstore.published_ids():
        per = read_perimeters()
        rows = per[per["territory_id"] == "gembloux"].iloc[:-1]
        proposal = Proposal(
            "gembloux",
            "sectors",
            make_rows(rows.drop(columns=["area_m2"]).to_dict("records")),
            {"codes": list(rows["unit_code"])},
        )
        admin = Account("bench", "admin", None, "bench")
        pstore.approve(admin, pstore.propose(admin, proposal, "bench", "bench"))
    ledger.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", choices=("none", "empty", "approved"), default="none")
    args = parser.parse_args()
    # In a subprocess, so that this process's first load still imports what it needs.
    import subprocess

    if args.database != "none":
        subprocess.run([sys.executable, __file__, "--prepare", args.database], check=True)

    def home_uncached() -> None:
        layers = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
        localize_assets(maps.home_map(layers, "fr")).get_root().render()

    def carte_uncached() -> None:
        layers = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
        localize_assets(maps.territory_map(layers, "fr", "osm", "seraing")).get_root().render()

    # Accueil first: it is the default page and pays the cold-cache cost.
    bench_page("Accueil (default page)", None, args.runs, home_uncached)
    bench_page(
        "Carte ?territoire=seraing (layers already cached by Accueil)",
        "app_pages/carte.py",
        args.runs,
        carte_uncached,
        territoire="seraing",
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        prepare_database(sys.argv[2])
    else:
        main()
