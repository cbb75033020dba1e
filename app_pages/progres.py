"""Progrès: the programme's measures against the targets, budget, each territory (target,
2025 status, latest figure of each measure with its source and date), map, latest changes.

Thin page: tables from ``tzcld.ledger.summary`` and figures from ``tzcld.charts``, built
once per observations and language (``tzcld.ui.ledger.progress_tables`` /
``progress_charts``): a rerun filters rows and draws. Tables as plain HTML
(``tzcld.ui.tables``), the CSV files made when a download button is clicked.
"""

from __future__ import annotations

import streamlit as st

from tzcld.i18n import territory_name
from tzcld.ledger import summary
from tzcld.territories import STATUSES, load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui.ledger import (
    chart_with_table,
    configured_demo,
    downloads,
    observations_or_facts,
    progress_charts,
    progress_tables,
    territories_geojson,
)
from tzcld.ui.runtime import published as published_state
from tzcld.ui.tables import show_table

lang = current_lang()
st.title(tr("progress.title"))
st.write(tr("progress.intro"))

frame, from_ledger = observations_or_facts()
if not from_ledger:
    st.warning(tr("home.unavailable"))
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
        format_func=lambda i: territory_name(i, lang, registry[i].name),
        key="progress_territories",
        placeholder=tr("progress.all"),
    )

# Everything that depends only on the observations and the language is built once for all
# sessions (tzcld.ui.ledger.progress_tables); a rerun filters rows and draws.
tables = progress_tables(frame, lang)
full = tables.territories
table = summary.filter_territories(full, provinces, statuses, territory_ids)
figs = progress_charts(frame, lang, tuple(table["id"]), published_state().version)
value_col, source_col, url_col = tr("progress.col.value"), tr("progress.col.source"), tr("progress.col.source_url")
link = {source_col: url_col}

# Programme: each measure its own series, against 750 and 725.
st.header(tr("progress.programme_heading"))
chart_with_table(
    figs.programme,
    tables.points.drop(columns=["date"]),
    tables.programme_display,
    key="programme",
    filename="programme-emplois-personnes",
)
st.caption(tr("progress.programme_caption"))
st.caption(tr("progress.date_midpoint_note"))
with st.expander(tr("progress.programme_other_heading")):
    show_table(
        tables.programme_figures,
        tr("progress.programme_other_heading"),
        key="programme_figures",
        numeric=[value_col],
        links=link,
    )

# Budget.
st.header(tr("progress.budget_heading"))
chart_with_table(figs.budget, tables.budget, tables.budget_display, key="budget", filename="budget")
st.caption(tr("progress.budget_caption"))

# Territories.
st.header(tr("progress.territories_heading"))
st.write(tables.status_summary)
for note in tables.conflict_notes:
    st.markdown(note)
if table.empty:
    st.info(tr("progress.no_data"))
else:
    fig = figs.territories
    st.plotly_chart(fig, key="chart_territories", config={"displaylogo": False}, alt=fig.layout.title.text)
    display = summary.territory_display(table, lang)
    show_table(
        display,
        tr("progress.territories_heading"),
        key="table_territories",
        numeric=[c for c in display.columns[3:] if c != tr("progress.col.precision")],
    )
    downloads(summary.territory_export(table), "territories", "territoires")
    st.caption(tr("progress.territory_caption"))

    st.subheader(tr("progress.territory_figures_heading"))
    st.caption(tr("progress.territory_figures_caption"))
    details = summary.rows_of_territories(tables.territory_figures, table["name"], lang)
    show_table(
        details,
        tr("progress.territory_figures_heading"),
        key="table_territory_figures",
        numeric=[value_col],
        links=link,
    )
    downloads(details, "territory_figures", "chiffres-par-territoire")

    st.subheader(tr("progress.territory_budget_heading"))
    budgets = summary.rows_of_territories(tables.territory_budgets, table["name"], lang)
    if budgets.empty:
        st.info(tr("progress.no_territory_budget"))
    else:
        show_table(
            budgets,
            tr("progress.territory_budget_heading"),
            key="table_territory_budgets",
            numeric=[value_col],
            links=link,
        )

    st.header(tr("progress.map_heading"))
    if territories_geojson() is None:
        st.info(tr("progress.map_unavailable"))
    elif figs.share_map is None:
        st.info(tr("progress.map_no_share"))
    else:
        chart_with_table(
            figs.share_map,
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
            display,
            key="map",
            filename="part-objectif-atteinte",
            numeric=tuple(c for c in display.columns[3:] if c != tr("progress.col.precision")),
        )
        st.caption(tr("progress.map_caption"))
        for key, names in summary.map_notes(table).items():
            st.caption(tr(key, names=names))

# Latest changes.
st.header(tr("progress.history_heading"))
show_table(
    tables.changes,
    tr("progress.history_heading"),
    key="progress_changes",
    links=link,
)
st.caption(tr("progress.credit"))
