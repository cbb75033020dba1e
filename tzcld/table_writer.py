"""Writing the results of a batch check straight to a file, chunk after chunk (CSV or XLSX),
so that memory stays flat whatever the row count.

- :func:`neutralise_columns`: spreadsheet formula injection neutralised, vectorised, on the
  columns named (a text cell starting with ``= + - @``, a tab or a carriage return gets a
  leading apostrophe; plain numbers untouched), the same rule as
  :func:`tzcld.batch_io.neutralise`;
- :class:`CsvWriter`: UTF-8 with BOM (Excel shows accents), CRLF line ends, the header once;
- :class:`XlsxWriter`: one sheet (openpyxl's write-only mode streams rows to disk), and an
  optional "sources" sheet;
- both write to a temporary file beside the target and put it in place only on
  :meth:`close` (:meth:`discard` leaves nothing behind): a file that fails half-way never
  leaves half a result.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

#: Cells starting with one of these are neutralised (see :func:`tzcld.batch_io.neutralise`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Rows turned into text at a time by :class:`CsvWriter` (memory: a few MB of strings).
WRITE_ROWS = 16_384
PLAIN_NUMBER = r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$"


def neutralise_series(values: pd.Series) -> pd.Series:
    """``=cmd()`` → ``'=cmd()`` for every text cell of ``values`` (other cells untouched)."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return values
    if values.dtype == object:
        text = values.where(values.map(lambda v: isinstance(v, str)))  # only strings (None, numbers: kept)
        text = text.astype("string")
    else:
        text = values.astype("string")
    risky = text.str.startswith(FORMULA_START).fillna(False)
    if not risky.any():
        return values
    risky &= ~text.str.match(PLAIN_NUMBER).fillna(False)
    if not risky.any():
        return values
    out = values.copy()
    if out.dtype != object:
        out = out.astype(object)
    out[risky.to_numpy()] = "'" + text[risky].astype(str)
    return out


def neutralise_columns(df: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """``df`` with the text cells of ``columns`` (all when ``None``) and every header
    neutralised; the frame is not copied when nothing needs it."""
    from tzcld.batch_io import neutralise

    names = list(df.columns) if columns is None else [c for c in columns if c in df.columns]
    changed = {}
    for c in names:
        col = df[c]
        safe = neutralise_series(col)
        if safe is not col:
            changed[c] = safe
    headers = [neutralise(str(c)) for c in df.columns]
    if not changed and headers == [str(c) for c in df.columns] and all(isinstance(c, str) for c in df.columns):
        return df
    out = df.assign(**changed) if changed else df.copy()
    out.columns = headers
    return out


def csv_column(values: pd.Series, sep: str) -> list[str]:
    """The cells of one column exactly as :meth:`pandas.DataFrame.to_csv` writes them with
    ``csv.QUOTE_MINIMAL`` (missing values empty, floats as their shortest ``repr``, a text
    quoted when it holds ``sep``, a double quote or a line break), vectorised where pandas
    converts cell by cell."""
    kind = values.dtype.kind
    if kind in "iu":
        return [str(v) for v in values.to_numpy().tolist()]
    if kind == "b":
        return ["True" if v else "False" for v in values.to_numpy().tolist()]
    if kind == "f":
        array = values.to_numpy()
        cells = list(map(repr, array.tolist()))  # numpy's str() of a float64: the same shortest repr
        for i in np.flatnonzero(np.isnan(array)).tolist():
            cells[i] = ""
        return cells
    if kind != "O":  # a string dtype: said once per distinct value (NA: -1, an empty cell)
        codes, uniques = pd.factorize(values)
        said = [_cell(str(v), sep) for v in uniques.tolist()]
        return np.array([*said, ""], dtype=object)[codes].tolist()
    array = values.to_numpy()
    missing = pd.isna(array)
    raw = array.tolist()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            raw[i] = ""
    cells = [v if v.__class__ is str else str(v) for v in raw]
    joined = "\x1f".join(cells)
    if not (sep in joined or '"' in joined or "\n" in joined or "\r" in joined):
        return cells
    return [_cell(v, sep) for v in cells]


def _cell(text: str, sep: str) -> str:
    """``text`` quoted when it must be (``csv.QUOTE_MINIMAL``)."""
    if sep in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


class _Target:
    """A temporary file beside ``target``, moved in place by :meth:`commit`."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(name)

    def commit(self) -> None:
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        try:
            self.tmp.unlink()
        except FileNotFoundError:
            pass


class CsvWriter:
    """CSV results, chunk after chunk (the header with the first)."""

    def __init__(self, target: Path | str, sep: str = ";", neutral: Iterable[str] | None = None) -> None:
        self._target = _Target(Path(target))
        self._fh = self._target.tmp.open("w", encoding="utf-8", newline="")
        self._fh.write("\ufeff")
        self._sep = sep
        self._neutral = None if neutral is None else list(neutral)
        self._header = True
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        safe = neutralise_columns(df, self._neutral)
        sep = self._sep
        if self._header:
            header = pd.Series([str(c) for c in safe.columns], dtype=object)
            self._fh.write(sep.join(csv_column(header, sep)) + "\r\n")
        for start in range(0, len(safe), WRITE_ROWS):  # a slice's cells as text at a time
            part = safe.iloc[start : start + WRITE_ROWS]
            columns = [csv_column(part[c], sep) for c in part.columns]
            if len(columns) == 1:  # csv.writer writes a lone empty cell as ""
                columns = [[v or '""' for v in columns[0]]]
            self._fh.write("\r\n".join(map(sep.join, zip(*columns, strict=True))) + "\r\n")
        self._header = False
        self.rows += len(df)

    def close(self) -> None:
        self._fh.close()
        self._target.commit()

    def discard(self) -> None:
        self._fh.close()
        self._target.discard()


class XlsxWriter:
    """XLSX results, chunk after chunk (openpyxl write-only: rows go to disk as they come)."""

    def __init__(
        self,
        target: Path | str,
        sheet: str = "resultats",
        credit: str | None = None,
        neutral: Iterable[str] | None = None,
    ) -> None:
        from openpyxl import Workbook

        self._target = _Target(Path(target))
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(sheet)
        self._credit = credit
        self._neutral = None if neutral is None else list(neutral)
        self._header = True
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        safe = neutralise_columns(df, self._neutral)
        if self._header:
            self._ws.append(list(safe.columns))
            self._header = False
        for row in safe.itertuples(index=False, name=None):
            self._ws.append([None if (isinstance(v, float) and v != v) or v is pd.NA else v for v in row])
        self.rows += len(df)

    def close(self) -> None:
        if self._credit:
            self._wb.create_sheet("sources").append([self._credit])
        self._wb.save(self._target.tmp)
        self._target.commit()

    def discard(self) -> None:
        self._target.discard()
