"""Perimeter versions as one GeoJSON file: the backup / move format of ``python -m tzcld
perimeter export|import`` (the ledger export holds observations only).

The file is a GeoJSON FeatureCollection **in Belgian Lambert 72 (EPSG:31370, metres)**, named
by a ``crs`` member (``urn:ogc:def:crs:EPSG::31370``, the GeoJSON 2008 way that QGIS/GDAL
read), so coordinates round-trip to the millimetre exactly as stored. One feature per
perimeter row of every version (all statuses); a version without rows has one feature with
a ``null`` geometry. Properties:

- the version's metadata, prefixed ``version_``: ``version_id``, ``version_label``,
  ``version_status``, ``version_method``, ``version_precision``, ``version_created_by``,
  ``version_created_at`` (ISO 8601, UTC), ``version_reason``, ``version_source``,
  ``version_based_on``, ``version_base_data_version``, ``version_units``,
  ``version_area_m2``, ``version_decided_by``, ``version_decided_at``,
  ``version_decision_note``, ``version_report`` (object), ``version_published`` (informative),
  ``version_restored_at`` / ``version_restored_by`` / ``version_restore_note`` (informative:
  set when the version came from a restore; a new restore marks what it writes with its own);
- the row's columns (:data:`tzcld.perimeters.proposals.ROW_COLUMNS`): ``territory_id``,
  ``unit``, ``unit_kind``, ``unit_code``, ``commune_refnis``, ``precision``, ``method``,
  ``area_m2``.

Top-level members: ``tzcld_format`` / ``format_version`` (what this file is),
``data_version`` (committed geodata when exported), ``exported_at``, ``territory`` (the
``--territory`` filter or ``null``), ``attribution`` (data producers' credit) and
``published`` (territory → published label, informative).

:func:`parse_export` validates a whole file and returns :class:`VersionRecord` s, or raises
:class:`PerimeterImportError` listing every problem in French; the store does the writing
(:meth:`tzcld.perimeters.store.PerimeterStore.import_versions`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import TypeGuard

from tzcld.geodata.layers import PERIMETER_COLUMNS
from tzcld.i18n import t
from tzcld.perimeters.errors import PerimeterError
from tzcld.perimeters.store import Version

FORMAT = "tzcld-perimeter-versions"
FORMAT_VERSION = 1
CRS_URN = "urn:ogc:def:crs:EPSG::31370"
CRS_MEMBER = {"type": "name", "properties": {"name": CRS_URN}}
#: Names accepted for EPSG:31370 in the ``crs`` member.
CRS_NAMES = frozenset(
    {CRS_URN, "EPSG:31370", "urn:ogc:def:crs:EPSG:31370", "http://www.opengis.net/def/crs/EPSG/0/31370"}
)
#: Plausible Lambert 72 coordinates in Belgium (metres); WGS84 degrees fall outside.
X_RANGE = (10_000.0, 310_000.0)
Y_RANGE = (10_000.0, 260_000.0)
#: Stop listing problems after this many (the file is refused anyway).
MAX_MESSAGES = 20
STORED_DECIMALS = 3

#: Row columns stored with each version (same order as the store's ``rows_geojson``).
ROW_KEYS: tuple[str, ...] = PERIMETER_COLUMNS
#: Column → maximum length of the database's string columns.
_LIMITS = {
    "territory_id": 64,
    "method": 16,
    "status": 16,
    "precision": 32,
    "created_by": 128,
    "based_on": 64,
    "base_data_version": 64,
    "decided_by": 128,
}
_LABEL = re.compile(r"^(base|v[1-9][0-9]*)$")


class PerimeterImportError(PerimeterError):
    """A perimeter export that cannot be restored; ``messages`` lists every problem (French)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("import.invalid", count=len(self.messages))

    def message(self, lang: str = "fr") -> str:
        return "\n".join([super().message(lang), *self.messages])


@dataclass(frozen=True)
class VersionRecord(Version):
    """One version read from an export, with its perimeter rows (GeoJSON features:
    ``ROW_KEYS`` + geometry), ready to be written to the database."""

    rows: list[dict] = field(default_factory=list)

    def values(self) -> dict:
        """Column values for ``perimeter_versions`` (``id`` included)."""
        from tzcld.config import LAMBERT72

        rows_geojson = json.dumps(
            {"type": "FeatureCollection", "crs": LAMBERT72, "features": self.rows}, ensure_ascii=False
        )
        return {
            "id": self.id,
            "territory_id": self.territory_id,
            "method": self.method,
            "status": self.status,
            "precision": self.precision,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "reason": self.reason,
            "source": self.source,
            "based_on": self.based_on,
            "base_data_version": self.base_data_version,
            "units": self.units,
            "area_m2": self.area_m2,
            "rows_geojson": rows_geojson,
            "report": json.dumps(self.report, ensure_ascii=False, default=str),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "decision_note": self.decision_note,
        }


