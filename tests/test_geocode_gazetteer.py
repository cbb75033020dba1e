"""The gazetteer (former communes, villages, quarters) and the geocoder's rules."""

from __future__ import annotations

import numpy as np
import pytest

from tests.check_support import requires_icar
from tzcld.geocode.base import MatchQuality
from tzcld.geocode.gazetteer import section_names
from tzcld.geocode.normalize import HouseNumber
from tzcld.geocode.register import (
    AGREES,
    ELSEWHERE,
    SAME_COMMUNE,
    _StreetMatch,
    choose_streets,
    has_street_letters,
    pick_number,
)


@pytest.mark.parametrize(
    "label, names",
    [
        ("PATURAGES* + PARTIES DE EUGIES", ["PATURAGES"]),
        ("FLEMALLE-HAUTE & FLEMALLE- GRANDE & PARTIE AWIRS", ["FLEMALLE-HAUTE", "FLEMALLE- GRANDE"]),
        ("LIEGE(MEUSE NORD) + PARTIE DE HERSTAL,SAINT-NICOLAS,VOTTEM", ["LIEGE"]),
        ("VIVEGNIS + PARTIE DE HERSTAL, WANDRE ET CHERATTE", ["VIVEGNIS"]),
        ("PARTIE DE OUGREE", []),
        ("MODIFICATION DE LIMITE COMMUNALE", []),
        ("HAVRE+PARIE DE VILLE-SUR-HAINE", ["HAVRE"]),
        ("BOIS - ET - BORSU", ["BOIS - ET - BORSU"]),
    ],
)
def test_section_names(label, names):
    assert section_names(label) == names


def test_has_street_letters():
    assert has_street_letters(["rue", "de", "droixhe"])
    assert not has_street_letters(["1", "1"])
    assert not has_street_letters(["bte", "3"])
    assert not has_street_letters([])


def test_pick_number():
    numbers = np.array([1, 3, 5, 9, 2, 4, 6, 8, -1])
    suffixes = np.array([""] * 8 + [""], dtype=object)
    k, q, spread, near = pick_number(numbers, suffixes, HouseNumber(5))
    assert (numbers[k], q, near, list(spread)) == (5, MatchQuality.EXACT, True, [k])
    # 7 is missing: between 5 and 9 on the odd side, its neighbours decide
    k, q, spread, near = pick_number(numbers, suffixes, HouseNumber(7))
    assert q is MatchQuality.NEAREST_NUMBER and near and numbers[k] in (5, 9)
    assert sorted(numbers[spread]) == [5, 9]  # the same side of the street
    # 250 is far past the last number: off the street, the whole street stands for it
    k, q, spread, near = pick_number(numbers, suffixes, HouseNumber(250))
    assert q is MatchQuality.NEAREST_NUMBER and not near and len(spread) == 8
    # 11 is just past the last odd number
    assert pick_number(numbers, suffixes, HouseNumber(11))[3]


def test_choose_streets_prefers_what_agrees_with_the_typed_place():
    rows = np.array([0])
    exact_elsewhere = _StreetMatch(rows, 100.0, ELSEWHERE, ELSEWHERE, AGREES)
    lookalike_here = _StreetMatch(np.array([1]), 93.0, AGREES)
    keep, conflict = choose_streets([exact_elsewhere, lookalike_here])
    assert keep == [lookalike_here] and conflict is None
    # a far worse name does not win just because it agrees
    poor_here = _StreetMatch(np.array([2]), 85.0, AGREES)
    keep, conflict = choose_streets([exact_elsewhere, poor_here])
    assert keep == [exact_elsewhere] and conflict == "postcode"
    # the same commune beats elsewhere when nothing agrees
    same = _StreetMatch(np.array([3]), 100.0, SAME_COMMUNE, AGREES, SAME_COMMUNE)
    keep, conflict = choose_streets([exact_elsewhere, same])
    assert keep == [same] and conflict == "locality"


@requires_icar
def test_gazetteer_knows_former_communes_villages_and_their_postcodes(register_geocoder):
    gaz = register_geocoder.index.gazetteer
    paturages = [e for e in gaz.get("paturages") if e.muni_key == "colfontaine"]
    assert paturages and paturages[0].kind == "section" and paturages[0].section == "53082B"
    assert paturages[0].postcodes == {"7340"} and gaz.discriminates(paturages[0])
    vivegnis = gaz.get("vivegnis")
    assert {e.muni_key for e in vivegnis} == {"oupeye"} and all(e.postcodes == {"4683"} for e in vivegnis)
    assert all(gaz.discriminates(e) for e in vivegnis)  # 4683 is one of Oupeye's five postcodes
    flemalle_grande = gaz.get("flemalle grande")
    assert {e.muni_key for e in flemalle_grande} == {"flemalle"}
    assert not any(gaz.discriminates(e) for e in flemalle_grande)  # all of Flémalle is 4400
    assert "saint vith" in gaz and gaz.get("saint vith")[0].muni_key == "sankt vith"


