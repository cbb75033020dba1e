"""The one policy for "the database is down", shared by every reader of the database.

Readers (the published perimeters, the ledger's observations on the public pages and in the
static export, the API, ``check``) go through :meth:`DatabaseFallback.attempt`:

- a database error (:func:`tzcld.errors.is_database_error`: unreachable server, bad URL,
  damaged or unreadable file) is caught, logged as a warning with its kind (never the URL,
  which may hold a password), and the caller uses its fallback (the committed perimeters,
  the published facts) and says so;
- for :data:`RETRY_AFTER_S` seconds after a failure the database is left alone (a server
  that does not answer does not make every request wait for its time-out), then tried again;
- any other exception is a bug and propagates.

A database that does not exist yet (a SQLite file not created) is not a failure: the
readers check :meth:`tzcld.runtime.Runtime.database_missing` first and create nothing.
One :class:`DatabaseFallback` per :class:`tzcld.runtime.Runtime` (one database).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from tzcld.errors import is_database_error

#: Seconds before a database that could not be read is tried again.
RETRY_AFTER_S = 60.0

T = TypeVar("T")
log = logging.getLogger(__name__)


class DatabaseFallback:
    """When the database failed last, and why (see the module docstring)."""

    def __init__(self, retry_after_s: float = RETRY_AFTER_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_after_s = retry_after_s
        self.clock = clock
        self._failed: tuple[float, str] | None = None
        self._lock = threading.Lock()

    @property
    def unavailable(self) -> str | None:
        """The kind of the last failure while the database is left alone, else ``None``."""
        failed = self._failed
        if failed is None or self.clock() - failed[0] >= self.retry_after_s:
            return None
        return failed[1]

    def failed(self, exc: BaseException, what: str = "The database", instead: str = "the fallback is") -> str:
        """Record a database failure (``exc``) and return its kind (the exception's type
        name); the log says ``what`` failed and what is ``instead`` used."""
        kind = type(exc).__name__
        with self._lock:
            self._failed = (self.clock(), kind)
        log.warning("%s unavailable (%s); %s used for %.0f s.", what, kind, instead, self.retry_after_s)
        return kind

    def succeeded(self) -> None:
        with self._lock:
            self._failed = None

    def attempt(
        self, read: Callable[[], T], what: str = "The database", instead: str = "the fallback is"
    ) -> tuple[T | None, str | None]:
        """``(read(), None)``; or ``(None, kind)`` when the database is left alone or ``read``
        fails with a database error (then it is left alone for :attr:`retry_after_s` s; the
        warning names ``what`` failed and what is used ``instead``)."""
        waiting = self.unavailable
        if waiting is not None:
            return None, waiting
        try:
            value = read()
        except Exception as exc:
            if not is_database_error(exc):
                raise
            return None, self.failed(exc, what, instead)
        self.succeeded()
        return value, None
