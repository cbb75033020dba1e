"""The Frictionless Data descriptor (``datapackage.json``) of the open-data files.

Generated from :data:`tzcld.export.opendata.FIELDS` (one description of each column), from
:data:`FILES` (one description of each file, shared with the DCAT-AP-BE record,
:mod:`tzcld.export.dcat`) and from the files actually written: each resource carries its
size in bytes and its SHA-256 hash, so ``frictionless validate datapackage.json`` checks
both the tables against their schemas and the files' integrity.

The descriptor follows the Data Package v1 specification as read by the ``frictionless``
Python library (v5): tabular resources (``territoires``, ``registre-progres``,
``dictionnaire-des-donnees``) have a ``schema``; the GeoJSON, the GeoPackage, the XLSX
workbook and ``LICENCE.md`` are described as plain files. ``licenses`` (package and
resources): our own data's licence — the programme owner's choice, a setting, "not yet
chosen" until then (then it points to ``LICENCE.md``, which says so) — and, for the
files derived from their data, the producers' licences as the geodata manifest records
them. ``homepage``, ``keywords`` and ``contributors`` (the producers, the publisher)
come from :mod:`tzcld.export.metadata`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tzcld.export import metadata, opendata

PACKAGE_NAME = "tzcld-wallonie-territoires"

#: The programme's and the geodata's sources, credited in the package.
PACKAGE_SOURCES: tuple[dict[str, str], ...] = (
    {"title": "Wallonie, annonce des 17 projets « Territoires zéro chômeur de longue durée » (2022)"},
    {"title": "SPW Économie (TerritoiR'ES, 2024)", "path": "https://economie.wallonie.be/"},
    {
        "title": "Gouvernement wallon, communiqué du ministre Yves Coppieters (évaluation à mi-parcours, 2025)",
        "path": "https://coppieters.wallonie.be/home/communiques-de-presse/presses/le-gouvernement-wallon-recentre-le-dispositif-des-territoir-es-pour-renforcer-l-emploi-local-par-l-economie-sociale.html",
    },
    {
        "title": "Statbel (Direction générale Statistique – Statistics Belgium) : secteurs statistiques, unités administratives"
    },
    {"title": "SPW – ICAR : Inventaire Centralisé des Adresses et des Rues"},
    {"title": "BOSA BeST Address"},
    {"title": "© les contributeurs d'OpenStreetMap (ODbL)"},
)


@dataclass(frozen=True)
class FileSpec:
    """One open-data file: resource ``name``, file, titles and descriptions (fr, en),
    ``format`` (Frictionless), IANA ``mediatype``, EU file-type code (DCAT), the tabular
    schema's resource (``None``: a plain file), and whether it derives from the producers'
    geodata (their licences then apply too)."""

    name: str
    file: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    format: str
    mediatype: str
    eu_file_type: str
    table: str | None = None
    geodata: bool = False


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "territoires-geojson",
        opendata.TERRITORIES_GEOJSON,
        "Territoires (GeoJSON, WGS84)",
        "Territories (GeoJSON, WGS84)",
        "Les 17 territoires : contours publiés, simplifiés pour le web (WGS84, EPSG:4326, RFC 7946), et tous leurs attributs.",
        "The 17 territories: published outlines, simplified for the web (WGS84, EPSG:4326, RFC 7946), and all their attributes.",
        "geojson",
        "application/geo+json",
        "GEOJSON",
        geodata=True,
    ),
    FileSpec(
        "perimetres-gpkg",
        opendata.PERIMETERS_GPKG,
        "Périmètres exacts (GeoPackage, Lambert 72)",
        "Exact perimeters (GeoPackage, Lambert 72)",
        "Les périmètres publiés, exacts, en Lambert belge 72 (EPSG:31370) : couche « territoires » (un multipolygone par "
        "territoire, avec sa version) et couche « unites » (secteurs, communes, fichiers, rues).",
        "The published perimeters, exact, in Belgian Lambert 72 (EPSG:31370): layer “territoires” (one multipolygon per "
        "territory, with its version) and layer “unites” (sectors, communes, files, streets).",
        "gpkg",
        "application/geopackage+sqlite3",
        "GPKG",
        geodata=True,
    ),
    FileSpec(
        "territoires",
        opendata.TERRITORIES_CSV,
        "Territoires (tableau)",
        "Territories (table)",
        "Les 17 territoires, leurs communes, objectif d'emplois, statut et précision du périmètre (sans géométrie).",
        "The 17 territories, their communes, job target, status and perimeter precision (no geometry).",
        "csv",
        "text/csv",
        "CSV",
        table="territoires",
    ),
    FileSpec(
        "registre-progres",
        opendata.LEDGER_CSV,
        "Registre des progrès",
        "Progress ledger",
        "Une ligne par observation enregistrée (corrections et valeurs remplacées comprises), avec sa source et sa date.",
        "One row per recorded observation (corrections and superseded values included), with its source and date.",
        "csv",
        "text/csv",
        "CSV",
        table="registre-progres",
    ),
    FileSpec(
        "registre-progres-xlsx",
        opendata.LEDGER_XLSX,
        "Registre des progrès (classeur XLSX)",
        "Progress ledger (XLSX workbook)",
        "Le registre, le dictionnaire des données, les sources et les crédits dans un classeur.",
        "The ledger, the data dictionary, the sources and the credits in one workbook.",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
    ),
    FileSpec(
        "dictionnaire-des-donnees",
        opendata.DICTIONARY_CSV,
        "Dictionnaire des données",
        "Data dictionary",
        "Chaque colonne de chaque fichier : type, caractère obligatoire, description en français et en anglais.",
        "Every column of every file: type, whether required, description in French and English.",
        "csv",
        "text/csv",
        "CSV",
        table="dictionnaire-des-donnees",
    ),
    FileSpec(
        "licences",
        metadata.LICENCE_FILE,
        "Licences",
        "Licences",
        "Quelle licence couvre quoi : nos données (choix du propriétaire du programme) et celles des producteurs.",
        "Which licence covers what: our data (the programme owner's choice) and the producers' data.",
        "md",
        "text/markdown",
        "MARKDOWN",
    ),
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def table_schema(resource: str) -> dict[str, Any]:
    """The Table Schema of one tabular resource, from :data:`opendata.FIELDS`."""
    fields = []
    for spec in opendata.fields_of(resource):
        field: dict[str, Any] = {
            "name": spec.name,
            "type": spec.type,
            "description": spec.description_fr,
            "description_en": spec.description_en,
        }
        constraints: dict[str, Any] = {}
        if spec.required:
            constraints["required"] = True
        if spec.pattern:
            constraints["pattern"] = spec.pattern
        if spec.enum:
            constraints["enum"] = list(spec.enum)
        if constraints:
            field["constraints"] = constraints
        if spec.type == "boolean":
            field["trueValues"] = ["true"]
            field["falseValues"] = ["false"]
        if spec.type == "datetime":
            field["format"] = "%Y-%m-%dT%H:%M:%SZ"
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if any(f.name == "id" for f in opendata.fields_of(resource)):
        schema["primaryKey"] = ["id"]
    return schema


def file_facts(folder: Path, name: str) -> dict[str, Any]:
    """``path``, ``bytes`` and ``hash`` (``sha256:…``) of a written file."""
    path = folder / name
    return {"path": name, "bytes": path.stat().st_size, "hash": f"sha256:{_sha256(path)}"}


def our_licence(opts: metadata.OpenDataSettings) -> dict[str, str]:
    """Our data's licence as a Data Package licence; "not yet chosen" points to ``LICENCE.md``."""
    lic = opts.licence
    if lic.chosen:
        return {"name": str(lic.id), "path": str(lic.url), "title": lic.title}
    return {"path": metadata.LICENCE_FILE, "title": lic.title}


