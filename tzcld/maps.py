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
does it) so the browser loads Leaflet from the app, not from a CDN.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from tzcld.config import WGS84
from tzcld.formatting import format_perimeter_version, format_published_perimeters
from tzcld.i18n import t
from tzcld.territories import PRECISIONS, STATUSES, Territory

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
OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d\'OpenStreetMap</a>'
NGI_TILES = "https://cartoweb.wmts.ngi.be/1.0.0/topo/default/3857/{z}/{y}/{x}.png"
NGI_ATTRIBUTION = '© <a href="https://www.ngi.be/">NGI/IGN</a>'

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


def load_map_layers(lang: str = "fr", store: object | None = None) -> MapLayers:
    """Read the geodata (``geodata/``) through :mod:`tzcld.geodata.layers`.

    With ``store`` (a :class:`tzcld.perimeters.PerimeterStore` or a ledger ``Store``), the
    territories and units are the published perimeters
    (:func:`tzcld.perimeters.web.published_web_layers`): each territory with an approved
    version is recomputed from it; with no approved version the committed layers are used
    as they are. ``version`` is the published version string.
    """
    from tzcld.geodata import layers

    if store is not None:
        from tzcld.perimeters.published import _as_store

        pstore = _as_store(store)
        if pstore.published_ids():  # type: ignore[union-attr]
            from tzcld.perimeters.web import published_web_layers

            territories, units, version = published_web_layers(pstore)
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
        return str(int(value))  # type: ignore[arg-type]
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
    """

    geojson: dict
    bounds: list[list[float]]

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
    """``folium.GeoJson`` drawing a :class:`LayerData`, with its precomputed bounds.

    Folium would otherwise walk every coordinate in Python to compute bounds on every
    render (streamlit-folium asks for them), which dominates a rerun.
    """

    def __init__(self, layer: LayerData, **kwargs: object) -> None:
        super().__init__(layer.geojson, **kwargs)  # type: ignore[arg-type]
        self._layer_bounds = layer.bounds

    def _get_self_bounds(self) -> list[list[float]]:
        return self._layer_bounds


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


def territories_data(territories: gpd.GeoDataFrame, lang: str = "fr") -> LayerData:
    """Territories (``territories.geojson``) with display properties in ``lang``; with the
    published layers' version columns, ``perimeter_label`` says which perimeter is drawn."""
    data = _territory_table(territories, lang, "name")
    units = data["units"] if "units" in data else [""] * len(data)
    data["units_label"] = [
        ", ".join(str(x) for x in u) if isinstance(u, (list, tuple, np.ndarray)) else ("" if u is None else str(u))
        for u in units
    ]
    labels = perimeter_labels(territories, lang)
    columns = ["id", "territory_label", "target_label", "status_label", "precision_label", "units_label"]
    if labels:
        data["perimeter_label"] = [labels.get(str(i), "") for i in data["id"]]
        columns.append("perimeter_label")
    return layer_data(data, [*columns, "status", "precision"])


def units_data(units: gpd.GeoDataFrame, lang: str = "fr", perimeters: dict[str, str] | None = None) -> LayerData:
    """Units (``units.geojson``) with display properties in ``lang``; ``perimeters``
    (territory id → version in words, :func:`perimeter_labels`) adds ``perimeter_label``."""
    data = _territory_table(units, lang, "territory_name")
    data["unit_label"] = data["unit"].astype(str)
    columns = ["territory_id", "territory_label", "unit_label", "target_label", "status_label", "precision_label"]
    if perimeters:
        data["perimeter_label"] = [perimeters.get(str(i), "") for i in data["territory_id"]]
        columns.append("perimeter_label")
    return layer_data(data, [*columns, "status", "precision"])


