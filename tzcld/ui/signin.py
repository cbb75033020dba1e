"""The sign-in gate shared by the authenticated pages (Saisie, Périmètre).

OpenID Connect (``st.login``) when secrets configure a provider, else local accounts
(:mod:`tzcld.auth`), throttled across sessions and replicas by the sign-in journal in the
database (:mod:`tzcld.ledger.throttle`). Who may do what is enforced again by the stores on
every write.
"""

from __future__ import annotations

import streamlit as st

from tzcld.auth import Account, load_accounts
from tzcld.territories import load_registry
from tzcld.ui import tr
from tzcld.ui.ledger import current_account, oidc_configured, oidc_identity, sign_in_local, sign_out


def _sign_in_form(prefix: str) -> None:
    if oidc_configured():
        identity = oidc_identity()
        if identity is None:
            st.button(tr("entry.sign_in_oidc"), on_click=st.login, key=f"{prefix}oidc_login")
            return
        # Signed in at the provider, but with no right here: say why, and let them sign
        # out (e.g. to come back with another account of the organisation).
        email, verified = identity
        st.warning(tr("entry.oidc_unknown" if verified else "entry.oidc_unverified", email=email))
        if st.button(tr("entry.sign_out"), key=f"{prefix}oidc_sign_out"):
            _sign_out_and_stop()
        return
    if not load_accounts():
        st.info(tr("entry.no_accounts"))
    with st.form(f"{prefix}sign_in"):
        username = st.text_input(tr("entry.username"), key=f"{prefix}login_username")
        password = st.text_input(tr("entry.password"), type="password", key=f"{prefix}login_password")
        submitted = st.form_submit_button(tr("entry.sign_in"))
    if submitted:
        result = sign_in_local(username, password)
        if result.account is not None:
            st.rerun()
        st.error(result.refused or tr("entry.sign_in_failed"))


def client_address_here() -> str:
    """This session's client address for sign-in throttling: Streamlit's connection address,
    or the ``X-Forwarded-For`` client when the connection comes from a proxy declared in
    ``TZCLD_TRUSTED_PROXIES`` (:func:`tzcld.ledger.throttle.client_address`); ``""`` if unknown."""
    from tzcld.config import trusted_proxies
    from tzcld.ledger.throttle import client_address

    try:
        peer = st.context.ip_address
        headers = st.context.headers
        forwarded = (
            headers.get_all("X-Forwarded-For") if hasattr(headers, "get_all") else headers.get("X-Forwarded-For")
        )
    except Exception:  # noqa: BLE001 - no client context (tests, scripts)
        return ""
    return client_address(peer, forwarded, trusted_proxies())


def require_account(prefix: str = "", why: str | None = None) -> Account:
    """The signed-in account, with a "signed in as … / sign out" line; otherwise the
    sign-in form (``why`` said above it) and the page stops there.

    ``prefix`` keeps widget keys apart between pages (``"perimeter_"`` →
    ``perimeter_login_username``)."""
    account = current_account()
    if account is None:
        st.subheader(tr("entry.sign_in_heading"))
        if why:
            st.info(why)
        _sign_in_form(prefix)
        st.stop()
    if account.is_admin:
        role = tr("entry.role_admin")
    else:
        names = {t.id: t.name for t in load_registry()}
        role = tr("entry.role_porteur", territory=names.get(account.territory or "", ""))
    left, right = st.columns([4, 1])
    left.markdown(tr("entry.signed_in_as", name=account.display_name or account.username, role=role))
    if right.button(tr("entry.sign_out"), key=f"{prefix}sign_out"):
        _sign_out_and_stop()
    return account


def _sign_out_and_stop() -> None:
    """Sign out, then end this run: a rerun for a local account; for OpenID Connect a stop,
    so that the redirect to ``/auth/logout`` reaches the browser (see
    :func:`tzcld.ui.ledger.sign_out`)."""
    if sign_out():
        st.stop()
    st.rerun()
