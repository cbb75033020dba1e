"""The ledger store: append-only observations in SQLite (default) or PostgreSQL.

The dashboard, the CLIs and the API get it from their runtime
(:meth:`tzcld.runtime.Runtime.ledger_store`); :func:`open_store` opens one on a given URL
(scripts, tests). Writes go through :meth:`Store.record`, which validates every entry,
checks the account's permissions (server-side) and writes all entries in one transaction,
or none. Reads return pandas DataFrames.

Database: any SQLAlchemy URL (``postgresql://user:pass@host/db``; the default, SQLite in
the data folder, is :attr:`tzcld.runtime.Settings.database_url`). SQLite gets a WAL journal,
a 30 s busy timeout and writes in ``BEGIN IMMEDIATE`` transactions, so concurrent writers
queue instead of failing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, and_, create_engine, event, or_, select, text
from sqlalchemy.engine import make_url

from tzcld.config import normalise_database_url
from tzcld.i18n import t
from tzcld.ledger.metrics import POLITICAL
from tzcld.ledger.migrations import migrate
from tzcld.ledger.models import ObservationRow
from tzcld.ledger.permissions import Account, PermissionDenied, check_can_record
from tzcld.ledger.validation import ObservationInput, ValidationError, period_midpoint, validate_input

#: ``entered_by`` of the rows seeded from ``geodata/published_facts.csv`` (older databases: ``seed``).
SEED_ACCOUNT = "import-chiffres-publies"
#: PostgreSQL advisory lock taken by every ledger write transaction.
WRITE_LOCK_ID = 741_750_726

#: Columns of :meth:`Store.observations_frame` (a stable contract for other modules).
FRAME_COLUMNS: tuple[str, ...] = (
    "id",
    "scope",
    "metric",
    "value",
    "unit",
    "period_date",
    "source_title",
    "source_url",
    "entered_by",
    "entered_at",
    "supersedes_id",
    "superseded",
    "reason",
    "is_example",
    "value_text",
    "superseded_by",
    "seed_key",
    "date_precision",
    "date_note",
    "qualifier",
    "source_kind",
    "note",
    "retracted",
    "fact_key",
    "restored_at",
    "restored_by",
)
#: Text columns added by schema version 2 (empty text when not set).
_V2_TEXT = ("date_precision", "date_note", "qualifier", "source_kind", "note")


def database_url(url: str) -> str:
    """The SQLAlchemy URL to use for ``url``: ``postgres(ql)://`` gets the psycopg 3 driver."""
    return normalise_database_url(url)


#: Seconds to wait for a PostgreSQL server before giving up (``connect_timeout``).
PG_CONNECT_TIMEOUT_S = 10


def _enable_wal(cursor, attempts: int = 300, pause_s: float = 0.1) -> None:
    """``PRAGMA journal_mode=WAL``, retried: when several processes create the database
    at once, SQLite can answer this pragma "database is locked" at once, without
    waiting for the busy timeout."""
    import sqlite3
    import time

    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(pause_s)


