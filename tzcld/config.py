"""Where things live and what the settings are made of: package data, CRS constants, file
names, and the value types of the settings (limits, sign-in policy, API limits, open data).

Nothing here reads the environment: :class:`tzcld.runtime.Settings` does, once, and hands
these values to whoever needs them.

**Package data.** The committed geodata (``geodata/``) and the static files (``static/``)
are at the top of the repository; an installed package carries them inside itself as
``tzcld/_geodata`` and ``tzcld/_static`` (``pyproject.toml``: ``package-dir``), found beside
the package's code. :data:`GEODATA_DIR` and :data:`STATIC_DIR` are whichever is
there; :data:`FROM_CHECKOUT` says which (it decides the default data folder, see
:mod:`tzcld.runtime`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tzcld.errors import TzcldError

#: The folder of the ``tzcld`` package (its code, locales, site assets): the one of this module,
#: which ``importlib.resources.files("tzcld")`` names too (not imported: 10 ms at start-up).
PACKAGE_DIR: Path = Path(__file__).parent
#: The folder above the package: the repository when running from a checkout.
REPO_ROOT: Path = PACKAGE_DIR.parent


def _package_data(installed: str, checkout: str) -> Path:
    """``tzcld/<installed>`` in an installed package, else ``<repository>/<checkout>``."""
    inside = PACKAGE_DIR / installed
    return inside if inside.is_dir() else REPO_ROOT / checkout


#: Committed definitions and derived geodata (territories.yaml, territories.geojson, ...).
GEODATA_DIR: Path = _package_data("_geodata", "geodata")
#: Static files served by Streamlit at ``/app/static/`` (Leaflet and map assets).
STATIC_DIR: Path = _package_data("_static", "static")
#: True when ``tzcld`` runs from the repository (plain clone or editable install), False
#: when it is an installed package carrying its own data.
FROM_CHECKOUT: bool = GEODATA_DIR == REPO_ROOT / "geodata"

#: Belgian Lambert 72, metres: the CRS of exact perimeters and all distance computations.
LAMBERT72 = "EPSG:31370"
#: Belgian Lambert 2008, metres (accepted on input).
LAMBERT2008 = "EPSG:3812"
#: WGS84 longitude/latitude in decimal degrees: the CRS of everything sent to a browser.
WGS84 = "EPSG:4326"

#: File name of the default SQLite database (ledger and perimeter versions) in the data folder.
SQLITE_FILE = "tzcld.sqlite"

#: REFNIS code of the Walloon Region in Statbel's administrative units.
WALLONIA_REFNIS = "03000"


# --------------------------------------------------------------------------- database URLs


def normalise_database_url(url: str) -> str:
    """A SQLAlchemy URL as given, except that ``postgres(ql)://`` gets the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another database, in memory or a URI file).
    Light on purpose (no SQLAlchemy import): pages ask on every run."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] != "sqlite":
        return None
    path = rest[1:].split("?")[0] if rest.startswith("/") else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def database_file_missing(url: str) -> bool:
    """True when ``url`` names a SQLite file that does not exist yet: nothing can have been
    saved in it, and a reader must not create it."""
    path = sqlite_path(url)
    return path is not None and not path.exists()


# --------------------------------------------------------------------------- value types


class SettingError(TzcldError, ValueError):
    """A setting with a value that cannot be used (``errors.setting``: name, value, expected)."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__("errors.setting", name=name, value=value, expected=expected)


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


#: Most data rows of a file checked on the Vérifier page (``TZCLD_PAGE_MAX_ROWS``; within
#: ``TZCLD_MAX_ROWS``). The page runs in the dashboard's server, shared by every visitor: 50,000
#: rows are about 1–2 s of a core for points (5 s for typed addresses) and ≈ 11 MB of results kept
#: for the downloads; a longer file goes to ``python -m tzcld check-file`` or the API.
PAGE_MAX_ROWS_DEFAULT = 50_000


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


# HTTP API (python -m tzcld serve-api, tzcld.api). Limits are per API process.

#: Largest JSON body accepted by ``POST /v1/check`` (bytes).
API_MAX_BODY_DEFAULT = 16 * 1024
#: Largest file accepted by ``POST /v1/check-file`` (bytes); ``read_table``'s own limits apply too.
API_MAX_FILE_DEFAULT = 20 * 1024 * 1024
#: Requests per minute per client (API key, else client address) on ``/v1/…``.
API_RATE_LIMIT_DEFAULT = 120
#: Most data rows of a file sent to ``POST /v1/check-file`` (within the general ``TZCLD_MAX_ROWS``):
#: file checks run one at a time, and 200,000 rows is about 5 s of a core for points, 20 s for
#: typed addresses, while the others wait; a longer file is ``check-file``'s work.
API_MAX_ROWS_DEFAULT = 200_000


@dataclass(frozen=True)
class ApiSettings:
    """The API's limits: bytes of a JSON body / a file, data rows of a file, requests per
    minute per client (0: none), the API keys (none: open), CORS origins, and the
    ``root_path`` under which a proxy publishes the API (e.g. ``/api``)."""

    max_body_bytes: int = API_MAX_BODY_DEFAULT
    max_file_bytes: int = API_MAX_FILE_DEFAULT
    max_rows: int = API_MAX_ROWS_DEFAULT
    rate_limit: int = API_RATE_LIMIT_DEFAULT
    api_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    root_path: str = ""


# Open data (export-site, datapackage.json, DCAT-AP record, schema.org).

#: Licences the programme owner may choose for the dashboard's own data (id → title, URL).
OPEN_DATA_LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


@dataclass(frozen=True)
class OpenDataChoices:
    """What the programme owner chose for the open data: ``licence`` (a key of
    :data:`OPEN_DATA_LICENCES`, ``None``: not yet chosen), the ``publisher`` and its
    ``contact`` e-mail (``None``: not designated), and the ``public_url`` where the static
    site is published (ending with ``/``; ``None``: links relative to the files).
    :func:`tzcld.export.metadata.settings` turns them into the records' wording."""

    licence: str | None = None
    publisher: str | None = None
    contact: str | None = None
    public_url: str | None = None


# Deployment: the published static site (``export-site --atomic/--follow``, deploy/, issue 16).


@dataclass(frozen=True)
class PublishSettings:
    """Where and how ``export-site --atomic/--follow`` publishes the static site
    (:mod:`tzcld.export.publish`): ``folder`` (``TZCLD_PUBLISH_DIR``, a symbolic link swapped
    at each publication; ``None``: unset), ``interval_s`` between two looks at the database
    (``TZCLD_PUBLISH_INTERVAL``, default 30, at least 2) and the published versions ``keep``-t
    beside the current one for a quick rollback (``TZCLD_PUBLISH_KEEP``, default 3, at least 1)."""

    folder: Path | None = None
    interval_s: int = 30
    keep: int = 3
