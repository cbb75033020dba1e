"""Streamlit helpers of the Progrès and Saisie pages: the cached store, cached reads,
sign-in (OpenID Connect or local accounts), and "chart + table + download" blocks.

Settings, in order: environment (``TZCLD_DATABASE_URL``, ``TZCLD_DEMO``), then
Streamlit secrets (``TZCLD_DATABASE_URL`` or ``[database] url``; ``TZCLD_DEMO`` or
``[tzcld] demo``). OpenID Connect is used when secrets hold an ``[auth]`` section
(see Streamlit's ``st.login``); otherwise local accounts (:mod:`tzcld.auth`).
"""

from __future__ import annotations

import os
import time

import pandas as pd
import streamlit as st

from tzcld.ledger.permissions import Account
from tzcld.ledger.store import DEMO_ENV, Store, demo_enabled, open_store
from tzcld.ui import current_lang, tr
from tzcld.ui.settings import configured_database_url, secret

#: Session key holding the signed-in local account (a dict: username, role, territory, display_name).
SESSION_ACCOUNT = "tzcld_account"
#: Seconds a cached ledger read is reused (saving clears it at once).
LEDGER_TTL_S = 30


def configured_demo() -> bool:
    """Demo mode: ``TZCLD_DEMO`` (environment or secrets) or ``[tzcld] demo = true``."""
    if os.environ.get(DEMO_ENV):
        return demo_enabled()
    raw = secret(DEMO_ENV)
    if raw is None:
        raw = secret("tzcld", "demo")
    return str(raw).strip().lower() in {"1", "true", "yes", "oui", "on"} if raw is not None else False


@st.cache_resource(show_spinner=False)
def _store(url: str | None, demo: bool, data_dir_key: str) -> Store:
    return open_store(url, demo=demo)


def ledger_store() -> Store:
    """The ledger, opened (created, migrated, seeded) once per process and setting."""
    return _store(configured_database_url(), configured_demo(), os.environ.get("TZCLD_DATA_DIR", ""))


def require_database() -> Store:
    """The ledger, reachable right now; otherwise a French message ("base de données
    injoignable", "endommagée"...: :func:`tzcld.ui.errors.show_problem`) and the page stops
    there — nothing half-drawn, no internals."""
    from tzcld.ui.errors import show_problem

    try:
        store = ledger_store()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any database failure: said in French
        show_problem(exc)
        st.stop()
    return store


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def _observations(url: str | None, demo: bool, data_dir_key: str) -> pd.DataFrame:
    return _store(url, demo, data_dir_key).observations_frame()


def observations() -> pd.DataFrame:
    """All observations (cached for :data:`LEDGER_TTL_S` seconds; cleared by a save)."""
    return _observations(configured_database_url(), configured_demo(), os.environ.get("TZCLD_DATA_DIR", ""))


@st.cache_data(show_spinner=False)
def _facts_frame(facts_mtime: float) -> pd.DataFrame:
    from tzcld.ledger.summary import facts_frame

    return facts_frame()


#: Seconds the public pages skip a database that failed (they show the facts file meanwhile).
LEDGER_RETRY_AFTER_S = 60.0
_ledger_down: dict[str, float] = {}


def observations_or_facts() -> tuple[pd.DataFrame, bool]:
    """``(frame, from_ledger)``: the ledger's observations, or — when the database cannot be
    read — the published facts file as a frame (``from_ledger`` false: say so). After a
    failure the database is left alone for :data:`LEDGER_RETRY_AFTER_S` seconds, so that a
    server that does not answer does not make every visitor wait for its time-out."""
    from tzcld.facts import FACTS_PATH, FactsFileError

    key = f"{configured_database_url() or ''}|{configured_demo()}|{os.environ.get('TZCLD_DATA_DIR', '')}"
    down_since = _ledger_down.get(key)
    if down_since is None or time.monotonic() - down_since >= LEDGER_RETRY_AFTER_S:
        try:
            frame = observations()
        except Exception:  # noqa: BLE001 - database down: show the published figures, say so
            _ledger_down[key] = time.monotonic()
        else:
            _ledger_down.pop(key, None)
            return frame, True
    try:
        return _facts_frame(FACTS_PATH.stat().st_mtime), False
    except (FactsFileError, OSError) as exc:  # the facts file itself is wrong: say where
        messages = exc.messages if isinstance(exc, FactsFileError) else [str(exc)]
        st.error(tr("facts.error.page", messages="\n".join(f"- {m}" for m in messages)))
        st.stop()
        raise


def ledger_changed() -> None:
    """Call after a save: the next read sees it."""
    _observations.clear()


def territories_geojson() -> dict | None:
    """The published territories (WGS84): each approved perimeter version in place of the
    committed perimeter (:func:`tzcld.ui.geo.published_territories_geojson`, built once per
    published version; read-only), or ``None`` if the geodata is not built."""
    from tzcld.ui.geo import published_territories_geojson

    try:
        return published_territories_geojson()
    except FileNotFoundError:
        return None


