"""The schema history of the whole database: versioned migrations, applied in order, each
once, under a lock — the ledger (``observations``), the sign-in journal (``signin_events``),
the local accounts (``accounts``) and the perimeter versions (``perimeter_versions``).

Add a migration by appending ``(version, description, function)`` to
:data:`MIGRATIONS`; never edit an applied one. Each function receives a
:class:`sqlalchemy.Connection` inside the migrating transaction, and is idempotent (each
part only if missing): a database made by older code may already hold what it adds.

Version 5 takes over the perimeter tables, which older code created without a version
(``create_all``, then columns added on every start): a database created by that code (at
version 3, or 4 with the accounts) is brought to version 5 without losing a row
(``tests/test_migrations.py`` replays both, on SQLite and PostgreSQL). The table is defined
in the migration itself as it is at version 5
(:data:`tzcld.perimeters.store.versions_table` is the model the queries use; a test keeps
the two equal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from tzcld.ledger.models import AccountRow, Base, ObservationRow, SchemaVersion, SigninEventRow


def _v1_initial(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[ObservationRow.__table__])


#: Columns added by version 2: name -> DDL type (the same on SQLite and PostgreSQL).
_V2_COLUMNS: dict[str, str] = {
    "date_precision": "VARCHAR(16)",
    "date_note": "TEXT",
    "qualifier": "VARCHAR(16)",
    "source_kind": "VARCHAR(16)",
    "note": "TEXT",
    "retracted": "BOOLEAN NOT NULL DEFAULT {false}",
    "fact_key": "VARCHAR(128)",
}


def _v2_fact_provenance(conn: Connection) -> None:
    """How a figure is known (date precision and note, qualifier, source kind, note), and
    the published facts' keys on seeded rows (``fact_key``) with retractions, so that a
    corrected facts file supersedes the old seed rows instead of duplicating them.

    A database created by this code already has the columns (version 1 creates the table
    from the current model): only the missing ones are added. Seed rows written by the
    old code get ``fact_key = seed_key`` (their key in the old facts), and the next seed
    supersedes or retracts them.
    """
    table = ObservationRow.__tablename__
    have = {c["name"] for c in inspect(conn).get_columns(table)}
    false = "false" if conn.dialect.name == "postgresql" else "0"
    for name, ddl in _V2_COLUMNS.items():
        if name not in have:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl.format(false=false)}"))
    indexes = {i["name"] for i in inspect(conn).get_indexes(table)}
    if "ix_observations_fact_key" not in indexes:
        conn.execute(text(f"CREATE INDEX ix_observations_fact_key ON {table} (fact_key)"))
    conn.execute(text(f"UPDATE {table} SET fact_key = seed_key WHERE seed_key IS NOT NULL AND fact_key IS NULL"))


def _v3_restore_marks_and_signin_journal(conn: Connection) -> None:
    """``observations.restored_at`` / ``restored_by`` and the ``signin_events``
    table. Idempotent (each part only if missing), so it may run under another number."""
    have = {c["name"] for c in inspect(conn).get_columns(ObservationRow.__tablename__)}
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    if "restored_at" not in have:
        conn.execute(text(f"ALTER TABLE observations ADD COLUMN restored_at {timestamp}"))
    if "restored_by" not in have:
        conn.execute(text("ALTER TABLE observations ADD COLUMN restored_by VARCHAR(128)"))
    Base.metadata.create_all(conn, tables=[SigninEventRow.__table__], checkfirst=True)


def _v4_accounts(conn: Connection) -> None:
    """The ``accounts`` table: local accounts shared by every server replica (instead of a
    file on one host's disk) when a database URL is set. Idempotent (created only if missing)."""
    Base.metadata.create_all(conn, tables=[AccountRow.__table__], checkfirst=True)


def _v5_perimeter_versions(conn: Connection) -> None:
    """``perimeter_versions`` (proposed and approved perimeters), as it is at version 5;
    a table made by older code gets the restore columns it lacks (issue 12)."""
    metadata = MetaData()
    Table(
        "perimeter_versions",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("territory_id", String(64), nullable=False),
        Column("method", String(16), nullable=False),
        Column("status", String(16), nullable=False),
        Column("precision", String(32), nullable=False),
        Column("created_by", String(128), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("reason", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("based_on", String(64), nullable=False),
        Column("base_data_version", String(64), nullable=False),
        Column("units", Integer, nullable=False),
        Column("area_m2", Float, nullable=False),
        Column("rows_geojson", Text, nullable=False),
        Column("report", Text, nullable=False),
        Column("decided_by", String(128), nullable=True),
        Column("decided_at", DateTime(timezone=True), nullable=True),
        Column("decision_note", Text, nullable=True),
        Column("restored_at", DateTime(timezone=True), nullable=True),
        Column("restored_by", String(128), nullable=True),
        Column("restore_note", String(32), nullable=True),
        Index("ix_perimeter_versions_territory", "territory_id", "status"),
    )
    metadata.create_all(conn, checkfirst=True)
    have = {c["name"] for c in inspect(conn).get_columns("perimeter_versions")}
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "TIMESTAMP"
    for name, kind in (("restored_at", timestamp), ("restored_by", "VARCHAR(128)"), ("restore_note", "VARCHAR(32)")):
        if name not in have:
            conn.execute(text(f"ALTER TABLE perimeter_versions ADD COLUMN {name} {kind}"))


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "observations table (append-only, supersedes_id, seed_key)", _v1_initial),
    (
        2,
        "observations: date precision and note, qualifier, source kind, note; fact_key and retractions",
        _v2_fact_provenance,
    ),
    (3, "restore marks on observations, sign-in journal (throttling)", _v3_restore_marks_and_signin_journal),
    (4, "local accounts shared by server replicas", _v4_accounts),
    (5, "perimeter versions (until now created without a version), with their restore marks", _v5_perimeter_versions),
)

#: The schema version this code expects.
SCHEMA_VERSION: int = MIGRATIONS[-1][0]

_PG_LOCK_ID = 741_750_725  # arbitrary constant: the schema's advisory lock


def applied_versions(conn: Connection) -> set[int]:
    if not inspect(conn).has_table(SchemaVersion.__tablename__):
        return set()
    return set(conn.execute(select(SchemaVersion.version)).scalars())


def migrate(engine: Engine) -> list[int]:
    """Bring the database to :data:`SCHEMA_VERSION`; return the versions applied now.

    A database already there is only read (no write lock). Otherwise safe when several
    processes start at once: PostgreSQL takes an advisory lock, SQLite an immediate (write)
    transaction, and the versions are read again under it.
    """
    wanted = {version for version, _description, _apply in MIGRATIONS}
    with engine.connect() as conn:
        if applied_versions(conn) >= wanted:
            return []
    done: list[int] = []
    with engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
        Base.metadata.create_all(conn, tables=[SchemaVersion.__table__])
        have = applied_versions(conn)
        for version, description, apply in MIGRATIONS:
            if version in have:
                continue
            apply(conn)
            conn.execute(
                SchemaVersion.__table__.insert().values(
                    version=version,
                    description=description,
                    applied_at=dt.datetime.now(dt.UTC),
                )
            )
            done.append(version)
    return done
