"""Open-data files: territories (GeoJSON + CSV), the progress ledger (CSV + XLSX), a data dictionary.

Every file is built from the same sources the dashboard shows: the territory registry
(:mod:`tzcld.territories`), the **published** territories web layer (WGS84): the committed
``geodata/territories.geojson`` with each approved perimeter version in place of its
territory's perimeter (:func:`tzcld.perimeters.web.published_territories_geojson`), and the
ledger's ``Store.observations_frame(include_superseded=True)``. Each territory carries
its ``perimeter_version`` and ``perimeter_version_date``; the GeoJSON's ``data_version``
and the package's ``version`` are the published version string (``…+p3.7``).

Beside the simplified WGS84 GeoJSON, ``perimetres.gpkg`` holds the **exact** published
perimeters in Belgian Lambert 72 (EPSG:31370), for GIS officers (:func:`write_perimeters_gpkg`):
layer ``territoires`` (one multipolygon per territory, with its perimeter version) and layer
``unites`` (the elementary units: sectors, communes, files, streets). ``LICENCE.md`` says
which licence covers what (ours: the programme owner's choice, a setting; the producers').
The DCAT-AP-BE record ``dcat-ap.jsonld`` (:mod:`tzcld.export.dcat`) describes the whole.

Conventions of every file:

- CSV: UTF-8 (no BOM), RFC 4180 (comma separator, CRLF line ends, header row); missing = empty cell.
- Dates ISO 8601: ``period_date`` as published (``2025``, ``2024-09`` or ``2024-09-30``),
  ``entered_at`` as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC). Booleans ``true``/``false``.
- Text cells are neutralised against formula injection
  (:mod:`tzcld.export.spreadsheet_safety`).
- One row per ledger observation, superseded ones included (``superseded = true``), each
  with its source. Who entered a figure (``entered_by``) is NOT published (personal data).

The data dictionary (:data:`FIELDS`) is the single description of every column; the
Frictionless descriptor (:mod:`tzcld.export.datapackage`) is generated from it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tzcld.export.spreadsheet_safety import csv_bytes, write_csv, write_xlsx, xlsx_bytes
from tzcld.territories import PRECISIONS, Registry, load_registry

if TYPE_CHECKING:
    from tzcld.export.metadata import OpenDataSettings
    from tzcld.perimeters.store import PerimeterStore

#: File names inside the export's ``data/`` folder (stable: linked from the page).
TERRITORIES_GEOJSON = "territoires.geojson"
TERRITORIES_CSV = "territoires.csv"
LEDGER_CSV = "registre-progres.csv"
LEDGER_XLSX = "registre-progres.xlsx"
DICTIONARY_CSV = "dictionnaire-des-donnees.csv"
DATAPACKAGE_JSON = "datapackage.json"
PERIMETERS_GPKG = "perimetres.gpkg"
DCAT_JSONLD = "dcat-ap.jsonld"
#: Layers of :data:`PERIMETERS_GPKG` (EPSG:31370, exact): one row per territory, one per elementary unit.
GPKG_TERRITORIES_LAYER = "territoires"
GPKG_UNITS_LAYER = "unites"

#: Pattern of an ISO date, possibly partial (year, year-month, full date).
PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


@dataclass(frozen=True)
class FieldSpec:
    """One column of one resource: Frictionless ``type`` (string, integer, number,
    boolean, datetime, array...), an optional ``pattern``/``enum`` constraint, and
    descriptions in French and English (units included)."""

    resource: str
    name: str
    type: str
    description_fr: str
    description_en: str
    required: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


def _f(resource: str, name: str, type_: str, fr: str, en: str, **kw: Any) -> FieldSpec:
    return FieldSpec(resource, name, type_, fr, en, **kw)


#: Every field of every tabular resource (and of the GeoJSON features' properties).
FIELDS: tuple[FieldSpec, ...] = (
    # territories (CSV; the GeoJSON properties hold the same names, lists as JSON arrays)
    _f(
        "territoires",
        "id",
        "string",
        "Identifiant stable du territoire (slug)",
        "Stable territory id (slug)",
        required=True,
    ),
    _f("territoires", "name", "string", "Nom du territoire", "Territory name", required=True),
    _f("territoires", "province", "string", "Province", "Province"),
    _f(
        "territoires",
        "communes",
        "string",
        "Communes du territoire, séparées par « ; »",
        "Communes of the territory, separated by “; ”",
    ),
    _f(
        "territoires",
        "communes_refnis",
        "string",
        "Codes REFNIS (Statbel, depuis 2019) des communes, séparés par « ; »",
        "Statbel REFNIS codes (since 2019) of the communes, separated by “; ”",
    ),
    _f(
        "territoires",
        "announced_units",
        "string",
        "Quartiers, sections ou villages nommés par l'annonce de 2022, séparés par « ; »",
        "Quarters, sections or villages named by the 2022 announcement, separated by “; ”",
    ),
    _f(
        "territoires",
        "job_target",
        "integer",
        "Objectif d'emplois de l'annonce des 17 projets (personnes)",
        "Job target of the announcement of the 17 projects (persons)",
        required=True,
    ),
    _f(
        "territoires",
        "status",
        "string",
        "Statut 2025 : continued (poursuivi), ended (arrêté), unconfirmed (statut 2025 non confirmé) ; active (ancien)",
        "2025 status: continued, ended, unconfirmed (2025 status not confirmed); active (legacy)",
        required=True,
        enum=("continued", "ended", "unconfirmed", "active"),
    ),
    _f(
        "territoires",
        "status_date",
        "string",
        "Date du statut (ISO, éventuellement partielle)",
        "Date of the status (ISO, possibly partial)",
        pattern=PARTIAL_DATE_PATTERN,
    ),
    _f("territoires", "status_source", "string", "Source du statut", "Source of the status"),
    _f(
        "territoires",
        "status_date_precision",
        "string",
        "Précision de la date du statut : day, month, year, inferred (source non datée, année déduite du texte)",
        "Precision of the status date: day, month, year, inferred (undated source, year inferred from its text)",
    ),
    _f(
        "territoires",
        "status_note",
        "string",
        "Comment le statut et sa date sont connus",
        "How the status and its date are known",
    ),
    _f(
        "territoires",
        "precision",
        "string",
        "Précision du périmètre : official (périmètre officiel fourni par le porteur de projet, fichier approuvé), sectors (secteurs statistiques exacts), sectors-from-addresses (secteurs reconstitués à partir des points d'adresse), communes (communes entières), indicative (indicatif : communes ou codes postaux des localités nommées, à confirmer par le porteur de projet)",
        "Perimeter precision: official (official perimeter supplied by the project lead, approved file), sectors (exact statistical sectors), sectors-from-addresses (sectors rebuilt from address points), communes (whole communes), indicative (communes or postcodes of the named localities, to be confirmed by the project holder)",
        required=True,
        enum=PRECISIONS,
    ),
    _f(
        "territoires",
        "indicative",
        "boolean",
        "Vrai si le périmètre est indicatif",
        "True if the perimeter is indicative",
        required=True,
    ),
    _f(
        "territoires",
        "perimeter_version",
        "string",
        "Version du périmètre publié : « v » suivi du numéro de la version approuvée (par exemple v3), sinon l'empreinte du périmètre dans les données géographiques de référence",
        "Version of the published perimeter: “v” and the approved version's number (e.g. v3), else the perimeter's fingerprint in the reference geodata",
    ),
    _f(
        "territoires",
        "perimeter_version_label",
        "string",
        "Origine du périmètre publié : base (données géographiques de référence) ou v<numéro> (version proposée par le porteur de projet et approuvée)",
        "Origin of the published perimeter: base (reference geodata) or v<number> (version proposed by the project lead and approved)",
        pattern=r"^(base|v\d+)$",
    ),
    _f(
        "territoires",
        "perimeter_version_date",
        "date",
        "Date du périmètre publié (ISO) : date d'approbation de la version, ou date des données de référence",
        "Date of the published perimeter (ISO): the version's approval date, or the reference data's date",
    ),
    _f(
        "territoires",
        "perimeter_source",
        "string",
        "Source du périmètre publié (document cité lors de la proposition, ou données géographiques de référence)",
        "Source of the published perimeter (document cited in the proposal, or the reference geodata)",
    ),
    # ledger
    _f(
        "registre-progres",
        "id",
        "integer",
        "Identifiant de l'observation dans le registre",
        "Observation id in the ledger",
        required=True,
    ),
    _f(
        "registre-progres",
        "scope",
        "string",
        "Portée : « programme » ou identifiant du territoire",
        "Scope: “programme” or a territory id",
        required=True,
    ),
    _f(
        "registre-progres",
        "scope_name",
        "string",
        "Nom de la portée (programme ou nom du territoire)",
        "Scope name (programme or territory name)",
    ),
    _f(
        "registre-progres",
        "metric",
        "string",
        "Indicateur (hired = personnes engagées, cumul ; jobs_created = emplois créés, comme la source les compte ; in_integration ; headcount ; fte ; activities ; budget_allocated / budget_applied / budget_withdrawn ; job_target ; status ; ...)",
        "Indicator (hired = people hired, cumulative; jobs_created = jobs created, as the source counts them; in_integration; headcount; fte; activities; budget_allocated / budget_applied / budget_withdrawn; job_target; status; ...)",
        required=True,
    ),
    _f(
        "registre-progres",
        "value",
        "number",
        "Valeur, dans l'unité de la colonne unit (euros, pas millions) ; vide si non communiqué ou pour un statut",
        "Value in the unit of column unit (euros, not millions); empty if not reported or for a status",
    ),
    _f(
        "registre-progres",
        "value_text",
        "string",
        "Valeur textuelle (statut : continued, ended, unconfirmed)",
        "Text value (status: continued, ended, unconfirmed)",
    ),
    _f(
        "registre-progres",
        "unit",
        "string",
        "Unité : persons (personnes), jobs (emplois, comme la source les compte), fte (équivalents temps plein), activities, territories, EUR (euros), inhabitants, needs, clients, status",
        "Unit: persons, jobs (as the source counts them), fte (full-time equivalents), activities, territories, EUR (euros), inhabitants, needs, clients, status",
        required=True,
    ),
    _f(
        "registre-progres",
        "period_date",
        "string",
        "Date que décrit le chiffre (ISO, éventuellement partielle : 2025, 2024-09)",
        "Date the figure describes (ISO, possibly partial: 2025, 2024-09)",
        required=True,
        pattern=PARTIAL_DATE_PATTERN,
    ),
    _f("registre-progres", "source_title", "string", "Titre de la source du chiffre", "Title of the figure's source"),
    _f(
        "registre-progres",
        "source_url",
        "string",
        "Adresse web de la source (vide si la source n'a pas d'adresse publique connue)",
        "Web address of the source (empty if it has no known public address)",
    ),
    _f(
        "registre-progres",
        "entered_at",
        "datetime",
        "Date et heure d'enregistrement (UTC, ISO 8601)",
        "Date and time recorded (UTC, ISO 8601)",
        required=True,
    ),
    _f(
        "registre-progres",
        "supersedes_id",
        "integer",
        "Identifiant de l'observation que celle-ci corrige",
        "Id of the observation this one corrects",
    ),
    _f(
        "registre-progres",
        "superseded",
        "boolean",
        "Vrai si une correction ultérieure remplace cette observation",
        "True if a later correction replaces this observation",
        required=True,
    ),
    _f("registre-progres", "reason", "string", "Motif de la correction", "Reason for the correction"),
    _f(
        "registre-progres",
        "is_example",
        "boolean",
        "Vrai pour des données d'exemple (démonstration), jamais des chiffres réels",
        "True for example (demonstration) data, never real figures",
        required=True,
    ),
    # how each figure is known (ledger schema version 2)
    _f(
        "registre-progres",
        "date_precision",
        "string",
        "Précision de la date : day, month, year (telle que la source la donne), inferred (source non datée, période déduite du texte) ou uncertain (date incertaine, period_date = au plus tôt)",
        "Date precision: day, month, year (as the source gives it), inferred (undated source, period inferred from its text) or uncertain (uncertain date, period_date = at the earliest)",
        enum=("day", "month", "year", "inferred", "uncertain"),
    ),
    _f(
        "registre-progres",
        "date_note",
        "string",
        "Pourquoi la date est déduite ou incertaine",
        "Why the date is inferred or uncertain",
    ),
    _f(
        "registre-progres",
        "qualifier",
        "string",
        "Qualificatif de la valeur : approx (environ), lt (moins de), gt (plus de) ; vide : exacte",
        "Qualifier of the value: approx (about), lt (fewer than), gt (more than); empty: exact",
    ),
    _f(
        "registre-progres",
        "source_kind",
        "string",
        "Type de source : official, press, project, political (déclaration politique, jamais un chiffre officiel)",
        "Source kind: official, press, project, political (a political statement, never an official figure)",
    ),
    _f("registre-progres", "note", "string", "Remarque sur le chiffre", "Note on the figure"),
    _f(
        "registre-progres",
        "retracted",
        "boolean",
        "Vrai pour un retrait : l'observation corrigée (supersedes_id) est retirée sans nouvelle valeur",
        "True for a retraction: the corrected observation (supersedes_id) is withdrawn with no new value",
    ),
    # dictionary itself
    _f(
        "dictionnaire-des-donnees",
        "resource",
        "string",
        "Fichier (ressource) décrit",
        "File (resource) described",
        required=True,
    ),
    _f("dictionnaire-des-donnees", "field", "string", "Nom de la colonne", "Column name", required=True),
    _f(
        "dictionnaire-des-donnees",
        "type",
        "string",
        "Type Frictionless de la colonne",
        "Frictionless type of the column",
        required=True,
    ),
    _f(
        "dictionnaire-des-donnees",
        "required",
        "boolean",
        "Vrai si la colonne est toujours remplie",
        "True if the column is always filled",
        required=True,
    ),
    _f(
        "dictionnaire-des-donnees",
        "description_fr",
        "string",
        "Description en français",
        "Description in French",
        required=True,
    ),
    _f(
        "dictionnaire-des-donnees",
        "description_en",
        "string",
        "Description en anglais",
        "Description in English",
        required=True,
    ),
)


def fields_of(resource: str) -> tuple[FieldSpec, ...]:
    """The :data:`FIELDS` of one resource, in column order."""
    return tuple(f for f in FIELDS if f.resource == resource)


def _columns(resource: str) -> list[str]:
    return [f.name for f in fields_of(resource)]


# ---------------------------------------------------------------- territories


def _geodata_territories(store: PerimeterStore | None = None) -> dict | None:
    """The published territories as a GeoJSON dict (committed ``geodata/territories.geojson``
    with each approved version of ``store`` in place), or ``None`` if the geodata is not built."""
    try:
        from tzcld.perimeters.web import published_territories_geojson
    except ImportError:
        return None
    try:
        return published_territories_geojson(store)
    except (OSError, ValueError):
        return None


def data_version() -> str | None:
    """The geodata ``data_version`` (``None`` when the geodata is not built)."""
    try:
        from tzcld.geodata.layers import data_version as _version
    except ImportError:
        return None
    try:
        return str(_version())
    except (OSError, ValueError, KeyError):
        return None


def attribution(lang: str = "fr") -> str:
    """The geodata producers' credit line (Statbel, SPW ICAR, BOSA BeST, OSM)."""
    try:
        from tzcld.geodata.layers import attribution as _attribution

        return str(_attribution(lang))
    except (ImportError, OSError, ValueError):
        from tzcld.transparency import DEFAULT_CREDITS

        return " ; ".join(c.attribution for c in DEFAULT_CREDITS)


