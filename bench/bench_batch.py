"""Benchmark of the batch check (issue 13, batch half), run by hand:
``.venv/bin/python bench/bench_batch.py [--before DIR]``.

Prints, in one run, the new path beside its baselines:

1. the exact pass of batch geocoding (addresses/s, CPU and wall) on typed addresses (clean
   and messy variants of register addresses), the exact pass of the code before on the same
   texts (its own process; whether it settled the same), and the per-row path on them;
2. ``check-file`` on those typed addresses, end to end (process start to file written):
   now, and the code before (``--before DIR``: a checkout of the base commit, made with
   ``git worktree add DIR <commit>``; default: a temporary worktree of
   ``git merge-base HEAD origin/main``), with the match rate of both and whether their
   outputs are identical;
3. ``check-file`` on coordinate rows (200k): now, before, and a geopandas ``sjoin``
   pipeline that computes no distance (read CSV, points, to EPSG:31370, sjoin, write CSV);
4. peak memory of ``check-file`` on 200k and 1M coordinate rows, now and before.

Both codes' modules are byte-compiled first (as an installed package's are). Every
``check-file`` is a subprocess measured by ``/usr/bin/time`` (wall, user+system CPU,
peak resident memory). Uses ``TZCLD_ADDRESS_INDEX`` or ``data/address_index``; the code before
reads its own index (``--before-index DIR``; by default, when the index format differs, one
built by the code before into a temporary folder: ≈ 15 s, 1.6 GB). ``--rows 0`` skips the
coordinate rows (3 and 4), ``--big 0`` the 1M-row memory run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SJOIN_PIPELINE = """
import sys
sys.path.insert(0, sys.argv[3])
import geopandas as gpd
import pandas as pd
from tzcld.geodata.layers import read_perimeters
src, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(src, dtype=str, keep_default_na=False)
lat = pd.to_numeric(df["lat"].str.replace(",", "."), errors="coerce")
lon = pd.to_numeric(df["lon"].str.replace(",", "."), errors="coerce")
pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:31370")
per = read_perimeters()[["territory_id", "unit", "geometry"]]
j = gpd.sjoin(pts, per, how="left", predicate="within")
j = j[~j.index.duplicated()]
j["status"] = j["territory_id"].notna().map({True: "inside", False: "outside"})
j.drop(columns=["geometry", "index_right"]).to_csv(out, index=False, sep=";")
"""

#: The exact pass of the code before, on the same texts, in a process of its own (argv: its
#: checkout, the index it reads, a JSON file of the texts): first call / best of 3 CPU s, and
#: a digest of what it settled (positions, addresses, rows, typed places).
EXACT_BEFORE = """
import hashlib, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tzcld.geocode.exact import exact_keys, exact_pass
from tzcld.geocode.register import RegisterGeocoder, load_index
texts = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
index = load_index(Path(sys.argv[2]), build_if_missing=False)
geocoder = RegisterGeocoder(index)
exact_keys(index)
runs = []
for _ in range(3):
    c0 = time.process_time()
    settled = exact_pass(geocoder, texts)
    runs.append(time.process_time() - c0)
