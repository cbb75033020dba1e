"""Address or point → verdict, and tables of rows, on the real perimeters and index."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.check_support import requires_icar
from tzcld.check import FIELDS, JSON_FIELDS, Checker, candidate_text, format_distance
from tzcld.check_tables import BATCH_FIELDS, check_table, summarise
from tzcld.columns import guess_columns
from tzcld.eligibility import default_classifier

pytestmark = requires_icar


def test_address_inside_with_all_fields(checker_fr):
    res = checker_fr.check_address("Rue de Droixhe 10, 4020 Liège")
    assert res.status == "inside"
    assert res.territory_id == "liege" and res.unit
    assert res.match_quality == "exact"
    assert res.matched_address == "Rue de Droixhe 10, 4020 Liège"
    assert res.distance_to_boundary_m > 0
    assert res.precision in ("sectors", "sectors-from-addresses", "communes", "indicative")
    assert res.data_version == default_classifier().data_version
    assert "Dans le territoire" in res.message
    data = res.as_json()
    assert set(JSON_FIELDS) <= set(data)
    json.dumps(data)


def test_outside_names_the_nearest_territory(checker_fr):
    res = checker_fr.check_latlon(50.4669, 4.8675)  # Namur centre
    assert res.status == "outside"
    assert res.territory_id is None and res.nearest_territory_id
    assert res.distance_to_territory_m > 1000
    assert "le plus proche" in res.message and "km" in res.message


def test_indicative_territory_is_undetermined(checker_fr):
    c = default_classifier()
    indicative = [i for i, p in enumerate(c.unit_precision) if p == "indicative"]
    if not indicative:
        pytest.skip("no indicative perimeter in this geodata version")
    geom = c.geoms[indicative[0]]
    p = geom.representative_point()
    from tzcld.coords import to_wgs84

    lat, lon = to_wgs84(np.array([p.x]), np.array([p.y]))
    res = checker_fr.check_latlon(float(lat[0]), float(lon[0]))
    assert res.status == "undetermined"
    assert "indicatif" in res.message


def test_point_near_a_boundary_is_to_be_checked(checker_fr):
    import shapely

    from tzcld.coords import to_wgs84

    c = default_classifier()
    exact = [k for k, tid in enumerate(c.territory_ids) if c.territory_precision[tid] != "indicative"]
    piece = c.boundary_pieces[np.flatnonzero(c.boundary_owner == exact[0])[0]]
    pt = shapely.line_interpolate_point(piece, 0.5, normalized=True)
    lat, lon = to_wgs84(np.array([pt.x]), np.array([pt.y]))
    res = checker_fr.check_latlon(float(lat[0]), float(lon[0]))
    assert res.status == "undetermined"
    assert res.distance_to_boundary_m < 10
    assert "limite" in res.message


def test_swapped_and_out_of_wallonia_notes(checker_fr):
    res = checker_fr.check_text("5.615269, 50.647992")
    assert res.status == "inside" and "inversées" in res.message
    res = checker_fr.check_text("48.8566 2.3522")
    assert res.status == "outside" and "hors de Wallonie" in res.message


def test_not_found_and_empty(checker_fr):
    res = checker_fr.check_address("Zzzz Qqqq Wwww")
    assert res.status == "not_found" and res.match_quality == "not_found" and "introuvable" in res.message
    assert checker_fr.check_address("   ").status == "error"


def test_street_crossing_a_boundary_is_undetermined(checker_fr):
    """Find a real street whose addresses lie on both sides of a territory boundary."""
    g = checker_fr.geocoder
    idx = g.index
    c = default_classifier()
    unit = c.locate(idx.x, idx.y)
    terr = np.where(unit >= 0, c.unit_territory[np.maximum(unit, 0)], -1)
    starts, stops = idx.s_start, idx.s_stop
    for row in range(len(starts)):
        seg = terr[starts[row] : stops[row]]
        if len(seg) > 5 and (seg >= 0).any() and (seg < 0).any() and len(g.index.by_key[idx.street_keys[row]]) == 1:
            break
    else:
        pytest.skip("no crossing street")
    res = checker_fr.check_address(f"{idx.s_name[row]}, {idx.s_postcode[row]} {idx.s_muni[row]}")
    assert res.match_quality == "street_only"
    assert res.status == "undetermined"
    assert "traverse une limite" in res.message


def test_english_messages(register_geocoder):
    res = Checker(default_classifier(), register_geocoder, "en").check_address("Rue de Droixhe 10, 4020 Liège")
    assert res.message.startswith("In the territory")


def test_no_index_gives_a_clear_error_but_points_work():
    ch = Checker(default_classifier(), None, "fr")
    res = ch.check_address("Rue de Droixhe 10, 4020 Liège")
    # visitors read that address search is unavailable, with no command line (issue 17)
    assert res.status == "error" and "pas disponible" in res.message
    assert "python -m" not in res.message and "address-index" not in res.message
    assert ch.check_latlon(50.648, 5.615).status == "inside"


def test_table_of_addresses_keeps_columns_and_order(checker_fr):
    df = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "adresse": ["Rue de Droixhe 10, 4020 Liège", "Zzzz Qqqq", "", "Rue de la Gare 3, Jemappes"],
            "status": ["x", "y", "z", "w"],  # clashes with an output column
        }
    )
    seen = []
    out = check_table(checker_fr, df, address_columns=["adresse"], progress=lambda d, t: seen.append((d, t)))
    assert list(out.columns) == ["id", "adresse", "status_input", *FIELDS, "data_version"]
    assert list(BATCH_FIELDS) == [*FIELDS, "data_version"]
    assert set(out["data_version"]) == {checker_fr.classifier.data_version}
    assert out["id"].tolist() == ["1", "2", "3", "4"]
    assert out["status"].tolist()[:3] == ["inside", "not_found", "error"]
    assert out["status_input"].tolist() == ["x", "y", "z", "w"]
    assert seen[-1] == (4, 4)
    assert summarise(out)["total"] == 4


def test_table_address_from_several_columns(checker_fr):
    df = pd.DataFrame({"rue": ["Rue de Droixhe 10"], "cp": ["4020"], "commune": ["Liège"]})
    out = check_table(checker_fr, df, address_columns=["rue", "cp", "commune"])
    assert out.loc[0, "status"] == "inside" and out.loc[0, "match_quality"] == "exact"


def test_table_of_coordinates_50000_rows(checker_fr):
    rng = np.random.default_rng(3)
    n = 50_000
    lat = rng.uniform(49.5, 50.8, n)
    lon = rng.uniform(3.0, 6.3, n)
    df = pd.DataFrame({"latitude": [f"{v:.6f}".replace(".", ",") for v in lat], "longitude": lon.round(6).astype(str)})
    df.loc[0, ["latitude", "longitude"]] = ["50,647992", "5,615269"]
    df.loc[1, ["latitude", "longitude"]] = ["pas un nombre", "5"]
    df.loc[2, ["latitude", "longitude"]] = ["5.615269", "50.647992"]  # swapped
    out = check_table(checker_fr, df, lat_column="latitude", lon_column="longitude")
    assert len(out) == n
    assert out.loc[0, "status"] == "inside" and out.loc[0, "territory_id"] == "liege"
    assert out.loc[1, "status"] == "error" and "illisibles" in out.loc[1, "message"]
    assert out.loc[2, "status"] == "inside" and "inversées" in out.loc[2, "message"]
    assert out.loc[2, "lat"] == pytest.approx(50.647992)
    assert set(out["status"]) <= {"inside", "outside", "undetermined", "error"}
    assert (out["status"] == "outside").sum() > n / 2
    outside = out[out["status"] == "outside"]
    assert outside["message"].str.contains("le plus proche").all()


def test_guess_columns():
    assert guess_columns(["ID", "Adresse", "x"]) == {"address": "Adresse"}
    assert guess_columns(["Latitude", "Longitude"]) == {"lat": "Latitude", "lon": "Longitude"}
    assert guess_columns(["x", "y"]) == {"lat": "x", "lon": "y"}
    assert guess_columns(["nom", "prénom"]) == {}


def test_format_distance():
    assert format_distance(8.24) == "8 m"
    assert format_distance(1530, "fr") == "1,5 km"
    assert format_distance(1530, "en") == "1.5 km"
    assert format_distance(None) == ""


def test_ambiguous_street_across_communes_is_undetermined(checker_fr):
    res = checker_fr.check_address("Rue de la Station 12")
    assert res.status == "undetermined"
    assert "Plusieurs adresses possibles" in res.message and "en tout" in res.message
    assert len(res.candidates) >= 2
    # the places listed the French way (" ; "; an address holds commas), the English way in English,
    # each with where it falls
    assert " ; ".join(candidate_text(c, "fr") for c in res.candidates[:2]) in res.message
    from tzcld.check import Checker

    english = Checker(checker_fr.classifier, checker_fr.geocoder, "en").check_address("Rue de la Station 12")
    assert "; ".join(candidate_text(c, "en") for c in english.candidates[:2]) in english.message
    assert " ; " not in english.message
    # none of the places is put forward as the answer: no address, point, territory or distance
    assert res.headline.startswith("À vérifier : cette adresse existe à plusieurs endroits")
    assert "hors des territoires" in res.headline and "territoire" in res.headline
    assert res.matched_address is None and res.lat is None and res.lon is None
    assert res.territory_id is None and res.distance_to_boundary_m is None and res.sector is None
    assert res.nearest_territory_id is None and res.distance_to_territory_m is None
    # no address retained: no quality of one either (each candidate says its own)
    assert res.match_quality is None
    # with the postcode, the same street is one answer
    res = checker_fr.check_address("Rue de la Station 12, 6240")
    assert res.status in ("inside", "undetermined") and res.territory_id == "farciennes"


def test_homonym_candidates_each_answer_as_that_address_would(checker_fr):
    """ "5 rue de la Station" (130 places): each candidate is the address itself where the
    number exists, and says where it falls — the same answer as checking that address (or,
    where the number is not, that street) alone."""
    res = checker_fr.check_address("5 rue de la Station")
    assert res.status == "undetermined" and res.matched_address is None and res.match_quality is None
    cands = res.candidates
    assert 6 <= len(cands) <= 17
    exact = [c for c in cands if c["match_quality"] == "exact"]
    assert exact and all(c["label"].lower().startswith("rue de la station 5, ") for c in exact)
    for c in cands:
        alone = checker_fr.check_address(c["label"])
        assert alone.match_quality == c["match_quality"], c["label"]
        assert (alone.status, alone.territory_id) == (c["status"], c["territory_id"]), c["label"]
        if c["match_quality"] == "exact":
            assert (alone.lat, alone.lon) == (c["lat"], c["lon"])  # its own point, not the street's middle
        assert c["territory_name"] == alone.territory_name
    # no place typed: the typed address where it exists first; among those, the places in a
    # territory first, one per territory before a second one in the same territory
    kinds = [c["match_quality"] for c in cands]
    assert kinds == sorted(kinds, key=lambda q: q != "exact")
    for kind in set(kinds):
        group = [c["territory_id"] for c in cands if c["match_quality"] == kind]
        in_territory = [tid is not None for tid in group]
        assert in_territory == sorted(in_territory, reverse=True)
        seen = [tid for tid in group if tid is not None]
        firsts = list(dict.fromkeys(seen))
        assert seen[: len(firsts)] == firsts  # every territory once before any twice
    assert cands[0]["territory_id"] is not None
    assert " ; ".join(candidate_text(c, "fr") for c in cands[:2]) in res.message
    assert "(territoire « " in res.message
    assert checker_fr.check_address("5 rue de la Station").candidates == cands  # deterministic


def test_candidate_text_says_the_answer_of_each_place():
    inside = {"label": "Rue X 5, 6181 Courcelles", "match_quality": "exact", "status": "inside"}
    inside |= {"territory_id": "courcelles", "territory_name": "Courcelles"}
    assert candidate_text(inside, "fr") == "Rue X 5, 6181 Courcelles (territoire « Courcelles »)"
    assert candidate_text(inside, "en") == "Rue X 5, 6181 Courcelles (territory “Courcelles”)"
    street = {"label": "Rue X, 7700 Mouscron", "match_quality": "street_only", "status": "outside"}
    assert candidate_text(street, "fr") == "Rue X, 7700 Mouscron (rue seulement, hors territoire)"
    unsure = {"label": "Rue X, 6200 Châtelet", "match_quality": "street_only", "status": "undetermined"}
    unsure |= {"territory_id": "chatelet", "territory_name": "Châtelet"}
    assert candidate_text(unsure, "fr") == (
        "Rue X, 6200 Châtelet (rue seulement, peut-être territoire « Châtelet », à vérifier)"
    )
    assert candidate_text({"label": "Rue X, 7000 Mons", "score": 90}, "fr") == "Rue X, 7000 Mons"  # an older answer


def test_result_map_shows_the_point_and_the_territories(checker_fr):
    import folium

    from tzcld import maps
    from tzcld.maps import result_map

    prepared = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
    res = checker_fr.check_latlon(50.647992, 5.615269)
    fmap = result_map(prepared, res, "fr", "none")
    markers = [c for c in fmap._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(markers) == 1 and markers[0].location == [res.lat, res.lon]
    html = fmap.get_root().render()
    assert "fitBounds" in html and "dans un territoire" in html
    empty = result_map(prepared, None, "fr", "none")
    assert not [c for c in empty._children.values() if isinstance(c, folium.CircleMarker)]


def test_result_map_of_an_ambiguous_answer_shows_its_possible_places(checker_fr):
    import folium

    from tzcld import maps
    from tzcld.maps import result_map

    prepared = maps.prepare_layers(maps.load_map_layers("fr"), "fr")
    res = checker_fr.check_address("Rue de la Station 12")
    assert res.status == "undetermined" and res.lat is None and len(res.candidates) >= 2
    fmap = result_map(prepared, res, "fr", "none")
    markers = [c for c in fmap._children.values() if isinstance(c, folium.CircleMarker)]
    placed = [c for c in res.candidates if c.get("lat") is not None]
    assert len(markers) == len(placed) >= 2
    assert {tuple(m.location) for m in markers} == {(c["lat"], c["lon"]) for c in placed}
    html = fmap.get_root().render()
    assert placed[0]["label"] in html  # each place says which it is


def test_a_column_of_point_texts_is_classified_in_one_pass_with_the_answers_of_one_check():
    """A file's column of coordinates (pairs, degrees, links) is classified together — one
    pass, not one per row (a 200,000-row column took minutes) — with each row's answer the
    one `check TEXT` gives."""
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier

    texts = [
        "50.648, 5.615",
        "5.615 50.648",
        "235120 148230",
        "geo:50.4669,4.8675",
        "https://maps.example/@50.6,5.6,1z",
    ]
    texts += [f"50.{k:03d}, 4.{k:03d}" for k in range(200, 260)]
    checker = Checker(default_classifier(), None, "fr")
    one_by_one = [checker.check_text(text).as_row() for text in texts]
    calls = []
    real = checker.classifier.classify

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    checker.classifier.classify = counting  # type: ignore[method-assign]
    try:
        rows = [res.as_row() for res in checker.check_addresses(texts)]
    finally:
        del checker.classifier.classify
    assert rows == one_by_one
    assert calls == [len(texts) - 1]  # every point at once; the view-only link is no point


def test_a_table_of_point_texts_never_asks_for_the_geocoder():
    """check_table (the CLI's, the API's and the page's) over a column whose cells are all
    points or empty: the geocoder is never made; one address among them: it is, once."""
    from tzcld.geocode.base import IndexMissing, LazyGeocoder

    asked: list[int] = []

    def no_index():
        asked.append(1)
        raise IndexMissing("check.index.missing", folder="/nulle-part")

    checker = Checker(default_classifier(), LazyGeocoder(no_index), "fr")
    cells = ["50.648, 5.615", "", "geo:50.4108,4.4446", None]
    out = check_table(checker, pd.DataFrame({"GPS": cells}), address_columns=["GPS"])
    assert out["status"].tolist() == ["inside", "error", "outside", "error"] and asked == []
    assert out["message"][1] == out["message"][3] == "Aucune adresse ni coordonnée sur cette ligne."
    with pytest.raises(IndexMissing):
        check_table(checker, pd.DataFrame({"GPS": [*cells, "Rue de Droixhe 10, 4020 Liège"]}), address_columns=["GPS"])
    assert asked == [1]
