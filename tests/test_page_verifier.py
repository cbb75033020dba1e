"""The Vérifier une adresse page in Streamlit (AppTest, no browser)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.check_support import open_for, requires_icar
from tzcld.file_results import results_frame
from tzcld.runtime import Runtime

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "verifier.py")
pytestmark = requires_icar


@pytest.fixture(scope="module", autouse=True)
def _fresh_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _index(address_index_dir, monkeypatch):
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(address_index_dir))


def run_page(lang: str = "fr") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def test_page_renders_with_sources_and_privacy():
    at = run_page()
    assert at.title[0].value == "Vérifier une adresse"
    captions = " ".join(texts(at, "caption"))
    assert "SPW – ICAR" in captions and "Statbel" in captions and "Version des données" in captions
    assert "ni enregistrées, ni journalisées" in captions
    assert [t.label for t in at.tabs] == ["Adresse", "Coordonnées", "Fichier"]
    assert "Clic sur la carte" in [h.value for h in at.subheader]
    assert not at.success and not at.error


def test_the_first_view_draws_the_address_field_and_the_map_only():
    """Closed tabs and sections are not drawn (each kind of widget costs the browser a first
    render before the map shows): the coordinates, the file, the options and the criteria."""
    at = run_page()
    assert [t.key for t in at.text_input] == ["check_address"]
    assert [b.key for b in at.button] == ["check_address_button"]
    assert not at.date_input and not at.radio and not at.get("file_uploader")
    assert [e.label for e in at.expander] == [
        "Options : date de la vérification, géocodeur",
        "Les deux autres conditions (facultatif)",
    ]


def test_values_in_closed_tabs_and_sections_are_kept_and_used():
    at = run_page()
    open_for(at, "check_as_of").date_input(key="check_as_of").set_value(dt.date(2025, 3, 1)).run()
    at.text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    at.session_state["check_options"] = False  # the options closed: the date is still the answer's
    open_for(at, "check_coords")  # another tab: the address's answer stays
    assert not at.date_input and [t.key for t in at.text_input] == ["check_coords"]
    assert "le 01/03/2025" in " ".join(texts(at, "info"))
    assert "Dans le territoire « Liège (Droixhe" in " ".join(texts(at, "success"))
    open_for(at, "check_address")
    assert at.text_input(key="check_address").value == "Rue de Droixhe 10, 4020 Liège"
    open_for(at, "check_as_of")
    assert at.date_input(key="check_as_of").value == dt.date(2025, 3, 1)
    # the online geocoder is said while in use, its section closed or not
    open_for(at, "check_geocoder").radio(key="check_geocoder").set_value("nominatim").run()
    at.session_state["check_options"] = False
    at.run()
    assert not at.radio and "service tiers" in " ".join(texts(at, "warning"))


def test_typed_address_gets_an_answer():
    at = run_page()
    open_for(at, "check_address").text_input(key="check_address").input("rue de droixhe 10 liege").run()
    assert not at.exception
    success = " ".join(texts(at, "success"))
    assert "Dans le territoire « Liège (Droixhe" in success
    assert success.count("territoire") == 1  # the status is said once
    details = " ".join(texts(at, "markdown"))
    assert "**Adresse officielle retenue** : Rue de Droixhe 10, 4020 Liège" in details
    assert "**Qualité de la correspondance** : adresse exacte" in details
    assert "**Distance à la limite la plus proche** :" in details


def test_homonyms_list_each_address_with_its_territory(address_index_dir):
    """ "5 rue de la Station": no address retained, no quality claimed; the candidates are the
    addresses themselves, each saying where it falls (the same text as the CLI and the API's)."""
    from tzcld.check import Checker, candidate_text
    from tzcld.eligibility import default_classifier
    from tzcld.geocode.register import default_geocoder

    at = run_page()
    at.text_input(key="check_address").input("5 rue de la Station").run()
    assert not at.exception
    assert "existe à plusieurs endroits" in " ".join(texts(at, "warning"))
    details = " ".join(texts(at, "markdown"))
    assert "**Qualité de la correspondance** : adresse exacte" not in details
    res = Checker(default_classifier(), default_geocoder(address_index_dir)).check_address("5 rue de la Station")
    listed = "\n".join(f"- {candidate_text(c, 'fr')}" for c in res.candidates)
    assert listed in details and "(territoire « " in listed and "Rue de la Station 5, " in listed


def test_unknown_street_says_not_found():
    at = run_page()
    open_for(at, "check_address").text_input(key="check_address").input("Rue Qui N'Existe Nulle Part").run()
    assert "introuvable" in " ".join(texts(at, "error"))


def test_coordinates_swapped_and_outside_wallonia():
    at = run_page()
    open_for(at, "check_coords").text_input(key="check_coords").input("5.615269, 50.647992").run()
    assert "inversées" in " ".join(texts(at, "success"))
    open_for(at, "check_coords").text_input(key="check_coords").input("48.8566 2.3522").run()
    assert "hors de Wallonie" in " ".join(texts(at, "info"))
    open_for(at, "check_coords").text_input(key="check_coords").input("abc def").run()
    assert "illisibles" in " ".join(texts(at, "error"))


def test_degrees_and_map_links_are_read_in_either_field():
    """What people paste — degrees with minutes and seconds, a map link — is read as the point,
    in the coordinates field and in the address field alike (never looked up as an address)."""
    at = run_page()
    open_for(at, "check_coords").text_input(key="check_coords").input("50°38'52.8\"N 5°36'54\"E").run()
    assert "Dans le territoire « Liège (Droixhe" in " ".join(texts(at, "success"))
    open_for(at, "check_address").text_input(key="check_address").input("https://maps.google.com/?q=50.648,5.615").run()
    assert not at.exception
    assert "Dans le territoire « Liège (Droixhe" in " ".join(texts(at, "success"))
    open_for(at, "check_address").text_input(key="check_address").input(
        "https://www.google.com/maps/@50.648,5.615,17z"
    ).run()
    assert "centre de la vue" in " ".join(texts(at, "error"))


def test_criteria_checklist_with_dates():
    at = run_page()
    three_years_ago = dt.date.today() - dt.timedelta(days=3 * 366)  # (a replace(year=…) fails on 29 February)
    open_for(at, "check_seeker").date_input(key="check_seeker").set_value(three_years_ago).run()
    md = " ".join(texts(at, "markdown"))
    assert "✅" in md and "rempli (depuis le" in md
    assert "inconnu" in md  # domicile date not given


def test_english_page():
    at = run_page("en")
    assert at.title[0].value == "Check an address"
    open_for(at, "check_address").text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    assert "In the territory" in " ".join(texts(at, "success"))


def test_online_geocoder_warns_that_the_address_leaves(monkeypatch):
    monkeypatch.setenv("TZCLD_GEOCODER_URL", "http://127.0.0.1:9")
    at = run_page()
    open_for(at, "check_geocoder").radio(key="check_geocoder").set_value("nominatim").run()
    assert "service tiers" in " ".join(texts(at, "warning"))
    open_for(at, "check_address").text_input(key="check_address").input("Rue de Droixhe 10, Liège").run()
    assert "injoignable" in " ".join(texts(at, "error"))


def test_without_index_addresses_fail_clearly_but_points_work(tmp_path, monkeypatch, caplog):
    empty = tmp_path / "raw"
    empty.mkdir()
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(tmp_path / "no-index"))
    monkeypatch.setenv("TZCLD_RAW_DIR", str(empty))
    at = run_page()
    open_for(at, "check_address").text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    error = " ".join(texts(at, "error"))
    # visitors are told, without a command line; the command goes to the server log
    assert "recherche d'adresses n'est pas disponible" in error
    assert "python -m" not in error and "address-index" not in error
    assert "python -m tzcld address-index build" in caplog.text and "Droixhe" not in caplog.text
    open_for(at, "check_coords").text_input(key="check_coords").input("50.648, 5.615").run()
    assert "Dans le territoire « Liège" in " ".join(texts(at, "success"))