def _create_private(path: Path) -> None:
    """Create a missing SQLite file readable by its owner only (0600, as the accounts file):
    it holds the ledger, the perimeter versions and the sign-in journal. An empty file is an
    empty database; an existing file keeps its mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and immediate
    write transactions (``execution_options(tzcld_write=True)``)."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        # A server that does not answer fails in seconds rather than at the TCP time-out
        # (pages then fall back and say so); the URL's own ``connect_timeout`` wins.
        connect_args = {} if "connect_timeout" in sa_url.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if sa_url.database and sa_url.database != ":memory:" and not sa_url.database.startswith("file:"):
        _create_private(Path(sa_url.database))
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        _enable_wal(cur)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get("tzcld_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


TABLE = ObservationRow.__table__


def _row_dict(row) -> dict:
    """A database row (``Row`` of :data:`TABLE`) as a plain dict, ``entered_at`` in UTC."""
    out = dict(row._mapping)
    out["entered_at"] = _utc(out["entered_at"])
    out["restored_at"] = _utc(out.get("restored_at"))
    return out


def empty_frame() -> pd.DataFrame:
    """An observations frame with no rows and the right dtypes."""
    return _typed(pd.DataFrame({c: [] for c in FRAME_COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=list(FRAME_COLUMNS))
    frame["id"] = frame["id"].astype("Int64")
    frame["supersedes_id"] = frame["supersedes_id"].astype("Int64")
    frame["superseded_by"] = frame["superseded_by"].astype("Int64")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["superseded"] = frame["superseded"].fillna(False).astype(bool)
    frame["is_example"] = frame["is_example"].fillna(False).astype(bool)
    frame["retracted"] = frame["retracted"].fillna(False).astype(bool)
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True)
    frame["restored_at"] = pd.to_datetime(frame["restored_at"], utc=True)
    for col in (
        "scope",
        "metric",
        "unit",
        "period_date",
        "source_title",
        "source_url",
        "entered_by",
        "reason",
        *_V2_TEXT,
    ):
        frame[col] = frame[col].fillna("").astype(object)
    for col in ("value_text", "seed_key", "fact_key", "restored_by"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame.reset_index(drop=True)


def with_supersede_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill ``superseded`` / ``superseded_by`` from ``supersedes_id`` (latest corrector wins)."""
    frame = frame.copy()
    by: dict[int, int] = {}
    for oid, sup in zip(frame["id"], frame["supersedes_id"]):
        if pd.notna(sup):
            by[int(sup)] = max(by.get(int(sup), int(oid)), int(oid))
    frame["superseded_by"] = [by.get(int(i)) if pd.notna(i) else None for i in frame["id"]]
    frame["superseded"] = [int(i) in by if pd.notna(i) else False for i in frame["id"]]
    return frame


def effective_of(frame: pd.DataFrame, political: bool = False) -> pd.DataFrame:
    """The rows of an observations frame that hold a current figure: not superseded, not a
    retraction, and (unless ``political``) not a political statement."""
    keep = ~frame["superseded"].astype(bool)
    if "retracted" in frame:
        keep &= ~frame["retracted"].fillna(False).astype(bool)
    if not political and "source_kind" in frame:
        keep &= frame["source_kind"].fillna("") != POLITICAL
    return frame[keep]


def latest_of(frame: pd.DataFrame, scope: str | None = None, metric: str | None = None) -> pd.DataFrame:
    """Latest effective observation per (scope, metric) of an observations frame.

    Effective = see :func:`effective_of` (political statements never count). Latest = the
    most recent ``period_date`` (partial dates at their midpoint, see
    :func:`period_midpoint`), then the most recently entered. A (scope, metric) with no
    entry has no row: it is unknown, not zero.
    """
    cur = effective_of(frame)
    if scope is not None:
        cur = cur[cur["scope"] == scope]
    if metric is not None:
        cur = cur[cur["metric"] == metric]
    if cur.empty:
        return cur.reset_index(drop=True)
    cur = cur.assign(
        _mid=[period_midpoint(p) or dt.date.min for p in cur["period_date"]],
        _at=cur["entered_at"],
        _id=cur["id"].astype("float64"),
    )
    cur = cur.sort_values(["scope", "metric", "_mid", "_at", "_id"], kind="stable")
    out = cur.groupby(["scope", "metric"], sort=False).tail(1)
    return out.drop(columns=["_mid", "_at", "_id"]).sort_values(["scope", "metric"]).reset_index(drop=True)


