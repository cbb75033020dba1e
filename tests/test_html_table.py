"""The public pages' HTML tables (tzcld.html_table), without Streamlit."""

from __future__ import annotations

import pandas as pd

from tests.html_tables import parse_tables
from tzcld.html_table import cell_text, safe_urls, table_html, table_id

NNBSP = "\u202f"


def one(html: str):
    tables = parse_tables(html)
    assert len(tables) == 1
    return tables[0]


def test_caption_header_scopes_and_region():
    frame = pd.DataFrame({"Indicateur": ["Emplois créés", "Budget"], "Valeur": ["120", f"104{NNBSP}M€"]})
    html = table_html(frame, "Chiffres du programme", key="home figures", numeric=["Valeur"])
    table = one(html)
    assert table.id == "table-home-figures" == table_id("home figures")
    assert table.caption == "Chiffres du programme"
    assert table.region == {
        "class": "tzcld-table",
        "role": "region",
        "tabindex": "0",
        "aria-labelledby": "table-home-figures-caption",
    }
    assert [(c.tag, c.scope, c.text) for c in table.header] == [("th", "col", "Indicateur"), ("th", "col", "Valeur")]
    assert 'class="num"' in html.split("</thead>")[0]  # the numbers' header is right-aligned too
    assert [(row[0].tag, row[0].scope) for row in table.rows] == [("th", "row"), ("th", "row")]
    assert [(c.tag, c.classes) for c in table.cells("Valeur")] == [("td", ("num",)), ("td", ("num",))]
    assert table.frame()["Valeur"].tolist() == ["120", f"104{NNBSP}M€"]
    # without a row header every cell is a data cell
    plain = one(table_html(frame, "x", key="x", row_header=False))
    assert all(c.tag == "td" for row in plain.rows for c in row)


def test_everything_is_escaped():
    evil = '<script>alert("x")</script>'
    frame = pd.DataFrame(
        {f"<b>{evil}": [evil], "Source": ['O\'Neil & "Cie"'], "Lien": ['https://e.be/?a=1&b=2"onclick="x']}
    )
    html = table_html(frame, f"caption {evil}", key="k", links={"Source": "Lien"})
    assert "<script" not in html and "<b>" not in html
    table = one(html)
    assert table.caption == f"caption {evil}"
    assert table.columns == [f"<b>{evil}", "Source"]
    assert table.rows[0][0].text == evil
    assert table.rows[0][1].text == 'O\'Neil & "Cie"'
    assert table.links("Source") == [["https://e.be/?a=1&b=2"]]  # the address ends at the quote
    assert 'href="https://e.be/?a=1&amp;b=2"' in html and "onclick" not in html


def test_only_web_pages_are_linked_and_several_get_one_link_each():
    assert safe_urls("javascript:alert(1)") == [] and safe_urls(None) == [] and safe_urls(float("nan")) == []
    frame = pd.DataFrame(
        {
            "Indicateur": ["a", "b", "c"],
            "Source": ["Annonce", "Presse", "Deux sources"],
            "Lien": ["javascript:alert(1)", "", "https://a.be/x ; https://b.be/y"],
        }
    )
    table = one(table_html(frame, "x", key="x", links={"Source": "Lien"}))
    assert "Lien" not in table.columns
    assert table.links("Source") == [[], [], ["https://a.be/x", "https://b.be/y"]]
    assert [c.text for c in table.cells("Source")] == ["Annonce", "Presse", "Deux sources [1] [2]"]


def test_numbers_the_belgian_french_way_and_unknown_never_zero():
    assert cell_text(1234.5) == f"1{NNBSP}234,5"
    assert cell_text(1234.5, "en") == "1,234.5"
    assert cell_text(750) == "750" and cell_text(float("nan")) == "" and cell_text(None) == ""
    frame = pd.DataFrame({"Territoire": ["Liège", "Seraing", "Mons"], "Objectif": [1234.0, float("nan"), 0.0]})
    table = one(table_html(frame, "x", key="x", numeric=["Objectif"]))
    cells = table.cells("Objectif")
    assert [c.text for c in cells] == [f"1{NNBSP}234", "non communiqué", "0"]  # a real 0 stays 0
    assert cells[1].classes == ("num", "unknown")
    english = one(table_html(frame, "x", key="x", numeric=["Objectif"], lang="en"))
    assert [c.text for c in english.cells("Objectif")] == ["1,234", "not reported", "0"]


def test_empty_columns_are_left_out_but_not_numbers():
    frame = pd.DataFrame({"Indicateur": ["a"], "Remarque": [""], "Valeur": [None]})
    assert one(table_html(frame, "x", key="x", numeric=["Valeur"])).columns == ["Indicateur", "Valeur"]
    kept = one(table_html(frame, "x", key="x", numeric=["Valeur"], drop_empty=False))
    assert kept.columns == ["Indicateur", "Remarque", "Valeur"]
    empty = one(table_html(frame.iloc[0:0], "Aucun chiffre", key="x"))
    assert empty.rows == [] and empty.caption == "Aucun chiffre"
