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
