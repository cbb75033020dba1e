"""Accounts of the Saisie page: local accounts with argon2 password hashes, or OIDC.

Where local accounts live (:class:`AccountsLocation`; the settings' choice is
:attr:`tzcld.runtime.Settings.accounts`, which the pages and CLIs pass to every function here):

- in the **database** (table ``accounts``, schema migration 4) when a database URL is set
  (``TZCLD_DATABASE_URL``): every server replica then sees the same accounts;
- otherwise in a TOML file **outside git**: ``TZCLD_ACCOUNTS_FILE``, default
  ``<data_dir>/accounts.toml`` (``data/`` is git-ignored). ``TZCLD_ACCOUNTS_FILE`` set
  explicitly keeps the file even with a database URL (a single host).

Every function takes ``path`` (a file, or an :class:`AccountsLocation`) or ``database`` (a
URL); with neither, the settings of the environment decide (:func:`accounts_location`).

Only argon2id hashes are stored, never a password. Add one with ``python -m tzcld ledger
add-account``; ``ledger import-accounts FILE`` copies a file's accounts into the database.
The file's format::

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
import datetime as dt
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
    from sqlalchemy import Connection, Engine

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


def accounts_file() -> Path:
    """Path of the local accounts file of the environment's settings
    (``TZCLD_ACCOUNTS_FILE`` or ``<data dir>/accounts.toml``)."""
    from tzcld.runtime import Settings

    return Settings.from_env().accounts_file


@dataclass(frozen=True)
class AccountsLocation:
    """Where the local accounts are: a ``file`` (``path``) or a ``database`` (``url``)."""

    kind: str
    path: Path | None = None
    url: str | None = None

    @property
    def in_database(self) -> bool:
        return self.kind == "database"

    def describe(self) -> str:
        """For people: the file's path, or the database URL without its password."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url

        from tzcld.ledger.store import database_url

        try:
            return make_url(database_url(self.url or "")).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL is named by its scheme only
            return (self.url or "").split(":", 1)[0] + "://…"


#: A location argument: a file, or an :class:`AccountsLocation` (``None``: the settings').
Where = Path | AccountsLocation | None


def accounts_location(path: Where = None, database: str | None = None) -> AccountsLocation:
    """Where the local accounts are: ``path`` (a file, or a location) or ``database`` (a
    URL) when given; else the environment's settings (:attr:`tzcld.runtime.Settings.accounts`):
    ``TZCLD_ACCOUNTS_FILE`` when set; else the database of ``TZCLD_DATABASE_URL`` when set
    (shared by every server replica); else ``<data dir>/accounts.toml``."""
    if isinstance(path, AccountsLocation):
        return path
    if path is not None:
        return AccountsLocation("file", path=Path(path))
    if database:
        return AccountsLocation("database", url=database)
    from tzcld.runtime import Settings

    return Settings.from_env().accounts


# ------------------------------------------------------------------ accounts in the database
def _engine(url: str) -> Engine:
    """The process's engine on ``url`` (:func:`tzcld.runtime.shared_engine`: one pool per
    database, shared with the ledger and the perimeters), migrated once (the accounts table
    is migration 4)."""
    from tzcld.runtime import shared_engine

    return shared_engine(url, migrated=True)


def dispose_engines() -> None:
    """Close the process's database connections (:func:`tzcld.runtime.dispose_engines`;
    tests, before a database is dropped)."""
    from tzcld.runtime import dispose_engines as dispose

    dispose()


def _db_load(url: str) -> dict[str, StoredAccount]:
    from sqlalchemy import select

    from tzcld.ledger.models import AccountRow

    table = AccountRow.__table__
    with _engine(url).connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.username)).all()
    return {
        r.username: StoredAccount(
            r.username, r.role, r.territory or None, r.display_name or "", r.email or "", r.password_hash or ""
        )
        for r in rows
    }


def _db_lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy import text

        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ACCOUNTS_LOCK_ID})


def _db_save(url: str, stored: StoredAccount, replace: bool) -> None:
    from sqlalchemy import select

    from tzcld.ledger.models import AccountRow

    table = AccountRow.__table__
    now = dt.datetime.now(dt.UTC)
    values = {
        "role": stored.role,
        "territory": stored.territory,
        "display_name": stored.display_name,
        "email": stored.email,
        "password_hash": stored.password_hash,
        "updated_at": now,
    }
    with _engine(url).connect().execution_options(tzcld_write=True) as conn, conn.begin():
        _db_lock(conn)
        exists = conn.execute(select(table.c.username).where(table.c.username == stored.username)).first()
        if exists and not replace:
            raise AccountError("errors.account.exists", username=stored.username)
        if exists:
            conn.execute(table.update().where(table.c.username == stored.username).values(**values))
        else:
            conn.execute(table.insert().values(username=stored.username, created_at=now, **values))


