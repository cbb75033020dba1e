"""Folium maps of the territories: pure functions from layers to a ``folium.Map``.

No Streamlit here. Layers are GeoDataFrames as read by :mod:`tzcld.geodata.layers`
(any CRS; reprojected to WGS84 = EPSG:4326, longitude/latitude in decimal degrees), or
:class:`LayerData` already serialised for the browser. Bounds are
``[[south, west], [north, east]]`` in degrees.

Serialising GeoJSON is the expensive part: :func:`prepare_layers` does it once per
language (cached by ``tzcld.ui.geo``), then :func:`home_map` / :func:`territory_map`
assemble a fresh map on each rerun in a few tens of milliseconds. Never reuse a
``folium.Map`` across reruns: streamlit-folium renames its elements in place.

Building blocks (reused by the address-check map): :func:`base_map`,
:func:`add_context`, :func:`add_territories`, :func:`add_units`, :func:`add_places`,
:func:`add_legend`, :func:`add_data_credit`, :func:`territory_bounds`. Before rendering,
pass the map through :func:`tzcld.map_assets.localize_assets` (``tzcld.ui.geo.show_map``
does it) so the browser loads Leaflet from the app, not from a CDN, and nothing else of
folium's assets.

Layers are drawn by :func:`web_layer` (:class:`~tzcld.map_controls.WebLayer`): a layer
whose :class:`LayerData` names a file (written by :func:`tzcld.map_files.publish_layers`)
is fetched by the browser from ``/app/static/layers/``, cached there; the page carries its
URL and a small style table, not its features. Without a file the features are inline.

Indicative perimeters (precision ``indicative``) are drawn with a dashed outline and a
lighter fill, and the legend says so ("périmètre indicatif, à confirmer par le porteur
de projet").

The perimeters drawn are the **published** ones when :func:`load_map_layers` is given the
perimeter store: a territory with an approved version (``tzcld.perimeters``) is drawn with
that version, the others with the committed geodata. Tooltips say which ("version v3
approuvée le 12/03/2026" or "périmètre de référence (données du 30/10/2024)").
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tzcld.config import WGS84
from tzcld.formatting import format_perimeter_version, format_published_perimeters
from tzcld.i18n import place_name, t, territory_name
from tzcld.map_controls import (
    Attribution,
    FrameLayers,
    Legend,
    Marker,
    NumberedMarkers,
    ScaleBar,
    Tooltip,
    WebLayer,
    _Snippet,
    add_map_styles,
)
from tzcld.territories import PRECISIONS, STATUSES, TERRITORY_IDS, Territory

if TYPE_CHECKING:
    from tzcld.check import CheckResult
    from tzcld.perimeters.store import PerimeterStore

#: Centre and zoom showing the whole of Wallonia (degrees, Leaflet zoom level).
WALLONIA_CENTER: tuple[float, float] = (50.42, 4.95)
WALLONIA_ZOOM = 8
#: Wallonia's bounding box, [[south, west], [north, east]] in degrees (WGS84).
WALLONIA_BOUNDS: list[list[float]] = [[49.49, 2.84], [50.82, 6.41]]

#: Basemaps: OpenStreetMap (default), Belgian NGI CartoWeb, or none (polygons only).
BASEMAPS: tuple[str, ...] = ("osm", "ngi", "none")
DEFAULT_BASEMAP = "osm"
#: Values accepted in the ``?fond=`` URL parameter (French first).
BASEMAP_ALIASES: dict[str, str] = {
    "osm": "osm",
    "openstreetmap": "osm",
    "ngi": "ngi",
    "ign": "ngi",
    "cartoweb": "ngi",
    "aucun": "none",
    "none": "none",
    "sans": "none",
}
#: The URL value that stands for each basemap (inverse of the aliases, French).
BASEMAP_URL_VALUES: dict[str, str] = {"osm": "osm", "ngi": "ngi", "none": "aucun"}
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
NGI_TILES = "https://cartoweb.wmts.ngi.be/1.0.0/topo/default/3857/{z}/{y}/{x}.png"
NGI_SITE = "https://www.ngi.be/"
#: The data producers credited on every map drawing the geodata (catalogue ``map.attribution.*``),
#: OpenStreetMap first (named places; also the default basemap).
DATA_PRODUCERS: tuple[str, ...] = ("osm", "statbel", "icar", "best")

#: Fill/outline colour of a territory by status (colour-blind-safe, readable on tiles).
STATUS_COLOURS: dict[str, str] = {
    "active": "#000091",  # the dashboard's blue
    "continued": "#18753c",  # green: continued after the 2025 review
    "unconfirmed": "#c45f00",  # orange: announced, 2025 status not confirmed
    "ended": "#6a6a6a",  # grey: ended
}
CONTEXT_COLOURS: dict[str, str] = {
    "wallonia": "#333333",
    "provinces": "#777777",
    "communes": "#b05a00",
    "places": "#5a2d82",
}
#: Dash pattern of indicative perimeters (SVG ``stroke-dasharray``, pixels).
INDICATIVE_DASH = "6 4"


@dataclass(frozen=True)
class MapLayers:
    """The layers a map draws (all WGS84 GeoDataFrames; any context layer may be None)."""

    territories: gpd.GeoDataFrame
    units: gpd.GeoDataFrame | None = None
    wallonia: gpd.GeoDataFrame | None = None
    provinces: gpd.GeoDataFrame | None = None
    communes: gpd.GeoDataFrame | None = None
    places: gpd.GeoDataFrame | None = None
    credit: str = ""
    #: Version string of the perimeters drawn (``2024-10-30+a768c26f`` or ``…+p3.7``).
    version: str = ""


#: ``perimeter_version_label`` of a territory drawn with the committed geodata.
BASE_VERSION = "base"


def with_base_versions(territories: gpd.GeoDataFrame, version: str) -> gpd.GeoDataFrame:
    """The committed territories with the version columns of the published layers
    (``perimeter_version_label`` = ``base``, ``perimeter_version_date`` = the data's vintage,
    ``perimeter_source``), so that every map says which perimeter it draws."""
    out = territories.copy()
    if "perimeter_version_label" not in out:
        out["perimeter_version_label"] = BASE_VERSION
        out["perimeter_version_date"] = version.split("+")[0]
        out["perimeter_source"] = f"geodata ({version})"
    return out


def load_map_layers(lang: str = "fr", store: PerimeterStore | None = None) -> MapLayers:
    """Read the geodata (``geodata/``) through :mod:`tzcld.geodata.layers`.

    With ``store`` (a :class:`tzcld.perimeters.PerimeterStore`), the
    territories and units are the published perimeters
    (:func:`tzcld.perimeters.web.published_web_layers`): each territory with an approved
    version is recomputed from it; with no approved version the committed layers are used
    as they are. ``version`` is the published version string.
    """
    from tzcld.geodata import layers

    if store is not None:
        if store.published_ids():
            from tzcld.perimeters.web import published_web_layers

            territories, units, version = published_web_layers(store)
        else:
            store = None
    if store is None:
        version = layers.data_version()
        territories, units = with_base_versions(layers.read_territories(), version), layers.read_units()
    return MapLayers(
        territories=territories,
        units=units,
        wallonia=layers.read_context("wallonia"),
        provinces=layers.read_context("provinces"),
        communes=layers.read_context("communes"),
        places=layers.read_context("places"),
        credit=layers.attribution(lang),
        version=version,
    )


def parse_basemap(value: str | None) -> str:
    """A basemap id from a URL or widget value (``osm``, ``ngi``, ``aucun``...); default OSM."""
    if not value:
        return DEFAULT_BASEMAP
    return BASEMAP_ALIASES.get(str(value).strip().lower(), DEFAULT_BASEMAP)


def status_label(status: str, lang: str = "fr") -> str:
    """Human label of a territory status (``active`` → ``actif``)."""
    return t(f"common.status.{status}", lang) if status in STATUSES else t("common.unknown", lang)


def precision_label(precision: str, lang: str = "fr") -> str:
    """Human label of a precision level (``indicative`` → ``périmètre indicatif...``)."""
    return t(f"common.precision.{precision}", lang) if precision in PRECISIONS else t("common.unknown", lang)


def hatch_id(status: str) -> str:
    """Id of the SVG hatching pattern of a status (defined in the page by :class:`HatchPatterns`)."""
    return f"tzcld-hatch-{status if status in STATUS_COLOURS else 'unconfirmed'}"


def territory_style(status: str, precision: str, selected: bool = False) -> dict[str, object]:
    """Leaflet path style of a territory or unit: colour by status; indicative perimeters
    get a dashed outline and a hatched fill (SVG pattern, see :class:`HatchPatterns`)."""
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS["unconfirmed"])
    indicative = precision == "indicative"
    style: dict[str, object] = {
        "color": colour,
        "fillColor": colour,
        "weight": 3 if selected else 1.5,
        "opacity": 0.9,
        "fillOpacity": 0.35,
    }
    if indicative:
        style["dashArray"] = INDICATIVE_DASH
        # Leaflet's SVG renderer writes fillColor into the path's fill attribute, so a
        # pattern reference hatches the polygon.
        style["fillColor"] = f"url(#{hatch_id(status)})"
        style["fillOpacity"] = 0.9
    return style


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(WGS84)
    return gdf


def _format_target(value: object, lang: str) -> str:
    try:
        if value is None or value != value:  # None or NaN: never 0
            return t("common.unknown", lang)
        return str(int(value))  # type: ignore[call-overload]  # any number-like value; others are caught
    except (TypeError, ValueError):
        return t("common.unknown", lang)


#: Decimal places kept in coordinates sent to the browser (5 ≈ 1 m in Wallonia).
COORD_DECIMALS = 5


@dataclass(frozen=True)
class LayerData:
    """A layer ready to draw: a GeoJSON FeatureCollection and its bounds.

    ``geojson`` is WGS84 with coordinates rounded to :data:`COORD_DECIMALS` and a string
    ``id`` on every feature (so folium never rewrites it); ``bounds`` is
    ``[[south, west], [north, east]]`` in degrees. Prepare once, draw on every rerun.

    ``file``: the name of the static file holding ``geojson`` (``territories.<hash>.json``
    in ``static/layers/``, written by :func:`tzcld.map_files.publish_layers`); maps then
    load the layer from it instead of carrying the features. Empty: drawn inline.
    """

    geojson: dict
    bounds: list[list[float]]
    file: str = ""

    def __len__(self) -> int:
        return len(self.geojson["features"])


def layer_data(gdf: gpd.GeoDataFrame, columns: Sequence[str] = (), decimals: int = COORD_DECIMALS) -> LayerData:
    """Turn a GeoDataFrame into :class:`LayerData` keeping only ``columns`` as properties."""
    data = _to_wgs84(gdf)
    geoms = shapely.transform(data.geometry.values, lambda xy: np.round(xy, decimals))
    out = gpd.GeoDataFrame(data[list(columns)].reset_index(drop=True), geometry=list(geoms), crs=WGS84)
    geojson = json.loads(out.to_json(drop_id=True))
    for i, feature in enumerate(geojson["features"]):
        feature["id"] = str(i)
    if len(data):
        west, south, east, north = (float(v) for v in data.total_bounds)
    else:
        west, south, east, north = (
            WALLONIA_BOUNDS[0][1],
            WALLONIA_BOUNDS[0][0],
            WALLONIA_BOUNDS[1][1],
            WALLONIA_BOUNDS[1][0],
        )
    return LayerData(geojson=geojson, bounds=[[south, west], [north, east]])


class PreparedGeoJson(folium.GeoJson):
    """``folium.GeoJson`` drawing a :class:`LayerData` inline, with its precomputed bounds
    (the Périmètre page's maps; the public maps draw :func:`web_layer` instead).

    Folium would otherwise walk every coordinate in Python to compute bounds on every
    render (streamlit-folium asks for them), which dominates a rerun.
    """

    def __init__(self, layer: LayerData, **kwargs: object) -> None:
        super().__init__(layer.geojson, **kwargs)  # type: ignore[arg-type]
        self._layer_bounds = layer.bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return [list(corner) for corner in self._layer_bounds]


def web_layer(layer: LayerData, lang: str = "fr", **kwargs: object) -> WebLayer:
    """A :class:`~tzcld.map_controls.WebLayer` drawing ``layer``: from its file
    (``/app/static/layers/<file>``, moved under Streamlit's base path by
    :func:`tzcld.map_assets.localize_assets`) when it has one, else inline. ``kwargs``: the
    layer's style, tooltip... (see ``WebLayer``)."""
    from tzcld.map_assets import LAYERS_URL

    url = f"{LAYERS_URL}/{layer.file}" if layer.file else ""
    return WebLayer(
        layer.geojson,
        layer.bounds,
        url=url,
        gz_url=f"{url}.gz" if url else "",
        error_text=t("map.layer_error", lang),
        **kwargs,  # type: ignore[arg-type]
    )


def perimeter_labels(territories: gpd.GeoDataFrame, lang: str = "fr") -> dict[str, str]:
    """Territory id → its perimeter version in words (see
    :func:`tzcld.formatting.format_perimeter_version`); empty without version columns."""
    if "perimeter_version_label" not in territories:
        return {}
    dates = (
        territories["perimeter_version_date"] if "perimeter_version_date" in territories else [None] * len(territories)
    )
    return {
        str(tid): format_perimeter_version(
            None if _missing(label) else str(label), None if _missing(date) else str(date), lang
        )
        for tid, label, date in zip(territories["id"], territories["perimeter_version_label"], dates, strict=True)
    }


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def territory_number(territory_id: str) -> int | None:
    """The number of a territory on the maps and in their lists: its rank in the
    announcement (``liege`` → 1 … ``gembloux`` → 17); ``None`` for an unknown id."""
    return TERRITORY_IDS.index(territory_id) + 1 if territory_id in TERRITORY_IDS else None


def _number_prefix(territory_id: object) -> str:
    number = territory_number(str(territory_id))
    return f"{number} · " if number else ""


def target_text(value: object, lang: str = "fr") -> str:
    """A job target in words (``60 emplois visés``); an unknown target is said so, never 0."""
    label = _format_target(value, lang)
    if label == t("common.unknown", lang):
        return t("map.tooltip.target_unknown", lang)
    return t("map.tooltip.target_jobs", lang, target=label)


def tooltip_html(
    territory_id: object,
    name: str,
    target: object,
    status: str,
    precision: str,
    lang: str = "fr",
    unit: str | None = None,
    perimeter: str = "",
) -> str:
    """The compact tooltip of a territory (or of one of its units), escaped HTML:
    ``3 · Seraing (…)`` in bold, the unit, ``60 emplois visés · annoncé (…)``, the precision
    and the perimeter version drawn."""
    lines = [f"<strong>{html.escape(_number_prefix(territory_id) + name)}</strong>"]
    if unit:
        lines.append(html.escape(t("map.tooltip.unit_line", lang, unit=unit)))
    lines.append(html.escape(f"{target_text(target, lang)} · {status_label(status, lang)}"))
    lines.append(html.escape(precision_label(precision, lang)))
    if perimeter:
        lines.append(html.escape(perimeter))
    return "<br>".join(lines)


def _list_label(units: object, lang: str) -> str:
    if isinstance(units, (list, tuple, np.ndarray)):
        return ", ".join(place_name(str(x), lang) for x in units)
    return "" if units is None else place_name(str(units), lang)


def territories_data(territories: gpd.GeoDataFrame, lang: str = "fr") -> LayerData:
    """Territories (``territories.geojson``) with display properties in ``lang`` (names
    from the catalogue in English); ``tip`` is the compact tooltip (:func:`tooltip_html`).
    With the published layers' version columns, ``perimeter_label`` says which perimeter
    is drawn."""
    data = _territory_table(territories, lang, "name", "id")
    units = data["units"] if "units" in data else [""] * len(data)
    data["units_label"] = [_list_label(u, lang) for u in units]
    labels = perimeter_labels(territories, lang)
    columns = ["id", "number", "territory_label", "target_label", "status_label", "precision_label", "units_label"]
    if labels:
        data["perimeter_label"] = [labels.get(str(i), "") for i in data["id"]]
        columns.append("perimeter_label")
    data["tip"] = [
        tooltip_html(
            row.id,
            row.territory_label,
            row.job_target,
            row.status,
            row.precision,
            lang,
            perimeter=labels.get(str(row.id), ""),
        )
        for row in data.itertuples()
    ]
    return layer_data(data, [*columns, "tip", "status", "precision"])


def units_data(units: gpd.GeoDataFrame, lang: str = "fr", perimeters: dict[str, str] | None = None) -> LayerData:
    """Units (``units.geojson``) with display properties in ``lang``; ``perimeters``
    (territory id → version in words, :func:`perimeter_labels`) adds ``perimeter_label``;
    ``tip`` is the compact tooltip."""
    data = _territory_table(units, lang, "territory_name", "territory_id")
    data["unit_label"] = [place_name(str(u), lang) for u in data["unit"]]
    columns = [
        "territory_id",
        "number",
        "territory_label",
        "unit_label",
        "target_label",
        "status_label",
        "precision_label",
    ]
    perimeters = perimeters or {}
    if perimeters:
        data["perimeter_label"] = [perimeters.get(str(i), "") for i in data["territory_id"]]
        columns.append("perimeter_label")
    data["tip"] = [
        tooltip_html(
            row.territory_id,
            row.territory_label,
            row.job_target,
            row.status,
            row.precision,
            lang,
            unit=row.unit_label,
            perimeter=perimeters.get(str(row.territory_id), ""),
        )
        for row in data.itertuples()
    ]
    return layer_data(data, [*columns, "tip", "status", "precision"])


def _territory_table(gdf: gpd.GeoDataFrame, lang: str, name_col: str, id_col: str) -> gpd.GeoDataFrame:
    """Display-ready properties: labels and names in ``lang``, the territory's number, target
    as text (never 0 for unknown)."""
    data = _to_wgs84(gdf).copy()
    data["status_label"] = [status_label(s, lang) for s in data["status"]]
    data["precision_label"] = [precision_label(p, lang) for p in data["precision"]]
    data["target_label"] = [_format_target(v, lang) for v in data["job_target"]]
    data["territory_label"] = [
        territory_name(str(i), lang, str(n)) for i, n in zip(data[id_col], data[name_col], strict=True)
    ]
    data["number"] = [territory_number(str(i)) or 0 for i in data[id_col]]
    return data


def shown_places(places: gpd.GeoDataFrame, territories: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places worth drawing: those named in the announcement (``listed``), and every place
    of an indicative territory (where they are the only clue to the announced quarters)."""
    indicative = set(territories.loc[territories["precision"] == "indicative", "id"])
    keep = places["territory_id"].isin(indicative)
    if "listed" in places:
        keep |= places["listed"].fillna(False).astype(bool)
    return places[keep]


@dataclass(frozen=True)
class PerimeterInfo:
    """The perimeter drawn for one territory: its version ``label`` (``base`` | ``v<id>``),
    ``date`` (ISO), ``source``, ``precision`` and the names of its units."""

    territory_id: str
    name: str
    label: str
    date: str | None
    source: str
    precision: str
    units: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        """True when an approved version replaces the committed perimeter."""
        return self.label != BASE_VERSION

    def text(self, lang: str = "fr") -> str:
        """``version v3 approuvée le 12/03/2026`` or ``périmètre de référence (données du …)``."""
        return format_perimeter_version(self.label, self.date, lang)


def perimeter_infos(territories: gpd.GeoDataFrame) -> dict[str, PerimeterInfo]:
    """Territory id → :class:`PerimeterInfo` from layers carrying the version columns."""
    if "perimeter_version_label" not in territories:
        return {}
    out: dict[str, PerimeterInfo] = {}
    for row in territories.drop(columns="geometry").to_dict("records"):
        units = row.get("units")
        names = tuple(str(u) for u in units) if isinstance(units, (list, tuple, np.ndarray)) else ()
        date = row.get("perimeter_version_date")
        out[str(row["id"])] = PerimeterInfo(
            territory_id=str(row["id"]),
            name=str(row.get("name") or row["id"]),
            label=str(row["perimeter_version_label"]),
            date=None if _missing(date) else str(date),
            source=str(row.get("perimeter_source") or ""),
            precision=str(row.get("precision") or ""),
            units=names,
        )
    return out


@dataclass(frozen=True)
class PreparedLayers:
    """All layers of the dashboard's maps, ready to draw in one language.

    ``perimeters`` says, per territory, which perimeter version is drawn; ``version`` is
    the published version string of the layers (empty when unknown); ``markers`` are the
    territories' numbered markers (:func:`territory_markers`)."""

    lang: str
    territories: LayerData
    territory_bounds: dict[str, list[list[float]]]
    units: LayerData | None = None
    wallonia: LayerData | None = None
    provinces: LayerData | None = None
    communes: LayerData | None = None
    places: LayerData | None = None
    credit: str = ""
    perimeters: dict[str, PerimeterInfo] = field(default_factory=dict)
    version: str = ""
    markers: tuple[Marker, ...] = ()

    def approved(self) -> list[PerimeterInfo]:
        """The territories drawn with an approved version (registry order)."""
        return [p for p in self.perimeters.values() if p.approved]

    def statuses(self) -> list[str]:
        """The statuses of the territories drawn, in :data:`STATUSES` order."""
        present = {f["properties"].get("status") for f in self.territories.geojson["features"]}
        return [s for s in STATUSES if s in present]


def territory_markers(territories: gpd.GeoDataFrame, lang: str = "fr") -> tuple[Marker, ...]:
    """One numbered marker per territory, at a point inside its largest part (a territory in
    pieces is marked where most of it is), ringed with its status colour, labelled with its
    name in ``lang``; in :func:`territory_number` order."""
    data = _to_wgs84(territories)
    out: list[Marker] = []
    for row in data.itertuples():
        number = territory_number(str(row.id))
        if number is None or row.geometry is None or row.geometry.is_empty:
            continue
        parts = getattr(row.geometry, "geoms", [row.geometry])
        point = max(parts, key=lambda g: g.area).representative_point()
        colour = STATUS_COLOURS.get(str(row.status), STATUS_COLOURS["unconfirmed"])
        name = territory_name(str(row.id), lang, str(row.name))
        out.append(Marker(number, name, colour, round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)))
    return tuple(sorted(out, key=lambda m: m.number))


def prepare_layers(layers: MapLayers, lang: str = "fr", credit: str | None = None) -> PreparedLayers:
    """Serialise every layer once (the heavy part); maps are then cheap to assemble.

    ``credit`` (the producers' line in ``lang``) defaults to ``layers.credit``.
    """
    bounds = {str(row_id): territory_bounds(layers.territories, str(row_id)) for row_id in layers.territories["id"]}
    labels = perimeter_labels(layers.territories, lang)
    return PreparedLayers(
        lang=lang,
        territories=territories_data(layers.territories, lang),
        territory_bounds=bounds,
        units=units_data(layers.units, lang, labels) if layers.units is not None and len(layers.units) else None,
        wallonia=layer_data(layers.wallonia) if layers.wallonia is not None else None,
        provinces=layer_data(layers.provinces, ["name"]) if layers.provinces is not None else None,
        communes=layer_data(layers.communes, ["name"]) if layers.communes is not None else None,
        places=layer_data(shown_places(layers.places, layers.territories), ["name", "territory_id"])
        if layers.places is not None and len(layers.places)
        else None,
        credit=layers.credit if credit is None else credit,
        perimeters=perimeter_infos(layers.territories),
        version=layers.version,
        markers=territory_markers(layers.territories, lang),
    )


class HatchPatterns(_Snippet):
    """Defines, once per page, the SVG hatching patterns used by indicative perimeters."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "HatchPatterns"

    @staticmethod
    def svg() -> str:
        patterns = "".join(
            f'<pattern id="{hatch_id(status)}" patternUnits="userSpaceOnUse" width="8" height="8" '
            f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{colour}" '
            f'fill-opacity="0.10"/><line x1="0" y1="0" x2="0" y2="8" stroke="{colour}" '
            f'stroke-width="2.5" stroke-opacity="0.55"/></pattern>'
            for status, colour in STATUS_COLOURS.items()
        )
        return (
            '<svg id="tzcld-hatch-defs" width="0" height="0" aria-hidden="true" '
            f'style="position:absolute"><defs>{patterns}</defs></svg>'
        )

    def js(self, map_name: str) -> str:
        return (
            "if (!document.getElementById('tzcld-hatch-defs')) {\n"
            f"  document.body.insertAdjacentHTML('beforeend', {json.dumps(self.svg())});\n"
            "}"
        )


def osm_attribution(lang: str = "fr") -> str:
    """OpenStreetMap's credit (HTML, linked to its copyright page), as the tiles and the
    named places both require."""
    return f'<a href="{OSM_COPYRIGHT}">{html.escape(t("map.attribution.osm", lang))}</a>'


def ngi_attribution(lang: str = "fr") -> str:
    """The Belgian NGI's credit for its CartoWeb tiles (HTML)."""
    return f'<a href="{NGI_SITE}">{html.escape(t("map.attribution.ngi", lang))}</a>'


def attribution_parts(lang: str = "fr", basemap: str | None = None, data: bool = True) -> list[str]:
    """The map's credit, one HTML part per producer, each once: the basemap's producer
    (``basemap``: ``osm`` | ``ngi`` | ``none``) and, with ``data``, the geodata's producers
    (:data:`DATA_PRODUCERS`: OpenStreetMap, Statbel, SPW – ICAR, BOSA BeST Address)."""
    parts: list[str] = []
    if basemap == "ngi":
        parts.append(ngi_attribution(lang))
    if basemap == "osm" or data:
        parts.append(osm_attribution(lang))
    if data:
        parts.extend(html.escape(t(f"map.attribution.{p}", lang)) for p in DATA_PRODUCERS if p != "osm")
    return parts


def add_base_layer(fmap: folium.Map, basemap: str, lang: str = "fr", show: bool = True) -> folium.map.Layer:
    """A basemap as a Leaflet base layer (a radio of the layer control): OpenStreetMap or NGI
    CartoWeb tiles, or ``none`` (an empty layer: polygons only, no tile server)."""
    name = t(f"map.basemap.{basemap}", lang)
    layer: folium.map.Layer
    if basemap == "osm":
        layer = folium.TileLayer(OSM_TILES, attr=osm_attribution(lang), name=name, max_zoom=19, show=show)
    elif basemap == "ngi":
        layer = folium.TileLayer(NGI_TILES, attr=ngi_attribution(lang), name=name, max_zoom=17, show=show)
    else:
        layer = folium.FeatureGroup(name=name, overlay=False, show=show)
    layer.add_to(fmap)
    return layer


def base_map(
    basemap: str = DEFAULT_BASEMAP,
    lang: str = "fr",
    location: Sequence[float] = WALLONIA_CENTER,
    zoom_start: int = WALLONIA_ZOOM,
    credit: str = "",
    basemap_choices: bool = False,
) -> folium.Map:
    """An empty map of Wallonia with the chosen basemap (``osm`` | ``ngi`` | ``none``).

    With ``none`` there is no tile layer at all: the map works with no tile server. With
    ``basemap_choices`` the three basemaps are base layers of the layer control (add one with
    :func:`folium.LayerControl`), ``basemap`` shown first; only the shown one loads tiles.
    A non-empty ``credit`` says the map draws the geodata: its producers are credited in the
    attribution line (:func:`attribution_parts`, each producer once; the page shows the full
    ``credit`` under the map). A metric scale bar sits bottom left, clear of the attribution.
    """
    basemap = basemap if basemap in BASEMAPS else DEFAULT_BASEMAP
    fmap = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        min_zoom=6,
        max_zoom=18,
        zoom_snap=0.25,  # fit Wallonia or a territory to the frame, not to the next whole zoom level
    )
    add_map_styles(fmap.get_root())
    if basemap_choices:
        for choice in BASEMAPS:
            add_base_layer(fmap, choice, lang, show=choice == basemap)
    elif basemap != "none":
        add_base_layer(fmap, basemap, lang)
    fmap.add_child(ScaleBar())
    fmap.add_child(HatchPatterns())
    fmap.add_child(Attribution(attribution_parts(lang, basemap, data=bool(credit))))
    return fmap