@st.cache_data(show_spinner=False)
def provinces_geojson() -> dict | None:
    """The Walloon provinces (WGS84) for the map's context, or ``None``."""
    import json

    from tzcld.geodata.layers import read_context

    try:
        return json.loads(read_context("provinces").to_json())
    except Exception:  # noqa: BLE001 - context is optional
        return None


# ----------------------------------------------------------------- sign-in
def oidc_configured() -> bool:
    """True when secrets configure an OpenID Connect provider for ``st.login``."""
    auth = secret("auth")
    return bool(auth) and bool(secret("auth", "redirect_uri"))


def oidc_identity() -> tuple[str, bool] | None:
    """``(e-mail, verified)`` of the person signed in through OpenID Connect, or ``None``
    (no provider configured, nobody signed in, or no e-mail claim).

    ``verified`` is False only when the provider says so (``email_verified`` false, or the
    string ``"false"`` some providers send); providers that omit the claim are trusted.
    """
    if not oidc_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "").strip()
        flag = st.user.get("email_verified")
    except Exception:  # noqa: BLE001 - st.user unavailable (e.g. tests)
        return None
    if not email:
        return None
    return email, str(flag).strip().lower() != "false"


def current_account() -> Account | None:
    """The signed-in account: OIDC user mapped by a verified e-mail, else the local
    session account."""
    from tzcld.auth import account_for_email

    identity = oidc_identity()
    if identity is not None:
        email, verified = identity
        return account_for_email(email) if verified else None
    raw = st.session_state.get(SESSION_ACCOUNT)
    if not raw:
        return None
    try:
        return Account(raw["username"], raw["role"], raw.get("territory"), raw.get("display_name", ""))
    except (KeyError, ValueError):
        st.session_state.pop(SESSION_ACCOUNT, None)
        return None


def sign_in_local(username: str, password: str):
    """Check a local account's password, throttled across sessions and server replicas
    (:func:`tzcld.auth.sign_in`, the sign-in journal in the ledger's database); on success
    remember the account in the session. Returns the :class:`tzcld.auth.SignInResult`.
    When the database cannot be reached nobody can sign in (the result says so)."""
    from tzcld.auth import SignInResult, sign_in
    from tzcld.errors import TzcldError
    from tzcld.i18n import t
    from tzcld.ledger.throttle import SigninThrottle
    from tzcld.ui.signin import client_address_here

    try:
        throttle = SigninThrottle(ledger_store().engine)
        result = sign_in(username, password, throttle, client_address_here(), lang=current_lang())
    except TzcldError as exc:  # a setting or the accounts file: say which
        return SignInResult(None, exc.message(current_lang()))
    except Exception:  # noqa: BLE001 - database down or damaged: fail closed, say so
        return SignInResult(None, t("errors.signin.unavailable", current_lang()))
    account = result.account
    if account is not None:
        st.session_state[SESSION_ACCOUNT] = {
            "username": account.username,
            "role": account.role,
            "territory": account.territory,
            "display_name": account.display_name,
        }
    return result


def sign_out() -> bool:
    """Forget the local account, and log out of OpenID Connect when signed in that way.

    Returns True when ``st.logout()`` was called: the browser is then being sent to
    Streamlit's ``/auth/logout`` (and on to the provider's logout), which starts a new
    session. The caller must then NOT ``st.rerun()``: a new run empties the queue of
    messages to the browser, and the redirect could be dropped, leaving the person
    signed in at the provider and in their cookie. ``st.stop()`` is safe.
    """
    st.session_state.pop(SESSION_ACCOUNT, None)
    if oidc_configured():
        try:
            if st.user.is_logged_in:
                st.logout()
                return True
        except Exception:  # noqa: BLE001 - st.user unavailable
            pass
    return False


# --------------------------------------------------------------- rendering
def downloads(raw: pd.DataFrame, key: str, filename: str) -> None:
    """Two CSV downloads of ``raw``, side by side: for a Belgian spreadsheet (``;``, decimal
    comma, UTF-8 with BOM: ``…-tableur.csv``) and for machines (``,``, decimal point)."""
    from tzcld.export.people_csv import people_csv_bytes, people_file_name
    from tzcld.export.spreadsheet_safety import csv_bytes

    example = "is_example" in raw.columns and bool(raw["is_example"].any())
    name = f"{filename}{'-donnees-exemple' if example else ''}.csv"
    people, machine = st.columns(2)
    people.download_button(
        tr("progress.download"),
        data=people_csv_bytes(raw),
        file_name=people_file_name(name),
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
    )
    machine.download_button(
        tr("progress.download_machine"),
        data=csv_bytes(raw),
        file_name=name,
        mime="text/csv",
        key=f"download_{key}_machine",
        on_click="ignore",
    )


def chart_with_table(fig, raw: pd.DataFrame, display: pd.DataFrame, key: str, filename: str, alt: str = "") -> None:
    """A plotly chart, then its data as a table (expander) and the two CSV downloads of ``raw``."""
    title = fig.layout.title.text if fig.layout.title else ""
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False}, alt=alt or title or None)
    with st.expander(tr("progress.table_alternative"), expanded=False):
        st.dataframe(display, hide_index=True, key=f"table_{key}")
    downloads(raw, key, filename)


def lang() -> str:
    return current_lang()
