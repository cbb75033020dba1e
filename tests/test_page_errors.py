"""Pages say in French what went wrong with the database, never with internals (issue 12)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tzcld.runtime import Settings

REPO = Path(__file__).resolve().parent.parent
ADMIN = {"username": "root", "role": "admin", "territory": None, "display_name": "Admin"}
INTERNALS = ("Traceback", "sqlalchemy", "sqlite3", "psycopg", "OperationalError", "DatabaseError", "/tmp/")


@pytest.fixture(autouse=True)
def _fresh():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("error", "warning", "info", "markdown") for e in getattr(at, kind))


@pytest.mark.parametrize("page", ["saisie", "perimetre"])
@pytest.mark.parametrize("database", ["down", "damaged"])
def test_signed_in_pages_with_the_database_down_or_damaged(page, database, tmp_path, monkeypatch):
    if database == "down":
        url = f"postgresql://tzcld@127.0.0.1:{_closed_port()}/tzcld?connect_timeout=3"
        expected = "La base de données est injoignable pour le moment"
    else:
        path = tmp_path / "abimee.sqlite"
        path.write_bytes(os.urandom(30_000))
        url = f"sqlite:///{path}"
        expected = "La base de données est endommagée"
    monkeypatch.setenv("TZCLD_DATABASE_URL", url)
    at = AppTest.from_file(str(REPO / "app_pages" / f"{page}.py"), default_timeout=120)
    at.session_state["lang"] = "fr"
    at.session_state["tzcld_account"] = ADMIN
    at.run()
    assert not at.exception, at.exception
    shown = _texts(at)
    assert expected in shown
    assert not any(word in shown for word in INTERNALS), shown


def test_sign_in_with_the_database_down_fails_closed(tmp_path, monkeypatch):
    from tzcld.auth import add_account

    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    add_account("anne", "mot-de-passe-solide", "porteur", "liege", path=Settings.from_env().accounts_file)
    monkeypatch.setenv("TZCLD_DATABASE_URL", f"postgresql://tzcld@127.0.0.1:{_closed_port()}/x?connect_timeout=3")
    at = AppTest.from_file(str(REPO / "app_pages" / "saisie.py"), default_timeout=120)
    at.session_state["lang"] = "fr"
    at.run()
    at.text_input(key="login_username").input("anne")
    at.text_input(key="login_password").input("mot-de-passe-solide")
    at.button[0].click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Connexion impossible pour le moment")
    assert "tzcld_account" not in at.session_state


def test_any_failure_of_a_page_becomes_a_french_message(tmp_path):
    """dashboard.py's safety net: a page that raises shows a message, not the exception."""
    app = tmp_path / "app.py"
    page = tmp_path / "casse.py"
    page.write_text("raise RuntimeError('secret /srv/tzcld postgresql://u:motdepasse@hote/base')\n")
    app.write_text(
        "import streamlit as st\n"
        "from tzcld.ui.errors import run_page\n"
        f"run_page(st.navigation([st.Page({str(page)!r}, title='Casse', default=True)]))\n"
    )
    at = AppTest.from_file(str(app), default_timeout=60)
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("Cette page n'a pas pu s'afficher (RuntimeError)")
    assert "secret" not in _texts(at) and "motdepasse" not in _texts(at)
