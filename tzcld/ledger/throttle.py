"""Sign-in throttling that holds across browser sessions and server replicas.

Every local sign-in attempt is written to the database's sign-in journal
(:class:`tzcld.ledger.models.SigninEventRow`: who — the user name typed —, when, from which
client address, how it ended; never the password), **before** the password is checked, as a
failure that a right password then turns into a success. So parallel attempts, in any
session of any replica (SQLite or PostgreSQL), see each other; reloading the page changes
nothing. The rules (:class:`tzcld.config.SigninPolicy`):

- an account's failures since its last success (and in the last :data:`FAILURE_MEMORY`) are
  counted; after ``free_failures`` of them, the next try must wait ``2**(n - free)`` seconds
  after the last failure (at most ``max_delay_s``) — an earlier try is refused unchecked;
- from ``max_failures`` on, the account is locked ``lock_minutes`` after each failure (then
  one try, which locks it again if it fails): a success resets the count;
- a client address with ``address_failures`` failures (any accounts) in ``lock_minutes`` is
  locked too (an unknown address — local use, a proxy not declared trusted — is not).

:meth:`SigninThrottle.begin` decides and records in one write transaction (SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so two attempts cannot both slip in.
The refusals say the same for known and unknown user names.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, func, select, text, update

from tzcld.config import SigninPolicy
from tzcld.i18n import DEFAULT_LANG, t
from tzcld.ledger.models import SigninEventRow

#: Failures older than this no longer count (even without a success since).
FAILURE_MEMORY = dt.timedelta(hours=24)
#: Events older than this are deleted (the journal is for throttling and recent audits).
RETENTION = dt.timedelta(days=180)
#: PostgreSQL advisory lock of sign-in decisions.
SIGNIN_LOCK_ID = 741_750_728

EVENTS = SigninEventRow.__table__


def normalise_username(username: str | None) -> str:
    """The user name as the journal keeps it: stripped, lower case, at most 128 characters."""
    return (username or "").strip().lower()[:128]


@dataclass(frozen=True)
class Gate:
    """The decision on one attempt: ``allowed`` (then ``event_id`` is its journal row), or
    refused because of ``reason`` (``wait`` / ``locked`` / ``address_locked``) until ``until``."""

    allowed: bool
    event_id: int | None = None
    reason: str | None = None
    until: dt.datetime | None = None
    now: dt.datetime | None = None

    @property
    def wait_s(self) -> int:
        if self.until is None or self.now is None:
            return 0
        return max(1, math.ceil((self.until - self.now).total_seconds()))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """Why the attempt was refused, in French (or ``lang``); ``""`` when allowed."""
        if self.allowed or self.reason is None:
            return ""
        if self.reason == "wait":
            return t("errors.signin.wait", lang, seconds=self.wait_s)
        minutes = max(1, math.ceil(self.wait_s / 60))
        when = _local_time(self.until) if self.until else ""
        key = "errors.signin.address_locked" if self.reason == "address_locked" else "errors.signin.locked"
        return t(key, lang, minutes=minutes, time=when)


def _local_time(moment: dt.datetime) -> str:
    """``14:35`` in Brussels time (UTC when the time zone database is missing)."""
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Brussels")).strftime("%H:%M")
    except Exception:  # noqa: BLE001 - no tz database on this machine
        return moment.astimezone(dt.UTC).strftime("%H:%M UTC")


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class SigninThrottle:
    """The sign-in journal of one database (see module docstring)."""

    def __init__(self, engine: Engine, policy: SigninPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or SigninPolicy()

    def delay_after(self, failures: int) -> dt.timedelta:
        """The wait after ``failures`` consecutive failures (zero while they are free)."""
        p = self.policy
        if failures < p.free_failures:
            return dt.timedelta(0)
        return dt.timedelta(seconds=min(2 ** (failures - p.free_failures + 1), p.max_delay_s))

    def _decide(self, conn, username: str, address: str, now: dt.datetime) -> Gate:
        p = self.policy
        last_success = conn.execute(
            select(func.max(EVENTS.c.at)).where(and_(EVENTS.c.username == username, EVENTS.c.outcome == "success"))
        ).scalar()
        since = now - FAILURE_MEMORY
        if last_success is not None:
            since = max(since, _utc(last_success))
        failures = [
            _utc(at)
            for at in conn.execute(
                select(EVENTS.c.at)
                .where(and_(EVENTS.c.username == username, EVENTS.c.outcome == "failure", EVENTS.c.at > since))
                .order_by(EVENTS.c.at.desc())
                .limit(p.max_failures + 1)
            ).scalars()
        ]
        if failures:
            last = failures[0]
            if len(failures) >= p.max_failures:
                until = last + dt.timedelta(minutes=p.lock_minutes)
                if now < until:
                    return Gate(False, reason="locked", until=until, now=now)
            else:
                until = last + self.delay_after(len(failures))
                if now < until:
                    return Gate(False, reason="wait", until=until, now=now)
        if address:
            window = now - dt.timedelta(minutes=p.lock_minutes)
            recent = list(
                conn.execute(
                    select(EVENTS.c.at)
                    .where(and_(EVENTS.c.address == address, EVENTS.c.outcome == "failure", EVENTS.c.at > window))
                    .order_by(EVENTS.c.at.desc())
                    .limit(p.address_failures)
                ).scalars()
            )
            if len(recent) >= p.address_failures:
                until = _utc(recent[-1]) + dt.timedelta(minutes=p.lock_minutes)
                return Gate(False, reason="address_locked", until=until, now=now)
        return Gate(True, now=now)

    def begin(self, username: str, address: str = "", now: dt.datetime | None = None) -> Gate:
        """Decide on an attempt and write it to the journal: allowed (as a failure, until
        :meth:`succeeded`) or refused (as ``refused``; the password must not be checked)."""
        username = normalise_username(username)
        address = (address or "")[:64]
        now = _utc(now) if now else dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SIGNIN_LOCK_ID})
            gate = self._decide(conn, username, address, now)
            outcome = "failure" if gate.allowed else "refused"
            result = conn.execute(
                EVENTS.insert()
                .values(at=now, username=username, address=address, outcome=outcome)
                .returning(EVENTS.c.id)
            )
            event_id = int(result.scalar_one())
        return Gate(True, event_id=event_id, now=now) if gate.allowed else gate

    def succeeded(self, gate: Gate) -> None:
        """The password was right: the attempt is a success (the account's failures before
        it no longer count); old journal rows are pruned."""
        if gate.event_id is None:
            return
        now = dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            conn.execute(update(EVENTS).where(EVENTS.c.id == gate.event_id).values(outcome="success"))
            conn.execute(delete(EVENTS).where(EVENTS.c.at < now - RETENTION))

    def events(self, username: str | None = None) -> list[dict]:
        """The journal (newest first), optionally for one user name: for audits and tests."""
        query = select(EVENTS).order_by(EVENTS.c.id.desc())
        if username is not None:
            query = query.where(EVENTS.c.username == normalise_username(username))
        with self.engine.connect() as conn:
            return [dict(r._mapping) | {"at": _utc(r.at)} for r in conn.execute(query)]


def client_address(
    peer: str | None,
    forwarded_for: Sequence[str] | str | None = None,
    trusted: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = (),
) -> str:
    """The client's address for throttling.

    ``peer`` is the connection's address (Streamlit's ``st.context.ip_address``: ``None``
    for a loopback connection). ``X-Forwarded-For`` (``forwarded_for``: the header's values)
    is believed only when the peer is one of the ``trusted`` proxies
    (:attr:`tzcld.runtime.Settings.trusted_proxies`); then the right-most address that is not itself a
    trusted proxy is the client. ``""`` when unknown (a loopback connection without proxy).
    """
    trusted = tuple(trusted)
    peer_ip = _ip(peer) if peer else ipaddress.ip_address("127.0.0.1")
    if peer_ip is None:
        return ""
    if not any(peer_ip in net for net in trusted):
        return "" if peer is None else str(peer_ip)
    values = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for or [])
    hops = [h.strip() for value in values for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break  # a forged or broken entry: stop at the last trusted hop's word
        if not any(ip in net for net in trusted):
            return str(ip)
    return "" if peer is None else str(peer_ip)


def _ip(text_: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text_.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None