# --------------------------------------------------------------------------- writing


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def version_features(version, rows_geojson: str, published: bool) -> list[dict]:
    """The export features of one version (``version``: a store ``Version``)."""
    meta = {
        "version_id": version.id,
        "version_label": version.label,
        "version_status": version.status,
        "version_method": version.method,
        "version_precision": version.precision,
        "version_created_by": version.created_by,
        "version_created_at": _iso(version.created_at),
        "version_reason": version.reason,
        "version_source": version.source,
        "version_based_on": version.based_on,
        "version_base_data_version": version.base_data_version,
        "version_units": version.units,
        "version_area_m2": version.area_m2,
        "version_decided_by": version.decided_by,
        "version_decided_at": _iso(version.decided_at),
        "version_decision_note": version.decision_note,
        "version_report": version.report,
        "version_published": published,
        "version_restored_at": _iso(version.restored_at),
        "version_restored_by": version.restored_by,
        "version_restore_note": version.restore_note,
    }
    stored = json.loads(rows_geojson).get("features") or []
    if not stored:
        empty = dict.fromkeys(ROW_KEYS) | {"territory_id": version.territory_id}
        return [{"type": "Feature", "properties": {**meta, **empty}, "geometry": None}]
    return [
        {
            "type": "Feature",
            "properties": {**meta, **{k: f["properties"].get(k) for k in ROW_KEYS}},
            "geometry": f["geometry"],
        }
        for f in stored
    ]


def export_document(features: list[dict], published: dict[str, str], territory_id: str | None) -> dict:
    """The whole export file (see module docstring) around ``features``."""
    from tzcld.geodata.layers import attribution, data_version

    try:
        version = data_version()
    except (FileNotFoundError, OSError, KeyError):
        version = None
    return {
        "type": "FeatureCollection",
        "name": "tzcld_perimeter_versions",
        "crs": CRS_MEMBER,
        "tzcld_format": FORMAT,
        "format_version": FORMAT_VERSION,
        "data_version": version,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "territory": territory_id,
        "attribution": attribution(),
        "published": published,
        "features": features,
    }


# --------------------------------------------------------------------------- reading


def _msg(key: str, **params: object) -> str:
    return t(f"perimeter.import.{key}", "fr", **params)


def _round(coords):
    if isinstance(coords, bool):
        raise TypeError
    if isinstance(coords, (int, float)):
        if not math.isfinite(coords):
            raise TypeError
        return round(float(coords), STORED_DECIMALS)
    if isinstance(coords, list):
        return [_round(c) for c in coords]
    raise TypeError


def _positions(coords):
    if coords and isinstance(coords[0], float):
        yield coords
    else:
        for c in coords:
            yield from _positions(c)


def _geometry(geom, where: str, problems: list[str]):
    """The feature's geometry rounded to the millimetre, ``None`` for a version without
    rows; appends to ``problems`` when unusable."""
    if geom is None:
        return None
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
        problems.append(_msg("not_polygon", where=where, kind=kind))
        return None
    try:
        coords = _round(geom.get("coordinates"))
        from shapely.geometry import shape

        shape({"type": geom["type"], "coordinates": coords})
    except Exception:  # noqa: BLE001 - any malformed coordinate array
        problems.append(_msg("bad_geometry", where=where))
        return None
    for x, y, *_ in _positions(coords):
        if not (X_RANGE[0] <= x <= X_RANGE[1] and Y_RANGE[0] <= y <= Y_RANGE[1]):
            problems.append(_msg("outside_belgium", where=where, x=x, y=y))
            return None
    return {"type": geom["type"], "coordinates": coords}


