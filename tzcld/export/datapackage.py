"""The Frictionless Data descriptor (``datapackage.json``) of the open-data files.

Generated from :data:`tzcld.export.opendata.FIELDS` (one description of each column)
and from the files actually written: each resource carries its size in bytes and its
SHA-256 hash, so ``frictionless validate datapackage.json`` checks both the tables
against their schemas and the files' integrity.

The descriptor follows the Data Package v1 specification as read by the
``frictionless`` Python library (v5): tabular resources (``territoires``,
``registre-progres``, ``dictionnaire-des-donnees``) have a ``schema``; the GeoJSON and
the XLSX workbook are described as plain files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from tzcld.export import opendata

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


def _file_facts(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return {"path": name, "bytes": path.stat().st_size, "hash": f"sha256:{_sha256(path)}"}


def build_descriptor(folder: Path | str, version: str | None = None) -> dict[str, Any]:
    """The ``datapackage.json`` content for the files already written in ``folder``."""
    folder = Path(folder)
    csv_dialect = {"delimiter": ",", "header": True}
    resources: list[dict[str, Any]] = [
        {
            "name": "territoires-geojson",
            "title": "Territoires (GeoJSON, WGS84)",
            "description": "Les 17 territoires : contours simplifiés pour le web (WGS84, EPSG:4326) et tous leurs attributs.",
            "type": "file",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "encoding": "utf-8",
            **_file_facts(folder, opendata.TERRITORIES_GEOJSON),
        },
        {
            "name": "territoires",
            "title": "Territoires (tableau)",
            "description": "Les 17 territoires, leurs communes, objectif d'emplois, statut et précision du périmètre (sans géométrie).",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": csv_dialect,
            "schema": table_schema("territoires"),
            **_file_facts(folder, opendata.TERRITORIES_CSV),
        },
        {
            "name": "registre-progres",
            "title": "Registre des progrès",
            "description": "Une ligne par observation enregistrée (corrections et valeurs remplacées comprises), avec sa source et sa date.",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": csv_dialect,
            "schema": table_schema("registre-progres"),
            **_file_facts(folder, opendata.LEDGER_CSV),
        },
        {
            "name": "registre-progres-xlsx",
            "title": "Registre des progrès (classeur XLSX)",
            "description": "Le registre, le dictionnaire des données, les sources et les crédits dans un classeur.",
            "type": "file",
            "format": "xlsx",
            "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            **_file_facts(folder, opendata.LEDGER_XLSX),
        },
        {
            "name": "dictionnaire-des-donnees",
            "title": "Dictionnaire des données",
            "description": "Chaque colonne de chaque fichier : type, caractère obligatoire, description en français et en anglais.",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": csv_dialect,
            "schema": table_schema("dictionnaire-des-donnees"),
            **_file_facts(folder, opendata.DICTIONARY_CSV),
        },
    ]
    descriptor: dict[str, Any] = {
        "name": PACKAGE_NAME,
        "title": "Territoires zéro chômeur de longue durée (TerritoiR'ES), Wallonie : territoires et progrès",
        "description": (
            "Données ouvertes du tableau de bord public du projet pilote wallon. Chaque chiffre "
            "du registre garde sa source et sa date ; ce qui n'est pas communiqué est laissé vide, "
            "jamais mis à 0. Les géodonnées dérivent de Statbel, SPW – ICAR, BOSA BeST Address et "
            "OpenStreetMap, à créditer lors de toute réutilisation."
        ),
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "sources": [dict(s) for s in PACKAGE_SOURCES],
        "resources": resources,
    }
    if version:
        descriptor["version"] = str(version)
    return descriptor


def write_datapackage(folder: Path | str, version: str | None = None) -> Path:
    """Write ``datapackage.json`` next to the open-data files in ``folder``."""
    folder = Path(folder)
    path = folder / opendata.DATAPACKAGE_JSON
    path.write_text(json.dumps(build_descriptor(folder, version), ensure_ascii=False, indent=2), encoding="utf-8")
    return path
