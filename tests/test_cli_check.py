"""The command-line contract: ``check``, ``check-file`` and ``address-index build``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.check_support import requires_icar, run
from tzcld.batch_io import read_table_file
from tzcld.check import FIELDS, JSON_FIELDS

pytestmark = requires_icar


def test_check_address_json(capsys, address_index_dir):
    code, out, _ = run(capsys, "check", "Rue de Droixhe 10, 4020 Liège", "--json", "--index", str(address_index_dir))
    assert code == 0
    data = json.loads(out)
    assert list(data)[: len(JSON_FIELDS)] == list(JSON_FIELDS)
    assert data["status"] == "inside" and data["territory_id"] == "liege"
    assert data["match_quality"] == "exact" and data["matched_address"] == "Rue de Droixhe 10, 4020 Liège"
    assert data["data_version"] and data["precision"]


def test_check_lat_lon_json_and_text(capsys):
    code, out, _ = run(capsys, "check", "--lat", "50.648", "--lon", "5.615", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "inside" and data["lat"] == 50.648 and data["match_quality"] is None
    code, out, _ = run(capsys, "check", "--lat", "50,4669", "--lon", "4,8675")
    assert code == 0
    assert "hors territoire" in out and "le plus proche" in out


def test_check_human_output(capsys, address_index_dir):
    code, out, _ = run(capsys, "check", "rue de droixhe 10 liege", "--index", str(address_index_dir))
    assert code == 0
    assert "dans un territoire" in out and "Rue de Droixhe 10, 4020 Liège" in out


def test_check_lists_several_plausible_matches(capsys, address_index_dir):
    code, out, _ = run(capsys, "check", "Rue de la Station 12", "--index", str(address_index_dir))
    assert code == 0
    assert "Autres correspondances possibles" in out
    # the typed address where it exists, with where it falls; no quality of an address not retained
    assert out.count("  - Rue de la Station 12, ") >= 2 and "(territoire « " in out
    assert "Qualité de la correspondance        : —" in out
    assert "(100)" not in out  # name scores mean nothing to the person at the desk


def test_check_not_found_is_an_answer(capsys, address_index_dir):
    code, out, _ = run(capsys, "check", "Zzzz Qqqq", "--json", "--index", str(address_index_dir))
    assert code == 0 and json.loads(out)["status"] == "not_found"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check"], "Indiquez une adresse"),
        (["check", "   "], "Indiquez une adresse"),
        (["check", "--lat", "50.6"], "Indiquez une adresse"),
        (["check", "--lat", "abc", "--lon", "5.6"], "illisibles"),
        (["check", "--lat", "5000000", "--lon", "5000000"], "pas des coordonnées"),
    ],
)
def test_check_unusable_input_exits_non_zero(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code != 0 and message in err


def test_check_without_index_says_how_to_build(capsys, tmp_path, monkeypatch):
    empty = tmp_path / "raw-empty"
    empty.mkdir()
    monkeypatch.setenv("TZCLD_RAW_DIR", str(empty))
    code, _, err = run(capsys, "check", "Rue de Droixhe 10", "--index", str(tmp_path / "none"))
    assert code == 2 and "introuvable" in err


def test_check_file_addresses_csv(capsys, tmp_path, address_index_dir):
    src = tmp_path / "in.csv"
    src.write_bytes(
        "id;adresse;note\r\n1;Rue de Droixhe 10, 4020 Liège;=1+1\r\n2;Zzzz Qqqq;b\r\n3;;c\r\n".encode("cp1252")
    )
    dst = tmp_path / "out.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(dst), "--index", str(address_index_dir))
    assert code == 0 and "3 lignes" in err
    out = read_table_file(dst)
    assert list(out.columns) == ["id", "adresse", "note", *FIELDS, "data_version"]
    assert out["status"].tolist() == ["inside", "not_found", "error"]
    assert out.loc[0, "territory_id"] == "liege"
    assert out.loc[0, "note"] == "'=1+1"  # formula neutralised
    assert dst.read_bytes().startswith(b"\xef\xbb\xbf") and b";" in dst.read_bytes()[:60]


def test_check_file_coordinates_to_xlsx(capsys, tmp_path):
    src = tmp_path / "points.csv"
    pd.DataFrame(
        {"nom": ["a", "b", "c"], "latitude": ["50.647992", "50.4669", "x"], "longitude": ["5.615269", "4.8675", "y"]}
    ).to_csv(src, index=False)
    dst = tmp_path / "out.xlsx"
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(dst))
    assert code == 0
    out = read_table_file(dst)
    assert out["status"].tolist() == ["inside", "outside", "error"]
    assert list(out.columns) == ["nom", "latitude", "longitude", *FIELDS, "data_version"]


def test_check_file_explicit_columns(capsys, tmp_path, address_index_dir):
    src = tmp_path / "in.csv"
    src.write_text("rue,cp,commune\nRue de Droixhe 10,4020,Liège\n", encoding="utf-8")
    dst = tmp_path / "out.csv"
    code, _, _ = run(
        capsys,
        "check-file",
        str(src),
        "-o",
        str(dst),
        "--column",
        "rue",
        "--column",
        "cp",
        "--column",
        "commune",
        "--index",
        str(address_index_dir),
    )
    assert code == 0
    out = read_table_file(dst)
    assert out.loc[0, "status"] == "inside" and out.loc[0, "match_quality"] == "exact"


@pytest.mark.parametrize(
    "content, extra, message",
    [
        (b"", [], "vide"),
        (b"nom;prenom\r\nA;B\r\n", [], "Aucune colonne"),
        (b"adresse\r\nRue X 1\r\n", ["--column", "rue"], "Colonne inconnue"),
        (b"id;adresse\r\n", [], "aucune ligne"),
    ],
)
def test_check_file_bad_input(capsys, tmp_path, content, extra, message):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "out.csv"), *extra)
    assert code == 2 and message in err
    assert not (tmp_path / "out.csv").exists()


def test_check_file_missing_input(capsys, tmp_path):
    code, _, err = run(capsys, "check-file", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "Fichier introuvable" in err


def test_entry_point_and_help():
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "tzcld", "check", "--lat", "50.648", "--lon", "5.615", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "inside"
    proc = subprocess.run(
        [sys.executable, "-m", "tzcld", "check-file", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "--column" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "tzcld", "address-index", "build", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "--raw" in proc.stdout


EXCEL_LAYOUT = (
    "Nom;Rue;Numéro;Code postal;Localité\r\n"
    "Dupont;Rue de Droixhe;10;4020;Liège\r\n"
    "Lejeune;rue de grisoeil;14;7340;Pâturages\r\n"
).encode("cp1252")


def test_check_file_assembles_the_address_columns_never_the_name(capsys, tmp_path, address_index_dir):
    """``Nom;Rue;Numéro;Code postal;Localité`` saved by Excel (';', Windows-1252)."""
    src = tmp_path / "candidats.csv"
    src.write_bytes(EXCEL_LAYOUT)
    dst = tmp_path / "out.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(dst), "--index", str(address_index_dir))
    assert code == 0, err
    assert "Colonnes utilisées : Rue + Numéro + Code postal + Localité" in err
    out = read_table_file(dst)
    assert out["matched_address"].tolist() == ["Rue de Droixhe 10, 4020 Liège", "Rue de Grisoeil 14, 7340 Colfontaine"]
    assert out["status"].tolist() == ["inside", "inside"]
    assert out["Nom"].tolist() == ["Dupont", "Lejeune"]  # kept, never read as an address


def test_check_file_part_columns_options(capsys, tmp_path, address_index_dir):
    src = tmp_path / "in.csv"
    src.write_text("qui,voie,n,zip\nDupont,Rue de Droixhe,10,4020\n", encoding="utf-8")
    dst = tmp_path / "out.csv"
    code, _, err = run(
        capsys,
        "check-file",
        str(src),
        "-o",
        str(dst),
        "--street-column",
        "voie",
        "--number-column",
        "n",
        "--postcode-column",
        "zip",
        "--index",
        str(address_index_dir),
    )
    assert code == 0, err
    assert read_table_file(dst).loc[0, "matched_address"] == "Rue de Droixhe 10, 4020 Liège"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(dst), "--number-column", "n")
    assert code == 2 and "--street-column" in err


def test_check_file_unsure_columns_are_asked_for(capsys, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("client;info\nDupont;Rue de Droixhe 10, 4020 Liège\n", encoding="utf-8")
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 2 and "incertaines" in err and "info" in err and "--column" in err
    assert not (tmp_path / "out.csv").exists()


def test_check_file_reads_degrees_in_every_form_and_says_when_coordinates_are_unsure(capsys, tmp_path):
    """Columns of degrees as people copy them (minutes and seconds, hemispheres, degree signs,
    decimal commas) are read as the decimal pair; columns named lat/lon holding no coordinates
    get a message about coordinates (not about an address)."""
    src = tmp_path / "dms.csv"
    src.write_text(
        "nom;lat;lon\nA;50°38'52.8\"N;5°36'54\"E\nB;50.648°;5.615°\nC;N 50.648;E 5.615\nD;50,648;5,615\n"
        "E;50.648;5.615\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 0 and "Colonnes utilisées : lat, lon." in err
    out = read_table_file(tmp_path / "out.csv")
    assert out["status"].tolist() == ["inside"] * 5
    assert out["message"].nunique() == 1 and out["distance_to_boundary_m"].nunique() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("nom;lat;lon\nA;près de la gare;ici\nB;50.6;5.6\nC;?;?\n", encoding="utf-8")
    code, _, err = run(capsys, "check-file", str(bad), "-o", str(tmp_path / "bad_out.csv"))
    assert code == 2 and "coordonnées incertaines" in err and "--lat-column" in err and "--column" not in err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_results_file_checked_again_keeps_every_column(capsys, tmp_path, suffix):
    """Checking a results file again (without --recheck) names its old result columns
    ``<name>_input``, and its ``lat``/``lon`` (clashing with its own ``lat_input``)
    ``lat_input_2``: nothing lost, no unexpected error."""
    src = tmp_path / "points.csv"
    src.write_text("lat;lon\n50.4108;4.4446\n50.62;3.37\n", encoding="utf-8")
    first = tmp_path / f"first{suffix}"
    assert run(capsys, "check-file", str(src), "-o", str(first))[0] == 0
    again = tmp_path / "again.csv"
    code, _out, err = run(
        capsys, "check-file", str(first), "-o", str(again), "--lat-column", "lat_input", "--lon-column", "lon_input"
    )
    assert code == 0, err
    df = read_table_file(again)
    assert {"lat_input", "lat_input_2", "status_input", "status", "message_input"} <= set(df.columns)
    assert len(df.columns) == len(set(df.columns))
    assert df["status"].tolist() == df["status_input"].tolist()


def test_a_mistyped_index_folder_is_refused_not_built(capsys, tmp_path):
    """``--index`` naming no folder is a mistyped path: refused (nothing built there), even
    when the raw register is at hand to build one."""
    absent = tmp_path / "mistyped" / "index"
    code, _, err = run(capsys, "check", "Rue de Droixhe 10, 4020 Liège", "--index", str(absent))
    assert code == 2 and "introuvable" in err and "address-index build --out" in err
    src = tmp_path / "in.csv"
    src.write_text("id;lat;lon\n1;50.64;5.61\n", encoding="utf-8")
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "o.csv"), "--index", str(absent))
    assert code == 2 and "introuvable" in err and "Traceback" not in err
    assert not (tmp_path / "mistyped").exists() and not (tmp_path / "o.csv").exists()


def test_file_rows_say_a_missing_coordinate_apart_from_an_unreadable_one(capsys, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id;lat;lon\n1;50.64;5.61\n2;;5.61\n3;  ;\n4;abc;5.6\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(out))
    rows = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert code == 0 and rows["status"].tolist() == ["outside", "error", "error", "error"]
    assert rows["message"][1].startswith("Coordonnée manquante") and rows["message"][2].startswith(
        "Coordonnée manquante"
    )
    assert rows["message"][3] == "Coordonnées illisibles sur cette ligne."


def test_a_results_file_that_cannot_be_moved_in_place_leaves_no_part_file(tmp_path):
    from tzcld.table_writer import CsvWriter

    target = tmp_path / "out.csv"
    target.mkdir()  # a folder in the way: the rename fails
    (target / "keep").write_text("x")
    writer = CsvWriter(target)
    writer.write(pd.DataFrame({"a": ["1"]}))
    with pytest.raises(OSError):
        writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_the_results_file_is_readable_by_its_owner_only(capsys, tmp_path):
    """The results hold candidates' addresses: created 0600, whatever the umask (README)."""
    import os
    import stat

    src = tmp_path / "points.csv"
    src.write_text("lat;lon\n50.648;5.615\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        for suffix in (".csv", ".xlsx"):
            out = tmp_path / f"out{suffix}"
            assert run(capsys, "check-file", str(src), "-o", str(out))[0] == 0
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, suffix
    finally:
        os.umask(old)


def test_a_libreoffice_workbook_is_named_and_the_way_out_said(capsys, tmp_path):
    """An .ods (a zip, like an .xlsx) is not "illisible": it is said what it is and how to save it."""
    import zipfile

    ods = tmp_path / "candidats.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    code, _, err = run(capsys, "check-file", str(ods), "-o", str(tmp_path / "out.csv"))
    assert code == 2 and "LibreOffice" in err and "XLSX" in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_a_column_of_coordinate_pairs_is_checked_point_by_point(capsys, tmp_path, address_index_dir):
    """Each cell as `check TEXT` reads it: pairs, degrees and map links are points (the same
    answers as one check), an address among them is still an address."""
    src = tmp_path / "gps.csv"
    cells = [
        "50.648, 5.615",
        "50°38'52.8\"N 5°36'54\"E",
        "https://maps.google.com/?q=50.4108,4.4446",
        "Rue de Droixhe 10, 4020 Liège",
    ]
    src.write_text("nom;GPS\n" + "".join(f"p{i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(out), "--index", str(address_index_dir))
    assert code == 2 and "proposition : GPS" in err  # three pairs and an address: asked, not guessed
    code, _, err = run(
        capsys, "check-file", str(src), "-o", str(out), "--column", "GPS", "--index", str(address_index_dir)
    )
    assert code == 0, err
    table = read_table_file(out)
    assert table["status"].tolist() == ["inside", "inside", "outside", "inside"]
    for cell, message in zip(cells[:3], table["message"][:3], strict=True):
        code, single, _ = run(capsys, "check", cell, "--json", "--index", str(address_index_dir))
        assert json.loads(single)["message"] == message
    assert table.loc[3, "matched_address"] == "Rue de Droixhe 10, 4020 Liège"


def test_a_column_of_coordinate_pairs_alone_needs_no_address_index(capsys, tmp_path, monkeypatch):
    """Every cell of the column a point (or empty): the address index is not loaded, as for
    lat/lon columns — a missing index does not matter. One address among them: it does, and
    the usual message says so (nothing written)."""
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(tmp_path / "pas-d-index"))
    monkeypatch.setenv("TZCLD_RAW_DIR", str(tmp_path / "pas-de-registre"))
    cells = ["50.648, 5.615", "", "50°38'52.8\"N 5°36'54\"E", "https://maps.google.com/?q=50.4108,4.4446"]
    src = tmp_path / "gps.csv"
    src.write_text("nom;GPS\n" + "".join(f"p{i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(out))
    assert code == 0, err
    table = read_table_file(out)
    assert table["status"].tolist() == ["inside", "error", "inside", "outside"]
    assert table.loc[1, "message"] == "Aucune adresse ni coordonnée sur cette ligne."
    assert not (tmp_path / "pas-d-index").exists()
    mixed = tmp_path / "mixte.csv"
    mixed.write_text(src.read_text(encoding="utf-8") + "p9;Rue de Droixhe 10, 4020 Liège\n", encoding="utf-8")
    out2 = tmp_path / "out2.csv"
    code, _, err = run(capsys, "check-file", str(mixed), "-o", str(out2), "--column", "GPS")
    assert code == 2 and "Registre d'adresses introuvable" in err and "Traceback" not in err
    assert not out2.exists()