#: Properties of the published layer describing each territory's perimeter version.
PERIMETER_PROPERTIES: tuple[str, ...] = (
    "perimeter_version",
    "perimeter_version_label",
    "perimeter_version_date",
    "perimeter_source",
)


def _approved(props: dict) -> bool:
    return props.get("perimeter_version_label") not in (None, "", "base")


def _precision(ter, props: dict) -> str:
    """An approved version's precision, else the registry's."""
    return str(props["precision"]) if _approved(props) and props.get("precision") else ter.precision


def territories_frame(registry: Registry | None = None, geojson: dict | None = None) -> pd.DataFrame:
    """One row per territory (registry order), the columns of :data:`FIELDS` ``territoires``.

    The perimeter version columns come from the published GeoJSON layer when it is built
    (else empty); an approved version's precision replaces the registry's.
    """
    registry = registry or load_registry()
    by_id: dict[str, dict] = {}
    for feature in (geojson or {}).get("features", []):
        props = feature.get("properties") or {}
        if props.get("id"):
            by_id[str(props["id"])] = props
    rows = []
    for ter in registry:
        props = by_id.get(ter.id, {})
        precision = _precision(ter, props)
        row = {
            "id": ter.id,
            "name": ter.name,
            "province": ter.province,
            "communes": "; ".join(c.name for c in ter.communes),
            "communes_refnis": "; ".join(c.refnis for c in ter.communes),
            "announced_units": "; ".join(ter.announced_units),
            "job_target": ter.job_target,
            "status": ter.status,
            "status_date": ter.status_date,
            "status_source": ter.status_source,
            "status_date_precision": ter.status_date_precision,
            "status_note": ter.status_note,
            "precision": precision,
            "indicative": "true" if precision == "indicative" else "false",
        }
        for name in PERIMETER_PROPERTIES:
            value = props.get(name)
            row[name] = None if value is None else str(value)
        rows.append(row)
    return pd.DataFrame(rows, columns=_columns("territoires"))


