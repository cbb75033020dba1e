"""The address check uses the published perimeters (committed geodata + approved versions)
of the configured database, names the version used (``data_version``), and re-checks the
rows of an earlier batch whose perimeter changed since (``check-file --recheck``).

A real SQLite database in the per-test ``TZCLD_DATA_DIR``; coordinates only (no address
index needed) except where marked.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.check_support import approve_gembloux_change, gembloux_points, requires_icar, run
from tzcld.batch_io import read_table_file, write_csv
from tzcld.check import FIELDS, Checker
from tzcld.check_tables import BATCH_FIELDS, check_table, looks_like_results, results_inputs
from tzcld.geodata.layers import data_version
from tzcld.perimeters import changed_territories, published_classifier
from tzcld.recheck import recheck_plan, recheck_table
from tzcld.runtime import Runtime, Settings

UNREACHABLE = "postgresql://postgres:secret-pw@127.0.0.1:1/nowhere"


def test_cli_check_reports_the_published_version_and_the_new_answer(capsys):
    lat, lon = gembloux_points()["removed"]
    code, out, _ = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--json")
    assert code == 0
    before = json.loads(out)
    assert before["status"] == "inside" and before["territory_id"] == "gembloux"
    assert before["data_version"] == data_version()
    assert not (Settings.from_env().data_dir / "tzcld.sqlite").exists()  # a check creates no database

    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    code, out, _ = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--json")
    assert code == 0
    after = json.loads(out)
    assert after["data_version"] == f"{data_version()}+p{vid}"
    assert after["status"] == "outside" and after["territory_id"] is None
    code, out, _ = run(capsys, "check", f"{lat}, {lon}")  # human output names the version too
    assert code == 0 and f"+p{vid}" in out and "Hors des territoires" in out


def test_cli_falls_back_to_the_committed_perimeters_when_the_database_is_unreachable(capsys, monkeypatch):
    monkeypatch.setenv("TZCLD_DATABASE_URL", UNREACHABLE)
    lat, lon = gembloux_points()["removed"]
    code, out, err = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "inside" and data["data_version"] == data_version()
    assert "base de données des périmètres est injoignable" in err and "périmètres d'origine" in err
    assert "secret-pw" not in err and "127.0.0.1" not in err


def test_default_checker_uses_the_published_perimeters(pstore):
    def default_checker():  # the runtime's checker over the published perimeters, coordinates only
        return Runtime.from_env().checker()

    lat, lon = gembloux_points()["removed"]
    assert default_checker().check_latlon(lat, lon).status == "inside"
    vid = approve_gembloux_change(pstore)
    res = default_checker().check_latlon(lat, lon)
    assert res.status == "outside" and res.data_version.endswith(f"+p{vid}")


def _points_file(path):
    """Five rows checked with the perimeters in force now: the results of that batch."""
    pts = gembloux_points()
    src = path / "points.csv"
    pd.DataFrame(
        {
            "nom": ["retiré", "gardé", "liège", "namur", "illisible"],
            # named like result columns: the batch keeps them as lat_input/lon_input
            "lat": [pts["removed"][0], pts["kept"][0], 50.648, 50.4669, "x"],
            "lon": [pts["removed"][1], pts["kept"][1], 5.615, 4.8675, "y"],
        }
    ).to_csv(src, index=False, sep=";")
    return src


def test_check_file_recheck_rechecks_exactly_the_rows_a_perimeter_change_concerns(capsys, tmp_path, pstore):
    src = _points_file(tmp_path)
    first = tmp_path / "resultats.csv"
    code, _, err = run(capsys, "check-file", str(src), "-o", str(first))
    assert code == 0 and "5 lignes" in err
    results = read_table_file(first)
    assert list(results.columns) == ["nom", "lat_input", "lon_input", *FIELDS, "data_version"]
    assert results["status"].tolist() == ["inside", "inside", "inside", "outside", "error"]
    old = data_version()
    assert set(results["data_version"]) == {old}
    # mark the earlier answers: a row that is not re-checked keeps its message
    results["message"] = "ancienne réponse"
    write_path = tmp_path / "resultats-marques.csv"
    write_path.write_bytes(write_csv(results))

    # nothing changed yet: nothing to re-check, output = input
    code, _, err = run(capsys, "check-file", str(write_path), "-o", str(tmp_path / "same.csv"), "--recheck")
    assert code == 0 and "aucune ligne concernée — périmètres inchangés depuis ce traitement" in err
    assert read_table_file(tmp_path / "same.csv")["message"].eq("ancienne réponse").all()

    vid = approve_gembloux_change(pstore)
    new = f"{old}+p{vid}"
    out_path = tmp_path / "re-verification.csv"
    code, _, err = run(capsys, "check-file", str(write_path), "-o", str(out_path), "--recheck")
    assert code == 0, err
    assert "Périmètres modifiés depuis ce traitement : Gembloux" in err
    assert "3 ligne(s) sur 5 re-vérifiée(s)" in err and "1 réponse(s) changée(s)" in err and new in err
    out = read_table_file(out_path)
    assert list(out.columns) == list(results.columns)  # replaced in place, nothing duplicated
    assert out["nom"].tolist() == results["nom"].tolist()
    assert out["lat_input"].tolist() == results["lat_input"].tolist()
    assert out["status"].tolist() == ["outside", "inside", "inside", "outside", "error"]
    assert out["territory_id"].tolist() == ["", "gembloux", "liege", "", ""]
    assert out["data_version"].tolist() == [new, new, old, new, old]
    rechecked = out["message"] != "ancienne réponse"
    assert rechecked.tolist() == [True, True, False, True, False]
    assert "Hors des territoires" in out.loc[0, "message"]
    assert float(out.loc[0, "lat"]) == pytest.approx(float(results.loc[0, "lat"]))

    # once re-checked, nothing left to do
    code, _, err = run(capsys, "check-file", str(out_path), "-o", str(tmp_path / "again.csv"), "--recheck")
    assert code == 0 and "aucune ligne concernée" in err
    again = read_table_file(tmp_path / "again.csv")
    assert again["status"].tolist() == out["status"].tolist()
    assert again["data_version"].tolist() == out["data_version"].tolist()


def test_recheck_when_the_change_concerns_no_row(capsys, tmp_path, pstore):
    src = tmp_path / "liege.csv"
    src.write_text("nom,latitude,longitude\na,50.648,5.615\n", encoding="utf-8")
    first = tmp_path / "r.csv"
    assert run(capsys, "check-file", str(src), "-o", str(first))[0] == 0
    approve_gembloux_change(pstore)
    code, _, err = run(capsys, "check-file", str(first), "-o", str(tmp_path / "o.xlsx"), "--recheck")
    assert code == 0
    assert "aucune ligne concernée — les périmètres modifiés depuis ce traitement (Gembloux" in err
    out = read_table_file(tmp_path / "o.xlsx")
    assert out["status"].tolist() == ["inside"] and out["data_version"].tolist() == [data_version()]


def test_recheck_needs_a_results_file_and_a_results_file_gets_a_hint(capsys, tmp_path):
    src = tmp_path / "points.csv"
    src.write_text("latitude,longitude\n50.648,5.615\n", encoding="utf-8")
    code, _, err = run(capsys, "check-file", str(src), "-o", str(tmp_path / "o.csv"), "--recheck")
    assert code == 2 and "n'est pas un fichier de résultats" in err
    assert not (tmp_path / "o.csv").exists()
    assert run(capsys, "check-file", str(src), "-o", str(tmp_path / "r.csv"))[0] == 0
    code, _, err = run(capsys, "check-file", str(tmp_path / "r.csv"), "-o", str(tmp_path / "rr.csv"))
    assert code == 0 and "--recheck" in err  # compatible: still checked, columns kept as <name>_input
    # checked on the earlier input's columns, never on a result column (an empty matched_address)
    assert "Colonnes utilisées : latitude, longitude." in err
    again = read_table_file(tmp_path / "rr.csv")
    assert "status_input" in again.columns and again["status"].tolist() == ["inside"]
    # the same for a results file whose input had result-like names (kept as lat_input, lon_input)
    (tmp_path / "p2.csv").write_text("lat,lon\n50.648,5.615\n", encoding="utf-8")
    assert run(capsys, "check-file", str(tmp_path / "p2.csv"), "-o", str(tmp_path / "r2.csv"))[0] == 0
    code, _, err = run(capsys, "check-file", str(tmp_path / "r2.csv"), "-o", str(tmp_path / "rr2.csv"))
    assert code == 0 and "Colonnes utilisées : lat_input, lon_input." in err
    assert read_table_file(tmp_path / "rr2.csv")["status"].tolist() == ["inside"]


def test_recheck_plan_and_results_inputs(pstore):
    clf = published_classifier(pstore)
    df = pd.DataFrame({"id": ["1", "2"], "lat": ["50.648", "50.4669"], "lon": ["5.615", "4.8675"]})
    results = check_table(Checker(clf), df, lat_column="lat", lon_column="lon")
    assert looks_like_results(results.columns) and not looks_like_results(df.columns)
    assert list(results_inputs(results).columns) == ["id", "lat", "lon"]
    plan = recheck_plan(results, pstore)
    assert plan.count == 0 and plan.unchanged and plan.since == (data_version(),)
    # a version from another committed dataset: every territory changed, inside and outside rows re-checked
    results["data_version"] = "2000-01-01+deadbeef"
    plan = recheck_plan(results, pstore)
    assert plan.mask.tolist() == [True, True] and len(plan.changed) == 17
    out, summary = recheck_table(Checker(clf), results, plan.mask, lat_column="lat", lon_column="lon")
    assert (summary.rechecked, summary.changed, summary.total) == (2, 0, 2)
    assert list(out.columns) == list(results.columns)
    assert set(out["data_version"]) == {data_version()}
    assert list(out.columns[-len(BATCH_FIELDS) :]) == list(BATCH_FIELDS)


def test_an_approved_version_unknown_to_the_database_changes_every_territory(pstore):
    assert len(changed_territories(f"{data_version()}+p999", pstore)) == 17
    assert len(changed_territories(f"{data_version()}+p1", None)) == 17
    assert changed_territories(data_version(), None) == []


@requires_icar
def test_recheck_of_addresses(capsys, tmp_path, address_index_dir):
    src = tmp_path / "adresses.csv"
    src.write_bytes("id;adresse\r\n1;Rue de Droixhe 10, 4020 Liège\r\n2;Zzzz Qqqq\r\n".encode("cp1252"))
    first = tmp_path / "r.csv"
    assert run(capsys, "check-file", str(src), "-o", str(first), "--index", str(address_index_dir))[0] == 0
    results = read_table_file(first)
    results["data_version"] = "2000-01-01+deadbeef"  # checked with older geodata
    results["matched_address"] = "ancienne"
    old = tmp_path / "old.csv"
    old.write_bytes(write_csv(results))
    out_path = tmp_path / "o.csv"
    code, _, err = run(
        capsys, "check-file", str(old), "-o", str(out_path), "--recheck", "--index", str(address_index_dir)
    )
    assert code == 0 and "1 ligne(s) sur 2 re-vérifiée(s)" in err and "0 réponse(s) changée(s)" in err
    out = read_table_file(out_path)
    assert list(out.columns) == ["id", "adresse", *FIELDS, "data_version"]
    assert out["matched_address"].tolist() == ["Rue de Droixhe 10, 4020 Liège", "ancienne"]
    assert out["status"].tolist() == ["inside", "not_found"]
    assert out["data_version"].tolist() == [data_version(), "2000-01-01+deadbeef"]
    assert "Rue de Droixhe" not in err
