"""Which perimeters are published, for every page that draws or uses them (maps, the
address check, the Transparence page) — one small query per run, a back-off when the
database is down.

Light on purpose: nothing heavier than the settings is imported until a database exists,
so a server with no database (the default until someone signs in and saves) never loads
SQLAlchemy for the public pages.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

#: Seconds before a database that could not be read is tried again (meanwhile the
#: committed perimeters are used).
RETRY_AFTER_S = 60.0

log = logging.getLogger(__name__)
#: Per database key: (time it failed, kind of error).
_unavailable: dict[str, tuple[float, str]] = {}


@dataclass(frozen=True)
class PublishedState:
    """``version``: the published version string (the committed ``data_version`` when
    nothing is approved or the database cannot be read); ``key``: which database (cache
    key); ``store``: the perimeter store, ``None`` when there is none to read or it failed;
    ``unavailable``: the kind of error when it failed (never the URL: it may hold a password)."""

    version: str
    key: str
    store: Any = None
    unavailable: str | None = None

    def __iter__(self):  # ``version, key, store = published_state()``
        return iter((self.version, self.key, self.store))


def database_key() -> str:
    """Which database the ledger and the perimeter versions live in (data folder and the
    configured URL, environment or secrets): the key of every cache that depends on it."""
    from tzcld.ui.settings import configured_database_url

    return os.environ.get("TZCLD_DATA_DIR", "") + "|" + (configured_database_url() or "")


def _database() -> tuple[str, bool]:
    """``(key, may hold versions)``: :func:`database_key`, and False when the database is a
    SQLite file that does not exist yet (nothing can have been approved: no database is
    opened or created)."""
    from tzcld.config import database_file_missing
    from tzcld.ui.settings import configured_database_url

    return database_key(), not database_file_missing(configured_database_url())


def published_state() -> PublishedState:
    """The published perimeters' state for this run.

    When the database cannot be read, a warning is logged, the committed perimeters are
    used and the database is tried again after :data:`RETRY_AFTER_S` s (a down server does
    not slow every run). Raises the geodata readers' errors when ``geodata/`` is missing.
    """
    from tzcld.geodata.layers import data_version

    committed = data_version()
    key, exists = _database()
    if not exists:
        return PublishedState(committed, key)
    failed = _unavailable.get(key)
    if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER_S:
        return PublishedState(committed, key, None, failed[1])
    try:
        from tzcld.perimeters.published import published_version
        from tzcld.ui.perimeter import perimeter_store

        store = perimeter_store()
        version = published_version(store)
    except Exception as exc:  # noqa: BLE001 - database down or misconfigured: committed perimeters
        _unavailable[key] = (time.monotonic(), type(exc).__name__)
        log.warning(
            "Perimeter versions unavailable (%s); the committed perimeters are used for %.0f s.",
            type(exc).__name__,
            RETRY_AFTER_S,
        )
        return PublishedState(committed, key, None, type(exc).__name__)
    _unavailable.pop(key, None)
    return PublishedState(version, key, store)