def changes_of(frame: pd.DataFrame, limit: int | None = 50) -> pd.DataFrame:
    """The change log of an observations frame, newest first: each entry with who, when,
    source, what it replaced (``supersedes_id``, ``previous_value``,
    ``previous_value_text``) and why (``reason``). ``kind`` is ``seed`` (import of the
    published figures), ``new``, ``correction`` or ``retraction``."""
    prev = frame.set_index("id")["value"]
    prev_text = frame.set_index("id")["value_text"]
    out = frame.copy()
    out["previous_value"] = [prev.get(s) if pd.notna(s) else None for s in out["supersedes_id"]]
    out["previous_value"] = pd.to_numeric(out["previous_value"], errors="coerce").astype("float64")
    out["previous_value_text"] = [prev_text.get(s) if pd.notna(s) else None for s in out["supersedes_id"]]
    retracted = out["retracted"] if "retracted" in out else pd.Series(False, index=out.index)
    out["kind"] = [
        "retraction" if bool(r) else ("seed" if sk else ("correction" if pd.notna(s) else "new"))
        for sk, s, r in zip(out["seed_key"], out["supersedes_id"], retracted)
    ]
    out = out.sort_values(["entered_at", "id"], ascending=[False, False], kind="stable")
    if limit is not None:
        out = out.head(limit)
    return out.reset_index(drop=True)