# ---------------------------------------------------------------- published perimeters


def test_the_page_uses_the_published_version_and_sees_an_approval_without_restart():
    from tests.check_support import approve_gembloux_change, gembloux_points
    from tzcld.geodata.layers import data_version

    lat, lon = gembloux_points()["removed"]
    at = run_page()
    open_for(at, "check_coords").text_input(key="check_coords").input(f"{lat}, {lon}").run()
    assert "Gembloux" in " ".join(texts(at, "success"))
    assert f"Version des données : {data_version()}." in " ".join(texts(at, "caption"))
    store = Runtime.from_env().perimeter_store()  # the Périmètre page's database (SQLite in the data folder)
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    at.run()  # the next run of the same session: no restart, no cache clearing
    assert not at.exception, at.exception
    assert not at.success and "Hors des territoires" in " ".join(texts(at, "info"))
    version = f"{data_version()}+p{vid}"
    assert f"**Version des données** : {version}" in " ".join(texts(at, "markdown"))
    assert f"Version des données : {version}." in " ".join(texts(at, "caption"))


def test_database_unreachable_falls_back_with_a_warning(monkeypatch):
    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://postgres:secret-pw@127.0.0.1:1/nowhere")
    at = run_page()
    warning = " ".join(texts(at, "warning"))
    assert "base de données des périmètres est injoignable" in warning and "secret-pw" not in warning
    assert "Error" not in warning and "postgresql" not in warning  # no internals for visitors (issue 17)
    open_for(at, "check_coords").text_input(key="check_coords").input("50.648, 5.615").run()
    assert "Dans le territoire « Liège" in " ".join(texts(at, "success"))
    # a date cannot be honoured without the database: said, and the answer does not claim it
    open_for(at, "check_as_of").date_input(key="check_as_of").set_value(dt.date(2025, 3, 1)).run()
    assert "ne peut pas être prise en compte" in " ".join(texts(at, "warning"))
    assert "Périmètres publiés le" not in " ".join(texts(at, "markdown"))


