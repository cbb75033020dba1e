"""Versioned schema migrations, applied in order, each once, under a lock.

Add a migration by appending ``(version, description, function)`` to
:data:`MIGRATIONS`; never edit an applied one. Each function receives a
:class:`sqlalchemy.Connection` inside the migrating transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select, text

from tzcld.ledger.models import Base, ObservationRow, SchemaVersion, SigninEventRow


def _v1_initial(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[ObservationRow.__table__])


def _v2_restore_marks_and_signin_journal(conn: Connection) -> None:
    """Issue 12: ``observations.restored_at`` / ``restored_by`` and the ``signin_events``
    table. Idempotent (each part only if missing), so it may run under another number."""
    have = {c["name"] for c in inspect(conn).get_columns(ObservationRow.__tablename__)}
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    if "restored_at" not in have:
        conn.execute(text(f"ALTER TABLE observations ADD COLUMN restored_at {timestamp}"))
    if "restored_by" not in have:
        conn.execute(text("ALTER TABLE observations ADD COLUMN restored_by VARCHAR(128)"))
    Base.metadata.create_all(conn, tables=[SigninEventRow.__table__], checkfirst=True)


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "observations table (append-only, supersedes_id, seed_key)", _v1_initial),
    (2, "issue 12: restore marks on observations, sign-in journal (throttling)", _v2_restore_marks_and_signin_journal),
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