class Store:
    """Append-only ledger of observations (see module docstring)."""

    def __init__(self, engine: Engine, demo: bool = False):
        self.engine = engine
        self.demo = demo

    @property
    def url(self) -> str:
        """The database URL without its password (safe to show)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ writes
    def seed(self, facts: Sequence | None = None) -> int:
        """Bring the ledger in line with the published facts (``geodata/published_facts.csv``,
        :func:`tzcld.facts.published_facts`, or ``facts``); returns the rows written.

        Each figure is one chain of rows with its ``fact_key``: a new figure is inserted; a
        figure changed in the file gets a row that supersedes the old one (reason
        "chiffre corrigé"); a figure gone from the file, or moved to another scope or
        metric, is retracted (a ``retracted`` row superseding it). A figure a person has
        corrected in the ledger is left alone. Rows seeded by older code (version 1
        ``seed_key``, no precision) are superseded in the same way, never duplicated.

        Idempotent, also when several processes seed at once: the plan is computed, then
        computed again and applied under the ledger's write lock.
        """
        if facts is None:
            from tzcld.facts import published_facts

            facts = published_facts()
        facts = tuple(facts)
        with self.engine.connect() as conn:
            if not self._seed_plan(conn, facts):
                return 0
        written = 0
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_ID})
            now = dt.datetime.now(dt.UTC)
            for values in self._seed_plan(conn, facts):
                conn.execute(TABLE.insert().values(entered_by=SEED_ACCOUNT, entered_at=now, **values))
                written += 1
        return written

    def _seed_plan(self, conn, facts: tuple) -> list[dict]:
        """The rows :meth:`seed` must write, as ``insert`` values (in order)."""
        from tzcld.facts import fingerprint_of

        cols = TABLE.c
        seeded = [dict(r._mapping) for r in conn.execute(select(TABLE).where(cols.fact_key.is_not(None)))]
        by_id = {int(r["id"]): r for r in seeded}
        superseders = conn.execute(
            select(cols.id, cols.supersedes_id, cols.fact_key).where(cols.supersedes_id.is_not(None))
        ).all()
        superseded = {int(sup) for _id, sup, _fk in superseders}
        human = {by_id[int(sup)]["fact_key"] for _id, sup, fk in superseders if fk is None and int(sup) in by_id}
        taken = {r["seed_key"] for r in seeded if r["seed_key"]}
        plan: list[dict] = []

        def retract(head: dict) -> None:
            plan.append(
                {
                    "scope": head["scope"],
                    "metric": head["metric"],
                    "value": None,
                    "value_text": None,
                    "unit": head["unit"],
                    "period_date": head["period_date"],
                    "source_title": head["source_title"],
                    "source_url": head["source_url"],
                    "supersedes_id": int(head["id"]),
                    "reason": t("facts.seed.retracted", "fr"),
                    "seed_key": f"{head['fact_key']}#retracted#{int(head['id'])}",
                    "fact_key": head["fact_key"],
                    "retracted": True,
                }
            )

        live: dict[str, list[dict]] = {}
        for row in seeded:
            if int(row["id"]) not in superseded:
                live.setdefault(row["fact_key"], []).append(row)
        wanted = {f.key: f.fingerprint for f in facts}
        heads: dict[str, dict] = {}
        for key, rows in live.items():
            # one head per figure: the row matching the file if any, else the newest; other
            # live rows of the same figure (e.g. restored from an older export) are retracted
            rows.sort(key=lambda r: (fingerprint_of(**_fingerprint_fields(r)) == wanted.get(key), int(r["id"])))
            heads[key] = rows[-1]
            if key not in human:
                for other in rows[:-1]:
                    if not other["retracted"]:
                        retract(other)

        keys = set()
        for f in facts:
            keys.add(f.key)
            if f.key in human:
                continue
            head = heads.get(f.key)
            supersedes = None
            if head is not None and not head["retracted"]:
                if fingerprint_of(**_fingerprint_fields(head)) == f.fingerprint:
                    continue
                if (head["scope"], head["metric"]) == (f.scope, f.metric):
                    supersedes = int(head["id"])
                else:
                    retract(head)
            seed_key, n = f.seed_key, 1
            while seed_key in taken:
                n += 1
                seed_key = f"{f.seed_key}#{n}"
            taken.add(seed_key)
            plan.append(
                {
                    "scope": f.scope,
                    "metric": f.metric,
                    "value": f.value,
                    "value_text": f.text,
                    "unit": f.unit,
                    "period_date": f.period_date,
                    "source_title": f.source_title,
                    "source_url": f.source_url,
                    "supersedes_id": supersedes,
                    "reason": t("facts.seed.corrected", "fr") if supersedes is not None else "",
                    "seed_key": seed_key,
                    "fact_key": f.key,
                    "date_precision": f.date_precision or None,
                    "date_note": f.date_note or None,
                    "qualifier": f.qualifier or None,
                    "source_kind": f.source_kind or None,
                    "note": f.note or None,
                    "retracted": False,
                }
            )
        for key, head in heads.items():
            if key not in keys and key not in human and not head["retracted"]:
                retract(head)
        return plan

    def _problems(
        self, conn, actor: Account, items: list[ObservationInput], lang: str
    ) -> tuple[dict[int, list[str]], list[PermissionDenied], list[ObservationInput]]:
        """Every problem of ``items`` against the database seen by ``conn``: validation
        messages per index, permission refusals, and the entries with their resolved
        ``supersedes_id`` (the one place where the ledger's rules are checked)."""
        by_index: dict[int, list[str]] = {}
        denied: list[PermissionDenied] = []
        for i, item in enumerate(items):
            problems = validate_input(item, lang)
            if not problems:
                try:
                    check_can_record(actor, item.scope, item.metric, lang)
                except PermissionDenied as exc:
                    denied.append(exc)
                    problems.append(str(exc))
            if problems:
                by_index[i] = problems
        frame = self._frame_from_conn(conn, _relevant(items))
        effective = frame[~frame["superseded"] & ~frame["retracted"]]
        current = {(r.scope, r.metric, r.period_date): r for r in effective.itertuples(index=False)}
        known = {int(r.id): r for r in frame.itertuples(index=False)}
        seen: dict[tuple[str, str, str], int] = {}
        resolved: list[ObservationInput] = []
        for i, item in enumerate(items):
            problems = []
            if item.key in seen:
                problems.append(t("entry.error.duplicate_in_batch", lang, other=seen[item.key] + 1))
            seen.setdefault(item.key, i)
            if item.supersedes_id is not None:
                old = known.get(int(item.supersedes_id))
                if old is None:
                    problems.append(t("entry.error.supersedes_unknown", lang, id=item.supersedes_id))
                elif (old.scope, old.metric) != (item.scope, item.metric):
                    problems.append(t("entry.error.supersedes_other", lang, id=item.supersedes_id))
            else:
                old = current.get(item.key)
                if old is not None and i not in by_index:
                    if _same_value(old, item):
                        problems.append(t("entry.error.duplicate_existing", lang, id=old.id, user=old.entered_by))
                    elif not item.reason:
                        problems.append(
                            t(
                                "entry.error.correction_needs_reason",
                                lang,
                                id=old.id,
                                value=_show(old.value, old.value_text),
                                user=old.entered_by,
                            )
                        )
                    else:
                        item = replace(item, supersedes_id=int(old.id))
            if problems:
                by_index.setdefault(i, []).extend(problems)
            resolved.append(item)
        return by_index, denied, resolved

    def check(self, actor: Account, entries: Sequence[ObservationInput], lang: str = "fr") -> dict[int, list[str]]:
        """Problems :meth:`record` would refuse, per entry index (permissions included),
        without writing anything: the preview of an import."""
        items = [e.normalised() for e in entries]
        with self.engine.connect() as conn:
            by_index, _denied, _resolved = self._problems(conn, actor, items, lang)
        return by_index

    def record(self, actor: Account, entries: Sequence[ObservationInput], lang: str = "fr") -> list[int]:
        """Validate, authorise and write ``entries`` in one transaction: all or none.

        Raises :class:`~tzcld.ledger.permissions.PermissionDenied` if the account may not
        record one of them, else :class:`~tzcld.ledger.validation.ValidationError`
        (``messages`` in French, ``by_index`` per entry); nothing is written then. An entry
        for a (scope, metric, period) that already has an effective value corrects it (it
        supersedes it; a reason is then required); the same value again is a duplicate.
        The checks run inside the write transaction (SQLite: ``BEGIN IMMEDIATE``), so they
        see what concurrent writers committed. Returns the new ids, in order.
        """
        items = [e.normalised() for e in entries]
        now = dt.datetime.now(dt.UTC)
        ids: list[int] = []
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            if self.dialect == "postgresql":  # serialise writers, as SQLite's BEGIN IMMEDIATE does
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_ID})
            by_index, denied, resolved = self._problems(conn, actor, items, lang)
            if denied:
                raise denied[0]
            if by_index:
                raise _batch_error(by_index, len(items), lang)
            for item in resolved:
                result = conn.execute(
                    TABLE.insert()
                    .values(
                        scope=item.scope,
                        metric=item.metric,
                        value=None if item.unit == "status" else float(item.value),  # type: ignore[arg-type]
                        value_text=item.value_text if item.unit == "status" else None,
                        unit=item.unit,
                        period_date=item.period_date,
                        source_title=item.source_title or t("entry.source_entry", "fr"),
                        source_url=item.source_url,
                        entered_by=actor.username,
                        entered_at=now,
                        supersedes_id=item.supersedes_id,
                        reason=item.reason,
                        seed_key=None,
                        **_v2_values(item),
                    )
                    .returning(TABLE.c.id)
                )
                ids.append(int(result.scalar_one()))
        return ids

    def add(self, actor: Account, entry: ObservationInput, lang: str = "fr") -> int:
        """Record one observation (see :meth:`record`); returns its id."""
        return self.record(actor, [entry], lang)[0]

    def restore(self, backup: pd.DataFrame, actor: Account, lang: str = "fr") -> tuple[int, int]:
        """Load a ledger export (:mod:`tzcld.ledger.export`, all columns) back, keeping
        each entry's author, time and correction links; administrators only.

        Every row written is **marked**: ``restored_at`` (now) and ``restored_by`` (``actor``,
        the ``--as`` account or ``cli:<OS user>``), shown in the journal and exports, so that
        an edited file cannot pass its rows off as entered by someone, some day, unnoticed.
        Rows are replayed in their original ``id`` order; ``supersedes_id`` is translated
        to the new ids. Seeded facts are matched by ``seed_key``, rows already present
        (same scope, metric, period, value, author and time) are skipped, example rows are
        ignored: restoring twice changes nothing. One transaction: all or none; a damaged
        SQLite database is refused before anything is written
        (:class:`~tzcld.errors.DatabaseDamaged`). A row whose author, time or id cannot be
        read is a :class:`ValidationError` (French, per row).
        Returns ``(inserted, skipped)``. Seeded rows of an older facts file are then brought
        up to date by :meth:`seed` (superseded, not duplicated).
        """
        from tzcld.ledger.integrity import ensure_intact
        from tzcld.ledger.permissions import check_can_manage_accounts

        check_can_manage_accounts(actor, lang)
        ensure_intact(self.engine)
        rows = backup.copy()
        missing = [
            c for c in ("id", "scope", "metric", "unit", "period_date", "entered_by", "entered_at") if c not in rows
        ]
        if missing:
            raise ValidationError([t("restore.missing_columns", lang, columns=", ".join(missing))])
        for col in ("value", "value_text", "source_title", "source_url", "reason", "supersedes_id", "seed_key"):
            if col not in rows:
                rows[col] = ""
        if "is_example" in rows.columns:
            rows = rows[~rows["is_example"].astype(str).str.lower().isin({"true", "1"})]
        rows = rows.assign(old_id=pd.to_numeric(rows["id"], errors="coerce")).sort_values("old_id", kind="stable")
        problems: dict[int, list[str]] = {}
        inserted = skipped = 0
        now = dt.datetime.now(dt.UTC)
        with self.engine.connect().execution_options(tzcld_write=True) as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_ID})
            existing = self._frame_from_conn(conn)
            by_seed = {k: int(i) for k, i in zip(existing["seed_key"], existing["id"]) if k}
            signature = {
                (
                    r.scope,
                    r.metric,
                    r.period_date,
                    r.value_text or _fmt_value(r.value),
                    r.entered_by,
                    _fmt_time(r.entered_at),
                ): int(r.id)
                for r in existing.itertuples(index=False)
            }
            new_ids: dict[int, int] = {}
            for pos, r in enumerate(rows.itertuples(index=False)):
                errs: list[str] = []
                old_id = None if pd.isna(r.old_id) else int(r.old_id)
                if old_id is None:
                    errs.append(t("restore.bad_id", lang, value=_cell(r.id)))
                seed_key = str(r.seed_key) if isinstance(r.seed_key, str) and r.seed_key else None
                value_text = str(r.value_text) if isinstance(r.value_text, str) and r.value_text else None
                try:
                    value = None if value_text or r.value in ("", None) or pd.isna(r.value) else float(r.value)
                except (TypeError, ValueError):
                    value = None
                    errs.append(t("entry.error.bad_value", lang, value=_cell(r.value)))
                entered_at = _restore_time(r.entered_at)
                if entered_at is None:
                    errs.append(t("restore.bad_time", lang, value=_cell(r.entered_at)))
                entered_by = _cell(r.entered_by).strip()
                if not entered_by or len(entered_by) > 128:
                    errs.append(t("restore.bad_author", lang, value=entered_by[:40]))
                try:
                    sup = (
                        None
                        if r.supersedes_id in ("", None) or pd.isna(r.supersedes_id)
                        else int(float(r.supersedes_id))
                    )
                except (TypeError, ValueError):
                    sup = None
                    errs.append(t("entry.error.supersedes_unknown", lang, id=_cell(r.supersedes_id)))
                if errs:
                    problems[pos] = errs
                    continue
                key = (
                    str(r.scope),
                    str(r.metric),
                    str(r.period_date),
                    value_text or _fmt_value(value),
                    entered_by,
                    _fmt_time(entered_at),
                )
                if seed_key and seed_key in by_seed:
                    new_ids[old_id] = by_seed[seed_key]  # type: ignore[index]
                    skipped += 1
                    continue
                if key in signature:
                    new_ids[old_id] = signature[key]  # type: ignore[index]
                    skipped += 1
                    continue
                extra = {c: _cell(getattr(r, c, None)) for c in _V2_TEXT}
                retracted = _truthy(getattr(r, "retracted", False))
                fact_key = _cell(getattr(r, "fact_key", None)) or None
                entry = ObservationInput(
                    str(r.scope),
                    str(r.metric),
                    value,
                    str(r.unit),
                    str(r.period_date),
                    str(r.source_title or ""),
                    str(r.source_url or ""),
                    str(r.reason or ""),
                    None,
                    value_text,
                    **extra,
                ).normalised()
                errs = validate_input(entry, lang)
                if retracted:  # a retraction holds no value: only its link and reason are checked
                    errs = [e for e in errs if e == t("entry.error.reason_required", lang)]
                    if sup is None:
                        errs.append(t("entry.error.supersedes_unknown", lang, id="—"))
                if sup is not None and sup not in new_ids:
                    errs.append(t("entry.error.supersedes_unknown", lang, id=sup))
                if errs:
                    problems[pos] = errs
                    continue
                result = conn.execute(
                    TABLE.insert()
                    .values(
                        scope=entry.scope,
                        metric=entry.metric,
                        value=None if retracted else entry.value,
                        value_text=None if retracted else entry.value_text,
                        unit=entry.unit,
                        period_date=entry.period_date,
                        source_title=entry.source_title,
                        source_url=entry.source_url,
                        entered_by=entered_by,
                        entered_at=entered_at,
                        supersedes_id=new_ids.get(sup) if sup is not None else None,
                        reason=entry.reason,
                        seed_key=seed_key,
                        fact_key=fact_key if fact_key else (seed_key.split("#")[0] if seed_key else None),
                        retracted=retracted,
                        **_v2_values(entry),
                        restored_at=now,
                        restored_by=actor.username,
                    )
                    .returning(TABLE.c.id)
                )
                new_id = int(result.scalar_one())
                new_ids[old_id] = new_id  # type: ignore[index]
                signature[key] = new_id
                inserted += 1
            if problems:
                raise _batch_error(problems, len(rows), lang)
        if inserted:
            self.seed()  # an export of an older facts file: bring its seeded figures up to date
        return inserted, skipped

    # ------------------------------------------------------------------- reads
    def _frame_from_conn(self, conn, where=None) -> pd.DataFrame:
        query = select(TABLE).order_by(TABLE.c.id)
        if where is not None:
            query = query.where(where)
        rows = [_row_dict(r) for r in conn.execute(query)]
        if not rows:
            return empty_frame()
        frame = pd.DataFrame(rows)
        frame["is_example"] = False
        return _typed(with_supersede_flags(frame))

    def observations_frame(self, include_superseded: bool = True) -> pd.DataFrame:
        """Every observation (columns :data:`FRAME_COLUMNS`), oldest first.

        ``superseded`` says whether a later entry corrects it (``superseded_by`` which).
        In demo mode, example rows (``is_example`` true, negative ids) are appended.
        """
        with self.engine.connect() as conn:
            frame = self._frame_from_conn(conn)
        if self.demo:
            from tzcld.ledger.demo import with_examples

            frame = with_examples(frame)
        if not include_superseded:
            frame = frame[~frame["superseded"]].reset_index(drop=True)
        return frame

    def latest(self, scope: str | None = None, metric: str | None = None) -> pd.DataFrame:
        """Latest effective value per (scope, metric), optionally filtered (see :func:`latest_of`)."""
        return latest_of(self.observations_frame(), scope, metric)

    def latest_value(self, scope: str, metric: str) -> float | None:
        """The latest effective number for ``scope``/``metric``; ``None`` when unknown."""
        row = self.latest(scope, metric)
        if row.empty or pd.isna(row["value"].iloc[0]):
            return None
        return float(row["value"].iloc[0])

    def get(self, observation_id: int) -> dict | None:
        """One observation as a dict, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE).where(TABLE.c.id == observation_id)).first()
        return None if row is None else _row_dict(row)

    def changes(self, limit: int | None = 50) -> pd.DataFrame:
        """The change log, newest first (see :func:`changes_of`)."""
        return changes_of(self.observations_frame(), limit)


def _cell(value) -> str:
    """A cell of a restore file as text (``""`` when empty or missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "vrai", "yes", "oui"}
    return bool(value) if value is not None and not pd.isna(value) else False