def territories_geojson(
    registry: Registry | None = None, geojson: dict | None = None, store: PerimeterStore | None = None
) -> dict:
    """The 17 territories as a GeoJSON FeatureCollection (WGS84, RFC 7946).

    Geometry and properties come from the published web layer (``geojson``, default
    :func:`tzcld.perimeters.web.published_territories_geojson` of ``store``: the committed
    ``geodata/territories.geojson`` with each approved perimeter version in place); every
    feature carries ``perimeter_version``, ``perimeter_version_label``,
    ``perimeter_version_date`` and ``perimeter_source``. The registry's attributes are
    added to every feature so that nothing is lost (lists stay JSON arrays); an approved
    version keeps its own precision. When the geodata is not built yet, the features carry
    ``"geometry": null``. Top-level members ``name``, ``data_version`` (the published
    version string), ``attribution`` and ``generated`` describe the file.
    """
    registry = registry or load_registry()
    geojson = geojson if geojson is not None else _geodata_territories(store)
    by_id: dict[str, dict] = {}
    for feature in (geojson or {}).get("features", []):
        props = feature.get("properties") or {}
        if props.get("id"):
            by_id[str(props["id"])] = feature
    features = []
    for ter in registry:
        source = by_id.get(ter.id, {})
        props = dict(source.get("properties") or {})
        props.update(
            {
                "id": ter.id,
                "name": ter.name,
                "province": ter.province,
                "communes": props.get("communes") or [c.name for c in ter.communes],
                "communes_refnis": [c.refnis for c in ter.communes],
                "announced_units": list(ter.announced_units),
                "job_target": ter.job_target,
                "status": ter.status,
                "status_date": ter.status_date,
                "status_source": ter.status_source,
                "status_date_precision": ter.status_date_precision,
                "status_note": ter.status_note,
                "precision": _precision(ter, props),
                "indicative": _precision(ter, props) == "indicative",
            }
        )
        for name in PERIMETER_PROPERTIES:
            props.setdefault(name, None)
        features.append({"type": "Feature", "id": ter.id, "properties": props, "geometry": source.get("geometry")})
    return {
        "type": "FeatureCollection",
        "name": "territoires",
        "data_version": (geojson or {}).get("data_version") or data_version(),
        "attribution": attribution("fr"),
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "features": features,
    }


