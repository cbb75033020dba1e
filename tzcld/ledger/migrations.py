"""Versioned schema migrations, applied in order, each once, under a lock.

Add a migration by appending ``(version, description, function)`` to
:data:`MIGRATIONS`; never edit an applied one. Each function receives a
:class:`sqlalchemy.Connection` inside the migrating transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select, text

from tzcld.ledger.models import Base, ObservationRow, SchemaVersion


def _v1_initial(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[ObservationRow.__table__])


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "observations table (append-only, supersedes_id, seed_key)", _v1_initial),
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
