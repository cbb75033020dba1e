"""Benchmark of the geodata build and of the committed layers' readers (run by hand).

    .venv/bin/python bench/bench_geodata.py [--runs N]

Prints: build time (best of N, into a temporary folder), output sizes, the time to read
each committed layer with :mod:`tzcld.geodata.layers`, and — as a baseline in the same
run — the time to read the raw inputs a page would otherwise need (Statbel communes and
sector polygons), with the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tzcld.config import GEODATA_DIR
from tzcld.geodata import build, layers, sources
from tzcld.runtime import Settings


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    raw = Settings.from_env().raw_dir

    with tempfile.TemporaryDirectory() as tmp:
        t_build = best_of(args.runs, lambda: build.build(raw=raw, out=Path(tmp), progress=lambda _m: None))
    print(f"build (best of {args.runs})          {t_build:7.2f} s")

    for rel in (*build.OUTPUT_FILES, "manifest.json"):
        print(f"  {rel:28s} {(GEODATA_DIR / rel).stat().st_size / 1024:8.1f} KiB")

    readers = {
        "read_territories": layers.read_territories,
        "read_units": layers.read_units,
        "read_perimeters": layers.read_perimeters,
        "read_context(communes)": lambda: layers.read_context("communes"),
        "read_context(wallonia)": lambda: layers.read_context("wallonia"),
        "read_territories_geojson": layers.read_territories_geojson,
    }
    total = 0.0
    for name, fn in readers.items():
        t = best_of(args.runs, fn)
        total += t
        print(f"{name:28s} {t * 1000:8.1f} ms")

    def baseline() -> None:
        sources.read_admin_units(raw, "communes").to_crs("EPSG:31370")
        sources.read_sector_polygons(raw)

    t_base = best_of(args.runs, baseline)
    print(f"all committed layers         {total * 1000:8.1f} ms")
    print(f"baseline: raw communes+sectors {t_base * 1000:6.1f} ms  (ratio raw/committed {t_base / total:.1f}x)")


if __name__ == "__main__":
    main()
