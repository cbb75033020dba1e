"""Peak memory and time of reading the largest files the limits allow (issue 12).

Run by hand: ``.venv/bin/python bench/bench_limits.py [--rows 1000000] [--columns 10]``.

Writes, in a temporary folder, files at the default limits of :attr:`tzcld.runtime.Settings.file_limits`
(1,000,000 rows × 10 columns = the 10,000,000-cell limit; the CSV just under 200 MB, the
XLSX's XML under 500 MB once decompressed) and the zip bomb of the issue (7 MB → 2 GB), then
reads each with :func:`tzcld.batch_io.read_table` **in a fresh Python process** and reports
its peak resident memory above the process's baseline (``VmHWM``), the time, and — as a
baseline in the same run — ``pandas.read_csv(dtype=str)`` on the same CSV.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STREETS = ["Rue de la Station", "Chaussée de Bruxelles", "Avenue des Tilleuls", "Place Saint-Lambert", "Rue Haute"]
COMMUNES = ["4020 Liège", "6240 Farciennes", "5030 Gembloux", "7000 Mons", "6830 Bouillon"]


def _cells(i: int, columns: int) -> list[str]:
    base = [
        f"C{i:07d}",
        f"Nom{i % 9973:04d}",
        f"{STREETS[i % 5]} {i % 300}",
        COMMUNES[i % 5],
        f"{50 + (i % 1000) / 1000:.6f}",
        f"{4 + (i % 2000) / 1000:.6f}",
        "2025-03-31",
        "oui" if i % 2 else "non",
    ]
    while len(base) < columns:
        base.append(f"valeur {len(base)}-{i % 97}")
    return base[:columns]


def write_csv(path: Path, rows: int, columns: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(f"colonne_{j}" for j in range(columns)) + "\r\n")
        for i in range(rows):
            fh.write(";".join(_cells(i, columns)) + "\r\n")
    return path


def write_xlsx(path: Path, rows: int, columns: int) -> Path:
    """A workbook as Excel writes it: shared strings, ``r`` references, by streaming."""
    from xml.sax.saxutils import escape

    from tests.xlsx_support import CONTENT_TYPES, MAIN, ROOT_RELS, WORKBOOK, WORKBOOK_RELS

    letters = [chr(65 + j) for j in range(columns)]
    strings: dict[str, int] = {}

    def sid(text: str) -> int:
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(strings)
        return index

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(date1904=""))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
            header = [f"colonne_{j}" for j in range(columns)]
            for r, cells in enumerate([header, *(_cells(i, columns) for i in range(rows))], start=1):
                row = "".join(f'<c r="{letters[j]}{r}" t="s"><v>{sid(v)}</v></c>' for j, v in enumerate(cells))
                out.write(f'<row r="{r}">{row}</row>'.encode())
            out.write(b"</sheetData></worksheet>")
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for text in strings:
                out.write(f"<si><t>{escape(text)}</t></si>".encode())
            out.write(b"</sst>")
    return path


MEASURE = """
import json, sys, time
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
import pandas
from tzcld.batch_io import BatchInputError, read_table
base = hwm()
t0 = time.perf_counter()
out = {}
try:
    if sys.argv[2] == 'pandas':
        frame = pandas.read_csv(sys.argv[1], sep=';', dtype=str, keep_default_na=False)
    else:
        frame = read_table(sys.argv[1])
    out['rows'], out['columns'] = frame.shape
except BatchInputError as exc:
    out['refused'] = str(exc)
out['seconds'] = time.perf_counter() - t0
out['peak_mb'] = hwm() - base
print(json.dumps(out))
"""


def measure(path: Path, how: str = "tzcld") -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=10)
    args = parser.parse_args()
    from tests.xlsx_support import zip_bomb
    from tzcld.runtime import Settings

    limits = Settings.from_env().file_limits
    print(f"limits: {limits}")
    with tempfile.TemporaryDirectory(prefix="tzcld-bench-limits-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        csv_path = write_csv(folder / "max.csv", args.rows, args.columns)
        xlsx_path = write_xlsx(folder / "max.xlsx", args.rows, args.columns)
        bomb = zip_bomb(folder / "bombe.xlsx")
        print(f"files written in {time.perf_counter() - t0:.0f} s")
        with zipfile.ZipFile(xlsx_path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        print(f"CSV  {csv_path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows x {args.columns} columns")
        print(f"XLSX {xlsx_path.stat().st_size / 1e6:.0f} MB ({unpacked / 1e6:.0f} MB of XML), same table")
        print(f"bomb {bomb.stat().st_size / 1e6:.1f} MB (2,000 MB of XML)")
        rows = [
            ("read_table, largest CSV allowed", measure(csv_path)),
            ("baseline pandas.read_csv(dtype=str), same CSV", measure(csv_path, "pandas")),
            ("read_table, largest XLSX allowed", measure(xlsx_path)),
            ("read_table, zip bomb (refused)", measure(bomb)),
        ]
    print("\n| file | peak memory above baseline | time | result |\n|---|---|---|---|")
    for label, r in rows:
        result = r.get("refused") or f"{r['rows']:,} × {r['columns']}"
        print(f"| {label} | {r['peak_mb']:.0f} MB | {r['seconds']:.1f} s | {result} |")


if __name__ == "__main__":
    main()
