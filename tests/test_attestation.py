"""The attestation of one address check (tzcld.attestation), without a browser: every field,
in French and in English, escaped, and nothing for an answer that is not one.

The A4 page count is measured in a real browser (tests/test_browser_attestation.py).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from tzcld.attestation import (
    MAX_CANDIDATES,
    attestation_filename,
    attestation_html,
    attestation_rows,
    can_attest,
    checked_at_text,
)
from tzcld.check import Checker, CheckResult
from tzcld.check_cli import answer_json
from tzcld.check_view import answer_view, result_rows
from tzcld.eligibility import default_classifier

#: 10:35 UTC on 1 December 2026 is 11:35 in Brussels.
CHECKED_AT = dt.datetime(2026, 12, 1, 10, 35, tzinfo=dt.UTC)
FRENCH_TYPOGRAPHY = re.compile(r"\S[ \u00a0\u202f][:;?!](?=\s|$)|[«»]")


def mons_answer(**changes) -> tuple[CheckResult, dict]:
    """An answer inside Mons (Flénu), checked with an approved version v3 of that territory."""
    fields = dict(
        status="inside",
        territory_id="mons-jemappes",
        territory_name="Mons (Jemappes et ses alentours)",
        unit="Flénu (alentours)",
        match_quality="exact",
        matched_address="Rue de l'Église 12, 7012 Mons",
        lat=50.4398,
        lon=3.9123,
        distance_to_boundary_m=412.6,
        precision="sectors",
        data_version="2024-10-30+a768c26f+p3",
        headline="Dans le territoire « Mons (Jemappes et ses alentours) » (Flénu (alentours)).",
        details=["Territoire arrêté en 2025 : plus d'engagement."],
        territory_status="ended",
    )
    fields.update(changes)
    result = CheckResult(**fields)
    answer = {"perimeter_version": {"label": "v3", "date": "2025-03-10"}, "as_of": None}
    return result, answer


def text_of(page: str) -> str:
    """The visible text of an HTML page (tags dropped, entities read)."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_every_field_is_on_the_french_attestation():
    result, answer = mons_answer()
    page = attestation_html(result, answer, "fr", CHECKED_AT, dt.date(2025, 4, 1), sources="Adresses : SPW – ICAR")
    text = text_of(page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    for expected in (
        "Attestation de vérification d'adresse",
        "Réponse : dans un territoire",  # the verdict
        "Dans le territoire « Mons (Jemappes et ses alentours) »",
        "Rue de l'Église 12, 7012 Mons",  # the address as matched in the register
        "adresse exacte",
        "Mons (Jemappes et ses alentours)",  # territory
        "Flénu (alentours)",  # unit
        "arrêté",  # the territory has ended
        "version v3 approuvée le 10/03/2025",  # perimeter version and its approval date
        "secteurs statistiques exacts",  # precision
        "413 m",  # distance to the boundary
        "Périmètres publiés le",
        "01/04/2025",  # the date whose perimeters were used
        "2024-10-30+a768c26f+p3",  # data version
        "01/12/2026 à 11:35 (heure de Bruxelles)",  # date and time of the check
        "Ce que cette attestation ne prouve pas",
        "Demandeur d'emploi depuis plus de 2 ans",
        "Domicilié dans le territoire depuis au moins 6 mois",
        "Adresses : SPW – ICAR",
    ):
        assert expected in text, expected
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")  # self-contained


def test_every_field_is_on_the_english_attestation_in_english():
    result, answer = mons_answer(
        headline="In the territory “Mons (Jemappes and its surroundings)” (Flénu (surroundings)).",
        details=["Territory ended in 2025: no more hiring."],
    )
    page = attestation_html(result, answer, "en", CHECKED_AT)
    text = text_of(page)
    assert '<html lang="en">' in page
    for expected in (
        "Address check attestation",
        "Answer: in a territory",
        "Mons (Jemappes and its surroundings)",
        "Flénu (surroundings)",
        "version v3 approved on 2025-03-10",
        "exact statistical sectors",
        "413 m",
        "day of the check",  # no "as of" date: the perimeters in force
        "2026-12-01 at 11:35 (Brussels time)",
        "What this attestation does not prove",
        "Job seeker for more than 2 years",
        "Living in the territory for at least 6 months",
    ):
        assert expected in text, expected
    for line in text.splitlines():
        assert not FRENCH_TYPOGRAPHY.search(line), line
    assert "alentours" not in text and "non communiqué" not in text


def test_a_point_an_outside_answer_and_unknowns_say_so():
    checker = Checker(default_classifier(), None, "fr")
    result = checker.check_latlon(50.4669, 4.8675)  # Namur: outside every territory
    assert result.status == "outside"
    rows = dict(attestation_rows(result, answer_json(result), "fr", CHECKED_AT))
    assert rows["Adresse reconnue dans le registre des adresses (SPW – ICAR)"].startswith("aucune : un point")
    assert rows["Point vérifié (latitude, longitude WGS84)"] == "50.466900, 4.867500"
    assert rows["Territoire"] == "aucun" and rows["Quartier / village"] == "—"
    assert rows["Version du périmètre du territoire"] == "—"
    assert rows["Distance à la limite de territoire la plus proche"].endswith("km")
    assert "Hors des territoires" in text_of(attestation_html(result, answer_json(result), "fr", CHECKED_AT))


def test_the_committed_perimeters_are_named_with_their_date():
    checker = Checker(default_classifier(), None, "fr")
    result = checker.check_latlon(50.648, 5.615)  # Liège (Droixhe)
    answer = answer_view(result)  # no database: the committed perimeters, read without one
    assert answer["perimeter_version"]["label"] == "base"
    text = text_of(attestation_html(result, answer, "fr", CHECKED_AT))
    assert "périmètre de référence (données du" in text and "Liège (Droixhe" in text


def test_addresses_and_texts_are_escaped():
    result, answer = mons_answer(matched_address="<img src=x onerror=alert(1)> 1, 7012 Mons")
    page = attestation_html(result, answer, "fr", CHECKED_AT)
    assert "<img" not in page and "&lt;img src=x" in page


def test_candidates_are_listed_but_the_sheet_stays_short():
    candidates = [{"label": f"Rue de la Station {i}, 70{i:02d} Mons", "score": 90} for i in range(9)]
    result, answer = mons_answer(status="undetermined", candidates=candidates, headline="Plusieurs adresses possibles.")
    text = text_of(attestation_html(result, answer, "fr", CHECKED_AT))
    assert "Autres correspondances possibles" in text
    assert sum(f"Rue de la Station {i}," in text for i in range(9)) == MAX_CANDIDATES
    assert "… et d'autres (voir la réponse)" in text


@pytest.mark.parametrize("status", ["not_found", "error"])
def test_no_attestation_without_an_answer(status):
    result = CheckResult(status, message="Adresse introuvable")
    assert not can_attest(result) and not can_attest(None)
    with pytest.raises(ValueError):
        attestation_html(result, {}, "fr", CHECKED_AT)


def test_the_time_is_brussels_time_and_the_file_name_holds_no_address():
    summer = dt.datetime(2025, 7, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in Brussels
    assert checked_at_text(summer, "fr") == "02/07/2025 à 00:30 (heure de Bruxelles)"
    assert attestation_filename(summer) == "attestation-verification-20250702-0030.html"


def test_the_page_rows_name_the_version_and_the_date_in_the_language():
    result, answer = mons_answer()
    rows = dict(result_rows(result, answer, "en", dt.date(2025, 4, 1)))
    assert rows["Territory"] == "Mons (Jemappes and its surroundings)"
    assert rows["Quarter / village"] == "Flénu (surroundings)"
    assert rows["Version of the territory's perimeter"] == "version v3 approved on 2025-03-10"
    assert rows["Perimeters published on"] == "2025-04-01"
    french = dict(result_rows(result, answer, "fr"))
    assert french["Territoire"] == "Mons (Jemappes et ses alentours)" and "Périmètres publiés le" not in french