def producer_licences() -> list[dict[str, str]]:
    """The producers' licences of the perimeters, as Data Package licences (described in ``LICENCE.md``)."""
    return [
        {"path": metadata.LICENCE_FILE, "title": f"{p.producer} : {p.licence} — {p.attribution}"}
        for p in metadata.producer_licences()
    ]


def contributors(opts: metadata.OpenDataSettings) -> list[dict[str, str]]:
    """The publisher, then every data producer (role ``contributor``)."""
    publisher: dict[str, str] = {"title": opts.publisher_name("fr"), "role": "publisher"}
    if opts.contact:
        publisher["email"] = opts.contact
    out = [publisher]
    seen: set[str] = set()
    for p in metadata.producer_licences((*metadata.PERIMETER_INPUTS, "osm_places")):
        if p.producer not in seen:
            seen.add(p.producer)
            out.append({"title": p.producer, "role": "contributor"})
    return out


def build_descriptor(
    folder: Path | str, version: str | None = None, opts: metadata.OpenDataSettings | None = None
) -> dict[str, Any]:
    """The ``datapackage.json`` content for the files already written in ``folder`` (a
    :data:`FILES` entry whose file is absent, e.g. the GeoPackage without geodata, is left out)."""
    folder = Path(folder)
    opts = opts or metadata.settings()
    ours = our_licence(opts)
    producers = producer_licences()
    csv_dialect = {"delimiter": ",", "header": True}
    resources: list[dict[str, Any]] = []
    for spec in FILES:
        if not (folder / spec.file).is_file():
            continue
        resource: dict[str, Any] = {
            "name": spec.name,
            "title": spec.title_fr,
            "description": spec.description_fr,
            "type": "table" if spec.table else "file",
            "format": spec.format,
            "mediatype": spec.mediatype,
        }
        if spec.format in ("csv", "geojson", "md"):
            resource["encoding"] = "utf-8"
        if spec.table:
            resource["dialect"] = csv_dialect
            resource["schema"] = table_schema(spec.table)
        if spec.name != "licences":
            resource["licenses"] = [ours, *producers] if spec.geodata else [ours]
        resource.update(file_facts(folder, spec.file))
        resources.append(resource)
    descriptor: dict[str, Any] = {
        "name": PACKAGE_NAME,
        "title": metadata.TITLE["fr"],
        "description": metadata.DESCRIPTION["fr"]
        + " Les géodonnées dérivent de Statbel, SPW – ICAR, BOSA BeST Address et OpenStreetMap, à créditer lors de "
        "toute réutilisation.",
        "homepage": opts.homepage,
        "keywords": [*metadata.KEYWORDS["fr"], *metadata.KEYWORDS["en"]],
        "licenses": [ours],
        "contributors": contributors(opts),
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "sources": [dict(s) for s in PACKAGE_SOURCES],
        "resources": resources,
    }
    if version:
        descriptor["version"] = str(version)
    return descriptor


def write_datapackage(
    folder: Path | str, version: str | None = None, opts: metadata.OpenDataSettings | None = None
) -> Path:
    """Write ``datapackage.json`` next to the open-data files in ``folder``."""
    folder = Path(folder)
    path = folder / opendata.DATAPACKAGE_JSON
    path.write_text(json.dumps(build_descriptor(folder, version, opts), ensure_ascii=False, indent=2), encoding="utf-8")
    return path
