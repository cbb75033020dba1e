"""Cached geodata and map rendering for Streamlit pages.

Maps draw the **published** perimeters: the committed geodata, with every territory that
has an approved perimeter version (``tzcld.perimeters``) drawn with that version. The
layers are built once per published version and database (``st.cache_resource``),
serialised once per language (:func:`tzcld.maps.prepare_layers`) and written once as
static files named by their content (:mod:`tzcld.map_files`, ``static/layers/``, served at
``/app/static/layers/``): an approval gives new names, hence new URLs. A page rerun costs
one small query (the runtime's :class:`tzcld.perimeters.provider.PerimeterProvider`) to
notice an approval, then only assembles a small folium map (controls, legend, markers, the
layers' URLs) shown in an ``st.iframe``: the browser loads Leaflet (``/app/static/vendor``,
no CDN) and the layer files itself, and keeps them in its cache. When ``static/layers/``
cannot be written, the layers are drawn inline, as before.

When the database does not exist yet or cannot be read, the committed layers are drawn
(the runtime's fallback policy, :mod:`tzcld.fallback`).
"""

from __future__ import annotations

import logging

import folium
import streamlit as st

from tzcld import map_files, maps
from tzcld.map_assets import localize_assets, vendor_url
from tzcld.perimeters.store import PerimeterStore
from tzcld.territories import TERRITORY_IDS
from tzcld.ui.runtime import database_key, published

LOG = logging.getLogger(__name__)

#: URL parameters of the map pages: ``?territoire=<id>`` and ``?fond=osm|ngi|aucun``.
TERRITORY_PARAM = "territoire"
BASEMAP_PARAM = "fond"


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_layers(version: str, database: str, _store: PerimeterStore | None) -> maps.MapLayers:
    return maps.load_map_layers(store=_store)


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepared_layers(lang: str, version: str, database: str, _store: PerimeterStore | None) -> maps.PreparedLayers:
    from tzcld.geodata.layers import attribution

    return _published_files(maps.prepare_layers(_map_layers(version, database, _store), lang, credit=attribution(lang)))


def _published_files(prepared: maps.PreparedLayers) -> maps.PreparedLayers:
    """``prepared`` with its layers written as static files; unchanged (layers drawn
    inline) when ``static/layers/`` cannot be written."""
    try:
        return map_files.publish_layers(prepared)
    except OSError as exc:
        LOG.warning("Map layer files not written (%s): maps carry their layers inline.", exc)
        return prepared


@st.cache_resource(show_spinner=False, max_entries=4)
def _territories_geojson(version: str, database: str, _store: PerimeterStore | None) -> dict:
    from tzcld.perimeters.web import published_territories_geojson

    return published_territories_geojson(_store)


def map_layers() -> maps.MapLayers:
    """The published layers, built once per published version. Read-only."""
    per = published()
    return _map_layers(per.version, database_key(), per.store)


def prepared_layers(lang: str) -> maps.PreparedLayers:
    """The published layers serialised for the browser in ``lang``, once per language and
    published version: an approval, or a ``python -m tzcld geodata build``, is picked up
    without a restart.

    Raises the readers' errors (``GeodataNotBuiltError``, an ``OSError``) when the
    geodata is missing: pages show ``map.no_geodata``.
    """
    per = published()
    prepared = _prepared_layers(lang, per.version, database_key(), per.store)
    if map_files.missing_files(prepared):  # deleted by hand while the server runs: write them again
        prepared = _published_files(prepared)
    return prepared


def published_territories_geojson() -> dict:
    """The published territories as GeoJSON (WGS84), with each territory's
    ``perimeter_version``, ``perimeter_version_label``, ``perimeter_version_date`` and
    ``perimeter_source`` and the file's ``data_version``; once per published version.
    Read-only (copy before changing it). Raises the readers' errors when geodata is missing."""
    per = published()
    return _territories_geojson(per.version, database_key(), per.store)


def map_unavailable(exc: Exception) -> None:
    """Tell visitors the map is unavailable (``map.no_geodata``: no command, no detail); the
    cause, with what the administrator should run, goes to the server's log."""
    from tzcld.ui import tr

    LOG.error("Map layers unavailable: %s", exc)
    st.error(tr("map.no_geodata"))


def basemap_from_query() -> str:
    """The basemap asked for by ``?fond=`` (``osm`` by default)."""
    return maps.parse_basemap(st.query_params.get(BASEMAP_PARAM))


