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
        sessions.append(timed(lambda: run_checked(other)))
    base = [timed(baseline) for _ in range(runs)]
    rerun, session, uncached = (statistics.median(x) for x in (reruns, sessions, base))
    print(f"{label}")
    print(f"  first load (cold caches) : {first * 1000:8.0f} ms")
    print(f"  rerun, same session      : {rerun * 1000:8.0f} ms  (median of {runs})")
    print(f"  new session, warm caches : {session * 1000:8.0f} ms  (median of {runs})")
    print(f"  baseline, no cache       : {uncached * 1000:8.0f} ms  (read + prepare + build)")
    print(f"  ratio first / rerun      : {first / rerun:8.1f} x")
    print(f"  ratio baseline / rerun   : {uncached / rerun:8.1f} x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    def home_uncached() -> None:
        layers = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
        localize_assets(maps.home_map(layers, "fr")).get_root().render()

    def carte_uncached() -> None:
        layers = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
        localize_assets(maps.territory_map(layers, "fr", "osm", "seraing")).get_root().render()

    # Accueil first: it is the default page and pays the cold-cache cost.
    bench_page("Accueil (default page)", None, args.runs, home_uncached)
    bench_page("Carte ?territoire=seraing (layers already cached by Accueil)", "app_pages/carte.py", args.runs, carte_uncached,
               territoire="seraing")


if __name__ == "__main__":
    main()