def add_data_credit(fmap: folium.Map, lang: str = "fr") -> Attribution:
    """Credit the geodata's producers in the map's attribution line (each once)."""
    element = Attribution(attribution_parts(lang, None, data=True))
    fmap.add_child(element)
    return element


def _outline(layer: gpd.GeoDataFrame | LayerData, columns: Sequence[str] = ()) -> LayerData:
    return layer if isinstance(layer, LayerData) else layer_data(layer, columns)


def add_context(
    fmap: folium.Map,
    wallonia: gpd.GeoDataFrame | LayerData | None = None,
    provinces: gpd.GeoDataFrame | LayerData | None = None,
    communes: gpd.GeoDataFrame | LayerData | None = None,
    lang: str = "fr",
    show_communes: bool = True,
) -> list[folium.FeatureGroup]:
    """Context layers: Wallonia outline, provinces (not interactive), communes (named)."""
    groups: list[folium.FeatureGroup] = []
    if wallonia is not None and len(wallonia):
        group = folium.FeatureGroup(name=t("map.layer.wallonia", lang), show=True)
        web_layer(
            _outline(wallonia),
            lang,
            style_function=lambda _f: {
                "color": CONTEXT_COLOURS["wallonia"],
                "weight": 2,
                "fill": False,
                "opacity": 0.8,
            },
            interactive=False,
        ).add_to(group)
        group.add_to(fmap)
        groups.append(group)
    if provinces is not None and len(provinces):
        group = folium.FeatureGroup(name=t("map.layer.provinces", lang), show=True)
        web_layer(
            _outline(provinces, ["name"]),
            lang,
            style_function=lambda _f: {
                "color": CONTEXT_COLOURS["provinces"],
                "weight": 1,
                "fill": False,
                "opacity": 0.7,
                "dashArray": "2 4",
            },
            interactive=False,
        ).add_to(group)
        group.add_to(fmap)
        groups.append(group)
    if communes is not None and len(communes):
        group = folium.FeatureGroup(name=t("map.layer.communes", lang), show=show_communes)
        web_layer(
            _outline(communes, ["name"]),
            lang,
            style_function=lambda _f: {
                "color": CONTEXT_COLOURS["communes"],
                "weight": 1,
                "fillOpacity": 0.0,
                "fill": True,
                "opacity": 0.8,
            },
            tooltip=Tooltip("name", label=t("map.tooltip.commune", lang), options={"sticky": True}),
        ).add_to(group)
        group.add_to(fmap)
        groups.append(group)
    return groups


