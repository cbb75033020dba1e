"""Reading limits: no file can make the reader hold more than a bounded amount of memory,
and every refusal is a clear French message. Headers are reported, not repaired."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xlsx_support import sheet, styles, workbook, zip_bomb
from tzcld.batch_io import BatchInputError, TableReader, read_header, read_table
from tzcld.config import FileLimits
from tzcld.runtime import Settings

REPO = Path(__file__).resolve().parent.parent
#: The reader may use this much memory above its baseline, whatever the file.
MEMORY_CAP_MB = 300


def _error(data, name="f.csv", limits=None) -> BatchInputError:
    with pytest.raises(BatchInputError) as err:
        read_table(data, name, limits)
    message = str(err.value)
    assert message and not message.startswith(("check.", "errors.")), message  # a real sentence
    return err.value


def _row(*cells: str, r: int | None = None) -> str:
    attr = f' r="{r}"' if r else ""
    return f"<row{attr}>" + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells) + "</row>"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """An XLSX of about 7 MB whose sheet expands to 2 GB (the attack of issue 12)."""
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bombe.xlsx")


def _peak_above_baseline(code: str) -> dict:
    """Run ``code`` in a fresh Python (repository on the path) that prints a JSON dict; add
    the process's peak resident memory above what it held before ``code`` ran (MB)."""
    script = (
        "import json, sys\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024\n"
        "import pandas, tzcld.batch_io\n"
        "base = hwm()\n"
        "out = {}\n" + code + "\nout['peak_mb'] = hwm() - base\nprint(json.dumps(out))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_zip_bomb_is_refused_with_little_memory(bomb):
    assert bomb.stat().st_size < 10_000_000
    result = _peak_above_baseline(
        "from tzcld.batch_io import read_table, BatchInputError\n"
        f"data = open({str(bomb)!r}, 'rb').read()\n"
        "try:\n"
        "    read_table(data, 'bombe.xlsx')\n"
        "except BatchInputError as exc:\n"
        "    out['message'] = str(exc)\n"
    )
    assert result["message"].startswith("Fichier trop volumineux une fois décompressé : 1\u202f999 Mo")
    assert "limite 500 Mo" in result["message"]
    assert result["peak_mb"] < MEMORY_CAP_MB


def test_a_lying_zip_bomb_is_stopped_while_it_inflates(tmp_path):
    """The directory says 1 MB; the sheet inflates to 1.5 GB: the real size is counted."""
    lying = zip_bomb(tmp_path / "menteuse.xlsx", expanded=1_500_000_000, declared=1_000_000)
    result = _peak_above_baseline(
        "from tzcld.batch_io import read_table, BatchInputError\n"
        "from tzcld.config import FileLimits\n"
        "try:\n"
        f"    read_table({str(lying)!r}, None, FileLimits(max_rows=10_000_000, max_cells=100_000_000))\n"
        "except BatchInputError as exc:\n"
        "    out['message'] = str(exc)\n"
    )
    assert result["message"] == "Fichier illisible : ni un CSV ni un classeur Excel (XLSX) valide."
    assert result["peak_mb"] < MEMORY_CAP_MB


def test_a_bomb_within_the_byte_limit_stops_at_the_row_limit(tmp_path):
    path = zip_bomb(tmp_path / "lignes.xlsx", expanded=400_000_000)
    err = _error(path, "lignes.xlsx")
    assert (
        str(err)
        == "Fichier trop long : plus de 1\u202f000\u202f000 lignes de données. Découpez-le en plusieurs fichiers."
    )


def test_csv_limits_bytes_rows_cells_columns_and_lines():
    small = FileLimits(max_uncompressed_bytes=1000, max_rows=3, max_cells=7, max_columns=4)
    assert str(_error(b"a;b\n" + b"1;2\n" * 400, limits=small)).startswith(
        "Fichier trop volumineux une fois décompressé : 0 Mo ou plus ; limite 0 Mo"
    )
    assert "plus de 3 lignes" in str(_error(b"a;b\n1;2\n3;4\n5;6\n7;8\n", limits=small))
    assert "plus de 7 cellules (4 lignes × 2 colonnes)" in str(
        _error(b"a;b\n1;2\n3;4\n5;6\n7;8\n", limits=FileLimits(max_cells=7))
    )
    assert str(_error(b"a;b;c;d;e\n1;2;3;4;5\n", limits=small)) == "Trop de colonnes : 5 ; limite 4."
    assert "Ligne 2 trop longue" in str(_error(b"a;b\n" + b"x" * 1_100_000 + b"\n"))
    cell = _error(b"a;b\n1;" + b"y" * 40_000 + b"\n")
    assert str(cell).startswith("Cellule trop longue ligne 2, colonne « b »")
    # within the limits, the same file reads
    assert read_table(b"a;b\n1;2\n3;4\n5;6\n", "f.csv", small).shape == (3, 2)


def test_xlsx_limits_rows_cells_and_header_width():
    rows = _row("nom", "n") + "".join(_row(f"x{i}", str(i)) for i in range(5))
    data = workbook(sheet(rows))
    assert "plus de 4 lignes" in str(_error(data, "f.xlsx", FileLimits(max_rows=4)))
    assert "plus de 9 cellules" in str(_error(data, "f.xlsx", FileLimits(max_cells=9)))
    wide = workbook(sheet(_row(*[f"c{i}" for i in range(12)]) + _row("1")))
    assert str(_error(wide, "f.xlsx", FileLimits(max_columns=10))) == "Trop de colonnes : 11 ; limite 10."
    # one header cell far to the right: the header is as wide as that
    far = workbook(
        sheet('<row><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="XFD1" t="inlineStr"><is><t>z</t></is></c></row>')
    )
    assert str(_error(far, "f.xlsx")).startswith("Trop de colonnes : 16\u202f384")
    big = workbook(sheet(_row("a") + _row("b" * 40_000)))
    assert str(_error(big, "f.xlsx")).startswith("Cellule trop longue ligne 2, colonne « A »")


def test_xlsx_shared_strings_styles_dates_and_types():
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>5</v></c><c r="B3" s="1"><v>45356</v></c><c r="C3" s="2"><v>45356.4375</v></c>'
        '<c r="D3" t="b"><v>0</v></c><c r="E3" t="e"><v>#N/A</v></c></row>'
        '<row r="4"><c r="B4"><v>4020</v></c><c r="C4" s="3"><v>0.34375</v></c><c r="E4" t="str"><f>A1</f><v>calc</v></c></row>'
    )
    data = workbook(
        sheet(rows),
        strings=["nom", "quand", "à", "ok", "erreur", "Église"],
        style_xml=styles([0, 14, 22, 164], {164: "hh:mm:ss"}),
    )
    table = read_table(data, "x.xlsx")
    assert list(table.columns) == ["nom", "quand", "à", "ok", "erreur"]
    assert table.values.tolist() == [
        ["Église", "2024-03-05", "2024-03-05T10:30:00", "FALSE", "#N/A"],
        ["", "4020", "08:15:00", "", "calc"],
    ]


