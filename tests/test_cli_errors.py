"""Every ``python -m tzcld`` command ends with a French message and a non-zero exit when it
fails — never a traceback (the one handler of :func:`tzcld.cli.main`), issue 12.

Each command (the list is read from the parser: a new command must get its case here) is run
once on a realistic failure (damaged database, missing folder, zip bomb...) and once with its
handler raising an unexpected error that carries internal details.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xlsx_support import zip_bomb
from tzcld import cli

REPO = Path(__file__).resolve().parent.parent
INTERNALS = ("Traceback", 'File "/', "sqlalchemy", "sqlite3.", "psycopg", "Background on this error")


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command path of the parser (``("ledger", "backup")``...)."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.extend(leaf_commands(sub, (*prefix, name)))
    if not out and prefix:
        out.append(prefix)
    return out


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A damaged database, a file standing where a folder is expected, a broken accounts file,
    a small zip bomb, and a raw data folder that does not exist."""
    damaged = tmp_path / "abimee.sqlite"
    damaged.write_bytes(os.urandom(20_000))
    (tmp_path / "fichier").write_text("pas un dossier")
    (tmp_path / "comptes.toml").write_text("accounts = [", encoding="utf-8")
    zip_bomb(tmp_path / "bombe.xlsx", expanded=60_000_000)
    monkeypatch.setenv("TZCLD_MAX_UNCOMPRESSED_MB", "20")
    monkeypatch.setenv("TZCLD_RAW_DIR", str(tmp_path / "absent"))
    (tmp_path / "saisie.csv").write_text("scope,metric,value,period_date\nliege,hired,3,2025-01\n", encoding="utf-8")
    return tmp_path


def realistic_failures(p: Path) -> dict[tuple[str, ...], tuple[list[str], str]]:
    """Command → (arguments that make it fail for real, what the message must say)."""
    db = f"sqlite:///{p / 'abimee.sqlite'}"
    return {
        ("geodata", "build"): (["--raw", str(p / "absent"), "--out", str(p / "geo")], "introuvable"),
        ("check",): (["Rue de Droixhe 10, 4020 Liège", "--index", str(p / "absent")], "introuvable"),
        ("check-file",): ([str(p / "bombe.xlsx"), "-o", str(p / "o.csv")], "trop volumineux une fois décompressé"),
        ("address-index", "build"): (["--raw", str(p / "absent"), "--out", str(p / "idx")], "introuvable"),
        ("ledger", "export"): (["--database", db], "endommagée"),
        ("ledger", "import"): ([str(p / "saisie.csv"), "--database", db], "endommagée"),
        ("ledger", "backup"): (["-o", str(p / "b.sqlite"), "--database", db], "Sauvegarde refusée"),
        ("ledger", "check"): (["--database", db], "endommagée"),
        ("ledger", "add-account"): (
            ["bob", "--role", "admin", "--no-password", "--email", "b@x.be", "--file", str(p / "fichier" / "c.toml")],
            "inaccessible",
        ),
        ("ledger", "remove-account"): (["bob", "--file", str(p / "comptes.toml")], "Fichier des comptes illisible"),
        ("ledger", "import-accounts"): ([str(p / "comptes.toml"), "--database", db], "aucun compte n'a été modifié"),
        ("export-site",): ([str(p / "fichier" / "site")], "impossible d'écrire"),
        ("perimeter", "list"): (["--database", db], "endommagée"),
        ("perimeter", "export"): (["-o", str(p / "x.geojson"), "--database", db], "endommagée"),
        ("perimeter", "import"): ([str(p / "saisie.csv"), "--database", db], "illisible"),
        ("serve-api",): (["--port", "70000"], "--port 70000"),
    }


def test_every_command_has_a_failure_case(place):
    commands = set(leaf_commands(cli.build_parser()))
    assert commands == set(realistic_failures(place))


@pytest.mark.parametrize("command", sorted(realistic_failures(Path("/x"))), ids=" ".join)
def test_a_real_failure_ends_with_a_french_message(command, place, capsys):
    argv, expected = realistic_failures(place)[command]
    code = cli.main([*command, *argv])
    err = capsys.readouterr().err
    assert code != 0
    assert expected in err, err
    assert not any(word in err for word in INTERNALS), err


@pytest.mark.parametrize("command", sorted(realistic_failures(Path("/x"))), ids=" ".join)
def test_an_unexpected_error_shows_no_internals(command, place, capsys, monkeypatch):
    def boom(_args):
        raise RuntimeError("secret interne /srv/tzcld/app.py postgresql://u:motdepasse@hote/base")

    real = cli.build_parser

    def parser_with_failing_handlers(argv=None):
        parser = real(argv)
        for path in leaf_commands(parser):
            sub = parser
            for name in path:
                sub = next(a for a in sub._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
            sub.set_defaults(handler=boom)
        return parser

    monkeypatch.setattr(cli, "build_parser", parser_with_failing_handlers)
    argv, _ = realistic_failures(place)[command]
    code = cli.main([*command, *argv])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == (
        "Erreur inattendue (RuntimeError) : l'opération s'est arrêtée. "
        "Pour le détail technique, relancez avec TZCLD_DEBUG=1."
    )


def test_option_errors_are_said_in_french(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["ledger", "export", "--format", "pdf"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "erreur : argument --format : choix invalide 'pdf' (choix possibles : 'csv', 'xlsx')" in err
    with pytest.raises(SystemExit):
        cli.main(["ledger", "add-account"])
    assert "arguments obligatoires manquants : username, --role" in capsys.readouterr().err


def test_as_a_process_no_traceback_and_the_debug_switch(tmp_path):
    damaged = tmp_path / "abimee.sqlite"
    damaged.write_bytes(os.urandom(20_000))
    env = dict(os.environ, PYTHONPATH=str(REPO), TZCLD_DATA_DIR=str(tmp_path / "data"))
    argv = [sys.executable, "-m", "tzcld", "ledger", "export", "--database", f"sqlite:///{damaged}"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("La base de données") and "endommagée" in done.stderr
    debug = subprocess.run(argv, capture_output=True, text=True, env={**env, "TZCLD_DEBUG": "1"}, timeout=120)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_each_command_is_registered_by_the_module_the_table_names():
    """``build_parser(argv)`` imports only the command's module: the table must be exact."""
    for command, module in cli.COMMAND_MODULES.items():
        only = cli.build_parser([command])
        choices = next(a for a in only._actions if isinstance(a, argparse._SubParsersAction)).choices
        assert command in choices, (command, module)
        owned = {c for c, m in cli.COMMAND_MODULES.items() if m == module}
        assert set(choices) == owned, (command, set(choices) ^ owned)
    everything = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(everything.choices) == set(cli.COMMAND_MODULES)


def test_check_file_does_not_load_the_ledger_or_sqlalchemy(tmp_path):
    """With no database in the data folder, a file check needs neither (start-up time); a file of
    coordinates needs no address index code either (rapidfuzz), nor importlib.resources."""
    src = tmp_path / "points.csv"
    src.write_text("lat,lon\n50.41,4.44\n", encoding="utf-8")
    probe = (
        "import sys; from tzcld.cli import main; "
        f"code = main(['check-file', {str(src)!r}, '-o', {str(tmp_path / 'out.csv')!r}]); "
        "print(code, sorted(m for m in ('sqlalchemy', 'tzcld.ledger', 'tzcld.api', 'rapidfuzz', "
        "'tzcld.geocode.register') if m in sys.modules))"
    )
    env = {**os.environ, "TZCLD_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent
    )
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr
