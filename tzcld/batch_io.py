"""Reading and writing the tables of the batch check (CSV / XLSX), within limits.

Reads what people actually have: Excel's CSV export (``;``-separated, Windows-1252 /
Latin-1), UTF-8 with or without BOM, ``,`` or tab separators, XLSX workbooks (first
sheet). Every cell is read as text (postcodes keep their zeros, nothing is guessed).
Writes CSV (UTF-8 with BOM, so Excel shows accents) and XLSX, with spreadsheet formula
injection neutralised (a text cell starting with ``= + - @`` gets a leading apostrophe).

**Limits** (:class:`tzcld.config.FileLimits`, settings ``TZCLD_MAX_*``) are checked *while*
reading, so that no file — a zip bomb, a billion empty rows, one endless line — can make
the reader hold more than a bounded amount of memory:

- CSV: the bytes are counted as they are decoded, rows and cells as they are parsed;
  physical lines longer than :data:`MAX_LINE_CHARS` are refused;
- XLSX: the archive's member count, then each member's *declared* size, then its *real*
  size while it is decompressed (a counting reader); the sheet XML and the shared strings are
  streamed through expat (no tree is built; a ``DOCTYPE`` is refused), cells stored compactly.

:class:`TableReader` yields the table in chunks of rows (:meth:`TableReader.chunks`), all
within the same limits; :func:`read_table` concatenates them. The header is reported, not
repaired: duplicate names are refused; a column without a name is ignored when it is empty,
refused when it holds data. Works on bytes or on a file path: the page never writes an
uploaded file to disk.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import struct
import zipfile
from array import array
from collections.abc import Iterator
from itertools import chain, compress, repeat
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from tzcld.config import FileLimits
from tzcld.errors import FileTooLarge, TzcldError

#: Largest accepted upload (bytes) by default: see :attr:`tzcld.runtime.Settings.file_limits`.
MAX_BYTES = FileLimits().max_file_bytes
#: Longest physical line of a CSV (characters): beyond, the file is no table.
MAX_LINE_CHARS = 1_048_576
#: Most members an XLSX archive may have (real workbooks have a few dozen).
MAX_ZIP_MEMBERS = 10_000
#: Largest XLSX part other than the sheet and its shared strings (workbook, relations, styles).
MAX_PART_BYTES = 20_000_000
#: Cells per chunk of :meth:`TableReader.chunks` (the chunk's rows follow from its width).
CHUNK_CELLS = 200_000
_BLOCK = 1 << 16
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


class BatchInputError(TzcldError, ValueError):
    """Unusable input file; ``key`` is a ``check.file.*`` message key, ``params`` its values."""


class _Limit(FileTooLarge, BatchInputError):
    """A reading limit reached (``errors.limit.*``), numbers shown the reader's way."""

    def message(self, lang: str = "fr") -> str:
        from tzcld.formatting import format_number
        from tzcld.i18n import t

        shown = {
            k: format_number(v, 0 if isinstance(v, int) or float(v).is_integer() else 1, lang)
            if isinstance(v, int | float) and not isinstance(v, bool)
            else v
            for k, v in self.params.items()
        }
        return t(self.message_key, lang, **shown)


def _mb(n: int) -> float:
    return round(n / 1_000_000, 1)


