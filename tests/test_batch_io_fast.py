"""The CSV block path of :class:`tzcld.batch_io.TableReader` (plain lines split at once) gives
exactly what the line-by-line path (``csv.reader`` over every physical line) gives: the same
frames, chunk by chunk, the same errors with the same line numbers, at the same point.

Thousands of awkward generated files are read both ways, with the block and line limits made
small so that block ends, chunk ends and limits fall everywhere."""

from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from tzcld import batch_io
from tzcld.batch_io import BatchInputError, TableReader
from tzcld.config import FileLimits


def _outcome(data: bytes, limits: FileLimits, chunk_cells: int, fast: bool) -> dict:
    """What reading ``data`` gives: the header, each chunk's cells, dtypes and row count, then
    the error (its class, key and values) if one stopped the reading."""
    frames: list = []
    error = None
    columns = None
    rows = None
    try:
        with TableReader(data, "t.csv", limits, chunk_cells=chunk_cells) as reader:
            reader._fast_csv = fast
            columns = reader.columns
            for frame in reader.chunks():
                frames.append(
                    (list(frame.columns), [str(t) for t in frame.dtypes], frame.to_dict("list"), list(frame.index))
                )
            rows = reader.rows
    except BatchInputError as exc:
        error = (type(exc).__name__, exc.message_key, exc.params)
    except csv.Error as exc:  # the delimiter's sniffer under the tests' tiny csv field limit
        error = (type(exc).__name__, str(exc), {})
    return {"columns": columns, "frames": frames, "error": error, "rows": rows}


_WORDS = ["a", "Rue Haute 5", "4000", "50.62", "3,37", "é", "Liège", "x y", "=1+2", "-", "0", "ß", "\u2028"]


def _cell(rng: random.Random, delimiter: str, max_cell: int) -> str:
    """One cell as written in the file (quoted or not)."""
    roll = rng.random()
    if roll < 0.12:
        return ""
    if roll < 0.18:
        return rng.choice([" ", "  ", "\t"]) if delimiter != "\t" else " "
    if roll < 0.25:  # quoted, with what quoting allows: delimiters, quotes, line breaks
        inner = rng.choice(["a", delimiter, '""', "\n", "\r\n", "\r", " ", "x" * rng.randint(0, 12)])
        inner += rng.choice(["", "b", delimiter, "\n"])
        return '"' + inner + '"' + rng.choice(["", "", "", "z", " "])
    if roll < 0.27:  # a stray quote
        return rng.choice(['a"b', '"', '"unclosed', 'x""'])
    if roll < 0.29:
        return "y" * rng.choice([max_cell - 1, max_cell, max_cell + 1, 2 * max_cell])
    if roll < 0.295 and rng.random() < 0.1:
        return rng.choice(["\x00", "a\x00b"])
    return rng.choice(_WORDS)


