"""Records that data portals and search engines harvest: DCAT-AP-BE and schema.org.

- :func:`dcat_record` / :func:`write_dcat` — ``data/dcat-ap.jsonld``: a DCAT-AP record
  following the Belgian profile (DCAT-AP-BE, as data.gov.be harvests it), in JSON-LD: a
  ``dcat:Catalog`` holding one ``dcat:Dataset`` and one ``dcat:Distribution`` per file
  (:data:`tzcld.export.datapackage.FILES` and ``datapackage.json``), each with its access
  and download URL, EU file type, IANA media type, size, SHA-256 checksum (SPDX), licence
  — or, while the programme owner has not chosen one, a ``dct:rights`` statement saying
  so — and, for geodata, the producers' terms and the reference system
  (``dct:conformsTo`` EPSG). Titles, descriptions and keywords are in French and English;
  themes from the EU data-theme table, Wallonia as NUTS ``BE3``, languages, period,
  publisher and contact point (settings, :mod:`tzcld.export.metadata`).
  Links are absolute when ``TZCLD_PUBLIC_URL`` is set, else relative to the record (JSON-LD
  resolves them against the record's own address, so a harvester still gets full URLs).
- :func:`schema_org_dataset` — the ``Dataset`` (schema.org) embedded in the static page as
  ``<script type="application/ld+json">`` (a data block: the page's CSP allows no inline
  script, and none is run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from tzcld.export import metadata, opendata

DCAT_CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "spdx": "http://spdx.org/rdf/terms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "adms": "http://www.w3.org/ns/adms#",
}
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
#: Standards each file conforms to (besides its format).
CONFORMS: dict[str, tuple[str, ...]] = {
    "territoires-geojson": ("https://www.rfc-editor.org/rfc/rfc7946", "http://www.opengis.net/def/crs/EPSG/0/4326"),
    "perimetres-gpkg": ("http://www.opengis.net/doc/IS/geopackage/1.3", "http://www.opengis.net/def/crs/EPSG/0/31370"),
    "datapackage": ("https://specs.frictionlessdata.io/data-package/",),
}


def _lang(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": v, "@language": k} for k, v in values.items()]


def _id(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dcat_record(
    folder: Path | str, version: str | None, opts: metadata.OpenDataSettings | None = None
) -> dict[str, Any]:
    """The DCAT-AP-BE record (JSON-LD) of the files written in ``folder`` (see the module docstring)."""
    from tzcld.export.datapackage import FILES

    folder = Path(folder)
    opts = opts or metadata.settings()
    base = opts.data_url(opendata.DCAT_JSONLD) if opts.public_url else ""
    catalog_id, dataset_id = f"{base}#catalogue", f"{base}#jeu-de-donnees"
    publisher_id, contact_id = f"{base}#editeur", f"{base}#contact"
    rights_id, producers_id = f"{base}#licence-non-choisie", f"{base}#licences-des-producteurs"
    licence = opts.licence
    graph: list[dict[str, Any]] = []
    producers = metadata.producer_licences()
    specs = [
        (
            s.name,
            s.file,
            s.title_fr,
            s.title_en,
            s.description_fr,
            s.description_en,
            s.mediatype,
            s.eu_file_type,
            s.geodata,
        )
        for s in FILES
    ]
    specs.append(
        (
            "datapackage",
            opendata.DATAPACKAGE_JSON,
            "Description Frictionless (datapackage.json)",
            "Frictionless description (datapackage.json)",
            "Description Frictionless Data de l'ensemble : schémas des tableaux, tailles et empreintes des fichiers.",
            "Frictionless Data description of the whole set: table schemas, file sizes and hashes.",
            "application/json",
            "JSON",
            False,
        )
    )
    distributions = []
    for name, file, t_fr, t_en, d_fr, d_en, mediatype, eu_type, geodata in specs:
        path = folder / file
        if not path.is_file():
            continue
        url = opts.data_url(file)
        node: dict[str, Any] = {
            "@id": f"{base}#distribution-{name}",
            "@type": "dcat:Distribution",
            "dct:title": _lang({"fr": t_fr, "en": t_en}),
            "dct:description": _lang({"fr": d_fr, "en": d_en}),
            "dcat:accessURL": _id(url),
            "dcat:downloadURL": _id(url),
            "dct:format": _id(f"{EU}file-type/{eu_type}"),
            "dcat:mediaType": _id(IANA + mediatype),
            "dcat:byteSize": {"@value": str(path.stat().st_size), "@type": "xsd:nonNegativeInteger"},
            "spdx:checksum": {
                "@type": "spdx:Checksum",
                "spdx:algorithm": _id("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
                "spdx:checksumValue": {"@value": _sha256(path), "@type": "xsd:hexBinary"},
            },
            "dct:modified": {"@value": _now(), "@type": "xsd:dateTime"},
        }
        if licence.chosen:
            node["dct:license"] = _id(str(licence.url))
        rights = ([] if licence.chosen else [_id(rights_id)]) + ([_id(producers_id)] if geodata and producers else [])
        if rights:
            node["dct:rights"] = rights
        if name in CONFORMS:
            node["dct:conformsTo"] = [_id(iri) for iri in CONFORMS[name]]
        distributions.append(node)
    graph.extend(distributions)
    if not licence.chosen:
        graph.append(
            {
                "@id": rights_id,
                "@type": "dct:RightsStatement",
                "rdfs:label": _lang(metadata.NOT_CHOSEN),
                "rdfs:seeAlso": _id(opts.data_url(metadata.LICENCE_FILE)),
            }
        )
    else:
        graph.append({"@id": str(licence.url), "@type": "dct:LicenseDocument", "rdfs:label": licence.title})
    if producers:
        graph.append(
            {
                "@id": producers_id,
                "@type": "dct:RightsStatement",
                "rdfs:label": [
                    {
                        "@value": "Contours dérivés de : "
                        + " ; ".join(f"{p.producer} ({p.licence}, mention « {p.attribution} »)" for p in producers),
                        "@language": "fr",
                    },
                    {
                        "@value": "Outlines derived from: "
                        + "; ".join(f"{p.producer} ({p.licence}, credit “{p.attribution}”)" for p in producers),
                        "@language": "en",
                    },
                ],
                "rdfs:seeAlso": _id(opts.data_url(metadata.LICENCE_FILE)),
            }
        )
    publisher: dict[str, Any] = {
        "@id": publisher_id,
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": _lang({"fr": opts.publisher_name("fr"), "en": opts.publisher_name("en")}),
    }
    contact: dict[str, Any] = {"@id": contact_id, "@type": "vcard:Organization", "vcard:fn": opts.publisher_name("fr")}
    if opts.contact:
        publisher["foaf:mbox"] = _id(f"mailto:{opts.contact}")
        contact["vcard:hasEmail"] = _id(f"mailto:{opts.contact}")
    graph.extend([publisher, contact])
    dataset: dict[str, Any] = {
        "@id": dataset_id,
        "@type": "dcat:Dataset",
        "dct:identifier": "tzcld-wallonie-territoires",
        "dct:title": _lang(metadata.TITLE),
        "dct:description": _lang(metadata.DESCRIPTION),
        "dcat:keyword": [{"@value": k, "@language": lang} for lang, words in metadata.KEYWORDS.items() for k in words],
        "dcat:theme": [_id(f"{EU}data-theme/{code}") for code in metadata.THEMES],
        "dct:publisher": _id(publisher_id),
        "dcat:contactPoint": _id(contact_id),
        "dct:spatial": _id(metadata.NUTS_WALLONIA),
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": metadata.TEMPORAL[0], "@type": "xsd:date"},
            "dcat:endDate": {"@value": metadata.TEMPORAL[1], "@type": "xsd:date"},
        },
        "dct:language": [_id(f"{EU}language/FRA"), _id(f"{EU}language/ENG")],
        "dct:accrualPeriodicity": _id(f"{EU}frequency/IRREG"),
        "dct:accessRights": _id(f"{EU}access-right/PUBLIC"),
        "dct:modified": {"@value": _now(), "@type": "xsd:dateTime"},
        "dcat:landingPage": _id(opts.homepage),
        "dcat:distribution": [_id(d["@id"]) for d in distributions],
    }
    if version:
        dataset["owl:versionInfo"] = str(version)
    graph.append(dataset)
    catalog: dict[str, Any] = {
        "@id": catalog_id,
        "@type": "dcat:Catalog",
        "dct:title": _lang(
            {
                "fr": "Données ouvertes du tableau de bord TZCLD Wallonie",
                "en": "Open data of the TZCLD Wallonia dashboard",
            }
        ),
        "dct:description": _lang(
            {
                "fr": "Le catalogue des données ouvertes publiées par le tableau de bord public TZCLD Wallonie (TerritoiR'ES).",
                "en": "The catalogue of the open data published by the TZCLD Wallonia (TerritoiR'ES) public dashboard.",
            }
        ),
        "dct:publisher": _id(publisher_id),
        "foaf:homepage": _id(opts.homepage),
        "dct:language": [_id(f"{EU}language/FRA"), _id(f"{EU}language/ENG")],
        "dct:modified": {"@value": _now(), "@type": "xsd:dateTime"},
        "dcat:dataset": [_id(dataset_id)],
    }
    if licence.chosen:
        catalog["dct:license"] = _id(str(licence.url))
    graph.append(catalog)
    return {"@context": DCAT_CONTEXT, "@graph": graph}


def write_dcat(folder: Path | str, version: str | None = None, opts: metadata.OpenDataSettings | None = None) -> Path:
    """Write ``dcat-ap.jsonld`` beside the open-data files (after ``datapackage.json``: it lists it too)."""
    folder = Path(folder)
    path = folder / opendata.DCAT_JSONLD
    path.write_text(json.dumps(dcat_record(folder, version, opts), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def schema_org_dataset(
    lang: str,
    version: str | None,
    downloads: list[tuple[str, str, str]],
    prefix: str = "",
    opts: metadata.OpenDataSettings | None = None,
) -> dict[str, Any]:
    """The schema.org ``Dataset`` of the static page in ``lang``; ``downloads``: ``(file,
    format name, media type)`` of each file of ``data/`` (links relative to the page, or
    absolute with ``TZCLD_PUBLIC_URL``)."""
    opts = opts or metadata.settings()
    page = (opts.public_url + ("" if lang == "fr" else f"{lang}/")) if opts.public_url else None

    def link(file: str) -> str:
        return opts.data_url(file) if opts.public_url else f"{prefix}data/{file}"

    other = "en" if lang == "fr" else "fr"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": metadata.TITLE[lang],
        "alternateName": metadata.TITLE[other],
        "description": metadata.DESCRIPTION[lang],
        "inLanguage": ["fr", "en"],
        "keywords": metadata.KEYWORDS[lang],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": opts.publisher_name(lang)},
        "publisher": {"@type": "Organization", "name": opts.publisher_name(lang)},
        "spatialCoverage": {
            "@type": "Place",
            "name": "Wallonie" if lang == "fr" else "Wallonia",
            "geo": {"@type": "GeoShape", "box": "49.49 2.84 50.82 6.41"},
        },
        "temporalCoverage": f"{metadata.TEMPORAL[0]}/{metadata.TEMPORAL[1]}",
        "dateModified": dt.date.today().isoformat(),
        "distribution": [
            {"@type": "DataDownload", "name": file, "encodingFormat": mediatype, "contentUrl": link(file)}
            for file, _fmt, mediatype in downloads
        ],
        "subjectOf": {"@type": "DataCatalog", "name": "DCAT-AP", "url": link(opendata.DCAT_JSONLD)},
    }
    if page:
        data["url"] = page
    if version:
        data["version"] = str(version)
    if opts.licence.chosen:
        data["license"] = opts.licence.url
    else:
        data["usageInfo"] = {
            "@type": "CreativeWork",
            "name": metadata.NOT_CHOSEN[lang],
            "url": link(metadata.LICENCE_FILE),
        }
    if opts.contact:
        data["publisher"]["email"] = opts.contact
    return data
