"""Tables derived from the ledger for the Accueil and Progrès pages: pure pandas, no Streamlit.

Each function takes an observations frame (:meth:`tzcld.ledger.Store.observations_frame`,
or :func:`facts_frame` when the database is down) and returns a plain table that a chart
draws and that is offered as its table alternative and download. Unknown stays unknown:
a missing figure is ``NaN`` in numeric columns and ``"non communiqué"`` where text is
shown, never 0. Different measures stay different columns or traces; where two sources
disagree, both are shown (:mod:`tzcld.ledger.figures`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tzcld.facts import figure_notes
from tzcld.formatting import format_percent
from tzcld.i18n import t, territory_name
from tzcld.ledger.figures import (
    Figure,
    FigureSet,
    date_display,
    figure_sets,
    figures_of,
    short_source,
    split_source,
    value_display,
)
from tzcld.ledger.metrics import (
    BUDGET_METRICS,
    METRICS,
    POLITICAL,
    PROGRAMME,
    PROGRAMME_SERIES,
    SHARE_BASIS,
    TERRITORY_BUDGET_METRICS,
    TERRITORY_MEASURES,
)
from tzcld.ledger.store import _typed, effective_of, latest_of
from tzcld.ledger.validation import period_midpoint
from tzcld.territories import Registry, load_registry


def facts_frame(facts=None) -> pd.DataFrame:
    """The published facts as an observations frame (``entered_by`` the import account):
    what the pages show when there is no database yet or it cannot be read. The ids are
    negative and increase in the file's order, as a seeded ledger's do, so that the latest
    of two figures of the same date is the same one."""
    from tzcld.facts import published_facts
    from tzcld.ledger.store import SEED_ACCOUNT

    facts = tuple(published_facts() if facts is None else facts)
    at = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": i - len(facts),
            "scope": f.scope,
            "metric": f.metric,
            "value": f.value,
            "unit": f.unit,
            "period_date": f.period_date,
            "source_title": f.source_title,
            "source_url": f.source_url,
            "entered_by": SEED_ACCOUNT,
            "entered_at": at,
            "supersedes_id": None,
            "superseded": False,
            "reason": "",
            "is_example": False,
            "value_text": f.text,
            "superseded_by": None,
            "seed_key": f.seed_key,
            "date_precision": f.date_precision,
            "date_note": f.date_note,
            "qualifier": f.qualifier,
            "source_kind": f.source_kind,
            "note": f.note,
            "retracted": False,
            "fact_key": f.key,
        }
        for i, f in enumerate(facts)
    ]
    return _typed(pd.DataFrame(rows))


def fact_labels(lang: str = "fr") -> dict[str, str]:
    """``fact_key -> label`` of the published facts in ``lang`` (empty when unreadable)."""
    from tzcld.facts import FactsFileError, published_facts

    try:
        return {f.key: f.label(lang) for f in published_facts()}
    except (FactsFileError, OSError):
        return {}


def latest_number(frame: pd.DataFrame, scope: str, metric: str) -> float | None:
    """The latest effective number for ``scope``/``metric``; ``None`` when unknown."""
    row = latest_of(frame, scope, metric)
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    return float(row["value"].iloc[0])


def _metric_label(metric: str, lang: str) -> str:
    return t(f"progress.metric.{metric}", lang)


def _scope_name(scope: str, registry: Registry, lang: str) -> str:
    if scope == PROGRAMME:
        return t("progress.scope.programme", lang)
    territory = registry.get(scope)
    return territory_name(territory.id, lang, territory.name) if territory else scope


SERIES_COLUMNS = [
    "metric",
    "label",
    "period_date",
    "date",
    "value",
    "unit",
    "qualifier",
    "display",
    "date_display",
    "date_precision",
    "date_note",
    "source_title",
    "source_url",
    "entered_by",
    "is_example",
]


def programme_series(
    frame: pd.DataFrame, metric: str = "jobs_created", scope: str = PROGRAMME, lang: str = "fr"
) -> pd.DataFrame:
    """Effective observations of one ``metric`` for ``scope`` over time, oldest first.

    Columns: :data:`SERIES_COLUMNS` (``date`` is the period's midpoint, a ``datetime64``;
    ``display`` and ``date_display`` as people read them). When several effective entries
    describe the same period, the latest entered wins.
    """
    cur = effective_of(frame)
    cur = cur[(cur["scope"] == scope) & (cur["metric"] == metric)].copy()
    if cur.empty:
        return pd.DataFrame({c: [] for c in SERIES_COLUMNS}).astype({"value": "float64", "is_example": bool})
    cur["date"] = pd.to_datetime([period_midpoint(p) for p in cur["period_date"]])
    cur = cur.sort_values(["date", "is_example", "entered_at", "id"], kind="stable")
    cur = cur.drop_duplicates(subset=["period_date", "is_example", "source_title"], keep="last")
    cur["label"] = _metric_label(metric, lang)
    cur["display"] = [value_display(v, u, lang, q) for v, u, q in zip(cur["value"], cur["unit"], cur["qualifier"])]
    cur["date_display"] = [date_display(p, d, lang) for p, d in zip(cur["period_date"], cur["date_precision"])]
    return cur[SERIES_COLUMNS].reset_index(drop=True)


def programme_points(frame: pd.DataFrame, lang: str = "fr", metrics=PROGRAMME_SERIES) -> pd.DataFrame:
    """The programme-wide series of the Progrès chart, one block per metric (never joined):
    jobs created, people hired, people being integrated (:data:`PROGRAMME_SERIES`)."""
    parts = [programme_series(frame, m, PROGRAMME, lang) for m in metrics]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return programme_series(frame.iloc[0:0], metrics[0], PROGRAMME, lang)
    return pd.concat(parts, ignore_index=True)


def budget_table(frame: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """One row per budget metric (:data:`BUDGET_METRICS`) for the programme.

    ``budget_withdrawn`` adds the territories' withdrawals when the programme has no
    figure of its own (La Louvière's €4.8M): ``detail`` then says so. Columns:
    ``metric``, ``label``, ``value`` (euros, ``NaN`` when unknown), ``display``
    (Belgian format or "non communiqué"), ``period_date``, ``date_display``,
    ``source_title``, ``source_url``, ``detail``, ``is_example``.
    """
    latest = latest_of(frame)
    rows = []
    for metric in BUDGET_METRICS:
        hit = latest[(latest["scope"] == PROGRAMME) & (latest["metric"] == metric)]
        detail, qualifier, precision = "", "", ""
        if not hit.empty:
            r = hit.iloc[0]
            value, period, title, url, example = (
                r["value"],
                r["period_date"],
                r["source_title"],
                r["source_url"],
                bool(r["is_example"]),
            )
            qualifier, precision = r["qualifier"], r["date_precision"]
        elif metric == "budget_withdrawn":
            parts = latest[(latest["scope"] != PROGRAMME) & (latest["metric"] == metric)]
            if parts.empty:
                value, period, title, url, example = float("nan"), "", "", "", False
            else:
                value = float(parts["value"].sum())
                period = str(max(parts["period_date"]))
                precision = "inferred" if (parts["date_precision"] == "inferred").any() else ""
                title = " ; ".join(sorted(set(parts["source_title"])))
                url = " ; ".join(sorted({u for u in parts["source_url"] if u}))
                example = bool(parts["is_example"].any())
                detail = t("progress.budget_withdrawn_detail", lang, scopes=", ".join(_names(parts["scope"], lang)))
        else:
            value, period, title, url, example = float("nan"), "", "", "", False
        rows.append(
            {
                "metric": metric,
                "label": _metric_label(metric, lang),
                "value": value,
                "display": value_display(value, "EUR", lang, qualifier),
                "period_date": period,
                "date_display": date_display(period, precision, lang) if period else "",
                "source_title": title,
                "source_url": url,
                "detail": detail,
                "is_example": example,
            }
        )
    return pd.DataFrame(rows).astype({"value": "float64"})


def _names(ids, lang: str = "fr") -> list[str]:
    registry = load_registry()
    return [territory_name(i, lang, known.name) if (known := registry.get(i)) else str(i) for i in ids]


def _status_of(territory, sets: dict[tuple[str, str], FigureSet], lang: str) -> dict:
    """Status, its date (as precise as known), source and note: the ledger's latest status
    when it has one, else the registry's."""
    found = sets.get((territory.id, "status"))
    if found is not None and found.latest.text:
        fig = found.latest
        return {
            "status": fig.text,
            "status_date": fig.period_date,
            "status_date_display": fig.date_display(lang),
            "status_source": fig.source_title,
            "status_url": fig.source_url,
            "status_note": fig.date_note or fig.note,
        }
    title, url = split_source(territory.status_source)
    date = territory.status_date or ""
    return {
        "status": territory.status,
        "status_date": date,
        "status_date_display": date_display(date, territory.status_date_precision or "", lang) if date else "",
        "status_source": title,
        "status_url": url,
        "status_note": territory.status_note or "",
    }


def territory_table(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> pd.DataFrame:
    """One row per territory (registry order): status, target, the latest figure of each
    measure with its date and source, and the share of target reached.

    Columns: ``id``, ``name``, ``province``; ``status``, ``status_label``, ``status_date``,
    ``status_date_display``, ``status_source``, ``status_url``, ``status_note``;
    ``target`` (latest effective ``job_target``, else the registry's), ``target_announced``
    (the registry's, from the announcement), ``target_cell``, ``target_source``,
    ``target_date``; for each measure ``m`` of :data:`TERRITORY_MEASURES` and of
    :data:`TERRITORY_BUDGET_METRICS`: ``m`` (number, ``NaN`` when unknown), ``m_cell``
    (value, source and date, conflicting sources beside it; "non communiqué"),
    ``m_date``, ``m_source``, ``m_url`` and ``m_conflict``; ``share_basis`` (the measure
    the share uses, :data:`SHARE_BASIS`), ``reported`` (its value), ``reported_cell``,
    ``reported_date``, ``reported_source``, ``reported_url``, ``share`` (``NaN`` when
    unknown or when sources conflict), ``share_cell``; ``figures`` (how many figures are
    known), ``precision``, ``precision_label``, ``is_example``.
    """
    registry = registry or load_registry()
    sets = figure_sets(frame)
    unknown = t("progress.unknown", lang)
    rows = []
    for territory in registry:
        name = territory_name(territory.id, lang, territory.name)
        row: dict = {"id": territory.id, "name": name, "province": territory.province}
        row.update(_status_of(territory, sets, lang))
        row["status_label"] = t(f"common.status.{row['status']}", lang)
        target_set = sets.get((territory.id, "job_target"))
        latest = target_set.latest.value if target_set is not None else None  # None: not a number (a text)
        target = float(latest) if latest is not None else float(territory.job_target)
        row["target"] = target
        row["target_announced"] = float(territory.job_target)
        if target_set is not None:
            cell = target_set.cell(lang)
            if target != territory.job_target:
                cell += " — " + t("progress.target_announced_was", lang, value=territory.job_target)
            row.update(
                target_cell=cell,
                target_source=target_set.latest.source_title,
                target_date=target_set.latest.period_date,
            )
        else:
            row.update(target_cell=value_display(target, "persons", lang), target_source="", target_date="")
        examples = False
        known = 0
        for metric in (*TERRITORY_MEASURES, *TERRITORY_BUDGET_METRICS):
            found = sets.get((territory.id, metric))
            if found is None:
                row.update(
                    {
                        metric: float("nan"),
                        f"{metric}_cell": unknown,
                        f"{metric}_date": "",
                        f"{metric}_source": "",
                        f"{metric}_url": "",
                        f"{metric}_conflict": False,
                    }
                )
                continue
            known += 1
            examples = examples or found.latest.is_example
            row.update(
                {
                    metric: float("nan") if found.latest.value is None else float(found.latest.value),
                    f"{metric}_cell": found.cell(lang),
                    f"{metric}_date": found.latest.period_date,
                    f"{metric}_source": found.latest.source_title,
                    f"{metric}_url": found.latest.source_url,
                    f"{metric}_conflict": found.conflict,
                }
            )
        basis = next((m for m in SHARE_BASIS if not pd.isna(row[m])), "")
        row["share_basis"] = basis
        if basis:
            row.update(
                reported=row[basis],
                reported_cell=row[f"{basis}_cell"],
                reported_date=row[f"{basis}_date"],
                reported_source=row[f"{basis}_source"],
                reported_url=row[f"{basis}_url"],
            )
            conflict = bool(row[f"{basis}_conflict"])
            share = float("nan") if conflict or target <= 0 else row[basis] / target
            qualifier = sets[(territory.id, basis)].latest.qualifier
            if conflict:
                share_cell = t("progress.share_conflict", lang)
            else:
                share_cell = ("≈\u202f" if qualifier == "approx" else "") + format_percent(share, 0, lang)
                share_cell = t("progress.share_of", lang, share=share_cell, basis=_metric_label(basis, lang))
        else:
            row.update(
                reported=float("nan"), reported_cell=unknown, reported_date="", reported_source="", reported_url=""
            )
            share, share_cell = float("nan"), unknown
        row["share"] = share
        row["share_cell"] = share_cell
        row["figures"] = known
        row["precision"] = territory.precision
        row["precision_label"] = t(f"common.precision.{territory.precision}", lang)
        row["is_example"] = examples
        rows.append(row)
    table = pd.DataFrame(rows)
    numeric = ["target", "target_announced", "reported", "share", *TERRITORY_MEASURES, *TERRITORY_BUDGET_METRICS]
    return table.astype(dict.fromkeys(numeric, "float64"))


def map_notes(table: pd.DataFrame) -> dict[str, str]:
    """Plain sentences under the share map: ``catalogue key -> names`` of the territories
    without any figure comparable with the target, and of those whose sources conflict."""
    conflict = [bool(b) and bool(r.get(f"{b}_conflict")) for b, (_, r) in zip(table["share_basis"], table.iterrows())]
    without = [str(n).split(" (")[0] for n, b in zip(table["name"], table["share_basis"]) if not b]
    conflicting = [str(n).split(" (")[0] for n, c in zip(table["name"], conflict) if c]
    out = {}
    if without:
        out["progress.map_without_figure"] = ", ".join(without)
    if conflicting:
        out["progress.map_conflicts"] = ", ".join(conflicting)
    return out


def territory_export(table: pd.DataFrame) -> pd.DataFrame:
    """The per-territory table for download: numbers, dates, sources and links (the
    ``_cell`` texts, made for the screen, are left out)."""
    return table[[c for c in table.columns if not c.endswith("_cell") and c != "status_date_display"]]


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


def status_summary(table: pd.DataFrame, lang: str = "fr") -> str:
    """The 2025 statuses in plain words: which territories are continued and ended (per
    our sources), how many are not confirmed, and why the release counts 16, not 17."""
    sep = " ; " if lang == "fr" else "; "

    def names(status: str) -> str:
        picked = [str(n).split(" (")[0] for n, s in zip(table["name"], table["status"]) if s == status]
        return ", ".join(picked) if picked else t("progress.none", lang)

    unconfirmed = int((table["status"] == "unconfirmed").sum())
    parts = [
        t("progress.status_summary.continued", lang, names=names("continued")),
        t("progress.status_summary.ended", lang, names=names("ended")),
        t("progress.status_summary.unconfirmed", lang, n=unconfirmed),
    ]
    return sep.join(parts) + ". " + t("progress.status_summary.release", lang)


def _figure_row(fig: Figure, labels: dict[str, str], registry: Registry, lang: str, conflict: bool) -> dict:
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    label = labels.get(fig.fact_key or "", "")
    kind = t(f"facts.kind.{fig.source_kind}", lang) if fig.source_kind else ""
    # in English, the facts file's English notes (a note it does not translate stays French)
    note = " ".join(n.text for n in figure_notes(fig.fact_key, fig.date_note, fig.note, lang) if n.text)
    return {
        c("scope"): _scope_name(fig.scope, registry, lang),
        c("metric"): _metric_label(fig.metric, lang),
        c("value"): fig.display(lang),
        c("date"): fig.date_display(lang),
        c("figure"): label,
        c("source"): fig.source_title or t("progress.unknown", lang),
        c("source_url"): fig.source_url,
        c("source_kind"): kind,
        c("conflict"): t("progress.conflict", lang) if conflict else "",
        c("note"): note,
        c("example"): t("progress.example_suffix", lang) if fig.is_example else "",
    }


def figures_table(
    frame: pd.DataFrame,
    lang: str = "fr",
    registry: Registry | None = None,
    scopes: list[str] | None = None,
    metrics: tuple[str, ...] | None = None,
    with_scope: bool = True,
) -> pd.DataFrame:
    """Every effective figure (of ``scopes``, default all; of ``metrics``), one row each,
    with its label, value, date as precise as the source, source title, link, kind (a
    political statement says so) and note; ``Sources divergentes`` marks figures that
    disagree with another source the same year. Registry order, then metric order, then date.
    Without ``with_scope`` the territory column is left out; the example column is there
    only when some figure is example data."""
    registry = registry or load_registry()
    labels = fact_labels(lang)
    sets = figure_sets(frame)
    conflicted = {f.id for s in sets.values() if s.conflict for f in s.figures}
    order = {sid: i for i, sid in enumerate((PROGRAMME, *registry.ids))}
    metric_order = {m: i for i, m in enumerate(METRICS)}
    figures = [
        f
        for f in figures_of(frame)
        if (scopes is None or f.scope in scopes) and (metrics is None or f.metric in metrics)
    ]
    figures.sort(
        key=lambda f: (
            order.get(f.scope, 99),
            metric_order.get(f.metric, 99),
            period_midpoint(f.period_date) or dt.date.min,
        )
    )
    rows = [_figure_row(f, labels, registry, lang, f.id in conflicted) for f in figures]
    columns = ["scope", "metric", "value", "date", "figure", "source", "source_url", "source_kind", "conflict", "note"]
    if not with_scope:
        columns.remove("scope")
    if any(f.is_example for f in figures):
        columns.append("example")
    return pd.DataFrame(rows, columns=[t(f"progress.col.{k}", lang) for k in columns])


def territory_budget_table(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> pd.DataFrame:
    """The budgets published per territory (granted, applied for, withdrawn...), one row each."""
    registry = registry or load_registry()
    return figures_table(frame, lang, registry, scopes=list(registry.ids), metrics=TERRITORY_BUDGET_METRICS)


# ---------------------------------------------------------------- display tables
def _date(value: str, lang: str, precision: str = "") -> str:
    return date_display(value, precision, lang) if value else ""


def programme_display(points: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The table alternative of the programme chart: measure, value, date, source, link."""
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("metric"): list(points["label"]),
            c("value"): list(points["display"]),
            c("date"): list(points["date_display"]),
            c("source"): list(points["source_title"]),
            c("source_url"): list(points["source_url"]),
            c("example"): [t("progress.example_suffix", lang) if e else "" for e in points["is_example"]],
        }
    )


def budget_display(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The table alternative of the budget chart (amounts formatted, unknown said so)."""
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("metric"): list(table["label"]),
            c("value"): list(table["display"]),
            c("date"): list(table["date_display"]),
            c("source"): [f"{s} ({d})" if d else s for s, d in zip(table["source_title"], table["detail"])],
            c("source_url"): list(table["source_url"]),
        }
    )


#: Measures shown in the per-territory table when at least one territory has them.
DISPLAY_MEASURES: tuple[str, ...] = (
    "jobs_created",
    "hired",
    "hired_long_term_unemployed",
    "hired_in_period",
    "headcount",
    "fte",
    "activities",
)


def territory_display(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The per-territory table for people: status 2025 (date, source), target, the latest
    figure of each measure with its source and date (conflicting sources beside it), the
    share of target reached. Measures no territory of ``table`` has are left out (they are
    "non communiqué" everywhere; the detailed table lists every figure)."""
    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    unknown = t("progress.unknown", lang)
    out = {
        c("scope"): list(table["name"]),
        c("province"): list(table["province"]),
        c("status"): [
            f"{label} ({short_source(src)}, {date})" if src else label
            for label, src, date in zip(table["status_label"], table["status_source"], table["status_date_display"])
        ],
        c("target"): list(table["target_cell"]),
    }
    for metric in DISPLAY_MEASURES:
        if metric in table and table[metric].notna().any():
            out[_metric_label(metric, lang)] = [
                cell if not pd.isna(v) else unknown for v, cell in zip(table[metric], table[f"{metric}_cell"])
            ]
    out[c("share")] = list(table["share_cell"])
    out[c("precision")] = list(table["precision_label"])
    return pd.DataFrame(out)


def changes_display(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The change log for people: when and by whom (a seeded row says "import des chiffres
    publiés" and shows its source's date), what, which value replaced which, why, source."""
    from tzcld.formatting import format_number

    c = lambda k: t(f"progress.col.{k}", lang)  # noqa: E731
    registry = load_registry()

    def value(v: float, text: str | None, unit: str = "", qualifier: str = "") -> str:
        if text:
            return t(f"common.status.{text}", lang)
        if pd.isna(v):
            return ""
        return (
            value_display(v, unit, lang, qualifier)
            if unit
            else format_number(v, 0 if float(v).is_integer() else 2, lang)
        )

    def when(row) -> str:
        if row["kind"] in ("seed", "retraction") and row["seed_key"]:
            return t("progress.source_dated", lang, date=_date(row["period_date"], lang, row.get("date_precision", "")))
        stamp = row["entered_at"]
        shown = stamp.strftime("%d/%m/%Y %H:%M UTC") if lang == "fr" else stamp.strftime("%Y-%m-%d %H:%M UTC")
        return t("progress.entry_dated", lang, date=shown)

    def who(row) -> str:
        return t("facts.seed.account", lang) if row["seed_key"] else str(row["entered_by"])

    records = [r for _, r in changes.iterrows()]
    # what changed first (territory, measure, value, date), then who or what and when
    return pd.DataFrame(
        {
            # a published figure read from the facts file (no database yet) has no entry number:
            # its negative id is internal, never shown
            c("id"): [int(i) if int(i) > 0 else "" for i in changes["id"]],
            c("scope"): [_scope_name(s, registry, lang) for s in changes["scope"]],
            c("metric"): [_metric_label(m, lang) for m in changes["metric"]],
            c("value"): [
                ""
                if r["kind"] == "retraction"
                else value(r["value"], r["value_text"], r["unit"], r.get("qualifier", ""))
                for r in records
            ],
            c("date"): [_date(r["period_date"], lang, r.get("date_precision", "")) for r in records],
            c("entered_by"): [who(r) for r in records],
            c("entered_at"): [when(r) for r in records],
            c("kind"): [t(f"progress.kind.{k}", lang) for k in changes["kind"]],
            c("unit"): [t(f"progress.unit.{u}", lang) for u in changes["unit"]],
            c("supersedes"): ["" if pd.isna(s) or int(s) <= 0 else int(s) for s in changes["supersedes_id"]],
            c("previous_value"): [
                value(v, x) for v, x in zip(changes["previous_value"], changes["previous_value_text"])
            ],
            c("reason"): list(changes["reason"]),
            c("source"): list(changes["source_title"]),
            c("source_url"): list(changes["source_url"]),
            t("restore.column", lang): _restore_marks(changes, lang),
        }
    )


# ---------------------------------------------------------------- the Accueil headline
@dataclass(frozen=True)
class Tile:
    """One tile of the Accueil headline: a short label, the figure, one line of context,
    and one short source line (publisher, date, link)."""

    key: str
    label: str
    value: str
    detail: str
    source: str
    source_url: str
    date: str
    is_example: bool = False
    known: bool = True


def _tile(key: str, label: str, value: str, detail: str, fig: Figure | None, lang: str, example: bool = False) -> Tile:
    if fig is None:
        return Tile(key, label, value, detail, t("progress.unknown", lang), "", "", example, False)
    return Tile(
        key,
        label,
        value,
        detail,
        fig.source_short,
        fig.source_url,
        fig.date_display(lang),
        example or fig.is_example,
        True,
    )


def headline_tiles(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> list[Tile]:
    """What a minister needs in one glance, from the ledger: jobs created against the two
    targets (750 announced, 725 the sum of the territories), people being integrated,
    territories continued / ended, budget — each with its source and date. A figure from
    example data (demo mode) says so."""
    from tzcld.formatting import format_eur, format_number

    registry = registry or load_registry()
    sets = figure_sets(frame)
    unknown = t("progress.unknown", lang)
    suffix = f" ({t('progress.example_suffix', lang)})"
    used_examples: set[str] = set()

    def get(metric: str) -> Figure | None:
        found = sets.get((PROGRAMME, metric))
        return found.latest if found is not None else None

    def shown(key: str, fig: Figure | None) -> str:
        if fig is None:
            return unknown
        if fig.is_example:
            used_examples.add(key)
            return fig.display(lang) + suffix
        return fig.display(lang)

    jobs, target, total = get("jobs_created"), get("job_target"), get("job_target_territories_sum")
    target_n = target.value if target is not None and target.value else None
    total_n = total.value if total is not None and total.value else float(registry.total_job_target)
    if jobs is not None and jobs.value is not None:
        shares = []
        if target_n:
            share = format_percent(jobs.value / target_n, 0, lang)
            shares.append(t("home.tile.jobs_of", lang, target=format_number(target_n, 0, lang), share=share))
        share = format_percent(jobs.value / total_n, 0, lang)
        shares.append(t("home.tile.jobs_of_sum", lang, target=format_number(total_n, 0, lang), share=share))
        detail = (" ; " if lang == "fr" else "; ").join(shares) + "."
    else:
        detail = t(
            "home.tile.targets",
            lang,
            target=format_number(target_n or 750, 0, lang),
            total=format_number(total_n, 0, lang),
        )
    tiles = [_tile("jobs", t("home.tile.jobs", lang), shown("jobs", jobs), detail, jobs, lang)]

    hired, integration = get("hired"), get("in_integration")
    detail = t("home.tile.integration_detail", lang)
    if hired is not None:
        detail += " " + t(
            "home.tile.hired_before", lang, value=shown("integration", hired), date=hired.date_display(lang)
        )
    value = shown("integration", integration)
    tiles.append(
        _tile(
            "integration",
            t("home.tile.integration", lang),
            value,
            detail,
            integration,
            lang,
            "integration" in used_examples,
        )
    )

    continued, ended = get("territories_continued"), get("territories_ended")
    if continued is not None or ended is not None:
        value = t(
            "home.tile.territories_value",
            lang,
            continued=shown("territories", continued),
            ended=shown("territories", ended),
        )
    else:
        value = unknown
    statuses = territory_table(frame, lang, registry)
    named = {
        s: [str(n).split(" (")[0] for n, st in zip(statuses["name"], statuses["status"]) if st == s]
        for s in ("continued", "ended")
    }
    detail = t(
        "home.tile.territories_detail",
        lang,
        retained=format_number(len(registry), 0, lang),
        continued=", ".join(named["continued"]) or t("progress.none", lang),
        ended=", ".join(named["ended"]) or t("progress.none", lang),
    )
    tiles.append(
        _tile(
            "territories",
            t("home.tile.territories", lang),
            value,
            detail,
            continued or ended,
            lang,
            "territories" in used_examples,
        )
    )

    budget, spent = get("budget_allocated"), get("budget_spent")
    detail = t("home.tile.budget_detail", lang, spent=shown("budget", spent))
    withdrawn = latest_of(frame, metric="budget_withdrawn")
    withdrawn = withdrawn[withdrawn["scope"] != PROGRAMME]
    if not withdrawn.empty:
        detail += " " + t(
            "home.tile.budget_withdrawn",
            lang,
            value=format_eur(float(withdrawn["value"].sum()), lang),
            names=", ".join(n.split(" (")[0] for n in _names(withdrawn["scope"], lang)),
        )
    value = shown("budget", budget)
    tiles.append(_tile("budget", t("home.tile.budget", lang), value, detail, budget, lang, "budget" in used_examples))
    return tiles


def conflict_notes(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> list[str]:
    """One Markdown sentence per (scope, measure) where sources disagree, every source
    linked with its value and date: the reader sees both, nobody picks one silently."""
    registry = registry or load_registry()
    notes = []
    order = {sid: i for i, sid in enumerate((PROGRAMME, *registry.ids))}
    sets = sorted(figure_sets(frame).items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))
    for (scope, metric), found in sets:
        if not found.conflict:
            continue
        cited = []
        for fig in (found.latest, *found.conflicting):
            name = _md(fig.source_short)
            source = f"[{name}]({fig.source_url})" if fig.source_url else name
            cited.append(
                t("progress.conflict_cited", lang, value=fig.display(lang), source=source, date=fig.date_display(lang))
            )
        notes.append(
            t(
                "progress.conflict_note",
                lang,
                scope=_md(_scope_name(scope, registry, lang).split(" (")[0]),
                metric=_metric_label(metric, lang).lower(),
                figures=(" ; " if lang == "fr" else "; ").join(cited),
            )
        )
    return notes


@dataclass(frozen=True)
class HomeSummary:
    """What the Accueil page shows of the ledger, in one language: the headline ``tiles``
    (:func:`headline_tiles`), the ``conflict_notes`` (:func:`conflict_notes`) and the
    programme's published ``figures`` (:func:`figures_table` of the programme, no
    territory column). Built once per observations and language (the page caches it)."""

    tiles: list[Tile]
    conflict_notes: list[str]
    figures: pd.DataFrame


def home_summary(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> HomeSummary:
    """The :class:`HomeSummary` of an observations frame."""
    registry = registry or load_registry()
    return HomeSummary(
        tiles=headline_tiles(frame, lang, registry),
        conflict_notes=conflict_notes(frame, lang, registry),
        figures=figures_table(frame, lang, registry, scopes=[PROGRAMME], with_scope=False),
    )


def _md(text: str) -> str:
    """Text safe inside Markdown (no link or emphasis syntax)."""
    for ch in "\\[]()*_`#<>":
        text = text.replace(ch, "\\" + ch)
    return text


def political_statements(frame: pd.DataFrame) -> list[Figure]:
    """Figures recorded as political statements (shown only labelled as such)."""
    cur = effective_of(frame, political=True)
    cur = cur[cur["source_kind"] == POLITICAL]
    return figures_of(cur) if not cur.empty else []


def _restore_marks(changes: pd.DataFrame, lang: str) -> list[str]:
    """ "restauré le … par …" for the rows a restore wrote (issue 12), else ``""``."""
    from tzcld.restore import restore_mark

    if "restored_at" not in changes:
        return [""] * len(changes)
    return [restore_mark(at, by, lang) for at, by in zip(changes["restored_at"], changes["restored_by"])]


# ---------------------------------------------------------------- the Progrès page
@dataclass(frozen=True)
class ProgressTables:
    """What the Progrès page shows of the ledger in one language, before any filter: the
    programme series (``points``) and its table, the programme's other figures, the budget,
    every territory's row (``territories``, :func:`territory_table`), the status sentence,
    the conflict notes, every published territory figure (``territory_figures``) and
    budget (``territory_budgets``), and the latest changes. Depends only on the
    observations and the language: the page builds it once per observations and language
    (cached) and filters its rows on each rerun (:func:`filter_territories`)."""

    points: pd.DataFrame
    programme_display: pd.DataFrame
    programme_figures: pd.DataFrame
    budget: pd.DataFrame
    budget_display: pd.DataFrame
    job_target: float | None
    job_target_sum: float | None
    territories: pd.DataFrame
    status_summary: str
    conflict_notes: list[str]
    territory_figures: pd.DataFrame
    territory_budgets: pd.DataFrame
    changes: pd.DataFrame


def progress_tables(frame: pd.DataFrame, lang: str = "fr", registry: Registry | None = None) -> ProgressTables:
    """The :class:`ProgressTables` of an observations frame."""
    from tzcld.ledger.store import changes_of

    registry = registry or load_registry()
    points = programme_points(frame, lang)
    budget = budget_table(frame, lang)
    territories = territory_table(frame, lang, registry)
    return ProgressTables(
        points=points,
        programme_display=programme_display(points, lang),
        programme_figures=figures_table(frame, lang, registry, scopes=[PROGRAMME], with_scope=False),
        budget=budget,
        budget_display=budget_display(budget, lang),
        job_target=latest_number(frame, PROGRAMME, "job_target"),
        job_target_sum=latest_number(frame, PROGRAMME, "job_target_territories_sum"),
        territories=territories,
        status_summary=status_summary(territories, lang),
        conflict_notes=conflict_notes(frame, lang, registry),
        territory_figures=figures_table(frame, lang, registry, scopes=list(registry.ids)),
        territory_budgets=territory_budget_table(frame, lang, registry),
        changes=changes_display(changes_of(frame, limit=20), lang),
    )


def rows_of_territories(table: pd.DataFrame, names: pd.Series | list[str], lang: str = "fr") -> pd.DataFrame:
    """The rows of a figures table (:func:`figures_table`, with its territory column) whose
    territory is one of ``names`` (the ``name`` column of :func:`territory_table`)."""
    column = t("progress.col.scope", lang)
    return table[table[column].isin(list(names))].reset_index(drop=True)
