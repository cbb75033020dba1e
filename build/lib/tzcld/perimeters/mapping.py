"""Folium maps of the Périmètre page: sectors to toggle, a perimeter, a diff. No Streamlit.

Inputs are in Belgian Lambert 72 (EPSG:31370); what goes to the browser is WGS84,
simplified by :data:`WEB_TOLERANCE_M` metres and rounded by :func:`tzcld.maps.layer_data`.
Built on the building blocks of :mod:`tzcld.maps` (basemap, prepared GeoJSON, credit
line, legend); pass the map through ``tzcld.map_assets.localize_assets`` before rendering.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import folium
import geopandas as gpd
import shapely

from tzcld import maps
from tzcld.config import LAMBERT72
from tzcld.i18n import t

#: Simplification of the polygons sent to the browser (metres).
WEB_TOLERANCE_M = 3.0
COLOURS: dict[str, str] = {
    "selected": "#000091",
    "unselected": "#6a6a6a",
    "current": "#000091",
    "proposed": "#c45f00",
    "added": "#1a7f37",
    "removed": "#c9190b",
    "communes": "#b05a00",
}


def _web(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    if out.crs is None:
        out = out.set_crs(LAMBERT72)
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out["geometry"] = shapely.simplify(out.geometry.values, WEB_TOLERANCE_M, preserve_topology=True)
    return out


def sectors_layer(sectors: gpd.GeoDataFrame) -> maps.LayerData:
    """The drawable sectors of a catalogue (``code``, ``name``, ``label``) ready for the browser
    (prepare once per territory; cheap to draw on every rerun)."""
    data = _web(sectors[sectors["drawable"]])
    data = data.assign(label=[f"{c} — {n}" for c, n in zip(data["code"], data["name"], strict=True)])
    return maps.layer_data(data, ["code", "name", "label"])


def rows_layer(rows: gpd.GeoDataFrame) -> maps.LayerData:
    """Perimeter rows (EPSG:31370) with ``unit``, ``unit_code``, ``method`` for tooltips."""
    return maps.layer_data(_web(rows), ["unit", "unit_code", "method"])


def communes_layer(communes: gpd.GeoDataFrame) -> maps.LayerData:
    return maps.layer_data(_web(communes), ["name"])


def _legend(items: Iterable[tuple[str, str, bool]], title: str) -> maps.Legend:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;background:{colour if fill else "transparent"};'
        f'opacity:0.7;border:2px solid {colour};margin-right:6px;vertical-align:middle"></span>{html.escape(label)}</div>'
        for label, colour, fill in items
    )
    return maps.Legend(
        '<div style="background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;'
        'box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.5 sans-serif;color:#1e1e1e;max-width:240px">'
        f"<strong>{html.escape(title)}</strong>{rows}</div>"
    )


def _base(bounds: list[list[float]], basemap: str, lang: str, credit: str) -> folium.Map:
    fmap = maps.base_map(basemap, lang, credit=credit)
    fmap.fit_bounds(bounds)
    return fmap


def sector_map(
    sectors: maps.LayerData,
    selected: set[str],
    communes: maps.LayerData | None = None,
    lang: str = "fr",
    basemap: str = maps.DEFAULT_BASEMAP,
    credit: str = "",
) -> folium.Map:
    """The territory's sectors: selected ones filled, the others outlined; click to toggle
    (the page reads the clicked point back). Fitted to the communes (else the sectors)."""
    fmap = _base((communes if communes is not None and len(communes) else sectors).bounds, basemap, lang, credit)
    if communes is not None and len(communes):
        maps.PreparedGeoJson(
            communes,
            style_function=lambda _f: {"color": COLOURS["communes"], "weight": 2, "fill": False, "opacity": 0.9},
            interactive=False,
        ).add_to(fmap)
    chosen = set(selected)
    if not len(sectors):
        return fmap
    maps.PreparedGeoJson(
        sectors,
        name=t("perimeter.methods.sectors", lang),
        style_function=lambda f: {
            "color": COLOURS["selected"] if f["properties"]["code"] in chosen else COLOURS["unselected"],
            "fillColor": COLOURS["selected"],
            "weight": 1.5 if f["properties"]["code"] in chosen else 0.8,
            "fillOpacity": 0.4 if f["properties"]["code"] in chosen else 0.03,
            "opacity": 0.9,
        },
        highlight_function=lambda _f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["label"], aliases=[t("perimeter.sectors.col_name", lang)], sticky=True),
    ).add_to(fmap)
    fmap.add_child(
        _legend([(t("perimeter.sectors.col_selected", lang), COLOURS["selected"], True)], t("map.legend.title", lang))
    )
    return fmap


def perimeter_map(
    rows: maps.LayerData,
    communes: maps.LayerData | None = None,
    lang: str = "fr",
    basemap: str = maps.DEFAULT_BASEMAP,
    credit: str = "",
    colour: str = COLOURS["current"],
) -> folium.Map:
    """One perimeter version: its units (tooltip: unit, code, where the geometry comes from)."""
    fmap = _base((rows if len(rows) else communes or rows).bounds, basemap, lang, credit)
    if communes is not None and len(communes):
        maps.PreparedGeoJson(
            communes,
            style_function=lambda _f: {"color": COLOURS["communes"], "weight": 2, "fill": False, "opacity": 0.9},
            interactive=False,
        ).add_to(fmap)
    if len(rows):
        maps.PreparedGeoJson(
            rows,
            style_function=lambda _f: {"color": colour, "fillColor": colour, "weight": 1.5, "fillOpacity": 0.3},
            highlight_function=lambda _f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(
                fields=["unit", "unit_code", "method"],
                aliases=[
                    t("perimeter.diff.unit", lang),
                    t("perimeter.diff.unit_code", lang),
                    t("perimeter.sectors.col_method", lang),
                ],
                sticky=True,
            ),
        ).add_to(fmap)
    return fmap


def diff_map(
    current: maps.LayerData,
    proposed: maps.LayerData,
    changes: gpd.GeoDataFrame,
    lang: str = "fr",
    basemap: str = maps.DEFAULT_BASEMAP,
    credit: str = "",
) -> folium.Map:
    """Current perimeter (outline), proposal (fill), and what is added (green) or removed (red).

    ``changes``: :func:`tzcld.perimeters.diff.diff_layers` (EPSG:31370)."""
    bounds = (
        [
            [min(current.bounds[0][0], proposed.bounds[0][0]), min(current.bounds[0][1], proposed.bounds[0][1])],
            [max(current.bounds[1][0], proposed.bounds[1][0]), max(current.bounds[1][1], proposed.bounds[1][1])],
        ]
        if len(current) and len(proposed)
        else (proposed if len(proposed) else current).bounds
    )
    fmap = _base(bounds, basemap, lang, credit)
    if len(proposed):
        maps.PreparedGeoJson(
            proposed,
            style_function=lambda _f: {
                "color": COLOURS["proposed"],
                "fillColor": COLOURS["proposed"],
                "weight": 1,
                "fillOpacity": 0.2,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["unit", "unit_code"],
                aliases=[t("perimeter.diff.unit", lang), t("perimeter.diff.unit_code", lang)],
            ),
        ).add_to(fmap)
    if len(current):
        maps.PreparedGeoJson(
            current,
            style_function=lambda _f: {"color": COLOURS["current"], "weight": 2.5, "fill": False, "dashArray": "6 4"},
            interactive=False,
        ).add_to(fmap)
    if len(changes):
        data = maps.layer_data(_web(changes), ["change"])
        maps.PreparedGeoJson(
            data,
            style_function=lambda f: {
                "color": COLOURS[f["properties"]["change"]],
                "fillColor": COLOURS[f["properties"]["change"]],
                "weight": 1,
                "fillOpacity": 0.6,
            },
            interactive=False,
        ).add_to(fmap)
    fmap.add_child(
        _legend(
            [
                (t("perimeter.diff.legend_current", lang), COLOURS["current"], False),
                (t("perimeter.diff.legend_proposed", lang), COLOURS["proposed"], True),
                (t("perimeter.diff.legend_added", lang), COLOURS["added"], True),
                (t("perimeter.diff.legend_removed", lang), COLOURS["removed"], True),
            ],
            t("map.legend.title", lang),
        )
    )
    return fmap