class _Budget:
    """Bytes read from one file against the uncompressed limit (all XLSX members together)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise _Limit("errors.limit.uncompressed", size=_mb(self.used), limit=_mb(self.limit))


class _Counting(io.RawIOBase):
    """A binary stream that counts what is read through it against a :class:`_Budget` and,
    for a zip member, against its declared size (a member that inflates beyond what its
    header says is damaged, whatever the zip library does about it)."""

    def __init__(self, raw: BinaryIO | io.RawIOBase, budget: _Budget, declared: int | None = None) -> None:
        super().__init__()
        self._raw = raw
        self._budget = budget
        self._declared = declared
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        if n:
            self._read += n
            if self._declared is not None and self._read > self._declared:
                raise BatchInputError("check.file.unreadable")
            self._budget.take(n)
            buffer[:n] = data
        return n


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


# ----------------------------------------------------------------------------- CSV


def _looks_binary(head: bytes) -> bool:
    """NUL bytes (outside UTF-16) or many control characters: not a text file."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([c])) for c in (*range(1, 9), 11, *range(14, 32), 127))
    return controls > max(8, len(head) // 100)


def _encoding(raw: BinaryIO, limit: int) -> str:
    """The text encoding of a whole stream: BOMs, else UTF-8 if every byte decodes as UTF-8,
    else Windows-1252 if it decodes, else Latin-1 (which always does). One pass, by blocks,
    refusing a stream longer than ``limit`` bytes."""
    head = raw.read(4)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for name in ("utf-8", "cp1252"):
        raw.seek(0)
        decoder = codecs.getincrementaldecoder(name)()
        budget = _Budget(limit)
        try:
            while block := raw.read(1 << 20):
                budget.take(len(block))
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return name
    return "latin-1"


def _lines(text: io.TextIOBase, first_line: int = 1) -> Iterator[str]:
    """Physical lines of ``text``, refusing any longer than :data:`MAX_LINE_CHARS`."""
    number = first_line
    while line := text.readline(MAX_LINE_CHARS):
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise _Limit("errors.limit.line", line=number, limit=MAX_LINE_CHARS)
        number += 1
        yield line


#: Characters of decoded text read at a time by the block path of the CSV reader; the first
#: block is shorter (the header is read from it record by record).
_TEXT_BLOCK = 1 << 20
_FIRST_BLOCK = 1 << 14
#: A physical line as ``TextIOWrapper.readline`` finds it with ``newline=""``.
_PHYSICAL = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _physical_lines(text: str) -> list[str]:
    """The physical lines of ``text`` (``\\n``, ``\\r\\n`` or a lone ``\\r`` ends one), as
    :func:`_lines` reads them."""
    return _PHYSICAL.findall(text)


class _CsvBlocks:
    """The decoded text of a CSV by blocks of whole physical lines (about :data:`_TEXT_BLOCK`
    characters), cut exactly where :func:`_lines` would cut them: a physical line longer than
    :data:`MAX_LINE_CHARS` is refused at the same line, once the lines before it are used.

    An error while reading (a limit, the decoding) is kept until the lines read before it are
    used: :meth:`block` raises it when nothing else is left, as :func:`_lines` raises it at
    that point of the file."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self._buf = ""
        self._eof = False
        self._error: BaseException | None = None
        self._line = 1  # number of the first physical line in ``_buf``
        self._want = _FIRST_BLOCK  # characters wanted in the next block
        self.longest = 0  # characters of the last block's longest line (its line end aside)

    def block(self) -> tuple[str, list[str], list[str] | None] | None:
        """The next block: its text, the text split at ``\\n``, and its physical lines when
        they had to be cut by hand (a line at the limit); ``None`` at the end of the file."""
        buf = self._buf
        want = read = self._want
        self._want = _TEXT_BLOCK
        while not self._eof and self._error is None:
            if len(buf) > MAX_LINE_CHARS or (len(buf) >= want and ("\n" in buf or "\r" in buf[:-1])):
                break  # a block of whole lines, or a line too long
            try:
                more = self._text.read(read)
                read = _TEXT_BLOCK
            except (UnicodeDecodeError, TzcldError, OSError) as exc:  # the byte budget, the decoding:
                # raised once the lines read before are used
                self._error = exc
                break
            if not more:
                self._eof = True
            buf += more
        # a ``\r`` last in the buffer may be the start of a ``\r\n``: not a line end yet
        cut = len(buf) if self._eof else max(buf.rfind("\n"), buf.rfind("\r", 0, len(buf) - 1)) + 1
        text, self._buf = buf[:cut], buf[cut:]
        if not text:
            if self._error is not None:
                error, self._error = self._error, None
                self._buf, self._eof = "", True
                raise error
            if self._buf:  # more than MAX_LINE_CHARS characters and no line end
                self._buf, self._eof = "", True
                raise _Limit("errors.limit.line", line=self._line, limit=MAX_LINE_CHARS)
            return None
        lines: list[str] | None = None
        segments = text.split("\n")
        self.longest = max(map(len, segments))
        if self.longest + 1 >= MAX_LINE_CHARS:
            lines, refused = self._within(text)
            if refused:  # the lines before the long one first, the refusal at the next call
                self._error = _Limit("errors.limit.line", line=self._line + len(lines), limit=MAX_LINE_CHARS)
                self._buf, self._eof = "", True
                if not lines:
                    return self.block()
            text = "".join(lines)
            segments = text.split("\n")
            self.longest = max(map(len, segments))
        if lines is not None:
            self._line += len(lines)
        elif "\r" in text:
            self._line += _count_lines(text)
        else:
            self._line += len(segments) - (text[-1] == "\n")
        return text, segments, lines

    @staticmethod
    def _within(text: str) -> tuple[list[str], bool]:
        """The physical lines of ``text`` as ``readline(MAX_LINE_CHARS)`` returns them (the
        ``\\r`` of a ``\\r\\n`` just at the limit ends a line, its ``\\n`` is the next one), up
        to the first line too long (``True`` then)."""
        out: list[str] = []
        for line in _physical_lines(text):
            if len(line) >= MAX_LINE_CHARS:
                head = line[:MAX_LINE_CHARS]
                if not head.endswith(("\n", "\r")):
                    return out, True
                out.append(head)
                if len(line) > MAX_LINE_CHARS:
                    out.append(line[MAX_LINE_CHARS:])
                continue
            out.append(line)
        return out, False


_NOT_SPLIT: list[str] = []


class _Feed:
    """The physical lines given to ``csv`` from one block on: the block's, then the next
    blocks' while a record goes on (a quoted cell over several lines)."""

    def __init__(self, blocks: _CsvBlocks, lines: list[str], natural: bool) -> None:
        self._blocks = blocks
        self._current = lines
        self._natural = natural
        self.handed = len(lines)  # lines handed out so far, all blocks together

    def lines(self) -> Iterator[str]:
        yield from self._current
        while (more := self._blocks.block()) is not None:
            text, _segments, by_hand = more
            self._current = by_hand if by_hand is not None else _physical_lines(text)
            self._natural = by_hand is None
            self.handed += len(self._current)
            yield from self._current

    def rest(self, used: int) -> tuple[list[str], bool]:
        """The lines not used yet of the current block, once ``used`` lines were read."""
        current = self._current
        return current[len(current) - (self.handed - used) :], self._natural


class _Rows:
    """Data rows read at once from a block of lines: the named columns' cells (lists of
    ``str``, or arrow ``large_string`` arrays: :meth:`TableReader._arrow_rows`), each row's
    line number, and the block's count of physical lines."""

    __slots__ = ("columns", "lines", "longest", "physical")

    def __init__(self, columns: list, lines: list[int], physical: int, longest: int) -> None:
        self.columns = columns
        self.lines = lines
        self.physical = physical
        self.longest = longest  # no cell is longer


def _text_array(cells) -> pd.api.extensions.ExtensionArray:
    """``pd.array(cells, dtype="str")`` (every cell a ``str``; a list, or an arrow
    ``large_string`` array without nulls), made by pyarrow at once when the ``str`` dtype is
    stored by pyarrow (the same array, without pandas' cell-by-cell check)."""
    if pd.StringDtype(na_value=float("nan")).storage == "pyarrow":
        import pyarrow as pa

        if isinstance(cells, list):
            cells = pa.array(cells, type=pa.large_string())
        return pd.array(cells, dtype="str")
    return pd.array(cells if isinstance(cells, list) else cells.to_pylist(), dtype="str")


def _count_lines(text: str) -> int:
    """Physical lines in ``text`` (the last one may have no end)."""
    if not text:
        return 0
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (text[-1] not in "\r\n")


# ----------------------------------------------------------------------------- XLSX

_COL = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d*$")
#: Excel's built-in number formats that show a date or a time.
_BUILTIN_DATES = {14: "date", 15: "date", 16: "date", 17: "date", 22: "datetime", 18: "time", 19: "time", 20: "time"}
_BUILTIN_DATES.update({21: "time", 45: "time", 46: "time", 47: "time"})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xstring(text: str) -> str:
    """A spreadsheet text with Excel's escapes decoded (ECMA-376 ``ST_Xstring``: ``_x000D_`` is
    a carriage return, ``_x005F_`` an underscore — how XML holds what it cannot)."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _format_kind(code: str) -> str | None:
    """``date`` / ``datetime`` / ``time`` for a custom number format showing one, else ``None``."""
    bare = _QUOTED.sub("", code).lower()
    has_date = "y" in bare or "d" in bare
    has_time = "h" in bare or "s" in bare
    if has_date:
        return "datetime" if has_time else "date"
    if has_time:
        return "time"
    return None


def _column_index(ref: str | None) -> int | None:
    """0-based column of a cell reference (``"C12"`` → 2), ``None`` without a reference."""
    if not ref:
        return None
    m = _COL.match(ref)
    if not m:
        raise BatchInputError("check.file.unreadable")
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_label(index: int, xlsx: bool) -> str:
    """How a column is named in messages: its letters in a workbook (``C``), else its number."""
    if not xlsx:
        return str(index + 1)
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _expat(start=None, end=None, chars=None):
    """An expat parser (no namespaces: ``x:row`` is read as ``row``) refusing any DOCTYPE,
    so that no entity can be declared, let alone expanded."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _BLOCK

    def _doctype(*_args) -> None:
        raise BatchInputError("check.file.unreadable")

    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _doctype
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    return parser


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _SharedStrings:
    """The workbook's shared strings, parsed only as far as the cells need them, and kept
    compactly: blocks of :data:`_SST_BLOCK` strings joined into one ``str`` with offsets."""

    _SST_BLOCK = 4096  # also inlined in TableReader._xlsx_records

    def __init__(self, stream: BinaryIO | io.BufferedIOBase | io.RawIOBase | None, limits: FileLimits) -> None:
        self._stream = stream
        self._limits = limits
        self._blocks: list[str] = []
        self._offsets: list[array] = []
        self._current: list[str] = []
        self.count = 0
        self._parts: list[str] | None = None
        self._size = 0
        self._in_t = False
        self._skip = 0  # inside <rPh> (phonetic reading): not part of the text
        self._parser = _expat(self._start, self._end, self._chars) if stream is not None else None

    def _start(self, name: str, _attrs) -> None:
        name = _local(name)
        if name == "si":
            self._parts, self._size = [], 0
        elif name == "t":
            self._in_t = True
        elif name == "rPh":
            self._skip += 1

    def _end(self, name: str) -> None:
        name = _local(name)
        if name == "t":
            self._in_t = False
        elif name == "rPh":
            self._skip -= 1
        elif name == "si" and self._parts is not None:
            self._current.append(_xstring("".join(self._parts)))
            self._parts = None
            self.count += 1
            if self.count > self._limits.max_cells:
                raise _Limit("errors.limit.cells_total", limit=self._limits.max_cells)
            if len(self._current) == self._SST_BLOCK:
                self._close_block()

    def _chars(self, data: str) -> None:
        if self._in_t and not self._skip and self._parts is not None:
            self._size += len(data)
            if self._size > self._limits.max_cell_chars:
                raise _Limit("errors.limit.shared_string", limit=self._limits.max_cell_chars)
            self._parts.append(data)

    def _close_block(self) -> None:
        offsets = array("q", [0])
        total = 0
        for s in self._current:
            total += len(s)
            offsets.append(total)
        self._blocks.append("".join(self._current))
        self._offsets.append(offsets)
        self._current = []

    def get(self, index: int) -> str:
        while index >= self.count and self._parser is not None:
            block = self._stream.read(_BLOCK)  # type: ignore[union-attr]
            _feed(self._parser, block)
            if not block:
                self._parser = None
        if index < 0 or index >= self.count:
            raise BatchInputError("check.file.unreadable")
        block, k = divmod(index, self._SST_BLOCK)
        if block < len(self._blocks):
            offsets = self._offsets[block]
            return self._blocks[block][offsets[k] : offsets[k + 1]]
        return self._current[k]


def _feed(parser, block: bytes) -> None:
    try:
        parser.Parse(block, not block)
    except TzcldError:
        raise
    except Exception as exc:  # pyexpat.ExpatError and the like: malformed XML
        raise BatchInputError("check.file.unreadable") from exc


def zip_member_count(raw: BinaryIO) -> int:
    """Members announced by the archive's end record (read before ``zipfile`` builds its
    directory in memory); zip64 archives count as too many (no workbook needs one)."""
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    tail_len = min(size, 65_557)
    raw.seek(size - tail_len)
    tail = raw.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        raise BatchInputError("check.file.unreadable")
    (total,) = struct.unpack("<H", tail[pos + 10 : pos + 12])
    raw.seek(0)
    return MAX_ZIP_MEMBERS + 1 if total == 0xFFFF else total


class _Workbook:
    """What is needed to read a workbook's first sheet: its members, styles and date system."""

    def __init__(self, raw: BinaryIO, limits: FileLimits, budget: _Budget) -> None:
        count = zip_member_count(raw)
        if count > MAX_ZIP_MEMBERS:
            raise _Limit("errors.limit.members", count=count, limit=MAX_ZIP_MEMBERS)
        try:
            self.zip = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise BatchInputError("check.file.unreadable") from exc
        self.limits = limits
        self.budget = budget
        names = {info.filename: info for info in self.zip.infolist()}
        self.infos = names
        if "xl/workbook.xml" not in names:
            # a LibreOffice / OpenOffice workbook (its first member says so): say how to save it
            kind = "check.file.ods" if "content.xml" in names and "mimetype" in names else "check.file.unreadable"
            raise BatchInputError(kind)
        self.date1904 = False
        sheet_rid: list[str] = []

        def wb_start(name: str, attrs) -> None:
            name = _local(name)
            if name == "workbookPr":
                self.date1904 = str(attrs.get("date1904", "")).lower() in {"1", "true"}
            elif name == "sheet" and not sheet_rid:
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
                if rid:
                    sheet_rid.append(rid)

        self._parse_part("xl/workbook.xml", wb_start)
        targets: dict[str, str] = {}
        kinds: dict[str, str] = {}

        def rel_start(name: str, attrs) -> None:
            if _local(name) == "Relationship":
                target = str(attrs.get("Target", ""))
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[str(attrs.get("Id", ""))] = target
                kinds.setdefault(str(attrs.get("Type", "")).rsplit("/", 1)[-1], target)

        if "xl/_rels/workbook.xml.rels" in names:
            self._parse_part("xl/_rels/workbook.xml.rels", rel_start)
        sheet = targets.get(sheet_rid[0]) if sheet_rid else None
        self.sheet: str = sheet if sheet is not None and sheet in names else "xl/worksheets/sheet1.xml"
        if self.sheet not in names:
            raise BatchInputError("check.file.unreadable")
        shared: str | None = kinds.get("sharedStrings", "xl/sharedStrings.xml")
        self.shared = shared if shared in names else None
        styles = kinds.get("styles", "xl/styles.xml")
        declared = sum(names[m].file_size for m in (self.sheet, self.shared) if m)
        if budget.used + declared > budget.limit:
            raise _Limit("errors.limit.uncompressed", size=_mb(budget.used + declared), limit=_mb(budget.limit))
        self.date_styles: dict[int, str] = {}
        if styles in names:
            self._read_styles(styles)

    def open(self, member: str) -> io.BufferedReader:
        """A member, decompressed through the counting reader."""
        info = self.infos[member]
        if self.budget.used + info.file_size > self.budget.limit:
            raise _Limit(
                "errors.limit.uncompressed", size=_mb(self.budget.used + info.file_size), limit=_mb(self.budget.limit)
            )
        try:
            raw = self.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
            raise BatchInputError("check.file.unreadable") from exc
        return io.BufferedReader(_Counting(_ZipErrors(raw), self.budget, info.file_size), _BLOCK)

    def _parse_part(self, member: str, start, end=None) -> None:
        if self.infos[member].file_size > MAX_PART_BYTES:
            raise _Limit("errors.limit.part", part=member, limit=_mb(MAX_PART_BYTES))
        parser = _expat(start, end)
        with self.open(member) as fh:
            while True:
                block = fh.read(_BLOCK)
                _feed(parser, block)
                if not block:
                    break

    def _read_styles(self, member: str) -> None:
        formats: dict[int, str] = {}
        xfs: list[int] = []
        inside = [False]

        def start(name: str, attrs) -> None:
            name = _local(name)
            if name == "numFmt":
                try:
                    formats[int(attrs.get("numFmtId", -1))] = str(attrs.get("formatCode", ""))
                except ValueError:
                    pass
            elif name == "cellXfs":
                inside[0] = True
            elif name == "xf" and inside[0]:
                try:
                    xfs.append(int(attrs.get("numFmtId", 0)))
                except ValueError:
                    xfs.append(0)

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                inside[0] = False

        self._parse_part(member, start, end)
        for style, fmt in enumerate(xfs):
            kind = _format_kind(formats[fmt]) if fmt in formats else _BUILTIN_DATES.get(fmt)
            if kind:
                self.date_styles[style] = kind

    def close(self) -> None:
        self.zip.close()


class _ZipErrors(io.RawIOBase):
    """A zip member whose damage (bad CRC, truncated data) reads as "illisible"."""

    def __init__(self, raw) -> None:
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        try:
            return self._raw.read(n)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise BatchInputError("check.file.unreadable") from exc
        except Exception as exc:  # zlib.error and other decompressor failures
            raise BatchInputError("check.file.unreadable") from exc

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def _number_text(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return str(int(value)) if value.is_integer() else repr(value)


def _date_text(text: str, kind: str, date1904: bool) -> str:
    try:
        serial = float(text)
    except ValueError:
        return text
    if not (-1 < serial < 2_958_466):  # beyond 9999-12-31: show the number
        return _number_text(text)
    if kind == "time" and 0 <= serial < 1:
        seconds = round(serial * 86_400)
        return dt.time(*divmod(seconds // 60, 60), seconds % 60).isoformat() if seconds < 86_400 else "00:00:00"
    base = _EPOCH_1904 if date1904 else _EPOCH_1900
    if not date1904 and serial < 61:  # Excel's 1900-02-29 that never was
        serial += 1
    moment = base + dt.timedelta(seconds=round(serial * 86_400))
    if kind == "date" or (moment.time() == dt.time(0) and kind != "datetime"):
        return moment.date().isoformat()
    return moment.isoformat()


# ----------------------------------------------------------------------------- the reader


class TableReader:
    """A CSV or XLSX table read in chunks of rows, within :class:`~tzcld.config.FileLimits`.

    ``source`` is the file's bytes or its path (read as a stream, never loaded whole).
    :attr:`columns` (the header) is read on first use; :meth:`chunks` yields DataFrames of
    text (``""`` for empty cells), at most about :data:`CHUNK_CELLS` cells each; blank rows
    are skipped. Every problem is a :class:`BatchInputError` (``check.file.*``) or, for a
    limit, ``errors.limit.*`` (also a ``BatchInputError``). Use it as a context manager, or
    call :meth:`close`.
    """

    #: CSV read by blocks of lines (:meth:`_csv_blocks`), else line by line (the reference
    #: path, compared with the block path by the tests).
    _fast_csv = True

    def __init__(
        self,
        source: bytes | Path | str,
        filename: str | None = None,
        limits: FileLimits | None = None,
        chunk_cells: int = CHUNK_CELLS,
    ) -> None:
        self.limits = limits or FileLimits()
        self.filename = filename if filename is not None else (None if isinstance(source, bytes) else Path(source).name)
        self._source = source
        self._chunk_cells = max(1, chunk_cells)
        self._opened: list = []
        self.rows = 0
        self._columns: list[str] | None = None
        self._keep: list[int] = []
        self._ignored: list[int] = []
        self._width = 0
        self._records: Iterator[tuple[int, list[str]] | _Rows] | None = None
        size = len(source) if isinstance(source, bytes) else self._file_size(Path(source))
        if size > self.limits.max_file_bytes:
            raise _Limit("errors.limit.file", size=_mb(size), limit=_mb(self.limits.max_file_bytes))
        self.size = size
        head = self._open().read(8)
        self.xlsx = head[:4] == b"PK\x03\x04" or bool(
            self.filename and self.filename.lower().endswith((".xlsx", ".xlsm")) and head[:4] != b"\xd0\xcf\x11\xe0"
        )
        if head[:4] == b"\xd0\xcf\x11\xe0":  # an .xls (Excel 97-2003) or other OLE2 document
            raise BatchInputError("errors.file.xls")

    @staticmethod
    def _file_size(path: Path) -> int:
        import stat

        try:
            info = path.stat()
        except FileNotFoundError:
            raise BatchInputError("errors.file.missing", path=str(path)) from None
        except OSError as exc:
            raise BatchInputError("check.file.unreadable") from exc
        if not stat.S_ISREG(info.st_mode):  # a folder, a device, a pipe: no table file
            raise BatchInputError("check.file.unreadable")
        return info.st_size

    def _open(self) -> BinaryIO:
        if isinstance(self._source, bytes):
            fh: BinaryIO = io.BytesIO(self._source)
        else:
            try:
                fh = Path(self._source).open("rb")  # noqa: SIM115 - closed by close()
            except OSError as exc:
                raise BatchInputError("check.file.unreadable") from exc
        self._opened.append(fh)
        return fh

    def close(self) -> None:
        for fh in self._opened:
            fh.close()
        self._opened = []
        self._records = None

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # ------------------------------------------------------------------ header
    @property
    def columns(self) -> list[str]:
        """The named columns, in order (read from the first non-blank row)."""
        if self._columns is None:
            self._records = self._xlsx_records() if self.xlsx else self._csv_records()
            first = None
            for record in self._records:  # records only until the header is known
                assert not isinstance(record, _Rows)
                if any(c.strip() for c in record[1]):
                    first = record
                    break
            self._header(first)
        return list(self._columns)  # type: ignore[arg-type]

    def _header(self, first: tuple[int, list[str]] | None) -> None:
        if first is None:
            raise BatchInputError("check.file.empty")
        _line, cells = first
        names = [c.strip() for c in cells]
        while names and not names[-1]:
            names.pop()
        if len(names) > self.limits.max_columns:
            raise _Limit("errors.limit.columns", count=len(names), limit=self.limits.max_columns)
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            if name:
                seen.setdefault(name, []).append(i)
        duplicates = {n: pos for n, pos in seen.items() if len(pos) > 1}
        if duplicates:
            listed = " ; ".join(
                f"« {n} » ({', '.join(column_label(p, self.xlsx) for p in pos)})" for n, pos in duplicates.items()
            )
            raise BatchInputError("errors.file.duplicate_columns", columns=listed)
        self._width = len(names)
        self._keep = [i for i, n in enumerate(names) if n]
        self._ignored = [i for i, n in enumerate(names) if not n]
        self._columns = [names[i] for i in self._keep]

    def _beyond(self, line: int, column: int) -> BatchInputError:
        return BatchInputError("errors.file.unnamed_column_data", line=line, column=column_label(column, self.xlsx))

    # ------------------------------------------------------------------ rows
    def chunks(self) -> Iterator[pd.DataFrame]:
        """The data rows, in DataFrames of at most about :data:`CHUNK_CELLS` cells."""
        names = self.columns
        width = len(names)
        keep, ignored, full = self._keep, self._ignored, self._width
        limits = self.limits
        per_chunk = max(1, self._chunk_cells // max(width, 1))
        rows: list[list[str]] = []  # rows read one by one, after the parts
        parts: list[list[list[str]]] = []  # the chunk's columns so far, by part
        room = per_chunk  # rows still wanted in ``rows`` to fill the chunk
        lines: list[int] = []
        short = self.limits.max_cell_chars  # a chunk's cells are known to be no longer ...
        fits = True  # ... when only made of blocks whose lines are no longer
        assert self._records is not None
        count = self.rows
        # the first row beyond this many breaks a limit (of rows, or of cells: rows × columns)
        cap = min(limits.max_rows, limits.max_cells // width) if width else limits.max_rows
        for item in self._records:
            if isinstance(item, _Rows):  # rows read at once (a block of plain lines)
                block = item
                if rows:
                    parts.append([list(column) for column in zip(*rows)])
                    room -= len(rows)
                    rows = []
                    fits = False
                fits = fits and block.longest <= short
                taken, total = 0, len(block.lines)
                accepted = min(total, cap - count)
                while taken < accepted:
                    n = min(accepted - taken, room)
                    if n == total:
                        parts.append(block.columns)
                        lines.extend(block.lines)
                    else:
                        parts.append([column[taken : taken + n] for column in block.columns])
                        lines.extend(block.lines[taken : taken + n])
                    taken += n
                    count += n
                    room -= n
                    if not room:
                        self.rows = count
                        yield self._frame(parts, lines, names, fits)
                        parts, lines, room = [], [], per_chunk
                        fits = block.longest <= short
                if total > accepted:
                    count += 1
                    self.rows = count
                    if count > limits.max_rows:
                        raise _Limit("errors.limit.rows", limit=limits.max_rows)
                    raise _Limit("errors.limit.cells", limit=limits.max_cells, rows=count, columns=width)
                continue
            line, cells = item
            n = len(cells)
            if n != full or ignored:
                if n > full:
                    for j in range(full, n):
                        if cells[j].strip():
                            raise self._beyond(line, j)
                    cells = cells[:full]
                elif n < full:
                    cells = cells + [""] * (full - n)
                if ignored:
                    for j in ignored:
                        if cells[j].strip():
                            raise self._beyond(line, j)
                    cells = [cells[j] for j in keep]
            if not any(cells):
                continue
            count += 1
            if count > cap:
                self.rows = count
                if count > limits.max_rows:
                    raise _Limit("errors.limit.rows", limit=limits.max_rows)
                raise _Limit("errors.limit.cells", limit=limits.max_cells, rows=count, columns=width)
            rows.append(cells)
            lines.append(line)
            if len(rows) >= room:
                self.rows = count
                parts.append([list(column) for column in zip(*rows)])
                yield self._frame(parts, lines, names, False)
                rows, parts, lines, room, fits = [], [], [], per_chunk, True
        self.rows = count
        if rows:
            parts.append([list(column) for column in zip(*rows)])
            fits = False
        if parts:
            yield self._frame(parts, lines, names, fits)
        if self.rows == 0:
            raise BatchInputError("check.file.no_rows")

    def _frame(self, parts: list[list[list[str]]], lines: list[int], names: list[str], fits: bool) -> pd.DataFrame:
        """The chunk's frame (``fits``: its cells are known to be within the cell limit)."""
        if len(parts) == 1:
            columns = parts[0]
        elif any(not isinstance(part[0], list) for part in parts if part):  # arrow columns among them
            import pyarrow as pa

            columns = [
                pa.concat_arrays(
                    [p[j] if not isinstance(p[j], list) else pa.array(p[j], pa.large_string()) for p in parts]
                )
                for j in range(len(names))
            ]
        else:
            columns = [list(chain.from_iterable(part[j] for part in parts)) for j in range(len(names))]
        limit = self.limits.max_cell_chars
        for j, col in enumerate(columns):
            if fits or not len(col):
                continue
            if isinstance(col, list):
                if max(map(len, col)) > limit:
                    i = next(k for k, v in enumerate(col) if len(v) > limit)
                    raise _Limit("errors.limit.cell", line=lines[i], column=names[j], limit=limit)
                continue
            import pyarrow.compute as pc

            lengths = pc.utf8_length(col).to_numpy(zero_copy_only=False)
            if lengths.max() > limit:
                i = int((lengths > limit).argmax())
                raise _Limit("errors.limit.cell", line=lines[i], column=names[j], limit=limit)
        return pd.DataFrame({name: _text_array(col) for name, col in zip(names, columns)})

    # ------------------------------------------------------------------ CSV records
    def _csv_records(self) -> Iterator[tuple[int, list[str]] | _Rows]:
        """The CSV opened (encoding, delimiter: refused here when empty or binary) and its
        records to come."""
        limit = min(self.limits.max_uncompressed_bytes, self.limits.max_file_bytes)
        if self.size > limit:
            raise _Limit("errors.limit.uncompressed", size=_mb(self.size), limit=_mb(limit))
        raw = self._open()
        head = raw.read(_BLOCK)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            rest = raw.read(_BLOCK)
            if not rest.strip(b" \t\r\n"):
                raise BatchInputError("check.file.empty")
            head += rest
        if _looks_binary(head):
            raise BatchInputError("check.file.unreadable")
        raw.seek(0)
        encoding = _encoding(raw, limit)
        raw.seek(0)
        sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw.read(_BLOCK))
        delimiter = sniff_delimiter(sample)
        raw.seek(0)
        text = io.TextIOWrapper(
            io.BufferedReader(_Counting(raw, _Budget(limit)), _BLOCK), encoding=encoding, newline=""
        )
        self._opened.append(text)
        if self._fast_csv and encoding != "utf-16":
            return self._csv_blocks(text, delimiter)
        return self._csv_lines(text, delimiter)

    def _csv_lines(self, text: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
        """The CSV's records read line by line (:func:`_lines`, ``csv.reader``)."""
        reader = csv.reader(_lines(text), delimiter=delimiter)
        try:
            for record in reader:
                yield reader.line_num, record
        except csv.Error as exc:
            raise self._csv_error(exc, reader.line_num) from exc
        except UnicodeDecodeError as exc:
            raise BatchInputError("check.file.encoding") from exc

    def _csv_error(self, exc: csv.Error, line: int) -> BatchInputError:
        if "field larger" in str(exc):
            return _Limit("errors.limit.cell", line=line, column="?", limit=self.limits.max_cell_chars)
        return BatchInputError("errors.file.unreadable_line", line=line)

    def _csv_blocks(self, text: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]] | _Rows]:
        """The CSV's records by blocks of lines (:class:`_CsvBlocks`): once the header is known,
        a block of plain lines (no quote, every line as wide) becomes its rows at once
        (:meth:`_plain_rows`), any other block is read by ``csv`` record by record, as
        :func:`_lines` and ``csv.reader`` read the whole file (the same records, line numbers,
        errors, at the same place)."""
        blocks = _CsvBlocks(text)
        field_limit = csv.field_size_limit()
        line = 1  # number of the block's first physical line
        # the lines after the header in the header's block, and whether they are as the file cut them
        given_back: tuple[list[str], bool] | None = None
        try:
            while True:
                if given_back is not None:
                    (lines, natural), given_back = given_back, None
                    block_text = "".join(lines)
                    segments = block_text.split("\n")
                else:
                    got = blocks.block()
                    if got is None:
                        return
                    block_text, segments, by_hand = got
                    lines, natural = (by_hand, False) if by_hand is not None else (_NOT_SPLIT, True)
                if self._columns is not None and natural:
                    plain = self._plain_rows(block_text, segments, blocks.longest, line, delimiter, field_limit)
                    if plain is not None:
                        line += plain.physical
                        yield plain
                        continue
                # record by record, until a record ends with the block (or the header is read)
                if lines is _NOT_SPLIT:
                    lines = _physical_lines(block_text)
                reading = _Feed(blocks, lines, natural)
                header_known = self._columns is not None
                base = line - 1
                reader = csv.reader(reading.lines(), delimiter=delimiter)
                try:
                    for record in reader:
                        yield base + reader.line_num, record
                        if reader.line_num == reading.handed:
                            break
                        if not header_known and self._columns is not None:
                            given_back = reading.rest(reader.line_num)
                            break
                    else:
                        return
                except csv.Error as exc:
                    raise self._csv_error(exc, base + reader.line_num) from exc
                line = base + reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise BatchInputError("check.file.encoding") from exc

    def _plain_rows(
        self, text: str, segments: list[str], longest: int, first: int, delimiter: str, field_limit: int
    ) -> _Rows | None:
        """The data rows of a block of lines at once, when ``csv`` would read each line as the
        text between delimiters (no quote, no NUL, no lone ``\\r``) and every non-empty line
        as wide, none with a value beyond the named columns nor a cell beyond ``field_limit``
        characters (``longest``: the longest line's length, or more); else ``None`` (the block
        is read record by record)."""
        if '"' in text or "\x00" in text:
            return None
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                return None
            segments = text.replace("\r\n", "\n").split("\n")
        lines = segments
        if not lines[-1]:  # the block ends with a line end
            lines = lines[:-1]
        physical = len(lines)
        numbers: range | list[int] = range(first, first + physical)
        if "" in lines:  # empty lines: no record
            numbers = list(compress(numbers, lines))
            lines = list(compress(lines, lines))
            if not lines:
                return _Rows([[] for _ in self._keep], [], physical, 0)
        counts = list(map(str.count, lines, repeat(delimiter)))
        width = counts[0] + 1
        if counts.count(width - 1) != len(counts) or width < self._width:
            return None
        if width == self._width and not self._ignored:
            return self._arrow_rows(lines, numbers, physical, longest, delimiter, field_limit)
        flat = delimiter.join(lines).split(delimiter)
        if longest > field_limit and max(map(len, flat)) > field_limit:
            return None
        for j in (*self._ignored, *range(self._width, width)):
            if "".join(flat[j::width]).strip():
                return None
        columns = [flat[j::width] for j in self._keep]
        if all("" in column for column in columns):  # maybe rows of empty cells: skipped
            kept = list(map(any, zip(*columns)))
            if not all(kept):
                columns = [list(compress(column, kept)) for column in columns]
                numbers = list(compress(numbers, kept))
        return _Rows(columns, list(numbers), physical, longest)

    def _arrow_rows(
        self,
        lines: list[str],
        numbers: range | list[int],
        physical: int,
        longest: int,
        delimiter: str,
        field_limit: int,
    ) -> _Rows | None:
        """:meth:`_plain_rows` of lines as wide as the header, every column named: the cells
        split by arrow, each column an arrow ``large_string`` array (the texts ``str.split``
        gives, no Python object per cell; :func:`_text_array` takes them as they are)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        width = self._width
        cells = pc.split_pattern(pa.array([delimiter.join(lines)], pa.large_string()), delimiter).flatten()
        if longest > field_limit and pc.max(pc.utf8_length(cells)).as_py() > field_limit:
            return None
        n = len(lines)
        columns = (
            [cells] if width == 1 else [cells.take(pa.array(np.arange(j, n * width, width))) for j in range(width)]
        )
        empty = np.ones(n, bool)
        for column in columns:  # rows of empty cells only: skipped
            offsets = np.frombuffer(column.buffers()[1], np.int64)[column.offset : column.offset + n + 1]
            empty &= offsets[1:] == offsets[:-1]
        if empty.any():
            kept = ~empty
            columns = [column.filter(pa.array(kept)) for column in columns]
            numbers = list(compress(numbers, kept.tolist()))
        return _Rows(columns, list(numbers), physical, longest)

    # ------------------------------------------------------------------ XLSX records
    def _xlsx_records(self) -> Iterator[tuple[int, list[str]]]:
        budget = _Budget(self.limits.max_uncompressed_bytes)
        book = _Workbook(self._open(), self.limits, budget)
        self._opened.append(book)
        shared = _SharedStrings(book.open(book.shared) if book.shared else None, self.limits)
        sst_blocks, sst_offsets = shared._blocks, shared._offsets  # read in place by end()
        sheet = book.open(book.sheet)
        limits = self.limits
        max_chars = limits.max_cell_chars
        max_header = limits.max_columns
        date_styles = book.date_styles
        date1904 = book.date1904
        ready: list[tuple[int, list[str]]] = []
        cells: list[tuple[int, str]] = []
        parts: list[str] = []
        local: dict[str, str] = {}  # element name as written (``x:c``) -> local name (``c``)
        letters_col: dict[str, int] = {}  # ``AB`` -> 27
        row = 0
        col = -1
        kind = "n"
        style: str | None = None
        in_value = in_inline = False
        skip = 0
        size = 0
        width: int | None = None  # full width, once the header row is known

        def start(name: str, attrs) -> None:
            nonlocal row, col, kind, style, in_value, in_inline, skip, size
            tag = local.get(name)
            if tag is None:
                tag = local[name] = name.rpartition(":")[2]
            if tag == "c":
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    index = letters_col.get(letters)
                    if index is None:
                        index = letters_col[letters] = _column_index(ref)  # type: ignore[assignment]
                    col = index  # type: ignore[assignment]
                else:
                    col += 1
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                parts.clear()
                size = 0
            elif tag == "v" or (tag == "t" and in_inline):
                in_value = True
            elif tag == "row":
                r = attrs.get("r")
                try:
                    row = int(r) if r else row + 1
                except ValueError:
                    raise BatchInputError("check.file.unreadable") from None
                col = -1
                cells.clear()
            elif tag == "is":
                in_inline = True
            elif tag == "rPh":
                skip += 1

        def chars(data: str) -> None:
            nonlocal size
            if in_value and not skip:
                size += len(data)
                if size > max_chars:
                    raise _Limit("errors.limit.cell", line=row, column=column_label(col, True), limit=max_chars)
                parts.append(data)

        def end(name: str) -> None:
            nonlocal in_value, in_inline, skip, width
            tag = local[name]
            if tag == "v" or tag == "t":
                in_value = False
            elif tag == "c":
                raw_text = parts[0] if len(parts) == 1 else "".join(parts)
                if not raw_text:
                    return
                if kind == "n":
                    date_kind = date_styles.get(int(style)) if style and date_styles and style.isdigit() else None
                    value = _date_text(raw_text, date_kind, date1904) if date_kind else _number_text(raw_text)
                elif kind == "s":
                    try:
                        index = int(raw_text)
                    except ValueError:
                        raise BatchInputError("check.file.unreadable") from None
                    block, k = divmod(index, 4096)
                    if 0 <= block < len(sst_blocks):  # inlined fast path of shared.get
                        offsets = sst_offsets[block]
                        value = sst_blocks[block][offsets[k] : offsets[k + 1]]
                    else:
                        value = shared.get(index)
                elif kind == "b":
                    value = "TRUE" if raw_text.strip() in ("1", "true") else "FALSE"
                else:  # inlineStr, str (a formula's text), e (an error such as #N/A), d (ISO date)
                    value = _xstring(raw_text) if kind == "inlineStr" else raw_text
                if value:
                    if width is None:
                        if len(cells) >= max_header:
                            raise _Limit("errors.limit.columns", count=len(cells) + 1, limit=max_header)
                    elif col >= width:
                        raise self._beyond(row, col)
                    cells.append((col, value))
            elif tag == "row":
                if cells:
                    if width is None:
                        if not any(v.strip() for _, v in cells):
                            return  # blank before the header
                        width = max(c for c, _ in cells) + 1
                    dense = [""] * width
                    for c, v in cells:
                        dense[c] = v
                    ready.append((row, dense))
            elif tag == "is":
                in_inline = False
            elif tag == "rPh":
                skip -= 1

        parser = _expat(start, end, chars)
        while True:
            block = sheet.read(_BLOCK)
            _feed(parser, block)
            if ready:
                batch = ready[:]
                ready.clear()
                yield from batch
            if not block:
                return


def read_header(data: bytes | Path | str, filename: str | None = None, limits: FileLimits | None = None) -> list[str]:
    """The named columns of a table, reading no further than its header row."""
    with TableReader(data, filename, limits) as reader:
        return reader.columns


def read_sample(
    data: bytes | Path | str, filename: str | None = None, rows: int = 200, limits: FileLimits | None = None
) -> pd.DataFrame:
    """The header and at most the first ``rows`` data rows, for recognising the columns by
    their content before the whole file is read (within the reading limits).

    A problem in the header (or the file itself) raises :class:`BatchInputError`; a problem
    in the sampled rows (a value under a column without a name, a limit reached) does not:
    the header alone is returned, and the problem is told when the whole file is read."""
    with TableReader(data, filename, limits, chunk_cells=1) as reader:
        columns = reader.columns
        reader._chunk_cells = max(1, rows * max(len(columns), 1))
        try:
            first = next(iter(reader.chunks()), None)
        except BatchInputError:
            first = None
    return first.head(rows).reset_index(drop=True) if first is not None else pd.DataFrame(columns=columns)


def read_table(data: bytes | Path | str, filename: str | None = None, limits: FileLimits | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX (bytes or a path) into a DataFrame of text (``""`` for empty cells).

    Every limit of ``limits`` (default :class:`~tzcld.config.FileLimits`; the settings'
    :attr:`tzcld.runtime.Settings.file_limits`) is checked while reading.
    Raises :class:`BatchInputError` with a French message key (``check.file.empty`` /
    ``no_rows`` / ``unreadable`` / ``duplicate_columns`` / ..., ``errors.limit.*``).
    """
    if data is None:
        raise BatchInputError("check.file.empty")
    with TableReader(data, filename, limits) as reader:
        columns = reader.columns
        frames = list(reader.chunks())
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return out


def read_table_file(path: Path | str, limits: FileLimits | None = None) -> pd.DataFrame:
    """:func:`read_table` on a file path (the CLI): streamed from disk, never loaded whole."""
    return read_table(Path(path), None, limits)


def neutralise(value: object) -> object:
    """Make a cell safe for spreadsheets: ``=cmd()`` → ``'=cmd()`` (plain numbers untouched)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header of ``df`` neutralised (vectorised:
    :func:`tzcld.table_writer.neutralise_columns`)."""
    from tzcld.table_writer import neutralise_columns

    return neutralise_columns(df)


def write_csv(df: pd.DataFrame, sep: str = ";") -> bytes:
    """CSV bytes, UTF-8 with BOM (Excel-friendly), formula injection neutralised: the bytes of
    :class:`tzcld.table_writer.CsvWriter` (those of ``DataFrame.to_csv``, written faster)."""
    import tempfile

    from tzcld.table_writer import CsvWriter

    with tempfile.TemporaryDirectory(prefix="tzcld-csv-") as folder:
        target = Path(folder) / "resultats.csv"
        writer = CsvWriter(target, sep=sep)
        writer.write(df)
        writer.close()
        return target.read_bytes()


def write_xlsx(df: pd.DataFrame, sheet: str = "resultats", credit: str | None = None) -> bytes:
    """XLSX bytes (one sheet; an optional second sheet "sources" with ``credit``), formula
    injection neutralised: :class:`tzcld.table_writer.XlsxWriter`'s file."""
    import tempfile

    from tzcld.table_writer import XlsxWriter

    with tempfile.TemporaryDirectory(prefix="tzcld-xlsx-") as folder:
        target = Path(folder) / "resultats.xlsx"
        writer = XlsxWriter(target, sheet=sheet, credit=credit)
        writer.write(df)
        writer.close()
        return target.read_bytes()