def _v2_values(item: ObservationInput) -> dict:
    """The schema-version-2 columns of an entry (``NULL`` when not given)."""
    return {c: (getattr(item, c) or None) for c in _V2_TEXT}


def _fingerprint_fields(row: dict) -> dict:
    """The fields of a seeded row that :func:`tzcld.facts.fingerprint_of` compares."""
    unit = row["unit"]
    return {
        "scope": row["scope"],
        "metric": row["metric"],
        "value": None if unit == "status" or row["value"] is None else float(row["value"]),
        "unit": unit,
        "text": row["value_text"] or "",
        "qualifier": row.get("qualifier") or "",
        "period_date": row["period_date"],
        "date_precision": row.get("date_precision") or "",
        "date_note": row.get("date_note") or "",
        "source_kind": row.get("source_kind") or "",
        "source_title": row["source_title"] or "",
        "source_url": row["source_url"] or "",
        "note": row.get("note") or "",
    }


def _restore_time(value) -> dt.datetime | None:
    """An ``entered_at`` of a restore file in UTC, ``None`` when it is no time."""
    text_ = _cell(value).strip()
    if not text_:
        return None
    try:
        stamp = pd.Timestamp(text_)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _fmt_value(value) -> str:
    return "" if value is None or pd.isna(value) else repr(float(value))


