"""Tables derived from the ledger for the Progrès page: pure pandas, no Streamlit.

Each function takes an observations frame (:meth:`tzcld.ledger.Store.observations_frame`)
and returns a plain table that a chart draws and that is offered as its table
alternative and download. Unknown stays unknown: a missing figure is ``NaN`` in
numeric columns and ``"non communiqué"`` where text is shown, never 0.
"""

from __future__ import annotations

import pandas as pd

from tzcld.i18n import t
from tzcld.ledger.metrics import BUDGET_METRICS, PROGRAMME
from tzcld.ledger.store import latest_of
from tzcld.ledger.validation import period_midpoint
from tzcld.territories import Registry, load_registry


def latest_number(frame: pd.DataFrame, scope: str, metric: str) -> float | None:
    """The latest effective number for ``scope``/``metric``; ``None`` when unknown."""
    row = latest_of(frame, scope, metric)
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    return float(row["value"].iloc[0])


def programme_series(frame: pd.DataFrame, metric: str = "hired", scope: str = PROGRAMME) -> pd.DataFrame:
    """Effective observations of ``metric`` for ``scope`` over time, oldest first.

    Columns: ``period_date`` (as reported), ``date`` (its midpoint, a ``datetime64``),
    ``value``, ``unit``, ``source_title``, ``source_url``, ``entered_by``, ``is_example``.
    When several effective entries describe the same period, the latest entered wins.
    """
    cur = frame[(~frame["superseded"]) & (frame["scope"] == scope) & (frame["metric"] == metric)].copy()
    cols = ["period_date", "date", "value", "unit", "source_title", "source_url", "entered_by", "is_example"]
    if cur.empty:
        return pd.DataFrame({c: [] for c in cols}).astype({"value": "float64", "is_example": bool})
    cur["date"] = pd.to_datetime([period_midpoint(p) for p in cur["period_date"]])
    cur = cur.sort_values(["date", "is_example", "entered_at", "id"], kind="stable")
    cur = cur.drop_duplicates(subset=["period_date", "is_example"], keep="last")
    return cur[cols].reset_index(drop=True)


