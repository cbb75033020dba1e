"""Settings: where runtime state lives, and whether a database file exists yet."""

from __future__ import annotations

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