def _earlier_results() -> bytes:
    """An earlier batch's results (checked with the perimeters in force now), as downloaded."""
    import pandas as pd

    from tests.check_support import gembloux_points
    from tzcld.batch_io import write_csv
    from tzcld.check import Checker
    from tzcld.check_tables import check_table
    from tzcld.perimeters import published_classifier

    pts = gembloux_points()
    df = pd.DataFrame(
        {
            "nom": ["retiré", "gardé", "liège", "namur", "illisible"],
            "latitude": [str(v) for v in (pts["removed"][0], pts["kept"][0], 50.648, 50.4669)] + ["x"],
            "longitude": [str(v) for v in (pts["removed"][1], pts["kept"][1], 5.615, 4.8675)] + ["y"],
        }
    )
    store = Runtime.from_env().perimeter_store()
    out = check_table(Checker(published_classifier(store)), df, lat_column="latitude", lon_column="longitude")
    store.engine.dispose()
    out["message"] = "ancienne réponse"
    return write_csv(out)


def test_an_earlier_results_file_is_rechecked_where_a_perimeter_changed():
    from tests.check_support import approve_gembloux_change
    from tzcld.check import FIELDS
    from tzcld.geodata.layers import data_version

    earlier = _earlier_results()
    at = run_page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("resultats.csv", earlier, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("résultat d'une vérification précédente" in i for i in texts(at, "info"))
    assert "Aucune ligne concernée — périmètres inchangés depuis ce traitement." in texts(at, "success")
    assert not [b for b in at.button if b.key == "check_file_recheck"]
    # the input columns are offered, not the earlier result columns
    assert at.selectbox(key="check_file_lat").value == "latitude"
    assert "lat" not in at.selectbox(key="check_file_lat").options

    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    at.run()
    recheck = at.button(key="check_file_recheck")
    assert recheck.label == "Re-vérifier les lignes concernées par un changement de périmètre (3 sur 5)"
    assert any("Périmètres modifiés depuis ce traitement : Gembloux" in c for c in texts(at, "caption"))
    recheck.click().run()
    assert not at.exception, at.exception
    version = f"{data_version()}+p{vid}"
    assert f"3 ligne(s) sur 5 re-vérifiée(s) avec les périmètres {version} ; 1 réponse(s) changée(s)." in texts(
        at, "info"
    )
    out = results_frame(at.session_state["check_file_result"].csv)  # the session keeps the results CSV
    assert list(out.columns) == ["nom", "latitude", "longitude", *FIELDS, "data_version"]
    assert out["status"].tolist() == ["outside", "inside", "inside", "outside", "error"]
    assert (out["message"] != "ancienne réponse").tolist() == [True, True, False, True, False]
    assert out["data_version"].tolist() == [version, version, data_version(), version, data_version()]
    # Re-checked: nothing is left to re-check for this upload (judged on the new results: the
    # rows not re-checked still name the older version, but Gembloux's change does not touch them).
    assert not [b for b in at.button if b.key == "check_file_recheck"]
    assert any(s.startswith("Aucune ligne concernée") for s in texts(at, "success"))


EXCEL_LAYOUT = (
    "Nom;Rue;Numéro;Code postal;Localité\r\n"
    "Dupont;Rue de Droixhe;10;4020;Liège\r\n"
    "Lejeune;rue de grisoeil;14;7340;Pâturages\r\n"
    "Durand;Rue de Fer;1;5000;Namur\r\n"
).encode("cp1252")


def test_a_file_with_a_name_column_is_read_from_its_address_columns():
    at = run_page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(
        ("candidats.csv", EXCEL_LAYOUT, "text/csv")
    ).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="check_file_cols").value == ["Rue", "Numéro", "Code postal", "Localité"]
    captions = " ".join(texts(at, "caption"))
    assert "Colonnes ignorées (noms de personnes) : Nom." in captions
    assert "Adresse lue dans : Rue + Numéro + Code postal + Localité." in captions
    at.button(key="check_file_run").click().run()
    assert not at.exception, at.exception
    out = results_frame(at.session_state["check_file_result"].csv)
    assert out["status"].tolist() == ["inside", "inside", "outside"]  # the CSV keeps the codes
    assert out["matched_address"].tolist()[1] == "Rue de Grisoeil 14, 7340 Colfontaine"
    shown = at.dataframe[0].value
    assert shown["Réponse"].tolist() == ["dans un territoire", "dans un territoire", "hors territoire"]
    assert "outside" not in shown.astype(str).to_string() and "None" not in shown.astype(str).to_string()


