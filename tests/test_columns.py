"""Which columns of a file hold the address: header names and content, never a name column."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tzcld.batch_io import read_table
from tzcld.columns import ColumnGuess, detect_columns, guess_columns, header_role, join_parts

EXCEL_CSV = (
    "Nom;Rue;Numéro;Code postal;Localité\r\n"
    "Dupont;Rue de Droixhe;10;4020;Liège\r\n"
    "Lejeune;rue de grisoeil;14;7340;Pâturages\r\n"
    "Martin;Rue du Cep;39;4683;Vivegnis\r\n"
)


def test_header_roles():
    assert header_role("Code postal") == "postcode"
    assert header_role("CP") == "postcode"
    assert header_role("N°") == "number"
    assert header_role("Numéro") == "number"
    assert header_role("Localité") == "locality"
    assert header_role("Nom") == "name"
    assert header_role("Prénom") == "name"
    assert header_role("Nom de la rue") == "street"
    assert header_role("Adresse complète") == "address"
    assert header_role("remarque") is None


def test_name_column_is_never_the_address_parts_are_assembled():
    """The Excel layout of the issue, saved as ';' CSV in Windows-1252 (Latin-1)."""
    table = read_table(EXCEL_CSV.encode("cp1252"), "candidats.csv")
    guess = detect_columns(table)
    assert guess.mode == "address" and guess.sure
    assert guess.address == ("Rue", "Numéro", "Code postal", "Localité")
    assert guess.ignored == ("Nom",)
    assert guess.roles == ["street", "number", "postcode", "locality"]
    texts = [join_parts(row, guess.roles) for row in table[list(guess.address)].itertuples(index=False)]
    assert texts == [
        "Rue de Droixhe 10, 4020 Liège",
        "rue de grisoeil 14, 7340 Pâturages",
        "Rue du Cep 39, 4683 Vivegnis",
    ]


def test_the_same_layout_from_an_excel_workbook():
    buf = io.BytesIO()
    df = pd.DataFrame(
        {
            "Nom": ["Dupont", "Martin"],
            "Rue": ["Rue de Droixhe", "Rue du Cep"],
            "Numéro": [10, 39],
            "Code postal": [4020, 4683],
            "Localité": ["Liège", "Vivegnis"],
        }
    )
    df.to_excel(buf, index=False)
    table = read_table(buf.getvalue(), "candidats.xlsx")
    guess = detect_columns(table)
    assert guess.sure and guess.address == ("Rue", "Numéro", "Code postal", "Localité")
    assert join_parts(table.loc[0, list(guess.address)].tolist(), guess.roles) == "Rue de Droixhe 10, 4020 Liège"


@pytest.mark.parametrize(
    "columns, expected",
    [
        ({"ID": ["1"], "Adresse": ["Rue de Droixhe 10, 4020 Liège"]}, ("address", ("Adresse",), True)),
        (
            {"rue": ["Rue de Droixhe"], "cp": ["4020"], "commune": ["Liège"]},
            ("address", ("rue", "cp", "commune"), True),
        ),
        ({"Latitude": ["50.6"], "Longitude": ["5.6"]}, ("coords", (), True)),
        ({"x": ["235000"], "y": ["148000"]}, ("coords", (), True)),
        ({"nom": ["Dupont"], "prénom": ["Jean"]}, (None, (), False)),
    ],
)
def test_detected_layouts(columns, expected):
    guess = detect_columns(pd.DataFrame(columns))
    assert (guess.mode, guess.address, guess.sure) == expected


def test_content_alone_is_a_proposal_never_a_certainty():
    table = pd.DataFrame(
        {"client": ["Dupont", "Martin"], "info": ["Rue de Droixhe 10, 4020 Liège", "Avenue de Nancy 5 4020 Liège"]}
    )
    guess = detect_columns(table)
    assert guess.mode == "address" and guess.address == ("info",) and not guess.sure


def test_a_name_column_full_of_street_like_words_is_still_not_an_address():
    table = pd.DataFrame({"Nom": ["Rue Dupont 3", "Avenue Martin 5"], "Ville": ["Marche-en-Famenne", "Liège"]})
    guess = detect_columns(table)
    assert "Nom" not in guess.address and not guess.sure


def test_guess_columns_from_names_only_stays_compatible():
    assert guess_columns(["ID", "Adresse", "x"]) == {"address": "Adresse"}
    assert guess_columns(["Latitude", "Longitude"]) == {"lat": "Latitude", "lon": "Longitude"}
    assert guess_columns(["nom", "prénom"]) == {}


def test_join_parts_without_roles():
    assert join_parts(["Rue de Droixhe", "10", "4020", "Liège"]) == "Rue de Droixhe 10, 4020 Liège"
    assert join_parts(["Rue de Droixhe", "10", "", None, "Liège"]) == "Rue de Droixhe 10, Liège"
    assert (
        join_parts(["Rue de Droixhe 10", "bte 2", "4020"], ["street", "box", "postcode"])
        == "Rue de Droixhe 10 bte 2, 4020"
    )
    assert join_parts(["Rue de Droixhe", "10", "2", "4020 Liège"], ["street", "number", "box", "locality"]) == (
        "Rue de Droixhe 10 bte 2, 4020 Liège"
    )


def test_as_spec():
    guess = ColumnGuess("address", ("Rue", "CP"), {"street": "Rue", "postcode": "CP"}, sure=True)
    assert guess.as_spec() == {"address_columns": ["Rue", "CP"], "address_roles": ["street", "postcode"]}
    assert ColumnGuess("coords", lat="a", lon="b").as_spec() == {"lat_column": "a", "lon_column": "b"}


def test_one_column_of_coordinate_pairs_is_found_by_its_cells():
    """A "GPS" column of "50.648, 5.615" (or degrees, or map links) is the column to check, each
    cell read as one check reads a text; a name column beside it is still set aside."""
    table = pd.DataFrame(
        {
            "Nom": ["Dupont", "Martin", "Lambert"],
            "GPS": ["50.648, 5.615", "50°38'52.8\"N 5°36'54\"E", "geo:50.4669,4.8675"],
        }
    )
    guess = detect_columns(table)
    assert (guess.mode, guess.address, guess.sure, guess.ignored) == ("address", ("GPS",), True, ("Nom",))
    mixed = pd.DataFrame({"position": ["50.648, 5.615", "50.4669 4.8675", "près de l'église", "?"]})
    assert detect_columns(mixed).sure is False  # half of them: a proposal, never a certainty
