"""The address check on real register addresses typed the way people type them.

The cases (``tests/fixtures/typed_addresses.csv``, made by ``python tools/typed_addresses.py
make``) are drawn by commune, independently of the perimeters; the verdict each deserves is
computed here from the address meant (see :func:`tools.typed_addresses.judge`). The README
reports these figures (``python tools/typed_addresses.py report``).
"""

from __future__ import annotations

import pytest

from tests.check_support import requires_icar
from tools.typed_addresses import evaluate, read_cases

pytestmark = requires_icar


@pytest.fixture(scope="module")
def evaluated(checker_fr):
    return evaluate(read_cases(), checker_fr)


def test_the_set_is_large_and_covers_every_class(evaluated):
    _rows, figures = evaluated
    assert figures["cases"] >= 250
    kinds = figures["kinds"]
    for kind in (
        "former_commune",
        "wrong_postcode",
        "neighbour_postcode",
        "homonym",
        "junk",
        "area_only",
        "indicative_part",
        "typo",
        "no_postcode",
        "abbreviated",
        "number_first",
        "ended",
    ):
        assert kinds[kind] >= 4, kind


def test_no_firm_wrong_answer_and_fair_verdicts(evaluated):
    rows, figures = evaluated
    wrong = [(r["id"], r["typed"], r["result"].status, r["result"].matched_address) for r in rows if r["firm_wrong"]]
    assert wrong == []
    unfair = [(r["id"], r["typed"], r["result"].status) for r in rows if not r["fair"]]
    assert figures["fair"] >= 0.98, unfair


def test_geocoded_to_the_address_meant(evaluated):
    rows, figures = evaluated
    assert figures["geocoded"] >= 0.95
    assert figures["geocoded_or_listed"] >= 0.97
    # with the commune, the former commune or the village named, every address is found
    missed = [
        (r["id"], r["typed"], r["result"].matched_address)
        for r in rows
        if r["kind"] in ("former_commune", "homonym_with_commune", "issue_example", "official", "lower")
        and not r["geocoded"]
    ]
    assert missed == []


def test_junk_is_not_found_with_a_french_message(evaluated):
    rows, _ = evaluated
    for r in rows:
        if r["kind"] == "junk":
            assert r["result"].status == "not_found", r["typed"]
            assert r["result"].message


def test_homonyms_without_locality_list_the_candidates(evaluated):
    rows, _ = evaluated
    for r in rows:
        if r["kind"] == "homonym":
            res = r["result"]
            assert len(res.candidates) >= 2, r["typed"]


def test_ended_territory_says_so(evaluated):
    rows, _ = evaluated
    for r in rows:
        if r["kind"] == "ended" and r["result"].territory_id == "la-louviere":
            assert "arrêté en 2025" in r["result"].message
