"""Where things live: repository paths, runtime data folder, raw inputs, CRS constants.

One place knows each of these facts; every other module imports them from here.
"""

from __future__ import annotations

import os
from pathlib import Path

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


# ---------------------------------------------------------------------- settings read from the environment


class SettingError(ValueError):
    """A setting with an unusable value; the message is French and names the variable."""


def _int_setting(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise SettingError(f"Réglage {name} illisible : « {raw[:40]} » (un nombre entier est attendu).") from None
    if value < minimum:
        raise SettingError(f"Réglage {name} : {value} est trop petit (minimum {minimum}).")
    return value


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
        except OSError as exc:
            raise SettingError(f"Réglage TZCLD_API_KEYS_FILE : fichier illisible ({exc.__class__.__name__}).") from None
        keys += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    short = [k for k in keys if len(k) < 16]
    if short:
        raise SettingError("Réglage des clés d'API : chaque clé doit compter au moins 16 caractères.")
    return tuple(dict.fromkeys(keys))


def api_root_path() -> str:
    """``TZCLD_API_ROOT_PATH``: the path under which a proxy publishes the API (e.g. ``/api``;
    default none). ``serve-api --root-path`` overrides it."""
    raw = os.environ.get("TZCLD_API_ROOT_PATH", "").strip().rstrip("/")
    if raw and not raw.startswith("/"):
        raise SettingError(f"Réglage TZCLD_API_ROOT_PATH : un chemin commençant par / est attendu, pas « {raw[:40]} ».")
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
    raise SettingError(
        f"Réglage TZCLD_OPEN_DATA_LICENCE inconnu : « {raw[:40]} » (possibles : {', '.join(OPEN_DATA_LICENCES)})."
    )


def public_site_url() -> str | None:
    """``TZCLD_PUBLIC_URL``: where the static site is published (``https://…/``), for the
    absolute links of the open-data records; default ``None`` (links relative to the files)."""
    raw = os.environ.get("TZCLD_PUBLIC_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")):
        raise SettingError(f"Réglage TZCLD_PUBLIC_URL : une adresse http(s):// est attendue, pas « {raw[:60]} ».")
    return raw if raw.endswith("/") else raw + "/"


def open_data_publisher() -> tuple[str | None, str | None]:
    """``(TZCLD_OPEN_DATA_PUBLISHER, TZCLD_OPEN_DATA_CONTACT)``: the organisation that
    publishes the open data and its contact e-mail; ``None`` when not designated yet."""
    name = os.environ.get("TZCLD_OPEN_DATA_PUBLISHER", "").strip() or None
    contact = os.environ.get("TZCLD_OPEN_DATA_CONTACT", "").strip() or None
    if contact and ("@" not in contact or " " in contact):
        raise SettingError(
            f"Réglage TZCLD_OPEN_DATA_CONTACT : une adresse e-mail est attendue, pas « {contact[:60]} »."
        )
    return name, contact
