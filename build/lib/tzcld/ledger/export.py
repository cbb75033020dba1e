"""Ledger exports: every observation (corrections and corrected entries alike) as CSV/XLSX.

Columns are :data:`tzcld.ledger.store.FRAME_COLUMNS` (machine ids, English), dates in
ISO 8601, amounts in euros. Text cells are neutralised against spreadsheet formula
injection. The XLSX has a second sheet "lisez-moi" with the credits and, in demo mode,
the "données d'exemple" warning. An export is loaded back, with its authors, times and corrections, by
``python -m tzcld ledger import FILE`` (:meth:`tzcld.ledger.store.Store.restore`);
``python -m tzcld ledger backup`` (SQLite) or ``pg_dump`` copy the database itself.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from tzcld.export.spreadsheet_safety import neutralise_frame
from tzcld.i18n import t
from tzcld.ledger.store import Store

README_LINES_FR: tuple[str, ...] = (
    "Registre des progrès — TZCLD Wallonie / TerritoiR'ES",
    "Chaque ligne est une observation : territoire (scope), indicateur (metric), valeur, unité (EUR = euros), date décrite (period_date), source, qui l'a saisie et quand (UTC).",
    "Une correction est une nouvelle ligne (supersedes_id = l'entrée corrigée, reason = pourquoi) ; l'entrée corrigée reste, marquée superseded.",
    "Une ligne rechargée depuis une sauvegarde garde son auteur et sa date ; restored_at et restored_by disent quand et par qui elle a été restaurée.",
    "Ce qui n'apparaît pas est non communiqué (inconnu), pas zéro.",
    "Sources des chiffres publiés : voir source_title et source_url de chaque ligne.",
)


def export_frame(store: Store, current_only: bool = False) -> pd.DataFrame:
    """The export table: all observations (or only effective ones), ``entered_at`` as ISO text."""
    frame = store.observations_frame(include_superseded=not current_only).copy()
    for col in ("entered_at", "restored_at"):
        frame[col] = frame[col].map(lambda v: v.isoformat() if pd.notna(v) else "")
    frame["restored_by"] = frame["restored_by"].fillna("")
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheets read accents), neutralised, no index."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, demo: bool = False, lang: str = "fr") -> bytes:
    """XLSX with sheets ``observations`` and ``lisez-moi`` (credits, demo warning)."""
    notes = list(README_LINES_FR)
    if demo or bool(frame.get("is_example", pd.Series(dtype=bool)).any()):
        notes.insert(0, t("progress.example_banner", lang))
    notes.append(t("progress.credit", lang))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(frame).to_excel(writer, sheet_name="observations", index=False)
        pd.DataFrame({"lisez-moi": notes}).to_excel(writer, sheet_name="lisez-moi", index=False)
    return buf.getvalue()


def write_export(store: Store, fmt: str, out: Path | None, current_only: bool = False) -> bytes:
    """Export in ``fmt`` (``csv`` | ``xlsx``) to ``out`` (if given); returns the bytes."""
    frame = export_frame(store, current_only)
    if fmt == "csv":
        data = to_csv_bytes(frame)
    elif fmt == "xlsx":
        data = to_xlsx_bytes(frame, demo=store.demo)
    else:
        raise ValueError(f"Format inconnu « {fmt} » : csv ou xlsx.")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return data


def backup_sqlite(store: Store, out: Path) -> Path:
    """A checked copy of a SQLite ledger (:func:`tzcld.ledger.integrity.backup_sqlite`)."""
    from tzcld.ledger.integrity import backup_sqlite as checked_backup

    return checked_backup(store.engine.url.render_as_string(hide_password=False), out)
