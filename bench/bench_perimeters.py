"""Benchmark of perimeter stewardship (run by hand; needs the raw data).

    .venv/bin/python bench/bench_perimeters.py [--territory gembloux] [--versions 17]

Prints: the first and the cached build of a territory's sector catalogue, the ICAR address
load, one sector proposal + diff (what a click on the Périmètre map costs), a street
proposal, and the published perimeters / classifier with N approved versions against the
committed perimeters alone as the baseline (ratio).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TZCLD_DATA_DIR", tempfile.mkdtemp(prefix="tzcld-bench-"))

from tzcld.eligibility import Classifier
from tzcld.geodata.layers import read_perimeters
from tzcld.ledger.permissions import Account
from tzcld.perimeters import (
    Proposal,
    build_catalogue,
    compute_diff,
    proposal_from_sectors,
    proposal_from_streets,
    published_classifier,
    published_perimeters,
)
from tzcld.perimeters.proposals import make_rows
from tzcld.perimeters.sources import territory_addresses, territory_streets
from tzcld.runtime import Runtime, Settings
from tzcld.territories import TERRITORY_IDS

RAW = Settings.from_env().raw_dir


def timed(label: str, fn, repeat: int = 1):
    start = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    seconds = (time.perf_counter() - start) / repeat
    print(f"{label:<58} {seconds * 1000:9.1f} ms")
    return out, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--territory", default="gembloux")
    parser.add_argument("--versions", type=int, default=17)
    args = parser.parse_args()
    tid = args.territory
    cat, _ = timed(f"catalogue {tid} (first: raw inputs, Voronoi)", lambda: build_catalogue(tid, RAW))
    timed(f"catalogue {tid} (raw inputs already loaded)", lambda: build_catalogue(tid, RAW))
    addr, _ = timed("ICAR addresses of the territories' communes (first)", lambda: territory_addresses(tid, RAW))
    committed = read_perimeters()
    current = committed[committed["territory_id"] == tid].reset_index(drop=True)
    codes = cat.drawable_codes()[: max(1, len(cat.drawable_codes()) // 2)]
    xy = addr[["x", "y"]].to_numpy()
    union = cat.communes_union()

    def click() -> None:
        p = proposal_from_sectors(cat, codes)
        compute_diff(tid, current, p.rows, xy, committed, union)

    timed(f"sector proposal + diff ({len(codes)} sectors, {len(xy)} addresses)", click, repeat=5)
    streets = territory_streets(tid, RAW)
    ids = list(streets["street_id"][:10])
    cache: dict = {}
    timed(
        "street proposal, 10 streets (first: Voronoi of the commune)",
        lambda: proposal_from_streets(tid, ids, addr, cat.communes, cache),
    )
    timed(
        "street proposal, 10 streets (cells cached)",
        lambda: proposal_from_streets(tid, ids, addr, cat.communes, cache),
        repeat=5,
    )

    store = Runtime.from_env().perimeter_store()
    admin = Account("bench", "admin")
    _, base_s = timed(
        "published perimeters, no approved version (baseline)", lambda: published_perimeters(store), repeat=3
    )
    for t in TERRITORY_IDS[: args.versions]:
        rows = committed[committed["territory_id"] == t]
        p = Proposal(t, "sectors", make_rows(rows.drop(columns=["area_m2"]).to_dict("records")))
        store.approve(admin, store.propose(admin, p, "bench", "bench"))
    (_, version), with_s = timed(
        f"published perimeters, {args.versions} approved versions", lambda: published_perimeters(store), repeat=3
    )
    print(f"{'ratio with versions / baseline':<58} {with_s / base_s:9.2f} ×   ({version})")
    _, clf_base = timed("classifier over the committed perimeters (baseline)", lambda: Classifier(committed))
    _, clf_pub = timed("classifier over the published perimeters", lambda: published_classifier(store))
    print(f"{'ratio published / baseline':<58} {clf_pub / clf_base:9.2f} ×")


if __name__ == "__main__":
    main()
