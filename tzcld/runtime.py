"""The runtime: the settings, read once, and the one object that owns the database and the
heavy things built from it.

**Settings** (:class:`Settings`, frozen) come from the environment and, for the dashboard,
Streamlit secrets (passed in by :mod:`tzcld.ui.runtime`; never read here or below): this is
the only module that reads ``os.environ``. Every other module gets the values it needs as
arguments. A setting that cannot be used raises :class:`tzcld.config.SettingError` (a French
message naming it) — when it is *used*: a bad API limit stops ``serve-api``, not the public
pages.

=================================  =========================================  ==================
variable (or Streamlit secret)     field                                      default
=================================  =========================================  ==================
``TZCLD_DATA_DIR``                 :attr:`Settings.data_dir`                  see below
``TZCLD_RAW_DIR``                  :attr:`Settings.raw_dir`                   see below
``TZCLD_DATABASE_URL``, secrets    :attr:`Settings.database_url`              SQLite in data dir
``TZCLD_DATABASE_URL`` or
``[database] url``
``TZCLD_ADDRESS_INDEX``            :attr:`Settings.address_index`             ``<data>/address_index``
``TZCLD_ACCOUNTS_FILE``            :attr:`Settings.accounts_file`             ``<data>/accounts.toml``
                                   :attr:`Settings.accounts` (file or database, see below)
``TZCLD_DEMO``, secrets            :attr:`Settings.demo`                      off
``TZCLD_DEMO`` or ``[tzcld] demo``
``TZCLD_GEOCODER_URL``             :attr:`Settings.geocoder_url`              none
``TZCLD_DEBUG``                    :attr:`Settings.debug`                     off
secrets ``[auth]``                 :attr:`Settings.oidc`                      off
``TZCLD_MAX_*``                    :attr:`Settings.file_limits`               :class:`FileLimits`
``TZCLD_PAGE_MAX_ROWS``            :attr:`Settings.page_max_rows`             50 000
``TZCLD_SIGNIN_MAX_FAILURES``,     :attr:`Settings.signin_policy`             :class:`SigninPolicy`
``TZCLD_SIGNIN_LOCK_MINUTES``
``TZCLD_TRUSTED_PROXIES``          :attr:`Settings.trusted_proxies`           none
``TZCLD_API_*``                    :attr:`Settings.api`                       :class:`ApiSettings`
``TZCLD_OPEN_DATA_*``,             :attr:`Settings.open_data`                 nothing chosen
``TZCLD_PUBLIC_URL``
``TZCLD_PUBLISH_DIR``,             :attr:`Settings.publish`                   :class:`PublishSettings`
``TZCLD_PUBLISH_INTERVAL``,
``TZCLD_PUBLISH_KEEP``
=================================  =========================================  ==================

Local accounts (:attr:`Settings.accounts`, :class:`tzcld.auth.AccountsLocation`) live in the
database when a database URL is configured (every server replica sees them), unless
``TZCLD_ACCOUNTS_FILE`` is set explicitly (one host); otherwise in ``<data>/accounts.toml``.

Default folders: running from the repository (:data:`tzcld.config.FROM_CHECKOUT`), the data
folder is ``data/`` at its root and the raw inputs ``../shared/geodata`` beside it; an
installed package uses a user folder, ``$XDG_DATA_HOME/tzcld`` (``~/.local/share/tzcld``),
and its ``raw/`` sub-folder.

**Runtime** (:class:`Runtime`) owns the engine of the configured database and hands out the
ledger store, the perimeter store, the sign-in journal, the published perimeters (with the
one fallback policy when the database is down, :mod:`tzcld.fallback`), the classifier, the
geocoders and the checker. A SQLite file that does not exist is never created by a read:
:meth:`Runtime.perimeter_store` and :meth:`Runtime.ledger_store` with ``create=False`` answer
``None``, the published perimeters are the committed ones, the observations the facts file.

- CLIs: ``Runtime(Settings.from_env().replace(database_url=args.database))``;
- pages: :func:`tzcld.ui.runtime.runtime`, one ``st.cache_resource`` keyed by :class:`Settings`;
- the API (``serve-api``): one runtime per process (:meth:`tzcld.api.ApiDependencies.from_runtime`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from tzcld.config import (
    FROM_CHECKOUT,
    GEODATA_DIR,
    OPEN_DATA_LICENCES,
    PAGE_MAX_ROWS_DEFAULT,
    REPO_ROOT,
    SQLITE_FILE,
    ApiSettings,
    FileLimits,
    OpenDataChoices,
    PublishSettings,
    SettingError,
    SigninPolicy,
    database_file_missing,
    normalise_database_url,
)
from tzcld.fallback import RETRY_AFTER_S, DatabaseFallback
from tzcld.i18n import DEFAULT_LANG

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from tzcld.auth import AccountsLocation
    from tzcld.check import Checker
    from tzcld.eligibility import Classifier
    from tzcld.geocode.base import Geocoder
    from tzcld.geocode.register import RegisterGeocoder
    from tzcld.ledger.store import Store
    from tzcld.ledger.throttle import SigninThrottle
    from tzcld.perimeters.provider import PerimeterProvider, Perimeters
    from tzcld.perimeters.store import PerimeterStore

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Values read as "on" (``TZCLD_DEMO``, ``TZCLD_DEBUG``).
TRUE_WORDS = frozenset({"1", "true", "yes", "oui", "on"})

#: ``TZCLD_MAX_*`` variables → (:class:`FileLimits` field, unit).
FILE_LIMIT_SETTINGS: dict[str, tuple[str, int]] = {
    "TZCLD_MAX_FILE_MB": ("max_file_bytes", 1_000_000),
    "TZCLD_MAX_UNCOMPRESSED_MB": ("max_uncompressed_bytes", 1_000_000),
    "TZCLD_MAX_ROWS": ("max_rows", 1),
    "TZCLD_MAX_CELLS": ("max_cells", 1),
    "TZCLD_MAX_COLUMNS": ("max_columns", 1),
}


@dataclass(frozen=True)
class SettingProblem:
    """A setting that could not be read (kept until the setting is used)."""

    name: str
    value: str
    expected: str

    def error(self) -> SettingError:
        return SettingError(self.name, self.value, self.expected)


def _checked(value: Any) -> Any:
    if isinstance(value, SettingProblem):
        raise value.error()
    return value


#: Fields of :class:`Settings` checked when used (public name → stored field).
_CHECKED = {
    "file_limits": "checked_file_limits",
    "page_max_rows": "checked_page_max_rows",
    "signin_policy": "checked_signin_policy",
    "trusted_proxies": "checked_trusted_proxies",
    "api": "checked_api",
    "open_data": "checked_open_data",
    "publish": "checked_publish",
}


@dataclass(frozen=True)
class Settings:
    """Every setting of a run (see the module docstring). Build it with :meth:`from_env`;
    change it with :meth:`replace` (the CLIs' options). Hashable: the pages' key of their
    :class:`Runtime`."""

    data_dir: Path
    raw_dir: Path
    #: The SQLAlchemy URL (``postgres(ql)://`` gets the psycopg 3 driver).
    database_url: str
    address_index: Path
    accounts_file: Path
    demo: bool = False
    geocoder_url: str | None = None
    debug: bool = False
    #: ``TZCLD_ACCOUNTS_FILE`` was set (it then keeps the accounts in that file even with a
    #: database URL); ``database_configured``: ``TZCLD_DATABASE_URL`` was set, so local
    #: accounts live in that database (a URL from Streamlit secrets alone, or a CLI's
    #: ``--database`` for another command than the accounts', keeps them where they were).
    accounts_file_explicit: bool = False
    database_configured: bool = False
    #: Streamlit secrets configure an OpenID Connect provider (``[auth]`` with ``redirect_uri``).
    oidc: bool = False
    checked_file_limits: FileLimits | SettingProblem = field(default_factory=FileLimits)
    checked_page_max_rows: int | SettingProblem = PAGE_MAX_ROWS_DEFAULT
    checked_signin_policy: SigninPolicy | SettingProblem = field(default_factory=SigninPolicy)
    checked_trusted_proxies: tuple[IPNetwork, ...] | SettingProblem = ()
    checked_api: ApiSettings | SettingProblem = field(default_factory=ApiSettings)
    checked_open_data: OpenDataChoices | SettingProblem = field(default_factory=OpenDataChoices)
    checked_publish: PublishSettings | SettingProblem = field(default_factory=PublishSettings)

    # ------------------------------------------------------------------ checked when used
    @property
    def file_limits(self) -> FileLimits:
        """Reading limits of every table file (raises :class:`SettingError`)."""
        return _checked(self.checked_file_limits)

    @property
    def page_max_rows(self) -> int:
        """Most data rows of a file checked on the Vérifier page (raises :class:`SettingError`)."""
        return _checked(self.checked_page_max_rows)

    @property
    def page_file_limits(self) -> FileLimits:
        """The reading limits of the Vérifier page: :attr:`file_limits` with at most
        :attr:`page_max_rows` rows (raises :class:`SettingError`)."""
        return self.file_limits.tightened(max_rows=self.page_max_rows)

    @property
    def signin_policy(self) -> SigninPolicy:
        """Local sign-in throttling (raises :class:`SettingError`)."""
        return _checked(self.checked_signin_policy)

    @property
    def trusted_proxies(self) -> tuple[IPNetwork, ...]:
        """Reverse proxies whose ``X-Forwarded-For`` is believed (raises :class:`SettingError`)."""
        return _checked(self.checked_trusted_proxies)

    @property
    def api(self) -> ApiSettings:
        """The API's limits and keys (raises :class:`SettingError`)."""
        return _checked(self.checked_api)

    @property
    def open_data(self) -> OpenDataChoices:
        """Licence, publisher and public address of the open data (raises :class:`SettingError`)."""
        return _checked(self.checked_open_data)

    @property
    def publish(self) -> PublishSettings:
        """Where and how ``export-site --atomic/--follow`` publishes (raises :class:`SettingError`)."""
        return _checked(self.checked_publish)

    @property
    def accounts(self) -> AccountsLocation:
        """Where the local accounts are: the database when a database URL is configured and
        ``TZCLD_ACCOUNTS_FILE`` is not set, else the accounts file."""
        from tzcld.auth import AccountsLocation

        if self.database_configured and not self.accounts_file_explicit:
            return AccountsLocation("database", url=self.database_url)
        return AccountsLocation("file", path=self.accounts_file)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_env(cls, secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of the environment (``environ``, default ``os.environ``) and, for the
        dashboard, Streamlit ``secrets`` (a mapping; ``None``: none). Never raises: a value
        that cannot be used is said when the setting is used."""
        env: Mapping[str, str] = os.environ if environ is None else environ
        secrets = secrets or {}

        def get(name: str) -> str:
            return str(env.get(name) or "").strip()

        data_dir = Path(get("TZCLD_DATA_DIR")).expanduser() if get("TZCLD_DATA_DIR") else _default_data_dir(env)
        raw_dir = Path(get("TZCLD_RAW_DIR")).expanduser() if get("TZCLD_RAW_DIR") else _default_raw_dir(data_dir)
        url = get("TZCLD_DATABASE_URL") or _secret(secrets, "TZCLD_DATABASE_URL") or _secret(secrets, "database", "url")
        if get("TZCLD_DEMO"):
            demo = get("TZCLD_DEMO").lower() in TRUE_WORDS
        else:
            raw_demo = _secret(secrets, "TZCLD_DEMO")
            raw_demo = _secret(secrets, "tzcld", "demo") if raw_demo is None else raw_demo
            demo = raw_demo is not None and str(raw_demo).strip().lower() in TRUE_WORDS
        index = get("TZCLD_ADDRESS_INDEX")
        accounts = get("TZCLD_ACCOUNTS_FILE")
        return cls(
            data_dir=data_dir,
            raw_dir=raw_dir,
            database_url=normalise_database_url(str(url)) if url else f"sqlite:///{data_dir / SQLITE_FILE}",
            address_index=Path(index).expanduser() if index else data_dir / "address_index",
            accounts_file=Path(accounts).expanduser() if accounts else data_dir / "accounts.toml",
            accounts_file_explicit=bool(accounts),
            database_configured=bool(get("TZCLD_DATABASE_URL")),
            demo=demo,
            geocoder_url=get("TZCLD_GEOCODER_URL") or None,
            debug=get("TZCLD_DEBUG").lower() in TRUE_WORDS,
            oidc=bool(_secret(secrets, "auth")) and bool(_secret(secrets, "auth", "redirect_uri")),
            checked_file_limits=_attempt(_file_limits, env),
            checked_page_max_rows=_attempt(lambda e: _int(e, "TZCLD_PAGE_MAX_ROWS", PAGE_MAX_ROWS_DEFAULT), env),
            checked_signin_policy=_attempt(_signin_policy, env),
            checked_trusted_proxies=_attempt(_trusted_proxies, env),
            checked_api=_attempt(_api, env),
            checked_open_data=_attempt(_open_data, env),
            checked_publish=_attempt(_publish, env),
        )

    def replace(self, **changes: Any) -> Settings:
        """These settings with ``changes`` (fields by name, ``file_limits=``, ``api=``…);
        ``None`` values are ignored (an option not given); a ``database_url`` is normalised
        like the environment's; ``api_root_path`` sets :attr:`ApiSettings.root_path`."""
        values = {k: v for k, v in changes.items() if v is not None}
        if "database_url" in values:
            values["database_url"] = normalise_database_url(str(values["database_url"]))
        if "accounts_file" in values:
            values.setdefault("accounts_file_explicit", True)
        for name in ("data_dir", "raw_dir", "address_index", "accounts_file"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        if "api_root_path" in values:
            values["api"] = dataclasses.replace(self.api, root_path=_root_path(str(values.pop("api_root_path"))))
        for public, stored in _CHECKED.items():
            if public in values:
                values[stored] = values.pop(public)
        return dataclasses.replace(self, **values)

    def database_missing(self) -> bool:
        """True when the database is a SQLite file that does not exist yet."""
        return database_file_missing(self.database_url)


def _secret(secrets: Mapping[str, Any], *path: str) -> Any:
    node: Any = secrets
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _default_data_dir(env: Mapping[str, str]) -> Path:
    if FROM_CHECKOUT:
        return REPO_ROOT / "data"
    base = str(env.get("XDG_DATA_HOME") or "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".local" / "share") / "tzcld"


def _default_raw_dir(data_dir: Path) -> Path:
    return REPO_ROOT.parent / "shared" / "geodata" if FROM_CHECKOUT else data_dir / "raw"


def _attempt(parse: Callable[[Mapping[str, str]], Any], env: Mapping[str, str]) -> Any:
    try:
        return parse(env)
    except SettingError as exc:
        params = exc.params
        return SettingProblem(str(params["name"]), str(params["value"]), str(params["expected"]))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = str(env.get(name) or "").strip().replace("_", "").replace(" ", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(name, raw, f">= {minimum}") from None
    if value < minimum:
        raise SettingError(name, raw, f">= {minimum}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(env.get(name) or "").split(",") if part.strip())


def _file_limits(env: Mapping[str, str]) -> FileLimits:
    """:class:`FileLimits` defaults (200 Mo as received, 500 Mo once decompressed, 1 000 000
    rows, 10 000 000 cells, 500 columns), each overridable (:data:`FILE_LIMIT_SETTINGS`)."""
    defaults = FileLimits()
    values = {}
    for name, (field_, unit) in FILE_LIMIT_SETTINGS.items():
        values[field_] = _int(env, name, getattr(defaults, field_) // unit) * unit
    return dataclasses.replace(defaults, **values)


def _signin_policy(env: Mapping[str, str]) -> SigninPolicy:
    """``TZCLD_SIGNIN_MAX_FAILURES`` (default 10) and ``TZCLD_SIGNIN_LOCK_MINUTES`` (default
    15); an address is locked after 5 × as many failures."""
    failures = _int(env, "TZCLD_SIGNIN_MAX_FAILURES", SigninPolicy.max_failures, minimum=2)
    return SigninPolicy(
        max_failures=failures,
        lock_minutes=_int(env, "TZCLD_SIGNIN_LOCK_MINUTES", SigninPolicy.lock_minutes),
        free_failures=min(SigninPolicy.free_failures, failures - 1),
        address_failures=5 * failures,
    )


def _trusted_proxies(env: Mapping[str, str]) -> tuple[IPNetwork, ...]:
    """``TZCLD_TRUSTED_PROXIES``: comma-separated addresses or networks (``127.0.0.1,
    10.0.0.0/8``); none by default (``X-Forwarded-For`` is then ignored: anyone can write it)."""
    out = []
    for part in str(env.get("TZCLD_TRUSTED_PROXIES") or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError("TZCLD_TRUSTED_PROXIES", part, "IP, IP/n") from None
    return tuple(out)


def _root_path(raw: str) -> str:
    raw = raw.strip().rstrip("/")
    if raw and not raw.startswith("/"):
        raise SettingError("TZCLD_API_ROOT_PATH", raw[:40], "un chemin commençant par /")
    return raw


def _api(env: Mapping[str, str]) -> ApiSettings:
    """``TZCLD_API_MAX_BODY_BYTES`` (16 Kio), ``TZCLD_API_MAX_FILE_BYTES`` (20 Mio),
    ``TZCLD_API_MAX_ROWS`` (200 000 data rows of a file),
    ``TZCLD_API_RATE_LIMIT`` (120 per minute; 0: none), ``TZCLD_API_KEYS`` (comma-separated)
    and/or ``TZCLD_API_KEYS_FILE`` (one key per line, ``#`` comments; keys of 16 characters
    at least), ``TZCLD_API_CORS_ORIGINS``, ``TZCLD_API_ROOT_PATH``."""
    defaults = ApiSettings()
    keys = list(_list(env, "TZCLD_API_KEYS"))
    path = str(env.get("TZCLD_API_KEYS_FILE") or "").strip()
    if path:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError:
            raise SettingError("TZCLD_API_KEYS_FILE", path[:60], "un fichier lisible") from None
        keys += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if any(len(k) < 16 for k in keys):
        raise SettingError("TZCLD_API_KEYS", "…", "des clés d'au moins 16 caractères")
    return ApiSettings(
        max_body_bytes=_int(env, "TZCLD_API_MAX_BODY_BYTES", defaults.max_body_bytes, minimum=256),
        max_file_bytes=_int(env, "TZCLD_API_MAX_FILE_BYTES", defaults.max_file_bytes, minimum=1024),
        max_rows=_int(env, "TZCLD_API_MAX_ROWS", defaults.max_rows),
        rate_limit=_int(env, "TZCLD_API_RATE_LIMIT", defaults.rate_limit, minimum=0),
        api_keys=tuple(dict.fromkeys(keys)),
        cors_origins=_list(env, "TZCLD_API_CORS_ORIGINS"),
        root_path=_root_path(str(env.get("TZCLD_API_ROOT_PATH") or "")),
    )


def _open_data(env: Mapping[str, str]) -> OpenDataChoices:
    """``TZCLD_OPEN_DATA_LICENCE`` (a key of :data:`OPEN_DATA_LICENCES`, any case),
    ``TZCLD_OPEN_DATA_PUBLISHER``, ``TZCLD_OPEN_DATA_CONTACT`` (an e-mail address),
    ``TZCLD_PUBLIC_URL`` (``http(s)://…``, a final ``/`` added)."""
    raw = str(env.get("TZCLD_OPEN_DATA_LICENCE") or "").strip()
    licence = None
    if raw:
        licence = next((key for key in OPEN_DATA_LICENCES if key.lower() == raw.lower()), None)
        if licence is None:
            raise SettingError("TZCLD_OPEN_DATA_LICENCE", raw[:40], ", ".join(OPEN_DATA_LICENCES))
    url = str(env.get("TZCLD_PUBLIC_URL") or "").strip() or None
    if url is not None:
        if not url.startswith(("https://", "http://")):
            raise SettingError("TZCLD_PUBLIC_URL", url[:60], "une adresse http(s)://")
        url = url if url.endswith("/") else url + "/"
    publisher = str(env.get("TZCLD_OPEN_DATA_PUBLISHER") or "").strip() or None
    contact = str(env.get("TZCLD_OPEN_DATA_CONTACT") or "").strip() or None
    if contact and ("@" not in contact or " " in contact):
        raise SettingError("TZCLD_OPEN_DATA_CONTACT", contact[:60], "une adresse e-mail")
    return OpenDataChoices(licence, publisher, contact, url)


def _publish(env: Mapping[str, str]) -> PublishSettings:
    """``TZCLD_PUBLISH_DIR``, ``TZCLD_PUBLISH_INTERVAL`` (seconds, default 30, at least 2),
    ``TZCLD_PUBLISH_KEEP`` (default 3, at least 1)."""
    folder = str(env.get("TZCLD_PUBLISH_DIR") or "").strip()
    return PublishSettings(
        folder=Path(folder).expanduser() if folder else None,
        interval_s=_int(env, "TZCLD_PUBLISH_INTERVAL", PublishSettings.interval_s, minimum=2),
        keep=_int(env, "TZCLD_PUBLISH_KEEP", PublishSettings.keep, minimum=1),
    )


# --------------------------------------------------------------------------- the runtime


@dataclass
class LedgerRead:
    """The observations a public page or the static export shows: ``frame`` (columns of
    :data:`tzcld.ledger.store.FRAME_COLUMNS`), ``from_facts`` (they are the published facts
    file's: no database yet, or it is down) and ``unavailable`` (the kind of the database
    error when it is down: say so; ``None`` otherwise)."""

    frame: pd.DataFrame
    from_facts: bool = False
    unavailable: str | None = None


# ------------------------------------------------------------------ engines (one per database, per process)
#: Databases whose engine is kept (the least recently used is disposed beyond this).
MAX_ENGINES = 8


@dataclass
class _SharedEngine:
    engine: Engine
    #: The SQLite file's ``(device, inode)`` when seen (a restored file is another database).
    file_id: tuple[int, int] | None
    migrated: bool = False


_ENGINES: dict[str, _SharedEngine] = {}
_ENGINES_LOCK = threading.RLock()


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None``: not SQLite, or in memory)."""
    from sqlalchemy.engine import make_url

    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        return None
    name = sa_url.database or ""
    if not name or name == ":memory:" or name.startswith("file:") or sa_url.query.get("mode") == "memory":
        return None
    return Path(name)


def _file_id(path: Path | None) -> tuple[int, int] | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st is not None else None


def shared_engine(url: str, *, migrated: bool = False) -> Engine:
    """The process's one engine (one connection pool) on the database of ``url``: every
    :class:`Runtime` and :mod:`tzcld.auth` on that database share it, and
    :func:`dispose_engines` closes them all. ``migrated``: bring the schema up to date first
    (:mod:`tzcld.ledger.migrations`, once per engine).

    A SQLite file replaced since its engine was made (a backup restored in place) gets a new
    engine, so that no pooled connection keeps reading the old file; an in-memory SQLite
    database is private to its engine, so every call makes a new one (as before)."""
    from tzcld.ledger.store import make_engine

    full = normalise_database_url(url)
    path = _sqlite_file(full)
    in_memory = path is None and full.startswith("sqlite")
    with _ENGINES_LOCK:
        entry = None if in_memory else _ENGINES.pop(full, None)
        if entry is not None and path is not None:
            now = _file_id(path)
            if entry.file_id is None:
                entry.file_id = now
            elif now != entry.file_id:  # the file was replaced or removed: another database
                entry.engine.dispose()
                entry = None
        if entry is None:
            entry = _SharedEngine(make_engine(full), None)
            entry.file_id = _file_id(path)
        if migrated and not entry.migrated:
            from tzcld.ledger.migrations import migrate

            migrate(entry.engine)
            entry.migrated = True
        if not in_memory:
            _ENGINES[full] = entry  # most recently used last
            while len(_ENGINES) > MAX_ENGINES:
                _ENGINES.pop(next(iter(_ENGINES))).engine.dispose()
        return entry.engine


def dispose_engines() -> None:
    """Close every pooled database connection of the process (tests, before a database is
    dropped or replaced; the engines are forgotten: the next use makes new ones)."""
    with _ENGINES_LOCK:
        while _ENGINES:
            _ENGINES.popitem()[1].engine.dispose()


@dataclass
class _Lazy:
    engine: Engine | None = None
    migrated: bool = False
    ledger: Store | None = None
    perimeters: PerimeterStore | None = None
    provider: PerimeterProvider | None = None
    facts: tuple[float, pd.DataFrame] | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)


class Runtime:
    """The owner of the database engine and of what is built from it (see the module
    docstring). Thread-safe; cheap to build (everything is made on first use).

    ``refresh_s``: how long the list of approved perimeter versions is reused (0: read at
    every request, as the pages do; the API reads it at most once a second);
    ``retry_after_s`` and ``clock``: the fallback policy (:class:`DatabaseFallback`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        refresh_s: float = 0.0,
        retry_after_s: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.refresh_s = refresh_s
        self.fallback = DatabaseFallback(retry_after_s, clock)
        self._lazy = _Lazy()

    @classmethod
    def from_env(cls, **changes: Any) -> Runtime:
        """``Runtime(Settings.from_env().replace(**changes))``."""
        return cls(Settings.from_env().replace(**changes))

    def __repr__(self) -> str:
        return f"Runtime({self.settings.data_dir}, {self.database_label})"

    # ------------------------------------------------------------------ database
    @property
    def database_label(self) -> str:
        """The database URL without its password (safe to show)."""
        from sqlalchemy.engine import make_url

        return make_url(self.settings.database_url).render_as_string(hide_password=True)

    def database_missing(self) -> bool:
        """True when the database is a SQLite file that does not exist yet (asked afresh
        each time: a page notices the first save without a restart)."""
        return self.settings.database_missing()

    @property
    def engine(self) -> Engine:
        """The engine of the configured database (made on first use; a missing SQLite file
        is created, mode 0600: only writers ask for it before the database exists)."""
        lazy = self._lazy
        with lazy.lock:
            if lazy.engine is None:
                lazy.engine = shared_engine(self.settings.database_url)
            return lazy.engine

    def ensure_schema(self) -> None:
        """Bring the database to the current schema (:mod:`tzcld.ledger.migrations`: one
        history for the ledger, the sign-in journal and the perimeter versions), once."""
        lazy = self._lazy
        with lazy.lock:
            if not lazy.migrated:
                lazy.engine = shared_engine(self.settings.database_url, migrated=True)
                lazy.migrated = True

    @overload
    def ledger_store(self, create: Literal[True] = True) -> Store: ...
    @overload
    def ledger_store(self, create: bool) -> Store | None: ...
    def ledger_store(self, create: bool = True) -> Store | None:
        """The progress ledger, migrated and seeded from the published facts once. With
        ``create=False``, ``None`` when the database does not exist yet (nothing created)."""
        if not create and self.database_missing():
            return None
        lazy = self._lazy
        with lazy.lock:
            if lazy.ledger is None:
                from tzcld.ledger.store import Store

                self.ensure_schema()
                store = Store(self.engine, demo=self.settings.demo)
                store.seed()
                lazy.ledger = store
            return lazy.ledger

    @overload
    def perimeter_store(self, create: Literal[True] = True) -> PerimeterStore: ...
    @overload
    def perimeter_store(self, create: bool) -> PerimeterStore | None: ...
    def perimeter_store(self, create: bool = True) -> PerimeterStore | None:
        """The perimeter versions (same database as the ledger), on a migrated schema. With
        ``create=False``, ``None`` when the database does not exist yet (nothing created)."""
        if not create and self.database_missing():
            return None
        lazy = self._lazy
        with lazy.lock:
            if lazy.perimeters is None:
                from tzcld.perimeters.store import PerimeterStore

                self.ensure_schema()
                lazy.perimeters = PerimeterStore(self.engine)
            return lazy.perimeters

    def signin_throttle(self) -> SigninThrottle:
        """The sign-in journal (in the database, created if needed) with the sign-in policy."""
        from tzcld.ledger.throttle import SigninThrottle

        policy = self.settings.signin_policy
        self.ensure_schema()
        return SigninThrottle(self.engine, policy)

    def close(self) -> None:
        """Close the database's pooled connections (the pool is the process's, shared with the
        other runtimes on that database, :func:`shared_engine`; the runtime and they may be
        used again afterwards)."""
        lazy = self._lazy
        with lazy.lock:
            if lazy.engine is not None:
                lazy.engine.dispose()

    # ------------------------------------------------------------------ readers
    def observations(self, read: Callable[[], pd.DataFrame] | None = None) -> LedgerRead:
        """The ledger's observations (superseded rows included) for a public page or the
        static export, with the fallback policy: no database yet → the published facts file
        (nothing is created; the same figures and labels); the database down → the facts
        file, and :attr:`LedgerRead.unavailable` says why. ``read`` replaces the default read
        (the pages pass their cached one). Raises :class:`tzcld.facts.FactsFileError` when
        the facts file itself is wrong."""
        if self.database_missing():
            return LedgerRead(self.facts_frame(), from_facts=True)
        frame, unavailable = self.fallback.attempt(
            read or (lambda: self.ledger_store().observations_frame()), "The progress ledger", "the facts file is"
        )
        if frame is None:
            return LedgerRead(self.facts_frame(), from_facts=True, unavailable=unavailable)
        return LedgerRead(frame)

    def facts_frame(self) -> pd.DataFrame:
        """The published facts as an observations frame (with the example series in demo
        mode, as the ledger shows them), read again when the file changes."""
        from tzcld.facts import FACTS_PATH
        from tzcld.ledger.summary import facts_frame

        mtime = FACTS_PATH.stat().st_mtime
        lazy = self._lazy
        with lazy.lock:
            if lazy.facts is None or lazy.facts[0] != mtime:
                frame = facts_frame()
                if self.settings.demo:
                    from tzcld.ledger.demo import with_examples

                    frame = with_examples(frame)
                lazy.facts = (mtime, frame)
            return lazy.facts[1]

    @property
    def perimeters(self) -> PerimeterProvider:
        """The published perimeters, now or as of a date (:class:`PerimeterProvider`: the
        committed geodata with the approved versions on top; the committed ones alone when
        the database does not exist yet or is down)."""
        lazy = self._lazy
        with lazy.lock:
            if lazy.provider is None:
                from tzcld.perimeters.provider import PerimeterProvider

                lazy.provider = PerimeterProvider(
                    lambda: self.perimeter_store(create=False), self.fallback, GEODATA_DIR, refresh_s=self.refresh_s
                )
            return lazy.provider

    def classifier(self, as_of: Any = None) -> Classifier:
        """The classifier of the published perimeters (of those published on ``as_of``)."""
        return self.perimeters.resolve(as_of).classifier

    # ------------------------------------------------------------------ geocoders, checker
    def register_geocoder(self) -> RegisterGeocoder:
        """The offline geocoder over the address index (built first from the raw register
        when missing; once per process and folder). Raises
        :class:`tzcld.geocode.register.IndexMissing`."""
        from tzcld.geocode.register import default_geocoder

        return default_geocoder(self.settings.address_index, raw=self.settings.raw_dir)

    def geocoder(self, name: str = "offline", lang: str = DEFAULT_LANG) -> Geocoder:
        """``offline`` (:meth:`register_geocoder`), or an opt-in online geocoder
        (``nominatim``, ``photon``: the address is SENT to that service) at
        :attr:`Settings.geocoder_url` or its public default."""
        if name == "offline":
            return self.register_geocoder()
        from tzcld.geocode.online import online_geocoder

        return online_geocoder(name, self.settings.geocoder_url, lang=lang)

    def checker(
        self, lang: str = DEFAULT_LANG, perimeters: Perimeters | None = None, geocoder: Geocoder | None = None
    ) -> Checker:
        """A checker over ``perimeters`` (default: those published now) and ``geocoder``
        (``None``: coordinates only). Cheap: the heavy parts are shared."""
        from tzcld.check import Checker

        per = perimeters if perimeters is not None else self.perimeters.resolve()
        return Checker(per.classifier, geocoder, lang)
