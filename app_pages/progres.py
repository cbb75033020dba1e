"""Progrès: the programme's measures against the targets, budget, each territory (target,
2025 status, latest figure of each measure with its source and date), map, latest changes.

Thin page: tables from ``tzcld.ledger.summary``, figures from ``tzcld.charts``, cached
reads from ``tzcld.ui.ledger``.
"""

from __future__ import annotations

import streamlit as st

from tzcld import charts
from tzcld.i18n import territory_name
from tzcld.ledger import summary
from tzcld.ledger.store import changes_of
from tzcld.territories import STATUSES, load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui.ledger import (
    chart_with_table,
    configured_demo,
    downloads,
    observations_or_facts,
    provinces_geojson,
    territories_geojson,
)

lang = current_lang()
st.title(tr("progress.title"))
st.write(tr("progress.intro"))

frame, from_ledger = observations_or_facts()
if not from_ledger:
    st.warning(tr("home.unavailable"))
if configured_demo():
    st.warning(tr("progress.example_banner"), icon="⚠️")

registry = load_registry()
link = {tr("progress.col.source_url"): st.column_config.LinkColumn()}
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
        format_func=lambda i: territory_name(i, lang, registry[i].name),
        key="progress_territories",
        placeholder=tr("progress.all"),
    )

# Programme: each measure its own series, against 750 and 725.
st.header(tr("progress.programme_heading"))
points = summary.programme_points(frame, lang)
chart_with_table(
    charts.programme_chart(
        points,
        summary.latest_number(frame, "programme", "job_target"),
        summary.latest_number(frame, "programme", "job_target_territories_sum"),
        lang,
    ),
    points.drop(columns=["date"]),
    summary.programme_display(points, lang),
    key="programme",
    filename="programme-emplois-personnes",
)
st.caption(tr("progress.programme_caption"))
st.caption(tr("progress.date_midpoint_note"))
with st.expander(tr("progress.programme_other_heading")):
    st.dataframe(
        summary.figures_table(frame, lang, registry, scopes=["programme"], with_scope=False),
        hide_index=True,
        key="programme_figures",
        column_config=link,
    )

# Budget.
st.header(tr("progress.budget_heading"))
budget = summary.budget_table(frame, lang)
chart_with_table(
    charts.budget_chart(budget, lang), budget, summary.budget_display(budget, lang), key="budget", filename="budget"
)
st.caption(tr("progress.budget_caption"))

# Territories.
st.header(tr("progress.territories_heading"))
full = summary.territory_table(frame, lang, registry)
st.write(summary.status_summary(full, lang))
for note in summary.conflict_notes(frame, lang, registry):
    st.markdown(note)
table = summary.filter_territories(full, provinces, statuses, territory_ids)
if table.empty:
    st.info(tr("progress.no_data"))
else:
    fig = charts.territory_chart(table, lang)
    st.plotly_chart(fig, key="chart_territories", config={"displaylogo": False}, alt=fig.layout.title.text)
    st.dataframe(summary.territory_display(table, lang), hide_index=True, key="table_territories")
    downloads(summary.territory_export(table), "territories", "territoires")
    st.caption(tr("progress.territory_caption"))

    st.subheader(tr("progress.territory_figures_heading"))
    st.caption(tr("progress.territory_figures_caption"))
    details = summary.figures_table(frame, lang, registry, scopes=list(table["id"]))
    st.dataframe(details, hide_index=True, key="table_territory_figures", column_config=link)
    downloads(details, "territory_figures", "chiffres-par-territoire")

    st.subheader(tr("progress.territory_budget_heading"))
    budgets = summary.territory_budget_table(frame, lang, registry)
    budgets = budgets[budgets[tr("progress.col.scope")].isin(table["name"])]
    if budgets.empty:
        st.info(tr("progress.no_territory_budget"))
    else:
        st.dataframe(budgets, hide_index=True, key="table_territory_budgets", column_config=link)

    st.header(tr("progress.map_heading"))
    geojson = territories_geojson()
    if geojson is None:
        st.info(tr("progress.map_unavailable"))
    elif table["share"].isna().all():
        st.info(tr("progress.map_no_share"))
    else:
        chart_with_table(
            charts.share_map(geojson, table, lang, context=provinces_geojson()),
            table[
                [
                    "id",
                    "name",
                    "target",
                    "share_basis",
                    "reported",
                    "reported_date",
                    "share",
                    "status",
                    "precision",
                    "is_example",
                ]
            ],
            summary.territory_display(table, lang),
            key="map",
            filename="part-objectif-atteinte",
        )
        st.caption(tr("progress.map_caption"))
        for key, names in summary.map_notes(table).items():
            st.caption(tr(key, names=names))

# Latest changes.
st.header(tr("progress.history_heading"))
changes = changes_of(frame, limit=20)
st.dataframe(summary.changes_display(changes, lang), hide_index=True, key="progress_changes", column_config=link)
st.caption(tr("progress.credit"))
