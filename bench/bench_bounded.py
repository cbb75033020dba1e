"""Benchmark of the file checks that used to hold the whole file (issue 13, bounded memory),
run by hand: ``.venv/bin/python bench/bench_bounded.py [--rows N] [--before DIR]``.

Prints, in one run, now beside the code before (``--before DIR``, else a temporary
worktree of ``git merge-base HEAD origin/main``, as ``bench_batch.py``):

1. the API's ``POST /v1/check-file`` on N lat/lon rows (default 200,000): a ``serve-api``
   process of each checkout on 127.0.0.1:8651 / 8652 (coordinates only: no address index),
   its peak resident memory (``VmHWM``) after a first small file (perimeters loaded) and
   after the request, its CPU for the request, the wall time, and whether both answers are
   byte-identical (``--big M``: the same on M rows, now only, to see it flat);
2. ``check-file --recheck`` on the results of those N rows (half of them with no perimeter
   version, so re-checked): end to end under ``/usr/bin/time``, outputs compared;
3. the Vérifier page's file check (50,000 rows, the page's limit), in a fresh process each:
   the whole table then ``check_table`` (before) against :func:`tzcld.file_results.check_upload`
   (now): peak memory above the process's baseline (before: with the CSV download made once,
   as a click on it does), and what the session keeps (the results DataFrame before, the
   results CSV now).
"""

from __future__ import annotations

import argparse
import http.client
import json
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
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import ENV, base_checkout, fmt, timed_run  # noqa: E402

PORTS = (8651, 8652)

PAGE_SCRIPT = """
import sys, json
sys.path.insert(0, sys.argv[2])
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
from tzcld.batch_io import read_table, write_csv
from tzcld.check import Checker
from tzcld.check_tables import check_table
from tzcld.config import FileLimits
from tzcld.perimeters import published_classifier
checker = Checker(published_classifier(None))
data = open(sys.argv[1], 'rb').read()
columns = {"lat_column": "lat", "lon_column": "lon"}
check_table(checker, read_table(data[:2000], "w.csv"), **columns)  # warm: perimeters, imports
base = hwm()
if sys.argv[3] == "before":
    kept = check_table(checker, read_table(data, "f.csv"), **columns)
    size = int(kept.memory_usage(deep=True).sum())
    write_csv(kept)  # the CSV download, made once when asked for
else:
    from tzcld.file_results import check_upload
    kept = check_upload(checker, data, "f.csv", FileLimits(), columns)
    size = len(kept.csv) + int(kept.preview.memory_usage(deep=True).sum())
print(json.dumps({"peak_mb": hwm() - base, "kept_mb": size / 1e6}))
"""


