"""Open data that portals and GIS officers can use: licences (ours a setting, "not yet chosen"
by default; the producers' kept per file), homepage, keywords, contributors; the DCAT-AP-BE
record (parsed as RDF); the exact perimeters as a Lambert 72 GeoPackage; the schema.org
``Dataset`` of the page; RFC 7946 ring winding of every GeoJSON we write or serve."""

from __future__ import annotations

import glob
import hashlib
import json
import re
from pathlib import Path

import frictionless
import pyogrio
import pytest
import shapely

from tests.check_support import approve_gembloux_change
from tests.geojson_support import count_rings, winding_errors
from tzcld.config import GEODATA_DIR, SettingError
from tzcld.export import opendata
from tzcld.export.site import export_site
from tzcld.geodata.layers import data_version, read_perimeters
from tzcld.runtime import Runtime, Settings
from tzcld.territories import TERRITORY_IDS

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def _write(folder: Path, store=None) -> dict[str, Path]:
    """The open data with the settings of the environment (licence, publisher, public address)."""
    from tzcld.export import metadata

    opts = metadata.settings(Settings.from_env().open_data)
    return opendata.write_open_data(folder, None, store=store, opts=opts)


def _descriptor(folder: Path) -> dict:
    return json.loads((folder / opendata.DATAPACKAGE_JSON).read_text(encoding="utf-8"))


def test_our_licence_is_not_yet_chosen_by_default_and_said_so(tmp_path):
    _write(tmp_path)
    desc = _descriptor(tmp_path)
    assert frictionless.validate(str(tmp_path / opendata.DATAPACKAGE_JSON)).valid
    [ours] = desc["licenses"]
    assert ours["path"] == "LICENCE.md" and "non encore choisie" in ours["title"] and "not yet chosen" in ours["title"]
    assert "name" not in ours  # no licence is claimed
    text = (tmp_path / "LICENCE.md").read_text(encoding="utf-8")
    assert "Licence non encore choisie par le propriétaire du programme" in text and "Statbel" in text
    resources = {r["name"]: r for r in desc["resources"]}
    geo = " ".join(lic["title"] for lic in resources["territoires-geojson"]["licenses"])
    assert "Statbel" in geo and "BeST" in geo  # the producers' licences stay with what derives from their data
    assert resources["perimetres-gpkg"]["licenses"] == resources["territoires-geojson"]["licenses"]
    assert resources["registre-progres"]["licenses"] == [ours]
    assert desc["homepage"].startswith("https://") and "TZCLD" in desc["keywords"] and "Wallonia" in desc["keywords"]
    roles = {c["title"]: c["role"] for c in desc["contributors"]}
    assert roles["OpenStreetMap"] == "contributor" and any("Statbel" in k for k in roles)
    assert "publisher" in roles.values() and any("non encore désigné" in k for k in roles)


