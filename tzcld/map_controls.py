"""Leaflet controls and behaviours of the dashboard's folium maps (JavaScript and CSS).

No Streamlit here. Each class is a ``branca`` element whose script runs in the map's page
(the streamlit-folium iframe, or a folium HTML file), after the layers it refers to:

- :class:`MapStyles` — the CSS of everything below (one compact attribution line, the scale
  bar kept clear of it, the foldable legend, numbered markers, place labels, tooltips);
- :class:`Attribution` — the producers' credit, each producer once (Leaflet counts
  identical attributions once, so a tile layer credited with the same text as the data
  is not repeated), and the "Leaflet" prefix only on maps wide enough for it;
- :class:`ScaleBar` — a metric scale bar, bottom left;
- :class:`Legend` — an HTML legend as a control; a ``<details>`` legend is folded on maps
  narrower than ``fold_below`` pixels (phones), unfolded by a tap;
- :class:`NumberedMarkers` — one numbered marker per territory, readable at the scale of
  Wallonia: markers that would overlap (the Liège area) are moved apart, each with a thin
  leader line to its territory, and kept off the map's controls; hidden when zoomed in;
- :class:`FrameLayers` — fits the map to bounds so that every drawn feature is clear of the
  controls (attribution, scale, legend, zoom buttons): an open legend over a feature is
  folded, otherwise the padding grows; refitted when the map is resized, or a layer's
  features arrive, until the visitor moves it;
- :class:`WebLayer` — a GeoJSON layer that the browser loads itself from a static,
  cacheable file (``static/layers/``, see :mod:`tzcld.map_files`), styled from a small
  table computed in Python: the features are not sent with the page.

Pixel boxes are computed in the browser (they depend on the frame's size), so these classes
only carry data (bounds, markers, thresholds) and the variable names of the layers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

#: Width (CSS pixels) under which a foldable legend starts folded and the "Leaflet" prefix
#: of the attribution is dropped (a phone in portrait is 360–430 px wide).
NARROW_MAP_PX = 600
#: Zoom level from which the numbered markers are hidden (a territory fills the map).
MARKERS_HIDDEN_FROM_ZOOM = 11
LEAFLET_PREFIX = '<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>'

MAP_CSS = """
html, body { margin: 0; padding: 0; }
*, *::before, *::after { box-sizing: border-box; }
.leaflet-container { font-family: "Source Sans Pro", sans-serif; }
.leaflet-control-attribution.leaflet-control {
  font-size: 11px; line-height: 1.35; padding: 1px 6px; margin: 0;
  max-width: calc(100vw - 110px); text-align: right; white-space: normal;
  background: rgba(255, 255, 255, 0.88); color: #1e1e1e;
}
.leaflet-control-attribution a { color: #0b4f9c; }
.leaflet-bottom.leaflet-left .leaflet-control-scale { margin: 0 0 4px 6px; }
.leaflet-control-scale-line { font-size: 10px; line-height: 1.3; background: rgba(255, 255, 255, 0.8); }
.tzcld-legend { background: rgba(255, 255, 255, 0.94); border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
  font: 12px/1.45 "Source Sans Pro", sans-serif; color: #1e1e1e; max-width: 240px; }
.tzcld-legend details > summary { cursor: pointer; font-weight: 700; padding: 4px 10px; list-style-position: inside; }
.tzcld-legend details[open] > summary { padding-bottom: 0; }
.tzcld-legend .tzcld-legend-rows { padding: 2px 10px 6px; }
.tzcld-legend .tzcld-swatch { display: inline-block; width: 14px; height: 14px; margin-right: 6px; vertical-align: middle;
  box-sizing: border-box; }
.tzcld-num { background: #fff; border: 3px solid #333; border-radius: 50%; box-sizing: border-box;
  color: #161616; font: 700 11px/16px "Source Sans Pro", sans-serif; text-align: center;
  box-shadow: 0 0 0 1px rgba(255, 255, 255, 0.9), 0 1px 3px rgba(0, 0, 0, 0.35); }
.tzcld-num.tzcld-num-small { border-width: 2px; font-size: 10px; line-height: 14px; }
.leaflet-tooltip.tzcld-tip { max-width: 240px; white-space: normal; font-size: 12px; line-height: 1.35;
  padding: 4px 7px; color: #161616; }
.leaflet-tooltip.tzcld-place { background: transparent; border: 0; box-shadow: none; padding: 0 0 0 2px;
  color: #3b1f5c; font: 600 11px/1.2 "Source Sans Pro", sans-serif;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.leaflet-tooltip.tzcld-place::before { display: none; }
.tzcld-layer-error { position: absolute; z-index: 1000; top: 8px; left: 50%; transform: translateX(-50%);
  max-width: 80%; padding: 6px 10px; background: #fff; border: 1px solid #c45f00; border-radius: 4px;
  font: 13px/1.35 "Source Sans Pro", sans-serif; color: #161616; }
"""

#: Shared JavaScript helpers (defined once per page): pixel boxes relative to the map.
_HELPERS = """
if (!window.tzcldMap) {
  window.tzcldMap = {
    box: function (map, el) {
      var r = el.getBoundingClientRect(), c = map.getContainer().getBoundingClientRect();
      return {l: r.left - c.left, t: r.top - c.top, r: r.right - c.left, b: r.bottom - c.top};
    },
    hits: function (a, b) { return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; },
    controls: function (map) {
      var els = map.getContainer().querySelectorAll('.leaflet-control');
      var out = [];
      for (var i = 0; i < els.length; i++) {
        if (els[i].offsetWidth && els[i].offsetHeight) { out.push(els[i]); }
      }
      return out;
    }
  };
}
"""


def add_map_styles(root: Element) -> None:
    """Put :data:`MAP_CSS` (once) in the page of a map (``fmap.get_root()``, a
    :class:`branca.element.Figure`: it has a ``header``)."""
    assert isinstance(root, Figure), root
    root.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="tzcld_map_styles")


class _Snippet(MacroElement):
    """A piece of Leaflet JavaScript attached to the map (legend control, credit line...)."""

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
    """An HTML legend as a Leaflet control (bottom-left: over Wallonia that corner is France,
    empty); ``html`` holds its markup. A legend written as ``<details open>`` starts folded
    on maps narrower than ``fold_below`` pixels."""

    def __init__(self, legend_html: str, position: str = "bottomleft", fold_below: int = NARROW_MAP_PX) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html
        self.position = position
        self.fold_below = fold_below

    def js(self, map_name: str) -> str:
        var = self.get_name()
        return (
            f"var {var} = L.control({{position: {json.dumps(self.position)}}});\n"
            f"{var}.onAdd = function (map) {{\n"
            f"  var div = L.DomUtil.create('div', 'tzcld-legend');\n"
            f"  div.innerHTML = {json.dumps(self.html)};\n"
            f"  var details = div.querySelector('details');\n"
            f"  if (details && map.getSize().x < {int(self.fold_below)}) {{ details.open = false; }}\n"
            f"  L.DomEvent.disableClickPropagation(div);\n"
            f"  L.DomEvent.disableScrollPropagation(div);\n"
            f"  return div;\n"
            f"}};\n"
            f"{var}.addTo({map_name});"
        )


class Attribution(_Snippet):
    """The producers' credit in the map's attribution line: one attribution per producer
    (``parts``, HTML), so that Leaflet shows each once even when a tile layer carries the
    same text; the "Leaflet" prefix only on maps at least ``prefix_from`` pixels wide."""

    def __init__(self, parts: Sequence[str], prefix_from: int = NARROW_MAP_PX) -> None:
        super().__init__()
        self._name = "Attribution"
        self.parts = list(parts)
        self.prefix_from = prefix_from

    @property
    def text(self) -> str:
        """The parts as Leaflet shows them."""
        return ", ".join(self.parts)

    def js(self, map_name: str) -> str:
        return (
            "(function (map) {\n"
            "  var control = map.attributionControl;\n"
            "  if (!control) { return; }\n"
            f"  {json.dumps(self.parts)}.forEach(function (part) {{ control.addAttribution(part); }});\n"
            "  function prefix() {\n"
            f"    control.setPrefix(map.getSize().x >= {int(self.prefix_from)} ? {json.dumps(LEAFLET_PREFIX)} : false);\n"
            "  }\n"
            "  prefix();\n"
            "  map.on('resize', prefix);\n"
            f"}})({map_name});"
        )


class ScaleBar(_Snippet):
    """A metric scale bar, bottom left (below the legend)."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "ScaleBar"

    def js(self, map_name: str) -> str:
        return f"L.control.scale({{position: 'bottomleft', imperial: false, maxWidth: 100}}).addTo({map_name});"


@dataclass(frozen=True)
class Marker:
    """A numbered marker: ``number`` shown, ``label`` on hover (plain text), ``colour`` of
    its ring, placed at ``lat``/``lon`` (degrees, WGS84) or moved apart from the others."""

    number: int
    label: str
    colour: str
    lat: float
    lon: float


#: Candidate offsets of a marker from its anchor (pixels): the anchor, then rings around it.
_OFFSETS_JS = """
var offsets = [[0, 0]];
[22, 32, 44, 58, 74, 92].forEach(function (r) {
  for (var k = 0; k < 12; k++) {
    var a = (k * 30 - 60) * Math.PI / 180;
    offsets.push([Math.round(r * Math.cos(a)), Math.round(r * Math.sin(a))]);
  }
});
"""


class NumberedMarkers(_Snippet):
    """Numbered markers (see :class:`Marker`), moved apart when they would overlap each other
    or a control, each moved one with a leader line to its anchor; hidden from zoom
    ``hidden_from_zoom``. The markers are ``aria-hidden``: the list beside the map says the
    same to screen readers."""

    def __init__(self, markers: Sequence[Marker], hidden_from_zoom: int = MARKERS_HIDDEN_FROM_ZOOM) -> None:
        super().__init__()
        self._name = "NumberedMarkers"
        self.markers = list(markers)
        self.hidden_from_zoom = hidden_from_zoom

    def js(self, map_name: str) -> str:
        data = json.dumps([asdict(m) for m in self.markers], ensure_ascii=False)
        return (
            _HELPERS
            + "(function (map) {\n"
            + f"  var items = {data};\n"
            + _OFFSETS_JS
            + "  var small = map.getSize().x < 500, R = small ? 9 : 11;\n"
            "  var markers = L.layerGroup(), lines = L.layerGroup();\n"
            "  items.forEach(function (it) {\n"
            "    var html = '<span aria-hidden=\"true\">' + it.number + '</span>';\n"
            "    var icon = L.divIcon({className: small ? 'tzcld-num tzcld-num-small' : 'tzcld-num', html: html, iconSize: [2 * R, 2 * R], iconAnchor: [R, R]});\n"
            "    var tip = document.createElement('span');\n"
            "    tip.textContent = it.number + ' · ' + it.label;\n"
            "    it.marker = L.marker([it.lat, it.lon], {icon: icon, keyboard: false, riseOnHover: true})\n"
            "      .bindTooltip(tip, {direction: 'top', offset: [0, -R], className: 'tzcld-tip'});\n"
            "    it.marker.on('add', function () {\n"
            "      var el = it.marker.getElement();\n"
            "      if (el) { el.style.borderColor = it.colour; el.setAttribute('aria-hidden', 'true');\n"
            "                el.setAttribute('data-number', String(it.number)); }\n"
            "    });\n"
            "    markers.addLayer(it.marker);\n"
            "  });\n"
            "  function place() {\n"
            "    lines.clearLayers();\n"
            f"    if (map.getZoom() >= {int(self.hidden_from_zoom)}) {{\n"
            "      map.removeLayer(markers); map.removeLayer(lines); return;\n"
            "    }\n"
            "    if (!map.hasLayer(markers)) { markers.addTo(map); lines.addTo(map); }\n"
            "    var size = map.getSize(), placed = [];\n"
            "    var obstacles = tzcldMap.controls(map).map(function (el) { return tzcldMap.box(map, el); });\n"
            "    var order = items.map(function (it) {\n"
            "      return {it: it, a: map.latLngToContainerPoint([it.lat, it.lon])};\n"
            "    }).sort(function (p, q) { return p.a.y - q.a.y || p.a.x - q.a.x; });\n"
            "    order.forEach(function (p) {\n"
            "      var best = null;\n"
            "      for (var k = 0; k < offsets.length && !best; k++) {\n"
            "        var x = p.a.x + offsets[k][0], y = p.a.y + offsets[k][1];\n"
            "        var b = {l: x - R - 1, t: y - R - 1, r: x + R + 1, b: y + R + 1};\n"
            "        if (b.l < 2 || b.t < 2 || b.r > size.x - 2 || b.b > size.y - 2) { continue; }\n"
            "        if (placed.some(function (o) { return tzcldMap.hits(o, b); })) { continue; }\n"
            "        if (obstacles.some(function (o) { return tzcldMap.hits(o, b); })) { continue; }\n"
            "        best = {x: x, y: y, box: b, moved: k > 0};\n"
            "      }\n"
            "      if (!best) { best = {x: p.a.x, y: p.a.y, moved: false,\n"
            "                           box: {l: p.a.x - R, t: p.a.y - R, r: p.a.x + R, b: p.a.y + R}}; }\n"
            "      placed.push(best.box);\n"
            "      var at = map.containerPointToLatLng([best.x, best.y]);\n"
            "      p.it.marker.setLatLng(at);\n"
            "      if (best.moved) {\n"
            "        L.polyline([[p.it.lat, p.it.lon], at], {color: '#1e1e1e', weight: 1, opacity: 0.85,\n"
            "                   interactive: false}).addTo(lines);\n"
            "      }\n"
            "    });\n"
            "  }\n"
            "  map.on('zoomend moveend resize tzcld:framed', place);\n"
            "  map.whenReady(place);\n"
            f"}})({map_name});"
        )


class FrameLayers(_Snippet):
    """Fit the map to ``bounds`` (``[[south, west], [north, east]]``, degrees) with every
    feature of the layers named ``layer_names`` (folium variable names) clear of the map's
    controls: an open legend over a feature is folded, otherwise the padding on that side
    grows. ``only`` (``(property, value)``) keeps the features whose property has that value
    (the selected territory). Refitted on resize until the visitor pans or zooms."""

    def __init__(
        self,
        bounds: Sequence[Sequence[float]],
        layer_names: Sequence[str],
        max_zoom: float = 13,
        only: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._name = "FrameLayers"
        self.bounds = [[round(float(v), 6) for v in corner] for corner in bounds]
        self.layer_names = list(layer_names)
        self.max_zoom = max_zoom
        self.only = list(only) if only else None

    def js(self, map_name: str) -> str:
        layers = "[" + ", ".join(self.layer_names) + "]"
        return (
            _HELPERS
            + "(function (map) {\n"
            + f"  var layers = {layers}, only = {json.dumps(self.only)}, fitting = false, moved = false;\n"
            "  function shapes() {\n"
            "    var out = [];\n"
            "    layers.forEach(function (group) {\n"
            "      if (!map.hasLayer(group)) { return; }\n"
            "      group.eachLayer(function (l) {\n"
            "        if (!l.getBounds) { return; }\n"
            "        if (only && !(l.feature && l.feature.properties[only[0]] === only[1])) { return; }\n"
            "        var b = l.getBounds();\n"
            "        var p = map.latLngToContainerPoint(b.getNorthWest()), q = map.latLngToContainerPoint(b.getSouthEast());\n"
            "        out.push({l: p.x, t: p.y, r: q.x, b: q.y});\n"
            "      });\n"
            "    });\n"
            "    return out;\n"
            "  }\n"
            "  function fit() {\n"
            "    var size = map.getSize();\n"
            "    if (!size.x || !size.y) { return; }\n"
            "    var pad = {t: 6, l: 6, r: 6, b: 6 + map._controlCorners.bottomright.offsetHeight};\n"
            "    fitting = true;\n"
            "    for (var i = 0; i < 6; i++) {\n"
            f"      {map_name}.fitBounds({json.dumps(self.bounds)}, {{paddingTopLeft: [pad.l, pad.t],\n"
            f"        paddingBottomRight: [pad.r, pad.b], maxZoom: {self.max_zoom}, animate: false}});\n"
            "      var boxes = shapes(), blocked = null;\n"
            "      tzcldMap.controls(map).some(function (el) {\n"
            "        var c = tzcldMap.box(map, el);\n"
            "        if (boxes.some(function (s) { return tzcldMap.hits(s, c); })) { blocked = {el: el, box: c}; }\n"
            "        return blocked !== null;\n"
            "      });\n"
            "      if (!blocked) { break; }\n"
            "      var open = blocked.el.querySelector('details[open]');\n"
            "      if (open) { open.open = false; continue; }\n"
            "      var c = blocked.box;\n"
            "      if (c.t > size.y / 2) { pad.b = Math.max(pad.b, size.y - c.t + 4); }\n"
            "      else { pad.t = Math.max(pad.t, c.b + 4); }\n"
            "    }\n"
            "    fitting = false;\n"
            "    map.getContainer().setAttribute('data-tzcld-framed', String(i));\n"
            "    map.fire('tzcld:framed');\n"
            "  }\n"
            "  map.on('dragstart', function () { moved = true; });\n"
            "  map.on('zoomstart', function () { if (!fitting) { moved = true; } });\n"
            "  map.on('resize', function () { if (!moved) { fit(); } });\n"
            "  // The controls change size once the stylesheets have loaded (or the legend folds):\n"
            "  // refit then, as long as the visitor has not moved the map.\n"
            "  var pending = false;\n"
            "  function later() {\n"
            "    if (moved || pending) { return; }\n"
            "    pending = true;\n"
            "    window.requestAnimationFrame(function () { pending = false; if (!moved) { fit(); } });\n"
            "  }\n"
            "  if (window.ResizeObserver) {\n"
            "    var observer = new ResizeObserver(later);\n"
            "    ['topleft', 'topright', 'bottomleft', 'bottomright'].forEach(function (corner) {\n"
            "      observer.observe(map._controlCorners[corner]);\n"
            "    });\n"
            "  }\n"
            "  window.addEventListener('load', later);\n"
            "  // Layers loaded from their files (WebLayer) arrive after this script: refit then.\n"
            "  layers.forEach(function (layer) { if (layer.on) { layer.on('tzcld:loaded', later); } });\n"
            "  fit();\n"
            f"}})({map_name});"
        )


def _json(value: object) -> str:
    """``value`` as JSON safe inside a ``<script>`` element (no ``</`` sequence)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


#: Loads layer files once per page (a file drawn by two layers is fetched once): the gzip
#: copy, decompressed by the browser's ``DecompressionStream``, when the browser has it
#: (the server then only sends bytes from disk), else the plain JSON.
_LOADER_JS = """
if (!window.tzcldLayers) {
  window.tzcldLayers = (function () {
    var pending = {};
    function get(url) {
      return fetch(url, {credentials: 'same-origin'}).then(function (r) {
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
        return r;
      });
    }
    function plain(url) { return get(url).then(function (r) { return r.json(); }); }
    function packed(url) {
      return get(url).then(function (r) {
        return new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).json();
      });
    }
    var streams = typeof DecompressionStream === 'function' && typeof ReadableStream === 'function'
      && typeof ReadableStream.prototype.pipeThrough === 'function';
    return {
      load: function (url, gz) {
        if (!pending[url]) {
          pending[url] = gz && streams ? packed(gz).catch(function () { return plain(url); }) : plain(url);
        }
        return pending[url];
      }
    };
  }());
}
"""


@dataclass(frozen=True)
class Tooltip:
    """A feature's tooltip: the property ``field``, as HTML already escaped (``html``: the
    compact tooltips built by :func:`tzcld.maps.tooltip_html`) or as text (escaped in the
    browser), after an optional bold ``label``; ``options`` are Leaflet's tooltip options."""

    field: str
    label: str = ""
    html: bool = False
    options: Mapping[str, object] | None = None


class WebLayer(MacroElement):
    """A GeoJSON layer drawn from a static file that the browser fetches itself.

    ``geojson`` (a FeatureCollection, WGS84) stays on the server: with a ``url`` (and
    ``gz_url``, its gzip copy) the page carries only that address, so the features cross
    the network once per file and browser, whatever the number of page views; without
    ``url`` they are written into the page (same drawing). ``bounds`` are precomputed
    (``[[south, west], [north, east]]``).

    Styles are computed here, in Python, by ``style_function(feature)``, once per distinct
    value of the properties ``style_keys`` (status, precision, selected territory...): the
    page carries that small table, the browser looks each feature up in it. ``highlight``
    is merged on hover. ``point`` draws point features as circle markers (Leaflet options);
    ``on_each_feature`` is a JavaScript function ``(feature, layer)`` run for each feature.

    The layer fires ``tzcld:loaded`` once its features are drawn (:class:`FrameLayers`
    refits then); if its file cannot be read, the map container gets a
    ``data-tzcld-layer-error`` attribute and ``error_text`` is shown on the map. The page's
    head asks for the file early (``<link rel="preload">``), while Leaflet loads.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.preload_html() }}{% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js(this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        geojson: dict,
        bounds: Sequence[Sequence[float]],
        *,
        style_function: Callable[[dict], dict] | None = None,
        style_keys: Sequence[str] = (),
        highlight: Mapping[str, object] | None = None,
        tooltip: Tooltip | None = None,
        interactive: bool = True,
        point: Mapping[str, object] | None = None,
        on_each_feature: str | None = None,
        url: str = "",
        gz_url: str = "",
        error_text: str = "",
    ) -> None:
        super().__init__()
        self._name = "WebLayer"
        self.data = geojson
        self.bounds = [list(corner) for corner in bounds]
        self.style_function = style_function
        self.style_keys = tuple(style_keys)
        self.highlight = dict(highlight) if highlight else None
        self.tooltip = tooltip
        self.interactive = interactive
        self.point = dict(point) if point else None
        self.on_each_feature = on_each_feature
        self.url = url
        self.gz_url = gz_url
        self.error_text = error_text

    def _get_self_bounds(self) -> list[list[float | None]]:
        return [list(corner) for corner in self.bounds]

    def preload_html(self) -> str:
        """A ``<link rel="preload">`` for the file the browser will fetch (none inline).
        ``crossorigin="anonymous"``: the credentials mode of the script's ``fetch()``, so the
        browser reuses the preloaded response."""
        if not self.url:
            return ""
        import html

        return f'<link rel="preload" href="{html.escape(self.gz_url or self.url)}" as="fetch" crossorigin="anonymous">'

    def style_key(self, feature: dict) -> str:
        """The key of ``feature`` in the style table (as the browser computes it:
        ``JSON.stringify`` of the ``style_keys`` properties)."""
        props = feature.get("properties") or {}
        return _json([props.get(k) for k in self.style_keys])

    def style_of(self, feature: dict) -> dict:
        """The Leaflet path style of ``feature`` (what the browser will apply)."""
        return dict(self.style_function(feature)) if self.style_function else {}

    def style_table(self) -> dict[str, dict]:
        """Style key → style, for every feature of the layer."""
        table: dict[str, dict] = {}
        for feature in self.data.get("features", []):
            key = self.style_key(feature)
            if key not in table:
                table[key] = self.style_of(feature)
        return table

    def _first_in(self, root: Element) -> bool:
        """True when this is the map's first WebLayer (in script order): it carries the loader."""
        stack = [root]
        while stack:
            element = stack.pop()
            if isinstance(element, WebLayer):
                return element is self
            stack.extend(reversed(list(getattr(element, "_children", {}).values())))
        return True

    def js(self, map_name: str) -> str:
        from folium import Map
        from folium.utilities import get_obj_in_upper_tree

        var = self.get_name()
        fmap = get_obj_in_upper_tree(self, Map).get_name()
        table = self.style_table()
        options = [f"interactive: {_json(self.interactive)}"]
        if self.style_function is not None:
            options.append("style: styler")
        if self.point is not None:
            options.append(
                f"pointToLayer: function (f, latlng) {{ return L.circleMarker(latlng, {_json(self.point)}); }}"
            )
        each = []
        if self.on_each_feature:
            each.append(f"({self.on_each_feature})(f, l);")
        if self.highlight:
            each.append(
                "l.on({mouseover: function (e) { if (e.target.setStyle) {"
                f" e.target.setStyle({_json(self.highlight)}); }} }},"
                " mouseout: function (e) { if (e.target.setStyle) { layer.resetStyle(e.target); } }});"
            )
        if each:
            options.append("onEachFeature: function (f, l) { " + " ".join(each) + " }")
        lines = [
            *([_LOADER_JS.strip()] if self._first_in(get_obj_in_upper_tree(self, Map)) else []),
            f"var {var} = (function () {{",
            f"  var styles = {_json(table)}, keys = {_json(list(self.style_keys))};",
            f"  var fallback = {_json(next(iter(table.values()), {}))};",
            "  function styler(f) {",
            "    var p = f.properties || {};",
            "    var k = JSON.stringify(keys.map(function (n) { return p[n] === undefined ? null : p[n]; }));",
            "    return styles[k] || fallback;",
            "  }",
            f"  var layer = L.geoJson(null, {{{', '.join(options)}}});",
        ]
        if self.tooltip is not None:
            tip = self.tooltip
            label = f"<strong>{_escape(tip.label)}</strong> " if tip.label else ""
            field = _json(tip.field)
            value = f"(p[{field}] == null ? '' : String(p[{field}]))" if tip.html else f"esc(p[{field}])"
            lines += [
                "  function esc(v) {",
                "    var d = document.createElement('div'); d.textContent = v == null ? '' : String(v); return d.innerHTML;",
                "  }",
                "  layer.bindTooltip(function (l) { var p = (l.feature && l.feature.properties) || {};"
                f" return {_json(label)} + {value}; }}, {_json(dict(tip.options or {}))});",
            ]
        lines += ["  return layer;", "}());", f"{var}.addTo({map_name});"]
        done = (
            f"function (data) {{ {var}.addData(data); {var}.fire('tzcld:loaded');"
            f" {fmap}.fire('tzcld:layer', {{layer: {var}}}); }}"
        )
        if not self.url:
            lines.append(f"({done})({_json(self.data)});")
            return "\n".join(lines)
        failed = [
            f"var c = {fmap}.getContainer();",
            "c.setAttribute('data-tzcld-layer-error', String(err));",
            "if (window.console) { console.error(err); }",
        ]
        if self.error_text:
            failed.append(
                "if (!c.querySelector('.tzcld-layer-error')) {"
                " var d = L.DomUtil.create('div', 'tzcld-layer-error', c); d.setAttribute('role', 'status');"
                f" d.textContent = {_json(self.error_text)}; }}"
            )
        lines.append(
            f"tzcldLayers.load({_json(self.url)}, {_json(self.gz_url)})"
            f".then({done}, function (err) {{ {' '.join(failed)} }});"
        )
        return "\n".join(lines)


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
