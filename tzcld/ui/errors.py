"""What a visitor sees when something fails: a French message, never internals.

:func:`run_page` runs the selected page (``dashboard.py``) and turns any failure that
reaches it into a message of the catalogue (:func:`tzcld.errors.describe`, without paths or
URLs): the database unreachable or damaged, a file unreadable, memory exhausted, or a
generic "cette page n'a pas pu s'afficher". Streamlit's own control flow (``st.stop``,
``st.rerun``, ``st.switch_page``) passes through. The server log gets the exception's type
and where it happened — not its message, which could hold what a visitor typed or uploaded.
``client.showErrorDetails = "none"`` (``.streamlit/config.toml``) covers anything else.

Pages catch what they can expect closer to where it happens with :func:`show_problem`.
"""

from __future__ import annotations

import logging
import traceback

import streamlit as st

from tzcld.errors import TzcldError, database_error_kind, describe
from tzcld.ui import current_lang

log = logging.getLogger(__name__)


def problem_message(exc: BaseException, lang: str | None = None) -> str:
    """The visitor's message for ``exc`` (no server path, no database URL, no traceback)."""
    lang = lang or current_lang()
    from tzcld.i18n import t

    if isinstance(exc, TzcldError):
        return exc.message(lang)
    kind = database_error_kind(exc)
    if kind == "unreachable":
        return t("errors.database.unreachable_page", lang)
    if kind == "damaged":
        return t("errors.database.damaged_generic", lang)
    if isinstance(exc, MemoryError):
        return t("errors.memory", lang)
    if isinstance(exc, OSError):
        return t("errors.os", lang, reason=exc.strerror or type(exc).__name__)
    if kind is None and not isinstance(exc, UnicodeError):
        return t("errors.page", lang, kind=type(exc).__name__)
    return describe(exc, lang)[0]


def problem_kind(exc: BaseException, lang: str | None = None) -> str:
    """A few words for what failed (``base de données injoignable``...), for messages that
    name the problem in parentheses — instead of the exception's type."""
    from tzcld.i18n import t

    lang = lang or current_lang()
    kind = database_error_kind(exc)
    if kind in ("unreachable", "damaged"):
        return t(f"errors.kind.{kind}", lang)
    return t("errors.kind.other", lang)


def _log(exc: BaseException) -> None:
    where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
    log.error("Page failed with %s (message withheld):\n%s", type(exc).__name__, where)


def show_problem(exc: BaseException) -> None:
    """Show ``exc`` to the visitor as a French error box (and log where it happened)."""
    if not isinstance(exc, TzcldError):
        _log(exc)
    st.error(problem_message(exc))


def run_page(navigation) -> None:
    """``navigation.run()`` with every failure shown as a message (see module docstring)."""
    try:
        navigation.run()
    except Exception as exc:  # noqa: BLE001 - the pages' one safety net
        show_problem(exc)
