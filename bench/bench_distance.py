"""Benchmark of the distance to the territories' boundaries (issue 13), run by hand:
``.venv/bin/python bench/bench_distance.py [--before DIR] [--rounds 3]``.

For this checkout and the code before (``--before DIR``: a checkout of the base commit;
default: a temporary worktree of ``git merge-base HEAD origin/main``), each in a subprocess of
its own, alternately (``--rounds`` times, the machine is shared): CPU seconds of building the
classifier of the committed perimeters (``Classifier(read_perimeters())``: the trees, grid and
hulls), of ``Classifier.boundary_distance`` on 200,000 register addresses drawn at random (the
first call of the process, which lists the cells, and the best of two more) and on the whole
register (1.37 M addresses); whether both give the same distances and territories as GEOS
(``fast=False``, computed once per run by the code before) to the last bit.
Uses ``TZCLD_ADDRESS_INDEX`` or ``data/address_index``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import base_checkout  # noqa: E402

MEASURE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from tzcld.eligibility import Classifier
from tzcld.geodata.layers import read_perimeters
from tzcld.geocode.register import index_dir, load_index
index = load_index(index_dir())
pick = np.random.default_rng(13).integers(0, len(index.x), 200_000)
x, y = index.x[pick], index.y[pick]
perimeters = read_perimeters()
t = time.process_time(); c = Classifier(perimeters); build = time.process_time() - t
runs = []
for _ in range(3):
    t = time.process_time(); d, o = c.boundary_distance(x, y); runs.append(time.process_time() - t)
t = time.process_time(); D, O = c.boundary_distance(index.x, index.y); whole = time.process_time() - t
ref = sys.argv[2]
if sys.argv[3] == "make":
    gd, go = c.boundary_distance(x, y, fast=False)
    GD, GO = c.boundary_distance(index.x, index.y, fast=False)
    np.savez(ref, gd=gd, go=go, GD=GD, GO=GO)
r = np.load(ref)
same = bool(np.array_equal(d, r["gd"]) and np.array_equal(o, r["go"]))
same_whole = bool(np.array_equal(D, r["GD"]) and np.array_equal(O, r["GO"]))
print(json.dumps({"build": build, "first": runs[0], "warm": min(runs[1:]), "whole": whole,
                  "same": same, "same_whole": same_whole}))
"""


def measure(checkout: Path, ref: Path, make: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(checkout), str(ref), "make" if make else "use"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="checkout of the code to compare with (default: a temporary worktree)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    before, label = base_checkout(args.before)
    ref = Path(tempfile.mkdtemp(prefix="bench-distance-")) / "geos.npz"
    rows: dict[str, list[dict]] = {"now": [], f"before ({label})": []}
    try:
        for i in range(args.rounds):
            if before is not None:
                rows[f"before ({label})"].append(measure(before, ref, make=i == 0))
            rows["now"].append(measure(ROOT, ref, make=before is None and i == 0))
    finally:
        if before is not None and not args.before:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
    print("CPU seconds (min / max over the rounds)")
    for name, runs in rows.items():
        if not runs:
            continue
        cols = []
        for key, title in (
            ("build", "build"),
            ("first", "200k first call"),
            ("warm", "200k warm"),
            ("whole", "register 1.37 M"),
        ):
            v = [r[key] for r in runs]
            cols.append(f"{title} {min(v):.3f}/{max(v):.3f}")
        same = all(r["same"] and r["same_whole"] for r in runs)
        print(f"  {name:<22} " + " | ".join(cols) + f" | GEOS's to the bit: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
