"""Progrès: server CPU of a rerun (a filter changed, the language switched), run by hand.

    .venv/bin/python bench/bench_progress.py [--runs N]

Through ``dashboard.py``'s navigation with Streamlit's AppTest (the script runs in this
process): the first run pays the cold caches; then each rerun changes one thing a visitor
changes — a province filter on and off, the language FR → EN → FR — and its CPU time
(``time.process_time``: this process only) and wall time are taken. Median of ``--runs``.
What depends only on the observations (the tables of the page, the figures) is built once
per observations and language (``tzcld.ui.ledger.progress_tables``): a rerun should cost
the page's elements, not the tables again.
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

DASHBOARD = str(REPO / "dashboard.py")


def run(at: AppTest) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.switch_page("app_pages/progres.py")
    first = run(at)
    steps = {"same page again": [], "province filter": [], "language": []}
    for i in range(args.runs):
        steps["same page again"].append(run(at))
        at.multiselect(key="progress_provinces").set_value(["Luxembourg"] if i % 2 == 0 else [])
        steps["province filter"].append(run(at))
        at.session_state["lang"] = "en" if i % 2 == 0 else "fr"
        at.query_params["lang"] = "en" if i % 2 == 0 else "fr"
        steps["language"].append(run(at))
    print(f"Progrès, first run (cold caches): {first[0] * 1000:6.0f} ms CPU, {first[1] * 1000:6.0f} ms wall")
    for name, values in steps.items():
        cpu = statistics.median(v[0] for v in values) * 1000
        wall = statistics.median(v[1] for v in values) * 1000
        spread = f"{min(v[0] for v in values) * 1000:.0f}–{max(v[0] for v in values) * 1000:.0f}"
        print(
            f"  rerun, {name:16s}: {cpu:6.0f} ms CPU (min–max {spread}), {wall:6.0f} ms wall  (median of {args.runs})"
        )


if __name__ == "__main__":
    main()
