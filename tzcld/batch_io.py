"""Reading and writing the tables of the batch check (CSV / XLSX), in memory.

Reads what people actually have: Excel's CSV export (``;``-separated, Windows-1252 /
Latin-1), UTF-8 with or without BOM, ``,`` or tab separators, XLSX workbooks (first
sheet). Every cell is read as text (postcodes keep their zeros, nothing is guessed).
Writes CSV (UTF-8 with BOM, so Excel shows accents) and XLSX, with spreadsheet formula
injection neutralised (a text cell starting with ``= + - @`` gets a leading apostrophe).

Works on bytes: the page never writes an uploaded file to disk.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

#: Largest accepted upload (bytes).
MAX_BYTES = 200 * 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


class BatchInputError(ValueError):
    """Unusable input file; ``key`` is a ``check.file.*`` message key, ``params`` its values."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,``, tab or ``|``: the one found most consistently in the first lines."""
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delim in (";", ",", "\t", "|"):
        counts = [sum(1 for _ in csv.reader([ln], delimiter=delim)) and ln.count(delim) for ln in lines]
        if counts[0] == 0:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = same * 10 + min(counts[0], 9) / 10
        if score > best_score:
            best, best_score = delim, score
    return best


def is_xlsx(data: bytes, filename: str | None = None) -> bool:
    return data[:4] == b"PK\x03\x04" or bool(filename and filename.lower().endswith((".xlsx", ".xlsm")))


def read_table(data: bytes, filename: str | None = None) -> pd.DataFrame:
    """Read CSV or XLSX bytes into a DataFrame of text (``""`` for empty cells).

    Raises :class:`BatchInputError` (``check.file.empty`` / ``no_rows`` / ``unreadable`` /
    ``too_big``) with a French message key.
    """
    if data is None or len(data) == 0 or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise BatchInputError("check.file.empty")
    if len(data) > MAX_BYTES:
        raise BatchInputError("check.file.too_big", size=round(len(data) / 1e6), max=round(MAX_BYTES / 1e6))
    if is_xlsx(data, filename):
        try:
            df = _read_xlsx(data)
        except BatchInputError:
            raise
        except Exception as exc:  # openpyxl / zipfile raise many kinds
            raise BatchInputError("check.file.unreadable") from exc
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BatchInputError("check.file.unreadable")
        text = _decode(data)
        delim = sniff_delimiter(text)
        try:
            df = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, skipinitialspace=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise BatchInputError("check.file.unreadable") from exc
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise BatchInputError("check.file.no_rows")
    return df


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> pd.DataFrame:
    """First sheet of a workbook as text: python-calamine (fast) when installed, else openpyxl."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - optional speed-up
        return _read_xlsx_openpyxl(data)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return _frame(rows)


def _frame(rows) -> pd.DataFrame:
    it = iter(rows)
    header = next(it, None)
    if header is None or not any(_cell_text(h) for h in header):
        raise BatchInputError("check.file.empty")
    names = [_cell_text(h).strip() or f"colonne_{i + 1}" for i, h in enumerate(header)]
    width = len(names)
    body = []
    for row in it:
        cells = [_cell_text(v) for v in list(row)[:width]]
        if any(cells):
            body.append(cells + [""] * (width - len(cells)))
    return pd.DataFrame(body, columns=names, dtype=object).astype(str)


def _read_xlsx_openpyxl(data: bytes) -> pd.DataFrame:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _frame(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def read_table_file(path: Path | str) -> pd.DataFrame:
    """:func:`read_table` on a file path (the CLI)."""
    p = Path(path)
    return read_table(p.read_bytes(), p.name)


def neutralise(value: object) -> object:
    """Make a cell safe for spreadsheets: ``=cmd()`` → ``'=cmd()`` (plain numbers untouched)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, sep: str = ";") -> bytes:
    """CSV bytes, UTF-8 with BOM (Excel-friendly), formula injection neutralised."""
    buf = io.StringIO()
    neutralise_frame(df).to_csv(buf, index=False, sep=sep, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_xlsx(df: pd.DataFrame, sheet: str = "resultats", credit: str | None = None) -> bytes:
    """XLSX bytes (one sheet; an optional second sheet "sources" with ``credit``)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    safe = neutralise_frame(df)
    ws.append(list(safe.columns))
    for row in safe.itertuples(index=False, name=None):
        ws.append([None if (isinstance(v, float) and v != v) or v is pd.NA else v for v in row])
    if credit:
        src = wb.create_sheet("sources")
        src.append([credit])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
