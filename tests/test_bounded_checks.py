"""Every way of checking a file reads, checks and writes it by chunks (issue 13): the Vérifier
page within its row limit, ``check-file --recheck``, the API. The answers are those of one
block; no step gets more rows than a chunk (the tests fail if a whole-table path comes back).

Coordinates only (no address index), a real SQLite perimeter database in the per-test
``TZCLD_DATA_DIR``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.check_support import approve_gembloux_change, gembloux_points, run
from tzcld.batch_io import BatchInputError, read_table, read_table_file, write_csv, write_xlsx
from tzcld.check import Checker
from tzcld.check_tables import check_table
from tzcld.config import ApiSettings, FileLimits
from tzcld.export.people_csv import people_csv_bytes
from tzcld.file_results import check_upload, refusal_message, results_frame, scan_upload
from tzcld.perimeters import published_classifier
from tzcld.recheck import recheck_plan, recheck_table
from tzcld.runtime import Settings


def _points(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` rows: Gembloux points on both sides of the sector the test change removes,
    points elsewhere, a few unreadable ones and cells that look like formulas."""
    pts = gembloux_points()
    rng = np.random.default_rng(seed)
    base = [pts["removed"], pts["kept"], (50.648, 5.615), (50.4669, 4.8675), (50.45, 3.95)]
    pick = rng.integers(0, len(base), n)
    lat = [f"{base[k][0] + rng.normal(0, 2e-5):.6f}" for k in pick]
    lon = [f"{base[k][1] + rng.normal(0, 2e-5):.6f}" for k in pick]
    lat[5], lon[5] = "x", "y"
    note = [f"note {i}" for i in range(n)]
    note[7], note[8] = "=1+1", "-3"
    return pd.DataFrame({"nom": [f"candidat {i}" for i in range(n)], "lat": lat, "lon": lon, "note": note})


def _spy_blocks(monkeypatch, module, name: str) -> list[int]:
    """Record the rows of every table given to ``module.name`` (the real function still runs)."""
    sizes: list[int] = []
    real = getattr(module, name)

    def spy(checker, table, *args, **kwargs):
        sizes.append(len(table))
        return real(checker, table, *args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return sizes


def _small_chunks(monkeypatch, rows: int, columns: int) -> None:
    import tzcld.batch_stream as stream

    monkeypatch.setattr(stream, "CHUNK_CELLS", rows * columns)
    monkeypatch.setattr(stream, "FIRST_BLOCK_ROWS", rows + 1)


# ---------------------------------------------------------------------- check-file --recheck


def test_recheck_in_chunks_equals_the_one_block_answer(capsys, tmp_path, pstore, monkeypatch):
    import tzcld.recheck

    src = tmp_path / "points.csv"
    _points(700).to_csv(src, index=False, sep=";")
    first = tmp_path / "resultats.csv"
    assert run(capsys, "check-file", str(src), "-o", str(first))[0] == 0
    results = read_table_file(first)
    results["message"] = "ancienne réponse"  # a row not re-checked keeps its message
    results.loc[10:19, "data_version"] = ""  # no version: re-checked whatever changed
    earlier = tmp_path / "resultats-marques.csv"
    earlier.write_bytes(write_csv(results))
    vid = approve_gembloux_change(pstore)

    # the answer of the whole table at once (what --recheck wrote before it read by chunks)
    table = read_table_file(earlier)
    plan = recheck_plan(table, pstore)
    whole, summary = recheck_table(
        Checker(published_classifier(pstore)), table, plan.mask, lat_column="lat", lon_column="lon"
    )
    expected = write_csv(whole)
    assert 0 < summary.rechecked < len(table) and summary.changed > 0

    code, _, err_one = run(capsys, "check-file", str(earlier), "-o", str(tmp_path / "one.csv"), "--recheck")
    assert code == 0, err_one
    assert (tmp_path / "one.csv").read_bytes() == expected
    sizes = _spy_blocks(monkeypatch, tzcld.recheck, "recheck_table")
    _small_chunks(monkeypatch, 64, len(table.columns))
    code, _, err_many = run(capsys, "check-file", str(earlier), "-o", str(tmp_path / "many.csv"), "--recheck")
    assert code == 0, err_many
    assert (tmp_path / "many.csv").read_bytes() == expected
    assert len(sizes) == 11 and max(sizes) <= 64 and sum(sizes) == 700  # never the whole table
    assert err_many == err_one.replace("one.csv", "many.csv")  # the same summary, once every chunk is seen
    assert f"{summary.rechecked} ligne(s) sur 700 re-vérifiée(s)" in err_many and f"+p{vid}" in err_many
    assert f"{summary.changed} réponse(s) changée(s)" in err_many and "Gembloux" in err_many


def test_recheck_xlsx_in_chunks_and_a_file_that_is_no_results(capsys, tmp_path, pstore, monkeypatch):
    src = tmp_path / "points.csv"
    _points(120).to_csv(src, index=False, sep=";")
    first = tmp_path / "r.csv"
    assert run(capsys, "check-file", str(src), "-o", str(first))[0] == 0
    approve_gembloux_change(pstore)
    _small_chunks(monkeypatch, 25, 15)
    assert run(capsys, "check-file", str(first), "-o", str(tmp_path / "o.xlsx"), "--recheck")[0] == 0
    assert run(capsys, "check-file", str(first), "-o", str(tmp_path / "o.csv"), "--recheck")[0] == 0
    xlsx, csv = read_table_file(tmp_path / "o.xlsx"), read_table_file(tmp_path / "o.csv")
    assert len(xlsx) == 120 and xlsx["status"].tolist() == csv["status"].tolist()
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "x.csv"), "--recheck")
    assert code == 2 and "résultats" in err and not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------------- the Vérifier page's check


