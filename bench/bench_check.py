"""Benchmark of the address check (run by hand: ``.venv/bin/python bench/bench_check.py``).

Prints figures and ratios against baselines measured in the same run:

1. classification of coordinates (points/s), against the obvious geopandas pipeline
   (``GeoDataFrame`` of points + ``sjoin(predicate="within")`` on the same perimeters);
2. offline geocoding in batch (addresses/s), typed in several ways;
3. one address checked end to end (ms, median and p95) once the index is loaded;
4. address index load (s) — and build (s) with ``--build``;
5. ``python -m tzcld check-file`` on 200,000 coordinate rows, end to end (s).

Goals (issue 3): ≥ 1 M points/s and ≥ 2× sjoin; ≥ 2,000 addresses/s; < 100 ms; < 3 s; < 10 s.
Uses ``TZCLD_ADDRESS_INDEX`` or ``data/address_index`` (built first if missing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tzcld.runtime import Settings  # noqa: E402

SETTINGS = Settings.from_env()


def timed(fn, repeat: int = 3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def typed_variants(icar: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """Addresses as people type them: official, lower case without accents, abbreviated,
    postcode first, no commas."""
    from tzcld.geocode.normalize import fold

    out = []
    for i, r in enumerate(icar.itertuples(index=False)):
        street, num, pc, muni = r.street, r.housenumber, r.postcode, r.municipality
        k = i % 5
        if k == 0:
            out.append(f"{street} {num}, {pc} {muni}")
        elif k == 1:
            out.append(fold(f"{street} {num} {pc} {muni}"))
        elif k == 2:
            s = (
                street.replace("Rue ", "R. ")
                .replace("Avenue ", "Av. ")
                .replace("Chaussée ", "Chée ")
                .replace("Boulevard ", "Bd ")
            )
            out.append(f"{s} {num}, {muni}")
        elif k == 3:
            out.append(f"{pc} {muni}, {street} {num}")
        else:
            out.append(f"{street.upper()} {num} {pc}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2_000_000)
    ap.add_argument("--addresses", type=int, default=20_000)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--build", action="store_true", help="also time the index build")
    args = ap.parse_args()
    rng = np.random.default_rng(42)
    results: list[tuple[str, str, str]] = []

    from tzcld.geocode.register import build_index, load_index

    folder = SETTINGS.address_index
    if args.build or not (folder / "meta.json").exists():
        t0 = time.perf_counter()
        build_index(SETTINGS.raw_dir, folder)
        results.append(("index build (1.37 M addresses)", f"{time.perf_counter() - t0:.1f} s", "< 60 s"))
    load_s, index = timed(lambda: load_index(folder), repeat=3)
    results.append(("index load", f"{load_s:.2f} s", "< 3 s"))

    # ---- 1. classification
    import geopandas as gpd

    from tzcld.eligibility import default_classifier
    from tzcld.geodata.layers import read_perimeters

    t0 = time.perf_counter()
    default_classifier.cache_clear()
    clf = default_classifier()
    results.append(("classifier build (perimeters, grid, boundaries)", f"{time.perf_counter() - t0:.2f} s", ""))
    n = args.points
    # half real addresses (many in territories), half uniform over the territories' frame
    pick = rng.integers(0, len(index.x), n // 2)
    xmin, ymin, xmax, ymax = clf.geoms[0].bounds
    import shapely

    xmin, ymin, xmax, ymax = shapely.total_bounds(clf.geoms)
    x = np.concatenate([index.x[pick], rng.uniform(xmin, xmax, n - n // 2)])
    y = np.concatenate([index.y[pick], rng.uniform(ymin, ymax, n - n // 2)])
    ours_s, unit = timed(lambda: clf.locate(x, y))
    full_s, _ = timed(lambda: clf.classify(x[:200_000], y[:200_000]), repeat=1)
    perims = read_perimeters()
    m = min(n, 500_000)

    def sjoin():
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[:m], y[:m]), crs=perims.crs)
        return gpd.sjoin(pts, perims[["territory_id", "unit", "geometry"]], how="left", predicate="within")

    base_s, joined = timed(sjoin, repeat=1)
    # same answers?
    got = np.where(unit[:m] >= 0, np.asarray(clf.unit_territory)[np.maximum(unit[:m], 0)], -1)
    base_tid = joined[~joined.index.duplicated()]["territory_id"].reindex(range(m))
    base = np.array([clf.territory_ids.index(t) if isinstance(t, str) else -1 for t in base_tid])
    agree = float((got == base).mean())
    ours_rate = n / ours_s
    base_rate = m / base_s
    results.append(("classification (grid + STRtree), points/s", f"{ours_rate:,.0f}", "≥ 1,000,000"))
    results.append(("  baseline geopandas sjoin, points/s", f"{base_rate:,.0f}", ""))
    results.append(("  ratio vs sjoin", f"{ours_rate / base_rate:.1f}×", "≥ 2×"))
    results.append(("  agreement with sjoin", f"{agree:.5%}", ""))
    results.append(("full verdicts incl. boundary distance, points/s", f"{200_000 / full_s:,.0f}", ""))

    # ---- 2. geocoding in batch
    from tzcld.check import Checker
    from tzcld.geocode.base import MatchQuality
    from tzcld.geocode.register import RegisterGeocoder

    icar = pd.read_parquet(SETTINGS.raw_dir / "icar_addresses_wallonia_2019.parquet").sample(
        args.addresses, random_state=1
    )
    texts = typed_variants(icar, rng)
    geocoder = RegisterGeocoder(index)
    t0, c0 = time.perf_counter(), time.process_time()
    res = geocoder.geocode_many(texts)
    geo_s, geo_cpu = time.perf_counter() - t0, time.process_time() - c0
    exact = sum(r.quality is MatchQuality.EXACT for r in res) / len(res)
    found = sum(r.found for r in res) / len(res)
    results.append(("offline geocoding, batch, addresses/s", f"{len(texts) / geo_s:,.0f}", "≥ 2,000"))
    results.append(("  same, per CPU second", f"{len(texts) / geo_cpu:,.0f}", ""))
    results.append(("  exact matches / found", f"{exact:.1%} / {found:.1%}", ""))
    checker = Checker(clf, geocoder, "fr")
    t0, c0 = time.perf_counter(), time.process_time()
    checker.check_addresses(texts)
    batch_s, batch_cpu = time.perf_counter() - t0, time.process_time() - c0
    results.append(("batch check (geocode + verdict), addresses/s", f"{len(texts) / batch_s:,.0f}", ""))
    results.append(("  same, per CPU second", f"{len(texts) / batch_cpu:,.0f}", ""))

    # ---- 3. single check latency
    lat, cpu = [], []
    for text in texts[:300]:
        t0, c0 = time.perf_counter(), time.process_time()
        checker.check_address(text)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    results.append(
        ("single address check, median / p95", f"{np.median(lat):.1f} / {np.percentile(lat, 95):.1f} ms", "< 10 ms")
    )
    results.append(("  CPU time, median / p95", f"{np.median(cpu):.1f} / {np.percentile(cpu, 95):.1f} ms", ""))

    # ---- 5. check-file 200k coordinate rows
    k = args.rows
    pick = rng.integers(0, len(index.x), k)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "points.csv"
        pd.DataFrame({"id": np.arange(k), "lat": index.lat[pick].round(6), "lon": index.lon[pick].round(6)}).to_csv(
            src, index=False
        )
        t0 = time.perf_counter()
        proc_cpu0 = os.times()
        subprocess.run(
            [sys.executable, "-m", "tzcld", "check-file", str(src), "-o", str(Path(tmp) / "out.csv")],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        results.append((f"check-file {k:,} coordinate rows, end to end", f"{time.perf_counter() - t0:.1f} s", "< 10 s"))
        t1 = os.times()
        child_cpu = (t1.children_user - proc_cpu0.children_user) + (t1.children_system - proc_cpu0.children_system)
        results.append(("  CPU time of the process", f"{child_cpu:.1f} s", ""))

    width = max(len(r[0]) for r in results)
    print(
        f"\nAddress check benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} CPUs, {n:,} points, "
        f"{len(texts):,} addresses\n"
    )
    print(f"| {'measure'.ljust(width)} | result | goal |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for name, value, goal in results:
        print(f"| {name.ljust(width)} | {value} | {goal} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
