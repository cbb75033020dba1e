"""The Saisie page in Streamlit (AppTest): signed out, signed in as porteur and admin."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tzcld.auth import add_account, load_accounts
from tzcld.runtime import Runtime, Settings

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "saisie.py")
PASSWORD = "mot-de-passe-solide"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TZCLD_DEMO", raising=False)
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(account: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "fr"
    if account:
        at.session_state["tzcld_account"] = account
    at.run()
    assert not at.exception, at.exception
    return at


ANNE = {"username": "anne", "role": "porteur", "territory": "liege", "display_name": "Anne"}
ADMIN = {"username": "root", "role": "admin", "territory": None, "display_name": "Admin"}


def test_signed_out_shows_only_the_sign_in_form():
    at = run_page()
    assert at.subheader[0].value == "Connexion"
    assert not at.tabs
    # No account yet: visitors are told whom to ask, never shown an administration command.
    assert "administrateur" in at.info[0].value
    assert "python -m" not in at.info[0].value and "add-account" not in at.info[0].value
    assert any("Espace partenaires, connexion requise" in m.value for m in at.markdown)


def test_local_sign_in_with_right_and_wrong_password():
    add_account("anne", PASSWORD, "porteur", "liege", "Anne", path=Settings.from_env().accounts_file)
    at = run_page()
    at.text_input(key="login_username").input("anne")
    at.text_input(key="login_password").input("wrong-password")
    at.button[0].click().run()
    assert at.error[0].value == "Nom d'utilisateur ou mot de passe incorrect."
    assert "tzcld_account" not in at.session_state
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["tzcld_account"]["username"] == "anne"
    assert any("**Anne**" in m.value for m in at.markdown)


def test_porteur_sees_only_their_territory_and_saves_an_entry():
    at = run_page(ANNE)
    assert at.selectbox(key="entry_scope").options == ["Liège (Droixhe, Sainte-Marguerite, Saint-Léonard)"]
    metrics = at.selectbox(key="entry_metric").options
    assert "Objectif d'emplois" not in metrics and "Statut du territoire" not in metrics
    # the published figure, with its date as uncertain as its source
    assert at.caption[0].value.startswith("Valeur en vigueur : **5** (date incertaine, au plus tôt 2023)")
    at.text_input(key="entry_value").input("12")
    at.text_input(key="entry_period").input("2025-03")
    at.text_input(key="entry_source").input("Rapport trimestriel")
    at.button(key="FormSubmitter:single_entry-Enregistrer").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Enregistré (entrée n°")
    assert Runtime.from_env().ledger_store().latest_value("liege", "hired") == 12
    history = at.dataframe[0].value
    assert history.iloc[0]["Origine"] == "anne"


def test_bad_entry_gets_french_messages_and_nothing_is_saved():
    at = run_page(ANNE)
    at.text_input(key="entry_value").input("-4")
    at.text_input(key="entry_period").input("2030")
    at.button(key="FormSubmitter:single_entry-Enregistrer").click().run()
    text = at.error[0].value
    assert "Rien n'a été enregistré" in text and "négative" in text and "hors de la période" in text
    assert Runtime.from_env().ledger_store().latest_value("liege", "hired") == 5  # the published figure only
    assert at.text_input(key="entry_value").value == "-4"  # the input is kept


def test_admin_can_record_a_status_and_add_accounts():
    at = run_page(ADMIN)
    assert "Comptes" in [t.label for t in at.tabs]
    at.selectbox(key="entry_scope").select("seraing").run()
    at.selectbox(key="entry_metric").select("status").run()
    at.selectbox(key="entry_status").select("continued")
    at.text_input(key="entry_period").input("2025")
    at.text_input(key="entry_source").input("Décision du Gouvernement wallon")
    at.button(key="FormSubmitter:single_entry-Enregistrer").click().run()
    assert at.success, [e.value for e in at.error]
    assert Runtime.from_env().ledger_store().latest("seraing", "status")["value_text"].iloc[0] == "continued"
    at.text_input(key="acc_username").input("bob")
    at.selectbox(key="acc_territory").select("seraing")
    at.text_input(key="acc_password").input(PASSWORD)
    at.button(key="FormSubmitter:add_account-Ajouter le compte").click().run()
    assert any("bob" in s.value for s in at.success)
    assert load_accounts(Settings.from_env().accounts_file)["bob"].territory == "seraing"
    at.selectbox(key="acc_remove").select("bob")
    at.button(key="FormSubmitter:remove_account-Supprimer le compte").click().run()
    assert "bob" not in load_accounts(Settings.from_env().accounts_file)


def test_import_preview_then_atomic_commit():
    at = run_page(ANNE)
    bad = b"territoire;indicateur;valeur;date\nliege;hired;4;2025-01\nseraing;hired;3;2025-01\n"
    at.file_uploader(key="import_file").set_value(("saisie.csv", bad, "text/csv")).run()
    assert not at.exception
    preview = at.dataframe[0].value  # the import tab comes before the history tab
    assert list(preview["Vérification"])[0] == "OK" and "son territoire" in list(preview["Vérification"])[1]
    assert any("rien n'est enregistré" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "import_commit"]  # no commit while a row is wrong
    good = b"territoire;indicateur;valeur;date\nliege;hired;4;2025-01\nliege;fte;3,5;2025-01\n"
    at.file_uploader(key="import_file").set_value(("saisie.csv", good, "text/csv")).run()
    at.button(key="import_commit").click().run()
    assert any(s.value == "Import réussi : 2 ligne(s) enregistrée(s)." for s in at.success)
    store = Runtime.from_env().ledger_store()
    assert store.latest_value("liege", "hired") == 4 and store.latest_value("liege", "fte") == 3.5


# ------------------------------------------------------------- OpenID Connect
OIDC_SECRETS = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "secret-de-cookie-de-test-assez-long",
    "client_id": "tzcld",
    "client_secret": "secret-du-client",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def run_oidc_page(user: dict) -> AppTest:
    """The page with an ``[auth]`` section in secrets and ``user`` as ``st.user``."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = user
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    return at


