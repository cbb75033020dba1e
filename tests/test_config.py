"""Settings: where runtime state lives, and whether a database file exists yet."""

from __future__ import annotations

from pathlib import Path

from tzcld.config import SQLITE_FILE, database_file_missing
from tzcld.runtime import Settings


def test_default_database_file_missing_until_created(tmp_path, monkeypatch):
    monkeypatch.setenv("TZCLD_DATA_DIR", str(tmp_path / "state"))
    settings = Settings.from_env()
    assert database_file_missing(settings.database_url) and settings.database_missing()
    assert not (tmp_path / "state").exists()  # asking creates nothing
    (tmp_path / "state").mkdir()
    (settings.data_dir / SQLITE_FILE).touch()
    assert not database_file_missing(settings.database_url)


def test_configured_urls(tmp_path):
    db = tmp_path / "x.sqlite"
    assert database_file_missing(f"sqlite:///{db}")
    assert database_file_missing(f"sqlite+pysqlite:///{db}?mode=ro")
    db.touch()
    assert not database_file_missing(f"sqlite:///{db}")
    # in-memory and server databases are never "a missing file"
    assert not database_file_missing("sqlite://")
    assert not database_file_missing("sqlite:///:memory:")
    assert not database_file_missing("postgresql://tzcld@127.0.0.1:5432/tzcld")


def test_where_the_settings_put_the_accounts(tmp_path):
    """Accounts in the database when TZCLD_DATABASE_URL is set (every replica sees them), unless
    TZCLD_ACCOUNTS_FILE is set too (one host); a URL from Streamlit secrets alone keeps the file."""
    data = {"TZCLD_DATA_DIR": str(tmp_path)}
    plain = Settings.from_env(environ=data).accounts
    assert not plain.in_database and plain.path == tmp_path / "accounts.toml"
    url = "postgresql://tzcld:pw@db/tzcld"
    shared = Settings.from_env(environ={**data, "TZCLD_DATABASE_URL": url}).accounts
    assert shared.in_database and shared.url == "postgresql+psycopg://tzcld:pw@db/tzcld"
    one_host = Settings.from_env(environ={**data, "TZCLD_DATABASE_URL": url, "TZCLD_ACCOUNTS_FILE": "/x/a.toml"})
    assert one_host.accounts.path == Path("/x/a.toml")
    secrets_only = Settings.from_env(secrets={"database": {"url": url}}, environ=data)
    assert secrets_only.database_url.startswith("postgresql+psycopg://") and not secrets_only.accounts.in_database
    # a CLI's --database for the ledger does not move the accounts
    assert not Settings.from_env(environ=data).replace(database_url=url).accounts.in_database


def test_publish_settings_are_checked_when_used(tmp_path):
    import pytest

    from tzcld.config import SettingError

    env = {"TZCLD_PUBLISH_DIR": str(tmp_path / "site"), "TZCLD_PUBLISH_INTERVAL": "5", "TZCLD_PUBLISH_KEEP": "2"}
    publish = Settings.from_env(environ=env).publish
    assert (publish.folder, publish.interval_s, publish.keep) == (tmp_path / "site", 5, 2)
    defaults = Settings.from_env(environ={}).publish
    assert (defaults.folder, defaults.interval_s, defaults.keep) == (None, 30, 3)
    bad = Settings.from_env(environ={"TZCLD_PUBLISH_INTERVAL": "1"})  # built: the pages do not care
    with pytest.raises(SettingError, match="TZCLD_PUBLISH_INTERVAL"):
        _ = bad.publish
