"""Is the SQLite database whole? ``PRAGMA integrity_check`` before a backup is trusted and
before an import writes.

- :func:`integrity_problems` — what ``PRAGMA integrity_check`` finds in a SQLite file (empty
  list: intact), a file that is no database at all included;
- :func:`ensure_intact` — raise :class:`~tzcld.errors.DatabaseDamaged` for a damaged SQLite
  database behind an engine (imports call it: nothing is written into a damaged file);
- :func:`backup_sqlite` — a copy made with SQLite's online backup API, checked on the source
  *and* on the copy, written atomically (mode 0600), or refused with a French message.

PostgreSQL checks its own pages; these functions do nothing there (``ensure_intact``) or
refuse (``backup_sqlite``: use ``ledger export`` and ``perimeter export``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tzcld.errors import DatabaseDamaged, TzcldError

#: Problems listed by ``PRAGMA integrity_check`` before it stops.
MAX_PROBLEMS = 5


def sqlite_file(url_or_engine: str | Engine) -> Path | None:
    """The file of a SQLite database (URL or engine), ``None`` for another kind or ``:memory:``."""
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(url_or_engine)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` reports for the SQLite file ``path`` (``[]``: intact).

    The file is opened read-only; one that cannot be read as a database is one problem."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})")]
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _detail(problems: list[str]) -> str:
    return " ; ".join(p.strip() for p in problems[:2])[:240]


def ensure_intact(engine: Engine | str) -> None:
    """Raise :class:`~tzcld.errors.DatabaseDamaged` when the SQLite file of ``engine`` (or
    of a URL) fails ``PRAGMA integrity_check`` (nothing to check on PostgreSQL or in memory)."""
    path = sqlite_file(engine)
    if path is None or not path.exists():
        return
    problems = integrity_problems(path)
    if problems:
        raise DatabaseDamaged("errors.database.damaged", path=str(path), detail=_detail(problems))


def backup_sqlite(url: str, out: Path) -> Path:
    """Copy the SQLite database at ``url`` to ``out``, proving both ends.

    The source must pass ``PRAGMA integrity_check`` (else
    ``errors.database.backup_source_damaged``); the copy is made with the online backup API
    (safe while the dashboard writes) into a temporary file beside ``out``, checked in turn
    (else ``errors.database.backup_copy_damaged``, the copy removed), then renamed to ``out``
    (mode 0600: it holds the same data as the database). Raises
    :class:`~tzcld.errors.TzcldError` (French) when it refuses."""
    src = sqlite_file(url)
    if src is None:
        raise TzcldError("errors.database.not_sqlite")
    if not src.exists():
        raise TzcldError("errors.database.missing", path=str(src))
    problems = integrity_problems(src)
    if problems:
        raise DatabaseDamaged("errors.database.backup_source_damaged", path=str(src), detail=_detail(problems))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        problems = integrity_problems(tmp)
        if problems:
            raise DatabaseDamaged("errors.database.backup_copy_damaged", detail=_detail(problems))
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return out


def counts(engine: Engine) -> tuple[int, int]:
    """``(observations, perimeter versions)`` in the database (0 for a missing table)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        observations = (
            conn.execute(text("SELECT COUNT(*) FROM observations")).scalar() if "observations" in tables else 0
        )
        versions = (
            conn.execute(text("SELECT COUNT(*) FROM perimeter_versions")).scalar()
            if "perimeter_versions" in tables
            else 0
        )
    return int(observations or 0), int(versions or 0)
