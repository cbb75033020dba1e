"""Writing the results of a batch check straight to a file, chunk after chunk (CSV or XLSX),
so that memory stays flat whatever the row count.

- :func:`neutralise_columns`: spreadsheet formula injection neutralised, vectorised, on the
  columns named (a text cell starting with ``= + - @``, a tab or a carriage return gets a
  leading apostrophe; plain numbers untouched), the same rule as
  :func:`tzcld.batch_io.neutralise`;
- :class:`CsvWriter`: UTF-8 with BOM (Excel shows accents), CRLF line ends, the header once;
- :class:`XlsxWriter`: one sheet (its XML written into the zip as rows come), and an
  optional "sources" sheet;
- both write to a temporary file beside the target and put it in place only on
  :meth:`close` (:meth:`discard` leaves nothing behind): a file that fails half-way never
  leaves half a result.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

#: Cells starting with one of these are neutralised (see :func:`tzcld.batch_io.neutralise`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Rows turned into text at a time by :class:`XlsxWriter` (memory: a few MB of strings).
WRITE_ROWS = 16_384
#: Rows turned into text at a time by :class:`CsvWriter` (arrow arrays: about 200 bytes a row
#: for a check's results, a few copies of them); a chunk's last slice takes up to an eighth
#: more rather than leave a short one (a chunk of 66,666 rows: one slice, the distinct texts
#: of its verdicts quoted once).
CSV_WRITE_ROWS = 65_536
#: The types of the cells of a text column written as they are (missing values: empty).
_PLAIN_TEXT = {str, np.str_, float, type(None), type(pd.NA)}
PLAIN_NUMBER = r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$"


def neutralise_series(values: pd.Series) -> pd.Series:
    """``=cmd()`` → ``'=cmd()`` for every text cell of ``values`` (other cells untouched)."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return values
    if _no_formula_start(values):
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


#: The first bytes (UTF-8) of the cells :func:`neutralise_series` looks at again.
_FORMULA_BYTES = np.frombuffer("".join(FORMULA_START).encode("ascii"), np.uint8)


def _no_formula_start(values: pd.Series) -> bool:
    """True when no cell of an arrow-backed text column starts with :data:`FORMULA_START`: the
    first byte of every cell looked at in the arrow buffers (the characters are ASCII, so a byte
    is the character). ``False`` (look cell by cell) for any other column or when one may."""
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return False
    pa, _ = _arrow()
    array = pa.array(values.array)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return False
        buffers = chunk.buffers()
        if len(chunk) == 0 or buffers[2] is None:
            continue
        width = "<i4" if pa.types.is_string(chunk.type) else "<i8"
        offsets = np.frombuffer(buffers[1], dtype=np.dtype(width))[chunk.offset : chunk.offset + len(chunk) + 1]
        offsets = offsets.astype(np.int64, copy=False)
        starts = offsets[:-1][offsets[1:] > offsets[:-1]]  # null or not: a cell with text may be risky
        if len(starts) and np.isin(np.frombuffer(buffers[2], np.uint8)[starts], _FORMULA_BYTES).any():
            return False
    return True


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


def csv_rows_plain(df: pd.DataFrame, sep: str) -> bytes:
    """The CSV lines of ``df``'s rows (no header), cell by cell through :func:`csv_column`: the
    general path, which :func:`csv_rows` must equal byte for byte (the tests compare them)."""
    columns = [csv_column(df[c], sep) for c in df.columns]
    if len(columns) == 1:  # csv.writer writes a lone empty cell as ""
        columns = [[v or '""' for v in columns[0]]]
    return ("\r\n".join(map(sep.join, zip(*columns, strict=True))) + "\r\n").encode("utf-8")


def csv_rows(df: pd.DataFrame, sep: str) -> bytes:
    """The CSV lines of ``df``'s rows (no header; at least one column), the bytes of
    :func:`csv_rows_plain` built at C speed: every column's cells as one arrow text array
    (:func:`arrow_cells`), the rows joined element-wise, the text taken from the arrow buffer
    as it is (no Python object per cell)."""
    return _csv_rows_buffer(df, sep).to_pybytes()


