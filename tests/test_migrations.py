"""The upgrade path of the database's one schema history: a database as older code wrote it
(``tests/fixtures/schema``, written by ``tools/schema_fixtures.py``) is brought to today's
schema without losing a row, on SQLite and PostgreSQL.

- ``main-0fe91ae``: schema version 3 (ledger, sign-in journal) with the perimeter tables
  created outside any version (``create_all``): upgraded 3 → 5;
- ``issue16-459d717``: version 4 (the local accounts in the database, one account): 4 → 5.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from tzcld.auth import authenticate, dispose_engines
from tzcld.ledger.migrations import MIGRATIONS, SCHEMA_VERSION, applied_versions, migrate
from tzcld.ledger.permissions import Account
from tzcld.ledger.store import make_engine
from tzcld.perimeters.proposals import Proposal
from tzcld.perimeters.store import versions_table
from tzcld.runtime import Runtime, Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schema"
#: Fixture name → the schema version it is at.
DUMPS = {"main-0fe91ae": 3, "issue16-459d717": 4}
PASSWORD = "un-mot-de-passe-solide"  # of the account in the issue-16 fixture
TABLES = ("observations", "signin_events", "perimeter_versions", "accounts")


def _load_sqlite(name: str, folder: Path) -> str:
    path = folder / f"{name}.sqlite"
    conn = sqlite3.connect(path)
    try:
        conn.executescript((FIXTURES / f"{name}.sqlite.sql").read_text(encoding="utf-8"))
    finally:
        conn.close()
    return f"sqlite:///{path}"


def _pg_statements(dump: str) -> list[str]:
    """The SQL statements of a ``pg_dump --inserts`` file (no psql meta-commands, no comments)."""
    lines = [ln for ln in dump.splitlines() if not ln.startswith(("\\", "--"))]
    return [part.strip() for part in "\n".join(lines).split(";\n") if part.strip()]


def _load_postgresql(name: str, url: str) -> str:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in _pg_statements((FIXTURES / f"{name}.postgresql.sql").read_text(encoding="utf-8")):
            conn.execute(statement)  # type: ignore[call-overload]  # a statement read from the dump
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """``load(fixture name) -> URL`` of a fresh database holding that fixture."""
    if request.param == "sqlite":
        folder = request.getfixturevalue("tmp_path")
        yield lambda name: _load_sqlite(name, folder)
    else:
        yield lambda name: _load_postgresql(name, request.getfixturevalue("fresh_postgres_url"))
    dispose_engines()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        have = set(inspect(conn).get_table_names())
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES if t in have}


def _rows(engine: Engine, table: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()]


@pytest.mark.parametrize("dump", list(DUMPS))
def test_an_older_database_is_upgraded_without_losing_a_row(backend, dump):
    url = backend(dump)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert applied_versions(conn) == set(range(1, DUMPS[dump] + 1))
    before = _counts(engine)
    assert before["perimeter_versions"] == 2 and before["observations"] > 0 and before["signin_events"] == 1
    versions_before = _rows(engine, "perimeter_versions")

    assert migrate(engine) == list(range(DUMPS[dump] + 1, SCHEMA_VERSION + 1))
    assert migrate(engine) == []  # once only
    with engine.connect() as conn:
        assert applied_versions(conn) == {v for v, _d, _f in MIGRATIONS}
        columns = {c["name"] for c in inspect(conn).get_columns("perimeter_versions")}
    assert columns == {c.name for c in versions_table.c}
    after = _counts(engine)
    assert after == {**before, "accounts": before.get("accounts", 0)}  # the accounts table added when missing
    assert _rows(engine, "perimeter_versions") == versions_before  # every row and value kept
    engine.dispose()

    # today's code reads and writes the upgraded database
    rt = Runtime(Settings.from_env().replace(database_url=url))
    store = rt.perimeter_store(create=False)
    assert store is not None
    assert [v.status for v in store.versions(territory_id="gembloux")] == ["approved", "pending"]
    approved = store.versions(status="approved")[0]
    assert approved.reason == "plan officiel" and approved.created_by == "anne"
    assert rt.perimeters.status() == "ok" and "gembloux" in rt.perimeters.resolve().versions
    rows = store.rows(approved.id)
    anne = Account("anne", "porteur", "gembloux", "Anne")
    new_id = store.propose(anne, Proposal("gembloux", "file", rows, {}), "nouvelle annexe", "convention, annexe 4")
    assert new_id == 3 and store.get(new_id) is not None  # the id sequence continues after the old rows
    ledger = rt.ledger_store()
    frame = ledger.observations_frame(include_superseded=True)
    assert "Rapport du porteur de Gembloux" in set(frame["source_title"])  # the person's entry is kept
    if "accounts" in before:
        assert authenticate("anne", PASSWORD, database=url) == anne
    rt.close()


def test_the_migration_defines_the_table_the_store_queries():
    """Migration 5 writes ``perimeter_versions`` as it is at version 5; the store's model must
    say the same columns, types and nullability (a change of one needs a new migration)."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine("sqlite://")
    migrate(engine)
    with engine.connect() as conn:
        made = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspect(conn).get_columns("perimeter_versions")}
        indexes = {i["name"] for i in inspect(conn).get_indexes("perimeter_versions")}
    model = MetaData()
    versions_table.to_metadata(model)
    other = create_engine("sqlite://")
    model.create_all(other)
    with other.connect() as conn:
        wanted = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspect(conn).get_columns("perimeter_versions")}
        wanted_indexes = {i["name"] for i in inspect(conn).get_indexes("perimeter_versions")}
    assert made == wanted and indexes == wanted_indexes
    with engine.connect() as conn:
        assert conn.execute(select(versions_table.c.id)).all() == []
