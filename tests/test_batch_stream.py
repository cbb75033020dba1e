"""``check-file`` reads, checks and writes in chunks: the same output as one block, only
the input's cells neutralised, nothing left behind by a file that fails half-way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.check_support import run
from tzcld.batch_io import neutralise, neutralise_frame
from tzcld.table_writer import neutralise_columns


def _points(path, n: int = 600) -> None:
    rng = np.random.default_rng(5)
    lat = rng.uniform(50.3, 50.7, n).round(6).astype(str)
    lon = rng.uniform(4.2, 5.9, n).round(6).astype(str)
    lat[7], lon[7] = "pas un nombre", "x"
    note = np.array([f"note {i}" for i in range(n)], dtype=object)
    note[3], note[11], note[12] = '=HYPERLINK("http://x")', "-12.5", "@SUM(A1)"
    pd.DataFrame({"id": np.arange(n), "lat": lat, "lon": lon, "note": note}).to_csv(path, index=False, sep=";")


def test_check_file_pauses_the_garbage_collector_and_gives_it_back(capsys, tmp_path, monkeypatch):
    """The command runs with the cyclic collector off (``tzcld.gcpause``), on again after it,
    whether it succeeded or failed; a collector the caller had turned off stays off."""
    import gc

    import tzcld.batch_stream as stream

    seen = []
    real = stream.check_stream

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "check_stream", watched)
    src = tmp_path / "points.csv"
    _points(src, 20)
    assert gc.isenabled()
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 0 and seen == [False] and gc.isenabled()
    code, _, _ = run(capsys, "check-file", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.csv"))
    assert code != 0 and gc.isenabled()
    gc.disable()
    try:
        run(capsys, "check-file", str(src), "-o", str(tmp_path / "again.csv"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_chunks_give_the_output_of_one_block(capsys, tmp_path, monkeypatch):
    import tzcld.batch_stream as stream

    src = tmp_path / "points.csv"
    _points(src)
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(tmp_path / "one.csv"))
    assert code == 0
    monkeypatch.setattr(stream, "CHUNK_CELLS", 4 * 37)  # 37 rows a chunk
    monkeypatch.setattr(stream, "FIRST_BLOCK_ROWS", 50)
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "many.csv"))
    assert code == 0 and "600 lignes" in err
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()
    out = pd.read_csv(tmp_path / "many.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(out) == 600 and out["status"].iloc[7] == "error"
    assert out["note"].iloc[3] == '\'=HYPERLINK("http://x")' and out["note"].iloc[12] == "'@SUM(A1)"
    assert out["note"].iloc[11] == "-12.5"  # a plain number is kept
    assert out["lon"].str.startswith("'").sum() == 0  # results are never neutralised
    assert not list(tmp_path.glob("*.part"))


def test_xlsx_output_in_chunks(capsys, tmp_path, monkeypatch):
    import tzcld.batch_stream as stream
    from tzcld.batch_io import read_table_file

    src = tmp_path / "points.csv"
    _points(src, 120)
    monkeypatch.setattr(stream, "CHUNK_CELLS", 4 * 25)
    monkeypatch.setattr(stream, "FIRST_BLOCK_ROWS", 10)
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(tmp_path / "out.xlsx"))
    assert code == 0
    out = read_table_file(tmp_path / "out.xlsx")
    assert len(out) == 120 and out["note"].iloc[3].startswith("'=")
    assert set(out["status"]) <= {"inside", "outside", "undetermined", "error"}


def test_a_file_failing_half_way_leaves_no_output(capsys, tmp_path, monkeypatch):
    import tzcld.batch_stream as stream

    src = tmp_path / "points.csv"
    _points(src, 200)
    with src.open("a", encoding="utf-8") as fh:
        fh.write("1;50.5;5.0;note;valeur sans colonne\n")
    monkeypatch.setattr(stream, "CHUNK_CELLS", 4 * 30)
    monkeypatch.setattr(stream, "FIRST_BLOCK_ROWS", 10)
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(target))
    assert code == 2 and "Traceback" not in err and err.strip()
    assert not target.exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    "values",
    [
        ["=1+1", "+33 4", "-12.5", "-1e5", "@x", "\tx", "\rx", "plain", "", None, "'=already", "-", "+", "12"],
        [1.5, None, "=x", "-3", 7],
    ],
)
def test_vectorised_neutralising_is_the_per_cell_rule(values):
    df = pd.DataFrame({"a": pd.Series(values, dtype=object), "=b": ["x"] * len(values)})
    got = neutralise_columns(df)
    assert list(got.columns) == ["a", "'=b"]
    assert got["a"].tolist() == [neutralise(v) for v in values]
    text = pd.DataFrame({"a": pd.array([v if isinstance(v, str) else None for v in values], dtype="str")})
    assert neutralise_frame(text)["a"].tolist() == [
        neutralise(v) if isinstance(v, str) else v for v in text["a"].tolist()
    ]


def _tricky_frame() -> pd.DataFrame:
    texts = ["plain", "a;b", 'say "hi"', "two\nlines", "cr\rhere", "", None, "é à ç", "tab\tin", "a,b"]
    n = len(texts)
    return pd.DataFrame(
        {
            "obj": pd.Series(texts, dtype=object),
            "str": pd.array(texts, dtype="str"),
            "mixed": pd.Series([1.5, None, "x;y", 7, np.float64(2.25), True, pd.NA, np.nan, "", 10**17], dtype=object),
            "f": [0.1 + 0.2, np.nan, 1e16, -0.0, 39186.3, 5.0, 1e-7, 123456789.123, np.inf, 2.5],
            "i": np.arange(n),
            "b": [True, False] * (n // 2),
            "cat": pd.Categorical(["x;1", "y"] * (n // 2)),
            "allnone": [None] * n,
        }
    )


@pytest.mark.parametrize("rows_at_a_time", [3, 16_384])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_the_csv_writer_writes_what_pandas_writes(tmp_path, sep, rows_at_a_time, monkeypatch):
    """The fast writer (cells converted column by column, quoted only when needed) gives the
    file ``DataFrame.to_csv`` gives, byte for byte: header once, CRLF, a BOM, chunk after chunk."""
    from tzcld import table_writer
    from tzcld.table_writer import CsvWriter

    monkeypatch.setattr(table_writer, "CSV_WRITE_ROWS", rows_at_a_time)
    df = _tricky_frame()
    writer = CsvWriter(tmp_path / "fast.csv", sep=sep, neutral=[])
    writer.write(df.iloc[:4])
    writer.write(df.iloc[4:])
    writer.close()
    expected = "\ufeff" + df.to_csv(index=False, sep=sep, lineterminator="\r\n")
    assert (tmp_path / "fast.csv").read_bytes().decode("utf-8") == expected
    one = CsvWriter(tmp_path / "one.csv", sep=sep, neutral=[])
    one.write(df[["obj"]])
    one.close()
    assert (tmp_path / "one.csv").read_bytes().decode("utf-8") == "\ufeff" + df[["obj"]].to_csv(
        index=False, sep=sep, lineterminator="\r\n"
    )


@pytest.mark.parametrize("rows_at_a_time", [3, 16_384])
def test_the_xlsx_writer_holds_what_openpyxl_would(tmp_path, rows_at_a_time, monkeypatch):
    """The streaming XLSX writer (its own sheet XML): the cells openpyxl reads back are those of
    a workbook openpyxl writes itself, and our reader gets every text back as it was — control
    characters and carriage returns included (Excel's ``_xHHHH_`` escapes), where openpyxl
    refuses such a text."""
    import warnings

    import openpyxl

    from tzcld import table_writer
    from tzcld.batch_io import read_table_file
    from tzcld.table_writer import XlsxWriter

    monkeypatch.setattr(table_writer, "WRITE_ROWS", rows_at_a_time)
    df = _tricky_frame().drop(columns=["f"])  # (an infinite float: no cell here, an error in openpyxl)
    df = df.replace({"cr\rhere": "cr here"})  # (openpyxl turns a carriage return into a line feed)
    df["f"] = [0.1 + 0.2, np.nan, 1e16, -0.0, 39186.3, 5.0, 1e-7, 123456789.123, 2.0, 2.5]
    writer = XlsxWriter(tmp_path / "fast.xlsx", credit="Source : Statbel & SPW <test>", neutral=[])
    writer.write(df.iloc[:4])
    writer.write(df.iloc[4:])
    writer.close()
    reference = openpyxl.Workbook(write_only=True)
    sheet = reference.create_sheet("resultats")
    sheet.append(list(df.columns))
    for row in df.astype(object).itertuples(index=False, name=None):
        sheet.append([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in row])
    reference.create_sheet("sources").append(["Source : Statbel & SPW <test>"])
    reference.save(tmp_path / "reference.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, want = openpyxl.load_workbook(tmp_path / "fast.xlsx"), openpyxl.load_workbook(tmp_path / "reference.xlsx")
    assert got.sheetnames == want.sheetnames == ["resultats", "sources"]
    for name in got.sheetnames:
        mine, theirs = list(got[name].iter_rows(values_only=True)), list(want[name].iter_rows(values_only=True))
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):  # floats: openpyxl keeps 15-16 digits, we keep all
            assert len(a) == len(b)
            for u, v in zip(a, b, strict=True):
                assert u == pytest.approx(v, rel=1e-15) if isinstance(v, float) else u == v, (a, b)
    # texts openpyxl cannot write, kept
    odd = pd.DataFrame({"t": ["bell\x07", "cr\r\nlf", "_x0041_ as typed", "x"], "n": [1, 2, 3, 4]})
    writer = XlsxWriter(tmp_path / "odd.xlsx", neutral=[])
    writer.write(odd)
    writer.close()
    back = read_table_file(tmp_path / "odd.xlsx")
    assert back["t"].tolist() == odd["t"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = [r[0] for r in openpyxl.load_workbook(tmp_path / "odd.xlsx")["resultats"].iter_rows(values_only=True)]
    assert cells[2] == "cr\r\nlf"
    assert back["n"].tolist() == ["1", "2", "3", "4"]


def test_an_output_that_cannot_be_put_in_place_leaves_no_temporary_file(tmp_path):
    """The last step (moving the finished output in place) failing leaves nothing either."""
    from tzcld.batch_io import TableReader
    from tzcld.batch_stream import check_stream
    from tzcld.table_writer import CsvWriter

    src = tmp_path / "table.csv"
    src.write_text("a\n1\n2\n", encoding="utf-8")
    folder = tmp_path / "sortie"
    (folder / "resultats.csv").mkdir(parents=True)  # a folder where the file should go
    with TableReader(src) as reader, pytest.raises(OSError):
        check_stream(reader, lambda head: lambda block: block, lambda columns: CsvWriter(folder / "resultats.csv"))
    assert [p.name for p in folder.iterdir()] == ["resultats.csv"]  # no .part left beside it