def _fmt_time(value) -> str:
    return (
        pd.Timestamp(value).tz_convert("UTC").isoformat()
        if pd.Timestamp(value).tzinfo
        else pd.Timestamp(value).tz_localize("UTC").isoformat()
    )


def _relevant(items: list[ObservationInput]):
    """The rows a batch's checks need: every row of its (scope, metric) pairs (corrections
    never cross pairs, so their supersede flags are complete) and the rows it names."""
    pairs = sorted({(i.scope, i.metric) for i in items})
    named = sorted({int(i.supersedes_id) for i in items if i.supersedes_id is not None})
    clauses = [and_(TABLE.c.scope == sc, TABLE.c.metric == me) for sc, me in pairs]
    if named:
        clauses.append(TABLE.c.id.in_(named))
    return or_(*clauses) if clauses else TABLE.c.id.is_(None)


def _same_value(old, item: ObservationInput) -> bool:
    if item.unit == "status":
        return (old.value_text or "") == (item.value_text or "")
    return old.value is not None and not pd.isna(old.value) and float(old.value) == float(item.value)  # type: ignore[arg-type]


def _show(value, text) -> str:
    if text:
        return str(text)
    from tzcld.formatting import format_number

    return format_number(value, 2 if value is not None and float(value) % 1 else 0)


def _batch_error(by_index: dict[int, list[str]], n: int, lang: str) -> ValidationError:
    messages: list[str] = []
    for i in sorted(by_index):
        for m in by_index[i]:
            messages.append(t("entry.error.row_prefix", lang, row=i + 1, message=m) if n > 1 else m)
    return ValidationError(messages, by_index)


def open_store(url: str, *, seed: bool = True, demo: bool = False) -> Store:
    """Open (and create, migrate, seed) the ledger of the database ``url`` (scripts and
    tests; the dashboard and the CLIs use :meth:`tzcld.runtime.Runtime.ledger_store`).

    In ``demo`` mode, frames also hold example series labelled ``is_example`` — they are
    never written to the database.
    """
    engine = make_engine(database_url(url))
    migrate(engine)
    store = Store(engine, demo=demo)
    if seed:
        store.seed()
    return store
