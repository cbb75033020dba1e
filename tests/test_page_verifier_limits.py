"""The Vérifier page against a zip bomb and big files (issue 12): the upload's header only is
read on upload, the rows when the check is asked for, within the limits; the server's memory
stays bounded and the visitor gets the French message; nothing large stays in the session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.check_support import open_for, requires_icar
from tests.xlsx_support import zip_bomb

REPO = Path(__file__).resolve().parent.parent
PAGE = str(REPO / "app_pages" / "verifier.py")
MEMORY_CAP_MB = 300
pytestmark = requires_icar


@pytest.fixture(scope="module", autouse=True)
def _fresh_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _index(address_index_dir, monkeypatch):
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(address_index_dir))


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_zip_bomb_through_the_page_stays_under_the_memory_cap(tmp_path, address_index_dir):
    """The page runs in its own process (AppTest, as the server would run it); its peak
    resident memory while it takes the bomb is compared with its peak before."""
    bomb = zip_bomb(tmp_path / "candidats.xlsx")  # 7 MB, 2 GB of sheet XML
    script = f"""
import json
from streamlit.testing.v1 import AppTest
from tests.check_support import open_for

def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024

at = AppTest.from_file({PAGE!r}, default_timeout=300)
at.session_state["lang"] = "fr"
at.run()
base = hwm()
data = open({str(bomb)!r}, "rb").read()
open_for(at, "check_file").file_uploader(key="check_file").set_value(("candidats.xlsx", data, "application/octet-stream")).run()
errors = [e.value for e in at.error]
runs = [b for b in at.button if b.key == "check_file_run"]
print(json.dumps({{"errors": errors, "exception": bool(at.exception), "run_button": bool(runs),
                  "peak_mb": hwm() - base}}))
