"""Restore marks: how a record loaded back from a backup file says so.

A ledger entry or a perimeter version written by a restore keeps its recorded author and
date, and carries ``restored_at`` / ``restored_by`` (who ran the restore: the ``--as``
account or ``cli:<OS user>``). :func:`restore_mark` is the text shown in the journals and
lists ("restauré le 12/06/2026 par cli:marie"); exports carry the two fields as they are.
"""

from __future__ import annotations

import datetime as dt
import getpass

from tzcld.i18n import DEFAULT_LANG, t


def cli_actor_name() -> str:
    """Who runs a command without ``--as``: ``cli:<OS user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (containers)
        user = "inconnu"
    return f"cli:{user}"


def restore_mark(at, by: str | None, lang: str = DEFAULT_LANG, public: bool = False) -> str:
    """``"restauré le 12/06/2026 par cli:marie"`` for a restored record, ``""`` otherwise
    (``public``: without the account name)."""
    import pandas as pd

    if at is None or at is pd.NaT or (not isinstance(at, dt.datetime) and pd.isna(at)):
        return ""
    when = pd.Timestamp(at)
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    date = when.strftime("%d/%m/%Y") if lang == "fr" else when.strftime("%Y-%m-%d")
    if public or not by:
        return t("restore.mark_public", lang, date=date)
    return t("restore.mark", lang, date=date, by=by)
