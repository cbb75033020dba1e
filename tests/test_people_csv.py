"""CSV for people's spreadsheets in Belgium (';', decimal comma, UTF-8 with BOM) beside
the machine CSV (',', decimal point, UTF-8), from one helper, on every download."""

from __future__ import annotations

import io

import pandas as pd

from tzcld.export import opendata
from tzcld.export.people_csv import people_csv_bytes, people_file_name
from tzcld.export.site import LEDGER_CSV_PEOPLE, TERRITORIES_CSV_PEOPLE, export_site
from tzcld.ledger import open_store


def test_people_csv_is_what_a_belgian_spreadsheet_opens():
    frame = pd.DataFrame({"territoire": ["Liège", "Mons"], "valeur": [7.5, 12.0], "n": [1, 2], "f": ["=1+1", "ok"]})
    data = people_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: accents survive Excel
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "territoire;valeur;n;f"
    assert "Liège;7,5;1;'=1+1\r\n" in text and "Mons;12,0;2;ok\r\n" in text  # decimal comma, formula neutralised
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back["valeur"]) == [7.5, 12.0]
    assert people_file_name("registre-progres.csv") == "registre-progres-tableur.csv"
    assert people_file_name("x.xlsx") == "x.xlsx-tableur"


def test_the_static_site_offers_both_csv_files_with_the_same_rows(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'l.sqlite'}", demo=False)
    observations = store.observations_frame()
    store.dispose()
    site = export_site(tmp_path / "site", observations)
    data = site.out_dir / "data"
    machine = pd.read_csv(data / opendata.LEDGER_CSV, dtype=str, keep_default_na=False)
    people = pd.read_csv(data / LEDGER_CSV_PEOPLE, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(people.columns) == list(machine.columns) and len(people) == len(machine)
    assert "12000000,0" in set(people["value"]) and "12000000.0" in set(machine["value"])
    assert "date_precision" in people.columns and "inferred" in set(people["date_precision"])
    territories = pd.read_csv(data / TERRITORIES_CSV_PEOPLE, sep=";", dtype=str, encoding="utf-8-sig")
    assert len(territories) == 17 and set(territories["status"]) == {"continued", "ended", "unconfirmed"}
    page = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert f'href="data/{LEDGER_CSV_PEOPLE}"' in page and f'href="data/{opendata.LEDGER_CSV}"' in page
