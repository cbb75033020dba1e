"""Local accounts in the database when a database URL is set (issue 16): every server replica
sees the same accounts; the file stays for a single host (no URL, or TZCLD_ACCOUNTS_FILE set)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tzcld.auth import (
    AccountError,
    account_for_email,
    accounts_location,
    add_account,
    authenticate,
    dispose_engines,
    import_accounts,
    load_accounts,
    remove_account,
    sign_in,
)
from tzcld.ledger import open_store
from tzcld.ledger.migrations import SCHEMA_VERSION, applied_versions
from tzcld.ledger.permissions import Account
from tzcld.ledger.throttle import SigninThrottle

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path, monkeypatch):
    """A database URL set as TZCLD_DATABASE_URL (and no accounts file setting)."""
    if request.param == "sqlite":
        value = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    else:
        value = request.getfixturevalue("fresh_postgres_url")
    monkeypatch.setenv("TZCLD_DATABASE_URL", value)
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    yield value
    dispose_engines()


def test_where_accounts_live(monkeypatch, tmp_path, _isolated_data_dir):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    here = accounts_location()
    assert not here.in_database and here.path == _isolated_data_dir / "accounts.toml"
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://tzcld:secret@db.example/tzcld")
    here = accounts_location()
    assert here.in_database and here.describe() == "postgresql+psycopg://tzcld:***@db.example/tzcld"
    # an explicit accounts file wins (one host), and so do the explicit arguments
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "a.toml"))
    assert accounts_location().path == tmp_path / "a.toml"
    assert accounts_location(database="sqlite:///x.sqlite").in_database
    assert accounts_location(path=tmp_path / "b.toml").path == tmp_path / "b.toml"


def test_accounts_are_rows_of_the_database_not_a_file(url, _isolated_data_dir):
    add_account("Anne", PASSWORD, "porteur", "liege", "Anne (CPAS)", "Anne@Example.org")
    add_account("claire", None, "admin", email="claire@example.org")
    assert not (_isolated_data_dir / "accounts.toml").exists()
    engine = open_store(url, seed=False, demo=False).engine
    with engine.connect() as conn:
        assert SCHEMA_VERSION >= 4 and 4 in applied_versions(conn)
        assert "accounts" in inspect(conn).get_table_names()
        rows = conn.execute(text("SELECT username, role, email, password_hash FROM accounts ORDER BY username")).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("anne", "porteur", "anne@example.org"),
        ("claire", "admin", "claire@example.org"),
    ]
    assert rows[0][3].startswith("$argon2id$") and PASSWORD not in rows[0][3]
    assert rows[1][3] == ""  # OIDC only
    engine.dispose()
    assert authenticate("anne", PASSWORD) == Account("anne", "porteur", "liege", "Anne (CPAS)")
    assert authenticate("anne", "mauvais-mot-de-passe") is None
    assert authenticate("claire", "") is None
    assert account_for_email("CLAIRE@example.org").username == "claire"
    assert set(load_accounts()) == {"anne", "claire"}


def test_rules_and_changes_hold_in_the_database(url):
    add_account("anne", PASSWORD, "porteur", "liege")
    with pytest.raises(AccountError, match="existe déjà"):
        add_account("anne", PASSWORD, "porteur", "liege")
    with pytest.raises(AccountError, match="territoire"):
        add_account("bob", PASSWORD, "porteur", "atlantis")
    add_account("anne", PASSWORD + "2", "admin", "liege", replace=True)
    assert load_accounts()["anne"].role == "admin" and load_accounts()["anne"].territory is None
    assert authenticate("anne", PASSWORD) is None and authenticate("anne", PASSWORD + "2") is not None
    with pytest.raises(AccountError, match="propre compte"):
        remove_account("anne", actor=Account("anne", "admin"))
    remove_account("anne")
    assert load_accounts() == {}
    with pytest.raises(AccountError, match="Aucun compte"):
        remove_account("anne")


def test_two_replicas_adding_the_same_account_at_once(url):
    """Two servers (threads with their own engines would do the same) add one name together:
    one wins, the other is told, nothing is duplicated."""
    outcomes: list[str] = []

    def create(password: str) -> None:
        try:
            add_account("anne", password, "porteur", "liege")
            outcomes.append("ok")
        except AccountError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=create, args=(PASSWORD + str(i),)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["Le compte « anne » existe déjà.", "ok"]
    assert list(load_accounts()) == ["anne"]


def test_sign_in_reads_the_shared_accounts(url):
    add_account("anne", PASSWORD, "porteur", "liege", "Anne")
    throttle = SigninThrottle(open_store(url, seed=False, demo=False).engine)
    assert sign_in("anne", "faux-mot-de-passe", throttle, "198.51.100.7").account is None
    assert sign_in("anne", PASSWORD, throttle, "198.51.100.7").account == Account("anne", "porteur", "liege", "Anne")
    throttle.engine.dispose()


def test_explicit_file_keeps_the_accounts_on_one_host(url, tmp_path, monkeypatch):
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    add_account("anne", PASSWORD, "porteur", "liege")
    assert (tmp_path / "accounts.toml").exists()
    assert load_accounts(database=url) == {}


def _cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tzcld", "ledger", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        cwd=REPO,
        timeout=120,
    )


def test_cli_add_account_and_import_accounts(url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TZCLD_ACCOUNTS_FILE"}
    done = _cli(
        "add-account", "anne", "--role", "porteur", "--territory", "liege", "--password-stdin", env=env, stdin=PASSWORD
    )
    assert done.returncode == 0, done.stderr
    assert "enregistré dans" in done.stderr and ("sqlite" in done.stderr or "postgresql" in done.stderr)
    assert "Traceback" not in done.stderr
    assert authenticate("anne", PASSWORD) is not None

    # moving from one host's file to the shared database: hashes copied as they are
    legacy = tmp_path / "accounts.toml"
    add_account("bob", PASSWORD, "admin", path=legacy)
    add_account("anne", PASSWORD + "-autre", "porteur", "seraing", path=legacy)
    done = _cli("import-accounts", str(legacy), env=env)
    assert done.returncode == 0, done.stderr
    assert "1 compte(s) copié(s)" in done.stderr and "déjà présent" in done.stderr and "anne" in done.stderr
    assert authenticate("bob", PASSWORD) == Account("bob", "admin", None, "bob")
    assert load_accounts()["anne"].territory == "liege"  # kept
    done = _cli("import-accounts", str(legacy), "--replace", env=env)
    assert done.returncode == 0 and load_accounts()["anne"].territory == "seraing"

    done = _cli("remove-account", "bob", env=env)
    assert done.returncode == 0 and "bob" not in load_accounts()


def test_import_accounts_needs_a_database(monkeypatch, tmp_path):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    legacy = tmp_path / "accounts.toml"
    add_account("bob", PASSWORD, "admin", path=legacy)
    with pytest.raises(AccountError, match="Aucune base"):
        import_accounts(legacy)


def test_a_database_made_before_accounts_gets_the_table(tmp_path, monkeypatch):
    """An existing version-3 database (issue 12) is migrated when accounts are first used."""
    db = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    from tzcld.ledger.migrations import MIGRATIONS
    from tzcld.ledger.models import Base, SchemaVersion

    with engine.begin() as conn:
        Base.metadata.create_all(conn, tables=[SchemaVersion.__table__])
        for version, description, apply in MIGRATIONS[:3]:
            apply(conn)
            conn.execute(
                SchemaVersion.__table__.insert().values(
                    version=version, description=description, applied_at=__import__("datetime").datetime.now()
                )
            )
    engine.dispose()
    monkeypatch.setenv("TZCLD_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    add_account("anne", PASSWORD, "porteur", "liege")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert applied_versions(conn) == set(range(1, SCHEMA_VERSION + 1))  # 4 (accounts) and on
    engine.dispose()
    dispose_engines()
