"""One engine (one connection pool) per database and per process: every runtime and the
accounts (:mod:`tzcld.auth`) on a database share it, :func:`tzcld.runtime.dispose_engines`
closes them together, and a SQLite file restored in place is read afresh, not through a pool
still open on the old file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tzcld import auth
from tzcld.runtime import Runtime, Settings, dispose_engines, shared_engine


def _runtime(url: str, **changes) -> Runtime:
    return Runtime(Settings.from_env().replace(database_url=url, **changes))


def test_runtimes_and_accounts_share_one_engine_per_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    first, second = _runtime(url), _runtime(url, demo=True)  # other settings, same database
    assert first.engine is second.engine
    first.ensure_schema()
    assert auth._engine(url) is first.engine
    other = _runtime(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert other.engine is not first.engine
    before = first.engine
    dispose_engines()
    assert shared_engine(url) is not before  # forgotten: the next use makes a new pool
    auth.dispose_engines()  # the accounts' name for the same thing


def test_the_accounts_and_the_ledger_use_the_same_pool(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    auth.add_account("claire", "un-long-mot-de-passe", "porteur", "gembloux", database=url)
    runtime = _runtime(url)
    runtime.ledger_store()
    assert runtime.engine is auth._engine(url)
    assert set(auth.load_accounts(database=url)) == {"claire"}
    runtime.close()  # closes the pooled connections; everyone may go on using it
    assert set(auth.load_accounts(database=url)) == {"claire"}


def test_a_sqlite_file_restored_in_place_is_read_afresh(tmp_path):
    live, backup = tmp_path / "live.sqlite", tmp_path / "backup.sqlite"
    auth.add_account("ancien", "un-long-mot-de-passe", "admin", database=f"sqlite:///{backup}")
    auth.add_account("nouveau", "un-long-mot-de-passe", "admin", database=f"sqlite:///{live}")
    url = f"sqlite:///{live}"
    assert set(auth.load_accounts(database=url)) == {"nouveau"}
    old = auth._engine(url)  # its pool keeps a connection open on the live file
    with sqlite3.connect(backup) as conn:  # a complete backup file (its journal written in)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # the restore (README): the live file and its -wal, -shm set aside, the backup put in place
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, tmp_path / "restored.sqlite")
    (tmp_path / "restored.sqlite").replace(live)
    assert auth._engine(url) is not old
    assert set(auth.load_accounts(database=url)) == {"ancien"}


def test_an_in_memory_database_is_private_to_its_engine():
    assert shared_engine("sqlite://") is not shared_engine("sqlite://")
