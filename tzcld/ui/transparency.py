"""Streamlit side of the Transparence page: cached loaders and the page's rendering.

The content comes from :func:`tzcld.transparency.build_transparency` and the HTML
fragments from :mod:`tzcld.export.site`, so the live page and the static export say
the same thing. The ledger is the one of the Progrès page (:func:`tzcld.ui.ledger.ledger_read`:
the runtime's database, or the published facts file while there is none or it is down),
read at most every :data:`LEDGER_TTL_S` seconds (one query per period for all sessions); the
geodata manifest is read once per process; the published perimeters (approved versions,
their dates) once per published version (:mod:`tzcld.ui.geo`).
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from tzcld.export import opendata
from tzcld.export.people_csv import people_csv_bytes
from tzcld.export.site import (
    LEDGER_CSV_PEOPLE,
    RECENT_CHANGES,
    changes_html,
    credits_html,
    headline_html,
    methodology_html,
    precision_html,
    unknown_html,
)
from tzcld.i18n import t
from tzcld.transparency import TransparencyContent, build_transparency, read_geodata_manifest
from tzcld.ui import lang_query
from tzcld.ui.ledger import ledger_read
from tzcld.ui.runtime import published, runtime

#: Seconds a ledger read is reused across reruns and sessions.
LEDGER_TTL_S = 30


def _ledger_key() -> str:
    """Which ledger is read (database, demo mode): part of cache keys."""
    settings = runtime().settings
    return f"{settings.database_url}|{settings.demo}"


def ledger_observations() -> tuple[pd.DataFrame | None, bool]:
    """``(observations frame, available)`` of the dashboard's ledger (the Progrès page's,
    :func:`tzcld.ui.ledger.ledger_read`: the published facts file when there is no database
    yet); the frame includes superseded rows. ``(facts, False)`` when the database cannot be
    read."""
    read = ledger_read()
    return read.frame, read.unavailable is None


def _published() -> tuple[str, dict | None]:
    """``(published perimeter version, published territories GeoJSON or None)``."""
    from tzcld.ui import geo

    try:
        return published().version, geo.published_territories_geojson()
    except (OSError, ValueError, KeyError):  # geodata not built: no perimeters to describe
        return "", None


@st.cache_data(show_spinner=False)
def geodata_manifest() -> dict | None:
    """The committed geodata manifest (read once)."""
    return read_geodata_manifest()


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def _transparency_content(lang: str, ledger: str, perimeter_version: str) -> TransparencyContent:
    observations, available = ledger_observations()
    _version, published_doc = _published()
    return build_transparency(
        lang, observations, manifest=geodata_manifest(), ledger_available=available, published=published_doc
    )


def transparency_content(lang: str) -> TransparencyContent:
    """The page's content in ``lang``, with each territory's published perimeter version
    (rebuilt when the ledger read expires or a perimeter version is approved)."""
    version, _published_doc = _published()
    return _transparency_content(lang, _ledger_key(), version)


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def _download_files(ledger: str, perimeter_version: str) -> dict[str, bytes]:
    observations, _ = ledger_observations()
    _version, published_doc = _published()
    return {
        opendata.TERRITORIES_GEOJSON: opendata.territories_geojson_bytes(geojson=published_doc),
        LEDGER_CSV_PEOPLE: people_csv_bytes(opendata.ledger_frame(observations)),
        opendata.LEDGER_CSV: opendata.ledger_csv_bytes(observations),
        opendata.LEDGER_XLSX: opendata.ledger_xlsx_bytes(observations),
        opendata.DICTIONARY_CSV: opendata.dictionary_csv_bytes(),
    }


def download_files() -> dict[str, bytes]:
    """The open-data files in memory: name -> bytes (neutralised CSV/XLSX); the territories
    GeoJSON is the published one (approved perimeter versions, with their version and date)."""
    version, _doc = _published()
    return _download_files(_ledger_key(), version)


def download_file(name: str) -> bytes:
    """One open-data file's bytes (from the cached set), for a deferred download button."""
    return download_files()[name]


