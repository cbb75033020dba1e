"""Streamlit helpers of the Accueil, Progrès, Transparence and Saisie pages: the ledger's
observations read once per period for every session, the database check of the partners'
pages, and "chart + table + download" blocks.

The ledger is the runtime's (:mod:`tzcld.ui.runtime`): a public page never creates the
database — with no database yet, the figures come straight from the published facts file
(the same figures and labels); with the database down, from the facts file too, and the
page says so (the runtime's one fallback policy, :mod:`tzcld.fallback`).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from tzcld.errors import is_database_error
from tzcld.ledger.store import Store
from tzcld.ledger.summary import HomeSummary, ProgressTables
from tzcld.runtime import LedgerRead, Settings
from tzcld.ui import tr
from tzcld.ui.runtime import runtime

#: Seconds a cached ledger read is reused (saving clears it at once).
LEDGER_TTL_S = 30


def configured_demo() -> bool:
    """Demo mode: ``TZCLD_DEMO`` (environment or secrets) or ``[tzcld] demo = true``."""
    return runtime().settings.demo


def require_database() -> Store:
    """The ledger, reachable right now (created if needed: the partners' pages write);
    otherwise a French message ("base de données injoignable", "endommagée"...:
    :func:`tzcld.ui.errors.show_problem`) and the page stops there — nothing half-drawn,
    no internals."""
    from tzcld.ui.errors import show_problem

    try:
        store = runtime().ledger_store()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        if not is_database_error(exc):
            raise
        show_problem(exc)
        st.stop()
    return store


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False, hash_funcs={Settings: repr})
def _observations(settings: Settings) -> pd.DataFrame:
    return runtime().ledger_store().observations_frame()


def ledger_read() -> LedgerRead:
    """The observations the public pages show (see the module docstring), read at most
    every :data:`LEDGER_TTL_S` seconds; raises :class:`tzcld.facts.FactsFileError` when the
    facts file itself is wrong."""
    rt = runtime()
    return rt.observations(lambda: _observations(rt.settings))


def observations_or_facts() -> tuple[pd.DataFrame, bool]:
    """``(frame, fine)``: the ledger's observations — or the published facts file when there
    is no database yet — with ``fine`` true; the facts file with ``fine`` false when the
    database cannot be read (say so). A wrong facts file: a French message listing its
    problems, and the page stops."""
    from tzcld.facts import FactsFileError

    try:
        read = ledger_read()
    except FactsFileError as exc:  # the facts file itself is wrong: say where
        st.error(tr("facts.error.page", messages="\n".join(f"- {m}" for m in exc.messages)))
        st.stop()
        raise
    return read.frame, read.unavailable is None


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """The cache key of an observations frame: a digest of its columns, dtypes, index and
    values as plain Python objects (0.35 ms for the published facts, against 3-4 ms for
    Streamlit's column-by-column hashing). Not of the frame's own pickle: that carries
    pandas' lazily filled caches, so two copies of one read would differ."""
    payload = (
        list(frame.columns),
        [str(d) for d in frame.dtypes],
        frame.index.tolist(),
        frame.to_numpy(object).tolist(),
    )
    return hashlib.blake2b(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs={pd.DataFrame: _frame_digest})
def home_summary(frame: pd.DataFrame, lang: str) -> HomeSummary:
    """The Accueil's headline tiles, conflict notes and programme figures
    (:func:`tzcld.ledger.summary.home_summary`, ≈ 35 ms), built once per observations and
    language for every session: a returning view costs a digest of the frame."""
    from tzcld.ledger.summary import home_summary as build

    return build(frame, lang)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs={pd.DataFrame: _frame_digest})
def progress_tables(frame: pd.DataFrame, lang: str) -> ProgressTables:
    """The Progrès page's tables (:func:`tzcld.ledger.summary.progress_tables`, ≈ 90 ms),
    built once per observations and language for every session: a rerun (a filter, the
    language switched back) costs a digest of the frame and filters rows."""
    from tzcld.ledger.summary import progress_tables as build

    return build(frame, lang)


@dataclass(frozen=True)
class ProgressCharts:
    """The Progrès page's plotly figures of one territory selection (read-only: drawn as
    they are, never changed)."""

    programme: object
    budget: object
    territories: object | None
    share_map: object | None


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs={pd.DataFrame: _frame_digest})
def progress_charts(frame: pd.DataFrame, lang: str, ids: tuple[str, ...], perimeters: str) -> ProgressCharts:
    """The figures of the Progrès page for the territories ``ids`` (in the table's order),
    built once per observations, language, selection and published perimeter version
    (``perimeters``: the share map draws the published outlines). Kept as objects
    (``st.cache_resource``), not copied: a plotly figure is ≈ 35 ms to unpickle, as long as
    building it; ``st.plotly_chart`` reads a figure without changing it."""
    from tzcld import charts

    tables = progress_tables(frame, lang)
    table = tables.territories.set_index("id").loc[list(ids)].reset_index()
    programme = charts.programme_chart(tables.points, tables.job_target, tables.job_target_sum, lang)
    budget = charts.budget_chart(tables.budget, lang)
    if table.empty:
        return ProgressCharts(programme, budget, None, None)
    geojson = territories_geojson()
    share = None
    if geojson is not None and not table["share"].isna().all():
        share = charts.share_map(geojson, table, lang, context=provinces_geojson())
    return ProgressCharts(programme, budget, charts.territory_chart(table, lang), share)


