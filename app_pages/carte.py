"""Carte: the territories' quarters and villages on the map of Wallonia.

Thin page: cached layers from ``tzcld.ui.geo`` (the published perimeters: approved
versions in place of the committed ones), the map from ``tzcld.maps``.
URL: ``?territoire=<id>`` zooms to a territory, ``?fond=osm|ngi|aucun`` picks the first
basemap (then chosen in the map's own layer control, with the layers).
"""

from __future__ import annotations

import streamlit as st

from tzcld import maps
from tzcld.i18n import place_name, territory_name
from tzcld.territories import PROGRAMME_JOB_TARGET, load_registry
from tzcld.ui import current_lang, geo, tr

lang = current_lang()
st.title(tr("map.title"))
st.write(tr("map.intro"))

try:
    layers = geo.prepared_layers(lang)
except (OSError, ValueError, KeyError) as exc:
    geo.map_unavailable(exc)
    st.stop()

registry = load_registry()
_, invalid = geo.territory_from_query()
if invalid:
    st.warning(tr("map.unknown_territory", value=invalid))

names = {t.id: territory_name(t.id, lang, t.name) for t in registry}
territory_id = geo.territory_selector(
    names, tr("map.select_territory"), tr("map.all_territories"), key="carte_territory"
)

geo.show_map(maps.territory_map(layers, lang, geo.basemap_from_query(), territory_id), key="carte_map", height=620)
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
        st.markdown(
            "\n".join(f"- **{place_name(u.unit, lang)}** — {u.rationale}" for u in territory.perimeter)
            or "- " + ", ".join(place_name(u, lang) for u in territory.announced_units)
        )
        if lang != "fr":  # the reasons are written in French in the registry: say so
            st.caption(tr("map.rationale_in_french"))
else:
    st.subheader(tr("map.table.heading"))
    st.dataframe(maps.territories_table(registry, lang), hide_index=True)
    st.caption(tr("map.table.total", total=registry.total_job_target, programme=PROGRAMME_JOB_TARGET))