def _time(value, name: str, where: str, problems: list[str], required: bool) -> dt.datetime | None:
    if value is None or value == "":
        if required:
            problems.append(_msg("missing", where=where, field=name))
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(_msg("bad_time", where=where, field=name, value=value))
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _text(props: dict, key: str, name: str, where: str, problems: list[str], *, required: bool, nullable: bool = False):
    value = props.get(key)
    if value is None and nullable:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(_msg("missing", where=where, field=name))
        return None
    limit = _LIMITS.get(name)
    if limit is not None and len(value) > limit:
        problems.append(_msg("too_long", where=where, field=name, limit=limit))
        return None
    return value


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _version_meta(props: dict, where: str, problems: list[str]) -> dict | None:
    from tzcld.perimeters.proposals import METHODS
    from tzcld.perimeters.store import STATUSES
    from tzcld.territories import TERRITORY_IDS

    before = len(problems)
    meta: dict = {}
    tid = props.get("territory_id")
    if tid not in TERRITORY_IDS:
        problems.append(_msg("unknown_territory", where=where, territory=tid))
    meta["territory_id"] = tid
    status = props.get("version_status")
    if status not in STATUSES:
        problems.append(_msg("bad_status", where=where, status=status))
    meta["status"] = status
    method = props.get("version_method")
    if method not in METHODS:
        problems.append(_msg("bad_method", where=where, method=method))
    meta["method"] = method
    for name in ("precision", "created_by"):
        meta[name] = _text(props, f"version_{name}", name, where, problems, required=True)
    for name in ("reason", "source", "base_data_version"):
        meta[name] = _text(props, f"version_{name}", name, where, problems, required=False)
    based_on = _text(props, "version_based_on", "based_on", where, problems, required=True)
    if based_on is not None and not _LABEL.match(based_on):
        problems.append(_msg("bad_label", where=where, field="based_on", value=based_on))
    meta["based_on"] = based_on
    meta["created_at"] = _time(props.get("version_created_at"), "created_at", where, problems, required=True)
    decided = status in ("approved", "rejected")
    meta["decided_by"] = _text(
        props, "version_decided_by", "decided_by", where, problems, required=decided, nullable=not decided
    )
    meta["decided_at"] = _time(props.get("version_decided_at"), "decided_at", where, problems, required=decided)
    note = props.get("version_decision_note")
    if note is not None and not isinstance(note, str):
        problems.append(_msg("missing", where=where, field="decision_note"))
    meta["decision_note"] = note
    units = props.get("version_units")
    if not isinstance(units, int) or isinstance(units, bool) or units < 0:
        problems.append(_msg("missing", where=where, field="units"))
    meta["units"] = units
    area = props.get("version_area_m2")
    if not _number(area) or area < 0:
        problems.append(_msg("missing", where=where, field="area_m2"))
    meta["area_m2"] = float(area) if _number(area) else None
    report = props.get("version_report")
    if not isinstance(report, dict):
        problems.append(_msg("missing", where=where, field="report"))
    meta["report"] = report
    return meta if len(problems) == before else None


def _row(props: dict, geometry, where: str, problems: list[str]) -> dict:
    out = {}
    for key in ROW_KEYS:
        value = props.get(key)
        if key == "area_m2":
            if value is not None and not _number(value):
                problems.append(_msg("missing", where=where, field="area_m2"))
        elif value is not None and not isinstance(value, str):
            problems.append(_msg("missing", where=where, field=key))
        out[key] = value
    return {"type": "Feature", "properties": out, "geometry": geometry}


def parse_export(doc: object) -> list[VersionRecord]:
    """Every version of a ``perimeter export`` file (parsed JSON), ids ascending.

    Raises :class:`PerimeterImportError` (every problem, in French) for anything that is
    not such a file or would not restore exactly: other CRS, coordinates outside Belgium,
    unknown territory/status/method, missing metadata, a version whose features disagree or
    whose row count differs from its ``version_units``.
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or doc.get("tzcld_format") != FORMAT:
        raise PerimeterImportError([_msg("not_export")])
    if doc.get("format_version") != FORMAT_VERSION:
        raise PerimeterImportError(
            [_msg("bad_format_version", version=doc.get("format_version"), expected=FORMAT_VERSION)]
        )
    crs = doc.get("crs")
    name = (
        crs.get("properties", {}).get("name")
        if isinstance(crs, dict) and isinstance(crs.get("properties"), dict)
        else None
    )
    if name not in CRS_NAMES:
        raise PerimeterImportError([_msg("bad_crs", crs=name)])
    features = doc.get("features")
    if not isinstance(features, list):
        raise PerimeterImportError([_msg("not_export")])
    problems: list[str] = []
    metas: dict[int, dict] = {}
    rows: dict[int, list[dict]] = {}
    meta_keys: dict[int, dict] = {}
    for n, feature in enumerate(features, start=1):
        if len(problems) >= MAX_MESSAGES:
            break
        where = _msg("where_feature", n=n)
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(_msg("no_properties", where=where))
            continue
        vid = props.get("version_id")
        if not isinstance(vid, int) or isinstance(vid, bool) or vid < 1:
            problems.append(_msg("missing", where=where, field="version_id"))
            continue
        where = _msg("where_version", n=n, label=f"v{vid}")
        raw_meta = {k: v for k, v in props.items() if k.startswith("version_") and k != "version_published"}
        raw_meta["territory_id"] = props.get("territory_id")
        if vid in meta_keys:
            if raw_meta != meta_keys[vid]:
                problems.append(_msg("inconsistent", where=where, label=f"v{vid}"))
                continue
        else:
            meta_keys[vid] = raw_meta
            meta = _version_meta(props, where, problems)
            if meta is None:
                continue
            metas[vid] = meta
            rows[vid] = []
        if vid not in metas:
            continue
        geometry = _geometry(feature.get("geometry"), where, problems)
        if feature.get("geometry") is None:
            continue  # a version without rows
        if geometry is not None:
            rows[vid].append(_row(props, geometry, where, problems))
    if not problems:
        for vid, meta in metas.items():
            if len(rows[vid]) != meta["units"]:
                problems.append(_msg("units_mismatch", label=f"v{vid}", units=meta["units"], found=len(rows[vid])))
    if problems:
        raise PerimeterImportError(problems[:MAX_MESSAGES])
    return [VersionRecord(id=vid, rows=rows[vid], **metas[vid]) for vid in sorted(metas)]
