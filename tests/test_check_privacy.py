"""Candidates' addresses are personal data: a batch leaves no file and no log line behind."""

from __future__ import annotations

import logging
import tempfile

from tests.check_support import requires_icar
from tzcld.batch_io import read_table, write_csv, write_xlsx
from tzcld.check_tables import check_table
from tzcld.runtime import Settings

pytestmark = requires_icar

SECRET_STREET = "Rue de Droixhe 10"
SECRET_NAME = "Dupont-Secret"


def _files(folder):
    return sorted(str(p) for p in folder.rglob("*"))


def test_batch_writes_nothing_and_logs_nothing(checker_fr, caplog, capfd, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    data_dir = Settings.from_env().data_dir
    (data_dir / "tmp").mkdir(exist_ok=True)
    before_data = _files(data_dir)
    caplog.set_level(logging.DEBUG)
    upload = f"nom;adresse\r\n{SECRET_NAME};{SECRET_STREET}, 4020 Liège\r\nX;Zzzz Qqqq\r\n".encode("cp1252")

    table = read_table(upload, "candidats.csv")
    out = check_table(checker_fr, table, address_columns=["adresse"])
    csv_bytes = write_csv(out)
    xlsx_bytes = write_xlsx(out, credit="Source : SPW – ICAR")

    assert out.loc[0, "status"] == "inside"
    assert SECRET_NAME.encode() in csv_bytes and len(xlsx_bytes) > 1000  # the results are there, in memory
    assert _files(data_dir) == before_data  # nothing new in data_dir() (nor in data_dir()/tmp)
    assert _files(tmp) == []  # no temporary file either
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert SECRET_STREET not in logged and SECRET_NAME not in logged
    captured = capfd.readouterr()
    assert SECRET_STREET not in captured.out + captured.err


def test_single_check_logs_nothing(checker_fr, caplog):
    caplog.set_level(logging.DEBUG)
    checker_fr.check_address(f"{SECRET_STREET}, 4020 Liège")
    assert SECRET_STREET not in caplog.text


def test_geocoder_keeps_no_history_of_queries(checker_fr):
    """The street cache lives only during a batch: nothing typed is kept afterwards."""
    g = checker_fr.geocoder
    g.geocode("Rue de Droixhe 77, 4020 Liège")
    assert g._street_cache == {}
    checker_fr.check_addresses(["Rue de Droixhe 77, 4020 Liège", "Rue de Droixhe 78, 4020 Liège"])
    assert g._street_cache == {}