# ---------------------------------------------------------------- ledger


def _bool_text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "false"
    return "true" if bool(value) else "false"


def _utc_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def ledger_frame(observations: pd.DataFrame | None, registry: Registry | None = None) -> pd.DataFrame:
    """The public ledger: one row per observation (superseded included), oldest first.

    ``observations`` is ``Store.observations_frame(include_superseded=True)``. Columns are
    those of :data:`FIELDS` ``registre-progres`` (``entered_by`` is dropped); dates
    become ISO text, booleans ``true``/``false``; ``value`` stays a number.
    """
    registry = registry or load_registry()
    columns = _columns("registre-progres")
    if observations is None or observations.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    frame = observations.copy()
    for column in columns:
        if column not in frame:
            frame[column] = None
    frame = frame.sort_values("id", kind="stable")

    def scope_name(scope: Any) -> str:
        ter = registry.get(str(scope))
        return ter.name if ter else ("Programme" if str(scope) == "programme" else str(scope))

    out = pd.DataFrame(
        {
            "id": frame["id"].astype("Int64"),
            "scope": frame["scope"].astype(str),
            "scope_name": frame["scope"].map(scope_name),
            "metric": frame["metric"].astype(str),
            "value": pd.to_numeric(frame["value"], errors="coerce"),
            "value_text": frame["value_text"].where(frame["value_text"].notna(), None),
            "unit": frame["unit"],
            "period_date": frame["period_date"].map(
                lambda v: (
                    None
                    if v is None or (not isinstance(v, str) and pd.isna(v))
                    else (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v))
                )
            ),
            "source_title": frame["source_title"],
            "source_url": frame["source_url"],
            "entered_at": frame["entered_at"].map(_utc_text),
            "supersedes_id": pd.to_numeric(frame["supersedes_id"], errors="coerce").astype("Int64"),
            "superseded": frame["superseded"].map(_bool_text),
            "reason": frame["reason"],
            "is_example": frame["is_example"].map(_bool_text),
            **{c: frame[c] for c in ("date_precision", "date_note", "qualifier", "source_kind", "note")},
            "retracted": frame["retracted"].map(_bool_text),
        },
        columns=columns,
    )
    for column in (
        "source_title",
        "source_url",
        "reason",
        "value_text",
        "date_precision",
        "date_note",
        "qualifier",
        "source_kind",
        "note",
    ):
        out[column] = out[column].map(
            lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)
        )
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- dictionary


