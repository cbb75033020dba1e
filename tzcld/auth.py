"""Accounts of the Saisie page: local accounts with argon2 password hashes, or OIDC.

Local accounts live in a TOML file **outside git**, the ``path`` every function takes:
:attr:`tzcld.runtime.Settings.accounts_file` (``TZCLD_ACCOUNTS_FILE``, default
``<data dir>/accounts.toml``; ``data/`` is git-ignored). Only argon2id hashes are stored,
never a password. Add one with ``python -m tzcld ledger add-account``. Example::

    [accounts.anne]
    role = "porteur"          # porteur | admin
    territory = "liege"       # a territory id (porteurs only)
    display_name = "Anne (CPAS de Liège)"
    email = "anne@example.org"   # optional: lets her sign in through OpenID Connect
    password_hash = "$argon2id$v=19$..."

When an OpenID Connect provider is configured (Streamlit ``st.login``), a signed-in
person gets the role of the account whose ``email`` matches; an unknown e-mail gets no
right to record anything. The roles are enforced by :mod:`tzcld.ledger.permissions`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tzcld.errors import TzcldError
from tzcld.ledger.permissions import ROLES, Account, check_can_manage_accounts
from tzcld.territories import TERRITORY_IDS

if TYPE_CHECKING:
    from tzcld.ledger.throttle import SigninThrottle

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_HASHER = PasswordHasher()
#: Verified against for unknown user names, so that they take as long as known ones.
_DUMMY_HASH = _HASHER.hash("tzcld-dummy-password")


class AccountError(TzcldError, ValueError):
    """A bad account request (``errors.account.*``); ``str(exc)`` is a French message."""


@dataclass(frozen=True)
class StoredAccount:
    """An account as kept in the accounts file (with its hash, never a password)."""

    username: str
    role: str
    territory: str | None
    display_name: str
    email: str
    password_hash: str

    def account(self) -> Account:
        return Account(self.username, self.role, self.territory, self.display_name or self.username)


def load_accounts(path: Path) -> dict[str, StoredAccount]:
    """All local accounts of the file ``path`` by user name (empty when it does not exist)."""
    p = path
    if not p.exists():
        return {}
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError("errors.account.unreadable_file", path=str(p), detail=str(exc)[:120]) from exc
    accounts = data.get("accounts") or {}
    if not isinstance(accounts, dict) or not all(isinstance(v, dict) for v in accounts.values()):
        raise AccountError("errors.account.unreadable_file", path=str(p), detail="[accounts.NOM]")
    out: dict[str, StoredAccount] = {}
    for username, raw in accounts.items():
        out[username] = StoredAccount(
            username=username,
            role=str(raw.get("role", "")),
            territory=raw.get("territory") or None,
            display_name=str(raw.get("display_name", "")),
            email=str(raw.get("email", "")),
            password_hash=str(raw.get("password_hash", "")),
        )
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _dump(accounts: dict[str, StoredAccount]) -> str:
    lines = [
        "# Comptes locaux de la page Saisie (TZCLD Wallonie). NE PAS VERSIONNER.",
        "# Mots de passe : empreintes argon2id seulement. Ajouter : python -m tzcld ledger add-account",
        "",
    ]
    for a in sorted(accounts.values(), key=lambda a: a.username):
        lines.append(f"[accounts.{_toml_string(a.username)}]")
        lines.append(f"role = {_toml_string(a.role)}")
        if a.territory:
            lines.append(f"territory = {_toml_string(a.territory)}")
        lines.append(f"display_name = {_toml_string(a.display_name)}")
        lines.append(f"email = {_toml_string(a.email)}")
        lines.append(f"password_hash = {_toml_string(a.password_hash)}")
        lines.append("")
    return "\n".join(lines)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def add_account(
    username: str,
    password: str | None,
    role: str,
    territory: str | None = None,
    display_name: str = "",
    email: str = "",
    *,
    path: Path,
    actor: Account | None = None,
    replace: bool = False,
) -> StoredAccount:
    """Create (or with ``replace`` update) a local account; returns it.

    ``actor`` is the signed-in person doing it (must be an admin); ``None`` means the
    command line, run by whoever can write the file. ``password`` may be ``None`` for an
    OIDC-only account (then ``email`` is required). The file is rewritten atomically,
    under a lock, with mode 0600. Raises :class:`AccountError` (French message).
    """
    if actor is not None:
        check_can_manage_accounts(actor)
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise AccountError("errors.account.bad_username")
    if role not in ROLES:
        raise AccountError("errors.account.bad_role", role=role)
    if role == "porteur" and territory not in TERRITORY_IDS:
        raise AccountError("errors.account.porteur_territory", territory=territory or "")
    if role == "admin":
        territory = None
    if password is None:
        if not email:
            raise AccountError("errors.account.oidc_email")
        password_hash = ""
    else:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError("errors.account.short_password", min=MIN_PASSWORD_LENGTH)
        password_hash = _HASHER.hash(password)
    p = path
    with _locked(p):
        accounts = load_accounts(p)
        if username in accounts and not replace:
            raise AccountError("errors.account.exists", username=username)
        stored = StoredAccount(username, role, territory, display_name.strip(), email.strip().lower(), password_hash)
        accounts[username] = stored
        _write(p, accounts)
    return stored


def remove_account(username: str, *, path: Path, actor: Account | None = None) -> None:
    """Delete a local account (its past entries stay in the ledger under its name).

    ``actor`` must be an admin (``None``: the command line) and may not remove itself.
    Raises :class:`AccountError` (French message) when there is no such account.
    """
    if actor is not None:
        check_can_manage_accounts(actor)
    username = (username or "").strip().lower()
    if actor is not None and actor.username == username:
        raise AccountError("errors.account.self_remove")
    p = path
    with _locked(p):
        accounts = load_accounts(p)
        if username not in accounts:
            raise AccountError("errors.account.missing", username=username)
        del accounts[username]
        _write(p, accounts)


def _write(p: Path, accounts: dict[str, StoredAccount]) -> None:
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".accounts-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_dump(accounts))
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def authenticate(username: str, password: str, path: Path) -> Account | None:
    """The account if ``password`` is right for ``username``, else ``None``.

    Unknown names cost the same hash verification as known ones.
    """
    stored = load_accounts(path).get((username or "").strip().lower())
    hashed = stored.password_hash if stored and stored.password_hash else _DUMMY_HASH
    try:
        ok = _HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or stored is None or not stored.password_hash:
        return None
    try:
        return stored.account()
    except ValueError:  # e.g. a porteur whose territory is no longer in the registry
        return None


def account_for_email(email: str, path: Path) -> Account | None:
    """The account registered for this OpenID Connect e-mail, or ``None`` (no rights).

    The account keeps its user name (what the ledger records as ``entered_by`` and what
    the accounts tab compares), never the e-mail address (personal data shown on pages).
    """
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    for stored in load_accounts(path).values():
        if stored.email and stored.email == wanted:
            try:
                return stored.account()
            except ValueError:  # e.g. a porteur whose territory is no longer in the registry
                return None
    return None


@dataclass(frozen=True)
class SignInResult:
    """The outcome of :func:`sign_in`: the ``account`` (right password), or ``None`` with
    ``refused`` — the French message of a throttled attempt (its password was not checked) —
    or ``""`` for a plain wrong user name or password."""

    account: Account | None
    refused: str = ""


def sign_in(
    username: str,
    password: str,
    throttle: SigninThrottle,
    address: str,
    path: Path,
    lang: str = "fr",
) -> SignInResult:
    """Sign in with a local account, throttled across sessions and replicas.

    ``throttle`` is a :class:`tzcld.ledger.throttle.SigninThrottle` (the journal in the
    database); ``address`` the client's address (:func:`tzcld.ledger.throttle.client_address`).
    The attempt is recorded before the password is checked; a refused attempt never checks it.
    Raises what the database raises when it cannot be reached (no sign-in then: fail closed).
    """
    gate = throttle.begin(username, address)
    if not gate.allowed:
        return SignInResult(None, gate.message(lang))
    account = authenticate(username, password, path)
    if account is not None:
        throttle.succeeded(gate)
    return SignInResult(account)
