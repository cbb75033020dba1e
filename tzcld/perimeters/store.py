"""Perimeter versions: append-only, proposed by porteurs or admins, approved by admins.

A version holds a territory's full perimeter (elementary rows, EPSG:31370) with who
proposed it, when (UTC), why (``reason``), from which ``source`` (e.g. "convention FSE du
12/03/2023, annexe 2"), how it was made (``method``), the diff against the perimeter
published when it was proposed, and the decision (approved/rejected, by whom, when, note).
Versions are never updated except for that one decision, never deleted.

The **published** perimeter of a territory is its latest approved version (latest
decision), else the committed geodata (``geodata/perimeters.gpkg``, version
:func:`tzcld.geodata.layers.data_version`), shown as version ``base``.

Tables live in the ledger's database (same engine); their schema is part of the
database's one history (:mod:`tzcld.ledger.migrations`, version 5): the store assumes a
migrated database (:meth:`tzcld.runtime.Runtime.perimeter_store`, :func:`open_perimeter_store`).
Permissions are checked here, server-side (:mod:`tzcld.perimeters.permissions`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    select,
    text,
    update,
)

from tzcld.config import LAMBERT72
from tzcld.ledger.permissions import Account
from tzcld.perimeters.errors import PerimeterError
from tzcld.perimeters.permissions import check_can_approve, check_can_propose
from tzcld.perimeters.proposals import METHODS, ROW_COLUMNS, Proposal, empty_rows, make_rows
from tzcld.perimeters.versions import BASE_LABEL, latest_approved, version_label

if TYPE_CHECKING:
    from tzcld.ledger.store import Store

STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")
#: ``restore_note`` of a restored version whose decision names no administrator account here.
UNMATCHED_DECIDER = "unmatched_decider"
#: Coordinates of stored geometries are rounded to this many decimals (metres: mm).
STORED_DECIMALS = 3
_PG_LOCK_ID = 741_750_727  # advisory lock of this module's decisions
MAX_REASON = 2000

metadata = MetaData()

versions_table = Table(
    "perimeter_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("territory_id", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("precision", String(32), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("based_on", String(64), nullable=False),  # label of the published version when proposed
    Column("base_data_version", String(64), nullable=False),
    Column("units", Integer, nullable=False),
    Column("area_m2", Float, nullable=False),
    Column("rows_geojson", Text, nullable=False),  # FeatureCollection, EPSG:31370
    Column("report", Text, nullable=False),  # JSON: inputs, warnings, diff summary
    Column("decided_by", String(128), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_note", Text, nullable=True),
    # set on versions written by a restore (``perimeter import``): when, by whom, and
    # ``unmatched_decider`` when its decision names no administrator account of this server
    Column("restored_at", DateTime(timezone=True), nullable=True),
    Column("restored_by", String(128), nullable=True),
    Column("restore_note", String(32), nullable=True),
    Index("ix_perimeter_versions_territory", "territory_id", "status"),
)


@overload
def _utc(value: dt.datetime) -> dt.datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --------------------------------------------------------------------------- (de)serialisation


def _round(coords):
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], float):
            return [round(v, STORED_DECIMALS) for v in coords]
        return [_round(c) for c in coords]
    return coords


def rows_to_geojson(rows: gpd.GeoDataFrame) -> str:
    """Rows (EPSG:31370) as a GeoJSON FeatureCollection text (coordinates in metres, mm)."""
    features = []
    for rec, geom in zip(rows[list(ROW_COLUMNS)].to_dict("records"), rows.geometry.values, strict=True):
        props = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in rec.items()}
        props = {k: (v.item() if v is not None and hasattr(v, "item") else v) for k, v in props.items()}
        m = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": m["type"], "coordinates": _round(m["coordinates"])},
            }
        )
    return json.dumps({"type": "FeatureCollection", "crs": LAMBERT72, "features": features}, ensure_ascii=False)


def rows_from_geojson(text_: str) -> gpd.GeoDataFrame:
    """Inverse of :func:`rows_to_geojson` (invalid rings after rounding are repaired)."""
    doc = json.loads(text_)
    if not doc.get("features"):
        return empty_rows()
    records = []
    for f in doc["features"]:
        geom = shape(f["geometry"])
        if not geom.is_valid:
            from tzcld.geometry import polygon_parts

            geom = polygon_parts(shapely.make_valid(geom)) or shapely.MultiPolygon()
        records.append({**{k: f["properties"].get(k) for k in ROW_COLUMNS if k != "area_m2"}, "geometry": geom})
    return make_rows(records)


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class Version:
    """One perimeter version (see module docstring). Times are UTC."""

    id: int
    territory_id: str
    method: str
    status: str
    precision: str
    created_by: str
    created_at: dt.datetime
    reason: str
    source: str
    based_on: str
    base_data_version: str
    units: int
    area_m2: float
    report: dict
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    restored_at: dt.datetime | None = None
    restored_by: str | None = None
    restore_note: str | None = None

    @property
    def label(self) -> str:
        return version_label(self.id)

    def restore_mark(self, lang: str = "fr") -> str:
        """ "restauré le … par …" (and "décideur non reconnu…") for a restored version, else ``""``."""
        from tzcld.i18n import t
        from tzcld.restore import restore_mark

        mark = restore_mark(self.restored_at, self.restored_by, lang)
        if mark and self.restore_note == UNMATCHED_DECIDER:
            mark += " ; " + t("restore.unmatched_mark", lang)
        return mark


VERSION_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "territory_id",
    "method",
    "status",
    "precision",
    "created_by",
    "created_at",
    "reason",
    "source",
    "based_on",
    "units",
    "area_m2",
    "decided_by",
    "decided_at",
    "decision_note",
    "published",
    "restored_at",
    "restored_by",
    "restore_note",
)


def _version(row) -> Version:
    m = dict(row._mapping)
    return Version(
        id=int(m["id"]),
        territory_id=m["territory_id"],
        method=m["method"],
        status=m["status"],
        precision=m["precision"],
        created_by=m["created_by"],
        created_at=_utc(m["created_at"]),
        reason=m["reason"],
        source=m["source"],
        based_on=m["based_on"],
        base_data_version=m["base_data_version"],
        units=int(m["units"]),
        area_m2=float(m["area_m2"]),
        report=json.loads(m["report"] or "{}"),
        decided_by=m["decided_by"],
        decided_at=_utc(m["decided_at"]),
        decision_note=m["decision_note"],
        restored_at=_utc(m.get("restored_at")),
        restored_by=m.get("restored_by"),
        restore_note=m.get("restore_note"),
    )


_LIGHT = [c for c in versions_table.c if c.name != "rows_geojson"]


class PerimeterStore:
    """Perimeter versions in the ledger's database (see module docstring); ``engine``'s
    database is migrated (:func:`tzcld.ledger.migrations.migrate`). Building one costs nothing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ writes
    def propose(
        self,
        actor: Account,
        proposal: Proposal,
        reason: str,
        source: str,
        diff_summary: dict | None = None,
    ) -> int:
        """Save ``proposal`` as a new pending version; returns its id.

        The account must be allowed to propose for the territory (porteur: own territory;
        admin: any). A reason and a source are required (:class:`PerimeterError`, French).
        """
        check_can_propose(actor, proposal.territory_id)
        reason, source = (reason or "").strip(), (source or "").strip()
        if not reason:
            raise PerimeterError("error.reason_required")
        if not source:
            raise PerimeterError("error.source_required")
        if len(reason) > MAX_REASON or len(source) > MAX_REASON:
            raise PerimeterError("error.too_long", limit=MAX_REASON)
        if proposal.method not in METHODS:
            raise PerimeterError("error.bad_method", method=proposal.method)
        rows = proposal.rows
        if not len(rows) or rows.geometry.is_empty.all():
            raise PerimeterError("error.empty_selection")
        if set(rows["territory_id"]) != {proposal.territory_id}:
            raise PerimeterError("error.rows_other_territory")
        from tzcld.geodata.layers import data_version

        based_on = self.published_label(proposal.territory_id)
        report = {
            "inputs": proposal.inputs,
            "warnings": [[k, p] for k, p in proposal.warnings],
            "diff": diff_summary or {},
        }
        now = dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            result = conn.execute(
                versions_table.insert()
                .values(
                    territory_id=proposal.territory_id,
                    method=proposal.method,
                    status="pending",
                    precision=proposal.precision,
                    created_by=actor.username,
                    created_at=now,
                    reason=reason,
                    source=source,
                    based_on=based_on,
                    base_data_version=data_version(),
                    units=len(rows),
                    area_m2=round(proposal.area_m2, 1),
                    rows_geojson=rows_to_geojson(rows),
                    report=json.dumps(report, ensure_ascii=False, default=str),
                )
                .returning(versions_table.c.id)
            )
            return int(result.scalar_one())

    def _decide(self, actor: Account, version_id: int, status: str, note: str) -> Version:
        check_can_approve(actor)
        now = dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
            row = conn.execute(select(*_LIGHT).where(versions_table.c.id == int(version_id))).first()
            if row is None:
                raise PerimeterError("error.unknown_version", id=version_id)
            if row.status != "pending":
                raise PerimeterError("error.already_decided", id=version_id, status=row.status)
            done = conn.execute(
                update(versions_table)
                .where(and_(versions_table.c.id == int(version_id), versions_table.c.status == "pending"))
                .values(status=status, decided_by=actor.username, decided_at=now, decision_note=(note or "").strip())
            )
            if done.rowcount != 1:  # pragma: no cover - guarded by the lock / immediate transaction
                raise PerimeterError("error.already_decided", id=version_id, status="?")
        got = self.get(version_id)
        assert got is not None
        return got

    def approve(self, actor: Account, version_id: int, note: str = "") -> Version:
        """Approve a pending version (administrators only): it becomes the published one."""
        return self._decide(actor, version_id, "approved", note)

    def reject(self, actor: Account, version_id: int, note: str) -> Version:
        """Reject a pending version (administrators only); a note saying why is required."""
        if not (note or "").strip():
            check_can_approve(actor)
            raise PerimeterError("error.note_required")
        return self._decide(actor, version_id, "rejected", note)

    # ------------------------------------------------------------------- reads
    def get(self, version_id: int) -> Version | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_LIGHT).where(versions_table.c.id == int(version_id))).first()
        return None if row is None else _version(row)

    def rows(self, version_id: int) -> gpd.GeoDataFrame:
        """The perimeter rows (EPSG:31370) of a version."""
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(versions_table.c.rows_geojson).where(versions_table.c.id == int(version_id))
            ).scalar()
        if raw is None:
            raise PerimeterError("error.unknown_version", id=version_id)
        return rows_from_geojson(raw)

    def rows_of(self, territory_id: str, label: str) -> gpd.GeoDataFrame:
        """The perimeter rows (EPSG:31370) of version ``label`` of a territory: ``base`` is
        the committed ``geodata/perimeters.gpkg``, ``v<id>`` a stored version."""
        if label == BASE_LABEL:
            from tzcld.geodata.layers import read_perimeters

            base = read_perimeters()
            return base[base["territory_id"] == territory_id].reset_index(drop=True)
        version_id = int(label.lstrip("v"))
        version = self.get(version_id)
        if version is None or version.territory_id != territory_id:
            raise PerimeterError("error.unknown_version", id=version_id)
        return self.rows(version_id)

    def versions(self, territory_id: str | None = None, status: str | None = None) -> list[Version]:
        """Versions, oldest first, optionally of one territory and/or one status."""
        query = select(*_LIGHT).order_by(versions_table.c.id)
        if territory_id is not None:
            query = query.where(versions_table.c.territory_id == territory_id)
        if status is not None:
            query = query.where(versions_table.c.status == status)
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(query)]

    def pending(self) -> list[Version]:
        """The approval queue: pending versions of every territory, oldest first."""
        return self.versions(status="pending")

    def published_ids(self) -> dict[str, int]:
        """Territory id → id of its published version (latest approval), for territories
        that have one; the others use the committed geodata."""
        return latest_approved(self.versions(status="approved"))

    def published(self, territory_id: str) -> Version | None:
        """The published version of a territory, or ``None`` (committed geodata)."""
        vid = self.published_ids().get(territory_id)
        return None if vid is None else self.get(vid)

    def published_label(self, territory_id: str) -> str:
        return version_label(self.published_ids().get(territory_id))

    def history(self, territory_id: str) -> pd.DataFrame:
        """The version history of a territory, newest first (columns :data:`VERSION_COLUMNS`),
        ending with the committed ``base`` version."""
        from tzcld.geodata.layers import data_version, read_manifest

        published = self.published_ids().get(territory_id)
        recs = []
        for v in reversed(self.versions(territory_id)):
            recs.append(
                {
                    "id": v.id,
                    "label": v.label,
                    "territory_id": v.territory_id,
                    "method": v.method,
                    "status": v.status,
                    "precision": v.precision,
                    "created_by": v.created_by,
                    "created_at": v.created_at,
                    "reason": v.reason,
                    "source": v.source,
                    "based_on": v.based_on,
                    "units": v.units,
                    "area_m2": v.area_m2,
                    "decided_by": v.decided_by,
                    "decided_at": v.decided_at,
                    "decision_note": v.decision_note,
                    "published": v.id == published,
                    "restored_at": v.restored_at,
                    "restored_by": v.restored_by,
                    "restore_note": v.restore_note,
                }
            )
        try:
            manifest = read_manifest()
            base_source = f"geodata/perimeters.gpkg ({data_version()})"
        except (FileNotFoundError, OSError):
            manifest, base_source = {}, "geodata/perimeters.gpkg"
        recs.append(
            {
                "id": None,
                "label": BASE_LABEL,
                "territory_id": territory_id,
                "method": "geodata-build",
                "status": "approved",
                "precision": "",
                "created_by": "python -m tzcld geodata build",
                "created_at": None,
                "reason": "",
                "source": base_source,
                "based_on": "",
                "units": None,
                "area_m2": None,
                "decided_by": None,
                "decided_at": None,
                "decision_note": manifest.get("data_version", ""),
                "published": published is None,
                "restored_at": None,
                "restored_by": None,
                "restore_note": None,
            }
        )
        frame = pd.DataFrame(recs, columns=list(VERSION_COLUMNS))
        frame["id"] = frame["id"].astype("Int64")
        frame["units"] = frame["units"].astype("Int64")
        return frame

    # ------------------------------------------------------------ backup / restore
    def export_versions(self, territory_id: str | None = None) -> dict:
        """Every version (all statuses), optionally of one territory, as one GeoJSON
        document in EPSG:31370 (format: :mod:`tzcld.perimeters.backup`)."""
        from tzcld.perimeters.backup import export_document, version_features

        query = select(versions_table).order_by(versions_table.c.id)
        if territory_id is not None:
            query = query.where(versions_table.c.territory_id == territory_id)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        published = {tid: vid for tid, vid in self.published_ids().items() if territory_id in (None, tid)}
        features: list[dict] = []
        for r in rows:
            v = _version(r)
            features.extend(version_features(v, r.rows_geojson, published.get(v.territory_id) == v.id))
        labels = {tid: version_label(vid) for tid, vid in sorted(published.items())}
        return export_document(features, labels, territory_id)

    def import_versions(
        self,
        doc: object,
        dry_run: bool = False,
        *,
        restored_by: str | None = None,
        administrators: set[str] | None = None,
        accept_unmatched: bool = False,
    ) -> RestoreSummary:
        """Restore a :meth:`export_versions` document: one transaction, all or nothing.

        A **restore path**: versions keep their authors, times, statuses and decisions, and
        no account or permission is involved (the caller is the administrator of the
        database). Every version written is **marked** ``restored_at`` (now) /
        ``restored_by`` (``restored_by``: the ``--as`` account or ``cli:<OS user>``).
        The decision of an approved or rejected version must name one of ``administrators``
        (the administrator accounts of this server; none by default): otherwise the restore is refused,
        naming the accounts it could not match — or, with ``accept_unmatched``, those
        versions are written with ``restore_note = "unmatched_decider"``, shown as
        "décideur non reconnu à la restauration". A damaged SQLite database is refused before
        anything is written. A version already present (same territory and ``created_at``; same
        ``created_by`` when under another id) is skipped; the others are inserted under
        their own id when it is free, else under a new id above every id in use, and the
        ``based_on`` labels of the inserted versions follow that mapping. Restoring twice
        changes nothing. With ``dry_run`` everything is checked and rolled back.
        Raises :class:`~tzcld.perimeters.backup.PerimeterImportError` (French) when the
        document is not a valid export; nothing is written then.
        """
        from tzcld.ledger.integrity import ensure_intact
        from tzcld.perimeters.backup import PerimeterImportError, parse_export
        from tzcld.restore import cli_actor_name

        records = parse_export(doc)
        if not dry_run:
            ensure_intact(self.engine)
        administrators = set(administrators or ())
        restored_by = restored_by or cli_actor_name()
        now = dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn:
            trans = conn.begin()
            try:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
                existing = [_version(r) for r in conn.execute(select(*_LIGHT))]
                by_id = {v.id: v for v in existing}
                by_signature = {(v.territory_id, v.created_at, v.created_by): v.id for v in existing}
                next_id = max([0, *by_id, *(r.id for r in records)]) + 1
                mapping: dict[int, int] = {}
                skipped: list[int] = []
                differing: list[int] = []
                to_insert = []
                for rec in records:
                    same = by_id.get(rec.id)
                    if same is not None and (same.territory_id, same.created_at) == (rec.territory_id, rec.created_at):
                        mapping[rec.id] = rec.id
                    elif (rec.territory_id, rec.created_at, rec.created_by) in by_signature:
                        mapping[rec.id] = by_signature[(rec.territory_id, rec.created_at, rec.created_by)]
                    else:
                        if same is None:
                            mapping[rec.id] = rec.id
                        else:
                            mapping[rec.id] = next_id
                            next_id += 1
                        to_insert.append(rec)
                        continue
                    skipped.append(rec.id)
                    here = by_id[mapping[rec.id]]
                    if (here.status, here.decided_at) != (rec.status, rec.decided_at):
                        differing.append(rec.id)
                unmatched = sorted(
                    {
                        str(rec.decided_by)
                        for rec in to_insert
                        if rec.status in ("approved", "rejected") and rec.decided_by not in administrators
                    }
                )
                if unmatched and not accept_unmatched:
                    from tzcld.i18n import t

                    names = ", ".join(f"« {n} »" for n in unmatched)
                    raise PerimeterImportError([t("restore.unmatched_deciders", "fr", names=names)])
                for rec in to_insert:
                    values = rec.values()
                    values["id"] = mapping[rec.id]
                    values["restored_at"] = now
                    values["restored_by"] = restored_by
                    values["restore_note"] = (
                        UNMATCHED_DECIDER
                        if rec.status in ("approved", "rejected") and rec.decided_by not in administrators
                        else None
                    )
                    if rec.based_on != BASE_LABEL:
                        values["based_on"] = version_label(mapping.get(int(rec.based_on[1:]), int(rec.based_on[1:])))
                    conn.execute(versions_table.insert().values(**values))
                if to_insert and conn.dialect.name == "postgresql":  # explicit ids: move the sequence past them
                    conn.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence('perimeter_versions', 'id'), "
                            "(SELECT MAX(id) FROM perimeter_versions))"
                        )
                    )
                after = [
                    _version(r) for r in conn.execute(select(*_LIGHT).where(versions_table.c.status == "approved"))
                ]
                published = latest_approved(after)
            except BaseException:
                trans.rollback()
                raise
            if dry_run:
                trans.rollback()
            else:
                trans.commit()
        return RestoreSummary(
            imported={rec.id: mapping[rec.id] for rec in to_insert},
            skipped=skipped,
            differing=differing,
            published=published,
            dry_run=dry_run,
            restored_by=restored_by,
            unmatched=unmatched,
        )


