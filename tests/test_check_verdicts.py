"""Verdicts driven by the match quality: firm only when every place an answer may stand for
agrees; area-only answers never "inside" on a centre point; ended territories say so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.check_support import requires_icar
from tzcld.check_tables import check_table, display_table

pytestmark = requires_icar


def test_the_issue_examples(checker_fr):
    res = checker_fr.check_address("rue de la station 5 jemappes")
    assert res.status == "undetermined"  # never a firm "outside" from Obourg
    assert "n'existe pas à Jemappes" in res.message and res.candidates
    for typed in ("rue de grisoeil 14 Pâturages", "rue du cep 39 Vivegnis", "rue des cahottes 160 Flémalle-Grande"):
        res = checker_fr.check_address(typed)
        assert res.match_quality == "exact", typed
        assert res.status in ("inside", "undetermined")
    assert checker_fr.check_address("rue de grisoeil 14 Pâturages").territory_id == "colfontaine"


@pytest.mark.parametrize("typed", ["=1+1", "5 7000 Mons"])
def test_junk_gets_no_answer(checker_fr, typed):
    res = checker_fr.check_address(typed)
    assert res.status == "not_found"
    assert res.matched_address is None and res.lat is None
    assert "Aucun nom de rue" in res.message


def test_area_only_is_never_inside_on_a_centre_point(checker_fr):
    seraing = checker_fr.check_address("Seraing")
    assert seraing.status == "undetermined" and seraing.match_quality == "commune_only"
    assert seraing.headline.startswith("Adresse non localisée précisément")
    assert seraing.score is None and seraing.distance_to_boundary_m is None and seraing.lat is None
    assert "Dans le territoire" not in seraing.message
    # a whole commune that is a territory, or wholly outside every one: a firm answer, said so
    farciennes = checker_fr.check_address("Rue Qui N'Existe Pas 4, 6240 Farciennes")
    assert farciennes.status == "inside" and farciennes.territory_id == "farciennes"
    assert "entièrement dans le territoire « Farciennes »" in farciennes.message
    namur = checker_fr.check_address("Namur")
    assert namur.status == "outside" and "entièrement hors des territoires" in namur.message
    # a postcode partly inside a territory
    mons = checker_fr.check_address("7000 Mons")
    assert mons.status == "undetermined" and "n'est qu'en partie" in mons.message


def test_street_only_is_firm_only_when_the_whole_street_is_on_one_side(checker_fr):
    inside = checker_fr.check_address("Rue de Grisoeil, 7340 Colfontaine")
    assert inside.match_quality == "street_only" and inside.status == "inside"
    outside = checker_fr.check_address("Rue de Fer, 5000 Namur")
    assert outside.match_quality == "street_only" and outside.status == "outside"


def test_a_number_far_off_the_street_is_to_be_checked(checker_fr):
    res = checker_fr.check_address("Rue de Droixhe 9999, 4020 Liège")
    assert res.match_quality == "nearest_number" and res.status == "undetermined"
    assert "loin des numéros connus" in res.message
    near = checker_fr.check_address("Rue de Droixhe 11, 4020 Liège")
    assert near.match_quality == "nearest_number" and near.status == "inside"


def test_postcode_contradicting_the_street(checker_fr):
    res = checker_fr.check_address("rue de droixhe 10 4000 liège")
    assert res.status == "undetermined"
    assert res.matched_address == "Rue de Droixhe 10, 4020 Liège"
    assert "n'existe pas dans le code postal tapé" in res.message


def test_an_ended_territory_says_there_is_no_more_hiring(checker_fr):
    from tzcld.territories import load_registry

    assert load_registry()["la-louviere"].status == "ended"
    res = checker_fr.check_address("Rue de Bois-du-Luc 50, 7110 La Louvière")
    assert res.territory_id == "la-louviere" and res.status == "inside"
    assert res.territory_status == "ended"
    assert res.details[0] == "Territoire arrêté en 2025 : plus d'engagement."
    assert "Territoire arrêté en 2025 : plus d'engagement." in res.message
    # by coordinates too, one by one and in a table
    point = checker_fr.check_latlon(res.lat, res.lon)
    assert point.territory_status == "ended" and "arrêté en 2025" in point.message
    table = check_table(
        checker_fr, pd.DataFrame({"lat": [str(res.lat)], "lon": [str(res.lon)]}), lat_column="lat", lon_column="lon"
    )
    assert "arrêté en 2025" in table.loc[0, "message"]
    # an active-looking territory does not
    assert checker_fr.check_address("Rue de Droixhe 10, 4020 Liège").territory_status is None


def test_ended_status_is_read_from_the_registry_for_any_territory(checker_fr, monkeypatch):
    from tzcld.check import Checker

    checker = Checker(checker_fr.classifier, checker_fr.geocoder, "fr")
    monkeypatch.setattr(checker, "_ended", lambda: {"liege": "2026"})
    res = checker.check_address("Rue de Droixhe 10, 4020 Liège")
    assert res.territory_status == "ended" and "Territoire arrêté en 2026" in res.message


def test_swapped_lambert_coordinates_in_a_table(checker_fr):
    df = pd.DataFrame({"x": ["148000", "235000"], "y": ["235000", "148000"]})
    out = check_table(checker_fr, df, lat_column="x", lon_column="y")
    assert out["lat"].round(4).tolist()[0] == out["lat"].round(4).tolist()[1]
    assert "inversées" in out.loc[0, "message"] and "inversées" not in out.loc[1, "message"]
    single = checker_fr.check_text("148000;235000")
    assert "inversées" in single.message


def test_rows_read_in_lambert_say_so_as_one_check_does(checker_fr):
    """A file's rows in Lambert 72 or 2008 (swapped or not) get the note a single check of the
    same pair gives, word for word; WGS84 rows do not."""
    from tzcld.coords import to_lambert

    x72, y72 = (float(v) for v in to_lambert(50.648, 5.615))
    pairs = [("50.648", "5.615"), (f"{x72:.1f}", f"{y72:.1f}"), (f"{y72:.1f}", f"{x72:.1f}"), ("710000", "650000")]
    df = pd.DataFrame({"x": [a for a, _ in pairs], "y": [b for _, b in pairs]})
    out = check_table(checker_fr, df, lat_column="x", lon_column="y")
    for (a, b), message in zip(pairs, out["message"], strict=True):
        assert message == checker_fr.check_text(f"{a};{b}").message
    assert "Lambert" not in out.loc[0, "message"]
    assert "Lambert belge (EPSG:31370)" in out.loc[1, "message"] and "inversées" not in out.loc[1, "message"]
    assert "Lambert belge (EPSG:31370)" in out.loc[2, "message"] and "inversées" in out.loc[2, "message"]
    assert "Lambert belge (EPSG:3812)" in out.loc[3, "message"]


def test_display_table_shows_labels_the_download_keeps_codes(checker_fr):
    df = pd.DataFrame({"adresse": ["Rue de Droixhe 10, 4020 Liège", "Rue de Fer, 5000 Namur", "zzzz"]})
    out = check_table(checker_fr, df, address_columns=["adresse"])
    assert out["status"].tolist() == ["inside", "outside", "not_found"]
    shown = display_table(out, "fr")
    assert shown["Réponse"].tolist() == ["dans un territoire", "hors territoire", "adresse introuvable"]
    assert shown["Correspondance"].tolist()[1] == "rue seulement"
    text = shown.astype(str).to_string()
    for code in ("outside", "street_only", "None", "not_found"):
        assert code not in text
    assert "status" in out.columns  # the machine codes stay in the results themselves


def test_a_multi_column_table_is_assembled(checker_fr):
    df = pd.DataFrame(
        {
            "Nom": ["Dupont", "Martin"],
            "Rue": ["Rue de Droixhe", "Rue du Cep"],
            "Numéro": ["10", "39"],
            "Code postal": ["4020", "4683"],
            "Localité": ["Liège", "Vivegnis"],
        }
    )
    out = check_table(
        checker_fr,
        df,
        address_columns=["Rue", "Numéro", "Code postal", "Localité"],
        address_roles=["street", "number", "postcode", "locality"],
    )
    assert out["matched_address"].tolist() == ["Rue de Droixhe 10, 4020 Liège", "Rue du Cep 39, 4683 Oupeye"]
    assert out["status"].tolist()[0] == "inside"


def test_batch_and_single_agree(checker_fr):
    texts = ["rue de la station 5 jemappes", "Seraing", "=1+1", "rue du cep 39 Vivegnis", "Rue de la Station 12"]
    batch = checker_fr.check_addresses(texts)
    single = [checker_fr.check_address(t) for t in texts]
    assert [(r.status, r.matched_address) for r in batch] == [(r.status, r.matched_address) for r in single]
    assert np.all([b.message == s.message for b, s in zip(batch, single)])


LIEGE_ARRONDISSEMENT = ("flemalle", "seraing", "trooz-chaudfontaine", "herstal-oupeye", "comblain-sprimont-aywaille")


def _postcode_sample(index, postcode: str, n: int = 40) -> np.ndarray:
    addr = index.street_addresses(index.by_postcode[postcode])
    return addr[:: max(1, len(addr) // n)]


@pytest.mark.parametrize(
    "postcode, expected",
    [
        ("4052", "outside"),  # Beaufays, plateau of Chaudfontaine, not named
        ("4053", "outside"),  # Embourg
        ("4042", "outside"),  # Liers (Herstal)
        ("4680", "outside"),  # Oupeye, Hermée
        ("4681", "outside"),  # Hermalle-sous-Argenteau
        ("4141", "outside"),  # Louveigné (Sprimont), far from Comblain
        ("4683", "undetermined"),  # Vivegnis, named
        ("4684", "undetermined"),  # Haccourt, named
        ("4051", "undetermined"),  # Vaux-sous-Chèvremont, named
        ("4040", "undetermined"),  # Herstal
        ("4400", "undetermined"),  # Flémalle: nothing in our data separates its sections
        ("4101", "undetermined"),  # Jemeppe
    ],
)
def test_indicative_territories_narrowed_by_postcode(checker_fr, postcode, expected):
    index = checker_fr.geocoder.index
    addr = _postcode_sample(index, postcode)
    cls = checker_fr.classifier.classify(index.x[addr], index.y[addr], sectors=index.sector[addr])
    statuses = set(cls.status)
    if expected == "outside":
        # a few addresses on the edge of a kept postcode are "à vérifier" (within 10 m)
        assert statuses <= {"outside", "undetermined"} and (cls.status == "outside").mean() > 0.9, postcode
    else:
        assert statuses == {"undetermined"}, postcode


def test_liege_arrondissement_never_answers_a_firm_inside(checker_fr):
    index = checker_fr.geocoder.index
    c = checker_fr.classifier
    for tid in LIEGE_ARRONDISSEMENT:
        units = np.flatnonzero(np.array([c.territory_ids[k] == tid for k in c.unit_territory]))
        assert set(c.unit_precision[units]) == {"indicative"}, tid
    units = c.locate(index.x, index.y)
    terr = np.where(units >= 0, c.unit_territory[np.maximum(units, 0)], -1)
    mask = np.isin(terr, [c.territory_ids.index(t) for t in LIEGE_ARRONDISSEMENT])
    addr = np.flatnonzero(mask)[::200]
    cls = c.classify(index.x[addr], index.y[addr], sectors=index.sector[addr])
    assert len(addr) > 100 and "inside" not in set(cls.status)


def test_soy_viron_is_soy_and_biron(checker_fr):
    res = checker_fr.check_address("Rue Birondai 12, 6997 Erezée")
    assert res.territory_id == "hotton-durbuy-erezee-rendeux-la-roche" and res.unit == "Soy-Viron"


def test_an_online_commune_only_answer_is_never_firm(checker_fr):
    """Nominatim / Photon answer a commune with a point (its centre): still "à vérifier"."""
    from tzcld.check import Checker
    from tzcld.geocode.base import GeocodeResult, MatchQuality

    class CommuneCentre:
        name = "test"

        def geocode(self, text):
            return GeocodeResult(
                query=text,
                quality=MatchQuality.COMMUNE_ONLY,
                score=80.0,
                matched_address="Farciennes",
                lat=50.4302,
                lon=4.5538,
                x=163_000.0,
                y=124_000.0,
                source="test",
            )

        def geocode_many(self, texts):
            return [self.geocode(t) for t in texts]

    res = Checker(checker_fr.classifier, CommuneCentre(), "fr").check_address("Farciennes")
    assert res.status == "undetermined" and res.lat is None and res.distance_to_boundary_m is None
    assert res.headline.startswith("Adresse non localisée précisément")