@requires_icar
@pytest.mark.parametrize(
    "typed, expected",
    [
        ("rue de grisoeil 14 Pâturages", "Rue de Grisoeil 14, 7340 Colfontaine"),
        ("rue du cep 39 Vivegnis", "Rue du Cep 39, 4683 Oupeye"),
        ("rue des cahottes 160 Flémalle-Grande", "Rue des Cahottes 160, 4400 Flémalle"),
        ("Rue du Cep 39, 4683 Vivegni", "Rue du Cep 39, 4683 Oupeye"),  # a typo in the locality
        ("4990 Lierneux, Erria 84", "Erria 84, 4990 Lierneux"),  # a village name as a street
        ("CHAUSSÉE DE LESSINES 376 7060", "Chaussée de Lessines 376, 7060 Soignies"),  # a commune in the name
        ("Bois des Chevreuils 75, 4130", "Bois des Chevreuils 75, 4130 Esneux"),  # a place and a street
    ],
)
def test_localities_without_postcode_resolve_inside_that_locality(register_geocoder, typed, expected):
    res = register_geocoder.geocode(typed)
    assert res.quality is MatchQuality.EXACT, res
    assert res.matched_address == expected
    assert res.conflict is None


@requires_icar
def test_a_street_missing_from_the_typed_locality_is_a_conflict_not_a_guess(register_geocoder):
    res = register_geocoder.geocode("rue de la station 5 jemappes")
    assert res.conflict == "locality"
    assert res.matched_address.endswith("7034 Mons")  # the only Rue de la Station of Mons (Obourg)
    assert res.typed_place == "Jemappes"
    assert res.alternatives_xy is not None and len(res.alternatives_xy) > 100  # the street and Jemappes
    res = register_geocoder.geocode("rue de droixhe 10 4000 liège")
    assert res.conflict == "postcode" and res.matched_address == "Rue de Droixhe 10, 4020 Liège"


@requires_icar
@pytest.mark.parametrize("typed", ["=1+1", "5 7000 Mons", "12345", "bte 3", "10"])
def test_no_street_name_is_not_found(register_geocoder, typed):
    res = register_geocoder.geocode(typed)
    assert res.quality is MatchQuality.NOT_FOUND and res.reason == "no_street"


@requires_icar
def test_a_commune_or_postcode_alone_is_an_area_without_a_point(register_geocoder):
    for typed in ("Seraing", "4100", "7012 Jemappes", "Rue Qui N'Existe Pas 4, 6240 Farciennes"):
        res = register_geocoder.geocode(typed)
        assert res.quality is MatchQuality.COMMUNE_ONLY, typed
        assert res.lat is None and res.x is None and res.score is None
        assert res.spread_idx is not None and len(res.spread_idx) > 100
    assert register_geocoder.geocode("7012 Jemappes").matched_address == "Jemappes (7012 Mons)"


@requires_icar
def test_a_missing_number_next_to_the_same_street_with_it_lists_both(register_geocoder):
    """People type the neighbouring commune's postcode: "Rue de la Liberté 19, 6200" (Châtelet
    has no number 19; Farciennes' Rue de la Liberté, a few km away, has)."""
    res = register_geocoder.geocode("Rue de la Liberté 19, 6200")
    assert res.quality is MatchQuality.NEAREST_NUMBER and res.ambiguous
    assert any(c.label.endswith("6240 Farciennes") for c in res.candidates)


def test_glued_numbers_boxes_and_the_country():
    from tzcld.geocode.normalize import parse_address

    p = parse_address("rue de droixhe10 4020 liege")
    assert p.before == ("rue", "de", "droixhe") and p.house.number == 10 and p.postcode == "4020"
    p = parse_address("Rue de Droixhe 10, 4020 Liège, Belgique")
    assert p.after == ("liege",)
    p = parse_address("Quartier d'Apt 8, 7301 Boussu")  # "apt" after no number is a name
    assert p.house.number == 8 and p.house.box == ""
    p = parse_address("Rue X 12 bte 3, 4020")
    assert p.house.number == 12 and p.house.box == "3"
    p = parse_address("Rue Philippe Capiaumont 14 bis, 7000 Mons")
    assert p.house.number == 14 and p.house.suffix == "bis"
