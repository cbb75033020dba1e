"""``python -m tzcld perimeter list|export|import``: the administrator's view and the backup /
restore of perimeter versions (SQLite and PostgreSQL), exact to the millimetre."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely

from tests.check_support import run
from tzcld.geodata.layers import read_perimeters
from tzcld.ledger.permissions import Account
from tzcld.perimeters import Proposal, open_perimeter_store
from tzcld.perimeters.proposals import make_rows
from tzcld.runtime import Runtime, Settings
from tzcld.territories import TERRITORY_IDS

ANNE = Account("anne", "porteur", "gembloux", "Anne")
BOB = Account("bob", "porteur", "liege", "Bob")
ADMIN = Account("admin", "admin", None, "Forem")
SOURCE = "convention FSE du 12/03/2023, annexe 2"


#: The restore columns: set on the restored side only (issue 12), compared on their own.
RESTORE_COLUMNS = ["restored_at", "restored_by", "restore_note"]


@pytest.fixture(autouse=True)
def _admin_account():
    """The decisions of :func:`populate` name ``admin``: an administrator account here."""
    from tzcld.auth import add_account

    add_account("admin", None, "admin", email="admin@example.org", path=Settings.from_env().accounts_file)


def drop_last_sector(tid: str) -> Proposal:
    per = read_perimeters()
    rows = per[per["territory_id"] == tid].reset_index(drop=True).iloc[:-1]
    return Proposal(
        tid, "sectors", make_rows(rows.drop(columns=["area_m2"]).to_dict("records")), {"codes": list(rows["unit_code"])}
    )


def square(tid: str, x: float, y: float, size: float = 200.123456) -> Proposal:
    rows = make_rows(
        [
            {
                "territory_id": tid,
                "unit": "Carré",
                "unit_kind": "file",
                "unit_code": "fichier-1",
                "commune_refnis": "62063",
                "precision": "official",
                "method": "porteur-file",
                "geometry": shapely.MultiPolygon([shapely.box(x, y, x + size, y + size)]),
            }
        ]
    )
    return Proposal(tid, "file", rows, {"file": {"filename": "carré.geojson"}})


def populate(store) -> dict[str, int]:
    """v1 approved (gembloux), v2 rejected (liege), v3 approved (liege), v4 pending (gembloux, based on v1)."""
    ids = {}
    ids["g1"] = store.propose(
        ANNE, drop_last_sector("gembloux"), "Secteur rural hors du quartier", SOURCE, {"units_removed": [["x", "y"]]}
    )
    store.approve(ADMIN, ids["g1"], "conforme")
    ids["l1"] = store.propose(BOB, square("liege", 235_000.0, 148_000.0), "Quartier de Droixhe", "plan du porteur")
    store.reject(ADMIN, ids["l1"], "trop petit")
    ids["l2"] = store.propose(
        BOB, drop_last_sector("liege"), "Nouvelle convention ; « guillemets » et accents é", SOURCE
    )
    store.approve(ADMIN, ids["l2"])
    ids["g2"] = store.propose(ADMIN, square("gembloux", 172_000.0, 140_000.0), "Correction\nsur deux lignes", SOURCE)
    return ids


def url_of(kind: str, request, tmp_path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / name}.sqlite"
    cluster = request.getfixturevalue("postgres_cluster")
    import uuid

    return cluster.create_database("t_" + uuid.uuid4().hex[:12])


def assert_same_versions(a, b, id_map: dict[int, int] | None = None) -> None:
    """Same versions (metadata and rows, geometry to the millimetre), history and published ids."""
    id_map = id_map or {}
    va, vb = a.versions(), b.versions()
    assert len(va) == len(vb)
    by_id = {v.id: v for v in vb}
    for v in va:
        w = by_id[id_map.get(v.id, v.id)]
        fields = (
            "territory_id",
            "method",
            "status",
            "precision",
            "created_by",
            "created_at",
            "reason",
            "source",
            "base_data_version",
            "units",
            "area_m2",
            "report",
            "decided_by",
            "decided_at",
            "decision_note",
        )
        assert {f: getattr(v, f) for f in fields} == {f: getattr(w, f) for f in fields}
        ra, rb = a.rows(v.id), b.rows(w.id)
        assert len(ra) == len(rb) == v.units
        cols = ["territory_id", "unit", "unit_kind", "unit_code", "commune_refnis", "precision", "method", "area_m2"]
        pd.testing.assert_frame_equal(pd.DataFrame(ra[cols]), pd.DataFrame(rb[cols]))
        for ga, gb in zip(ra.geometry, rb.geometry, strict=True):
            assert ga.equals_exact(gb, tolerance=0.0005), "geometry differs by more than a millimetre"
            assert shapely.hausdorff_distance(ga, gb) <= 0.001
    pub_a = {tid: id_map.get(vid, vid) for tid, vid in a.published_ids().items()}
    assert pub_a == b.published_ids()


# --------------------------------------------------------------------------- list


def test_list_says_so_when_empty_and_shows_a_table(capsys):
    code, out, err = run(capsys, "perimeter", "list")
    assert code == 0 and err == ""
    assert "Aucune version de périmètre dans la base" in out
    store = Runtime.from_env().perimeter_store()
    ids = populate(store)
    code, out, _ = run(capsys, "perimeter", "list")
    assert code == 0
    lines = out.splitlines()
    header = lines[0]
    for word in (
        "Version",
        "Territoire",
        "Statut",
        "Méthode",
        "Précision",
        "Unités",
        "Surface (km²)",
        "Proposée par",
        "Décision par",
        "Publiée",
        "Raison",
        "Source",
    ):
        assert word in header
    by_label = {line.split()[0]: line for line in lines[1:5]}
    assert set(by_label) == {f"v{i}" for i in ids.values()}
    g1 = by_label[f"v{ids['g1']}"]
    assert "gembloux" in g1 and "approuvée" in g1 and "secteurs" in g1 and "oui" in g1 and "admin" in g1
    area = store.get(ids["g1"]).area_m2 / 1e6
    assert f"{area:.2f}".replace(".", ",") in g1  # Belgian French decimal comma
    assert "refusée" in by_label[f"v{ids['l1']}"] and "oui" not in by_label[f"v{ids['l1']}"]
    assert "en attente" in by_label[f"v{ids['g2']}"] and "Correction sur deux lignes" in by_label[f"v{ids['g2']}"]
    assert "4 version(s)" in out
    code, out, _ = run(capsys, "perimeter", "list", "--territory", "liege", "--status", "approved")
    assert code == 0
    assert f"v{ids['l2']}" in out and f"v{ids['l1']} " not in out and "gembloux" not in out
    code, out, _ = run(capsys, "perimeter", "list", "--territory", "bertrix")
    assert code == 0 and "Aucune version de périmètre pour le territoire « bertrix »" in out
    code, _, err = run(capsys, "perimeter", "list", "--territory", "atlantis")
    assert code == 2 and "Territoire inconnu « atlantis »" in err


# --------------------------------------------------------------------------- export / import


def test_export_is_lambert72_geojson_with_metadata(capsys, tmp_path):
    store = Runtime.from_env().perimeter_store()
    ids = populate(store)
    out = tmp_path / "perimetres.geojson"
    code, _, err = run(capsys, "perimeter", "export", "-o", str(out))
    assert code == 0 and "4 version(s)" in err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::31370"
    assert doc["data_version"] and doc["exported_at"] and "Statbel" in doc["attribution"]
    assert doc["published"] == {"gembloux": f"v{ids['g1']}", "liege": f"v{ids['l2']}"}
    assert len(doc["features"]) == sum(v.units for v in store.versions())
    props = next(f["properties"] for f in doc["features"] if f["properties"]["version_id"] == ids["l1"])
    assert props["version_status"] == "rejected" and props["version_decision_note"] == "trop petit"
    assert (
        props["version_label"] == f"v{ids['l1']}"
        and props["version_report"]["inputs"]["file"]["filename"] == "carré.geojson"
    )
    assert props["unit"] == "Carré" and props["method"] == "porteur-file" and props["version_method"] == "file"
    g2 = next(f for f in doc["features"] if f["properties"]["version_id"] == ids["g2"])
    assert g2["properties"]["version_based_on"] == f"v{ids['g1']}"
    x0 = min(p[0] for p in g2["geometry"]["coordinates"][0][0])
    assert x0 == 172_000.0  # metres, not degrees
    # one territory only
    code, _, _ = run(capsys, "perimeter", "export", "-o", str(out), "--territory", "liege")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and {f["properties"]["territory_id"] for f in doc["features"]} == {"liege"}
    assert doc["territory"] == "liege" and doc["published"] == {"liege": f"v{ids['l2']}"}


@pytest.mark.parametrize(
    ("source", "target"), [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")]
)
def test_export_then_import_into_a_fresh_database_is_exact(capsys, request, tmp_path, source, target):
    src_url, dst_url = url_of(source, request, tmp_path, "src"), url_of(target, request, tmp_path, "dst")
    src = open_perimeter_store(src_url)
    populate(src)
    path = tmp_path / "perimetres.geojson"
    assert run(capsys, "perimeter", "export", "-o", str(path), "--database", src_url)[0] == 0
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 0, err
    assert "4 version(s) importée(s), 0 déjà présente(s)" in err
    assert "2 territoire(s) avec une version publiée" in err
    dst = open_perimeter_store(dst_url)
    assert_same_versions(src, dst)
    assert [v.id for v in dst.versions()] == [v.id for v in src.versions()]
    assert [v.based_on for v in dst.versions()] == [v.based_on for v in src.versions()]
    for tid in ("gembloux", "liege", "bertrix"):
        pd.testing.assert_frame_equal(
            src.history(tid).drop(columns=RESTORE_COLUMNS), dst.history(tid).drop(columns=RESTORE_COLUMNS)
        )
    # idempotent: a second import changes nothing
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 0 and "0 version(s) importée(s), 4 déjà présente(s)" in err
    assert len(dst.versions()) == 4
    # the database keeps working: a new proposal gets the next id (PostgreSQL sequence moved on)
    new = dst.propose(ANNE, drop_last_sector("gembloux"), "après restauration", SOURCE)
    assert new == max(v.id for v in src.versions()) + 1
    src.engine.dispose()
    dst.engine.dispose()


def test_import_into_a_database_using_the_same_ids_remaps_them(capsys, request, tmp_path):
    src = open_perimeter_store(url_of("sqlite", request, tmp_path, "src"))
    ids = populate(src)
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps(src.export_versions()), encoding="utf-8")
    dst_url = url_of("sqlite", request, tmp_path, "dst")
    dst = open_perimeter_store(dst_url)
    own = dst.propose(BOB, square("liege", 236_000.0, 149_000.0), "version locale", "plan")  # takes id 1
    assert own == ids["g1"] == 1
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 0, err
    assert "4 version(s) importée(s)" in err and "v1 du fichier → v5" in err
    mapping = {ids["g1"]: 5}
    assert dst.get(own).reason == "version locale"  # untouched
    assert dst.get(ids["g2"]).based_on == "v5"  # based_on follows the new id
    assert dst.published_ids() == {"gembloux": 5, "liege": ids["l2"]}
    for v in src.versions():
        w = dst.get(mapping.get(v.id, v.id))
        assert (w.territory_id, w.created_at, w.status, w.area_m2) == (
            v.territory_id,
            v.created_at,
            v.status,
            v.area_m2,
        )
        for ga, gb in zip(src.rows(v.id).geometry, dst.rows(w.id).geometry, strict=True):
            assert ga.equals_exact(gb, tolerance=0.0005)
    # idempotent with the remapping too
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 0 and "0 version(s) importée(s), 4 déjà présente(s)" in err
    assert len(dst.versions()) == 5


def test_import_into_a_partial_database_adds_only_what_is_missing(capsys, tmp_path):
    src = Runtime.from_env().perimeter_store()
    ids = populate(src)
    path = tmp_path / "p.geojson"
    doc = src.export_versions()
    path.write_text(json.dumps(doc), encoding="utf-8")
    partial = dict(
        doc, features=[f for f in doc["features"] if f["properties"]["version_id"] in (ids["g1"], ids["l1"])]
    )
    dst_url = f"sqlite:///{tmp_path / 'dst.sqlite'}"
    dst = open_perimeter_store(dst_url)
    dst.import_versions(partial, administrators={"admin"})
    assert [v.id for v in dst.versions()] == [ids["g1"], ids["l1"]]
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 0 and "2 version(s) importée(s), 2 déjà présente(s)" in err
    assert_same_versions(src, dst)


def test_dry_run_writes_nothing(capsys, tmp_path):
    src = Runtime.from_env().perimeter_store()
    populate(src)
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps(src.export_versions()), encoding="utf-8")
    dst_url = f"sqlite:///{tmp_path / 'dst.sqlite'}"
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url, "--dry-run")
    assert code == 0
    assert "4 version(s) à importer" in err and "rien n'a été enregistré" in err
    assert open_perimeter_store(dst_url).versions() == []


def _corruptions(doc: dict) -> dict[str, tuple[dict | str, str]]:
    feats = doc["features"]

    def with_props(i, **changes):
        out = json.loads(json.dumps(doc))
        out["features"][i]["properties"].update(changes)
        return out

    wgs84 = json.loads(json.dumps(doc))
    wgs84["features"][-1]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[5.6, 50.6], [5.7, 50.6], [5.7, 50.7], [5.6, 50.6]]],
    }
    point = json.loads(json.dumps(doc))
    point["features"][0]["geometry"] = {"type": "Point", "coordinates": [172000.0, 140000.0]}
    truncated = dict(doc, features=feats[:-2] + feats[-1:]) if len(feats) > 2 else None
    other_crs = dict(doc, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    return {
        "not json": ("{ pas du json", "Fichier illisible"),
        "plain geojson": (
            {"type": "FeatureCollection", "features": []},
            "n'est pas un export de versions de périmètre",
        ),
        "other crs": (other_crs, "Lambert belge 72"),
        "wgs84 coordinates": (wgs84, "hors de Belgique"),
        "point": (point, "un périmètre est fait de polygones"),
        "bad status": (with_props(-1, version_status="published"), "statut inconnu « published »"),
        "bad territory": (with_props(-1, territory_id="atlantis"), "territoire inconnu « atlantis »"),
        "bad date": (with_props(-1, version_created_at="hier"), "date « hier » illisible"),
        "approved without decision": (with_props(0, version_decided_at=None), "« decided_at » absent"),
        "truncated": (truncated, "dans le fichier (fichier incomplet ?)"),
        "inconsistent": (with_props(0, version_reason="autre"), "ne portent pas les mêmes informations"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not json",
        "plain geojson",
        "other crs",
        "wgs84 coordinates",
        "point",
        "bad status",
        "bad territory",
        "bad date",
        "approved without decision",
        "truncated",
        "inconsistent",
    ],
)
def test_a_corrupt_or_unrelated_file_is_refused_and_nothing_is_written(capsys, tmp_path, case):
    src = open_perimeter_store(f"sqlite:///{tmp_path / 'src.sqlite'}")
    populate(src)
    doc = src.export_versions()
    content, expected = _corruptions(doc)[case]
    path = tmp_path / "p.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    dst_url = f"sqlite:///{tmp_path / 'dst.sqlite'}"
    code, _out, err = run(capsys, "perimeter", "import", str(path), "--database", dst_url)
    assert code == 2, err
    assert expected in err
    assert "rien n'a été enregistré" in err.lower()
    assert open_perimeter_store(dst_url).versions() == []  # all or nothing: the valid versions are not written either


def test_import_of_a_missing_file_and_unknown_territory_on_export(capsys, tmp_path):
    code, _, err = run(capsys, "perimeter", "import", str(tmp_path / "absent.geojson"))
    assert code == 2 and "Fichier introuvable" in err
    code, _, err = run(capsys, "perimeter", "export", "-o", str(tmp_path / "x.geojson"), "--territory", "nulle-part")
    assert code == 2 and "Territoire inconnu" in err and not (tmp_path / "x.geojson").exists()
    assert "gembloux" in TERRITORY_IDS


def test_empty_database_exports_a_file_that_imports_to_nothing(capsys, tmp_path):
    path = tmp_path / "vide.geojson"
    assert run(capsys, "perimeter", "export", "-o", str(path))[0] == 0
    assert json.loads(path.read_text(encoding="utf-8"))["features"] == []
    code, _, err = run(capsys, "perimeter", "import", str(path), "--database", f"sqlite:///{tmp_path / 'd.sqlite'}")
    assert code == 0 and "0 version(s) importée(s), 0 déjà présente(s)" in err and "0 territoire(s)" in err
