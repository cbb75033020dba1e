"""Real browser, two dashboard replicas on one PostgreSQL database (issue 12):

- sign-in throttling holds across browser sessions, page reloads and replicas: after the
  allowed failures the right password is refused in another session on the other server;
- with PostgreSQL stopped (a real server, stopped in the test), the pages say so in French:
  no traceback, no exception type, no database host, port or server path.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.browser_support import open_app_page, start_streamlit, wait_for_app_idle
from tests.pg_support import PostgresCluster, pg_bin_dir
from tzcld.auth import add_account

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

PASSWORD = "le-bon-mot-de-passe"
#: What must never reach a visitor.
INTERNALS = re.compile(
    r"Traceback|OperationalError|sqlalchemy|psycopg|sqlite3|File \"/|/tmp/|connection (?:to server|refused)|"
    r"Background on this error|\bline \d+, in\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL server of this module's own: it is stopped by a test."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found")
    c = PostgresCluster(bin_dir)
    c.start()
    yield c
    try:
        c.stop()
    except RuntimeError:  # already stopped by the test
        shutil.rmtree(c.root, ignore_errors=True)


@pytest.fixture(scope="module")
def replicas(cluster, tmp_path_factory, streamlit_env):
    """Two ``streamlit run dashboard.py`` on the same database and accounts file."""
    data = tmp_path_factory.mktemp("replicas-data")
    url = cluster.create_database("tableau")
    accounts = data / "accounts.toml"
    add_account("brigitte", PASSWORD, "porteur", "gembloux", "Brigitte", path=accounts)
    add_account("charles", PASSWORD, "admin", None, "Charles", path=accounts)
    env = dict(
        streamlit_env,
        TZCLD_DATA_DIR=str(data),
        TZCLD_DATABASE_URL=url,
        TZCLD_ACCOUNTS_FILE=str(accounts),
        TZCLD_SIGNIN_MAX_FAILURES="3",
    )
    logs = tmp_path_factory.mktemp("replicas-log")
    servers = [start_streamlit(env, logs / f"replica{i}.log") for i in (1, 2)]
    yield servers, url
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium_browser):
    """The session's chromium (one Playwright per process)."""
    return chromium_browser


def _session(browser):
    """A fresh browser session (its own cookies and Streamlit session)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    context.route(lambda url: not url.startswith(("http://127.0.0.1", "ws://127.0.0.1")), lambda r: r.abort())
    return context


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _try_sign_in(page, url: str, username: str, password: str) -> str:
    """Open the Saisie page afresh (a new Streamlit session: a reload), try once, return the
    error shown, or ``""`` when signed in."""
    open_app_page(page, f"{url}/saisie")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    signed_in = page.get_by_role("button", name="Se déconnecter")
    error = page.locator('[data-testid="stAlertContentError"]')
    error.or_(signed_in).first.wait_for(timeout=60_000)
    wait_for_app_idle(page)
    return "" if signed_in.count() else error.first.inner_text()


def test_throttling_holds_across_browser_sessions_reloads_and_replicas(replicas, browser):
    (one, two), _url = replicas
    attacker = _session(browser)
    page = attacker.new_page()
    failures = 0
    seen = []
    for attempt in range(12):
        server = (one, two)[attempt % 2]  # alternate replicas, a fresh session each time
        message = _try_sign_in(page, server.url, "brigitte", f"essai-{attempt}")
        seen.append(message)
        if "incorrect" in message:
            failures += 1
        elif message.startswith("Trop de tentatives de connexion : patientez"):
            seconds = int(re.search(r"patientez (\d+) s", message).group(1))
            page.wait_for_timeout(seconds * 1000 + 300)  # wait as told, then try again
        else:
            break
    assert failures == 3, seen
    assert seen[-1].startswith("Trop d'échecs de connexion pour ce compte : connexion bloquée pendant 15 min"), seen
    attacker.close()
    # another person, another browser session, the other replica, the RIGHT password: refused
    legit = _session(browser)
    page = legit.new_page()
    message = _try_sign_in(page, two.url, "brigitte", PASSWORD)
    assert message.startswith("Trop d'échecs de connexion pour ce compte"), message
    assert not page.get_by_role("button", name="Se déconnecter").count()
    legit.close()
    # the journal: who, when, from where (loopback: unknown), never the password
    from sqlalchemy import create_engine, text

    engine = create_engine(replicas[1])
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT username, address, outcome FROM signin_events WHERE username = 'brigitte' ORDER BY id")
        ).all()
        dump = " ".join(str(v) for r in conn.execute(text("SELECT * FROM signin_events")) for v in r)
    engine.dispose()
    assert [r.outcome for r in rows].count("failure") == 3 and rows[-1].outcome == "refused"
    assert "essai-" not in dump and PASSWORD not in dump


def test_with_the_database_down_pages_show_no_internals(replicas, cluster, browser):
    (one, two), _url = replicas
    admin = _session(browser)
    page = admin.new_page()
    assert _try_sign_in(page, one.url, "charles", PASSWORD) == ""
    page.get_by_role("tab", name="Historique").click()
    # PostgreSQL goes down while Charles is signed in
    cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop")
    page.get_by_role("tab", name="Une observation").click()
    page.get_by_label(re.compile(r"^Valeur \(")).fill("7")
    page.get_by_label(re.compile(r"^Date décrite")).fill("2025-05")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("La base de données est injoignable pour le moment").first.wait_for(timeout=60_000)
    wait_for_app_idle(page)
    text_ = _main_text(page)
    assert not INTERNALS.search(text_), text_
    assert str(cluster.port) not in text_
    admin.close()
    # a visitor: every page, on both replicas, and a sign-in attempt
    visitor = _session(browser)
    page = visitor.new_page()
    for server in (one, two):
        for path in ("accueil", "progres", "transparence", "saisie", "perimetre"):
            open_app_page(page, f"{server.url}/{path}")
            text_ = _main_text(page)
            assert not INTERNALS.search(text_), (path, text_)
            assert str(cluster.port) not in text_ and not page.locator('[data-testid="stException"]').count()
    message = _try_sign_in(page, two.url, "charles", PASSWORD)
    assert (
        message
        == "Connexion impossible pour le moment (base de données injoignable) : réessayez dans quelques minutes."
    )
    visitor.close()


def test_the_configuration_hides_error_details():
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