"""
    env = dict(os.environ, PYTHONPATH=str(REPO), TZCLD_ADDRESS_INDEX=str(address_index_dir))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=900, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not result["exception"]
    assert any(e.startswith("Fichier trop volumineux une fois décompressé : 1\u202f999 Mo") for e in result["errors"])
    assert not result["run_button"]  # nothing to check: the file is refused
    assert result["peak_mb"] < MEMORY_CAP_MB, result


def test_rows_are_read_when_the_check_is_asked_for_not_on_upload():
    bad_row = "nom;adresse\r\nDupont;Rue de Droixhe 10, 4020 Liège\r\n;;donnée sans colonne\r\n".encode("cp1252")
    at = _page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("candidats.csv", bad_row, "text/csv")).run()
    assert not at.exception and not at.error  # the header is fine: nothing else read yet
    assert at.multiselect(key="check_file_cols").value == ["adresse"]
    at.button(key="check_file_run").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Ligne 3, colonne 3 : des valeurs sous une colonne sans nom. Donnez-lui un nom dans la ligne d'en-tête, "
        "ou supprimez ces valeurs."
    ]


def test_limits_and_header_problems_are_said_on_upload(monkeypatch):
    at = _page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(
        ("doublons.csv", b"nom;nom\n1;2\n", "text/csv")
    ).run()
    assert at.error[0].value.startswith("Noms de colonnes en double : « nom » (1, 2).")
    monkeypatch.setenv("TZCLD_MAX_ROWS", "2")
    open_for(at, "check_file").file_uploader(key="check_file").set_value(
        ("long.csv", b"lat;lon\n" + b"50.6;5.6\n" * 3, "text/csv")
    ).run()
    assert not at.error  # the header is fine
    at.button(key="check_file_run").click().run()
    assert at.error[0].value == "Fichier trop long : plus de 2 lignes de données. Découpez-le en plusieurs fichiers."


def test_nothing_large_stays_in_the_session():
    """The session keeps the results CSV (what the downloads need, written once by chunks) and
    the 200 rows shown: no table of the rows read, no DataFrame of the results."""
    import pandas as pd

    from tzcld.batch_io import write_csv
    from tzcld.file_results import PREVIEW_ROWS, PageResults, results_frame

    rows = "".join(f"P{i};50.{600 + i};5.6\r\n" for i in range(300))
    data = ("nom;lat;lon\r\n" + rows).encode()
    at = _page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("points.csv", data, "text/csv")).run()
    at.button(key="check_file_run").click().run()
    assert not at.exception
    assert "300 lignes" in at.success[0].value
    state = at.session_state._state.filtered_state
    assert not any(isinstance(v, pd.DataFrame | bytes | bytearray) for v in state.values())
    kept = state["check_file_result"]
    assert isinstance(kept, PageResults) and kept.rows == 300 and len(kept.preview) == PREVIEW_ROWS
    assert kept.csv.startswith("\ufeffnom;lat_input;lon_input;status".encode())
    assert kept.csv == write_csv(results_frame(kept.csv))  # the same file when read back
    assert len(at.dataframe[0].value) == PREVIEW_ROWS
    open_for(at, "check_file").file_uploader(key="check_file").set_value(None).run()
    assert "check_file_result" not in at.session_state


def test_a_file_beyond_the_page_row_limit_is_refused_with_what_to_do_and_nothing_kept():
    """The page checks files up to TZCLD_PAGE_MAX_ROWS (50,000) rows, counted while reading
    and before any check; a longer one gets the command and the API, with their limits."""
    import pandas as pd

    data = b"nom;lat;lon\n" + b"P;50.6;5.6\n" * 50_001
    at = _page()
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("long.csv", data, "text/csv")).run()
    assert (
        not at.error and "50\u202f000 lignes" in open_for(at, "check_file").file_uploader(key="check_file").proto.help
    )
    at.button(key="check_file_run").click().run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert message.startswith("Ce fichier a plus de 50\u202f000 lignes de données : c'est la limite de cette page")
    assert "python -m tzcld check-file" in message and "POST /v1/check-file" in message
    assert not at.get("download_button") and not at.success
    state = at.session_state._state.filtered_state
    assert "check_file_result" not in state
    assert not any(isinstance(v, pd.DataFrame | bytes | bytearray) for v in state.values())


def test_an_earlier_results_file_beyond_the_page_row_limit_is_refused_on_upload(monkeypatch):
    monkeypatch.setenv("TZCLD_PAGE_MAX_ROWS", "3")
    results = "nom;lat;lon;status;territory_id;data_version\r\n" + "P;50.6;5.6;inside;liege;x\r\n" * 4
    at = _page()
    at.session_state["lang"] = "en"
    at.run()  # the page in English: its tabs have English labels
    open_for(at, "check_file").file_uploader(key="check_file").set_value(("r.csv", results.encode(), "text/csv")).run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert message.startswith("This file has more than 3 data rows: the limit of this page")
    assert not [b for b in at.button if b.key in ("check_file_run", "check_file_recheck")]
    open_for(at, "check_file").file_uploader(key="check_file").set_value(
        ("r.csv", results.encode()[:-28], "text/csv")
    ).run()
    assert not at.error and any("results of an earlier check" in i.value for i in at.info)


def test_a_bad_page_row_limit_is_said_in_the_file_tab_and_the_rest_works(monkeypatch):
    monkeypatch.setenv("TZCLD_PAGE_MAX_ROWS", "beaucoup")
    at = _page()
    assert not at.error  # the file tab is closed: nothing of it is drawn
    open_for(at, "check_file")
    assert any("TZCLD_PAGE_MAX_ROWS" in e.value for e in at.error)
    assert not at.get("file_uploader")
    assert any("ni enregistrées, ni journalisées" in c.value for c in at.caption)  # the page's end is drawn
    open_for(at, "check_coords").text_input(key="check_coords").input("50.648, 5.615").run()
    assert not at.exception and "Dans le territoire « Liège" in " ".join(s.value for s in at.success)