def _status(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM:", "VmRSS:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 900):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers={"Content-Type": "text/csv"} if body else {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def api_run(checkout: Path, port: int, src: Path, env: dict) -> dict:
    """One serve-api of ``checkout``; the figures of one POST /v1/check-file of ``src``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tzcld", "serve-api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if _request(port, "GET", "/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"serve-api of {checkout} did not start")
            time.sleep(0.3)
        warm = src.read_bytes()[:2000]  # a first small file: perimeters and classifier loaded
        if _request(port, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", warm)[0] != 200:
            raise SystemExit(f"check-file of {checkout} failed")
        before = _status(proc.pid)
        cpu0 = _cpu(proc.pid)
        t0 = time.perf_counter()
        status, headers, body = _request(port, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", src.read_bytes())
        wall = time.perf_counter() - t0
        after = _status(proc.pid)
        if status != 200:
            raise SystemExit(f"check-file of {checkout}: {status} {body[:300]!r}")
        return {
            "wall": wall,
            "cpu": _cpu(proc.pid) - cpu0,
            "base_mb": before["VmHWM"],
            "peak_mb": after["VmHWM"],
            "rows": headers.get("x-rows") or headers.get("X-Rows"),
            "body": body,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--big", type=int, default=600_000, help="rows of the API's second file (0: skip)")
    ap.add_argument("--page-rows", type=int, default=50_000)
    ap.add_argument("--before", help="checkout of the code to compare with (default: a temporary worktree)")
    args = ap.parse_args()
    py = sys.executable
    before, base_id = base_checkout(args.before)
    lines: list[tuple[str, str]] = []
    rng = np.random.default_rng(13)
    with tempfile.TemporaryDirectory(prefix="bench-bounded-") as tmp_name:
        tmp = Path(tmp_name)
        n = args.rows

        def points(k: int, path: Path) -> Path:
            pd.DataFrame(
                {
                    "nom": [f"candidat {i}" for i in range(k)],
                    "lat": rng.uniform(49.5, 50.8, k).round(6),
                    "lon": rng.uniform(2.9, 6.3, k).round(6),
                }
            ).to_csv(path, index=False, sep=";")
            lines.append((f"input: {k:,} lat/lon rows", f"{path.stat().st_size / 1e6:.1f} MB"))
            return path

        src = points(n, tmp / "points.csv")

        # ---- 1. the API
        env = {
            **ENV,
            "TZCLD_ADDRESS_INDEX": str(tmp / "no-index"),
            "TZCLD_RAW_DIR": str(tmp),  # no register there: no index built in the background
            "TZCLD_API_RATE_LIMIT": "0",
            "TZCLD_API_MAX_FILE_BYTES": str(200 * 1_000_000),
            "TZCLD_API_MAX_ROWS": str(max(n, args.big, 1)),
        }
        runs = {f"{n:,} rows, now": api_run(ROOT, PORTS[0], src, env)}
        if before:
            runs[f"{n:,} rows, before ({base_id})"] = api_run(before, PORTS[1], src, env)
        if args.big:
            big = points(args.big, tmp / "big.csv")
            runs[f"{args.big:,} rows, now"] = api_run(ROOT, PORTS[0], big, env)
            if before:
                runs[f"{args.big:,} rows, before ({base_id})"] = api_run(before, PORTS[1], big, env)
            big.unlink()
        bodies = [r.pop("body") for r in runs.values()]
        for name, r in runs.items():
            lines.append(
                (
                    f"API check-file {name}",
                    f"{r['wall']:.2f} s wall, {r['cpu']:.2f} s server CPU, peak {r['peak_mb']:,.0f} MB "
                    f"(+{r['peak_mb'] - r['base_mb']:,.0f} MB over the idle server's {r['base_mb']:,.0f} MB)",
                )
            )
        if before:
            same = bodies[0] == bodies[1] and (not args.big or bodies[2] == bodies[3])
            lines.append(("  answers byte-identical (now, before)", str(same)))
        results = tmp / "resultats.csv"
        results.write_bytes(bodies[0])
        del bodies

        # ---- 2. check-file --recheck
        table = pd.read_csv(results, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.loc[table.index % 2 == 0, "data_version"] = ""  # no version: re-checked
        marked = tmp / "resultats-marques.csv"
        table.to_csv(marked, index=False, sep=";", encoding="utf-8-sig", lineterminator="\r\n")
        del table
        now = timed_run([py, "-m", "tzcld", "check-file", str(marked), "-o", str(tmp / "r_now.csv"), "--recheck"], ROOT)
        lines.append((f"check-file --recheck {n:,} rows (half re-checked), now", fmt(now)))
        if before:
            old = timed_run(
                [py, "-m", "tzcld", "check-file", str(marked), "-o", str(tmp / "r_old.csv"), "--recheck"], before
            )
            lines.append((f"check-file --recheck {n:,} rows, before ({base_id})", fmt(old)))
            same = (tmp / "r_now.csv").read_bytes() == (tmp / "r_old.csv").read_bytes()
            lines.append(("  outputs byte-identical", str(same)))

        # ---- 3. the page's check, 50k rows
        page_src = tmp / "page.csv"
        k = args.page_rows
        pd.read_csv(src, sep=";", dtype=str, nrows=k).to_csv(page_src, index=False, sep=";")
        script = tmp / "page.py"
        script.write_text(PAGE_SCRIPT)
        for mode in ("before", "now"):
            done = subprocess.run(
                [py, str(script), str(page_src), str(ROOT), mode], capture_output=True, text=True, env=ENV, cwd=ROOT
            )
            if done.returncode:
                raise SystemExit(done.stderr[-2000:])
            got = json.loads(done.stdout.strip().splitlines()[-1])
            what = "the results DataFrame" if mode == "before" else "the results CSV + 200 rows shown"
            lines.append(
                (
                    f"page check {k:,} rows, {'whole table (before)' if mode == 'before' else 'by chunks (now)'}",
                    f"peak +{got['peak_mb']:.0f} MB; session keeps {got['kept_mb']:.1f} MB ({what})",
                )
            )
    if before and not args.before:
        subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)

    width = max(len(a) for a, _ in lines)
    load = os.getloadavg()
    print(
        f"\nBounded file checks — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f}\n"
    )
    for a, b in lines:
        print(f"{a.ljust(width)}  {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