def dictionary_frame() -> pd.DataFrame:
    """The data dictionary: one row per field of every resource (:data:`FIELDS`)."""
    return pd.DataFrame(
        [
            {
                "resource": f.resource,
                "field": f.name,
                "type": f.type,
                "required": "true" if f.required else "false",
                "description_fr": f.description_fr,
                "description_en": f.description_en,
            }
            for f in FIELDS
        ],
        columns=_columns("dictionnaire-des-donnees"),
    )


def sources_frame(observations: pd.DataFrame | None) -> pd.DataFrame:
    """Distinct sources of the ledger (title, address, how many observations cite it)."""
    if observations is None or observations.empty:
        return pd.DataFrame(columns=["source_title", "source_url", "observations"])
    frame = observations.assign(
        source_title=observations["source_title"].fillna(""), source_url=observations["source_url"].fillna("")
    )
    counts = frame.groupby(["source_title", "source_url"], dropna=False).size().reset_index(name="observations")
    return counts.sort_values("observations", ascending=False, kind="stable").reset_index(drop=True)


def ledger_workbook_sheets(
    observations: pd.DataFrame | None, registry: Registry | None = None
) -> dict[str, pd.DataFrame]:
    """The XLSX workbook's sheets: ledger, data dictionary, sources, credits."""
    from tzcld.transparency import credits_from_manifest, read_geodata_manifest

    credits = credits_from_manifest(read_geodata_manifest())
    return {
        "registre": ledger_frame(observations, registry),
        "dictionnaire": dictionary_frame(),
        "sources": sources_frame(observations),
        "credits": pd.DataFrame(
            [
                {"producteur": c.producer, "jeu_de_donnees": c.dataset, "licence": c.licence, "mention": c.attribution}
                for c in credits
            ]
        ),
    }