def test_oidc_signed_out_offers_only_the_provider():
    at = run_oidc_page({"is_logged_in": False})
    assert [b.label for b in at.button] == ["Se connecter avec le compte de l'organisation"]
    assert not at.text_input and not at.tabs


def test_oidc_user_gets_the_account_of_their_email():
    add_account(
        "claire", None, "porteur", "liege", "Claire", email="claire@example.org", path=Settings.from_env().accounts_file
    )
    at = run_oidc_page({"is_logged_in": True, "email": "Claire@Example.org", "email_verified": True})
    assert any("**Claire**" in m.value for m in at.markdown)
    at.text_input(key="entry_value").input("9")
    at.text_input(key="entry_period").input("2025-03")
    at.button(key="FormSubmitter:single_entry-Enregistrer").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.dataframe[0].value.iloc[0]["Origine"] == "claire"  # not the e-mail address


@pytest.fixture
def reruns(monkeypatch) -> list[str]:
    """Calls of ``st.rerun`` (which then does nothing)."""
    calls: list[str] = []
    monkeypatch.setattr(st, "rerun", lambda *args, **kwargs: calls.append("rerun"))
    return calls


def test_oidc_unknown_email_gets_no_form_and_can_sign_out(reruns):
    add_account(
        "claire", None, "porteur", "liege", "Claire", email="claire@example.org", path=Settings.from_env().accounts_file
    )
    at = run_oidc_page({"is_logged_in": True, "email": "eve@example.org"})
    assert "« eve@example.org », mais aucun compte de saisie" in at.warning[0].value
    assert not at.tabs and not at.text_input
    at.button(key="oidc_sign_out").click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False}  # st.logout() was called...
    assert reruns == []  # ...and no rerun, which would drop its redirect to /auth/logout
    at.run()  # the new session after the redirect
    assert [b.label for b in at.button] == ["Se connecter avec le compte de l'organisation"]


def test_oidc_sign_out_logs_out_without_rerun(reruns):
    add_account(
        "claire", None, "porteur", "liege", "Claire", email="claire@example.org", path=Settings.from_env().accounts_file
    )
    at = run_oidc_page({"is_logged_in": True, "email": "claire@example.org"})
    at.button(key="sign_out").click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False} and reruns == []
    assert not at.tabs  # the run stopped at the gate


def test_local_sign_out_reruns(reruns):
    at = run_page(ANNE)
    at.button(key="sign_out").click().run()
    assert "tzcld_account" not in at.session_state and reruns == ["rerun"]


def test_oidc_unverified_email_gets_no_account():
    add_account(
        "claire", None, "porteur", "liege", "Claire", email="claire@example.org", path=Settings.from_env().accounts_file
    )
    for flag in (False, "false"):
        at = run_oidc_page({"is_logged_in": True, "email": "claire@example.org", "email_verified": flag})
        assert "n'est pas vérifiée" in at.warning[0].value
        assert not at.tabs and not at.text_input
