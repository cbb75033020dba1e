"""The command line as a counsellor meets it: help in French, a group command alone shows its
own help, ``check-file`` refuses an output it cannot or must not write *before* reading
anything (no name, a folder, the input itself, a folder where nothing can be written — and
no temporary file left behind), system errors said in French, the database being down said
once and in French, numbers written the French way, typed coordinates echoed as typed."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli_errors import leaf_commands
from tzcld import cli
from tzcld.errors import describe, os_reason
from tzcld.formatting import NBSP

REPO = Path(__file__).resolve().parent.parent
ENGLISH_ARGPARSE = ("usage:", "positional arguments", "optional arguments", "show this help message")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_every_help_is_in_french(capsys):
    commands = [(), *leaf_commands(cli.build_parser())]
    assert len(commands) > 10
    for command in commands:
        text = _help(capsys, *command)
        assert text.startswith("utilisation : python -m tzcld"), command
        assert "afficher cette aide et quitter" in text, command
        assert not any(word in text for word in ENGLISH_ARGPARSE), (command, text[:300])
    wrapped = _help(capsys, "check-file").splitlines()
    assert wrapped[1].startswith(" " * len("utilisation : python -m tzcld check-file "))  # aligned


def test_a_group_command_alone_shows_its_own_help(capsys):
    code, out, _ = run(capsys, "address-index")
    assert code == 2
    assert out.startswith("utilisation : python -m tzcld address-index") and "build" in out
    assert "serve-api" not in out and "ledger" not in out
    code, out, _ = run(capsys, "ledger")
    assert code == 2 and out.startswith("utilisation : python -m tzcld ledger") and "backup" in out


@pytest.fixture
def points(tmp_path) -> Path:
    src = tmp_path / "points.csv"
    src.write_text("id;lat;lon\n1;50.648;5.615\n2;50.4;4.4\n", encoding="utf-8")
    return src


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for folder in folders if folder.is_dir() for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(
    "output, code, words",
    [
        ("", 2, "Indiquez le fichier de sortie"),
        ("{dir}", 2, "est un dossier"),
        ("{src}", 2, "est le fichier d'entrée"),
        ("{src}/resultats.csv", 1, "une partie du chemin n'est pas un dossier"),
    ],
)
def test_check_file_refuses_an_output_it_cannot_write_before_reading(
    capsys, tmp_path, points, monkeypatch, output, code, words
):
    monkeypatch.chdir(tmp_path)
    before = points.read_bytes()
    target = output.format(dir=tmp_path, src=points)
    got, _out, err = run(capsys, "check-file", str(points), "-o", target)
    assert got == code, err
    assert words in err and "Traceback" not in err and "Colonnes utilisées" not in err  # refused before reading
    assert points.read_bytes() == before  # the input is never replaced by its results
    assert _leftovers(tmp_path) == []


def test_an_output_folder_where_nothing_can_be_written(capsys, tmp_path, points):
    if os.geteuid() == 0:  # root may write in any folder of a disk, not in /sys
        target = Path("/sys/resultats.csv")
    else:
        locked = tmp_path / "verrouille"
        locked.mkdir(mode=0o500)
        target = locked / "resultats.csv"
    code, _, err = run(capsys, "check-file", str(points), "-o", str(target))
    assert code == 1
    assert f"Impossible d'écrire « {target} »" in err and "(permission refusée)" in err
    assert ".part" not in err and "Permission denied" not in err


def test_a_folder_that_does_not_exist_yet_is_created(capsys, tmp_path, points):
    target = tmp_path / "nouveau" / "dossier" / "resultats.csv"
    code, _, err = run(capsys, "check-file", str(points), "-o", str(target))
    assert code == 0 and target.exists(), err


def test_system_errors_are_said_in_the_readers_language():
    exc = PermissionError(errno.EACCES, "Permission denied", "/srv/x.csv")
    assert describe(exc) == ("Fichier ou dossier inaccessible : /srv/x.csv (permission refusée).", 1)
    assert describe(exc, "en")[0] == "File or folder not accessible: /srv/x.csv (permission denied)."
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "disque plein"
    assert os_reason(OSError(errno.EISDIR, "Is a directory"), "en") == "it is a folder"
    assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == "Invalid cross-device link"  # others: as is


def test_the_row_count_is_written_the_french_way(capsys, tmp_path):
    src = tmp_path / "points.csv"
    src.write_text("lat,lon\n" + "50.648,5.615\n" * 1200, encoding="utf-8")
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "o.csv"))
    assert code == 0 and f"1{NBSP}200 lignes écrites" in err, err


def test_typed_coordinates_are_echoed_as_typed(capsys):
    code, _, err = run(capsys, "check", "--lat", "1e400", "--lon", "5")
    assert code == 2 and "« 1e400 5 »" in err and "inf" not in err


def test_a_database_that_is_down_is_said_once_in_french(tmp_path, points):
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        TZCLD_DATA_DIR=str(tmp_path / "data"),
        TZCLD_DATABASE_URL="postgresql://127.0.0.1:1/x",
    )
    env.pop("TZCLD_DEBUG", None)
    argv = [sys.executable, "-m", "tzcld", "check-file", str(points), "-o", str(tmp_path / "o.csv")]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert sum("injoignable" in line for line in lines) == 1
    assert not any("unavailable" in line or "Traceback" in line or "Error" in line for line in lines), lines


def test_the_output_separator_is_one_of_those_a_table_reads(capsys, tmp_path, points):
    for bad in ("abc", ""):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["check-file", str(points), "-o", str(tmp_path / "o.csv"), "--sep", bad])
        assert exit_.value.code == 2
        assert "argument --sep : choix invalide" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()
    code, _, _ = run(capsys, "check-file", str(points), "-o", str(tmp_path / "o.csv"), "--sep", "tab")
    assert code == 0
    header = (tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split("\t")[:3] == ["id", "lat_input", "lon_input"]


def test_the_answer_is_punctuated_for_its_language(capsys):
    code, out, _ = run(capsys, "check", "--lat", "50.648", "--lon", "5.615", "--lang", "en")
    assert code == 0 and "Answer" in out
    assert all(" : " not in line for line in out.splitlines()[:9]), out
    code, out, _ = run(capsys, "check", "--lat", "50.648", "--lon", "5.615")
    assert code == 0 and out.splitlines()[0].startswith("Réponse") and " : dans un territoire" in out


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    """``python -m tzcld check … | head -1``: no "Fichier ou dossier inaccessible (Broken pipe)"."""
    env = dict(os.environ, PYTHONPATH=str(REPO), TZCLD_DATA_DIR=str(tmp_path / "data"))
    argv = [sys.executable, "-m", "tzcld", "check", "--lat", "50.648", "--lon", "5.615", "--json"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the answer is printed
    err = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 141 and err == ""


def test_an_address_and_coordinates_together_are_refused(capsys):
    """Answering for the point would silently ignore the address typed (or the reverse)."""
    code, out, err = run(capsys, "check", "Rue de Droixhe 10, 4020 Liège", "--lat", "50.4", "--lon", "4.4")
    assert code == 2 and out == "" and "pas les deux" in err


@pytest.mark.parametrize(
    "options, words",
    [
        (["--column", "id", "--lat-column", "lat", "--lon-column", "lon"], "pas les deux"),
        (["--lat-column", "lat"], "les deux colonnes des coordonnées ensemble"),
        (["--lon-column", "lon"], "les deux colonnes des coordonnées ensemble"),
    ],
)
def test_columns_that_would_be_half_ignored_are_refused(capsys, tmp_path, points, options, words):
    code, _, err = run(capsys, "check-file", str(points), "-o", str(tmp_path / "o.csv"), *options)
    assert code == 2 and words in err
    assert not (tmp_path / "o.csv").exists()


def test_a_folder_given_as_the_input_is_named_as_such(capsys, tmp_path):
    code, _, err = run(capsys, "check-file", str(tmp_path), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "est un dossier : indiquez le fichier CSV ou XLSX" in err and "illisible" not in err


@pytest.mark.parametrize("signum", [15, 1])  # SIGTERM (timeout, a service stopped), SIGHUP (terminal closed)
def test_a_stop_signal_mid_file_leaves_nothing_half_written(tmp_path, signum):
    import signal
    import time

    src = tmp_path / "points.csv"
    src.write_text("lat,lon\n" + "50.648,5.615\n50.41,4.44\n" * 200_000, encoding="utf-8")
    out = tmp_path / "sortie" / "resultats.csv"
    env = dict(os.environ, PYTHONPATH=str(REPO), TZCLD_DATA_DIR=str(tmp_path / "data"))
    argv = [sys.executable, "-m", "tzcld", "check-file", str(src), "-o", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while not _leftovers(out.parent) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until the results are being written
    assert process.poll() is None, "finished before it could be stopped: make the file longer"
    process.send_signal(signal.Signals(signum))
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, err
    assert "Interrompu." in err.decode("utf-8") and b"Traceback" not in err
    assert not out.exists() and _leftovers(out.parent) == []


def test_a_column_named_but_for_case_is_found_when_only_one_matches(capsys, tmp_path):
    src = tmp_path / "points.csv"
    src.write_text("Id;Latitude;Longitude\n1;50.648;5.615\n", encoding="utf-8")
    options = ["--lat-column", "latitude", "--lon-column", "LONGITUDE"]
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "o.csv"), *options)
    assert code == 0, err
    both = tmp_path / "deux.csv"
    both.write_text("lat;LAT;lon\n50.648;50.648;5.615\n", encoding="utf-8")
    code, _, err = run(
        capsys, "check-file", str(both), "-o", str(tmp_path / "o2.csv"), "--lat-column", "Lat", "--lon-column", "lon"
    )
    assert code == 2 and "Colonne inconnue : « Lat »" in err  # two candidates: not a guess


def test_a_database_url_of_an_unsupported_kind_is_a_bad_url_not_an_unexpected_error():
    missing_driver = ModuleNotFoundError("No module named 'MySQLdb'", name="MySQLdb")
    message, code = describe(missing_driver)
    assert code == 2 and message.startswith("Adresse de base de données invalide")
    assert describe(ModuleNotFoundError("x", name="numpy"))[0].startswith("Erreur inattendue")  # others: a bug
