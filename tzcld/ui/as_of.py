"""Streamlit side of "check as of a date" on the Vérifier page ("was this address in the
territory on the hiring date?").

:func:`perimeters_on` gives the perimeters published on a date: the versions approved by
then (one small query per run), whose classifier is built once per version string and kept
per server process by the runtime's :class:`tzcld.perimeters.provider.PerimeterProvider`
(the last few). Only the date and the version are keys; no address is.
"""

from __future__ import annotations

import datetime as dt

from tzcld.perimeters.provider import Perimeters
from tzcld.ui.runtime import runtime


def perimeters_on(day: dt.date | None, current: Perimeters) -> Perimeters:
    """The perimeters published on ``day`` (``None``: ``current``, those of today).

    Without a database (``current.store`` is ``None``) the committed perimeters were the
    published ones on every date, unless the database could not be read: ``current`` is
    then returned as is (its ``unavailable`` says so, and the page says that the date could
    not be used). A database failing now gives the committed perimeters, ``unavailable``
    set (the runtime's one fallback policy), as :func:`tzcld.ui.check.perimeters` does."""
    if day is None or current.store is None:
        return current
    return runtime().perimeters.resolve(day)
