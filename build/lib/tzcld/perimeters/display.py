"""Display tables of the Périmètre page (pure pandas, any language): diff measures,
version history, catalogue list. Areas in km² or m², French number formatting by default."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tzcld.formatting import format_number
from tzcld.i18n import t
from tzcld.perimeters.diff import PerimeterDiff


def format_area(m2: float | None, lang: str = "fr") -> str:
    """``12 345 m²`` below a hectare... ``1,23 km²`` from 0.1 km²; unknown → "non communiqué"."""
    if m2 is None or m2 != m2:
        return t("common.unknown", lang)
    if m2 >= 100_000:
        return f"{format_number(m2 / 1e6, 2, lang)} km²"
    return f"{format_number(round(m2), 0, lang)} m²"


def _count(value: int | None, lang: str) -> str:
    return t("common.unknown", lang) if value is None else format_number(value, 0, lang)


def diff_measures(diff: PerimeterDiff, lang: str = "fr") -> pd.DataFrame:
    """The diff's numbers as a two-column table (measure, value), ready to show."""
    k = "perimeter.diff."
    rows = [
        (t(k + "units_added", lang), format_number(len(diff.units_added), 0, lang)),
        (t(k + "units_removed", lang), format_number(len(diff.units_removed), 0, lang)),
        (t(k + "units_kept", lang), format_number(diff.units_kept, 0, lang)),
        (t(k + "area_current", lang), format_area(diff.area_current_m2, lang)),
        (t(k + "area_proposed", lang), format_area(diff.area_proposed_m2, lang)),
        (t(k + "area_added", lang), format_area(diff.area_added_m2, lang)),
        (t(k + "area_removed", lang), format_area(diff.area_removed_m2, lang)),
        (t(k + "addresses_current", lang), _count(diff.addresses_current, lang)),
        (t(k + "addresses_proposed", lang), _count(diff.addresses_proposed, lang)),
        (t(k + "addresses_gained", lang), _count(diff.addresses_gained, lang)),
        (t(k + "addresses_lost", lang), _count(diff.addresses_lost, lang)),
        (t(k + "addresses_changing", lang), _count(diff.addresses_changing_side, lang)),
    ]
    return pd.DataFrame(rows, columns=[t(k + "measure", lang), t(k + "value", lang)])


def diff_flags(diff: PerimeterDiff, names: dict[str, str], lang: str = "fr") -> list[str]:
    """Warnings of a diff (overlap with another territory, parts outside the communes)."""
    out = [
        t("perimeter.diff.overlap", lang, territory=names.get(tid, tid), area=format_area(area, lang))
        for tid, area in sorted(diff.overlaps.items())
    ]
    if "outside_communes" in diff.flags:
        out.append(t("perimeter.diff.outside", lang, area=format_area(diff.outside_communes_m2, lang)))
    return out


def diff_units(diff: PerimeterDiff, lang: str = "fr") -> pd.DataFrame:
    """Units added and removed, one row each (change, code, unit)."""
    table = diff.table()
    table["change"] = [t(f"perimeter.diff.{c}", lang) for c in table["change"]]
    return table.rename(
        columns={
            "change": t("perimeter.diff.change", lang),
            "unit_code": t("perimeter.diff.unit_code", lang),
            "unit": t("perimeter.diff.unit", lang),
        }
    )


def history_display(history: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """A version history (``PerimeterStore.history``) with translated labels and dates."""
    k = "perimeter.history."

    def when(value) -> str:
        if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
            return ""
        try:
            return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")
        except (TypeError, ValueError):
            return ""

    return pd.DataFrame(
        {
            t(k + "label", lang): history["label"],
            t(k + "status", lang): [t(f"perimeter.status.{s}", lang) for s in history["status"]],
            t(k + "published", lang): ["✓" if p else "" for p in history["published"]],
            t(k + "method", lang): [t(f"perimeter.method_label.{m}", lang) for m in history["method"]],
            t(k + "created_by", lang): history["created_by"],
            t(k + "created_at", lang): [when(v) for v in history["created_at"]],
            t(k + "reason", lang): history["reason"],
            t(k + "source", lang): history["source"],
            t(k + "units", lang): [("" if pd.isna(v) else str(int(v))) for v in history["units"]],
            t(k + "area", lang): [
                ("" if v is None or v != v else format_number(v / 1e6, 2, lang)) for v in history["area_m2"]
            ],
            t(k + "decided_by", lang): history["decided_by"].fillna(""),
            t(k + "decided_at", lang): [when(v) for v in history["decided_at"]],
            t(k + "note", lang): history["decision_note"].fillna(""),
            t("restore.column", lang): _restore_marks(history, lang),
        }
    )


def _restore_marks(history: pd.DataFrame, lang: str) -> list[str]:
    """ "restauré le … par …" for the versions a restore wrote (issue 12), else ``""``."""
    from tzcld.perimeters.store import UNMATCHED_DECIDER
    from tzcld.restore import restore_mark

    if "restored_at" not in history:
        return [""] * len(history)
    out = []
    for at, by, note in zip(history["restored_at"], history["restored_by"], history["restore_note"]):
        mark = restore_mark(at, by, lang)
        if mark and note == UNMATCHED_DECIDER:
            mark += " ; " + t("restore.unmatched_mark", lang)
        out.append(mark)
    return out


def sector_table(sectors: gpd.GeoDataFrame, selected: set[str], lang: str = "fr") -> pd.DataFrame:
    """The catalogue as an editable list: ``selected`` (bool) then code, name, section,
    commune, unit, geometry method (or "non dessinable")."""
    k = "perimeter.sectors."
    return pd.DataFrame(
        {
            "selected": [c in selected for c in sectors["code"]],
            "code": sectors["code"].astype(str).to_numpy(),
            "name": sectors["name"].astype(str).to_numpy(),
            "section": [
                f"{c} {n}".strip() for c, n in zip(sectors["section_code"], sectors["section_name"], strict=True)
            ],
            "commune": sectors["commune_name"].astype(str).to_numpy(),
            "unit": sectors["unit"].astype(str).to_numpy(),
            "method": [
                m if d else t(k + "undrawable", lang)
                for m, d in zip(sectors["method"], sectors["drawable"], strict=True)
            ],
        }
    )