what = [settled.position.tolist(), settled.address.tolist(), settled.row.tolist(), settled.typed_place]
print(runs[0], min(runs), hashlib.sha1(json.dumps(what).encode()).hexdigest())
"""


def settled_digest(settled) -> str:
    """The digest :data:`EXACT_BEFORE` prints, of an :class:`~tzcld.geocode.exact.ExactAnswers`."""
    import hashlib
    import json

    what = [settled.position.tolist(), settled.address.tolist(), settled.row.tolist(), settled.typed_place]
    return hashlib.sha1(json.dumps(what).encode()).hexdigest()


#: Every check-file runs with an empty data folder (no perimeter database: the committed perimeters).
ENV = {**os.environ, "TZCLD_DATA_DIR": tempfile.mkdtemp(prefix="bench-batch-data-")}


def timed_run(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd`` under /usr/bin/time: wall s, CPU s, peak MB."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-o", tf.name, "-f", "%e %U %S %M", *cmd]
        proc = subprocess.run(full, cwd=cwd, capture_output=True, text=True, env=ENV)
        if proc.returncode:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
        wall, user, system, kb = Path(tf.name).read_text().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(system), "mb": int(kb) / 1024}


def fmt(r: dict) -> str:
    return f"{r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, {r['mb']:,.0f} MB peak"


def base_checkout(before: str | None) -> tuple[Path | None, str]:
    if before:
        return Path(before), subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=before, capture_output=True, text=True
        ).stdout.strip()
    base = subprocess.run(
        ["git", "merge-base", "HEAD", "origin/main"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if not base:
        return None, ""
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), base], cwd=ROOT, capture_output=True, check=True)
    return folder, base[:8]


def index_format(checkout: Path) -> int | None:
    """``INDEX_FORMAT`` of the code in ``checkout`` (read from its source, not imported)."""
    import re

    m = re.search(r"^INDEX_FORMAT = (\d+)", (checkout / "tzcld/geocode/register.py").read_text(), re.M)
    return int(m.group(1)) if m else None


def before_index(before: Path, ours: Path, given: str | None, cleanup: list[Path]) -> Path:
    """The index the code ``before`` reads: ``given``, ours when of its format, else one it
    builds into a temporary folder (never ours: it would rebuild it in its own format)."""
    if given:
        return Path(given)
    from tzcld.geocode.register import INDEX_FORMAT

    if index_format(before) == INDEX_FORMAT:
        return ours
    folder = Path(tempfile.mkdtemp(prefix="bench-before-index-"))
    cleanup.append(folder)
    out = folder / "address_index"
    from tzcld.runtime import Settings

    raw = Settings.from_env().raw_dir
    cmd = [sys.executable, "-m", "tzcld", "address-index", "build", "--raw", str(raw), "--out", str(out)]
    subprocess.run(cmd, cwd=before, capture_output=True, check=True, env=ENV)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addresses", type=int, default=50_000)
    ap.add_argument("--rows", type=int, default=200_000, help="coordinate rows (0: skip the coordinate runs)")
    ap.add_argument("--big", type=int, default=1_000_000, help="rows of the memory run (0: skip)")
    ap.add_argument("--before", help="checkout of the code to compare with (default: a temporary worktree)")
    ap.add_argument("--before-index", help="address index for the code before (default: see the module doc)")
    args = ap.parse_args()
    from bench_check import typed_variants

    from tzcld.geocode.exact import exact_keys, exact_pass
    from tzcld.geocode.register import RegisterGeocoder, index_dir, load_index
    from tzcld.runtime import Settings

    folder = index_dir()  # TZCLD_ADDRESS_INDEX, else <data dir>/address_index (the settings)
    c0 = time.process_time()
    index = load_index(folder)
    load_cpu = time.process_time() - c0
    env_index = ["--index", str(folder)]
    before, base_id = base_checkout(args.before)
    cleanup: list[Path] = []
    before_env_index = ["--index", str(before_index(before, folder, args.before_index, cleanup))] if before else []
    py = sys.executable
    # the bytecode of both codes written first, as an installed package has it (pip compiles
    # on install; this machine sets PYTHONDONTWRITEBYTECODE, so a module without its .pyc is
    # compiled again on every start: ≈ 0.1 s of a check-file)
    compiled = [str(ROOT / "tzcld"), *([str(before / "tzcld")] if before else [])]
    subprocess.run([py, "-m", "compileall", "-q", *compiled], capture_output=True, check=False)
    lines: list[tuple[str, str]] = []
    rng = np.random.default_rng(13)

    # ---- 1. exact pass
    icar = pd.read_parquet(Settings.from_env().raw_dir / "icar_addresses_wallonia_2019.parquet").sample(
        args.addresses, random_state=13
    )
    texts = typed_variants(icar, rng)
    geocoder = RegisterGeocoder(index)
    lines.append(("index load in the process (first load)", f"{load_cpu:.2f} s CPU"))
    t0, c0 = time.perf_counter(), time.process_time()
    exact_keys(index)
    lines.append(("exact-pass keys (stored with the index)", f"{time.process_time() - c0:.2f} s CPU"))
    runs = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        settled = exact_pass(geocoder, texts)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    first_wall, first_cpu = runs[0]
    best_wall, best_cpu = min(runs, key=lambda r: r[1])
    n = len(texts)
    lines.append(
        (
            f"exact pass, {n:,} typed addresses (first call / best of 3)",
            f"{n / first_cpu:,.0f} / {n / best_cpu:,.0f} addr per CPU s; {n / first_wall:,.0f} / {n / best_wall:,.0f} addr/s wall",
        )
    )
    lines.append(("  settled by the exact pass", f"{len(settled) / n:.1%}"))
    if before:
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as tf:
            json.dump(texts, tf)
            tf.flush()
            index_before = before_env_index[1]
            proc = subprocess.run(
                [py, "-c", EXACT_BEFORE, str(before), index_before, tf.name],
                cwd=before,
                capture_output=True,
                text=True,
                env=ENV,
            )
        if proc.returncode == 0:
            b_first, b_best, digest = proc.stdout.split()[-3:]
            lines.append(
                (
                    f"  exact pass before ({base_id}), same texts (first call / best of 3)",
                    f"{n / float(b_first):,.0f} / {n / float(b_best):,.0f} addr per CPU s; "
                    f"same settlements: {digest == settled_digest(settled)}",
                )
            )
        else:
            lines.append((f"  exact pass before ({base_id})", "not run (no exact pass there)"))
    k = min(n, 10_000)
    t0, c0 = time.perf_counter(), time.process_time()
    geocoder.geocode_many(texts[:k])
    lines.append(
        (
            "  baseline: per-row geocoding of the same texts",
            f"{k / (time.process_time() - c0):,.0f} addr per CPU s ({k / (time.perf_counter() - t0):,.0f}/s wall)",
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # ---- 2. check-file, typed addresses
        src = tmp / "typed.csv"
        pd.DataFrame({"id": np.arange(n), "adresse": texts}).to_csv(src, index=False, sep=";")
        now = timed_run([py, "-m", "tzcld", "check-file", str(src), "-o", str(tmp / "a_now.csv"), *env_index], ROOT)
        lines.append((f"check-file {n:,} typed addresses, now", fmt(now)))
        out_now = pd.read_csv(tmp / "a_now.csv", sep=";", dtype=str, keep_default_na=False)
        q = out_now["match_quality"]
        lines.append(
            ("  match rate now: exact / found", f"{(q == 'exact').mean():.2%} / {(q != 'not_found').mean():.2%}")
        )
        if before:
            old = timed_run(
                [py, "-m", "tzcld", "check-file", str(src), "-o", str(tmp / "a_old.csv"), *before_env_index], before
            )
            lines.append((f"check-file {n:,} typed addresses, before ({base_id})", fmt(old)))
            out_old = pd.read_csv(tmp / "a_old.csv", sep=";", dtype=str, keep_default_na=False)
            qo = out_old["match_quality"]
            lines.append(("  match rate before", f"{(qo == 'exact').mean():.2%} / {(qo != 'not_found').mean():.2%}"))
            same = (tmp / "a_now.csv").read_bytes() == (tmp / "a_old.csv").read_bytes()
            lines.append(("  outputs byte-identical", str(same)))
            lines.append(("  CPU ratio before / now", f"{old['cpu'] / now['cpu']:.1f}×"))

        # ---- 3 and 4. coordinate rows
        def points(k: int) -> Path:
            pick = rng.integers(0, len(index.x), k)
            path = tmp / f"points_{k}.csv"
            pd.DataFrame({"id": np.arange(k), "lat": index.lat[pick].round(6), "lon": index.lon[pick].round(6)}).to_csv(
                path, index=False
            )
            return path

        sizes = ([args.rows] if args.rows else []) + ([args.big] if args.big else [])
        for k in sizes:
            src = points(k)
            now = timed_run([py, "-m", "tzcld", "check-file", str(src), "-o", str(tmp / "p_now.csv")], ROOT)
            lines.append((f"check-file {k:,} lat/lon rows, now", fmt(now)))
            if before:
                old = timed_run([py, "-m", "tzcld", "check-file", str(src), "-o", str(tmp / "p_old.csv")], before)
                lines.append((f"check-file {k:,} lat/lon rows, before ({base_id})", fmt(old)))
                same = (tmp / "p_now.csv").read_bytes() == (tmp / "p_old.csv").read_bytes()
                lines.append(("  outputs byte-identical", str(same)))
            if k == args.rows:
                script = tmp / "sjoin.py"
                script.write_text(SJOIN_PIPELINE)
                sj = timed_run([py, str(script), str(src), str(tmp / "p_sjoin.csv"), str(ROOT)], ROOT)
                lines.append((f"geopandas sjoin pipeline, {k:,} rows (no distance)", fmt(sj)))
                lines.append(
                    (
                        "  ratio check-file / sjoin (CPU; wall)",
                        f"{now['cpu'] / sj['cpu']:.2f}×; {now['wall'] / sj['wall']:.2f}×",
                    )
                )
            for p in tmp.glob("p_*.csv"):
                p.unlink()
    if before and not args.before:
        subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
    for folder_ in cleanup:
        shutil.rmtree(folder_, ignore_errors=True)

    width = max(len(a) for a, _ in lines)
    load = os.getloadavg()
    print(
        f"\nBatch check benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f}\n"
    )
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|---|")
    for a, b in lines:
        print(f"| {a.ljust(width)} | {b} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