def _csv_rows_buffer(df: pd.DataFrame, sep: str):
    """The bytes of :func:`csv_rows` as an arrow buffer (written to a file without a copy)."""
    _, pc = _arrow()
    columns = [arrow_cells(df[c], sep) for c in df.columns]
    if len(columns) == 1:  # csv.writer writes a lone empty cell as ""
        columns[0] = pc.if_else(pc.equal(pc.binary_length(columns[0]), 0), _scalar('""'), columns[0])
    columns[-1] = pc.binary_join_element_wise(columns[-1], _scalar("\r\n"), _scalar(""))
    rows = pc.binary_join_element_wise(*columns, _scalar(sep)) if len(columns) > 1 else columns[0]
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
    start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
    return rows.buffers()[2].slice(start, end - start)


def _arrow():
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def _scalar(text: str):
    pa, _ = _arrow()
    return pa.scalar(text, pa.large_string())


def arrow_cells(values: pd.Series, sep: str):
    """The cells of one column as an arrow ``large_string`` array without nulls: the texts of
    :func:`csv_column`, built at C speed for integers, floats (:func:`float_cells`), texts
    (arrow-backed or objects that are all text or missing) and categoricals of those; any other
    column goes through :func:`csv_column`."""
    pa, pc = _arrow()
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(values.to_numpy()), pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return float_cells(values.to_numpy())
    if isinstance(dtype, pd.CategoricalDtype):
        categories = pd.Series(dtype.categories)
        kind = categories.dtype.kind if isinstance(categories.dtype, np.dtype) else ""
        if (kind and kind in "iuf") or _text_array(categories) is not None:
            said = arrow_cells(categories, sep)
            table = pa.concat_arrays([said, pa.array([""], pa.large_string())])
            codes = np.asarray(values.cat.codes.to_numpy(), dtype=np.int64)
            return pc.take(table, pa.array(np.where(codes < 0, len(said), codes)))
    text = _text_array(values)
    if text is None:
        return pa.array(csv_column(values, sep), pa.large_string())
    return _quoted(text.fill_null(""), sep)


def _text_array(values: pd.Series):
    """``values`` as an arrow ``large_string`` array (nulls where missing) when they are text:
    an arrow-backed string column, or objects that are all ``str`` or missing; else ``None``."""
    pa, _ = _arrow()
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        array = pa.array(values.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.large_string())
    if (isinstance(dtype, np.dtype) and dtype.kind == "O") or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    ):
        objects = values.to_numpy(dtype=object)
        kind = pd.api.types.infer_dtype(objects, skipna=True)
        if kind == "empty":  # missing values only (None, NaN, NA)
            return pa.nulls(len(objects), pa.large_string())
        if kind == "string" and set(map(type, objects)) <= _PLAIN_TEXT:  # no str subclass of its own
            return pa.array(objects, type=pa.large_string(), from_pandas=True)
    return None


def float_cells(values: np.ndarray):
    """``repr`` of every float of ``values`` (``""`` for NaN) as an arrow ``large_string`` array,
    the cells of :func:`csv_column`, digit by digit with numpy.

    A float ``v`` with ``1e-4 <= |v| < 1e6`` (or a zero) that is the double nearest to
    ``m / 10**9`` for an integer ``m`` is written as that decimal in fixed notation (trailing
    zeros dropped, one digit kept after the point, the sign of ``-0.0`` kept): the decimal has
    at most 15 significant digits, so no other decimal as short rounds to the same double
    (``DBL_DIG``): it is ``repr``'s shortest round-trip text, which ``repr`` writes in fixed
    notation at that magnitude. Every other value (``5e-05``, ``0.30000000000000004``,
    ``1e+16``, ``inf``, NaN) goes through ``repr``.

    When every such value is also the double nearest to ``m / 10**places`` for fewer places
    (coordinates rounded to 6 decimals, distances to 1), its decimal with 9 places is that one
    followed by zeros (``rint(|v| · 10**9)`` is then exactly ``m · 10**(9 − places)``: below
    10**15, the product is within 0.25 of it): only those places are written, the same text."""
    pa, _ = _arrow()
    a = np.asarray(values, dtype=np.float64)
    n = len(a)
    mag = np.abs(a)
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.rint(mag * 1e9)
        ok = (mag < 1e6) & ((mag >= 1e-4) | (mag == 0)) & (m / 1e9 == mag)
    d = _FLOAT_PLACES
    for fewer in _FEWER_PLACES:  # the fewest places that hold every value written here
        with np.errstate(invalid="ignore", over="ignore"):
            m_fewer = np.rint(mag * 10.0**fewer)
            if (m_fewer / 10.0**fewer == mag)[ok].all():
                d, m = fewer, m_fewer
                break
    whole64, frac64 = np.divmod(np.where(ok, m, 0).astype(np.int64), 10**d)
    whole, frac = whole64.astype(np.uint32), frac64.astype(np.uint32)
    places = 1  # digits of the largest whole part
    top = int(whole.max()) if n else 0
    while top >= 10**places:
        places += 1
    # [sign] [whole part, right-aligned on ``places`` digits] [.] [d decimals]: the characters
    # kept of each row are its sign when negative, its whole part's digits, the point, and its
    # decimals up to the last one that is not 0 (at least one)
    width = places + 2 + d
    chars = np.empty((n, width), np.uint8)
    chars[:, 0] = 45  # -
    chars[:, places + 1] = 46  # .
    rest = frac
    decimals = np.full(n, d, np.int64)
    zeros = np.ones(n, bool)
    for j in range(width - 1, places + 1, -1):
        rest, digit = np.divmod(rest, 10)
        chars[:, j] = digit + 48
        zeros &= digit == 0
        if j > places + 2:
            decimals -= zeros
    rest = whole
    for j in range(places, 0, -1):
        rest, digit = np.divmod(rest, 10)
        chars[:, j] = digit + 48
    digits = np.ones(n, np.int64)
    for k in range(1, places):
        digits += whole >= 10**k
    columns = np.arange(width)
    sign = np.signbit(a)
    keep = (columns >= places + 1 - digits[:, None]) & (columns < places + 2 + decimals[:, None])
    keep[:, 0] = sign
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(sign + digits + 1 + decimals, out=offsets[1:])
    cells = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars[keep]))
    rest_at = np.flatnonzero(~ok)
    if len(rest_at):
        said = ["" if v != v else repr(v) for v in a[rest_at].tolist()]
        cells = _put(cells, rest_at, pa.array(said, pa.large_string()))
    return cells


