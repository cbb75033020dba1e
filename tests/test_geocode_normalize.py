"""Address parsing and normalisation as people type (pure functions, no data)."""

from __future__ import annotations

import pytest

from tzcld.geocode.normalize import HouseNumber, fold, normalize_name, parse_address, parse_house_number


def test_fold_removes_accents_and_case():
    assert fold("Liège ÉGLISE Œuvre") == "liege eglise oeuvre"


@pytest.mark.parametrize(
    "typed, official",
    [
        ("R. de l'Église", "Rue de l'Église"),
        ("Av. Reine Astrid", "Avenue Reine Astrid"),
        ("Bd Tirou", "Boulevard Tirou"),
        ("Chée de Bruxelles", "Chaussée de Bruxelles"),
        ("Pl. St-Lambert", "Place Saint-Lambert"),
        ("Rue Ste-Marguerite", "Rue Sainte-Marguerite"),
        ("RUE   DE  DROIXHE", "rue de droixhe"),
    ],
)
def test_abbreviations_and_case_give_the_official_key(typed, official):
    assert normalize_name(typed) == normalize_name(official)


@pytest.mark.parametrize(
    "text, before, house, after, postcode",
    [
        ("Rue de Droixhe 10, 4020 Liège", ("rue", "de", "droixhe"), HouseNumber(10), ("liege",), "4020"),
        ("4020 Liège, Rue de Droixhe 10", ("liege", "rue", "de", "droixhe"), HouseNumber(10), (), "4020"),
        ("rue de droixhe 10 4020 liege", ("rue", "de", "droixhe"), HouseNumber(10), ("liege",), "4020"),
        ("Rue Haute 12A Jemappes", ("rue", "haute"), HouseNumber(12, "a"), ("jemappes",), None),
        ("Rue Haute 12 A", ("rue", "haute"), HouseNumber(12, "a"), (), None),
        ("Rue Haute 12 bte 3, 7012 Mons", ("rue", "haute"), HouseNumber(12, "", "3"), ("mons",), "7012"),
        ("Rue Haute 12/3 7012", ("rue", "haute"), HouseNumber(12, "", "3"), (), "7012"),
        ("B-4020 Liège rue de Droixhe 3", ("liege", "rue", "de", "droixhe"), HouseNumber(3), (), "4020"),
        ("10 rue de Droixhe", (), HouseNumber(10), ("rue", "de", "droixhe"), None),
    ],
)
def test_parse_address(text, before, house, after, postcode):
    parsed = parse_address(text)
    assert parsed.before == before
    assert parsed.house == house
    assert parsed.after == after
    assert parsed.postcode == postcode


def test_box_number_is_not_taken_for_a_postcode():
    parsed = parse_address("Rue Haute 2 bte 4500")
    assert parsed.postcode is None
    assert parsed.house == HouseNumber(2, "", "4500")


def test_house_numbers_of_the_register():
    assert parse_house_number("37/C") == HouseNumber(37, "", "c")
    assert parse_house_number("7a") == HouseNumber(7, "a")
    assert parse_house_number("12A").label == "12A"
    assert parse_house_number("") is None


def test_no_postcode_outside_wallonia_ranges():
    assert parse_address("Rue Neuve 3, 1000 Bruxelles").postcode is None