def test_the_page_check_in_chunks_equals_the_one_block_files(monkeypatch):
    import tzcld.file_results

    frame = _points(500)
    data = frame.to_csv(index=False, sep=";").encode("cp1252")
    checker = Checker(published_classifier(None))
    whole = check_table(checker, read_table(data, "f.csv"), lat_column="lat", lon_column="lon")
    sizes = _spy_blocks(monkeypatch, tzcld.file_results, "check_table")
    _small_chunks(monkeypatch, 60, 4)
    done: list[int] = []
    kept = check_upload(
        checker, data, "f.csv", FileLimits(), {"lat_column": "lat", "lon_column": "lon"}, progress=done.append
    )
    assert max(sizes) <= 60 and len(sizes) == 9 and done[-1] == 500
    assert kept.csv == write_csv(whole)  # the download of the whole table, written chunk after chunk
    assert kept.counts["total"] == 500 and sum(v for k, v in kept.counts.items() if k != "total") == 500
    assert kept.preview.equals(whole.head(200)) or kept.preview.astype(str).equals(whole.head(200).astype(str))
    back = results_frame(kept.csv)  # the other downloads, made from the kept CSV when asked for
    assert people_csv_bytes(back) == people_csv_bytes(whole)
    assert read_table(write_xlsx(back), "a.xlsx").equals(read_table(write_xlsx(whole), "b.xlsx"))


def test_the_page_refuses_a_file_beyond_its_row_limit_before_checking(monkeypatch):
    settings = Settings.from_env()
    assert settings.page_max_rows == 50_000  # the default
    limits = settings.page_file_limits
    assert limits.max_rows == 50_000 and limits.max_cells == settings.file_limits.max_cells
    data = ("lat;lon\n" + "50.6;5.6\n" * 50_001).encode()
    with pytest.raises(BatchInputError) as info:
        scan_upload(data, "long.csv", limits)
    message = refusal_message(info.value, 50_000, settings.file_limits, ApiSettings(), "fr")
    assert message.startswith("Ce fichier a plus de 50\u202f000 lignes de données : c'est la limite de cette page")
    assert "`python -m tzcld check-file FICHIER -o resultats.csv` (jusqu'à 1\u202f000\u202f000 lignes)" in message
    assert "`POST /v1/check-file` (jusqu'à 200\u202f000 lignes et 20 Mio)" in message
    english = refusal_message(info.value, 50_000, settings.file_limits, ApiSettings(), "en")
    assert english.startswith("This file has more than 50,000 data rows") and "up to 1,000,000 rows" in english
    assert scan_upload(data[: -len("50.6;5.6\n")], "ok.csv", limits).rows == 50_000
    # beyond the general limit too: the general message (the command would refuse it as well)
    tight = FileLimits(max_rows=10)
    with pytest.raises(BatchInputError) as info:
        scan_upload(data, "long.csv", tight.tightened(max_rows=10))
    assert refusal_message(info.value, 10, tight, ApiSettings()) == info.value.message()
    monkeypatch.setenv("TZCLD_PAGE_MAX_ROWS", "12")
    assert Settings.from_env().page_file_limits.max_rows == 12
