"""Bulk entry from a CSV or XLSX file: read, check every row, preview, commit atomically.

Columns (English ids or French headers, any case): ``scope``/``territoire``,
``metric``/``indicateur``, ``value``/``valeur``, ``unit``/``unité`` (optional: the
metric's unit), ``period_date``/``date``, ``source_title``/``source``,
``source_url``/``lien``, ``reason``/``raison``, ``supersedes_id``/``corrige``,
``value_text``/``statut`` (statuses only), and how a figure is known:
``date_precision``, ``date_note``, ``qualifier``, ``source_kind``, ``note`` (see
:mod:`tzcld.ledger.metrics`; ``geodata/published_facts.csv`` is such a file). Extra columns (e.g. those of an export:
``id``, ``entered_by``...) are ignored. Numbers may be written the Belgian way
(``1 234,5``). Territories may be given by id or by registry name.

:func:`preview_import` gives one :class:`RowReport` per row with its French problems;
:func:`commit_import` writes all rows in one transaction, or none.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tzcld.batch_io import BatchInputError
from tzcld.config import FileLimits
from tzcld.i18n import t
from tzcld.ledger.metrics import METRICS, PROGRAMME
from tzcld.ledger.permissions import Account
from tzcld.ledger.store import Store
from tzcld.ledger.validation import ObservationInput, ValidationError
from tzcld.territories import TERRITORY_IDS, load_registry

MAX_ROWS = 5000
MAX_BYTES = 5_000_000
#: An import's XLSX, once decompressed, is at most this large (its CSV is at most MAX_BYTES).
MAX_UNCOMPRESSED_BYTES = 50_000_000

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "scope": ("scope", "territoire", "territory", "portee"),
    "metric": ("metric", "indicateur", "indicator"),
    "value": ("value", "valeur"),
    "unit": ("unit", "unite"),
    "period_date": ("period_date", "date", "periode"),
    "source_title": ("source_title", "source"),
    "source_url": ("source_url", "lien", "url", "lien_source"),
    "reason": ("reason", "raison", "motif"),
    "supersedes_id": ("supersedes_id", "corrige", "remplace"),
    "value_text": ("value_text", "statut", "status"),
    "date_precision": ("date_precision", "precision_date", "precision_de_la_date"),
    "date_note": ("date_note", "note_date", "note_de_date"),
    "qualifier": ("qualifier", "qualificatif"),
    "source_kind": ("source_kind", "type_de_source", "type_source"),
    "note": ("note", "remarque"),
}
REQUIRED_COLUMNS: tuple[str, ...] = ("scope", "metric", "period_date")


class ImportFileError(BatchInputError):
    """The file as a whole cannot be read (``str(exc)`` is a French message); every problem
    of :func:`read_table` is a :class:`~tzcld.batch_io.BatchInputError`, of which this is one."""


@dataclass
class RowReport:
    """One data row: its line in the file (the header is line 1), what it proposes, its problems."""

    line: int
    raw: dict[str, str]
    entry: ObservationInput | None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.entry is not None and not self.errors


@dataclass
class ImportPreview:
    """The checked content of a file, before anything is written."""

    rows: list[RowReport]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be committed as a whole (no problem in any row)."""
        return not self.file_errors and bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    @property
    def entries(self) -> list[ObservationInput]:
        return [r.entry for r in self.rows if r.entry is not None]

    def frame(self, lang: str = "fr") -> pd.DataFrame:
        """A table for the preview: line, territory, indicator, value, unit, date, source, verdict."""
        records = []
        for r in self.rows:
            e = r.entry
            records.append(
                {
                    t("progress.col.line", lang): r.line,
                    t("progress.col.scope", lang): e.scope if e else r.raw.get("scope", ""),
                    t("progress.col.metric", lang): e.metric if e else r.raw.get("metric", ""),
                    t("progress.col.value", lang): (e.value_text or e.value) if e else r.raw.get("value", ""),
                    t("progress.col.unit", lang): e.unit if e else r.raw.get("unit", ""),
                    t("progress.col.date", lang): e.period_date if e else r.raw.get("period_date", ""),
                    t("progress.col.source", lang): (e.source_title if e else r.raw.get("source_title", "")),
                    t("progress.col.check", lang): "OK" if r.ok else " ; ".join(r.errors),
                }
            )
        return pd.DataFrame(records)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def parse_number(text: object) -> float | None:
    """``"1 234,5"``, ``"1.234,5"``, ``"1234.5"``, ``"1,5"`` -> float; empty -> ``None``;
    raises ``ValueError`` when unreadable."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return None if isinstance(text, float) and math.isnan(text) else float(text)
    s = str(text).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    s = s.removesuffix("€").removesuffix("EUR").strip()
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    return float(s)


def read_table(data: bytes | Path, filename: str, limits: FileLimits | None = None) -> pd.DataFrame:
    """The first sheet of an XLSX or a CSV (``,`` or ``;``, UTF-8 or Windows-1252) as text,
    read by :mod:`tzcld.batch_io` within its limits, tightened for imports (:data:`MAX_BYTES`,
    :data:`MAX_ROWS`, :data:`MAX_UNCOMPRESSED_BYTES`); ``data`` is the file's bytes or its
    path (then streamed, never loaded whole); ``limits`` the settings' (default
    :class:`~tzcld.config.FileLimits`), capped by those. Raises
    :class:`~tzcld.batch_io.BatchInputError` (French message)."""
    from tzcld.batch_io import read_table as read_limited

    if not filename.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise ImportFileError("errors.import.format")
    limits = (limits or FileLimits()).tightened(
        max_file_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES
    )
    return read_limited(data, filename, limits)


def _rename(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    lookup = {alias: canon for canon, aliases in COLUMN_ALIASES.items() for alias in aliases}
    mapping: dict[str, str] = {}
    for col in frame.columns:
        canon = lookup.get(_fold(col))
        if canon and canon not in mapping.values():
            mapping[col] = canon
    out = frame.rename(columns=mapping)[list(mapping.values())]
    missing = [c for c in REQUIRED_COLUMNS if c not in out.columns]
    if "value" not in out.columns and "value_text" not in out.columns:
        missing.append("value")
    return out, missing


def _scope_lookup() -> dict[str, str]:
    out = {PROGRAMME: PROGRAMME, "programme": PROGRAMME}
    for tid in TERRITORY_IDS:
        out[_fold(tid)] = tid
    for territory in load_registry():
        out[_fold(territory.name)] = territory.id
    return out


def _metric_lookup(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for mid in METRICS:
        out[_fold(mid)] = mid
        for lg in ("fr", "en"):
            out[_fold(t(f"progress.metric.{mid}", lg))] = mid
    return out


def unescape_cell(text: str) -> str:
    """Undo the spreadsheet-safety apostrophe of our own exports (``'=x`` -> ``=x``)."""
    return text[1:] if text.startswith("'") and len(text) > 1 and text[1] in "=+-@\t\r" else text


def preview_import(
    data: bytes | Path,
    filename: str,
    store: Store,
    actor: Account,
    lang: str = "fr",
    limits: FileLimits | None = None,
) -> ImportPreview:
    """Read ``data`` (within ``limits``, see :func:`read_table`) and check every row against
    the ledger's rules and ``actor``'s rights.

    Never raises for bad content: problems are in the preview (file-level or per row).
    """
    try:
        table = read_table(data, filename, limits)
    except BatchInputError as exc:
        return ImportPreview(rows=[], file_errors=[exc.message(lang)])
    table, missing = _rename(table)
    if missing:
        return ImportPreview(
            rows=[],
            file_errors=[
                f"Colonne(s) manquante(s) : {', '.join(missing)}. Colonnes attendues : {', '.join(COLUMN_ALIASES)}."
            ],
        )
    if table.empty:
        return ImportPreview(rows=[], file_errors=["Le fichier ne contient aucune ligne de données."])
    scopes, metrics = _scope_lookup(), _metric_lookup(lang)
    reports: list[RowReport] = []
    for pos, raw in enumerate(table.to_dict("records")):
        raw = {k: unescape_cell(str(v).strip()) for k, v in raw.items()}
        line = pos + 2
        errors: list[str] = []
        if not any(raw.values()):
            continue
        try:
            value = parse_number(raw.get("value", ""))
        except ValueError:
            value = None
            errors.append(t("entry.error.bad_value", lang, value=raw.get("value", "")))
        sup_raw = raw.get("supersedes_id", "")
        supersedes: int | None = None
        if sup_raw:
            try:
                supersedes = int(float(sup_raw))
            except ValueError:
                errors.append(t("entry.error.supersedes_unknown", lang, id=sup_raw))
        scope = scopes.get(_fold(raw.get("scope", "")), raw.get("scope", ""))
        metric = metrics.get(_fold(raw.get("metric", "")), raw.get("metric", ""))
        entry = ObservationInput(
            scope=scope,
            metric=metric,
            value=value,
            unit=raw.get("unit", ""),
            period_date=raw.get("period_date", ""),
            source_title=raw.get("source_title", ""),
            source_url=raw.get("source_url", ""),
            reason=raw.get("reason", ""),
            supersedes_id=supersedes,
            value_text=raw.get("value_text") or None,
            date_precision=raw.get("date_precision", ""),
            date_note=raw.get("date_note", ""),
            qualifier=raw.get("qualifier", ""),
            source_kind=raw.get("source_kind", ""),
            note=raw.get("note", ""),
        ).normalised()
        reports.append(RowReport(line=line, raw=raw, entry=entry, errors=errors))
    checked = [r for r in reports if not r.errors]
    problems = store.check(actor, [r.entry for r in checked], lang)  # type: ignore[misc]
    for i, r in enumerate(checked):
        for message in problems.get(i, []):
            r.errors.append(_relabel(message, checked, lang))
    return ImportPreview(rows=reports)


def _relabel(message: str, checked: list[RowReport], lang: str) -> str:
    """Batch positions in duplicate messages become the file's line numbers."""
    match = re.search(r"(l'entrée|entry) (\d+)", message)
    if match and ("Doublon" in message or "Duplicate" in message):
        pos = int(match.group(2)) - 1
        if 0 <= pos < len(checked):
            return message.replace(match.group(0), t("progress.import.line_ref", lang, line=checked[pos].line))
    return message


def commit_import(preview: ImportPreview, store: Store, actor: Account, lang: str = "fr") -> list[int]:
    """Write every row of a clean preview in one transaction (all or none).

    The store checks again (rules and permissions, server-side, against what others
    may have saved since the preview); on any problem nothing is written and
    :class:`ValidationError` or :class:`PermissionDenied` is raised. A damaged SQLite
    database is refused first (:class:`~tzcld.errors.DatabaseDamaged`).
    """
    from tzcld.ledger.integrity import ensure_intact

    if not preview.ok:
        raise ValidationError([t("progress.import.not_clean", lang, count=preview.error_count)])
    ensure_intact(store.engine)  # never write into a damaged database
    return store.record(actor, preview.entries, lang)


def template_csv() -> bytes:
    """A CSV template for imports (semicolon-separated, as Belgian spreadsheets expect)."""
    lines = [
        "territoire;indicateur;valeur;unité;date;source;lien;raison",
        "liege;hired;12;persons;2025-03;Rapport trimestriel du porteur;;",
        "liege;fte;7,5;fte;2025-03;Rapport trimestriel du porteur;;",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")
