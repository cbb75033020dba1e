"""Where things live: repository paths, runtime data folder, raw inputs, CRS constants.

One place knows each of these facts; every other module imports them from here.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from tzcld.errors import TzcldError

#: Root of the repository (the folder holding ``dashboard.py``).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

#: Committed definitions and derived geodata (territories.yaml, territories.geojson, ...).
GEODATA_DIR: Path = REPO_ROOT / "geodata"

#: Static files served by Streamlit at ``/app/static/`` (Leaflet and map assets).
STATIC_DIR: Path = REPO_ROOT / "static"

#: Belgian Lambert 72, metres: the CRS of exact perimeters and all distance computations.
LAMBERT72 = "EPSG:31370"
#: Belgian Lambert 2008, metres (accepted on input).
LAMBERT2008 = "EPSG:3812"
#: WGS84 longitude/latitude in decimal degrees: the CRS of everything sent to a browser.
WGS84 = "EPSG:4326"

#: File name of the default SQLite database (ledger and perimeter versions) in :func:`data_dir`.
SQLITE_FILE = "tzcld.sqlite"
#: Environment variable naming the database (SQLAlchemy URL); default: SQLite in :func:`data_dir`.
DATABASE_URL_ENV = "TZCLD_DATABASE_URL"

#: REFNIS code of the Walloon Region in Statbel's administrative units.
WALLONIA_REFNIS = "03000"


def data_dir(create: bool = True) -> Path:
    """Runtime state folder (SQLite database, address index, caches).

    Given by ``TZCLD_DATA_DIR``; default ``data/`` at the repository root. Created on
    demand. Everything in it can be rebuilt or re-seeded, except the ledger's own
    entries (back them up with ``python -m tzcld ledger export``).
    """
    raw = os.environ.get("TZCLD_DATA_DIR")
    path = Path(raw).expanduser() if raw else REPO_ROOT / "data"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def raw_dir() -> Path:
    """Folder of raw geodata inputs: ``TZCLD_RAW_DIR`` or ``../shared/geodata``."""
    raw = os.environ.get("TZCLD_RAW_DIR")
    return Path(raw).expanduser() if raw else REPO_ROOT.parent / "shared" / "geodata"


def database_file_missing(url: str | None = None) -> bool:
    """True when the database (``url``; ``None`` = the default SQLite file in :func:`data_dir`)
    is a SQLite file that does not exist yet — nothing can have been saved in it, and a
    reader must not create it. Light on purpose (no SQLAlchemy import): pages ask on every run.
    """
    if not url:
        return not (data_dir(create=False) / SQLITE_FILE).exists()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] != "sqlite":
        return False
    path = rest[1:].split("?")[0] if rest.startswith("/") else ""
    if not path or path == ":memory:":
        return False
    return not Path(path).exists()


# --------------------------------------------------------------------------- settings
#: Environment variable: ``1`` shows Python tracebacks in the CLI instead of the French
#: message (for developers; never on a public server).
DEBUG_ENV = "TZCLD_DEBUG"


class SettingError(TzcldError, ValueError):
    """A setting with a value that cannot be used (``errors.setting``: name, value, expected)."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__("errors.setting", name=name, value=value, expected=expected)


