"""The pages' runtime: the settings of this run (environment and Streamlit secrets) and one
:class:`tzcld.runtime.Runtime` per distinct settings, shared by every session of the process.

:func:`settings` is read at every run (cheap: a few variables and the secrets already
parsed by Streamlit), so a changed setting takes effect at once; :func:`runtime` is the one
``st.cache_resource`` of the dashboard's database, stores and published perimeters, keyed
by those settings. Streamlit secrets are read here and nowhere else below ``tzcld/ui``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from tzcld.auth import AccountsLocation
from tzcld.batch_io import BatchInputError
from tzcld.config import FileLimits
from tzcld.perimeters.provider import PublishedState
from tzcld.runtime import Runtime, Settings


def secrets() -> Mapping[str, Any]:
    """Streamlit secrets as a plain mapping (empty when there is no secrets file)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: no secrets
        return {}


def settings() -> Settings:
    """The settings of this run: the environment, then Streamlit secrets."""
    return Settings.from_env(secrets=secrets())


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs={Settings: repr})
def _runtime(settings_: Settings) -> Runtime:
    return Runtime(settings_)


def runtime() -> Runtime:
    """The runtime of this run's settings (one per process and settings)."""
    return _runtime(settings())


def database_key() -> str:
    """Which database the pages read (the cache key of everything read from it)."""
    return runtime().settings.database_url


def published() -> PublishedState:
    """Which perimeters are published now (one small query per run to notice an approval;
    the committed ones while the database does not exist yet or is down)."""
    return runtime().perimeters.state()


def accounts_location() -> AccountsLocation:
    """Where the local accounts of this run's settings are (a file, or the database)."""
    return runtime().settings.accounts


def file_limits() -> FileLimits:
    """The reading limits of every uploaded table (raises :class:`tzcld.config.SettingError`
    for a bad ``TZCLD_MAX_*`` setting)."""
    return runtime().settings.file_limits


def page_file_limits() -> FileLimits:
    """The reading limits of a file checked on the Vérifier page: :func:`file_limits` with at
    most ``TZCLD_PAGE_MAX_ROWS`` rows (raises :class:`tzcld.config.SettingError`)."""
    return runtime().settings.page_file_limits


def file_refusal(exc: BatchInputError, lang: str) -> str:
    """The message of an upload the page cannot read (:func:`tzcld.file_results.refusal_message`:
    beyond the page's row limit, what to do instead, with the command's and the API's limits)."""
    from tzcld.config import ApiSettings, SettingError
    from tzcld.file_results import refusal_message

    settings = runtime().settings
    try:
        api = settings.api
    except SettingError:  # a bad API setting is the API's business: its defaults are said
        api = ApiSettings()
    return refusal_message(exc, settings.page_max_rows, settings.file_limits, api, lang)