def ledger_changed() -> None:
    """Call after a save: the next read sees it."""
    _observations.clear()


def territories_geojson() -> dict | None:
    """The published territories (WGS84): each approved perimeter version in place of the
    committed perimeter (:func:`tzcld.ui.geo.published_territories_geojson`, built once per
    published version; read-only), or ``None`` if the geodata is not built."""
    from tzcld.ui.geo import published_territories_geojson

    try:
        return published_territories_geojson()
    except FileNotFoundError:
        return None


@st.cache_data(show_spinner=False)
def provinces_geojson() -> dict | None:
    """The Walloon provinces (WGS84) for the map's context, or ``None``."""
    import json

    from tzcld.geodata.layers import read_context

    try:
        return json.loads(read_context("provinces").to_json())
    except (OSError, ValueError, KeyError):  # context is optional: the map is drawn without it
        return None


# --------------------------------------------------------------- rendering
def downloads(raw: pd.DataFrame, key: str, filename: str) -> None:
    """Two CSV downloads of ``raw``, side by side: for a Belgian spreadsheet (``;``, decimal
    comma, UTF-8 with BOM: ``…-tableur.csv``) and for machines (``,``, decimal point)."""
    from tzcld.export.people_csv import people_csv_bytes, people_file_name
    from tzcld.export.spreadsheet_safety import csv_bytes

    example = "is_example" in raw.columns and bool(raw["is_example"].any())
    name = f"{filename}{'-donnees-exemple' if example else ''}.csv"
    people, machine = st.columns(2)
    # The files are made when a button is clicked (deferred callables), not on every run.
    people.download_button(
        tr("progress.download"),
        data=functools.partial(people_csv_bytes, raw),
        file_name=people_file_name(name),
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
    )
    machine.download_button(
        tr("progress.download_machine"),
        data=functools.partial(csv_bytes, raw),
        file_name=name,
        mime="text/csv",
        key=f"download_{key}_machine",
        on_click="ignore",
    )


def chart_with_table(
    fig,
    raw: pd.DataFrame,
    display: pd.DataFrame,
    key: str,
    filename: str,
    alt: str = "",
    numeric: tuple[str, ...] = (),
) -> None:
    """A plotly chart, then its data as an HTML table (expander: :mod:`tzcld.ui.tables`,
    captioned with the chart's title, sources linked) and the two CSV downloads of ``raw``."""
    from tzcld.ui.tables import show_table

    title = fig.layout.title.text if fig.layout.title else ""
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False}, alt=alt or title or None)
    with st.expander(tr("progress.table_alternative"), expanded=False):
        show_table(
            display,
            title or tr("progress.table_alternative"),
            key=f"table_{key}",
            numeric=numeric or (tr("progress.col.value"),),
            links={tr("progress.col.source"): tr("progress.col.source_url")},
        )
    downloads(raw, key, filename)


def lang() -> str:
    from tzcld.ui import current_lang

    return current_lang()