def _territory_table(gdf: gpd.GeoDataFrame, lang: str, name_col: str) -> gpd.GeoDataFrame:
    """Display-ready properties: labels in ``lang``, target as text (never 0 for unknown)."""
    data = _to_wgs84(gdf).copy()
    data["status_label"] = [status_label(s, lang) for s in data["status"]]
    data["precision_label"] = [precision_label(p, lang) for p in data["precision"]]
    data["target_label"] = [_format_target(v, lang) for v in data["job_target"]]
    data["territory_label"] = data[name_col].astype(str)
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
    the published version string of the layers (empty when unknown)."""

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

    def approved(self) -> list[PerimeterInfo]:
        """The territories drawn with an approved version (registry order)."""
        return [p for p in self.perimeters.values() if p.approved]


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
    )


class _Snippet(MacroElement):
    """A piece of Leaflet JavaScript attached to the map (legend control, credit line)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js(this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def js(self, map_name: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class Legend(_Snippet):
    """An HTML legend as a Leaflet control (bottom-left: over Wallonia that corner is France, empty); ``html`` holds its markup."""

    def __init__(self, legend_html: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html
        self.position = position

    def js(self, map_name: str) -> str:
        var = self.get_name()
        return (
            f"var {var} = L.control({{position: {json.dumps(self.position)}}});\n"
            f"{var}.onAdd = function (map) {{\n"
            f"  var div = L.DomUtil.create('div', 'tzcld-legend');\n"
            f"  div.innerHTML = {json.dumps(self.html)};\n"
            f"  L.DomEvent.disableClickPropagation(div);\n"
            f"  return div;\n"
            f"}};\n"
            f"{var}.addTo({map_name});"
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


class DataCredit(_Snippet):
    """Adds the data producers' credit line to the map's attribution control."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "DataCredit"
        self.text = text

    def js(self, map_name: str) -> str:
        return f"{map_name}.attributionControl.addAttribution({json.dumps(self.text)});"


def base_map(
    basemap: str = DEFAULT_BASEMAP,
    lang: str = "fr",
    location: Sequence[float] = WALLONIA_CENTER,
    zoom_start: int = WALLONIA_ZOOM,
    credit: str = "",
) -> folium.Map:
    """An empty map of Wallonia with the chosen basemap (``osm`` | ``ngi`` | ``none``).

    With ``none`` there is no tile layer at all: the map works with no tile server.
    ``credit`` (the data producers' line) is added to the attribution control.
    """
    basemap = basemap if basemap in BASEMAPS else DEFAULT_BASEMAP
    fmap = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        min_zoom=6,
        max_zoom=18,
        zoom_snap=0.25,  # fit Wallonia or a territory to the frame, not to the next whole zoom level
    )
    if basemap == "osm":
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name=t("map.basemap.osm", lang), max_zoom=19).add_to(fmap)
    elif basemap == "ngi":
        folium.TileLayer(NGI_TILES, attr=NGI_ATTRIBUTION, name=t("map.basemap.ngi", lang), max_zoom=17).add_to(fmap)
    fmap.add_child(HatchPatterns())
    if credit:
        add_data_credit(fmap, credit)
    return fmap


def add_data_credit(fmap: folium.Map, credit: str) -> DataCredit:
    """Credit the data producers in the map's attribution line."""
    element = DataCredit(html.escape(credit, quote=False))
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
        PreparedGeoJson(
            _outline(wallonia),
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
        PreparedGeoJson(
            _outline(provinces, ["name"]),
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
        PreparedGeoJson(
            _outline(communes, ["name"]),
            style_function=lambda _f: {
                "color": CONTEXT_COLOURS["communes"],
                "weight": 1,
                "fillOpacity": 0.0,
                "fill": True,
                "opacity": 0.8,
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[t("map.tooltip.commune", lang)]),
        ).add_to(group)
        group.add_to(fmap)
        groups.append(group)
    return groups


def _with_perimeter(data: LayerData, fields: list[str], aliases: list[str], lang: str) -> tuple[list[str], list[str]]:
    """Tooltip fields and aliases, plus the perimeter version when the layer carries it."""
    features = data.geojson["features"]
    if features and all("perimeter_label" in f["properties"] for f in features):
        return [*fields, "perimeter_label"], [*aliases, t("map.tooltip.perimeter", lang)]
    return fields, aliases


def _status_layer(
    fmap: folium.Map,
    data: LayerData,
    id_field: str,
    fields: list[str],
    aliases: list[str],
    lang: str,
    selected: str | None,
    name: str,
    show: bool,
) -> folium.FeatureGroup:
    """A layer of territory polygons coloured by status and precision, the ``selected``
    territory (``id_field``) outlined, with a sticky tooltip (plus the perimeter version)."""
    group = folium.FeatureGroup(name=name, show=show)
    PreparedGeoJson(
        data,
        style_function=lambda f: territory_style(
            f["properties"]["status"],
            f["properties"]["precision"],
            selected=f["properties"][id_field] == selected,
        ),
        highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.5},
        tooltip=folium.GeoJsonTooltip(*_with_perimeter(data, fields, aliases, lang), sticky=True),
    ).add_to(group)
    group.add_to(fmap)
    return group


def add_territories(
    fmap: folium.Map,
    territories: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    selected: str | None = None,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """One polygon per territory (``territories.geojson``), coloured by status.

    Tooltip: territory name, job target, status, precision, the units it is made of, and
    the perimeter version drawn when the layer carries it.
    ``selected`` (a territory id) is drawn with a thicker outline. A GeoDataFrame is
    prepared with :func:`territories_data`; pass that :class:`LayerData` to save time.
    """
    data = territories if isinstance(territories, LayerData) else territories_data(territories, lang)
    return _status_layer(
        fmap,
        data,
        "id",
        ["territory_label", "target_label", "status_label", "precision_label", "units_label"],
        [
            t("map.tooltip.territory", lang),
            t("map.tooltip.job_target", lang),
            t("map.tooltip.status", lang),
            t("map.tooltip.precision", lang),
            t("map.tooltip.units", lang),
        ],
        lang,
        selected,
        name or t("map.layer.territories", lang),
        show,
    )


def add_units(
    fmap: folium.Map,
    units: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    selected: str | None = None,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """One polygon per (territory, named unit) (``units.geojson``), coloured by status.

    Tooltip: territory name, unit, job target (of the territory), status, precision, and
    the perimeter version drawn when the layer carries it.
    """
    data = units if isinstance(units, LayerData) else units_data(units, lang)
    return _status_layer(
        fmap,
        data,
        "territory_id",
        ["territory_label", "unit_label", "target_label", "status_label", "precision_label"],
        [
            t("map.tooltip.territory", lang),
            t("map.tooltip.unit", lang),
            t("map.tooltip.job_target", lang),
            t("map.tooltip.status", lang),
            t("map.tooltip.precision", lang),
        ],
        lang,
        selected,
        name or t("map.layer.units", lang),
        show,
    )


def add_places(
    fmap: folium.Map,
    places: gpd.GeoDataFrame | LayerData,
    lang: str = "fr",
    show: bool = True,
) -> folium.FeatureGroup | None:
    """Named places (OSM points) as small circles with their name as tooltip."""
    data = _outline(places, ["name"])
    if not len(data):
        return None
    group = folium.FeatureGroup(name=t("map.layer.places", lang), show=show)
    PreparedGeoJson(
        data,
        marker=folium.CircleMarker(
            radius=3,
            color=CONTEXT_COLOURS["places"],
            fill=True,
            fill_opacity=0.9,
            weight=1,
        ),
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[t("map.tooltip.place", lang)]),
    ).add_to(group)
    group.add_to(fmap)
    return group


def legend_html(
    lang: str = "fr", statuses: Sequence[str] = STATUSES, indicative: bool = True, places: bool = False
) -> str:
    """The legend's HTML (French by default): status colours, indicative (dashed) outline, places."""
    rows = []
    for status in statuses:
        colour = STATUS_COLOURS[status]
        rows.append(
            f'<div><span style="display:inline-block;width:14px;height:14px;background:{colour};'
            f'opacity:0.6;border:2px solid {colour};margin-right:6px;vertical-align:middle"></span>'
            f"{html.escape(status_label(status, lang))}</div>"
        )
    if indicative:
        hatch = "repeating-linear-gradient(45deg,#777 0 2px,transparent 2px 6px)"
        rows.append(
            f'<div><span style="display:inline-block;width:14px;height:14px;background:{hatch};'
            'border:2px dashed #555;margin-right:6px;vertical-align:middle"></span>'
            f"{html.escape(t('map.legend.indicative', lang))}</div>"
        )
    if places:
        rows.append(
            f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
            f'background:{CONTEXT_COLOURS["places"]};margin:0 8px 0 2px;vertical-align:middle"></span>'
            f"{html.escape(t('map.legend.places', lang))}</div>"
        )
    title = html.escape(t("map.legend.title", lang))
    return (
        '<div style="background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;'
        'box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.5 sans-serif;color:#1e1e1e;max-width:240px">'
        f"<strong>{title}</strong>{''.join(rows)}</div>"
    )


def add_legend(fmap: folium.Map, lang: str = "fr", **kwargs: object) -> Legend:
    """Add the HTML legend (see :func:`legend_html`) as a Leaflet control."""
    legend = Legend(legend_html(lang, **kwargs))  # type: ignore[arg-type]
    fmap.add_child(legend)
    return legend


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
    """The territories as a table beside the map (an alternative to hovering it): name,
    province, job target (persons), status and precision labels in ``lang``, and id."""
    rows = [
        {
            t("map.table.name", lang): territory.name,
            t("map.table.province", lang): territory.province,
            t("map.table.job_target", lang): territory.job_target,
            t("map.table.status", lang): status_label(territory.status, lang),
            t("map.table.precision", lang): precision_label(territory.precision, lang),
            t("map.table.id", lang): territory.id,
        }
        for territory in registry
    ]
    return pd.DataFrame(rows)


def perimeters_caption(prepared: PreparedLayers, lang: str = "fr") -> str:
    """One line under a map saying which perimeters it draws: each territory drawn with an
    approved version, and the reference data's date (empty when nothing is known)."""
    if not prepared.perimeters:
        return ""
    approved = [(p.name, p.label, p.date) for p in prepared.approved()]
    base = next((p for p in prepared.perimeters.values() if not p.approved), None)
    return format_published_perimeters(approved, base.date if base else None, base is not None, lang)


def _prepared(layers: MapLayers | PreparedLayers, lang: str) -> PreparedLayers:
    if isinstance(layers, PreparedLayers) and layers.lang == lang:
        return layers
    if isinstance(layers, PreparedLayers):
        raise ValueError(f"layers prepared for {layers.lang!r}, map asked in {lang!r}")
    return prepare_layers(layers, lang)


def home_map(layers: MapLayers | PreparedLayers, lang: str = "fr", basemap: str = DEFAULT_BASEMAP) -> folium.Map:
    """Accueil: Wallonia, provinces and the 17 territories coloured by status, with legend."""
    prepared = _prepared(layers, lang)
    fmap = base_map(basemap, lang, credit=prepared.credit)
    add_context(fmap, wallonia=prepared.wallonia, provinces=prepared.provinces, lang=lang)
    add_territories(fmap, prepared.territories, lang)
    add_legend(fmap, lang)
    fmap.fit_bounds((prepared.wallonia or prepared.territories).bounds)
    return fmap


def territory_map(
    layers: MapLayers | PreparedLayers,
    lang: str = "fr",
    basemap: str = DEFAULT_BASEMAP,
    territory_id: str | None = None,
) -> folium.Map:
    """Carte: context layers, the territories' units, named places, layer switch and legend.

    With ``territory_id`` the map is fitted to that territory (and its outline thickened);
    without, to the whole of Wallonia, with the named places hidden (in the layer switch). An unknown id raises ``KeyError``.
    """
    prepared = _prepared(layers, lang)
    fmap = base_map(basemap, lang, credit=prepared.credit)
    add_context(fmap, wallonia=prepared.wallonia, provinces=prepared.provinces, communes=prepared.communes, lang=lang)
    if prepared.units is not None:
        add_units(fmap, prepared.units, lang, selected=territory_id)
    else:
        add_territories(fmap, prepared.territories, lang, selected=territory_id)
    # Over the whole of Wallonia the named places hide the small territories: they are
    # drawn (and listed in the layer switch) but shown only once a territory is selected.
    has_places = (
        prepared.places is not None
        and add_places(fmap, prepared.places, lang, show=territory_id is not None) is not None
    )
    add_legend(fmap, lang, places=has_places)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    if territory_id:
        fmap.fit_bounds(prepared.territory_bounds[territory_id])
    else:
        fmap.fit_bounds((prepared.wallonia or prepared.territories).bounds)
    return fmap