def test_xlsx_doctype_and_entities_are_refused():
    evil = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    assert _error(workbook(evil), "x.xlsx").key == "check.file.unreadable"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"nom;adresse;nom\n1;2;3\n", "Noms de colonnes en double : « nom » (1, 3)."),
        (b"nom;;cp\n1;x;3\n", "Ligne 2, colonne 2 : des valeurs sous une colonne sans nom."),
        (b"nom;cp\n1;2;3\n", "Ligne 2, colonne 3 : des valeurs sous une colonne sans nom."),
    ],
)
def test_duplicate_and_blank_headers_are_reported(data, message):
    assert str(_error(data)).startswith(message)


def test_empty_unnamed_columns_are_ignored_and_blank_lines_skipped():
    table = read_table(b"\n\nnom;;cp;;\n1;;4020;;\n;;;;\n2;; 6000;;\n", "f.csv")
    assert list(table.columns) == ["nom", "cp"]
    assert table.values.tolist() == [["1", "4020"], ["2", " 6000"]]
    data = workbook(sheet(_row("", "nom", "", "cp", r=2) + _row("", "1", "", "4020", r=3)))
    assert read_table(data, "x.xlsx").values.tolist() == [["1", "4020"]]
    dup = workbook(sheet(_row("nom", "x", "nom")))
    assert str(_error(dup, "x.xlsx")).startswith("Noms de colonnes en double : « nom » (A, C).")


def test_a_random_binary_file_is_unreadable_not_empty():
    for name in ("hasard.csv", "hasard.xlsx", "hasard.txt", None):
        assert _error(os.urandom(50_000), name).key == "check.file.unreadable"
    no_nul = bytes(b for b in os.urandom(80_000) if b)
    assert _error(no_nul, "hasard.csv").key == "check.file.unreadable"
    assert "Excel 97-2003" in str(_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "vieux.xls"))


def test_chunks_stream_the_rows_within_the_same_limits(tmp_path):
    path = tmp_path / "grand.csv"
    path.write_text("n;adresse\n" + "".join(f"{i};Rue {i}\n" for i in range(2500)), encoding="utf-8")
    with TableReader(path, chunk_cells=1000) as reader:
        assert reader.columns == ["n", "adresse"]
        sizes = [len(chunk) for chunk in reader.chunks()]
    assert sizes == [500] * 5
    assert read_header(path) == ["n", "adresse"]
    with TableReader(path, limits=FileLimits(max_rows=1200), chunk_cells=1000) as reader:
        seen = []
        with pytest.raises(BatchInputError) as err:
            for chunk in reader.chunks():
                seen.append(len(chunk))
    assert seen == [500, 500] and "plus de 1\u202f200 lignes" in str(err.value)


def test_limits_are_settings(monkeypatch):
    def file_limits() -> FileLimits:
        return Settings.from_env().file_limits

    assert file_limits() == FileLimits()
    assert FileLimits().max_rows == 1_000_000
    monkeypatch.setenv("TZCLD_MAX_ROWS", "2")
    monkeypatch.setenv("TZCLD_MAX_UNCOMPRESSED_MB", "50")
    assert file_limits().max_rows == 2 and file_limits().max_uncompressed_bytes == 50_000_000
    assert "plus de 2 lignes" in str(_error(b"a\n1\n2\n3\n", limits=file_limits()))
    monkeypatch.setenv("TZCLD_MAX_ROWS", "beaucoup")
    with pytest.raises(ValueError, match="Réglage TZCLD_MAX_ROWS invalide"):
        file_limits()


def test_a_file_path_is_streamed_and_special_files_refused(tmp_path):
    assert _error(tmp_path, "x.csv").key == "check.file.unreadable"  # a folder
    assert _error(Path("/dev/zero"), "zero.csv").key == "check.file.unreadable"
    assert str(_error(tmp_path / "absent.csv")).startswith("Fichier introuvable")


def test_many_shared_strings_are_read_back_exactly():
    strings = ["nom", *(f"Rue n° {i} – é" for i in range(10_000))]
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{i + 2}"><c r="A{i + 2}" t="s"><v>{i + 1}</v></c></row>' for i in range(10_000)
    )
    table = read_table(workbook(sheet(rows), strings=strings), "x.xlsx")
    assert table["nom"].tolist() == strings[1:]
