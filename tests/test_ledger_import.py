"""CSV/XLSX import: per-row French messages, preview, one atomic commit; CLI export/import."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from tzcld.cli import main
from tzcld.facts import published_facts
from tzcld.ledger import Account, ObservationInput, ValidationError, open_store
from tzcld.ledger.imports import commit_import, parse_number, preview_import

ANNE = Account("anne", "porteur", "liege")
ADMIN = Account("admin", "admin")


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'l.sqlite'}", demo=False)
    yield s
    s.dispose()


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_parse_number_belgian_and_plain():
    assert parse_number("1 234,5") == 1234.5
    assert parse_number("1\u202f234,5") == 1234.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("1234.5") == 1234.5
    assert parse_number("4,8") == 4.8
    assert parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("douze")


def test_every_bad_row_gets_its_french_message_and_nothing_is_written(store):
    data = csv(
        "territoire;indicateur;valeur;unité;date;source\n"
        "liege;hired;12;persons;2025-03;Rapport CPAS\n"  # line 2: fine
        "atlantis;hired;3;persons;2025-03;x\n"  # 3: unknown territory
        "liege;hired;4;persons;2028-01;x\n"  # 4: date out of range
        "liege;hired;-1;persons;2025-04;x\n"  # 5: negative
        "liege;hired;5;EUR;2025-05;x\n"  # 6: wrong unit
        "liege;hired;12;persons;2025-03;x\n"  # 7: duplicate of line 2
        "seraing;hired;3;persons;2025-03;x\n"  # 8: not her territory
        "liege;hired;douze;persons;2025-06;x\n"  # 9: unreadable value
    )
    before = len(store.observations_frame())
    preview = preview_import(data, "import.csv", store, ANNE)
    errors = {r.line: " ".join(r.errors) for r in preview.rows}
    assert errors[2] == ""
    assert "Territoire inconnu « atlantis »" in errors[3]
    assert "hors de la période" in errors[4]
    assert "négative" in errors[5]
    assert "Unité « EUR » incorrecte" in errors[6]
    assert "Doublon" in errors[7] and "la ligne 2" in errors[7]
    assert "son territoire" in errors[8]
    assert "illisible" in errors[9]
    assert not preview.ok and preview.error_count == 7
    table = preview.frame()
    assert list(table["Vérification"])[0] == "OK" and len(table) == 8
    with pytest.raises(ValidationError, match="Rien n'a été enregistré"):
        commit_import(preview, store, ANNE)
    assert len(store.observations_frame()) == before


def test_clean_file_commits_all_rows_at_once(store):
    data = csv(
        "scope,metric,value,period_date,source_title,source_url\n"
        '"Liège (Droixhe, Sainte-Marguerite, Saint-Léonard)",Personnes engagées sous contrat (cumul),10,2024-12,Rapport,https://example.org/r\n'
        'liege,fte,"7,5",2024-12,Rapport,\n'
    )
    preview = preview_import(data, "ok.csv", store, ANNE)
    assert preview.ok, [r.errors for r in preview.rows]
    ids = commit_import(preview, store, ANNE)
    assert len(ids) == 2
    assert store.latest_value("liege", "hired") == 10
    assert store.latest_value("liege", "fte") == 7.5
    frame = store.observations_frame()
    assert set(frame[frame["id"].isin(ids)]["entered_by"]) == {"anne"}


def test_commit_rechecks_what_others_saved_since_the_preview(store):
    data = csv("scope,metric,value,period_date\nliege,hired,10,2024-12\nliege,hired,11,2025-01\n")
    preview = preview_import(data, "ok.csv", store, ANNE)
    assert preview.ok
    store.add(ANNE, preview.entries[1])  # someone saves the same figure meanwhile
    before = len(store.observations_frame())
    with pytest.raises(ValidationError, match="Doublon"):
        commit_import(preview, store, ANNE)
    assert len(store.observations_frame()) == before


def test_xlsx_import_and_file_level_errors(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Territoire", "Indicateur", "Valeur", "Date"])
    ws.append(["liege", "hired", 9, "2025-02"])
    buf = io.BytesIO()
    wb.save(buf)
    preview = preview_import(buf.getvalue(), "saisie.xlsx", store, ANNE)
    assert preview.ok and preview.entries[0].value == 9
    assert "Format non pris en charge" in preview_import(b"x", "a.pdf", store, ANNE).file_errors[0]
    assert "Colonne(s) manquante(s)" in preview_import(csv("a,b\n1,2\n"), "a.csv", store, ANNE).file_errors[0]
    assert (
        "aucune ligne" in preview_import(csv("scope,metric,value,period_date\n"), "a.csv", store, ANNE).file_errors[0]
    )


def test_cli_export_csv_and_xlsx(tmp_path, monkeypatch, capsysbinary):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("TZCLD_DATABASE_URL", url)
    assert main(["ledger", "export", "--format", "csv"]) == 0
    out = capsysbinary.readouterr().out
    frame = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig")
    assert len(frame) == len(published_facts())
    assert "source_url" in frame.columns and "entered_by" in frame.columns
    target = tmp_path / "ledger.xlsx"
    assert main(["ledger", "export", "--format", "xlsx", "-o", str(target)]) == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["observations", "lisez-moi"]
    assert book["observations"].max_row == len(published_facts()) + 1


def test_cli_import_all_or_nothing_and_add_account(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("TZCLD_DATABASE_URL", url)
    accounts = tmp_path / "accounts.toml"
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(accounts))
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-de-passe-solide\n"))
    assert main(["ledger", "add-account", "anne", "--role", "porteur", "--territory", "liege", "--password-stdin"]) == 0
    assert "$argon2id$" in accounts.read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("scope,metric,value,period_date\nliege,hired,3,2025-01\nseraing,hired,3,2025-01\n")
    assert main(["ledger", "import", str(bad), "--as", "anne"]) == 1
    err = capsys.readouterr().err
    assert "Ligne 3" in err and "rien n'a été enregistré" in err
    assert open_store(url).latest_value("liege", "hired") == 5  # the published figure only
    good = tmp_path / "good.csv"
    good.write_text("scope,metric,value,period_date\nliege,hired,3,2025-01\n")
    assert main(["ledger", "import", str(good), "--as", "anne", "--dry-run"]) == 0
    assert open_store(url).latest_value("liege", "hired") == 5
    assert main(["ledger", "import", str(good), "--as", "anne"]) == 0
    assert open_store(url).latest_value("liege", "hired") == 3
    backup = tmp_path / "b.sqlite"
    assert main(["ledger", "backup", "-o", str(backup)]) == 0
    assert open_store(f"sqlite:///{backup}").latest_value("liege", "hired") == 3


def test_export_then_import_restores_history_into_an_empty_ledger(tmp_path, monkeypatch):
    source_url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    source = open_store(source_url, demo=False)
    first = source.add(ANNE, ObservationInput("liege", "hired", 5, "persons", "2025-01", "Rapport"))
    source.add(ANNE, ObservationInput("liege", "hired", 6, "persons", "2025-01", "Rapport", reason="recompté"))
    seeded = int(source.observations_frame().query("fact_key == 'target.liege'")["id"].iloc[0])
    source.add(
        ADMIN,
        ObservationInput(
            "liege", "job_target", 40, "persons", "2025", "Décision", supersedes_id=seeded, reason="objectif revu"
        ),
    )
    dump = tmp_path / "dump.csv"
    monkeypatch.setenv("TZCLD_DATABASE_URL", source_url)
    assert main(["ledger", "export", "--format", "csv", "-o", str(dump)]) == 0
    target_url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    monkeypatch.setenv("TZCLD_DATABASE_URL", target_url)
    target = open_store(target_url, demo=False)
    target.add(ADMIN, ObservationInput("seraing", "hired", 1, "persons", "2025-01"))  # the target already lives
    assert main(["ledger", "import", str(dump)]) == 0
    assert main(["ledger", "import", str(dump)]) == 0  # restoring twice changes nothing
    a, b = source.observations_frame(), target.observations_frame()
    assert len(b) == len(a) + 1
    assert target.latest_value("liege", "hired") == 6
    assert target.latest_value("liege", "job_target") == 40
    restored = b[(b["scope"] == "liege") & (b["metric"] == "hired") & b["fact_key"].isna()].sort_values("id")
    assert list(restored["entered_by"]) == ["anne", "anne"]
    assert bool(restored["superseded"].iloc[0]) and restored["supersedes_id"].iloc[1] == restored["id"].iloc[0]
    assert list(restored["entered_at"]) == list(a[a["id"].isin([first, first + 1])].sort_values("id")["entered_at"])


def test_restore_is_for_administrators_only(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite'}", demo=False)
    from tzcld.ledger import PermissionDenied

    with pytest.raises(PermissionDenied):
        store.restore(store.observations_frame(), ANNE)


def test_xlsx_export_round_trips_formula_like_text(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    store = open_store(url, demo=False)
    store.add(ADMIN, ObservationInput("liege", "hired", 5, "persons", "2025-01", '=HYPERLINK("x")'))
    monkeypatch.setenv("TZCLD_DATABASE_URL", url)
    out = tmp_path / "dump.xlsx"
    assert main(["ledger", "export", "--format", "xlsx", "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["observations"]
    titles = [row[6] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("x")' in titles  # neutralised in the spreadsheet
    target = f"sqlite:///{tmp_path / 'b.sqlite'}"
    monkeypatch.setenv("TZCLD_DATABASE_URL", target)
    assert main(["ledger", "import", str(out)]) == 0
    restored = open_store(target).latest("liege", "hired")
    assert restored["source_title"].iloc[0] == '=HYPERLINK("x")'
