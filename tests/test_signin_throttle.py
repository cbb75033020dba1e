"""Sign-in throttling in the database: across sessions, replicas and reloads (issue 12)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading

import pytest

from tzcld.auth import add_account, sign_in
from tzcld.config import SigninPolicy
from tzcld.ledger import open_store
from tzcld.ledger.throttle import SigninThrottle, client_address
from tzcld.runtime import Settings

PASSWORD = "le-bon-mot-de-passe"
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _store(url):
    return open_store(url or Settings.from_env().database_url, seed=False, demo=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def anne():
    add_account("anne", PASSWORD, "porteur", "liege", "Anne", path=Settings.from_env().accounts_file)


def _fail(throttle, n, start=T0, step_s=120, user="anne", address="198.51.100.7"):
    """``n`` wrong tries, ``step_s`` apart (long enough to pass any delay)."""
    now = start
    for _ in range(n):
        gate = throttle.begin(user, address, now=now)
        assert gate.allowed, gate.message()
        now += dt.timedelta(seconds=step_s)
    return now


def test_delays_then_a_lock_then_reset_on_success(url, anne):
    store = _store(url)
    throttle = SigninThrottle(store.engine, SigninPolicy())
    # three free failures in a row, then the fourth must wait 2 s after the third
    now = T0
    for _ in range(3):
        assert throttle.begin("anne", "198.51.100.7", now=now).allowed
    gate = throttle.begin("anne", "198.51.100.7", now=now + dt.timedelta(seconds=1))
    assert not gate.allowed and gate.reason == "wait"
    assert gate.message() == "Trop de tentatives de connexion : patientez 1 s avant de réessayer."
    assert throttle.begin("anne", "198.51.100.7", now=now + dt.timedelta(seconds=2)).allowed  # 4th
    assert throttle.delay_after(4) == dt.timedelta(seconds=4) and throttle.delay_after(9) == dt.timedelta(seconds=60)
    now = _fail(throttle, 6, start=now + dt.timedelta(minutes=2))  # 10 failures in all
    gate = throttle.begin("anne", "198.51.100.7", now=now)
    assert not gate.allowed and gate.reason == "locked"
    assert gate.message().startswith(
        "Trop d'échecs de connexion pour ce compte : connexion bloquée pendant 13 min (jusqu'à 11:27)"
    )
    # locked means locked, even for the right password (it is not even checked)
    assert not throttle.begin("anne", "203.0.113.9", now=now + dt.timedelta(minutes=5)).allowed
    # after the lock, one try; the right one resets everything
    later = now + dt.timedelta(minutes=15)
    gate = throttle.begin("anne", "198.51.100.7", now=later)
    assert gate.allowed
    throttle.succeeded(gate)
    assert throttle.begin("anne", "198.51.100.7", now=later + dt.timedelta(seconds=1)).allowed
    store.dispose()


def test_the_count_holds_across_sessions_replicas_and_reloads(url, anne):
    """Each attempt through a new engine: another session, another server process."""
    policy = SigninPolicy(max_failures=4, free_failures=1)
    now = T0
    for i in range(4):
        store = _store(url)
        assert SigninThrottle(store.engine, policy).begin("anne", f"192.0.2.{i}", now=now).allowed
        store.dispose()
        now += dt.timedelta(minutes=2)
    store = _store(url)
    gate = SigninThrottle(store.engine, policy).begin("anne", "192.0.2.99", now=now)
    assert not gate.allowed and gate.reason == "locked"
    store.dispose()


def test_parallel_attempts_cannot_slip_through(url, anne):
    """20 simultaneous wrong tries from 20 sessions: only the free ones are checked."""
    policy = SigninPolicy(max_failures=5, free_failures=2)
    store = _store(url)
    allowed = []

    def attempt(i: int) -> None:
        engine_store = _store(url)
        try:
            gate = SigninThrottle(engine_store.engine, policy).begin("anne", f"192.0.2.{i}", now=T0)
            allowed.append(gate.allowed)
        finally:
            engine_store.dispose()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert sum(allowed) == 2 and len(allowed) == 20
    store.dispose()


def test_an_address_spraying_many_accounts_is_locked(url):
    policy = SigninPolicy(max_failures=10, address_failures=6, free_failures=3)
    store = _store(url)
    throttle = SigninThrottle(store.engine, policy)
    for i in range(6):
        assert throttle.begin(f"victime{i}", "198.51.100.66", now=T0 + dt.timedelta(seconds=i)).allowed
    gate = throttle.begin("victime9", "198.51.100.66", now=T0 + dt.timedelta(seconds=10))
    assert not gate.allowed and gate.reason == "address_locked"
    assert "depuis cette adresse" in gate.message()
    assert throttle.begin("victime9", "198.51.100.67", now=T0 + dt.timedelta(seconds=10)).allowed  # another client
    assert throttle.begin("x", "", now=T0 + dt.timedelta(seconds=11)).allowed  # unknown address: not pooled
    store.dispose()


def test_the_journal_records_who_when_where_never_the_password(url, anne):
    store = _store(url)
    throttle = SigninThrottle(store.engine)
    accounts = Settings.from_env().accounts_file
    assert sign_in("Anne", "pas-le-bon-mot-de-passe-secret", throttle, "198.51.100.7", accounts).account is None
    result = sign_in("anne", PASSWORD, throttle, "198.51.100.7", accounts)
    assert result.account is not None and result.account.username == "anne"
    events = throttle.events("anne")
    assert [e["outcome"] for e in events] == ["success", "failure"]
    assert {e["username"] for e in events} == {"anne"} and {e["address"] for e in events} == {"198.51.100.7"}
    assert all(abs(e["at"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5) for e in events)
    with store.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM signin_events") for v in row)
    assert "secret" not in dump and PASSWORD not in dump
    store.dispose()


def test_a_refused_attempt_does_not_check_the_password(anne, monkeypatch):
    store = _store(None)
    throttle = SigninThrottle(store.engine, SigninPolicy(max_failures=2, free_failures=1))
    for minutes in (3, 2):
        assert throttle.begin("anne", "", now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).allowed
    checked = []
    import tzcld.auth

    real = tzcld.auth.authenticate
    monkeypatch.setattr(tzcld.auth, "authenticate", lambda *a, **k: checked.append(a) or real(*a, **k))
    result = sign_in("anne", PASSWORD, throttle, "", Settings.from_env().accounts_file)
    assert result.account is None and result.refused.startswith("Trop d'échecs de connexion pour ce compte")
    assert checked == []
    store.dispose()


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    proxies = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))
    assert client_address("203.0.113.5", "198.51.100.1", ()) == "203.0.113.5"  # header ignored
    assert client_address("203.0.113.5", "198.51.100.1", proxies) == "203.0.113.5"  # peer is no proxy
    assert client_address("10.1.2.3", "198.51.100.1, 10.9.9.9", proxies) == "198.51.100.1"
    assert client_address(None, ["6.6.6.6, 198.51.100.1"], proxies) == "198.51.100.1"  # right-most untrusted
    assert client_address(None, None, proxies) == ""  # a local proxy without header
    assert client_address(None, "198.51.100.1", ()) == ""  # loopback, no proxy declared: unknown
    assert client_address("10.1.2.3", "n'importe quoi", proxies) == "10.1.2.3"


def test_settings(monkeypatch):
    assert Settings.from_env().signin_policy == SigninPolicy()
    monkeypatch.setenv("TZCLD_SIGNIN_MAX_FAILURES", "5")
    monkeypatch.setenv("TZCLD_SIGNIN_LOCK_MINUTES", "30")
    assert Settings.from_env().signin_policy == SigninPolicy(max_failures=5, lock_minutes=30, address_failures=25)
    monkeypatch.setenv("TZCLD_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    expected = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))
    assert Settings.from_env().trusted_proxies == expected
