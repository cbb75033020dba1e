"""Backups that prove themselves, restores that say so (issue 12).

- ``ledger backup`` checks the source and the copy (``PRAGMA integrity_check``) and refuses a
  damaged database; imports refuse to write into one;
- a row restored from an (edited) export keeps its recorded author and date and carries
  "restauré le … par …" — in the journal, the exports and the public change log;
- a perimeter version restored with a decision by no known administrator is refused, or
  marked "décideur non reconnu" on request;
- the restore drill of the README, end to end.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from tzcld.auth import add_account
from tzcld.batch_io import read_table
from tzcld.cli import main
from tzcld.ledger import Account, ObservationInput, open_store
from tzcld.ledger.export import export_frame
from tzcld.ledger.store import changes_of
from tzcld.ledger.summary import changes_display
from tzcld.runtime import Runtime, Settings

ANNE = Account("anne", "porteur", "liege")
ADMIN = Account("marie", "admin")


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _ledger(path: Path, rows: int = 0):
    """A SQLite ledger with the seeded facts and ``rows`` more entries (to make it bigger)."""
    store = open_store(f"sqlite:///{path}", demo=False)
    if rows:
        now = dt.datetime.now(dt.UTC)
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO observations (scope, metric, value, unit, period_date, source_title, source_url, "
                    "entered_by, entered_at, reason) VALUES ('liege', 'hired', :v, 'persons', :p, "
                    "'Rapport trimestriel du porteur de projet', '', 'anne', :at, 'remplissage du test')"
                ),
                [{"v": i, "p": f"{2000 + i // 12}-{1 + i % 12:02d}", "at": now} for i in range(rows)],
            )
    store.dispose()  # last connection closed: the WAL is checkpointed into the file
    return path


def _damage(path: Path, offset: int = 16_384, size: int = 8192) -> None:
    """Overwrite ``size`` bytes of the file in the middle of its pages (the issue's probe)."""
    assert path.stat().st_size > offset + size
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(os.urandom(size))


# --------------------------------------------------------------------------- backups


def test_backup_of_a_damaged_database_is_refused(tmp_path, capsys):
    db = _ledger(tmp_path / "tzcld.sqlite", rows=3000)
    good = tmp_path / "avant.sqlite"
    assert run(capsys, "ledger", "backup", "-o", str(good), "--database", f"sqlite:///{db}")[0] == 0
    _damage(db)
    out = tmp_path / "apres.sqlite"
    code, err = run(capsys, "ledger", "backup", "-o", str(out), "--database", f"sqlite:///{db}")
    assert code == 1
    assert err.startswith(f"Sauvegarde refusée : la base {db} est endommagée")
    assert "restaurez la dernière bonne" in err
    assert not out.exists() and not list(tmp_path.glob(".apres.sqlite*"))  # no half copy left
    # the earlier backup is intact, and says so
    code, _ = run(capsys, "ledger", "check", "--database", f"sqlite:///{good}")
    assert code == 0


def test_imports_refuse_to_write_into_a_damaged_database(tmp_path, capsys, monkeypatch):
    from tzcld.errors import DatabaseDamaged
    from tzcld.ledger.imports import commit_import, preview_import
    from tzcld.ledger.store import Store, make_engine

    db = _ledger(tmp_path / "tzcld.sqlite", rows=3000)
    new = tmp_path / "saisie.csv"
    new.write_text("scope,metric,value,period_date\nseraing,hired,3,2025-01\n", encoding="utf-8")
    store = open_store(f"sqlite:///{db}", demo=False)
    preview = preview_import(new.read_bytes(), "saisie.csv", store, ADMIN)  # checked while it was whole
    assert preview.ok
    store.dispose()
    _damage(db)
    before = db.read_bytes()
    code, err = run(capsys, "ledger", "import", str(new), "--database", f"sqlite:///{db}")
    assert code == 1 and f"La base de données {db} est endommagée" in err and "rien n'y a été écrit" in err
    code, err = run(capsys, "ledger", "export", "--database", f"sqlite:///{db}")
    assert code == 1 and "endommagée" in err
    # the store refuses too, whoever calls it (the Saisie page's import)
    damaged = Store(make_engine(f"sqlite:///{db}"))
    with pytest.raises(DatabaseDamaged):
        commit_import(preview, damaged, ADMIN)
    damaged.dispose()
    assert db.read_bytes() == before


def test_the_database_file_is_private(tmp_path):
    db = _ledger(tmp_path / "nouvelle.sqlite")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    for extra in tmp_path.glob("nouvelle.sqlite-*"):
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0


def test_backup_copy_is_checked_and_private(tmp_path, capsys):
    db = _ledger(tmp_path / "tzcld.sqlite", rows=10)
    out = tmp_path / "copies" / "sauvegarde.sqlite"
    code, err = run(capsys, "ledger", "backup", "-o", str(out), "--database", f"sqlite:///{db}")
    assert code == 0 and "contrôlée" in err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    code, _ = run(capsys, "ledger", "check", "--database", f"sqlite:///{out}")
    assert code == 0


def test_restore_drill_of_the_readme(tmp_path, capsys, monkeypatch):
    """README « Restaurer une sauvegarde »: back up, lose the database, restore, check; then
    the PostgreSQL way (exports into an empty database), restored rows marked."""
    data = tmp_path / "data"
    monkeypatch.setenv("TZCLD_DATA_DIR", str(data))
    store = Runtime.from_env(demo=False).ledger_store()
    store.add(ANNE, ObservationInput("liege", "hired", 12, "persons", "2025-03", "Rapport"))
    store.dispose()
    before = Runtime.from_env(demo=False).ledger_store().observations_frame()
    # 1. the nightly backup, checked
    backup = tmp_path / "sauvegardes" / "tzcld-2026-06-01.sqlite"
    assert run(capsys, "ledger", "backup", "-o", str(backup))[0] == 0
    code, _ = run(capsys, "ledger", "check", "--database", f"sqlite:///{backup}")
    assert code == 0
    # 2. the database is lost (the dashboard stopped)
    for f in data.glob("tzcld.sqlite*"):
        f.unlink()
    # 3. the backup is put back and checked
    (data / "tzcld.sqlite").write_bytes(backup.read_bytes())
    os.chmod(data / "tzcld.sqlite", 0o600)
    code, _ = run(capsys, "ledger", "check")
    assert code == 0
    after = Runtime.from_env(demo=False).ledger_store().observations_frame()
    pd.testing.assert_frame_equal(before, after)
    # 4. the other way (PostgreSQL): exports, then a restore into an empty database
    registre, perimetres = tmp_path / "registre.csv", tmp_path / "perimetres.geojson"
    assert run(capsys, "ledger", "export", "-o", str(registre))[0] == 0
    assert run(capsys, "perimeter", "export", "-o", str(perimetres))[0] == 0
    empty = f"sqlite:///{tmp_path / 'vide.sqlite'}"
    assert run(capsys, "ledger", "import", str(registre), "--database", empty)[0] == 0
    assert run(capsys, "perimeter", "import", str(perimetres), "--database", empty)[0] == 0
    restored = open_store(empty, demo=False)
    current = restored.latest("liege", "hired")
    assert current["value"].iloc[0] == 12 and current["entered_by"].iloc[0] == "anne"
    assert current["restored_by"].iloc[0] == f"cli:{getpass.getuser()}"
    restored.dispose()


# --------------------------------------------------------------------------- ledger restore marks


def _export_file(tmp_path, monkeypatch, capsys) -> tuple[Path, str]:
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    store = open_store(source, demo=False)
    store.add(ANNE, ObservationInput("liege", "hired", 5, "persons", "2025-01", "Rapport"))
    store.dispose()
    dump = tmp_path / "registre.csv"
    assert run(capsys, "ledger", "export", "-o", str(dump), "--database", source)[0] == 0
    return dump, source


def test_a_restored_row_keeps_its_author_and_date_and_carries_its_restore_mark(tmp_path, monkeypatch, capsys):
    dump, _ = _export_file(tmp_path, monkeypatch, capsys)
    # an edited export: someone else, years ago
    table = read_table(dump, "registre.csv")
    row = table.index[table["entered_by"] == "anne"][0]  # not the seeded figure of the same measure
    table.loc[row, "entered_by"] = "ministre"
    table.loc[row, "entered_at"] = "2020-01-02T03:04:05+00:00"
    edited = tmp_path / "modifie.csv"
    edited.write_text(table.to_csv(index=False), encoding="utf-8")
    add_account("marie", "un-mot-de-passe-long", "admin", path=Settings.from_env().accounts_file)
    target = f"sqlite:///{tmp_path / 'cible.sqlite'}"
    code, err = run(capsys, "ledger", "import", str(edited), "--as", "marie", "--database", target)
    assert code == 0 and "marquées « restaurée par marie »" in err
    store = open_store(target, demo=False)
    frame = store.observations_frame()
    got = frame[frame["restored_by"] == "marie"].iloc[0]
    assert got["entered_by"] == "ministre"
    assert got["entered_at"] == pd.Timestamp("2020-01-02T03:04:05+00:00")
    assert got["restored_by"] == "marie"
    assert abs(got["restored_at"] - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=5)
    today = dt.datetime.now(dt.UTC).strftime("%d/%m/%Y")
    # the journal (Saisie, Progrès) says so
    journal = changes_display(store.changes(limit=None), "fr")
    assert set(journal["Restauration"]) - {""} == {f"restauré le {today} par marie"}
    # the exports carry it
    exported = export_frame(store)
    line = exported[exported["id"] == got["id"]].iloc[0]
    assert line["restored_by"] == "marie" and line["restored_at"].startswith(dt.date.today().isoformat()[:4])
    # the public change log says it was restored (without the account name)
    from tzcld.territories import load_registry
    from tzcld.transparency import change_log

    log = change_log(store.observations_frame(), load_registry(), "fr", limit=10_000)  # entered in 2020: the oldest
    entry = next(e for e in log if e.metric == "hired" and e.scope == "liege" and e.restored)
    assert entry.restored == f"restauré le {today}"
    # seeded facts matched by key are skipped, not marked
    seeded = store.observations_frame()
    assert seeded[seeded["seed_key"].notna()]["restored_by"].isna().all()
    store.dispose()


def test_a_malformed_entered_at_is_refused_with_a_french_message(tmp_path, monkeypatch, capsys):
    dump, _ = _export_file(tmp_path, monkeypatch, capsys)
    table = read_table(dump, "registre.csv")
    table.loc[table.index[-1], "entered_at"] = "hier vers midi"
    bad = tmp_path / "mauvais.csv"
    bad.write_text(table.to_csv(index=False), encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'cible.sqlite'}"
    code, err = run(capsys, "ledger", "import", str(bad), "--database", target)
    assert code == 1
    assert "Date de saisie (entered_at) illisible « hier vers midi »" in err
    assert "Restauration refusée : rien n'a été enregistré." in err
    restored = open_store(target, demo=False).observations_frame()
    assert not (restored["entered_by"] == "anne").any()  # nothing of the file was written


def test_changes_of_keeps_the_restore_columns():
    frame = Runtime.from_env(demo=False).ledger_store().observations_frame()
    assert {"restored_at", "restored_by"} <= set(changes_of(frame).columns)


# --------------------------------------------------------------------------- perimeter restore marks


def _perimeter_export(tmp_path) -> Path:
    from tests.test_perimeters_cli import populate
    from tzcld.perimeters import open_perimeter_store

    src = open_perimeter_store(f"sqlite:///{tmp_path / 'src.sqlite'}")
    populate(src)  # decisions by "admin"
    path = tmp_path / "perimetres.geojson"
    path.write_text(json.dumps(src.export_versions()), encoding="utf-8")
    src.engine.dispose()
    return path


def test_perimeter_restore_refuses_decisions_by_unknown_administrators(tmp_path, capsys):
    from tzcld.perimeters import open_perimeter_store

    path = _perimeter_export(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feature in doc["features"]:  # the edited file: approved "by" the minister
        if feature["properties"]["version_status"] == "approved":
            feature["properties"]["version_decided_by"] = "ministre"
    path.write_text(json.dumps(doc), encoding="utf-8")
    add_account("admin", None, "admin", email="admin@example.org", path=Settings.from_env().accounts_file)
    dst = f"sqlite:///{tmp_path / 'dst.sqlite'}"
    code, err = run(capsys, "perimeter", "import", str(path), "--database", dst)
    assert code == 2
    assert "nomment des comptes qui ne sont pas des administrateurs de ce serveur : « ministre »" in err
    assert open_perimeter_store(dst).versions() == []
    # explicitly accepted: restored, and marked so
    code, err = run(capsys, "perimeter", "import", str(path), "--database", dst, "--accept-unmatched")
    assert code == 0 and "« décideur non reconnu » : « ministre »" in err
    store = open_perimeter_store(dst)
    approved = [v for v in store.versions() if v.status == "approved"]
    assert approved and all(v.restore_note == "unmatched_decider" for v in approved)
    rejected = [v for v in store.versions() if v.status == "rejected"]
    assert rejected and all(v.restore_note is None for v in rejected)  # decided by "admin", who exists
    assert "décideur non reconnu à la restauration" in approved[0].restore_mark()
    store.engine.dispose()


def test_restored_perimeter_versions_are_marked_by_whoever_restores(tmp_path, capsys):
    from tzcld.perimeters import open_perimeter_store
    from tzcld.perimeters.display import history_display

    path = _perimeter_export(tmp_path)
    add_account("admin", None, "admin", email="admin@example.org", path=Settings.from_env().accounts_file)
    add_account("marie", "un-mot-de-passe-long", "admin", path=Settings.from_env().accounts_file)
    add_account("paul", "un-mot-de-passe-long", "porteur", "liege", path=Settings.from_env().accounts_file)
    dst = f"sqlite:///{tmp_path / 'dst.sqlite'}"
    code, err = run(capsys, "perimeter", "import", str(path), "--database", dst, "--as", "paul")
    assert code == 2 and "n'est pas administrateur" in err
    code, err = run(capsys, "perimeter", "import", str(path), "--database", dst, "--as", "marie")
    assert code == 0 and "par marie" in err
    store = open_perimeter_store(dst)
    today = dt.datetime.now(dt.UTC).strftime("%d/%m/%Y")
    for v in store.versions():
        assert v.restored_by == "marie" and v.restore_mark() == f"restauré le {today} par marie"
        assert v.created_by in ("anne", "bob", "admin")  # the recorded author is kept
    shown = history_display(store.history("liege"), "fr")
    assert f"restauré le {today} par marie" in set(shown["Restauration"])
    code, out = main(["perimeter", "list", "--database", dst]), capsys.readouterr().out
    assert code == 0 and "restauré le" in out
    # the export carries the mark
    doc = store.export_versions()
    assert {f["properties"]["version_restored_by"] for f in doc["features"]} == {"marie"}
    store.engine.dispose()


def test_perimeter_restore_refuses_a_damaged_database(tmp_path, capsys):
    path = _perimeter_export(tmp_path)
    add_account("admin", None, "admin", email="admin@example.org", path=Settings.from_env().accounts_file)
    db = _ledger(tmp_path / "abimee.sqlite", rows=3000)
    _damage(db)
    code, err = run(capsys, "perimeter", "import", str(path), "--database", f"sqlite:///{db}")
    assert code != 0 and "endommagée" in err
