"""Benchmark of the progress ledger (run by hand).

    .venv/bin/python bench/bench_ledger.py [--rows N] [--database URL]

Prints, for a temporary SQLite ledger (or ``--database``, e.g. a PostgreSQL URL):
open + migrate + seed time, the write rate of one-entry transactions and of one
N-entry batch (ratio batch vs singles), and the read time of the frame, the latest
values and the Progrès page's tables at N rows — with, as a baseline in the same run,
a plain ``SELECT *`` of the same rows (ratio).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from tzcld.ledger import (
    Account,
    ObservationInput,
    open_store,
    summary,
)
from tzcld.territories import TERRITORY_IDS

ADMIN = Account("bench", "admin")


def entries(n: int, offset: int = 0) -> list[ObservationInput]:
    out = []
    for i in range(n):
        k = i + offset
        tid = TERRITORY_IDS[k % len(TERRITORY_IDS)]
        year, rest = 2022 + (k // 4000) % 6, k % 4000
        month, day = 1 + (rest // 17) % 12, 1 + (rest // 204) % 28
        out.append(ObservationInput(tid, "hired", float(k % 50), "persons", f"{year}-{month:02d}-{day:02d}", "bench"))
    return out


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--database")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    t_open, store = timed(lambda: open_store(url, demo=False))
    print(f"database: {store.url}")
    print(f"open + migrate + seed:          {t_open * 1000:8.1f} ms")
    batch = entries(args.rows)
    t_batch, _ = timed(lambda: store.record(ADMIN, batch))
    singles = entries(args.singles, offset=10_000_000)  # after the batch: a full ledger
    t_single, _ = timed(lambda: [store.add(ADMIN, e) for e in singles])
    per_single = t_single / len(singles) * 1000
    per_batch = t_batch / len(batch) * 1000
    print(f"one-entry transactions:         {per_single:8.2f} ms/entry ({len(singles)} entries, into a full ledger)")
    print(
        f"one {len(batch)}-entry batch:         {per_batch:8.3f} ms/entry  (x{per_single / per_batch:.0f} faster per entry)"
    )
    with store.engine.connect() as conn:
        t_raw, n = timed(lambda: len(conn.execute(text("SELECT * FROM observations")).fetchall()))
    t_frame, frame = timed(store.observations_frame)
    t_latest, latest = timed(lambda: store.latest())
    t_tables, _ = timed(
        lambda: (summary.programme_series(frame), summary.budget_table(frame), summary.territory_table(frame))
    )
    print(f"rows in ledger:                 {n:8d}")
    print(f"baseline SELECT * :             {t_raw * 1000:8.1f} ms")
    print(f"observations_frame():           {t_frame * 1000:8.1f} ms  (x{t_frame / t_raw:.1f} baseline)")
    print(f"latest() (all scopes/metrics):  {t_latest * 1000:8.1f} ms  ({len(latest)} rows)")
    print(f"Progrès tables from the frame:  {t_tables * 1000:8.1f} ms")
    store.dispose()


if __name__ == "__main__":
    main()