def _status_layer(
    fmap: folium.Map,
    data: LayerData,
    id_field: str,
    selected: str | None,
    name: str,
    show: bool,
    lang: str = "fr",
) -> folium.FeatureGroup:
    """A layer of territory polygons coloured by status and precision, the ``selected``
    territory (``id_field``) outlined, with the compact tooltip of each feature (``tip``)."""
    group = folium.FeatureGroup(name=name, show=show)
    web_layer(
        data,
        lang,
        style_function=lambda f: territory_style(
            f["properties"]["status"],
            f["properties"]["precision"],
            selected=f["properties"][id_field] == selected,
        ),
        # The style depends on these properties only: the page carries one style per value.
        style_keys=("status", "precision", id_field),
        highlight={"weight": 4, "fillOpacity": 0.5},
        tooltip=Tooltip(
            "tip",
            html=True,
            options={"sticky": True, "className": "tzcld-tip", "direction": "top", "offset": [0, -12]},
        ),
    ).add_to(group)
    group.add_to(fmap)
    return group


def drawn_geojson(group: folium.FeatureGroup) -> WebLayer | PreparedGeoJson:
    """The GeoJSON layer inside a group made by :func:`add_territories` / :func:`add_units`."""
    return next(c for c in group._children.values() if isinstance(c, (WebLayer, PreparedGeoJson)))