def test_unsure_columns_are_chosen_by_the_user():
    at = run_page()
    content = "client;info\r\nDupont;Rue de Droixhe 10, 4020 Liège\r\n".encode()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("f.csv", content, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="check_file_cols").value == []
    assert any("Choisissez la ou les colonnes" in w for w in texts(at, "warning"))
    assert at.button(key="check_file_run").disabled
    at.multiselect(key="check_file_cols").set_value(["info"]).run()
    assert not at.button(key="check_file_run").disabled


def test_the_result_map_has_no_remote_tiles_unless_asked():
    at = run_page()
    assert at.toggle(key="check_tiles").value is False
    assert not [c for c in texts(at, "caption") if "OpenStreetMap : elles révèlent" in c]
    at.toggle(key="check_tiles").set_value(True).run()
    assert any("elles révèlent à ce service la zone affichée" in c for c in texts(at, "caption"))


def test_result_map_default_sends_nothing_to_a_tile_server(checker_fr):
    from tzcld import maps
    from tzcld.maps import result_map

    prepared = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
    res = checker_fr.check_address("Rue de Droixhe 10, 4020 Liège")
    html = result_map(prepared, res, "fr").get_root().render()
    assert "tile.openstreetmap" not in html and "{z}" not in html
    assert "tile.openstreetmap" in result_map(prepared, res, "fr", "osm").get_root().render()


# ---------------------------------------------------------------- as of a date, attestation