def ledger_csv_bytes(observations: pd.DataFrame | None, registry: Registry | None = None) -> bytes:
    """The ledger CSV in memory (neutralised), for download buttons."""
    return csv_bytes(ledger_frame(observations, registry))


def ledger_xlsx_bytes(observations: pd.DataFrame | None, registry: Registry | None = None) -> bytes:
    """The ledger workbook in memory (neutralised), for download buttons."""
    return xlsx_bytes(ledger_workbook_sheets(observations, registry))


def dictionary_csv_bytes() -> bytes:
    """The data dictionary CSV in memory (neutralised)."""
    return csv_bytes(dictionary_frame())


def territories_geojson_bytes(
    registry: Registry | None = None, geojson: dict | None = None, store: PerimeterStore | None = None
) -> bytes:
    """The territories GeoJSON in memory (UTF-8, compact); ``geojson``/``store`` as in
    :func:`territories_geojson`."""
    doc = territories_geojson(registry, geojson, store)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def perimeters_gpkg_layers(store: PerimeterStore | None = None, registry: Registry | None = None):
    """``(territories, units, version)``: the exact published perimeters (EPSG:31370) as the
    GeoPackage's two layers, or ``None`` when the geodata is not built."""
    import geopandas as gpd
    import shapely

    from tzcld.config import LAMBERT72

    try:
        from tzcld.perimeters.published import published_perimeters, territory_versions

        units, version = published_perimeters(store)
        versions = territory_versions(store)
    except (OSError, ValueError):
        return None
    registry = registry or load_registry()
    rows = []
    for ter in registry:
        part = units[units["territory_id"] == ter.id]
        if part.empty:
            continue
        geom = shapely.union_all(part.geometry.values)
        if geom.geom_type == "Polygon":
            geom = shapely.MultiPolygon([geom])
        v = versions.get(ter.id)
        precision = str(part["precision"].iloc[0]) if v is not None and v.label != "base" else ter.precision
        rows.append(
            {
                "id": ter.id,
                "name": ter.name,
                "province": ter.province,
                "job_target": ter.job_target,
                "status": ter.status,
                "precision": precision,
                "indicative": precision == "indicative",
                "perimeter_version_label": v.label if v else "base",
                "perimeter_version_date": v.date if v else None,
                "perimeter_source": v.source if v else None,
                "data_version": version,
                "area_km2": round(geom.area / 1e6, 3),
                "geometry": geom,
            }
        )
    territories = gpd.GeoDataFrame(rows, geometry="geometry", crs=LAMBERT72)
    names = {t.id: t.name for t in registry}
    units = units.assign(territory_name=units["territory_id"].map(names))
    cols = [
        "territory_id",
        "territory_name",
        *[c for c in units.columns if c not in ("territory_id", "territory_name")],
    ]
    units = gpd.GeoDataFrame(units[cols], geometry="geometry", crs=LAMBERT72)
    units["geometry"] = [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in units.geometry.values]
    return territories, units, version