def _int_setting(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip().replace("_", "").replace(" ", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(name, raw, f">= {minimum}") from None
    if value < minimum:
        raise SettingError(name, raw, f">= {minimum}")
    return value


def debug_enabled() -> bool:
    """``TZCLD_DEBUG`` set to ``1``/``true``/``oui``: tracebacks are shown (developers only)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "oui", "on"}


@dataclass(frozen=True)
class FileLimits:
    """Limits on every table file we read (the Vérifier upload, ``check-file``, ledger
    imports), checked **while** reading; the perimeter files use :attr:`max_uncompressed_bytes`.

    ``max_file_bytes``: the file as received (compressed, for an XLSX); ``max_uncompressed_bytes``:
    what is read from it (a CSV's bytes; an XLSX's XML once decompressed); ``max_rows`` data
    rows; ``max_cells`` rows × named columns; ``max_columns`` named columns;
    ``max_cell_chars`` characters in one cell (Excel's own limit).
    """

    max_file_bytes: int = 200 * 1_000_000
    max_uncompressed_bytes: int = 500 * 1_000_000
    max_rows: int = 1_000_000
    max_cells: int = 10_000_000
    max_columns: int = 500
    max_cell_chars: int = 32_767

    def tightened(self, **caps: int) -> FileLimits:
        """These limits, each capped by the given value (``max_rows=5000``...)."""
        values = {name: min(getattr(self, name), cap) for name, cap in caps.items()}
        return FileLimits(**{**self.__dict__, **values})


#: Settings of :func:`file_limits` (environment variable → field, unit).
FILE_LIMIT_SETTINGS: dict[str, tuple[str, int]] = {
    "TZCLD_MAX_FILE_MB": ("max_file_bytes", 1_000_000),
    "TZCLD_MAX_UNCOMPRESSED_MB": ("max_uncompressed_bytes", 1_000_000),
    "TZCLD_MAX_ROWS": ("max_rows", 1),
    "TZCLD_MAX_CELLS": ("max_cells", 1),
    "TZCLD_MAX_COLUMNS": ("max_columns", 1),
}


def file_limits() -> FileLimits:
    """The reading limits: :class:`FileLimits` defaults (200 Mo as received, 500 Mo once
    decompressed, 1 000 000 rows, 10 000 000 cells, 500 columns), each overridable by its
    setting (:data:`FILE_LIMIT_SETTINGS`: ``TZCLD_MAX_FILE_MB``, ``TZCLD_MAX_UNCOMPRESSED_MB``,
    ``TZCLD_MAX_ROWS``, ``TZCLD_MAX_CELLS``, ``TZCLD_MAX_COLUMNS``)."""
    defaults = FileLimits()
    values = {}
    for env, (field, unit) in FILE_LIMIT_SETTINGS.items():
        values[field] = _int_setting(env, getattr(defaults, field) // unit) * unit
    return FileLimits(**{**defaults.__dict__, **values})


@dataclass(frozen=True)
class SigninPolicy:
    """Throttling of local sign-in (:mod:`tzcld.ledger.throttle`), shared by every server
    replica through the database.

    After ``n >= free_failures`` failures of an account, the next try must wait
    ``2**(n - free_failures + 1)`` seconds after the last failure (2, 4, 8... at most
    ``max_delay_s``); from ``max_failures`` on, the account is locked ``lock_minutes`` after
    each failure. A client address with ``address_failures`` failures (any accounts) in
    ``lock_minutes`` is locked too. A success resets the account's count; failures older
    than a day no longer count.
    """

    max_failures: int = 10
    lock_minutes: int = 15
    free_failures: int = 3
    max_delay_s: int = 60
    address_failures: int = 50


def signin_policy() -> SigninPolicy:
    """:class:`SigninPolicy` from ``TZCLD_SIGNIN_MAX_FAILURES`` (default 10) and
    ``TZCLD_SIGNIN_LOCK_MINUTES`` (default 15); an address is locked after 5 × as many."""
    failures = _int_setting("TZCLD_SIGNIN_MAX_FAILURES", SigninPolicy.max_failures, minimum=2)
    return SigninPolicy(
        max_failures=failures,
        lock_minutes=_int_setting("TZCLD_SIGNIN_LOCK_MINUTES", SigninPolicy.lock_minutes),
        free_failures=min(SigninPolicy.free_failures, failures - 1),
        address_failures=5 * failures,
    )


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Reverse proxies whose ``X-Forwarded-For`` header is believed: ``TZCLD_TRUSTED_PROXIES``,
    comma-separated addresses or networks (``127.0.0.1, 10.0.0.0/8``); none by default (the
    header is then ignored: anyone can write it)."""
    raw = os.environ.get("TZCLD_TRUSTED_PROXIES", "")
    out = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError("TZCLD_TRUSTED_PROXIES", part, "IP, IP/n") from None
    return tuple(out)


def _list_setting(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


# HTTP API (python -m tzcld serve-api, tzcld.api). Limits are per API process.

#: Largest JSON body accepted by ``POST /v1/check`` (bytes).
API_MAX_BODY_DEFAULT = 16 * 1024
#: Largest file accepted by ``POST /v1/check-file`` (bytes); ``read_table``'s own limits apply too.
API_MAX_FILE_DEFAULT = 20 * 1024 * 1024
#: Requests per minute per client (API key, else client address) on ``/v1/…``.
API_RATE_LIMIT_DEFAULT = 120


def api_max_body_bytes() -> int:
    """``TZCLD_API_MAX_BODY_BYTES``: largest JSON request body of the API (default 16 Kio)."""
    return _int_setting("TZCLD_API_MAX_BODY_BYTES", API_MAX_BODY_DEFAULT, minimum=256)


def api_max_file_bytes() -> int:
    """``TZCLD_API_MAX_FILE_BYTES``: largest file for ``POST /v1/check-file`` (default 20 Mio)."""
    return _int_setting("TZCLD_API_MAX_FILE_BYTES", API_MAX_FILE_DEFAULT, minimum=1024)


def api_rate_limit() -> int:
    """``TZCLD_API_RATE_LIMIT``: requests per minute per client on ``/v1/…`` (default 120; 0 = no limit)."""
    return _int_setting("TZCLD_API_RATE_LIMIT", API_RATE_LIMIT_DEFAULT, minimum=0)


def api_keys() -> tuple[str, ...]:
    """The API keys a deployment requires for the checks (none: the checks are open).

    ``TZCLD_API_KEYS`` (comma-separated) and/or ``TZCLD_API_KEYS_FILE`` (one key per line,
    ``#`` comments; e.g. a container secret). Keys shorter than 16 characters are refused.
    """
    keys = list(_list_setting("TZCLD_API_KEYS"))
    path = os.environ.get("TZCLD_API_KEYS_FILE", "").strip()
    if path:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError:
            raise SettingError("TZCLD_API_KEYS_FILE", path[:60], "un fichier lisible") from None
        keys += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    short = [k for k in keys if len(k) < 16]
    if short:
        raise SettingError("TZCLD_API_KEYS", "…", "des clés d'au moins 16 caractères")
    return tuple(dict.fromkeys(keys))


def api_root_path() -> str:
    """``TZCLD_API_ROOT_PATH``: the path under which a proxy publishes the API (e.g. ``/api``;
    default none). ``serve-api --root-path`` overrides it."""
    raw = os.environ.get("TZCLD_API_ROOT_PATH", "").strip().rstrip("/")
    if raw and not raw.startswith("/"):
        raise SettingError("TZCLD_API_ROOT_PATH", raw[:40], "un chemin commençant par /")
    return raw


def api_cors_origins() -> tuple[str, ...]:
    """``TZCLD_API_CORS_ORIGINS``: web origins allowed to call the API from a browser
    (comma-separated, e.g. ``https://formulaire.exemple.be``); default none."""
    return _list_setting("TZCLD_API_CORS_ORIGINS")


# Open data (export-site, datapackage.json, DCAT-AP record, schema.org).

#: Licences the programme owner may choose for the dashboard's own data (id → title, URL).
OPEN_DATA_LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


def open_data_licence() -> str | None:
    """``TZCLD_OPEN_DATA_LICENCE``: the licence of our own data (the ledger, the territory
    registry), one of :data:`OPEN_DATA_LICENCES` — the programme owner's choice. Default
    ``None``: not yet chosen, and every export says so."""
    raw = os.environ.get("TZCLD_OPEN_DATA_LICENCE", "").strip()
    if not raw:
        return None
    for key in OPEN_DATA_LICENCES:
        if key.lower() == raw.lower():
            return key
    raise SettingError("TZCLD_OPEN_DATA_LICENCE", raw[:40], ", ".join(OPEN_DATA_LICENCES))


def public_site_url() -> str | None:
    """``TZCLD_PUBLIC_URL``: where the static site is published (``https://…/``), for the
    absolute links of the open-data records; default ``None`` (links relative to the files)."""
    raw = os.environ.get("TZCLD_PUBLIC_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")):
        raise SettingError("TZCLD_PUBLIC_URL", raw[:60], "une adresse http(s)://")
    return raw if raw.endswith("/") else raw + "/"


def open_data_publisher() -> tuple[str | None, str | None]:
    """``(TZCLD_OPEN_DATA_PUBLISHER, TZCLD_OPEN_DATA_CONTACT)``: the organisation that
    publishes the open data and its contact e-mail; ``None`` when not designated yet."""
    name = os.environ.get("TZCLD_OPEN_DATA_PUBLISHER", "").strip() or None
    contact = os.environ.get("TZCLD_OPEN_DATA_CONTACT", "").strip() or None
    if contact and ("@" not in contact or " " in contact):
        raise SettingError("TZCLD_OPEN_DATA_CONTACT", contact[:60], "une adresse e-mail")
    return name, contact


# Deployment: shared state of server replicas, the published static site (deploy/, issue 16).


def database_url_setting() -> str | None:
    """``TZCLD_DATABASE_URL`` from the environment (``None`` when unset: SQLite in the data
    folder). When it is set, the local accounts live in that database too
    (:func:`tzcld.auth.accounts_location`), so that every server replica sees them."""
    return os.environ.get(DATABASE_URL_ENV, "").strip() or None


def accounts_file_setting() -> Path | None:
    """``TZCLD_ACCOUNTS_FILE``: an accounts file chosen explicitly (``None`` when unset). Set,
    it keeps the accounts in that file even when a database URL is set (one host only)."""
    raw = os.environ.get("TZCLD_ACCOUNTS_FILE", "").strip()
    return Path(raw).expanduser() if raw else None


def address_index_setting() -> Path | None:
    """``TZCLD_ADDRESS_INDEX``: the address index folder (``None``: ``address_index`` in the
    data folder). A container image builds it at build time and every replica loads it
    read-only (:mod:`tzcld.geocode.register`)."""
    raw = os.environ.get("TZCLD_ADDRESS_INDEX", "").strip()
    return Path(raw).expanduser() if raw else None


def publish_dir() -> Path | None:
    """``TZCLD_PUBLISH_DIR``: where ``export-site --follow`` publishes the static site (a
    symbolic link swapped at each publication, :mod:`tzcld.export.publish`); ``None``: unset."""
    raw = os.environ.get("TZCLD_PUBLISH_DIR", "").strip()
    return Path(raw).expanduser() if raw else None


def publish_interval_s() -> int:
    """``TZCLD_PUBLISH_INTERVAL``: seconds between two looks at the database by
    ``export-site --follow`` (default 30, at least 2)."""
    return _int_setting("TZCLD_PUBLISH_INTERVAL", 30, minimum=2)


def publish_keep() -> int:
    """``TZCLD_PUBLISH_KEEP``: published versions of the static site kept beside the current
    one, for a quick rollback (default 3, at least 1)."""
    return _int_setting("TZCLD_PUBLISH_KEEP", 3, minimum=1)
