"""Open-data exports match the ledger and the registry; the Frictionless package validates."""

from __future__ import annotations

import csv
import json
import shutil

import frictionless
import openpyxl
import pytest

from tzcld.export import opendata
from tzcld.export.datapackage import build_descriptor, table_schema
from tzcld.facts import published_facts
from tzcld.ledger import Account, ObservationInput, open_store
from tzcld.territories import TERRITORY_IDS, load_registry

EVIL_TITLE = '=HYPERLINK("http://evil.example/","clic")'


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A fresh ledger (seeded with the published facts) with one new figure and its correction."""
    folder = tmp_path_factory.mktemp("ledger")
    s = open_store(f"sqlite:///{folder / 'ledger.sqlite'}", demo=False)
    admin = Account("admin-test", "admin")
    [first] = s.record(
        admin,
        [
            ObservationInput(
                scope="programme",
                metric="hired",
                value=150,
                unit="persons",
                period_date="2025-12-31",
                source_title=EVIL_TITLE,
                source_url="https://example.org/rapport",
            )
        ],
    )
    s.record(
        admin,
        [
            ObservationInput(
                scope="programme",
                metric="hired",
                value=155,
                unit="persons",
                period_date="2025-12-31",
                source_title="Rapport annuel",
                supersedes_id=first,
                reason="-erreur de saisie",
            )
        ],
    )
    yield s
    s.dispose()


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("opendata")
    paths = opendata.write_open_data(folder, store.observations_frame(include_superseded=True))
    return store, folder, paths


def _read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ledger_csv_has_one_row_per_observation_with_its_source(exported) -> None:
    store, folder, _ = exported
    frame = store.observations_frame(include_superseded=True)
    rows = _read_csv(folder / opendata.LEDGER_CSV)
    assert len(rows) == len(frame) == len(published_facts()) + 2
    assert [int(r["id"]) for r in rows] == sorted(int(i) for i in frame["id"])
    by_id = {int(r["id"]): r for r in rows}
    for obs in frame.itertuples():
        row = by_id[int(obs.id)]
        assert row["metric"] == obs.metric and row["scope"] == obs.scope
        assert row["period_date"] == obs.period_date
        assert row["source_url"] == (obs.source_url or "")
        if obs.value == obs.value:  # not NaN
            assert float(row["value"]) == pytest.approx(obs.value)
        else:
            assert row["value"] == ""  # unknown stays empty, never 0
    # ISO dates, personal data left out
    assert all(r["entered_at"].endswith("Z") and r["entered_at"][4] == "-" for r in rows)
    assert "entered_by" not in rows[0]


def test_correction_is_published_with_the_superseded_row(exported) -> None:
    _, folder, _ = exported
    rows = [
        r
        for r in _read_csv(folder / opendata.LEDGER_CSV)
        if r["metric"] == "hired" and r["period_date"] == "2025-12-31"
    ]
    old, new = sorted(rows, key=lambda r: int(r["id"]))
    assert (old["value"], old["superseded"]) == ("150.0", "true")
    assert (new["value"], new["superseded"], new["supersedes_id"]) == ("155.0", "false", old["id"])
    assert new["reason"] == "'-erreur de saisie"


def test_formula_injection_is_neutralised_in_csv_and_xlsx(exported) -> None:
    _, folder, _ = exported
    rows = _read_csv(folder / opendata.LEDGER_CSV)
    assert "'" + EVIL_TITLE in [r["source_title"] for r in rows]
    text_columns = ("scope_name", "metric", "value_text", "unit", "source_title", "source_url", "reason")
    assert not [r[c] for r in rows for c in text_columns if r[c].startswith(("=", "+", "-", "@", "\t", "\r"))]
    book = openpyxl.load_workbook(folder / opendata.LEDGER_XLSX)
    assert set(book.sheetnames) == {"registre", "dictionnaire", "sources", "credits"}
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + EVIL_TITLE in texts
    assert not [v for v in texts if v.startswith(("=", "+", "@"))]


def test_territories_geojson_has_all_registry_attributes_and_geometry(exported) -> None:
    _, folder, _ = exported
    data = json.loads((folder / opendata.TERRITORIES_GEOJSON).read_text(encoding="utf-8"))
    registry = load_registry()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in data["features"]] == list(TERRITORY_IDS)
    assert "Statbel" in data["attribution"] and "OpenStreetMap" in data["attribution"]
    for feature in data["features"]:
        props = feature["properties"]
        ter = registry[props["id"]]
        assert props["job_target"] == ter.job_target
        assert props["precision"] == ter.precision and props["indicative"] == ter.is_indicative
        assert props["status"] == ter.status
        assert props["communes_refnis"] == [c.refnis for c in ter.communes]
        assert "perimeter_version" in props
    assert sum(f["properties"]["job_target"] for f in data["features"]) == 725
    with_geometry = [f for f in data["features"] if f["geometry"]]
    if (opendata._geodata_territories() or {}).get("features"):
        assert len(with_geometry) == 17
        lon, lat = _first_coordinate(with_geometry[0]["geometry"])
        assert 2.5 < lon < 6.5 and 49.4 < lat < 51.0  # WGS84 over Wallonia


def _first_coordinate(geometry):
    coords = geometry["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords[0], coords[1]


def test_territories_csv_matches_the_registry(exported) -> None:
    _, folder, _ = exported
    rows = _read_csv(folder / opendata.TERRITORIES_CSV)
    assert [r["id"] for r in rows] == list(TERRITORY_IDS)
    indicative = {r["id"] for r in rows if r["indicative"] == "true"}
    assert indicative == {t.id for t in load_registry() if t.is_indicative}
    assert len(indicative) == 5


def test_dictionary_describes_every_column_of_every_csv(exported) -> None:
    _, folder, _ = exported
    dictionary = _read_csv(folder / opendata.DICTIONARY_CSV)
    described = {(d["resource"], d["field"]) for d in dictionary}
    assert all(d["description_fr"] and d["description_en"] for d in dictionary)
    for resource, name in (
        ("territoires", opendata.TERRITORIES_CSV),
        ("registre-progres", opendata.LEDGER_CSV),
        ("dictionnaire-des-donnees", opendata.DICTIONARY_CSV),
    ):
        header = (folder / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert {(resource, h) for h in header} <= described, resource


def test_datapackage_validates_with_frictionless(exported) -> None:
    _, folder, _ = exported
    report = frictionless.validate(str(folder / opendata.DATAPACKAGE_JSON))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((folder / opendata.DATAPACKAGE_JSON).read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert names == {
        "territoires-geojson",
        "perimetres-gpkg",
        "territoires",
        "registre-progres",
        "registre-progres-xlsx",
        "dictionnaire-des-donnees",
        "licences",
    }
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in descriptor["resources"])


def test_datapackage_detects_a_tampered_file(exported, tmp_path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(exported[1], folder)
    with (folder / opendata.LEDGER_CSV).open("a", encoding="utf-8") as fh:
        fh.write("999,programme,Programme,hired,-5,,persons,2025,x,,2025-01-01T00:00:00Z,,false,,false\r\n")
    report = frictionless.validate(str(folder / opendata.DATAPACKAGE_JSON))
    assert not report.valid
    assert {"hash-count", "byte-count"} & {e.type for task in report.tasks for e in task.errors}


def test_datapackage_schema_rejects_a_bad_row(tmp_path) -> None:
    """The schema is strict: a non-ISO date or unknown status fails validation."""
    (tmp_path / "t.csv").write_text(
        "id,name,province,communes,communes_refnis,announced_units,job_target,status,status_date,"
        "status_source,status_date_precision,status_note,precision,indicative,perimeter_version,"
        "perimeter_version_label,perimeter_version_date,perimeter_source\r\n"
        "x,X,Liège,,,,12,stopped,26/11/2025,,,,sectors,true,,,,\r\n",
        encoding="utf-8",
    )
    resource = frictionless.Resource(
        path="t.csv", basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(table_schema("territoires"))
    )
    report = resource.validate()
    assert not report.valid
    assert {e.type for task in report.tasks for e in task.errors} == {"constraint-error"}


def test_empty_ledger_exports_headers_only_and_still_validates(tmp_path) -> None:
    paths = opendata.write_open_data(tmp_path, None)
    assert (tmp_path / opendata.LEDGER_CSV).read_text(encoding="utf-8").startswith("id,scope,")
    assert len(_read_csv(tmp_path / opendata.LEDGER_CSV)) == 0
    assert frictionless.validate(str(paths[opendata.DATAPACKAGE_JSON])).valid
    assert build_descriptor(tmp_path)["resources"][0]["path"] == opendata.TERRITORIES_GEOJSON