def write_perimeters_gpkg(
    path: Path | str, store: PerimeterStore | None = None, registry: Registry | None = None
) -> Path | None:
    """Write :data:`PERIMETERS_GPKG` (see :func:`perimeters_gpkg_layers`); ``None`` without geodata."""
    import pyogrio

    layers = perimeters_gpkg_layers(store, registry)
    if layers is None:
        return None
    territories, units, _version = layers
    path = Path(path)
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(territories, path, layer=GPKG_TERRITORIES_LAYER, driver="GPKG", promote_to_multi=True)
    pyogrio.write_dataframe(units, path, layer=GPKG_UNITS_LAYER, driver="GPKG", append=True, promote_to_multi=True)
    return path


def write_open_data(
    out_dir: Path | str,
    observations: pd.DataFrame | None,
    registry: Registry | None = None,
    store: PerimeterStore | None = None,
    opts: OpenDataSettings | None = None,
) -> dict[str, Path]:
    """Write every open-data file, ``LICENCE.md``, ``datapackage.json`` and the DCAT-AP-BE
    record into ``out_dir``.

    ``store`` gives the published perimeters (``None``: the committed ones). Returns
    ``{file name: path}``. The descriptor lists each file with its size and SHA-256 hash
    (see :func:`tzcld.export.datapackage.write_datapackage`); its ``version`` is the
    published version string. ``opts``: the licence, publisher and public address
    (:func:`tzcld.export.metadata.settings` of :attr:`tzcld.runtime.Settings.open_data`;
    ``None``: nothing chosen yet).
    """
    from tzcld.export import metadata
    from tzcld.export.datapackage import write_datapackage
    from tzcld.export.dcat import write_dcat

    opts = opts or metadata.settings()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    registry = registry or load_registry()
    geojson = territories_geojson(registry, store=store)
    paths: dict[str, Path] = {}
    path = out / TERRITORIES_GEOJSON
    path.write_text(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    paths[TERRITORIES_GEOJSON] = path
    paths[TERRITORIES_CSV] = write_csv(territories_frame(registry, geojson), out / TERRITORIES_CSV)
    paths[LEDGER_CSV] = write_csv(ledger_frame(observations, registry), out / LEDGER_CSV)
    paths[LEDGER_XLSX] = write_xlsx(ledger_workbook_sheets(observations, registry), out / LEDGER_XLSX)
    paths[DICTIONARY_CSV] = write_csv(dictionary_frame(), out / DICTIONARY_CSV)
    gpkg = write_perimeters_gpkg(out / PERIMETERS_GPKG, store, registry)
    if gpkg is not None:
        paths[PERIMETERS_GPKG] = gpkg
    licence = out / metadata.LICENCE_FILE
    licence.write_text(metadata.licence_markdown(opts), encoding="utf-8")
    paths[metadata.LICENCE_FILE] = licence
    version = geojson.get("data_version")
    paths[DATAPACKAGE_JSON] = write_datapackage(out, version=version, opts=opts)
    paths[DCAT_JSONLD] = write_dcat(out, version=version, opts=opts)
    return paths