def _db_delete(url: str, username: str) -> None:
    from tzcld.ledger.models import AccountRow

    table = AccountRow.__table__
    with _engine(url).connect().execution_options(tzcld_write=True) as conn, conn.begin():
        _db_lock(conn)
        if conn.execute(table.delete().where(table.c.username == username)).rowcount == 0:
            raise AccountError("errors.account.missing", username=username)


#: PostgreSQL advisory lock of account changes (beside the ledger's 741_750_72x locks).
ACCOUNTS_LOCK_ID = 741_750_729


def load_accounts(path: Where = None, *, database: str | None = None) -> dict[str, StoredAccount]:
    """All local accounts by user name (empty when there is none yet), from
    :func:`accounts_location` (``path``: that file; ``database``: that database URL).
    A database that cannot be reached raises what the database raises."""
    where = accounts_location(path, database)
    if where.in_database:
        return _db_load(where.url or "")
    return _load_file(where.path or accounts_file())


def _load_file(p: Path) -> dict[str, StoredAccount]:
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
    path: Where = None,
    actor: Account | None = None,
    replace: bool = False,
    database: str | None = None,
) -> StoredAccount:
    """Create (or with ``replace`` update) a local account; returns it.

    ``actor`` is the signed-in person doing it (must be an admin); ``None`` means the
    command line, run by whoever can write the file or the database. ``password`` may be
    ``None`` for an OIDC-only account (then ``email`` is required). Stored where
    :func:`accounts_location` says: a file is rewritten atomically, under a lock, with mode
    0600; a database row is written in one transaction. Raises :class:`AccountError`
    (French message).
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
    stored = StoredAccount(username, role, territory, display_name.strip(), email.strip().lower(), password_hash)
    return _store_account(stored, replace, accounts_location(path, database))


def _store_account(stored: StoredAccount, replace: bool, where: AccountsLocation) -> StoredAccount:
    if where.in_database:
        _db_save(where.url or "", stored, replace)
        return stored
    p = where.path or accounts_file()
    username = stored.username
    with _locked(p):
        accounts = _load_file(p)
        if username in accounts and not replace:
            raise AccountError("errors.account.exists", username=username)
        accounts[username] = stored
        _write(p, accounts)
    return stored


def remove_account(
    username: str, *, path: Where = None, actor: Account | None = None, database: str | None = None
) -> None:
    """Delete a local account (its past entries stay in the ledger under its name).

    ``actor`` must be an admin (``None``: the command line) and may not remove itself.
    Raises :class:`AccountError` (French message) when there is no such account.
    """
    if actor is not None:
        check_can_manage_accounts(actor)
    username = (username or "").strip().lower()
    if actor is not None and actor.username == username:
        raise AccountError("errors.account.self_remove")
    where = accounts_location(path, database)
    if where.in_database:
        _db_delete(where.url or "", username)
        return
    p = where.path or accounts_file()
    with _locked(p):
        accounts = _load_file(p)
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


def import_accounts(source: Path, *, database: str | None = None, replace: bool = False) -> tuple[list[str], list[str]]:
    """Copy the accounts of the file ``source`` (hashes as they are) into the database
    (``database``, else the one of ``TZCLD_DATABASE_URL``): ``(added, skipped)`` user names;
    an existing account is skipped, or with ``replace`` overwritten. All or nothing: the
    file is read and checked before anything is written."""
    where = accounts_location(None, database)
    if not where.in_database:
        raise AccountError("errors.account.no_database")
    incoming = _load_file(Path(source))
    for stored in incoming.values():
        if not _USERNAME.match(stored.username) or stored.role not in ROLES:
            raise AccountError("errors.account.unreadable_file", path=str(source), detail=stored.username[:40])
    present = _db_load(where.url or "")
    added, skipped = [], []
    for name, stored in sorted(incoming.items()):
        if name in present and not replace:
            skipped.append(name)
            continue
        _db_save(where.url or "", stored, replace=True)
        added.append(name)
    return added, skipped


def authenticate(username: str, password: str, path: Where = None, *, database: str | None = None) -> Account | None:
    """The account if ``password`` is right for ``username``, else ``None``.

    Unknown names cost the same hash verification as known ones.
    """
    stored = load_accounts(path, database=database).get((username or "").strip().lower())
    hashed = stored.password_hash if stored and stored.password_hash else _DUMMY_HASH
    ok: bool
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


def account_for_email(email: str, path: Where = None, *, database: str | None = None) -> Account | None:
    """The account registered for this OpenID Connect e-mail, or ``None`` (no rights).

    The account keeps its user name (what the ledger records as ``entered_by`` and what
    the accounts tab compares), never the e-mail address (personal data shown on pages).
    """
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    for stored in load_accounts(path, database=database).values():
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
    path: Where = None,
    lang: str = "fr",
    *,
    database: str | None = None,
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
    account = authenticate(username, password, path, database=database)
    if account is not None:
        throttle.succeeded(gate)
    return SignInResult(account)
