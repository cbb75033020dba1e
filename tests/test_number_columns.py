"""Coordinate columns read as numbers: the fast path of plain decimals (arrow's cast) gives the
numbers of the general path (``pd.to_numeric`` after trimming and decimal commas) on awkward
generated columns, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tzcld import check_tables
from tzcld.check_tables import _number_array_general, _plain_numbers, number_array

_AWKWARD = [
    "",
    " ",
    "50,5",
    " 50.5",
    "50.5 ",
    "1e5",
    "1E-3",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "abc",
    ".",
    "-",
    "+",
    "1..2",
    "1-2",
    "++1",
    "-0",
    "-0.0",
    "0",
    "+0",
    "1.",
    ".5",
    "-.5",
    "0x10",
    "1_000",
    "١٢",
    "50.62075912345678",
    "1234567890123456",
    "12345678901234",
]


def _cell(rng: np.random.Generator) -> str | None:
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.1:
        return str(rng.choice(_AWKWARD))
    digits = int(rng.integers(1, 17))
    text = "".join(rng.choice(list("0123456789"), digits))
    if rng.random() < 0.8:
        at = int(rng.integers(0, digits + 1))
        text = text[:at] + "." + text[at:]
    sign = rng.random()
    return ("-" + text) if sign < 0.3 else ("+" + text) if sign < 0.35 else text


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or not (np.isnan(a) == np.isnan(b)).all():
        return False
    keep = ~np.isnan(a)
    return bool((a[keep].view(np.int64) == b[keep].view(np.int64)).all())


@pytest.mark.parametrize("seed", range(60))
def test_plain_numbers_are_the_general_ones(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    awkward = rng.choice([0.0, 0.0, 0.001, 0.1])  # most columns all plain: the fast path taken
    cells = [_cell(rng) if rng.random() < awkward else _plain(rng) for _ in range(n)]
    values = pd.Series(cells, dtype=pd.StringDtype("pyarrow"))
    if rng.random() < 0.4:  # a slice of a longer column (an offset into the arrow buffers)
        values = values.iloc[int(rng.integers(0, n)) :]
    if rng.random() < 0.3 and len(values) > 1:  # several arrow chunks
        texts = [v if isinstance(v, str) else None for v in values.astype(object).tolist()]
        half = len(texts) // 2
        chunks = pa.chunked_array([pa.array(texts[:half], pa.string()), pa.array(texts[half:], pa.string())])
        values = pd.Series(pd.arrays.ArrowStringArray(chunks))
    assert _same(number_array(values), _number_array_general(values)), seed


def _plain(rng: np.random.Generator) -> str | None:
    if rng.random() < 0.02:
        return None
    whole = int(rng.integers(0, 10 ** int(rng.integers(1, 7))))
    decimals = int(rng.integers(0, 10))
    sign = "-" if rng.random() < 0.3 else ""
    if not decimals:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{int(rng.integers(0, 10**decimals)):0{decimals}d}"


def test_the_fast_path_reads_plain_columns_and_leaves_the_others():
    plain = pd.Series(["50.620759", "4.5", None, "-12", "+3.25", "7."], dtype=pd.StringDtype("pyarrow"))
    assert _plain_numbers(plain) is not None
    for odd in ("50,5", " 1", "1e5", "", "-0", "nan", "1234567890123456"):
        column = pd.Series(["50.620759", odd], dtype=pd.StringDtype("pyarrow"))
        assert _plain_numbers(column) is None, odd
        assert _same(number_array(column), _number_array_general(column))


def test_a_broken_fast_path_is_seen(monkeypatch):
    """The comparison fails when the fast path reads a cell it should leave (a negative zero)."""
    real = check_tables._plain_numbers

    def broken(values):
        import pyarrow.compute as pc

        out = real(values)
        if out is None:
            out = np.asarray(pc.cast(pa.array(values.array), pa.float64()).to_numpy(zero_copy_only=False), float)
        return out

    monkeypatch.setattr(check_tables, "_plain_numbers", broken)
    column = pd.Series(["-0", "5"], dtype=pd.StringDtype("pyarrow"))
    assert not _same(number_array(column), _number_array_general(column))
