"""Versioned schema migrations, applied in order, each once, under a lock.

Add a migration by appending ``(version, description, function)`` to
:data:`MIGRATIONS`; never edit an applied one. Each function receives a
:class:`sqlalchemy.Connection` inside the migrating transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select, text

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


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "observations table (append-only, supersedes_id, seed_key)", _v1_initial),
    (
        2,
        "observations: date precision and note, qualifier, source kind, note; fact_key and retractions",
        _v2_fact_provenance,
    ),
    (3, "restore marks on observations, sign-in journal (throttling)", _v3_restore_marks_and_signin_journal),
    (4, "local accounts shared by server replicas", _v4_accounts),
)

#: The schema version this code expects.
SCHEMA_VERSION: int = MIGRATIONS[-1][0]

_PG_LOCK_ID = 741_750_725  # arbitrary constant: the ledger's advisory lock


def applied_versions(conn: Connection) -> set[int]:
    if not inspect(conn).has_table(SchemaVersion.__tablename__):
        return set()
    return set(conn.execute(select(SchemaVersion.version)).scalars())


def migrate(engine: Engine) -> list[int]:
    """Bring the database to :data:`SCHEMA_VERSION`; return the versions applied now.

    Safe when several processes start at once: PostgreSQL takes an advisory lock,
    SQLite an immediate (write) transaction.
    """
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
