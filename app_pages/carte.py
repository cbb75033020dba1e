"""Carte: the territories' quarters and villages on the map of Wallonia.

Thin page: cached layers from ``tzcld.ui.geo`` (the published perimeters: approved
versions in place of the committed ones), the map from ``tzcld.maps``.
URL: ``?territoire=<id>`` zooms to a territory, ``?fond=osm|ngi|aucun`` picks the first
basemap (then chosen in the map's own layer control, with the layers).
"""

from __future__ import annotations

import html

import streamlit as st

from tzcld import maps
from tzcld.i18n import place_name, territory_name, unit_rationale
from tzcld.territories import PROGRAMME_JOB_TARGET, load_registry
from tzcld.ui import current_lang, geo, tr
from tzcld.ui.runtime import published as published_state
from tzcld.ui.tables import show_table

lang = current_lang()
st.title(tr("map.title"))
st.write(tr("map.intro"))

try:
    layers = geo.prepared_layers(lang)
except (OSError, ValueError, KeyError) as exc:
    geo.map_unavailable(exc)
    st.stop()

state = published_state()
if state.unavailable:  # the kind of error is in the server log, not shown to visitors
    st.warning(tr("map.database_unavailable", version=state.version))

registry = load_registry()
_, invalid = geo.territory_from_query()
if invalid:
    st.warning(tr("map.unknown_territory", value=invalid))

names = {t.id: territory_name(t.id, lang, t.name) for t in registry}
territory_id = geo.territory_selector(
    names, tr("map.select_territory"), tr("map.all_territories"), key="carte_territory"
)

geo.show_map_html(geo.map_html(layers, "territory", geo.basemap_from_query(), territory_id), height=620)
st.caption(tr("map.layers_hint"))
if perimeters := maps.perimeters_caption(layers, lang):
    st.caption(perimeters)
st.caption(tr("map.credit", credit=layers.credit))

if territory_id:
    territory = registry[territory_id]
    # An approved perimeter version replaces the registry's perimeter (precision, units).
    published = layers.perimeters.get(territory_id)
    approved = published is not None and published.approved
    precision = published.precision if approved else territory.precision
    st.subheader(tr("map.selected_heading", name=names[territory_id]))
    st.write(
        tr(
            "map.selected_summary",
            province=territory.province,
            target=territory.job_target,
            status=maps.status_label(territory.status, lang),
            precision=maps.precision_label(precision, lang),
        )
    )
    if published is not None:
        st.write(
            tr("map.selected_perimeter_source", version=published.text(lang), source=published.source)
            if approved
            else tr("map.selected_perimeter", version=published.text(lang))
        )
    if precision == "indicative":
        st.info(tr("map.indicative_note"))
    st.markdown(f"**{tr('map.units_heading')}**")
    if approved:
        st.markdown("\n".join(f"- **{name}**" for name in published.units))
    else:
        # the reasons in the page's language (catalogue); one not translated yet stays
        # French, marked lang="fr" for screen readers, and the caption says so
        reasons = [(u, *unit_rationale(territory_id, u.unit, u.rationale, lang)) for u in territory.perimeter]
        st.markdown(
            "\n".join(
                f"- **{html.escape(place_name(u.unit, lang))}** — "
                + (html.escape(text) if written == lang else f'<span lang="fr">{html.escape(text)}</span>')
                for u, text, written in reasons
            )
            or "- " + ", ".join(html.escape(place_name(u, lang)) for u in territory.announced_units),
            unsafe_allow_html=True,
        )
        if any(written != lang for _, _, written in reasons):
            st.caption(tr("map.rationale_in_french"))
else:
    st.subheader(tr("map.table.heading"))
    table = maps.territories_table(registry, lang).drop(columns=[tr("map.table.id")])  # ids are for machines
    show_table(
        table,
        tr("map.table.caption"),
        key="carte_territories",
        numeric=[tr("map.table.number"), tr("map.table.job_target")],
    )
    st.caption(tr("map.table.total", total=registry.total_job_target, programme=PROGRAMME_JOB_TARGET))