@dataclass(frozen=True)
class RestoreSummary:
    """What :meth:`PerimeterStore.import_versions` did (or would do, ``dry_run``)."""

    imported: dict[int, int]  # id in the file -> id in the database
    skipped: list[int]  # ids in the file already present
    differing: list[int]  # skipped, but the database has another status/decision
    published: dict[str, int]  # territory -> published version id, afterwards
    dry_run: bool = False
    restored_by: str = ""  # whose restore marks the inserted versions carry
    unmatched: list[str] = field(default_factory=list)  # deciders matched to no admin (accepted)

    @property
    def remapped(self) -> dict[int, int]:
        """Versions inserted under another id than in the file."""
        return {old: new for old, new in self.imported.items() if old != new}


def open_perimeter_store(url: str) -> PerimeterStore:
    """The perimeter store of the database ``url`` (created and migrated if needed): for
    scripts and tests; the dashboard and the CLIs use :meth:`tzcld.runtime.Runtime.perimeter_store`."""
    from tzcld.ledger.migrations import migrate
    from tzcld.ledger.store import database_url, make_engine

    engine = make_engine(database_url(url))
    migrate(engine)
    return PerimeterStore(engine)


def perimeter_store_for(ledger_store: Store) -> PerimeterStore:
    """The perimeter store sharing a ledger store's engine (its database is migrated)."""
    return PerimeterStore(ledger_store.engine)
