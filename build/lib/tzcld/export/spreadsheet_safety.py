"""Spreadsheet formula-injection neutralisation for every CSV/XLSX the project writes.

A text cell that a spreadsheet would read as a formula (``=HYPERLINK(...)``,
``+1+cmd|...``, ``-2+3``, ``@SUM(...)``) or that starts with a tab or carriage
return is prefixed with an apostrophe, as recommended by OWASP ("CSV injection").
The visible text stays the same in Excel/LibreOffice (the apostrophe marks a
literal), and the value is never evaluated.

Only text is touched: real numbers, dates, booleans and missing values pass
unchanged, so ``-3.5`` stored as a float stays a number. Use
:func:`neutralise_frame` before ``DataFrame.to_csv`` / ``to_excel``, or the
:func:`write_csv` / :func:`write_xlsx` helpers which do it for you.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet evaluate a cell, plus tab and CR.
DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: The character put in front of a dangerous cell.
ESCAPE = "'"


def is_dangerous(text: str) -> bool:
    """True if ``text`` would be read as a formula (or starts with tab/CR)."""
    return bool(text) and text.startswith(DANGEROUS_PREFIXES)


def neutralise_cell(value: Any) -> Any:
    """Return ``value`` made safe for a spreadsheet cell.

    Strings starting with ``= + - @``, a tab or a carriage return get a leading
    apostrophe; anything that is not a string is returned unchanged.
    """
    if isinstance(value, str) and is_dangerous(value):
        return ESCAPE + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are neutralised.

    Numeric, datetime and boolean columns are left as they are.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        out[column] = series.map(neutralise_cell).astype(object).where(series.notna(), series)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` as UTF-8 CSV (RFC 4180: comma separator, CRLF line ends, header, no index), neutralised.

    Missing values are written as empty cells.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")
    return path


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The same CSV as :func:`write_csv`, in memory (for download buttons)."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path | str) -> Path:
    """Write one worksheet per ``sheets`` item (name -> frame) with openpyxl, neutralised.

    Sheet names are cut to Excel's 31 characters. Text cells are stored as text
    (never as formulas), after neutralisation.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralise_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return path


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The same workbook as :func:`write_xlsx`, in memory (for download buttons)."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralise_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
