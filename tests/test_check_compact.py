"""``check_table(..., compact=True)`` (what ``check-file`` and the API hand to the writers): the
verdict texts as categoricals, the same cells, the same bytes written (CSV and XLSX) as the
plain table the page and ``--recheck`` get."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from tzcld.check import Checker
from tzcld.check_tables import check_table
from tzcld.eligibility import default_classifier
from tzcld.table_writer import CsvWriter, XlsxWriter

TEXT_COLUMNS = ("status", "territory_id", "territory_name", "unit", "message", "data_version")


def _points(n: int, seed: int) -> pd.DataFrame:
    """Coordinates of every kind: WGS84 over Wallonia and beyond, swapped, Lambert 72, unreadable,
    blank, zeros, out of bounds, decimal commas."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(49.3, 51.0, n).round(4)
    lon = rng.uniform(2.5, 6.6, n).round(5)
    a = lat.astype(str).astype(object)
    b = lon.astype(str).astype(object)
    odd = [
        ("50.647992", "5.615269"),  # Liège, inside
        ("5.615269", "50.647992"),  # swapped
        ("235000", "148000"),  # Lambert 72
        ("pas un nombre", "5"),
        ("", "5.1"),
        ("  ", ""),
        ("0", "0"),
        ("48.8566", "2.3522"),  # Paris: beyond Wallonia
        ("95", "200"),
        ("50,4108", "4,4446"),  # decimal commas (Charleroi)
        ("50.4108", "4.4446"),
    ]
    at = rng.choice(n, size=len(odd) * 20, replace=False)
    for k, i in enumerate(at):
        a[i], b[i] = odd[k % len(odd)]
    return pd.DataFrame({"id": np.arange(n), "lat": pd.array(a, dtype="str"), "lon": pd.array(b, dtype="str")})


def _plain(values: pd.Series) -> list:
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in values.astype(object)]


@pytest.mark.parametrize(("lang", "seed"), [("fr", 1), ("en", 2), ("fr", 3)])
def test_compact_table_has_the_same_cells_and_bytes(tmp_path, lang, seed):
    checker = Checker(default_classifier(), None, lang)
    df = _points(3_000, seed)
    plain = check_table(checker, df, lat_column="lat", lon_column="lon")
    compact = check_table(checker, df, lat_column="lat", lon_column="lon", compact=True)
    assert list(compact.columns) == list(plain.columns)
    for c in TEXT_COLUMNS:
        assert isinstance(compact[c].dtype, pd.CategoricalDtype), c
        assert not isinstance(plain[c].dtype, pd.CategoricalDtype), c  # the page and --recheck: texts
    for c in plain.columns:
        assert _plain(compact[c]) == _plain(plain[c]), c
    assert (plain["status"] == "error").sum() >= 100 and plain["territory_id"].notna().any()

    files = {}
    for name, table in (("plain", plain), ("compact", compact)):
        for sep in (";", ","):
            writer = CsvWriter(tmp_path / f"{name}{sep}.csv", sep=sep, neutral=["id", "lat_input", "lon_input"])
            for start in range(0, len(table), 700):  # by chunks, as check-file writes
                writer.write(table.iloc[start : start + 700])
            writer.close()
            files[name, sep] = (tmp_path / f"{name}{sep}.csv").read_bytes()
        xlsx = XlsxWriter(tmp_path / f"{name}.xlsx", neutral=["id", "lat_input", "lon_input"])
        xlsx.write(table)
        xlsx.close()
        with zipfile.ZipFile(tmp_path / f"{name}.xlsx") as z:
            files[name, "xlsx"] = z.read("xl/worksheets/sheet1.xml")
    for kind in (";", ",", "xlsx"):
        assert files["compact", kind] == files["plain", kind], kind


def test_compact_empty_and_all_invalid_tables():
    checker = Checker(default_classifier(), None, "fr")
    for df in (
        pd.DataFrame({"lat": pd.array([], dtype="str"), "lon": pd.array([], dtype="str")}),
        pd.DataFrame({"lat": pd.array(["x", ""], dtype="str"), "lon": pd.array(["1", "2"], dtype="str")}),
    ):
        plain = check_table(checker, df, lat_column="lat", lon_column="lon")
        compact = check_table(checker, df, lat_column="lat", lon_column="lon", compact=True)
        for c in plain.columns:
            assert _plain(compact[c]) == _plain(plain[c]), c


def test_index_missing_is_still_importable_from_the_register():
    from tzcld.geocode import base, register

    assert register.IndexMissing is base.IndexMissing
    assert issubclass(base.IndexMissing, FileNotFoundError)
