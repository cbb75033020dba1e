"""The Périmètre page in Streamlit (AppTest): sign-in, proposing (sectors, streets), the diff,
saving, history, and the administrator's approval queue."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import requires_raw
from tzcld.auth import add_account
from tzcld.geodata.layers import data_version
from tzcld.runtime import Runtime, Settings

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "perimetre.py")
PASSWORD = "mot-de-passe-solide"
ANNE = {"username": "anne", "role": "porteur", "territory": "gembloux", "display_name": "Anne"}
ADMIN = {"username": "root", "role": "admin", "territory": None, "display_name": "Forem"}

pytestmark = requires_raw


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def run_page(account: dict | None = None, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    if account:
        at.session_state["tzcld_account"] = account
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def measures(at: AppTest) -> dict[str, str]:
    for frame in at.dataframe:
        df = frame.value
        if list(df.columns) == ["Mesure", "Valeur"]:
            return dict(df.itertuples(index=False))
    raise AssertionError("no diff table")


def test_signed_out_shows_only_the_sign_in_form():
    at = run_page()
    assert at.title[0].value == "Périmètre"
    assert at.subheader[0].value == "Connexion"
    assert not at.selectbox and not at.radio


def test_sign_in_with_a_local_account():
    add_account("anne", PASSWORD, "porteur", "gembloux", "Anne", path=Settings.from_env().accounts_file)
    at = run_page()
    at.text_input(key="perimeter_login_username").input("anne")
    at.text_input(key="perimeter_login_password").input("mauvais-mot-de-passe")
    at.button[0].click().run()
    assert "Nom d'utilisateur ou mot de passe incorrect." in texts(at.error)
    at.text_input(key="perimeter_login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.selectbox(key="perimeter_territory").value == "gembloux"


def test_porteur_sees_own_territory_current_version_and_sector_list():
    at = run_page(ANNE)
    box = at.selectbox(key="perimeter_territory")
    assert box.options == ["Gembloux (commune hors villages)"]
    assert any("Version publiée : **base**" in m and data_version() in m for m in texts(at.markdown))
    assert "Secteurs sélectionnés : 14" in texts(at.markdown)
    assert "La proposition est identique au périmètre en vigueur." in texts(at.info)
    assert not [b for b in at.button if b.label == "Approuver et publier"]
    assert any("Statbel" in c for c in texts(at.caption))  # producers credited


def test_unticking_a_sector_shows_the_diff():
    at = run_page(ANNE)
    selected = set(at.session_state["perimeter_selected_gembloux"])
    gone = sorted(selected)[-1]
    at.session_state["perimeter_selected_gembloux"] = selected - {gone}
    at.session_state["perimeter_editor_nonce"] = 1
    at.run()
    assert not at.exception, at.exception
    assert "Secteurs sélectionnés : 13" in texts(at.markdown)
    values = measures(at)
    assert values["Unités retirées"] == "1" and values["Unités ajoutées"] == "0"
    assert int(values["Adresses qui sortent"].replace("\u202f", "")) > 0
    assert values["Adresses qui entrent"] == "0"


def test_street_list_then_save_then_admin_approves():
    at = run_page(ANNE)
    at.radio(key="perimeter_method").set_value("streets").run()
    at.text_area(key="perimeter_streets_text_gembloux").input("Rue de la Sucrerie\nRue Inconnue du Test").run()
    assert not at.exception, at.exception
    assert any("Rue Inconnue du Test" in w for w in texts(at.warning))
    values = measures(at)
    assert values["Unités ajoutées"] == "1" and values["Unités retirées"] == "14"
    # saving without a source is refused, nothing saved
    at.text_input(key="perimeter_reason_gembloux").input("Périmètre de la convention")
    at.button(key="FormSubmitter:perimeter_save_gembloux-Enregistrer la proposition").click().run()
    assert any("Indiquez la source" in e for e in texts(at.error))
    pstore = Runtime.from_env().perimeter_store()
    assert pstore.versions() == []
    at.text_input(key="perimeter_source_gembloux").input("Convention FSE du 12/03/2023, annexe 2")
    at.button(key="FormSubmitter:perimeter_save_gembloux-Enregistrer la proposition").click().run()
    assert not at.exception, at.exception
    assert any("version v1" in s for s in texts(at.success))
    (v,) = pstore.versions()
    assert (v.territory_id, v.created_by, v.status, v.method) == ("gembloux", "anne", "pending", "streets")
    assert v.report["diff"]["units_removed"] and v.report["inputs"]["street_ids"]
    at.run()
    history = next(f.value for f in at.dataframe if "Version" in f.value.columns)
    assert history["Version"].tolist() == ["v1", "base"]
    assert history["Statut"].tolist() == ["en attente", "approuvée"]

    admin = run_page(ADMIN)
    assert admin.selectbox(key="perimeter_territory").options[0].startswith("Liège")
    admin.selectbox(key="perimeter_territory").set_value("gembloux").run()
    admin.button(key="perimeter_approve_1").click().run()
    assert not admin.exception, admin.exception
    assert "Version v1 approuvée : elle est maintenant publiée." in texts(admin.success)
    assert pstore.published_ids() == {"gembloux": 1}
    assert any("Version publiée : **v1**" in m for m in texts(admin.markdown))
    assert "Aucune proposition en attente." in texts(admin.caption)
    # an earlier version can be shown on the map
    admin.selectbox(key="perimeter_view_gembloux").set_value("base").run()
    assert "Version affichée : base" in texts(admin.caption)


def test_english():
    at = run_page(ANNE, lang="en")
    assert at.title[0].value == "Perimeter"
    assert "Selected sectors: 14" in texts(at.markdown)


def test_indicative_territory_without_drawable_sectors_can_use_streets():
    at = run_page(ADMIN)
    at.selectbox(key="perimeter_territory").set_value("flemalle").run()
    assert not at.exception, at.exception
    assert any("Aucun secteur de ces communes ne peut être dessiné" in i for i in texts(at.info))
    assert "Précision : périmètre indicatif, à confirmer par le porteur de projet" in texts(at.caption)
    at.radio(key="perimeter_method").set_value("streets").run()
    at.text_area(key="perimeter_streets_text_flemalle").input("Grand-Route").run()
    assert not at.exception, at.exception
    values = measures(at)
    assert values["Unités ajoutées"] != "0" and values["Unités retirées"] == "1"


def _geojson(geometry) -> bytes:
    import json

    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"nom": ["Centre"]}, geometry=[geometry], crs="EPSG:31370").to_crs("EPSG:4326")
    return json.dumps(json.loads(gdf.to_json())).encode()


def test_file_upload_shows_the_diff_and_repairs(tmp_path):
    import shapely

    bowtie = shapely.Polygon([(172300, 138700), (172900, 139100), (172900, 138700), (172300, 139100)])
    at = run_page(ANNE)
    at.radio(key="perimeter_method").set_value("file").run()
    at.file_uploader(key="perimeter_file_gembloux").set_value(
        ("officiel.geojson", _geojson(bowtie), "application/geo+json")
    ).run()
    assert not at.exception, at.exception
    assert any(s == "Fichier lu : GeoJSON, 1 polygone(s), système de coordonnées EPSG:4326." for s in texts(at.success))
    assert any("réparée(s) automatiquement (make_valid)" in w for w in texts(at.warning))
    values = measures(at)
    assert values["Unités ajoutées"] == "1" and values["Unités retirées"] == "14"
    assert any("Self-intersection" in str(f.value) for f in at.dataframe)


def test_bad_file_gets_a_french_message_and_nothing_is_lost():
    import shapely

    at = run_page(ANNE)
    at.radio(key="perimeter_method").set_value("file").run()
    at.file_uploader(key="perimeter_file_gembloux").set_value(
        ("points.geojson", _geojson(shapely.Point(172400, 138800)), "application/geo+json")
    ).run()
    assert not at.exception, at.exception
    assert any("ne contient pas de polygone" in e for e in texts(at.error))
    assert (
        "Choisissez des secteurs, envoyez un fichier ou donnez une liste de rues pour voir une proposition."
        in texts(at.info)
    )
    # the sector selection of this session is untouched
    at.radio(key="perimeter_method").set_value("sectors").run()
    assert "Secteurs sélectionnés : 14" in texts(at.markdown)


def test_oidc_gate_maps_the_email_to_an_account():
    add_account(
        "anne", None, "porteur", "gembloux", "Anne", email="anne@example.org", path=Settings.from_env().accounts_file
    )

    def run_oidc(user: dict) -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=120)
        at.secrets["auth"] = {
            "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
            "cookie_secret": "secret-de-cookie-de-test-assez-long",
            "client_id": "tzcld",
            "client_secret": "secret-du-client",
            "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        }
        at.user = user
        at.session_state["lang"] = "fr"
        at.run()
        assert not at.exception, at.exception
        return at

    stranger = run_oidc({"is_logged_in": True, "email": "eve@example.org"})
    assert "aucun compte de saisie" in stranger.warning[0].value
    assert not stranger.selectbox and not stranger.radio
    assert stranger.button(key="perimeter_oidc_sign_out")
    anne = run_oidc({"is_logged_in": True, "email": "anne@example.org"})
    assert anne.selectbox(key="perimeter_territory").value == "gembloux"
