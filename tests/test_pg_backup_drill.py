"""The PostgreSQL backup and its restore drill (README, « Déploiement »): deploy/backup-postgres.sh
writes a dump it has read back; pg_restore into an empty database gives back the ledger, the
perimeter versions, the accounts and the schema version, and `ledger check` says so."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.pg_support import pg_bin_dir

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "un-mot-de-passe-solide"

pytestmark = pytest.mark.postgres


def test_backup_then_restore_into_an_empty_database(postgres_cluster, tmp_path, monkeypatch):
    from tests.check_support import approve_gembloux_change
    from tzcld.auth import add_account, authenticate, dispose_engines
    from tzcld.ledger import open_store
    from tzcld.ledger.integrity import counts
    from tzcld.perimeters.store import perimeter_store_for

    url = postgres_cluster.create_database("prod_" + uuid.uuid4().hex[:8])
    monkeypatch.setenv("TZCLD_DATABASE_URL", url)
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    store = open_store(url, demo=False)
    approve_gembloux_change(perimeter_store_for(store))
    add_account("anne", PASSWORD, "porteur", "gembloux", "Anne")
    before = counts(store.engine)
    store.dispose()
    dispose_engines()

    backups = tmp_path / "backups"
    env = dict(os.environ, TZCLD_DATABASE_URL=url, TZCLD_PG_BIN=str(pg_bin_dir()))
    done = subprocess.run(
        ["bash", str(REPO / "deploy" / "backup-postgres.sh"), str(backups), "14"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip())
    assert dump.parent == backups and dump.name.startswith("tzcld-") and dump.suffix == ".dump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600 and not list(backups.glob("*.partial"))

    # the drill: an empty database, pg_restore, then the app's own check
    restored = postgres_cluster.create_database("restored_" + uuid.uuid4().hex[:8])
    libpq = restored.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(
        [str(pg_bin_dir() / "pg_restore"), "--no-owner", "--exit-on-error", "--dbname", libpq, str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [sys.executable, "-m", "tzcld", "ledger", "check", "--database", restored],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    store = open_store(restored, seed=False, demo=False)
    assert counts(store.engine) == before
    versions = perimeter_store_for(store).versions(status="approved")
    assert [v.territory_id for v in versions] == ["gembloux"]
    store.dispose()
    assert authenticate("anne", PASSWORD, database=restored).territory == "gembloux"
    dispose_engines()

    # a dump that cannot be read back is not kept
    env["TZCLD_DATABASE_URL"] = url.replace("/prod_", "/missing_")
    done = subprocess.run(
        ["bash", str(REPO / "deploy" / "backup-postgres.sh"), str(backups)], capture_output=True, text=True, env=env
    )
    assert done.returncode != 0 and len(list(backups.iterdir())) == 1