#: Decimal places of :func:`float_cells` (any double it writes in fixed notation has at most
#: these), and the fewer it tries first.
_FLOAT_PLACES = 9
_FEWER_PLACES = (1, 2, 3, 6)


def _put(cells, at: np.ndarray, values):
    """``cells`` with the cells at the positions ``at`` replaced by ``values`` (one per position)."""
    pa, pc = _arrow()
    n = len(cells)
    order = np.arange(n, dtype=np.int64)
    order[at] = np.arange(n, n + len(at), dtype=np.int64)
    return pc.take(pa.concat_arrays([cells, values]), pa.array(order))


def _quoted(text, sep: str):
    """The cells of ``text`` (arrow ``large_string``, no nulls) quoted where they must be
    (:func:`_cell`): each distinct text looked at once when the texts repeat."""
    pa, pc = _arrow()
    n = len(text)
    if n > 64 and len(text.buffers()[2] or b"") >= 16 * n:  # long texts: each distinct one once
        coded = pc.dictionary_encode(text)
        if 2 * len(coded.dictionary) <= n:
            words = _quoted(coded.dictionary, sep)
            return pc.take(words, coded.indices)
    risky = _risky(text, sep)
    at = np.flatnonzero(risky)
    if not len(at):
        return text
    some = pc.take(text, pa.array(at))
    data = some.buffers()[2]
    if data is not None and (np.frombuffer(data, np.uint8) == 34).any():  # a double quote: doubled
        some = pc.replace_substring(some, '"', '""')
    said = pc.binary_join_element_wise(_scalar('"'), some, _scalar('"'), _scalar(""))
    return said if len(at) == n else _put(text, at, said)


def _risky(text, sep: str) -> np.ndarray:
    """Which cells of ``text`` (arrow ``large_string``, no nulls) hold ``sep``, a double quote
    or a line break: the bytes of the arrow buffer looked at with numpy."""
    _, pc = _arrow()
    n = len(text)
    marks = {sep, '"', "\n", "\r"}
    if n == 0:
        return np.zeros(0, bool)
    if any(len(c.encode()) != 1 for c in marks):  # a separator of several bytes
        found = [pc.match_substring(text, c).to_numpy(zero_copy_only=False) for c in marks]
        return np.logical_or.reduce(found)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return np.zeros(n, bool)
    chars = np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]
    hit = np.zeros(len(chars), bool)
    for c in marks:
        hit |= chars == ord(c)
    at = np.flatnonzero(hit) + offsets[0]
    risky = np.zeros(n, bool)
    risky[np.searchsorted(offsets, at, side="right") - 1] = True
    return risky


