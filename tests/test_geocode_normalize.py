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


def _random_texts(alphabet: str, n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_the_latin_shortcut_of_fold_is_the_general_fold():
    """:func:`fold` translates texts of Latin characters one by one; the general way
    (:func:`fold_text`: NFKD, combining marks dropped, lower case) must give the same, for
    every such character and for texts mixing them (with accents typed as combining marks,
    Greek, ligatures and other scripts going the general way)."""
    from tzcld.geocode import normalize
    from tzcld.geocode.normalize import fold_text

    latin = "".join(chr(i) for i in range(ord(normalize._LATIN_END)))
    for c in latin:
        assert fold(c) == fold_text(c), repr(c)
    others = latin + "\u0301\u0308\u0327ΣσςΑω ﬁﬂİıẞ’–—\u00a0\u2009ЖжЯ中ą̊"
    texts = _random_texts(latin, 20_000, 1) + _random_texts(others, 20_000, 2)
    texts += ["Liège", "ÉGLISE", "Œuvre", "Straße", "Chée", "Saint-Léger", "ŁÓDŹ", "ǅemal", "e\u0301glise"]
    for text in texts:
        assert fold(text) == fold_text(text), repr(text)


def test_a_broken_latin_table_is_caught(monkeypatch):
    """The comparison above fails when the shortcut is wrong (an accent kept, say)."""
    from tzcld.geocode import normalize

    table = dict(normalize._LATIN_FOLD)
    table[ord("é")] = "é"
    monkeypatch.setattr(normalize, "_LATIN_FOLD", table)
    with pytest.raises(AssertionError):
        test_the_latin_shortcut_of_fold_is_the_general_fold()