def test_a_chosen_licence_and_publisher_are_named_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("TZCLD_OPEN_DATA_LICENCE", "cc-by-4.0")
    monkeypatch.setenv("TZCLD_OPEN_DATA_PUBLISHER", "SPW Économie, Emploi, Recherche")
    monkeypatch.setenv("TZCLD_OPEN_DATA_CONTACT", "opendata@exemple.be")
    monkeypatch.setenv("TZCLD_PUBLIC_URL", "https://territoires.exemple.be")
    _write(tmp_path)
    desc = _descriptor(tmp_path)
    assert frictionless.validate(str(tmp_path / opendata.DATAPACKAGE_JSON)).valid
    assert desc["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    assert desc["homepage"] == "https://territoires.exemple.be/"
    assert {"title": "SPW Économie, Emploi, Recherche", "role": "publisher", "email": "opendata@exemple.be"} in desc[
        "contributors"
    ]
    graph = _graph(tmp_path)
    from rdflib import URIRef

    licences = set(graph.objects(None, URIRef(DCT + "license")))
    assert licences == {URIRef("https://creativecommons.org/licenses/by/4.0/")}
    urls = {str(u) for u in graph.objects(None, URIRef(DCAT + "accessURL"))}
    assert "https://territoires.exemple.be/data/perimetres.gpkg" in urls and all(u.startswith("https://") for u in urls)


@pytest.mark.parametrize(
    "name, value",
    [
        ("TZCLD_OPEN_DATA_LICENCE", "libre"),
        ("TZCLD_PUBLIC_URL", "territoires.exemple.be"),
        ("TZCLD_OPEN_DATA_CONTACT", "pas un e-mail"),
    ],
)
def test_bad_settings_stop_the_export_with_a_french_message(tmp_path, monkeypatch, capsys, name, value):
    from tzcld.cli import main

    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError):
        _write(tmp_path / "direct")
    assert main(["export-site", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert name in err and "Erreur" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------------- DCAT-AP-BE


def _graph(folder: Path):
    from rdflib import Graph

    graph = Graph()
    graph.parse(str(folder / opendata.DCAT_JSONLD), format="json-ld")
    return graph


def test_the_dcat_record_describes_the_dataset_and_every_file(tmp_path):
    from rdflib import RDF, Literal, URIRef

    _write(tmp_path)
    g = _graph(tmp_path)
    dcat, dct = (lambda t: URIRef(DCAT + t)), (lambda t: URIRef(DCT + t))
    [catalog] = list(g.subjects(RDF.type, dcat("Catalog")))
    [dataset] = list(g.subjects(RDF.type, dcat("Dataset")))
    assert (catalog, dcat("dataset"), dataset) in g
    for prop in ("title", "description", "publisher"):
        assert g.value(catalog, dct(prop)) is not None, prop
    # mandatory and recommended properties of a dataset (DCAT-AP 2, Belgian profile)
    titles = {t.language for t in g.objects(dataset, dct("title"))}
    assert titles == {"fr", "en"} and {d.language for d in g.objects(dataset, dct("description"))} == {"fr", "en"}
    for prop in ("publisher", "spatial", "temporal", "language", "accrualPeriodicity", "identifier", "modified"):
        assert g.value(dataset, dct(prop)) is not None, prop
    assert g.value(dataset, dcat("contactPoint")) is not None
    assert {str(t) for t in g.objects(dataset, dcat("theme"))} >= {
        "http://publications.europa.eu/resource/authority/data-theme/SOCI"
    }
    assert str(g.value(dataset, dct("spatial"))) == "http://data.europa.eu/nuts/code/BE3"
    assert len(list(g.objects(dataset, dcat("keyword")))) >= 10
    assert str(g.value(dataset, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == data_version()
    distributions = list(g.objects(dataset, dcat("distribution")))
    files = {p.name for p in tmp_path.iterdir()} - {opendata.DCAT_JSONLD}
    assert len(distributions) == len(files)
    seen = set()
    for dist in distributions:
        assert (dist, RDF.type, dcat("Distribution")) in g
        url = g.value(dist, dcat("accessURL"))
        path = Path(str(url).removeprefix("file://"))  # relative IRIs resolve against the record's own address
        assert path.is_file() and path.parent == tmp_path, url
        seen.add(path.name)
        assert str(g.value(dist, dct("format"))).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
        assert str(g.value(dist, dcat("mediaType"))).startswith("https://www.iana.org/assignments/media-types/")
        assert int(g.value(dist, dcat("byteSize"))) == path.stat().st_size
        checksum = g.value(dist, URIRef("http://spdx.org/rdf/terms#checksum"))
        value = g.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))
        assert str(value) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert g.value(dist, dct("license")) is None  # none chosen: a rights statement says so instead
        rights = {
            str(lbl)
            for r in g.objects(dist, dct("rights"))
            for lbl in g.objects(r, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        }
        assert any("non encore choisie" in r for r in rights), rights
        if path.name in (opendata.TERRITORIES_GEOJSON, opendata.PERIMETERS_GPKG):
            assert any("Statbel" in r for r in rights)
    assert seen == files
    gpkg = next(d for d in distributions if str(g.value(d, dcat("accessURL"))).endswith(".gpkg"))
    assert URIRef("http://www.opengis.net/def/crs/EPSG/0/31370") in set(g.objects(gpkg, dct("conformsTo")))
    assert Literal("Licence not yet chosen by the programme owner", lang="en") in set(g.objects())


# ---------------------------------------------------------------------- GeoPackage


def test_the_geopackage_holds_the_exact_published_perimeters_in_lambert72(tmp_path):

    _write(tmp_path / "before")
    path = tmp_path / "before" / opendata.PERIMETERS_GPKG
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"territoires": "MultiPolygon", "unites": "MultiPolygon"}
    territories = pyogrio.read_dataframe(path, layer="territoires")
    units = pyogrio.read_dataframe(path, layer="unites")
    assert territories.crs.to_epsg() == 31370 and units.crs.to_epsg() == 31370
    assert list(territories["id"]) == list(TERRITORY_IDS)
    exact = read_perimeters()
    assert len(units) == len(exact)
    gem = exact[exact["territory_id"] == "gembloux"]
    row = territories.set_index("id").loc["gembloux"]
    assert abs(row.geometry.area - shapely.union_all(gem.geometry.values).area) < 1.0  # exact, not simplified
    assert row["perimeter_version_label"] == "base" and row["data_version"] == data_version()
    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    _write(tmp_path / "after", store)
    store.engine.dispose()
    after = pyogrio.read_dataframe(tmp_path / "after" / opendata.PERIMETERS_GPKG, layer="territoires").set_index("id")
    assert after.loc["gembloux", "perimeter_version_label"] == f"v{vid}"
    assert after.loc["gembloux"].geometry.area < row.geometry.area
    assert after.loc["gembloux", "data_version"] == f"{data_version()}+p{vid}"


# ---------------------------------------------------------------------- RFC 7946 winding


def test_every_geojson_we_write_or_serve_has_rfc7946_rings(tmp_path):
    from tzcld.perimeters.web import published_territories_geojson

    committed = sorted(glob.glob(str(GEODATA_DIR / "**" / "*.geojson"), recursive=True))
    assert len(committed) >= 5
    for name in committed:
        doc = json.loads(Path(name).read_text(encoding="utf-8"))
        assert winding_errors(doc) == [], name
    published = published_territories_geojson()
    assert count_rings(published) > 30 and winding_errors(published) == []
    store = Runtime.from_env().perimeter_store()
    approve_gembloux_change(store)  # an approved version goes through another simplification
    site = export_site(tmp_path / "site", None, ledger_available=False, store=store)
    store.engine.dispose()
    written = sorted(site.out_dir.rglob("*.geojson"))
    assert {p.name for p in written} >= {"territoires.geojson", "wallonia.geojson", "provinces.geojson"}
    for path in written:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert winding_errors(doc) == [], path
        assert "crs" not in doc  # RFC 7946: WGS84 only, no crs member
    embedded = (site.out_dir / "assets" / "map-data.js").read_text(encoding="utf-8")
    layers = json.loads(re.search(r"window\.TZCLD_MAP_DATA = (\{.*\});\s*$", embedded, re.S).group(1))
    assert set(layers) == {
        "data/territoires.geojson",
        "assets/context/wallonia.geojson",
        "assets/context/provinces.geojson",
    }
    assert all(winding_errors(doc) == [] for doc in layers.values())


# ---------------------------------------------------------------------- the page


def test_the_page_embeds_a_schema_org_dataset_and_lists_the_new_files(tmp_path):
    site = export_site(tmp_path / "site", None, ledger_available=False)
    for page, prefix in ((site.out_dir / "index.html", ""), (site.out_dir / "en" / "index.html", "../")):
        html = page.read_text(encoding="utf-8")
        [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        data = json.loads(block)
        assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
        assert data["version"] == data_version() and data["spatialCoverage"]["@type"] == "Place"
        assert "license" not in data and data["usageInfo"]["url"] == f"{prefix}data/LICENCE.md"
        for dist in data["distribution"]:
            assert (page.parent / dist["contentUrl"]).resolve().is_file(), dist
        assert {d["name"] for d in data["distribution"]} >= {"perimetres.gpkg", "dcat-ap.jsonld", "territoires.geojson"}
        assert f'rel="describedby" type="application/ld+json" href="{prefix}data/dcat-ap.jsonld"' in html
        assert f'href="{prefix}data/perimetres.gpkg"' in html and f'href="{prefix}data/dcat-ap.jsonld"' in html
        assert 'id="licence-donnees"' in html
    assert "pas encore choisie par le propriétaire du programme" in (site.out_dir / "index.html").read_text(
        encoding="utf-8"
    )
    assert "not yet chosen by the programme owner" in (site.out_dir / "en" / "index.html").read_text(encoding="utf-8")
    assert frictionless.validate(str(site.out_dir / "data" / opendata.DATAPACKAGE_JSON)).valid