class _Target:
    """A temporary file beside ``target``, moved in place by :meth:`commit`."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(name)

    def commit(self) -> None:
        try:
            os.replace(self.tmp, self.target)
        except BaseException:  # a folder in the way, another device, the disk full: no .part left
            self.discard()
            raise

    def discard(self) -> None:
        try:
            self.tmp.unlink()
        except FileNotFoundError:
            pass


class CsvWriter:
    """CSV results, chunk after chunk (the header with the first)."""

    def __init__(self, target: Path | str, sep: str = ";", neutral: Iterable[str] | None = None) -> None:
        self._target = _Target(Path(target))
        self._fh = self._target.tmp.open("wb")
        self._fh.write("\ufeff".encode())
        self._sep = sep
        self._neutral = None if neutral is None else list(neutral)
        self._header = True
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        safe = neutralise_columns(df, self._neutral)
        sep = self._sep
        if self._header:
            header = pd.Series([str(c) for c in safe.columns], dtype=object)
            self._fh.write((sep.join(csv_column(header, sep)) + "\r\n").encode("utf-8"))
        start, n = 0, len(safe)
        if not len(safe.columns):  # no cell: a line end per slice, as ever
            self._fh.write(b"\r\n" * len(range(0, n, CSV_WRITE_ROWS)))
            start = n
        while start < n:  # a slice's cells as text at a time (a short tail with the slice before)
            stop = start + CSV_WRITE_ROWS
            if n - stop < CSV_WRITE_ROWS // 8:
                stop = n
            self._fh.write(_csv_rows_buffer(safe.iloc[start:stop], sep))
            start = stop
        self._header = False
        self.rows += len(df)

    def close(self) -> None:
        self._fh.close()
        self._target.commit()

    def discard(self) -> None:
        self._fh.close()
        self._target.discard()


class XlsxWriter:
    """XLSX results, chunk after chunk: the sheet's XML written straight into the zip as rows
    come (cells as inline strings and numbers, converted column by column — no object per
    cell), then an optional "sources" sheet and the workbook's parts on :meth:`close`.
    Characters XML cannot hold are kept as Excel's ``_xHHHH_`` escapes."""

    def __init__(
        self,
        target: Path | str,
        sheet: str = "resultats",
        credit: str | None = None,
        neutral: Iterable[str] | None = None,
    ) -> None:
        import zipfile

        self._target = _Target(Path(target))
        self._zip = zipfile.ZipFile(self._target.tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheets = [sheet[:31]]
        self._credit = credit
        self._neutral = None if neutral is None else list(neutral)
        self._header = True
        self._line = 0  # rows written so far (the header included)
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write(_SHEET_START)
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        safe = neutralise_columns(df, self._neutral)
        letters = [_column_letters(j) for j in range(len(safe.columns))]
        if self._header:
            header = [pd.Series([str(c)], dtype=object) for c in safe.columns]
            self._sheet.write(self._rows_xml(header, letters))
            self._header = False
        for start in range(0, len(safe), WRITE_ROWS):
            part = safe.iloc[start : start + WRITE_ROWS]
            self._sheet.write(self._rows_xml([part[c] for c in part.columns], letters))
        self.rows += len(df)

    def _rows_xml(self, columns: list[pd.Series], letters: list[str]) -> bytes:
        """The ``<row>`` elements of these columns' values, numbered after the rows written."""
        n = len(columns[0]) if columns else 0
        numbers = [str(k) for k in range(self._line + 1, self._line + n + 1)]
        self._line += n
        cells = [_xlsx_cells(col, letter, numbers) for col, letter in zip(columns, letters, strict=True)]
        starts = [f'<row r="{k}">' for k in numbers]
        ends = ["</row>"] * n
        return "".join(map("".join, zip(starts, *cells, ends, strict=True))).encode("utf-8")

    def close(self) -> None:
        self._sheet.write(_SHEET_END)
        self._sheet.close()
        if self._credit:
            self._sheets.append("sources")
            (cell,) = _xlsx_cells(pd.Series([self._credit], dtype=object), "A", ["1"])
            sheet = _SHEET_START + f'<row r="1">{cell}</row>'.encode() + _SHEET_END
            self._zip.writestr("xl/worksheets/sheet2.xml", sheet)
        for name, data in _workbook_parts(self._sheets).items():
            self._zip.writestr(name, data)
        self._zip.close()
        self._target.commit()

    def discard(self) -> None:
        try:
            self._sheet.close()
            self._zip.close()
        except Exception:  # noqa: BLE001 - already failing: the file goes anyway
            pass
        self._target.discard()


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_START = f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode()
_SHEET_END = b"</sheetData></worksheet>"
#: Characters XML 1.0 cannot hold, kept as Excel's ``_xHHHH_`` escapes (ECMA-376 ``ST_Xstring``;
#: :mod:`tzcld.batch_io` decodes them), and the ``_`` of a text that already looks like one (so
#: that it reads as typed). A carriage return is written ``&#13;`` (XML would read a raw one as a
#: line feed).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _column_letters(j: int) -> str:
    """``0 → A``, ``25 → Z``, ``26 → AA``."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if _XML_UNSAFE.search(text):
        text = _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _text(text: str) -> tuple[str, str]:
    """A text as an inline string: its type attribute and content (edge spaces kept)."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return ' t="inlineStr"', f"<is><t{space}>{_xml_text(text)}</t></is>"


def _value(value: object) -> tuple[str, str] | None:
    """A cell's type attribute and content (``None``: no cell, for a missing value or no text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text(value) if value else None  # an empty text: a blank cell (as openpyxl writes it)
    if isinstance(value, (bool, np.bool_)):
        return ' t="b"', f"<v>{int(value)}</v>"
    if isinstance(value, (int, np.integer)):
        return "", f"<v>{int(value)}</v>"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return ("", f"<v>{v!r}</v>") if np.isfinite(v) else None
    return _text(str(value))


def _xlsx_cells(values: pd.Series, letter: str, numbers: list[str]) -> list[str]:
    """The ``<c>`` elements of one column on the rows ``numbers`` (``""``: no cell)."""
    kind = values.dtype.kind
    if kind == "f":
        array = values.to_numpy()
        ok = np.isfinite(array).tolist()
        texts = float_cells(array).to_pylist()  # repr of each (the cells of non-finite ones unused)
        return [f'<c r="{letter}{k}"><v>{t}</v></c>' if f else "" for k, t, f in zip(numbers, texts, ok, strict=True)]
    if kind in "iu":
        return [f'<c r="{letter}{k}"><v>{v}</v></c>' for k, v in zip(numbers, values.to_numpy().tolist(), strict=True)]
    typed: list[tuple[str, str] | None]
    if kind == "b":
        typed = [(' t="b"', f"<v>{int(v)}</v>") for v in values.to_numpy().tolist()]
    elif isinstance(values.dtype, pd.CategoricalDtype):  # each category said once (NA: code -1, no cell)
        said = [None if (isinstance(v, float) and v != v) else _value(v) for v in values.cat.categories.tolist()]
        said.append(None)
        typed = [said[c] for c in values.cat.codes.tolist()]
    elif kind != "O":  # a string dtype: each distinct value escaped once (NA: code -1, no cell)
        codes, uniques = pd.factorize(values)
        table: list[tuple[str, str] | None] = [_text(str(v)) if str(v) else None for v in uniques.tolist()]
        table.append(None)
        typed = [table[c] for c in codes.tolist()]
    else:
        typed = [None if (isinstance(v, float) and v != v) else _value(v) for v in values.to_numpy().tolist()]
    return [f'<c r="{letter}{k}"{tv[0]}>{tv[1]}</c>' if tv else "" for k, tv in zip(numbers, typed, strict=True)]


def _workbook_parts(sheets: list[str]) -> dict[str, str]:
    """The parts of a workbook around its sheets (``xl/worksheets/sheet<k>.xml``, in order)."""
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ks = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{ct}.worksheet+xml"/>' for k in ks
    )
    listed = "".join(f'<sheet name="{_xml_text(n)}" sheetId="{k}" r:id="rId{k}"/>' for k, n in zip(ks, sheets))
    rels = "".join(
        f'<Relationship Id="rId{k}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{k}.xml"/>' for k in ks
    )
    styles = len(sheets) + 1
    return {
        "[Content_Types].xml": _XML_HEAD
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        + f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
        + overrides
        + "</Types>",
        "_rels/.rels": _XML_HEAD
        + f'<Relationships xmlns="{_PKG_REL_NS}">'
        + f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        + "</Relationships>",
        "xl/workbook.xml": _XML_HEAD
        + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>{listed}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _XML_HEAD
        + f'<Relationships xmlns="{_PKG_REL_NS}">'
        + rels
        + f'<Relationship Id="rId{styles}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        + "</Relationships>",
        "xl/styles.xml": _XML_HEAD
        + f'<styleSheet xmlns="{_MAIN_NS}">'
        + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        + '<fill><patternFill patternType="gray125"/></fill></fills>'
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        + '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        + "</styleSheet>",
    }
