"""Dashboard settings from the environment, then Streamlit secrets; light (no database
driver imported), so that a page can tell which database is configured before opening it.

``TZCLD_DATABASE_URL`` (environment), else secrets ``TZCLD_DATABASE_URL`` or
``[database] url``; ``None`` means the default SQLite file in the data folder.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from tzcld.config import DATABASE_URL_ENV


def secret(*path: str) -> Any:
    """A value of Streamlit secrets (``secret("database", "url")``), or ``None``."""
    try:
        node: Any = st.secrets
        for key in path:
            node = node[key]
        return node
    except Exception:  # noqa: BLE001 - no secrets file, or key missing
        return None


def configured_database_url() -> str | None:
    """``TZCLD_DATABASE_URL`` from the environment, else from secrets; ``None`` = SQLite default."""
    return os.environ.get(DATABASE_URL_ENV) or secret(DATABASE_URL_ENV) or secret("database", "url")