def budget_table(frame: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """One row per budget metric (:data:`BUDGET_METRICS`) for the programme.

    ``budget_withdrawn`` adds the territories' withdrawals when the programme has no
    figure of its own (La Louvière's €4.8M): ``detail`` then says so. Columns:
    ``metric``, ``label``, ``value`` (euros, ``NaN`` when unknown), ``display``
    (Belgian format or "non communiqué"), ``period_date``, ``source_title``,
    ``source_url``, ``detail``, ``is_example``.
    """
    from tzcld.formatting import format_eur

    latest = latest_of(frame)
    rows = []
    for metric in BUDGET_METRICS:
        hit = latest[(latest["scope"] == PROGRAMME) & (latest["metric"] == metric)]
        detail = ""
        if not hit.empty:
            r = hit.iloc[0]
            value, period, title, url, example = (
                r["value"],
                r["period_date"],
                r["source_title"],
                r["source_url"],
                bool(r["is_example"]),
            )
        elif metric == "budget_withdrawn":
            parts = latest[(latest["scope"] != PROGRAMME) & (latest["metric"] == metric)]
            if parts.empty:
                value, period, title, url, example = float("nan"), "", "", "", False
            else:
                value = float(parts["value"].sum())
                period = str(max(parts["period_date"]))
                title = " ; ".join(sorted(set(parts["source_title"])))
                url = " ; ".join(sorted({u for u in parts["source_url"] if u}))
                example = bool(parts["is_example"].any())
                detail = t("progress.budget_withdrawn_detail", lang, scopes=", ".join(_names(parts["scope"])))
        else:
            value, period, title, url, example = float("nan"), "", "", "", False
        rows.append(
            {
                "metric": metric,
                "label": t(f"progress.metric.{metric}", lang),
                "value": value,
                "display": t("progress.unknown", lang) if pd.isna(value) else format_eur(float(value), lang),
                "period_date": period,
                "source_title": title,
                "source_url": url,
                "detail": detail,
                "is_example": example,
            }
        )
    return pd.DataFrame(rows).astype({"value": "float64"})


def _names(ids) -> list[str]:
    registry = load_registry()
    return [registry.get(i).name if registry.get(i) else str(i) for i in ids]


def territory_table(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> pd.DataFrame:
    """One row per territory (registry order): target, latest reported hires, share, status.

    Target and status come from the ledger when it has them (admins can change them),
    else from the registry. Columns: ``id``, ``name``, ``province``, ``target``,
    ``target_source``, ``reported`` (latest effective ``hired``, ``NaN`` if unknown),
    ``reported_date``, ``reported_source``, ``reported_url``, ``share`` (reported /
    target, ``NaN`` if unknown), ``fte``/``fte_date`` and ``activities`` (latest, ``NaN`` if
    unknown), ``status``, ``status_label``, ``status_date``,
    ``status_source``, ``precision``, ``precision_label``, ``is_example``.
    """
    registry = registry or load_registry()
    latest = latest_of(frame)
    by_key = {(r.scope, r.metric): r for r in latest.itertuples(index=False)}
    rows = []
    for territory in registry:
        target_row = by_key.get((territory.id, "job_target"))
        target = float(target_row.value) if target_row is not None else float(territory.job_target)
        hired = by_key.get((territory.id, "hired"))
        status_row = by_key.get((territory.id, "status"))
        if status_row is not None and status_row.value_text:
            status, status_date, status_source = status_row.value_text, status_row.period_date, status_row.source_title
        else:
            status, status_date, status_source = (
                territory.status,
                territory.status_date or "",
                territory.status_source or "",
            )
        reported = float(hired.value) if hired is not None else float("nan")
        fte = by_key.get((territory.id, "fte"))
        activities = by_key.get((territory.id, "activities"))
        rows.append(
            {
                "id": territory.id,
                "name": territory.name,
                "province": territory.province,
                "target": target,
                "target_source": target_row.source_title if target_row is not None else "",
                "reported": reported,
                "reported_date": hired.period_date if hired is not None else "",
                "reported_source": hired.source_title if hired is not None else "",
                "reported_url": hired.source_url if hired is not None else "",
                "share": reported / target if hired is not None and target > 0 else float("nan"),
                "fte": float(fte.value) if fte is not None else float("nan"),
                "fte_date": fte.period_date if fte is not None else "",
                "activities": float(activities.value) if activities is not None else float("nan"),
                "status": status,
                "status_label": t(f"common.status.{status}", lang),
                "status_date": status_date,
                "status_source": status_source,
                "precision": territory.precision,
                "precision_label": t(f"common.precision.{territory.precision}", lang),
                "is_example": bool(hired.is_example) if hired is not None else False,
            }
        )
    return pd.DataFrame(rows).astype(
        {"target": "float64", "reported": "float64", "share": "float64", "fte": "float64", "activities": "float64"}
    )


def filter_territories(
    table: pd.DataFrame,
    provinces: list[str] | None = None,
    statuses: list[str] | None = None,
    ids: list[str] | None = None,
) -> pd.DataFrame:
    """Rows of :func:`territory_table` matching every non-empty filter."""
    out = table
    if provinces:
        out = out[out["province"].isin(provinces)]
    if statuses:
        out = out[out["status"].isin(statuses)]
    if ids:
        out = out[out["id"].isin(ids)]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- display tables
def _num(value: float, lang: str, decimals: int = 0) -> str:
    from tzcld.formatting import format_number

    return t("progress.unknown", lang) if pd.isna(value) else format_number(value, decimals, lang)


def _date(value: str, lang: str) -> str:
    from tzcld.formatting import format_date

    return format_date(value, lang) if value else ""


def series_display(series: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The table alternative of the hires chart: date, value, source, link, example flag."""
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("date"): [_date(p, lang) for p in series["period_date"]],
            c("value"): [_num(v, lang) for v in series["value"]],
            c("source"): list(series["source_title"]),
            c("source_url"): list(series["source_url"]),
            c("example"): [t("progress.example_suffix", lang) if e else "" for e in series["is_example"]],
        }
    )


def budget_display(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The table alternative of the budget chart (amounts formatted, unknown said so)."""
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("metric"): list(table["label"]),
            c("value"): list(table["display"]),
            c("date"): [_date(p, lang) for p in table["period_date"]],
            c("source"): [f"{s} ({d})" if d else s for s, d in zip(table["source_title"], table["detail"])],
            c("source_url"): list(table["source_url"]),
        }
    )


def territory_display(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The table alternative of the per-territory chart and the map."""
    from tzcld.formatting import format_percent

    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("scope"): list(table["name"]),
            c("province"): list(table["province"]),
            c("target"): [_num(v, lang) for v in table["target"]],
            c("reported"): [_num(v, lang) for v in table["reported"]],
            c("date"): [_date(p, lang) for p in table["reported_date"]],
            c("share"): [
                t("progress.unknown", lang) if pd.isna(v) else format_percent(v, 0, lang) for v in table["share"]
            ],
            t("progress.metric.fte", lang): [_num(v, lang, 1 if not pd.isna(v) and v % 1 else 0) for v in table["fte"]],
            c("source"): list(table["reported_source"]),
            c("status"): list(table["status_label"]),
            c("status_date"): [_date(p, lang) for p in table["status_date"]],
            c("precision"): list(table["precision_label"]),
        }
    )


def changes_display(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The change log for people: who, when, what, which value replaced which, why, source."""
    from tzcld.formatting import format_number

    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    registry = load_registry()

    def scope_name(scope: str) -> str:
        if scope == PROGRAMME:
            return t("progress.scope.programme", lang)
        terr = registry.get(scope)
        return terr.name if terr else scope

    def value(v: float, text: str | None) -> str:
        if text:
            return t(f"common.status.{text}", lang)
        return "" if pd.isna(v) else format_number(v, 0 if float(v).is_integer() else 2, lang)

    return pd.DataFrame(
        {
            c("id"): [int(i) for i in changes["id"]],
            c("entered_at"): [
                v.strftime("%d/%m/%Y %H:%M UTC") if lang == "fr" else v.strftime("%Y-%m-%d %H:%M UTC")
                for v in changes["entered_at"]
            ],
            c("entered_by"): list(changes["entered_by"]),
            c("kind"): [t(f"progress.kind.{k}", lang) for k in changes["kind"]],
            c("scope"): [scope_name(s) for s in changes["scope"]],
            c("metric"): [t(f"progress.metric.{m}", lang) for m in changes["metric"]],
            c("value"): [value(v, x) for v, x in zip(changes["value"], changes["value_text"])],
            c("unit"): [t(f"progress.unit.{u}", lang) for u in changes["unit"]],
            c("date"): [_date(p, lang) for p in changes["period_date"]],
            c("supersedes"): ["" if pd.isna(s) else int(s) for s in changes["supersedes_id"]],
            c("previous_value"): [
                value(v, x) for v, x in zip(changes["previous_value"], changes["previous_value_text"])
            ],
            c("reason"): list(changes["reason"]),
            c("source"): list(changes["source_title"]),
            c("source_url"): list(changes["source_url"]),
            t("restore.column", lang): _restore_marks(changes, lang),
        }
    )


def _restore_marks(changes: pd.DataFrame, lang: str) -> list[str]:
    """ "restauré le … par …" for the rows a restore wrote (issue 12), else ``""``."""
    from tzcld.restore import restore_mark

    if "restored_at" not in changes:
        return [""] * len(changes)
    return [restore_mark(at, by, lang) for at, by in zip(changes["restored_at"], changes["restored_by"])]
