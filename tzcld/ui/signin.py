"""The sign-in gate shared by the authenticated pages (Saisie, Périmètre).

OpenID Connect (``st.login``) when secrets configure a provider, else local accounts
(:mod:`tzcld.auth`, the runtime's accounts file), throttled across sessions and replicas by
the sign-in journal in the database (:mod:`tzcld.ledger.throttle`). Who may do what is enforced again by the stores on
every write.
"""

from __future__ import annotations

import streamlit as st

from tzcld.auth import Account, SignInResult, load_accounts
from tzcld.territories import load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui.runtime import runtime

#: Session key holding the signed-in local account (a dict: username, role, territory, display_name).
SESSION_ACCOUNT = "tzcld_account"


def oidc_configured() -> bool:
    """True when secrets configure an OpenID Connect provider for ``st.login``."""
    return runtime().settings.oidc


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
        return account_for_email(email, runtime().settings.accounts) if verified else None
    raw = st.session_state.get(SESSION_ACCOUNT)
    if not raw:
        return None
    try:
        return Account(raw["username"], raw["role"], raw.get("territory"), raw.get("display_name", ""))
    except (KeyError, ValueError):
        st.session_state.pop(SESSION_ACCOUNT, None)
        return None


def sign_in_local(username: str, password: str) -> SignInResult:
    """Check a local account's password, throttled across sessions and server replicas
    (:func:`tzcld.auth.sign_in`, the sign-in journal in the ledger's database); on success
    remember the account in the session. Returns the :class:`tzcld.auth.SignInResult`.
    When the database cannot be reached nobody can sign in (the result says so)."""
    from tzcld.auth import SignInResult, sign_in
    from tzcld.errors import TzcldError, is_database_error
    from tzcld.i18n import t

    rt = runtime()
    try:
        throttle = rt.signin_throttle()
        address = client_address_here()
        result = sign_in(username, password, throttle, address, rt.settings.accounts, lang=current_lang())
    except TzcldError as exc:  # a setting, the accounts file, a damaged database: say which
        return SignInResult(None, exc.message(current_lang()))
    except Exception as exc:
        if not is_database_error(exc):
            raise
        return SignInResult(None, t("errors.signin.unavailable", current_lang()))  # fail closed, say so
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
    if not load_accounts(runtime().settings.accounts):
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
    from tzcld.ledger.throttle import client_address

    trusted = runtime().settings.trusted_proxies
    try:
        peer = st.context.ip_address
        headers = st.context.headers
        forwarded = (
            headers.get_all("X-Forwarded-For") if hasattr(headers, "get_all") else headers.get("X-Forwarded-For")
        )
    except Exception:  # noqa: BLE001 - no client context (tests, scripts)
        return ""
    return client_address(peer, forwarded, trusted)


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
    so that the redirect to ``/auth/logout`` reaches the browser (see :func:`sign_out`)."""
    if sign_out():
        st.stop()
    st.rerun()
