"""Streamlit side of "check as of a date" on the Vérifier page ("was this address in the
territory on the hiring date?").

:func:`perimeters_on` gives the perimeters published on a date: the versions approved by
then (:func:`tzcld.perimeters.published.published_on`, one small query per run), whose
classifier is built once per version string and kept per server process (at most a few:
``st.cache_resource``). Only the date and the version are keys; no address is.
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from tzcld.ui.check import Perimeters

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False, max_entries=4)
def _classifier_on(version: str, key: str, _store, _day: dt.date):
    """The classifier of the perimeters named ``version`` (``_day``: a date they were
    published on; any such date gives the same perimeters, so only the version is a key)."""
    from tzcld.perimeters.published import published_classifier

    return published_classifier(_store, on=_day)


def perimeters_on(day: dt.date | None, current: Perimeters) -> Perimeters:
    """The perimeters published on ``day`` (``None``: ``current``, those of today).

    Without a database (``current.store`` is ``None``) the committed perimeters were the
    published ones on every date, unless the database could not be read: ``current`` is
    then returned as is (its ``unavailable`` says so, and the page says that the date could
    not be used). A database failing now gives the committed perimeters, ``unavailable``
    set, as :func:`tzcld.ui.check.perimeters` does."""
    if day is None or current.store is None:
        return current
    from tzcld.eligibility import default_classifier
    from tzcld.perimeters.published import DATABASE_ERRORS, published_on
    from tzcld.ui.published import database_key

    try:
        on = published_on(current.store, day)
        if not on.version_ids:
            return Perimeters(default_classifier(), current.store)
        return Perimeters(_classifier_on(on.version, database_key(), current.store, day), current.store)
    except DATABASE_ERRORS as exc:
        log.warning("Perimeter versions as of a date unavailable (%s); committed perimeters used.", type(exc).__name__)
        return Perimeters(default_classifier(), None, type(exc).__name__)
