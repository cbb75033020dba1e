"""Progrès: people hired against the target, budget, each territory, map, latest changes.

Thin page: tables from ``tzcld.ledger.summary``, figures from ``tzcld.charts``, cached
reads from ``tzcld.ui.ledger``.
"""

from __future__ import annotations

import streamlit as st

from tzcld import charts
from tzcld.ledger import summary
from tzcld.ledger.store import changes_of
from tzcld.territories import STATUSES, load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui.ledger import chart_with_table, configured_demo, observations, provinces_geojson, territories_geojson

lang = current_lang()
st.title(tr("progress.title"))
st.write(tr("progress.intro"))

try:
    frame = observations()
except Exception as exc:  # noqa: BLE001 - database unreachable: say so, show nothing false
    from tzcld.ui.errors import problem_kind

    st.error(tr("progress.ledger_unavailable", error=problem_kind(exc)))  # no exception type shown
    st.stop()

if configured_demo():
    st.warning(tr("progress.example_banner"), icon="⚠️")

registry = load_registry()
with st.sidebar:
    st.subheader(tr("progress.filters"))
    provinces = st.multiselect(
        tr("progress.filter_province"),
        sorted({t.province for t in registry}),
        key="progress_provinces",
        placeholder=tr("progress.all"),
    )
    statuses = st.multiselect(
        tr("progress.filter_status"),
        list(STATUSES),
        format_func=lambda s: tr(f"common.status.{s}"),
        key="progress_statuses",
        placeholder=tr("progress.all"),
    )
    territory_ids = st.multiselect(
        tr("progress.filter_territory"),
        list(registry.ids),
        format_func=lambda i: registry[i].name,
        key="progress_territories",
        placeholder=tr("progress.all"),
    )

# Programme: hires against 750 and 725.
st.header(tr("progress.programme_heading"))
series = summary.programme_series(frame, "hired")
chart_with_table(
    charts.hired_chart(
        series,
        summary.latest_number(frame, "programme", "job_target"),
        summary.latest_number(frame, "programme", "job_target_territories_sum"),
        lang,
    ),
    series.drop(columns=["date"]),
    summary.series_display(series, lang),
    key="hired",
    filename="personnes-engagees",
)
st.caption(tr("progress.date_midpoint_note"))

# Budget.
st.header(tr("progress.budget_heading"))
budget = summary.budget_table(frame, lang)
chart_with_table(
    charts.budget_chart(budget, lang), budget, summary.budget_display(budget, lang), key="budget", filename="budget"
)
st.caption(tr("progress.budget_caption"))

# Territories.
st.header(tr("progress.territories_heading"))
table = summary.filter_territories(summary.territory_table(frame, lang, registry), provinces, statuses, territory_ids)
if table.empty:
    st.info(tr("progress.no_data"))
else:
    chart_with_table(
        charts.territory_chart(table, lang),
        table,
        summary.territory_display(table, lang),
        key="territories",
        filename="territoires",
    )
    st.caption(tr("progress.territory_caption"))

    st.header(tr("progress.map_heading"))
    geojson = territories_geojson()
    if geojson is None:
        st.info(tr("progress.map_unavailable"))
    else:
        chart_with_table(
            charts.share_map(geojson, table, lang, context=provinces_geojson()),
            table[["id", "name", "target", "reported", "reported_date", "share", "status", "precision", "is_example"]],
            summary.territory_display(table, lang),
            key="map",
            filename="part-objectif-atteinte",
        )
        st.caption(tr("progress.map_caption"))

# Latest changes.
st.header(tr("progress.history_heading"))
changes = changes_of(frame, limit=20)
st.dataframe(summary.changes_display(changes, lang), hide_index=True, key="progress_changes")
st.caption(tr("progress.credit"))