def _document(rng: random.Random) -> tuple[bytes, FileLimits]:
    delimiter = rng.choice([";", ",", "\t", "|"])
    width = rng.randint(1, 5)
    max_cell = rng.choice([8, 20, 40])
    names = [rng.choice(["id", "lat", "lon", "adresse", "cp", "nom", "", " "]) + str(i) for i in range(width)]
    for i in range(width):
        if rng.random() < 0.07:
            names[i] = rng.choice(["", " "])
    if rng.random() < 0.2:
        names += [""] * rng.randint(1, 2)  # trailing empty names (the trailing delimiters of Excel)
    if not any(n.strip() for n in names):
        names[0] = "nom"
    ends = rng.choice([["\n"], ["\r\n"], ["\r"], ["\n", "\r\n"], ["\n", "\r"], ["\n", "\n", "\n", "\r\n", "\r"]])
    lines = []
    for _ in range(rng.randint(0, 2)):  # blank lines before the header
        lines.append(rng.choice(["", delimiter * rng.randint(0, 3), " "]))
    lines.append(delimiter.join(names))
    plain = rng.random() < 0.5  # mostly plain rows: the block path's own case
    for _ in range(rng.randint(0, 60)):
        roll = rng.random()
        if roll < 0.05:
            lines.append("")
        elif roll < 0.08:
            lines.append(delimiter * rng.randint(0, len(names) + 1))
        elif roll < 0.10:
            lines.append(rng.choice([" ", "  ", "\t"]))
        else:
            n = len(names)
            if rng.random() < 0.04:
                n = max(0, n + rng.choice([-2, -1, 1, 2]))
            if plain and rng.random() < 0.97:
                plain_cells = ["1", "50.6", "abc", "", "Liège", "4,5" if delimiter != "," else "4.5"]
                if rng.random() < 0.03:
                    plain_cells.append("y" * rng.choice([29, 30, 31, 45]))  # about csv's field limit
                cells = [rng.choice(plain_cells) for _ in range(n)]
            else:
                cells = [_cell(rng, delimiter, max_cell) for _ in range(n)]
            for j in range(len(",".join(names).rstrip(",").split(",")), n):  # beyond the names: mostly empty
                if rng.random() < 0.8:
                    cells[j] = rng.choice(["", " "])
            lines.append(delimiter.join(cells))
    text = "".join(line + rng.choice(ends) for line in lines)
    if rng.random() < 0.3:
        text = text.rstrip("\r\n")  # no line end after the last line
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1"])
    data = text.encode(encoding, errors="replace")
    limits = FileLimits(
        max_rows=rng.choice([5, 20, 1000, 1000]),
        max_cells=rng.choice([40, 100, 10_000, 10_000]),
        max_columns=rng.choice([3, 500, 500, 500]),
        max_cell_chars=max_cell,
    )
    return data, limits


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks, lines and csv fields a few dozen characters long: every boundary gets crossed."""

    def set_sizes(rng: random.Random) -> None:
        monkeypatch.setattr(batch_io, "MAX_LINE_CHARS", rng.choice([30, 64, 200]))
        monkeypatch.setattr(batch_io, "_TEXT_BLOCK", rng.choice([16, 50, 128, 1000]))
        monkeypatch.setattr(batch_io, "_FIRST_BLOCK", rng.choice([1, 16, 60]))
        csv.field_size_limit(rng.choice([30, 131_072, 131_072]))

    old = csv.field_size_limit()
    yield set_sizes
    csv.field_size_limit(old)


@pytest.mark.parametrize("seed", range(8))
def test_the_block_path_reads_awkward_files_as_the_line_path(small_blocks, seed):
    rng = random.Random(seed)
    plain_blocks = 0
    for _ in range(250):
        small_blocks(rng)
        data, limits = _document(rng)
        chunk_cells = rng.choice([1, 3, 7, 50, 200_000])
        slow = _outcome(data, limits, chunk_cells, fast=False)
        fast = _outcome(data, limits, chunk_cells, fast=True)
        assert fast == slow, (data, limits, chunk_cells)
        plain_blocks += bool(slow["frames"])
    assert plain_blocks > 50  # the files were read, not all refused


def test_the_block_path_is_taken_and_reads_big_plain_files_the_same(monkeypatch):
    rng = random.Random(7)
    rows = [
        f"{i};{50 + rng.random():.6f};{4 + rng.random():.6f};{rng.choice(['', 'Liège', 'x'])}" for i in range(30_000)
    ]
    rows[12_345] = ""  # a blank line: still line-numbered
    rows[20_000] = ";;;"  # a row of empty cells: skipped
    rows[25_000] = '7;"50,1";4.2;"a ""b"""'  # a quoted row in one block only
    data = ("id;lat;lon;nom\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
    taken = []
    plain_rows = TableReader._plain_rows

    def counting(self, *args):
        out = plain_rows(self, *args)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(TableReader, "_plain_rows", counting)
    limits = FileLimits(max_cell_chars=9)  # "50.123456" fits, one longer cell would not
    slow = _outcome(data, limits, 200_000, fast=False)
    fast = _outcome(data, limits, 200_000, fast=True)
    assert fast == slow
    assert slow["rows"] == 29_998 and slow["error"] is None
    assert any(taken) and not all(taken)  # plain blocks at once, the quoted one record by record
    # a cell too long is told at its line, whichever path read it
    data = data.replace(b"\r\n12000;", b"\r\n1200000000;")
    for fast_csv in (False, True):
        out = _outcome(data, limits, 200_000, fast=fast_csv)
        assert out["error"] == ("_Limit", "errors.limit.cell", {"line": 12_002, "column": "id", "limit": 9})


@pytest.mark.parametrize(
    "text",
    [
        "a;b\r\n" + "x" * 63 + "\r\n1;2\r\n4;5;6\r\n",  # a \r\n just over the limit: two lines for readline
        "a;b\r\n" + "x" * 62 + "\r\n1;2\r\n4;5;6\r\n",  # just at the limit: one line
        "a;b\n" + "x" * 63 + "\n1;2\n",  # at the limit
        "a;b\n" + "x" * 64 + "\n1;2\n",  # one character too many: refused
        "a;b\n1;2\n" + "x" * 64,  # the last line, at the limit without a line end: refused
        "a;b\n1;2\n" + "x" * 63,
        "a;b\n1;2\n3;4\n" + "y" * 200 + "\n5;6\n",  # refused after the rows before it
        '"a\n' + "z" * 70 + '";b\n1;2\n',  # a header over lines, one of them too long
        "\n\n ;\na;b\n1;2\r3;4\r\n",
    ],
)
def test_lines_at_the_limit_are_cut_and_refused_where_readline_does(monkeypatch, text):
    monkeypatch.setattr(batch_io, "MAX_LINE_CHARS", 64)
    for block in (8, 64, 1000):
        monkeypatch.setattr(batch_io, "_TEXT_BLOCK", block)
        monkeypatch.setattr(batch_io, "_FIRST_BLOCK", block)
        for chunk_cells in (1, 2, 100):
            slow = _outcome(text.encode(), FileLimits(), chunk_cells, fast=False)
            assert _outcome(text.encode(), FileLimits(), chunk_cells, fast=True) == slow, (block, chunk_cells)


def test_rows_before_a_refused_line_are_yielded_first(monkeypatch):
    monkeypatch.setattr(batch_io, "MAX_LINE_CHARS", 64)
    text = "a;b\n" + "1;2\n" * 10 + "x" * 100 + "\n"
    for fast in (False, True):
        seen = []
        with TableReader(text.encode(), "t.csv", chunk_cells=4) as reader:
            reader._fast_csv = fast
            with pytest.raises(BatchInputError) as info:
                for frame in reader.chunks():
                    seen.append(len(frame))
        assert seen == [2, 2, 2, 2, 2] and info.value.params == {"line": 12, "limit": 64}


def test_utf16_and_the_frames_dtype_stay_those_of_the_line_path():
    text = "nom\tcp\r\nLiège\t4000\r\n\r\nNamur\t5000\r\n"
    out = _outcome(text.encode("utf-16"), FileLimits(), 200_000, fast=True)
    assert out == _outcome(text.encode("utf-16"), FileLimits(), 200_000, fast=False)
    frame = batch_io.read_table(b"id;v\n1;x\n2;\n")
    assert [str(t) for t in frame.dtypes] == ["str", "str"]
    assert frame.equals(pd.DataFrame({"id": pd.array(["1", "2"], dtype="str"), "v": pd.array(["x", ""], dtype="str")}))


def test_a_plain_cell_beyond_csvs_field_limit_is_refused_at_its_line():
    old = csv.field_size_limit(40)
    try:
        text = "a;b\n" + "1;2\n" * 30 + "3;" + "z" * 41 + "\n" + "4;5\n"
        for fast in (False, True):
            out = _outcome(text.encode(), FileLimits(), 200_000, fast=fast)
            assert out["error"] == ("_Limit", "errors.limit.cell", {"line": 32, "column": "?", "limit": 32_767})
    finally:
        csv.field_size_limit(old)