def territory_from_query() -> tuple[str | None, str | None]:
    """``(territory_id, invalid_value)`` from ``?territoire=``: an unknown id is returned as
    ``invalid_value`` (for a French message) and ignored."""
    value = st.query_params.get(TERRITORY_PARAM)
    if not value:
        return None, None
    value = str(value).strip().lower()
    if value in TERRITORY_IDS:
        return value, None
    return None, value


def _layers_key(prepared: maps.PreparedLayers) -> tuple[str, ...]:
    """What names a set of prepared layers: language, published version and the layers'
    file names (content hashes; empty when drawn inline)."""
    layers = (prepared.territories, prepared.units, prepared.wallonia, prepared.provinces, prepared.communes)
    return (prepared.lang, prepared.version, *(layer.file if layer is not None else "-" for layer in layers))


@st.cache_resource(show_spinner=False, max_entries=128)
def _map_html(
    kind: str, basemap: str, territory_id: str | None, base_path: str, layers_key: tuple[str, ...], _prepared
) -> str:
    if kind == "home":
        fmap = maps.home_map(_prepared, _prepared.lang, basemap)
    else:
        fmap = maps.territory_map(_prepared, _prepared.lang, basemap, territory_id)
    localize_assets(fmap, vendor_url(base_path))
    return fmap.get_root().render()


def map_html(prepared: maps.PreparedLayers, kind: str, basemap: str, territory_id: str | None = None) -> str:
    """The page of the Accueil map (``kind="home"``, :func:`tzcld.maps.home_map`) or of the
    Carte map (``"territory"``, :func:`tzcld.maps.territory_map`, whole of Wallonia or
    ``territory_id``) with ``basemap``, rendered once per layers, language, basemap and
    territory for every session (folium's rendering, a few tens of milliseconds, is not
    paid on every view). Raises ``KeyError`` for an unknown ``territory_id``."""
    base_path = st.get_option("server.baseUrlPath") or ""
    return _map_html(kind, basemap, territory_id, base_path, _layers_key(prepared), prepared)


def show_map_html(page: str, height: int = 560, title: str | None = None) -> None:
    """Show a map page from :func:`map_html` in an ``st.iframe`` (see :func:`show_map`)."""
    from tzcld.ui import tr

    st.iframe(page, height=height, alt=title or tr("map.frame_title"))


def show_map(fmap: folium.Map, key: str, height: int = 560, title: str | None = None) -> None:
    """Show ``fmap`` (nothing is sent back: panning or hovering never reruns the script).

    The map is a small HTML page in an ``st.iframe`` (its accessible name: ``title``, by
    default ``map.frame_title``): Leaflet from ``/app/static/vendor`` and only what the map
    needs of folium's assets (:func:`tzcld.map_assets.localize_assets`), the layers read
    from their static files. Unlike streamlit-folium's component, this loads no 225 KB
    component script (which Streamlit serves without a cache lifetime) before the map.
    ``key`` names the map (kept for callers; an unchanged map is not reloaded on a rerun).
    """
    from tzcld.ui import tr

    localize_assets(fmap, vendor_url(st.get_option("server.baseUrlPath") or ""))
    st.iframe(fmap.get_root().render(), height=height, alt=title or tr("map.frame_title"))


def _sync_query(param: str, widget_key: str, url_values: dict[str, str] | None = None, default: str = "") -> None:
    value = st.session_state.get(widget_key) or ""
    if url_values:
        value = url_values.get(value, value)
    if value and value != default:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]


def territory_selector(names: dict[str, str], label: str, all_label: str, key: str = "map_territory") -> str | None:
    """A select box of territories (``names``: id → display name) kept in sync with
    ``?territoire=``; returns the selected id, or None for the whole of Wallonia.

    The URL wins on the first run of a session and whenever it changes (a shared link).
    """
    from_url, _invalid = territory_from_query()
    seen_key = f"{key}__url"
    if key not in st.session_state or st.session_state.get(seen_key) != from_url:
        st.session_state[key] = from_url or ""
        st.session_state[seen_key] = from_url
    options = ["", *names]

    def on_change() -> None:
        _sync_query(TERRITORY_PARAM, key)
        st.session_state[seen_key] = st.session_state.get(key) or None

    choice = st.selectbox(
        label,
        options,
        key=key,
        on_change=on_change,
        format_func=lambda tid: names.get(tid, all_label) if tid else all_label,
    )
    return choice or None
