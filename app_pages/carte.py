"""Carte: the territories' quarters and villages on the map of Wallonia.

Thin page: cached layers from ``tzcld.ui.geo`` (the published perimeters: approved
versions in place of the committed ones), the map from ``tzcld.maps``.
URL: ``?territoire=<id>`` zooms to a territory, ``?fond=osm|ngi|aucun`` picks the basemap.
"""

from __future__ import annotations

import streamlit as st

from tzcld import maps
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

left, right = st.columns([2, 3])
with left:
    territory_id = geo.territory_selector(
        {t.id: t.name for t in registry},
        tr("map.select_territory"),
        tr("map.all_territories"),
        key="carte_territory",
    )
with right:
    basemap = geo.basemap_selector(
        {b: tr(f"map.basemap.{b}") for b in maps.BASEMAPS},
        tr("map.basemap_label"),
        key="carte_basemap",
    )

geo.show_map(maps.territory_map(layers, lang, basemap, territory_id), key="carte_map", height=620)
if perimeters := maps.perimeters_caption(layers, lang):
    st.caption(perimeters)
st.caption(tr("map.credit", credit=layers.credit))

if territory_id:
    territory = registry[territory_id]
    # An approved perimeter version replaces the registry's perimeter (precision, units).
    published = layers.perimeters.get(territory_id)
    approved = published is not None and published.approved
    precision = published.precision if approved else territory.precision
    st.subheader(tr("map.selected_heading", name=territory.name))
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
            "\n".join(f"- **{u.unit}** — {u.rationale}" for u in territory.perimeter)
            or "- " + ", ".join(territory.announced_units)
        )
else:
    st.subheader(tr("map.table.heading"))
    st.dataframe(maps.territories_table(registry, lang), hide_index=True)
    st.caption(tr("map.table.total", total=registry.total_job_target, programme=PROGRAMME_JOB_TARGET))
