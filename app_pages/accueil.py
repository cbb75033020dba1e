"""Accueil: what the programme is, the 17 territories on a map, key figures with sources.

Thin page: figures from ``tzcld.facts``, the map from ``tzcld.maps`` via ``tzcld.ui.geo``.
"""

from __future__ import annotations

import streamlit as st

from tzcld import maps
from tzcld.facts import headline_facts
from tzcld.transparency import format_partial_date, format_value
from tzcld.ui import current_lang, geo, lang_query, tr

lang = current_lang()
st.title(tr("common.app_title"))
st.caption(tr("common.app_subtitle"))

st.header(tr("home.what_heading"))
st.markdown(tr("home.what"))
st.caption(tr("home.what_source"))

st.header(tr("home.map_heading"))
try:
    layers = geo.prepared_layers(lang)
except (OSError, ValueError, KeyError) as exc:
    geo.map_unavailable(exc)
else:
    geo.show_map(maps.home_map(layers, lang, geo.basemap_from_query()), key="accueil_map", height=480)
    st.html(maps.territory_key_html(layers, lang))
    st.caption(tr("home.map_caption"))
    if perimeters := maps.perimeters_caption(layers, lang):
        st.caption(perimeters)
    st.caption(tr("map.credit", credit=layers.credit))

st.header(tr("home.figures_heading"))
st.write(tr("home.figures_intro"))
st.info(tr("home.targets_note"))
facts = headline_facts()
for start in range(0, len(facts), 3):
    for column, fact in zip(st.columns(3), facts[start : start + 3]):
        with column, st.container(border=True):
            st.metric(fact.label(lang), format_value(fact.value, fact.unit, lang, fact.text))
            source = tr("home.source_line", source=fact.source_title, date=format_partial_date(fact.date, lang))
            if fact.source_url:
                source += f" — [{tr('home.source_link')}]({fact.source_url})"
            st.caption(source)

st.header(tr("home.nav_heading"))
for page, title_key, text_key in (
    ("app_pages/carte.py", "common.nav.map", "home.nav_map"),
    ("app_pages/verifier.py", "common.nav.check", "home.nav_check"),
    ("app_pages/progres.py", "common.nav.progress", "home.nav_progress"),
    ("app_pages/transparence.py", "common.nav.transparency", "home.nav_transparency"),
):
    st.page_link(page, label=f"{tr(title_key)} — {tr(text_key)}", query_params=lang_query(lang) or None)