def _approved_on(store, vid: int, when: dt.datetime) -> None:
    """Move an approval into the past, as if the version had been approved then."""
    from sqlalchemy import update

    from tzcld.perimeters.store import versions_table

    with store.engine.begin() as conn:
        conn.execute(update(versions_table).where(versions_table.c.id == vid).values(decided_at=when))


def test_a_check_as_of_a_date_before_an_approval_uses_the_older_version():
    """ "Was this address in the territory on the hiring date?": the perimeters published
    that day answer, and the answer names them."""
    from tests.check_support import approve_gembloux_change, gembloux_points
    from tzcld.geodata.layers import data_version
    from tzcld.perimeters import open_perimeter_store
    from tzcld.runtime import Settings

    store = open_perimeter_store(Settings.from_env().database_url)
    vid = approve_gembloux_change(store)  # Gembloux loses its last sector...
    _approved_on(store, vid, dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC))  # ...on 10 March 2025
    store.engine.dispose()
    lat, lon = gembloux_points()["removed"]
    at = run_page()
    open_for(at, "check_coords").text_input(key="check_coords").input(f"{lat}, {lon}").run()
    assert not at.success and "Hors des territoires" in " ".join(texts(at, "info"))  # today: outside

    open_for(at, "check_as_of").date_input(key="check_as_of").set_value(
        dt.date(2025, 3, 1)
    ).run()  # hired before the approval
    assert not at.exception, at.exception
    assert "Dans le territoire « Gembloux" in " ".join(texts(at, "success"))
    assert (
        f"Vérification avec les périmètres publiés le 01/03/2025 (version des données {data_version()})."
        in " ".join(texts(at, "info"))
    )
    details = " ".join(texts(at, "markdown"))
    assert "**Version du périmètre du territoire** : périmètre de référence (données du" in details
    assert "**Périmètres publiés le** : 01/03/2025" in details
    assert f"**Version des données** : {data_version()}" in details
    assert any("publiés le 01/03/2025" in c for c in texts(at, "caption"))  # the map shows today's

    open_for(at, "check_as_of").date_input(key="check_as_of").set_value(dt.date(2025, 4, 1)).run()  # hired after it
    assert not at.success and "Hors des territoires" in " ".join(texts(at, "info"))
    details = " ".join(texts(at, "markdown"))
    assert f"**Version des données** : {data_version()}+p{vid}" in details

    open_for(at, "check_as_of").date_input(key="check_as_of").set_value(None).run()  # no date: today's perimeters
    assert "Hors des territoires" in " ".join(texts(at, "info"))
    assert "Périmètres publiés le" not in " ".join(texts(at, "markdown"))


def test_an_answer_offers_its_attestation_and_an_unknown_address_does_not():
    at = run_page()
    assert not at.get("download_button")
    open_for(at, "check_address").text_input(key="check_address").input("rue de droixhe 10 liege").run()
    buttons = [b.proto for b in at.get("download_button")]
    assert [b.label for b in buttons] == ["Télécharger l'attestation (page à imprimer)"]
    assert "Rien n'est conservé sur le serveur" in buttons[0].help
    open_for(at, "check_address").text_input(key="check_address").input("Rue Qui N'Existe Nulle Part").run()
    assert not at.get("download_button")


def test_english_results_use_the_english_names_and_typography():
    import re

    at = run_page("en")
    open_for(at, "check_address").text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    details = " ".join(texts(at, "markdown"))
    assert "**Territory**: Liège (Droixhe, Sainte-Marguerite, Saint-Léonard)" in details
    assert "**Version of the territory's perimeter**: reference perimeter (data of" in details
    assert not re.search(r"\S [:;?!](?=\s|$)", details), details
    assert [b.proto.label for b in at.get("download_button")] == ["Download the attestation (page to print)"]
    open_for(at, "check_coords").text_input(key="check_coords").input("50.42994, 3.89253").run()  # Flénu (Mons)
    answer = " ".join(texts(at, "success") + texts(at, "warning") + texts(at, "markdown"))
    assert "alentours" not in answer and "Mons (Jemappes and its surroundings)" in answer
