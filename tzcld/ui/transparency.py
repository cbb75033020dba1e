"""Streamlit side of the Transparence page: cached loaders and the page's rendering.

The content comes from :func:`tzcld.transparency.build_transparency` and the HTML
fragments from :mod:`tzcld.export.site`, so the live page and the static export say
the same thing. The ledger is read at most every :data:`LEDGER_TTL_S` seconds (one
query per period for all sessions), the geodata manifest once per process.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from tzcld.export import opendata
from tzcld.export.site import (
    changes_html,
    credits_html,
    headline_html,
    methodology_html,
    precision_html,
    unknown_html,
)
from tzcld.i18n import t
from tzcld.transparency import TransparencyContent, build_transparency, read_geodata_manifest

#: Seconds a ledger read is reused across reruns and sessions.
LEDGER_TTL_S = 30


@st.cache_resource(show_spinner=False)
def _store():
    """The ledger store, opened once per process (``None`` if it cannot be opened)."""
    from tzcld.ledger import open_store

    return open_store()


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def ledger_observations() -> tuple[pd.DataFrame | None, bool]:
    """``(observations frame, available)``; the frame includes superseded rows."""
    try:
        return _store().observations_frame(include_superseded=True), True
    except Exception:  # noqa: BLE001 - database down: show the page without the ledger
        return None, False


@st.cache_data(show_spinner=False)
def geodata_manifest() -> dict | None:
    """The committed geodata manifest (read once)."""
    return read_geodata_manifest()


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def transparency_content(lang: str) -> TransparencyContent:
    """The page's content in ``lang`` (rebuilt when the ledger read expires)."""
    observations, available = ledger_observations()
    return build_transparency(lang, observations, manifest=geodata_manifest(), ledger_available=available)


@st.cache_data(ttl=LEDGER_TTL_S, show_spinner=False)
def download_files() -> dict[str, bytes]:
    """The open-data files in memory: name -> bytes (neutralised CSV/XLSX)."""
    observations, _ = ledger_observations()
    return {
        opendata.TERRITORIES_GEOJSON: opendata.territories_geojson_bytes(),
        opendata.LEDGER_CSV: opendata.ledger_csv_bytes(observations),
        opendata.LEDGER_XLSX: opendata.ledger_xlsx_bytes(observations),
        opendata.DICTIONARY_CSV: opendata.dictionary_csv_bytes(),
    }


def download_file(name: str) -> bytes:
    """One open-data file's bytes (from the cached set), for a deferred download button."""
    return download_files()[name]


_MIME = {
    opendata.TERRITORIES_GEOJSON: "application/geo+json",
    opendata.LEDGER_CSV: "text/csv",
    opendata.LEDGER_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    opendata.DICTIONARY_CSV: "text/csv",
}
_BUTTON_KEYS = {
    opendata.TERRITORIES_GEOJSON: "button_geojson",
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
    st.markdown(f"[{t('transparency.map.heading', lang)} →](carte)")

    st.header(t("transparency.changes.heading", lang), anchor="journal")
    st.html(changes_html(content))

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
    st.markdown(t("transparency.downloads.datapackage", lang) + " : `python -m tzcld export-site OUT/`")

    st.header(t("transparency.credits.heading", lang), anchor="credits")
    st.html(credits_html(content))
    if content.data_version:
        st.markdown(t("transparency.geodata_version", lang, version=content.data_version))
