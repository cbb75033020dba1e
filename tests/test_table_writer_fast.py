"""The CSV writer's fast path (arrow text arrays, floats digit by digit, rows joined at C speed)
against ``DataFrame.to_csv`` and against the general path (cell by cell), on many generated
awkward frames; and the verdict columns of ``Checker._rows`` typed as pandas types objects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tzcld.table_writer import CsvWriter, csv_rows, csv_rows_plain, float_cells, neutralise_columns

_PIECES = [
    "a",
    "é",
    "Z9",
    " ",
    ";",
    ",",
    "\t",
    '"',
    "\n",
    "\r",
    "=",
    "+",
    "-",
    "@",
    "'",
    "1",
    ".",
    "e",
    "😀",
    "_x0041_",
]


def _texts(rng: np.random.Generator, n: int, missing: bool = True, repeat: bool = False) -> list:
    pool = ["".join(rng.choice(_PIECES, rng.integers(0, 6))) for _ in range(max(n // 4, 3) if repeat else n)]
    out: list = [pool[k] for k in rng.integers(0, len(pool), n)] if repeat else pool[:n]
    if missing:
        for i in rng.integers(0, max(n, 1), n // 5):
            if i < n:
                out[i] = [None, np.nan, pd.NA][int(rng.integers(0, 3))]
    return out


def _floats(rng: np.random.Generator, n: int) -> np.ndarray:
    kinds = [
        lambda k: rng.normal(0, 1, k),
        lambda k: np.round(rng.normal(50, 1, k), 6),
        lambda k: np.round(rng.uniform(0, 50_000, k), 1),
        lambda k: np.round(rng.normal(0, 1, k) * 10.0 ** rng.integers(-9, 18, k), rng.integers(0, 12)),
        lambda k: rng.integers(-(10**7), 10**7, k).astype(float),
        lambda k: rng.choice([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-4, 9.9999e-5, 1e16, 1e15, 999_999.999_999_999], k),
        lambda k: rng.choice([0.1 + 0.2, 5e-324, 1.7976931348623157e308, 2.5e-5, 123456.0, -1.0, 0.5], k),
    ]
    parts = [kinds[int(rng.integers(0, len(kinds)))](n) for _ in range(3)]
    return np.concatenate(parts)[rng.permutation(3 * n)[:n]]


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([0, 1, 2, 5, 70, 300]))
    makers = {
        "obj": lambda: pd.Series(_texts(rng, n), dtype=object),
        "obj_repeated": lambda: pd.Series(_texts(rng, n, repeat=True), dtype=object),
        "obj_long": lambda: pd.Series([t * 5 for t in _texts(rng, n, missing=False, repeat=True)], dtype=object),
        "str": lambda: pd.array([v if isinstance(v, str) else None for v in _texts(rng, n)], dtype="str"),
        "str_long": lambda: pd.array([t * 6 for t in _texts(rng, n, missing=False, repeat=True)], dtype="str"),
        "mixed": lambda: pd.Series(
            [[1.5, None, "x;y", 7, True, pd.NA, np.nan, "", 10**17, b"b"][int(k)] for k in rng.integers(0, 10, n)],
            dtype=object,
        ),
        "f": lambda: _floats(rng, n),
        "f32": lambda: _floats(rng, n).clip(-1e30, 1e30).astype(np.float32),
        "i": lambda: rng.integers(-(10**12), 10**12, n),
        "u8": lambda: rng.integers(0, 255, n).astype(np.uint8),
        "b": lambda: rng.integers(0, 2, n).astype(bool),
        "cat": lambda: pd.Categorical(
            [["x;1", "y", None, 'q"'][int(k)] for k in rng.integers(0, 4, n)], categories=["x;1", "y", 'q"', "unused"]
        ),
        "cat_num": lambda: pd.Categorical(rng.choice([1.5, 2.0, 1e-7], n), categories=[1.5, 2.0, 1e-7, 9.0]),
        "allnone": lambda: pd.Series([None] * n, dtype=object),
        "allnan": lambda: np.full(n, np.nan),
    }
    names = list(makers)
    picked = [names[int(k)] for k in rng.integers(0, len(names), int(rng.integers(1, 8)))]
    columns = {f"{name}_{j}" if j else name: makers[name]() for j, name in enumerate(picked)}
    if rng.random() < 0.2:  # header cells needing quotes or neutralising
        columns = {f"{k};=x" if i == 0 else k: v for i, (k, v) in enumerate(columns.items())}
    return pd.DataFrame(columns)


@pytest.mark.parametrize("seed", range(120))
def test_the_fast_rows_are_the_plain_ones_and_pandas_ones(tmp_path, seed):
    df = _frame(seed)
    for sep in (";", ",", "\t"):
        if len(df.columns) and len(df):
            assert csv_rows(df, sep) == csv_rows_plain(df, sep)
        writer = CsvWriter(tmp_path / "out.csv", sep=sep, neutral=[])
        writer.write(df)
        writer.close()
        # (a float32 column is written as its float64 value, as the writer always did; pandas
        # writes float32's own shortest text: such columns are not in any result)
        plain = df[[c for c in df.columns if df[c].dtype != np.float32]]
        if len(plain.columns) < len(df.columns):
            writer = CsvWriter(tmp_path / "out.csv", sep=sep, neutral=[])
            writer.write(plain)
            writer.close()
        if not len(plain.columns):  # (no columns: not a table any writer is given)
            continue
        expected = "\ufeff" + plain.to_csv(index=False, sep=sep, lineterminator="\r\n")
        assert (tmp_path / "out.csv").read_bytes() == expected.encode("utf-8"), (seed, sep)


@pytest.mark.parametrize("seed", range(40))
def test_neutralised_writing_is_the_plain_path(tmp_path, seed):
    """Every cell neutralised (``neutral=None``) and by chunks: the bytes of the general path."""
    df = _frame(1000 + seed)
    writer = CsvWriter(tmp_path / "out.csv", sep=";")
    half = len(df) // 2
    writer.write(df.iloc[:half])
    writer.write(df.iloc[half:])
    writer.close()
    safe = neutralise_columns(df)
    header = ";".join(_plain_header(safe)) + "\r\n"
    body = csv_rows_plain(safe, ";") if len(safe) and len(safe.columns) else b""
    expected = "\ufeff".encode() + header.encode("utf-8") + body
    assert (tmp_path / "out.csv").read_bytes() == expected


def _plain_header(df: pd.DataFrame) -> list[str]:
    from tzcld.table_writer import csv_column

    return csv_column(pd.Series([str(c) for c in df.columns], dtype=object), ";")


def test_floats_are_their_repr():
    rng = np.random.default_rng(7)
    values = np.concatenate([_floats(rng, 20_000) for _ in range(20)])
    cells = float_cells(values).to_pylist()
    assert cells == ["" if math.isnan(v) else repr(v) for v in values.tolist()]
    edge = [0.0, -0.0, 1e-4, -1e-4, 9.999999999999999e-05, 999_999.999_999_999, 1e6, 0.1, 0.5, 123.0, -7.25]
    assert float_cells(np.array(edge)).to_pylist() == [repr(v) for v in edge]


@pytest.mark.parametrize("places", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12])
def test_floats_of_few_decimals_are_their_repr(places):
    """Columns whose numbers all have a few decimals (coordinates rounded to 6, distances to
    1) are written with those places only: still ``repr``, with or without other values
    (NaN, infinities, tiny or huge numbers) among them."""
    rng = np.random.default_rng(places)
    values = np.round(rng.normal(0, 1, 5_000) * 10.0 ** rng.integers(-3, 6, 5_000), places)
    odd = np.array([0.0, -0.0, np.nan, np.inf, 1e-4, 5e-5, 1e16, 999_999.9, 0.1 + 0.2, -7.25])
    for cells in (values, np.concatenate([values, odd]), np.round(rng.uniform(49, 52, 1_000), places)):
        assert float_cells(cells).to_pylist() == ["" if math.isnan(v) else repr(v) for v in cells.tolist()]
    for make in (lambda k: np.round(rng.normal(50, 1, k), 6), lambda k: np.round(rng.uniform(0, 50_000, k), 1)):
        cells = make(3_000)
        assert float_cells(cells).to_pylist() == [repr(v) for v in cells.tolist()]


def test_a_broken_float_path_is_seen(monkeypatch):
    """The comparison above fails when the float digits are wrong (the trailing zero kept)."""
    from tzcld import table_writer

    real = table_writer.float_cells

    def broken(values):
        import pyarrow.compute as pc

        return pc.utf8_replace_slice(real(values), 0, 0, "0")

    monkeypatch.setattr(table_writer, "float_cells", broken)
    df = pd.DataFrame({"f": [1.5, 2.0]})
    assert csv_rows(df, ";") != csv_rows_plain(df, ";")


@pytest.mark.parametrize(
    "values",
    [["a", "b"], ["a", None], [None, None], ["x"], []],
)
def test_verdict_columns_are_typed_as_pandas_types_their_objects(values):
    """``Checker._rows``' columns built from distinct values and codes: the frame pandas makes
    of the same objects (arrow-backed text, objects when all missing)."""
    from tzcld.check import _TextColumns

    rng = np.random.default_rng(3)
    codes = rng.integers(0, len(values), 50) if values else np.zeros(0, np.int64)
    expected = pd.DataFrame({"c": np.array([*values, None], dtype=object)[codes]})
    got = pd.DataFrame({"c": _TextColumns(len(codes)).column(values, codes)})
    assert got["c"].dtype == expected["c"].dtype
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("seed", range(30))
def test_neutralising_arrow_text_is_the_cell_rule(seed):
    """The look at the first bytes of arrow-backed text (:func:`_no_formula_start`) never lets a
    risky cell through: sliced, chunked, with nulls, accents and plain numbers."""
    import pyarrow as pa

    from tzcld.batch_io import neutralise
    from tzcld.table_writer import _no_formula_start, neutralise_series

    rng = np.random.default_rng(seed)
    words = ["abc", "", "=SUM(A1)", "+33 1", "-12.5", "-x", "@me", "\tTab", "\rcr", "é=", "12", "ü", "x=1"]
    risky_share = rng.choice([0.0, 0.001, 0.3])
    n = int(rng.integers(1, 400))
    cells = [
        None
        if rng.random() < 0.1
        else (rng.choice(words[2:9]) if rng.random() < risky_share else rng.choice(words[9:]))
        for _ in range(n)
    ]
    dtype = pd.StringDtype("pyarrow")
    s = pd.Series(cells, dtype=dtype)
    if rng.random() < 0.5:  # an arrow slice (an offset into its buffers) or several chunks
        s = s.iloc[int(rng.integers(0, n)) :]
    if rng.random() < 0.5:
        rest = [v if isinstance(v, str) else None for v in s.astype(object).tolist()]
        half = len(rest) // 2
        parts = [pa.array(rest[:half], pa.large_string()), pa.array(rest[half:], pa.large_string())]
        s = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(parts)))
    expected = [neutralise(v) if isinstance(v, str) else None for v in s.astype(object).tolist()]
    got = [v if isinstance(v, str) else None for v in neutralise_series(s).astype(object).tolist()]
    assert got == expected
    risky = any(isinstance(v, str) and v[:1] != "" and v[:1] in "=+-@\t\r" for v in s.astype(object).tolist())
    assert _no_formula_start(s) is (not risky)
