"""Reading and writing batch files, in memory, as people have them."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from tzcld.batch_io import BatchInputError, neutralise, read_table, sniff_delimiter, write_csv, write_xlsx

ROWS = [("1", "Rue de l'Église 3", "6240", "Farciennes"), ("2", "Chaussée de Bruxelles 12", "6040", "Jumet")]


def _csv(sep: str) -> str:
    lines = [sep.join(["id", "adresse", "code postal", "localité"])]
    lines += [sep.join(r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


def test_excel_semicolon_windows_1252():
    df = read_table(_csv(";").encode("cp1252"), "export.csv")
    assert list(df.columns) == ["id", "adresse", "code postal", "localité"]
    assert df.loc[0, "adresse"] == "Rue de l'Église 3"
    assert df.loc[1, "adresse"] == "Chaussée de Bruxelles 12"


def test_latin1_and_utf8_bom_and_comma_and_tab():
    assert read_table(_csv(";").encode("latin-1")).loc[0, "adresse"] == "Rue de l'Église 3"
    df = read_table(b"\xef\xbb\xbf" + _csv(",").encode("utf-8"))
    assert df.columns[0] == "id" and df.loc[1, "localité"] == "Jumet"
    assert read_table(_csv("\t").encode("utf-8")).loc[1, "code postal"] == "6040"


def test_quoted_addresses_with_commas_and_leading_zeros_kept():
    data = 'id,address\n007,"Rue de Droixhe 10, 4020 Liège"\n'.encode()
    df = read_table(data)
    assert df.loc[0, "id"] == "007" and df.loc[0, "address"] == "Rue de Droixhe 10, 4020 Liège"


def test_sniff_delimiter_prefers_consistent_separator():
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a,b\n1,2\n") == ","


def test_xlsx_round_trip():
    df = pd.DataFrame(ROWS, columns=["id", "adresse", "cp", "commune"])
    back = read_table(write_xlsx(df), "fichier.xlsx")
    assert back.values.tolist() == df.values.tolist()


@pytest.mark.parametrize(
    "data, name, key",
    [
        (b"", "vide.csv", "check.file.empty"),
        (b"\xef\xbb\xbf\r\n  \n", "vide.csv", "check.file.empty"),
        (b"id;adresse\r\n", "entete.csv", "check.file.no_rows"),
        (b"PK\x03\x04 not really a workbook", "faux.xlsx", "check.file.unreadable"),
        (bytes(range(256)) * 4, "binaire.csv", "check.file.unreadable"),
    ],
)
def test_bad_files_raise_clear_errors(data, name, key):
    with pytest.raises(BatchInputError) as err:
        read_table(data, name)
    assert err.value.key == key
    from tzcld.i18n import t

    assert not t(err.value.key).startswith("check.")  # a real French message exists


def test_50000_rows():
    body = "\r\n".join(f"{i};Rue {i % 97} {i};{4000 + i % 900}" for i in range(50_000))
    df = read_table(("n;adresse;cp\r\n" + body).encode("cp1252"))
    assert len(df) == 50_000 and df.loc[49_999, "n"] == "49999"


def test_formula_injection_neutralised_in_csv_and_xlsx():
    df = pd.DataFrame(
        {"adresse": ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "-12.5", "Rue A"], "n": [1, 2, 3, 4, 5, 6]}
    )
    text = write_csv(df).decode("utf-8-sig")
    assert text.startswith("adresse;n")
    assert "'=HYPERLINK" in text and "'+1+1" in text and "'@SUM" in text and "'-2+3" in text
    assert ";-12.5" not in text and "-12.5;" in text  # plain numbers untouched
    wb = load_workbook(io.BytesIO(write_xlsx(df, credit="Source : test")))
    ws = wb["resultats"]
    values = [ws.cell(row=r, column=1).value for r in range(2, 8)]
    assert values[0] == '\'=HYPERLINK("http://x")'
    assert all(not str(v).startswith("=") for v in values)
    assert ws.cell(row=2, column=1).data_type != "f"
    assert wb["sources"]["A1"].value == "Source : test"
    assert neutralise(3) == 3 and neutralise("Rue") == "Rue"


def test_csv_output_is_excel_friendly():
    data = write_csv(pd.DataFrame({"a": ["Liège"]}))
    assert data.startswith(b"\xef\xbb\xbf") and "Liège".encode() in data


def test_xlsx_reader_agrees_with_openpyxl_and_keeps_text():
    """The streaming reader gives the table openpyxl reads (as text), dates included."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "cp", "lat", "adresse", "quand", "ok"])
    ws.append([1, 4020, 50.648, "Rue de Droixhe 10", dt.date(2024, 3, 5), True])
    ws.append([None, None, None, None, None, None])  # blank rows are dropped
    ws.append([2, "007", 5.5, None, dt.datetime(2024, 3, 5, 10, 30), False])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "x.xlsx")
    assert table.values.tolist() == [
        ["1", "4020", "50.648", "Rue de Droixhe 10", "2024-03-05", "TRUE"],
        ["2", "007", "5.5", "", "2024-03-05T10:30:00", "FALSE"],
    ]
    oracle = load_workbook(io.BytesIO(buf.getvalue()), read_only=True, data_only=True)
    rows = [r for r in oracle.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert [str(v) for v in rows[0]] == list(table.columns)
    assert rows[1][3] == table.loc[0, "adresse"] and str(rows[2][1]) == table.loc[1, "cp"]


def test_xlsx_50000_rows():
    df = pd.DataFrame({"n": [str(i) for i in range(50_000)], "adresse": [f"Rue {i % 97} {i}" for i in range(50_000)]})
    back = read_table(write_xlsx(df), "grand.xlsx")
    assert len(back) == 50_000 and back.iloc[-1].tolist() == ["49999", "Rue 44 49999"]