_MIME = {
    opendata.TERRITORIES_GEOJSON: "application/geo+json",
    LEDGER_CSV_PEOPLE: "text/csv",
    opendata.LEDGER_CSV: "text/csv",
    opendata.LEDGER_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    opendata.DICTIONARY_CSV: "text/csv",
}
_BUTTON_KEYS = {
    opendata.TERRITORIES_GEOJSON: "button_geojson",
    LEDGER_CSV_PEOPLE: "button_ledger_csv_people",
    opendata.LEDGER_CSV: "button_ledger_csv",
    opendata.LEDGER_XLSX: "button_ledger_xlsx",
    opendata.DICTIONARY_CSV: "button_dictionary",
}


#: Table styles for the HTML fragments inside Streamlit (same look as the static site).
PAGE_CSS = """<style>
table.data { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
table.data caption { caption-side: top; text-align: left; font-weight: 700; padding: .25rem 0 .5rem; color: inherit; }
table.data th, table.data td { border: 1px solid #c9ced6; padding: .35rem .55rem; text-align: left; vertical-align: top; }
table.data thead th { background: #f2f4f7; }
table.data td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { background: #8a3b00; color: #fff; padding: .05rem .45rem; border-radius: .25rem; white-space: nowrap; }
.flag { color: #a04000; font-weight: 600; }
.muted, .note { color: #4a4a4a; }
.scroll { overflow-x: auto; }
details.journal-all { margin: 0 0 1rem; }
details.journal-all > summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
</style>"""


def render_transparency_page(lang: str) -> None:
    """Draw the whole Transparence page in ``lang``."""
    content = transparency_content(lang)
    st.html(PAGE_CSS)
    st.title(content.title)
    st.markdown(content.intro)
    if content.has_example_data:
        st.warning(t("transparency.example_badge", lang))
    st.markdown(content.freshness)

    st.header(t("transparency.headline.heading", lang), anchor="chiffres")
    st.html(headline_html(content))
    st.html(unknown_html(content, level=3))

    st.header(t("transparency.method.heading", lang), anchor="methodologie")
    st.html(methodology_html(content, level=3))

    st.header(t("transparency.precision.heading", lang), anchor="precision")
    st.html(precision_html(content))
    query = "".join(f"?{k}={v}" for k, v in lang_query(lang).items())
    st.markdown(f"[{t('transparency.map.heading', lang)} →](carte{query})")

    st.header(t("transparency.changes.heading", lang), anchor="journal")
    # The latest entries; the earlier ones one click away (folded), the whole ledger downloadable.
    st.html(changes_html(content, RECENT_CHANGES))
    if content.ledger_available and content.changes:
        st.download_button(
            t("transparency.changes.full_log_button", lang),
            data=functools.partial(download_file, opendata.LEDGER_CSV),
            file_name=opendata.LEDGER_CSV,
            mime=_MIME[opendata.LEDGER_CSV],
            key="download-journal-csv",
            icon=":material/download:",
        )

    st.header(t("transparency.downloads.heading", lang), anchor="donnees")
    st.markdown(t("transparency.downloads.intro", lang))
    # Files are generated only when a button is clicked (deferred callables), so a page
    # view costs no file generation and holds no file in the session's memory.
    columns = st.columns(len(_BUTTON_KEYS))
    for column, name in zip(columns, _BUTTON_KEYS):
        with column:
            st.download_button(
                t(f"transparency.downloads.{_BUTTON_KEYS[name]}", lang),
                data=functools.partial(download_file, name),
                file_name=name,
                mime=_MIME[name],
                key=f"download-{name}",
            )

    st.header(t("transparency.credits.heading", lang), anchor="credits")
    st.html(credits_html(content))
    if content.data_version:
        st.markdown(t("transparency.geodata_version", lang, version=content.data_version))
