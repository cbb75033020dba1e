"""One base class for the errors people see, and the French message for any other failure.

A :class:`TzcldError` carries a message key of the catalogues (``tzcld/locales``) and its
parameters; whoever shows it (the CLI's top handler, a page) renders it in the reader's
language with :meth:`TzcldError.message`. ``str(exc)`` is the French message.

:func:`describe` turns *any* exception into a message and an exit code without showing
internals: a database that cannot be reached or is damaged, a file or folder that cannot be
read or written, memory exhausted, or — for everything else — "erreur inattendue" with the
exception's type only (never a traceback, a server path or a database URL; set
``TZCLD_DEBUG=1`` to get the traceback, see :attr:`tzcld.runtime.Settings.debug`).
"""

from __future__ import annotations

from typing import ClassVar

from tzcld.i18n import DEFAULT_LANG, t

#: Exit codes of ``python -m tzcld``: 2 = unusable input or refused request (a
#: :class:`TzcldError`), 1 = the operation failed (database, disk, unexpected error).
EXIT_REFUSED = 2
EXIT_FAILED = 1


class TzcldError(Exception):
    """An error with a user-facing message: catalogue key ``key`` and its ``params``.

    Subclasses set :attr:`domain` when their keys are relative to one catalogue domain
    (``PerimeterError("file.empty")`` → ``perimeter.file.empty``); by default ``key`` is
    complete (``"check.file.empty"``). :attr:`exit_code` is what the CLI exits with.
    """

    domain: ClassVar[str] = ""
    exit_code: ClassVar[int] = EXIT_REFUSED

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message(DEFAULT_LANG))

    @property
    def message_key(self) -> str:
        """The full catalogue key (``domain.key``)."""
        return f"{self.domain}.{self.key}" if self.domain else self.key

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang`` (French by default)."""
        return t(self.message_key, lang, **self.params)

    def __str__(self) -> str:
        return self.message(DEFAULT_LANG)


class FileTooLarge(TzcldError):
    """A file beyond a reading limit (size once decompressed, rows, cells, columns...).

    Keys of the ``errors.limit`` family; ``params`` name what was found and the limit."""


class DatabaseDamaged(TzcldError):
    """A SQLite database that fails ``PRAGMA integrity_check``: nothing is read from or
    written to it until it is restored (``errors.database.damaged*``)."""

    exit_code = EXIT_FAILED


class DatabaseUnavailable(TzcldError):
    """The database cannot be reached (server down, wrong address): ``errors.database.unreachable``."""

    exit_code = EXIT_FAILED


#: Drivers SQLAlchemy imports for databases other than SQLite and PostgreSQL (psycopg 3): a URL
#: naming one is a bad database URL here, not an unexpected error.
DATABASE_DRIVERS = frozenset(
    {"MySQLdb", "pymysql", "mysql", "mariadb", "cx_Oracle", "oracledb", "pyodbc", "pymssql", "psycopg2", "asyncpg"}
)


def database_error_kind(exc: BaseException) -> str | None:
    """``"damaged"``, ``"unreachable"`` or ``None`` for a database error, from its type
    and driver message (SQLAlchemy and the drivers are imported only if already loaded)."""
    import sqlite3
    import sys

    text = str(getattr(exc, "orig", None) or exc).lower()
    damaged = ("malformed", "not a database", "file is encrypted", "disk image", "corrupt")
    if isinstance(exc, sqlite3.DatabaseError) or isinstance(getattr(exc, "orig", None), sqlite3.DatabaseError):
        if any(word in text for word in damaged):
            return "damaged"
        if "unable to open" in text or "locked" in text or "readonly" in text:
            return "unreachable"
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None:
        if isinstance(exc, sa_exc.DatabaseError) and any(word in text for word in damaged):
            return "damaged"
        if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
            return "unreachable"
        if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
            return "bad_url"
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in DATABASE_DRIVERS:
        return "bad_url"  # a database this project does not speak (mysql://…): its driver is not installed
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.OperationalError):
        return "unreachable"
    return None


def is_database_error(exc: BaseException) -> bool:
    """True when ``exc`` means "the database cannot be read now": unreachable, damaged, a bad
    URL (:func:`database_error_kind`), :class:`DatabaseDamaged` / :class:`DatabaseUnavailable`,
    or an ``OSError`` (an unreadable SQLite file, a refused connection). Readers fall back on
    these (:mod:`tzcld.fallback`); anything else is a bug and is not hidden."""
    if isinstance(exc, (DatabaseDamaged, DatabaseUnavailable, OSError)):
        return True
    return database_error_kind(exc) is not None


#: ``errno`` names whose reason is said in the reader's language (``errors.reason.<name>``);
#: any other keeps the system's words.
OS_REASONS: tuple[str, ...] = (
    "ENOENT",
    "EACCES",
    "EPERM",
    "EISDIR",
    "ENOTDIR",
    "EEXIST",
    "ENOSPC",
    "EDQUOT",
    "EROFS",
    "EBUSY",
    "EIO",
    "ENAMETOOLONG",
    "EMFILE",
)


def os_reason(exc: OSError, lang: str = DEFAULT_LANG) -> str:
    """Why ``exc`` happened, in ``lang`` ("permission refusée", "disque plein"…) for the
    common ``errno`` values (:data:`OS_REASONS`), else the system's text or the error's type."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if name in OS_REASONS:
        return t(f"errors.reason.{name}", lang)
    return exc.strerror or type(exc).__name__


def describe(exc: BaseException, lang: str = DEFAULT_LANG) -> tuple[str, int]:
    """``(message, exit code)`` for any exception, with no internals: see module docstring."""
    if isinstance(exc, TzcldError):
        return exc.message(lang), exc.exit_code
    kind = database_error_kind(exc)
    if kind == "damaged":
        return t("errors.database.damaged_generic", lang), EXIT_FAILED
    if kind == "unreachable":
        return t("errors.database.unreachable", lang), EXIT_FAILED
    if kind == "bad_url":
        return t("errors.database.bad_url", lang), EXIT_REFUSED
    if isinstance(exc, MemoryError):
        return t("errors.memory", lang), EXIT_FAILED
    if isinstance(exc, OSError):
        name = getattr(exc, "filename", None)
        reason = os_reason(exc, lang)
        if name:
            return t("errors.os_file", lang, path=name, reason=reason), EXIT_FAILED
        return t("errors.os", lang, reason=reason), EXIT_FAILED
    if isinstance(exc, UnicodeError):
        return t("errors.encoding", lang), EXIT_REFUSED
    return t("errors.unexpected", lang, kind=type(exc).__name__), EXIT_FAILED