def add_territories(
    fmap: folium.Map,
    territories: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    selected: str | None = None,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """One polygon per territory (``territories.geojson``), coloured by status.

    Tooltip (:func:`tooltip_html`): number and name, job target and status, precision, and
    the perimeter version drawn when the layer carries it. ``selected`` (a territory id) is
    drawn with a thicker outline. A GeoDataFrame is prepared with :func:`territories_data`;
    pass that :class:`LayerData` to save time.
    """
    data = territories if isinstance(territories, LayerData) else territories_data(territories, lang)
    return _status_layer(fmap, data, "id", selected, name or t("map.layer.territories", lang), show, lang)


def add_units(
    fmap: folium.Map,
    units: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    selected: str | None = None,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """One polygon per (territory, named unit) (``units.geojson``), coloured by status.

    Tooltip: number and name of the territory, the unit, job target (of the territory) and
    status, precision, and the perimeter version drawn when the layer carries it.
    """
    data = units if isinstance(units, LayerData) else units_data(units, lang)
    return _status_layer(fmap, data, "territory_id", selected, name or t("map.layer.units", lang), show, lang)


#: Binds each named place's name as a permanent label beside its dot (text, never HTML).
_PLACE_LABEL_JS = """function (feature, layer) {
    var label = document.createElement('span');
    label.textContent = feature.properties.name;
    layer.bindTooltip(label, {permanent: true, direction: 'right', offset: [3, 0], className: 'tzcld-place',
                              interactive: false, opacity: 1});
}"""


def add_places(
    fmap: folium.Map,
    places: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    show: bool = True,
) -> folium.FeatureGroup | None:
    """Named places (OSM points): a small dot, labelled with the place's name."""
    data = _outline(places, ["name"])
    if not len(data):
        return None
    group = folium.FeatureGroup(name=t("map.layer.places", lang), show=show)
    web_layer(
        data,
        lang,
        point={"radius": 3, "color": CONTEXT_COLOURS["places"], "fill": True, "fillOpacity": 0.9, "weight": 1},
        on_each_feature=_PLACE_LABEL_JS,
    ).add_to(group)
    group.add_to(fmap)
    return group


def _swatch(style: str) -> str:
    return f'<span class="tzcld-swatch" aria-hidden="true" style="{style}"></span>'


def legend_html(
    lang: str = "fr",
    statuses: Sequence[str] = STATUSES,
    indicative: bool = True,
    places: bool = False,
    numbers: bool = False,
) -> str:
    """The legend's HTML (French by default): status colours (``statuses``: those drawn),
    indicative (hatched, dashed) outline, numbered markers, named places. A ``<details>``
    element: :class:`~tzcld.map_controls.Legend` folds it on narrow maps."""
    rows = []
    for status in statuses:
        colour = STATUS_COLOURS[status]
        rows.append(
            f"<div>{_swatch(f'background:{colour}99;border:2px solid {colour}')}"
            f"{html.escape(status_label(status, lang))}</div>"
        )
    if indicative:
        hatch = "repeating-linear-gradient(45deg,#777 0 2px,transparent 2px 6px)"
        rows.append(
            f"<div>{_swatch(f'background:{hatch};border:2px dashed #555')}"
            f"{html.escape(t('map.legend.indicative', lang))}</div>"
        )
    if numbers:
        rows.append(
            '<div><span class="tzcld-swatch" aria-hidden="true" style="border:2px solid #555;border-radius:50%;'
            'font:700 9px/10px sans-serif;text-align:center">3</span>'
            f"{html.escape(t('map.legend.numbers', lang))}</div>"
        )
    if places:
        dot = f"width:8px;height:8px;border-radius:50%;background:{CONTEXT_COLOURS['places']};margin:0 9px 0 3px"
        rows.append(f"<div>{_swatch(dot)}{html.escape(t('map.legend.places', lang))}</div>")
    title = html.escape(t("map.legend.title", lang))
    return f'<details open><summary>{title}</summary><div class="tzcld-legend-rows">{"".join(rows)}</div></details>'


def add_legend(fmap: folium.Map, lang: str = "fr", **kwargs: object) -> Legend:
    """Add the HTML legend (see :func:`legend_html`) as a Leaflet control, folded on narrow maps."""
    legend = Legend(legend_html(lang, **kwargs))  # type: ignore[arg-type]
    fmap.add_child(legend)
    return legend


def add_markers(fmap: folium.Map, markers: Sequence[Marker]) -> NumberedMarkers | None:
    """The territories' numbered markers (see :class:`~tzcld.map_controls.NumberedMarkers`)."""
    if not markers:
        return None
    element = NumberedMarkers(markers)
    fmap.add_child(element)
    return element


def frame(
    fmap: folium.Map,
    bounds: Sequence[Sequence[float]],
    groups: Sequence[folium.FeatureGroup] = (),
    only: tuple[str, str] | None = None,
) -> FrameLayers:
    """Fit ``fmap`` to ``bounds`` with the features of ``groups`` (from :func:`add_territories`
    / :func:`add_units`; ``only``: those whose property has a value) clear of the map's
    controls (see :class:`~tzcld.map_controls.FrameLayers`). Add it last, after the legend
    and the controls."""
    element = FrameLayers(bounds, [drawn_geojson(g).get_name() for g in groups], only=only)
    fmap.add_child(element)
    return element


def territory_bounds(
    layer: gpd.GeoDataFrame, territory_id: str | None = None, id_column: str | None = None
) -> list[list[float]]:
    """Bounds ``[[south, west], [north, east]]`` (degrees) of one territory, or of all rows.

    ``id_column`` defaults to ``id`` (territories) or ``territory_id`` (units, communes).
    Raises ``KeyError`` for an unknown territory id.
    """
    data = _to_wgs84(layer)
    if territory_id is not None:
        column = id_column or ("id" if "id" in data.columns else "territory_id")
        data = data[data[column] == territory_id]
        if not len(data):
            raise KeyError(territory_id)
    west, south, east, north = (float(v) for v in data.total_bounds)
    return [[south, west], [north, east]]


def territories_table(registry: Iterable[Territory], lang: str = "fr") -> pd.DataFrame:
    """The territories as a table beside the map (an alternative to hovering it): number (as
    on the map), name, province, job target (persons), status and precision labels in
    ``lang``, and id."""
    rows = [
        {
            t("map.table.number", lang): territory_number(territory.id),
            t("map.table.name", lang): territory_name(territory.id, lang, territory.name),
            t("map.table.province", lang): territory.province,
            t("map.table.job_target", lang): territory.job_target,
            t("map.table.status", lang): status_label(territory.status, lang),
            t("map.table.precision", lang): precision_label(territory.precision, lang),
            t("map.table.id", lang): territory.id,
        }
        for territory in registry
    ]
    return pd.DataFrame(rows)


def territory_key_html(prepared: PreparedLayers, lang: str = "fr") -> str:
    """The list of the numbered markers, to show under a map: ``1 Liège (…)`` … ``17 Gembloux
    (…)``, each number ringed with its status colour. The status is said once for most
    territories and in words beside the others (``— arrêté``): the map's text alternative."""
    status_of = {f["properties"]["id"]: f["properties"]["status"] for f in prepared.territories.geojson["features"]}
    statuses = [status_of.get(TERRITORY_IDS[m.number - 1], "") for m in prepared.markers]
    common = max(set(statuses), key=statuses.count) if statuses else ""
    items = "".join(
        f'<li><span class="tzcld-key-n" style="border-color:{html.escape(m.colour)}" aria-hidden="true">{m.number}</span>'
        f"<span>{html.escape(m.label)}"
        + (
            f'<span class="tzcld-key-status"> — {html.escape(status_label(status, lang))}</span>'
            if status != common
            else ""
        )
        + "</span></li>"
        for m, status in zip(prepared.markers, statuses, strict=True)
    )
    title = html.escape(t("map.key.title", lang))
    intro = html.escape(t("map.key.intro", lang, status=status_label(common, lang))) if common else ""
    return (
        "<style>"
        ".tzcld-key{columns:3 15rem;column-gap:1.5rem;margin:.25rem 0 .5rem;padding:0;list-style:none;font-size:.9rem}"
        ".tzcld-key li{display:flex;gap:.45rem;align-items:baseline;break-inside:avoid;margin:0 0 .2rem}"
        ".tzcld-key-n{flex:none;display:inline-block;min-width:1.35rem;height:1.35rem;border:3px solid #333;"
        "border-radius:50%;box-sizing:border-box;font-weight:700;font-size:.72rem;line-height:.95rem;text-align:center}"
        ".tzcld-key-status{color:#4a4a4a;font-weight:600}.tzcld-key-intro{margin:.25rem 0;font-size:.9rem;color:#4a4a4a}"
        "</style>"
        f'<p class="tzcld-key-intro">{intro}</p>'
        f'<ol class="tzcld-key" aria-label="{title}">{items}</ol>'
    )


def perimeters_caption(prepared: PreparedLayers, lang: str = "fr") -> str:
    """One line under a map saying which perimeters it draws: each territory drawn with an
    approved version, and the reference data's date (empty when nothing is known)."""
    if not prepared.perimeters:
        return ""
    approved = [(territory_name(p.territory_id, lang, p.name), p.label, p.date) for p in prepared.approved()]
    base = next((p for p in prepared.perimeters.values() if not p.approved), None)
    return format_published_perimeters(approved, base.date if base else None, base is not None, lang)


def _prepared(layers: MapLayers | PreparedLayers, lang: str) -> PreparedLayers:
    if isinstance(layers, PreparedLayers) and layers.lang == lang:
        return layers
    if isinstance(layers, PreparedLayers):
        raise ValueError(f"layers prepared for {layers.lang!r}, map asked in {lang!r}")
    return prepare_layers(layers, lang)


def home_map(layers: MapLayers | PreparedLayers, lang: str = "fr", basemap: str = DEFAULT_BASEMAP) -> folium.Map:
    """Accueil: Wallonia, provinces and the 17 territories coloured by status and numbered
    (:func:`territory_key_html` lists them), with the legend; framed so that every territory
    is clear of the attribution, the scale bar and the legend, whatever the frame's size."""
    prepared = _prepared(layers, lang)
    fmap = base_map(basemap, lang, credit=prepared.credit)
    add_context(fmap, wallonia=prepared.wallonia, provinces=prepared.provinces, lang=lang)
    group = add_territories(fmap, prepared.territories, lang)
    add_legend(fmap, lang, statuses=prepared.statuses(), numbers=bool(prepared.markers))
    add_markers(fmap, prepared.markers)
    frame(fmap, (prepared.wallonia or prepared.territories).bounds, [group])
    return fmap


def territory_map(
    layers: MapLayers | PreparedLayers,
    lang: str = "fr",
    basemap: str = DEFAULT_BASEMAP,
    territory_id: str | None = None,
) -> folium.Map:
    """Carte: context layers, the territories' units (numbered), named places (labelled), one
    layer control (basemap and layers) and the legend.

    With ``territory_id`` the map is fitted to that territory (and its outline thickened);
    without, to the whole of Wallonia, with the named places hidden (in the layer control).
    An unknown id raises ``KeyError``.
    """
    prepared = _prepared(layers, lang)
    if territory_id:
        bounds = prepared.territory_bounds[territory_id]
    fmap = base_map(basemap, lang, credit=prepared.credit, basemap_choices=True)
    add_context(fmap, wallonia=prepared.wallonia, provinces=prepared.provinces, communes=prepared.communes, lang=lang)
    if prepared.units is not None:
        group = add_units(fmap, prepared.units, lang, selected=territory_id)
    else:
        group = add_territories(fmap, prepared.territories, lang, selected=territory_id)
    # Over the whole of Wallonia the named places hide the small territories: they are
    # drawn (and listed in the layer control) but shown only once a territory is selected.
    has_places = (
        prepared.places is not None
        and add_places(fmap, prepared.places, lang, show=territory_id is not None) is not None
    )
    add_legend(fmap, lang, statuses=prepared.statuses(), places=has_places, numbers=bool(prepared.markers))
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    add_markers(fmap, prepared.markers)
    if territory_id:
        id_field = "territory_id" if prepared.units is not None else "id"
        frame(fmap, bounds, [group], only=(id_field, territory_id))
    else:
        frame(fmap, (prepared.wallonia or prepared.territories).bounds, [group])
    return fmap


#: Colour of a checked point, by verdict (:attr:`tzcld.check.CheckResult.status`).
CHECK_STATUS_COLOURS: dict[str, str] = {
    "inside": "#18753c",
    "outside": "#6a6a6a",
    "undetermined": "#c45f00",
    "not_found": "#b34000",
    "error": "#ce0500",
}


def result_map(
    prepared: PreparedLayers, result: CheckResult | None, lang: str = "fr", basemap: str = "none"
) -> folium.Map:
    """A folium map: the territories (the building blocks above) and the checked point.

    ``prepared``: :class:`tzcld.maps.PreparedLayers`. Zooms on the point when there is one;
    an answer without a point of its own that lists possible places (an address found in
    several communes) shows those places; else (an area-only answer) all of Wallonia. No remote tiles by default (``basemap="none"``): tiles
    centred on the point would tell the tile server where the candidate lives; the page
    adds them only when the user asks, with a warning.
    """
    fmap = base_map(basemap, lang, credit=prepared.credit)
    add_context(fmap, wallonia=prepared.wallonia, provinces=prepared.provinces, lang=lang)
    add_territories(fmap, prepared.territories, lang, selected=result.territory_id if result else None)
    if result is not None and result.lat is not None and result.lon is not None:
        colour = CHECK_STATUS_COLOURS.get(result.status, "#000091")
        _dot(fmap, result.lat, result.lon, colour, t(f"check.status.{result.status}", lang), radius=9)
        # show the point and, when not too far, the nearest boundary (metres → degrees)
        dist = result.distance_to_boundary_m if result.distance_to_boundary_m is not None else 0.0
        radius = min(max(400.0, 1.3 * dist), 6000.0)
        dlat = radius / 111_320.0
        dlon = radius / (111_320.0 * math.cos(math.radians(result.lat)))
        fmap.fit_bounds([[result.lat - dlat, result.lon - dlon], [result.lat + dlat, result.lon + dlon]])
    elif places := _candidate_places(result, lang):
        # an answer standing for several places (none retained): each of them, to choose from
        colour = CHECK_STATUS_COLOURS.get(result.status, "#000091") if result else "#000091"
        for label, lat, lon in places:
            _dot(fmap, lat, lon, colour, label, radius=6)
        lats, lons = [p[1] for p in places], [p[2] for p in places]
        pad = 0.01
        fmap.fit_bounds([[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]])
    else:
        fmap.fit_bounds((prepared.wallonia or prepared.territories).bounds)
    return fmap


def _dot(fmap: folium.Map, lat: float, lon: float, colour: str, tooltip: str, radius: int) -> None:
    """A checked point (or one of an answer's possible places): a dot ringed in white."""
    folium.CircleMarker(
        location=[lat, lon],
        radius=radius,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1.0,
        tooltip=tooltip,
    ).add_to(fmap)


def _candidate_places(result: CheckResult | None, lang: str = "fr") -> list[tuple[str, float, float]]:
    """The possible places of an answer without a point of its own (what each is and where it
    falls, :func:`tzcld.check.candidate_text`; lat, lon)."""
    from tzcld.check import candidate_text

    if result is None or result.lat is not None:
        return []
    places = []
    for c in result.candidates:
        lat, lon = c.get("lat"), c.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and math.isfinite(lat) and math.isfinite(lon):
            places.append((candidate_text(c, lang), float(lat), float(lon)))
    return places
