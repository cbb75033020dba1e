"""Real browser: the attestation of one check downloads from the Vérifier page, holds every
field and prints on ONE A4 page (Chromium's own PDF, as "Print → Save as PDF" makes it);
nothing of it is written on the server or logged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser_support import axe_violations, blocking, map_frame, open_app_page, wait_for_app_idle
from tests.check_support import requires_icar

pytestmark = [pytest.mark.browser, requires_icar]

ADDRESS = "rue de droixhe 10 liege"
#: Homonymous streets typed without a locality: "à vérifier", with the possible addresses listed.
AMBIGUOUS = "rue de la station 5"


@pytest.fixture
def seeded_index(streamlit_data_dir, address_index_dir):
    """Give the live server the session's address index (instead of building its own)."""
    target = streamlit_data_dir / "address_index"
    if not target.exists():
        os.symlink(address_index_dir, target, target_is_directory=True)
    return target


def _files(folder: Path) -> list[str]:
    """The server's files, but the address index and its lock (``.address_index.lock``, made by
    the first reader of the index: tzcld.geocode.register.index_lock)."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if "address_index" not in p.parts and p.name != ".address_index.lock"
    )


def _download_attestation(page, url: str, address: str, label: str, button: str, answer: str) -> str:
    open_app_page(page, url)
    field = page.locator(f'input[aria-label="{label}"]')
    field.fill(address)
    field.press("Enter")
    page.get_by_text(answer).first.wait_for(timeout=90_000)
    page.get_by_text(button).first.wait_for(timeout=60_000)
    wait_for_app_idle(page)
    map_frame(page, min_paths=2)  # the result map has drawn: the page has settled
    # the answer with its details, the date field and the attestation button: accessible
    assert blocking(axe_violations(page)) == []
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text(button).first.click()
    download = info.value
    assert re.fullmatch(r"attestation-verification-\d{8}-\d{4}\.html", download.suggested_filename)
    return Path(download.path()).read_text(encoding="utf-8")


def _pdf_pages(page, document: str) -> tuple[int, str]:
    """``(pages, text)`` of ``document`` printed by Chromium on A4, as a person would print it."""
    page.set_content(document, wait_until="load")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    return pages, page.locator("body").inner_text()


def test_the_attestation_prints_on_one_a4_page_with_every_field(
    seeded_index, streamlit_url, streamlit_server, streamlit_data_dir, chromium_browser, browser_page, request_log
):
    before = _files(streamlit_data_dir)
    document = _download_attestation(
        browser_page,
        f"{streamlit_url}/verifier",
        ADDRESS,
        "Adresse",
        "Télécharger l'attestation (page à imprimer)",
        "Rue de Droixhe 10, 4020 Liège",
    )
    context = chromium_browser.new_context()
    context.route(lambda u: not u.startswith(("about:", "data:")), lambda route: route.abort())
    try:
        sheet = context.new_page()
        pages, text = _pdf_pages(sheet, document)
        assert pages == 1, pages
        for field in (
            "Attestation de vérification d'adresse",
            "Réponse : dans un territoire",
            "Adresse reconnue dans le registre des adresses (SPW – ICAR)",
            "Rue de Droixhe 10, 4020 Liège",
            "Liège (Droixhe, Sainte-Marguerite, Saint-Léonard)",  # territory
            "Quartier / village",
            "Droixhe",
            "Version du périmètre du territoire",
            "périmètre de référence (données du",  # the version and its date
            "Précision du périmètre",
            "Distance à la limite de territoire la plus proche",
            "Date et heure de la vérification",
            "(heure de Bruxelles)",
            "Ce que cette attestation ne prouve pas",
            "Demandeur d'emploi depuis plus de 2 ans",
            "Domicilié dans le territoire depuis au moins 6 mois",
        ):
            assert field in text, field
        assert "Imprimer" not in text  # the print button does not print
        sheet.emulate_media(media="screen")
        assert blocking(axe_violations(sheet)) == []
    finally:
        context.close()
    # nothing of it on the server: no file, and the address in no log
    assert _files(streamlit_data_dir) == before
    log = streamlit_server.log_tail(200_000)
    assert "Droixhe 10" not in log and "droixhe 10" not in log


def test_an_english_attestation_with_possible_addresses_still_fits_one_page(
    seeded_index, streamlit_url, chromium_browser, browser_page
):
    document = _download_attestation(
        browser_page,
        f"{streamlit_url}/verifier?lang=en",
        AMBIGUOUS,
        "Address",
        "Download the attestation (page to print)",
        "Several possible addresses",
    )
    context = chromium_browser.new_context()
    context.route(lambda u: not u.startswith(("about:", "data:")), lambda route: route.abort())
    try:
        sheet = context.new_page()
        pages, text = _pdf_pages(sheet, document)
        assert pages == 1, pages
        for field in (
            "Address check attestation",
            "Answer: to be checked",
            "Other possible matches",
            "Perimeters published on",
            "Date and time of the check",
            "What this attestation does not prove",
            "Job seeker for more than 2 years",
        ):
            assert field in text, field
    finally:
        context.close()


def test_the_longest_attestation_still_fits_one_page(chromium_browser):
    """The worst case the page can produce: the longest territory and unit names, an ended
    territory, a long explanation, the most possible addresses listed, a date "as of"."""
    import datetime as dt

    from tzcld.attestation import MAX_CANDIDATES, attestation_html
    from tzcld.check import CheckResult

    long_street = "Rue du Général Jacques de Dixmude et de la Libération"
    result = CheckResult(
        "undetermined",
        territory_id="hotton-durbuy-erezee-rendeux-la-roche",
        territory_name="Hotton, Durbuy, Erezée, Rendeux et La Roche-en-Ardenne",
        unit="Centre de La Roche-en-Ardenne",
        match_quality="nearest_number",
        matched_address=f"{long_street} 128 bte 12, 6980 La Roche-en-Ardenne",
        lat=50.18,
        lon=5.57,
        distance_to_boundary_m=8.4,
        precision="sectors-from-addresses",
        data_version="2024-10-30+a768c26f+p12.17.23.31",
        headline="Plusieurs adresses possibles, qui ne donnent pas la même réponse : "
        + "; ".join(f"{long_street} {i}, 69{i:02d} Localité" for i in range(5))
        + ". Précisez le code postal ou la commune.",
        details=[
            "Territoire arrêté en 2025 : plus d'engagement.",
            "Le numéro demandé n'est pas dans le registre : numéro le plus proche utilisé (126).",
            "À 8 m seulement d'une limite de territoire : à vérifier sur place.",
            "Le secteur statistique de l'adresse et le tracé du périmètre ne concordent pas : à vérifier.",
        ],
        territory_status="ended",
        candidates=[{"label": f"{long_street} {i}, 69{i:02d} Localité-sur-Ourthe", "score": 90} for i in range(12)],
    )
    answer = {"perimeter_version": {"label": "v23", "date": "2025-06-20"}}
    credit = (
        "Adresses : SPW – ICAR (registre des adresses) ; périmètres — Source : Statbel (Direction générale "
        "Statistique – Statistics Belgium) ; SPW – ICAR ; BOSA BeST Address ; © les contributeurs d'OpenStreetMap."
    )
    document = attestation_html(
        result, answer, "fr", dt.datetime(2026, 12, 1, 10, 35, tzinfo=dt.UTC), dt.date(2025, 6, 30), credit
    )
    context = chromium_browser.new_context()
    context.route(lambda u: not u.startswith(("about:", "data:")), lambda route: route.abort())
    try:
        pages, text = _pdf_pages(context.new_page(), document)
        assert pages == 1, pages
        assert sum(f"{long_street} {i}, 69{i:02d} Localité-sur-Ourthe" in text for i in range(12)) == MAX_CANDIDATES
        assert "Domicilié dans le territoire depuis au moins 6 mois" in text and "30/06/2025" in text
    finally:
        context.close()
