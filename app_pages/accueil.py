"""Accueil: where the programme stands in one glance (headline), the 17 territories on a
map, what the programme is, every published programme figure with its source.

Thin page: tiles, notes and figures from ``tzcld.ledger.summary.home_summary`` (once per
observations and language, ``tzcld.ui.ledger.home_summary``; drawn by ``tzcld.headline``), the map
from ``tzcld.maps`` via ``tzcld.ui.geo``, the ledger via ``tzcld.ui.ledger``; the figures as a plain HTML table (``tzcld.ui.tables``: no
data grid to download on a first visit).
"""

from __future__ import annotations

import streamlit as st

from tzcld import maps
from tzcld.headline import tiles_html
from tzcld.ui import current_lang, geo, lang_query, tr
from tzcld.ui.ledger import configured_demo, home_summary, observations_or_facts
from tzcld.ui.tables import show_table

lang = current_lang()
st.title(tr("common.app_title"))
st.caption(tr("common.app_subtitle"))

frame, from_ledger = observations_or_facts()
home = home_summary(frame, lang)  # built once per observations and language
if configured_demo():
    st.warning(tr("progress.example_banner"), icon="⚠️")

st.header(tr("home.headline_heading"))
st.caption(tr("home.headline_intro"))
if not from_ledger:
    st.info(tr("home.unavailable"))
st.html(tiles_html(home.tiles, lang, tr("home.headline_heading")))
st.caption(tr("home.targets_note"))
for note in home.conflict_notes:
    st.markdown(note)

st.header(tr("home.map_heading"))
try:
    layers = geo.prepared_layers(lang)
except (OSError, ValueError, KeyError) as exc:
    geo.map_unavailable(exc)
else:
    geo.show_map_html(geo.map_html(layers, "home", geo.basemap_from_query()), height=480)
    st.html(maps.territory_key_html(layers, lang))
    st.caption(tr("home.map_caption"))
    if perimeters := maps.perimeters_caption(layers, lang):
        st.caption(perimeters)
    st.caption(tr("map.credit", credit=layers.credit))

st.header(tr("home.what_heading"))
st.markdown(tr("home.what"))
st.caption(tr("home.what_source"))

st.header(tr("home.figures_heading"))
st.caption(tr("home.figures_intro"))
show_table(
    home.figures,
    tr("home.figures_caption"),
    key="home_figures",
    numeric=[tr("progress.col.value")],
    links={tr("progress.col.source"): tr("progress.col.source_url")},
)

st.header(tr("home.nav_heading"))
for page, title_key, text_key in (
    ("app_pages/carte.py", "common.nav.map", "home.nav_map"),
    ("app_pages/verifier.py", "common.nav.check", "home.nav_check"),
    ("app_pages/progres.py", "common.nav.progress", "home.nav_progress"),
    ("app_pages/transparence.py", "common.nav.transparency", "home.nav_transparency"),
):
    st.page_link(page, label=f"{tr(title_key)} — {tr(text_key)}", query_params=lang_query(lang) or None)
