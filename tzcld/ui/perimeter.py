"""Streamlit helpers of the Périmètre page: cached catalogue, addresses, published
perimeters and store; the sector selection kept in session state; map click read-back.

Heavy things are built once per server process (``st.cache_resource``): a territory's
sector catalogue (Voronoi cells, a few seconds), the ICAR addresses of the territories'
communes (~5 s, once), the published perimeters (once per published version). The store and
the raw folder are the runtime's (:mod:`tzcld.ui.runtime`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from tzcld import maps
from tzcld.perimeters import PerimeterStore, SectorCatalogue
from tzcld.perimeters.errors import PerimeterError
from tzcld.ui.runtime import database_key, runtime

SELECTED_KEY = "perimeter_selected_{tid}"
NONCE_KEY = "perimeter_editor_nonce"


def perimeter_store() -> PerimeterStore:
    """The perimeter versions, in the ledger's database (the runtime's, created if needed:
    this page writes)."""
    return runtime().perimeter_store()


def _raw() -> str:
    return str(runtime().settings.raw_dir)


@st.cache_resource(show_spinner=False, max_entries=6)
def _catalogue(territory_id: str, raw: str) -> tuple[SectorCatalogue, bool]:
    from tzcld.perimeters import build_catalogue, committed_catalogue
    from tzcld.perimeters.sources import raw_available

    if raw_available(raw):
        try:
            return build_catalogue(territory_id, raw), True
        except PerimeterError:
            pass
    return committed_catalogue(territory_id), False


def catalogue(territory_id: str) -> tuple[SectorCatalogue, bool]:
    """``(catalogue, from raw data)``: every sector of the territory's communes when the raw
    data is available, else only the sectors of the committed perimeter."""
    return _catalogue(territory_id, _raw())


@st.cache_resource(show_spinner=False, max_entries=6)
def _sectors_layer(territory_id: str, raw: str) -> tuple[maps.LayerData, maps.LayerData]:
    from tzcld.perimeters.mapping import communes_layer, sectors_layer

    cat, _ = _catalogue(territory_id, raw)
    return sectors_layer(cat.sectors), communes_layer(cat.communes)


def sectors_layers(territory_id: str) -> tuple[maps.LayerData, maps.LayerData]:
    """The catalogue's sectors and communes serialised for the browser (once per territory)."""
    return _sectors_layer(territory_id, _raw())


@st.cache_resource(show_spinner=False, max_entries=17)
def _addresses(territory_id: str, raw: str) -> pd.DataFrame | None:
    from tzcld.perimeters.sources import territory_addresses

    try:
        return territory_addresses(territory_id, raw)
    except PerimeterError:
        return None


def addresses(territory_id: str) -> pd.DataFrame | None:
    """ICAR addresses of the territory's communes (EPSG:31370), or ``None`` if unavailable."""
    return _addresses(territory_id, _raw())


@st.cache_resource(show_spinner=False, max_entries=17)
def _streets(territory_id: str, raw: str) -> pd.DataFrame | None:
    from tzcld.perimeters.sources import territory_streets

    try:
        return territory_streets(territory_id, raw)
    except PerimeterError:
        return None


def streets(territory_id: str) -> pd.DataFrame | None:
    """Streets of the territory's communes (ICAR), or ``None`` if unavailable."""
    return _streets(territory_id, _raw())


@st.cache_resource(show_spinner=False, max_entries=17)
def _street_cells(territory_id: str, raw: str) -> dict:
    return {}


def street_cells_cache(territory_id: str) -> dict:
    """A per-territory cache of the communes' Voronoi cells per street (filled on use)."""
    return _street_cells(territory_id, _raw())


@st.cache_resource(show_spinner=False, max_entries=4)
def _published(version: str, database: str, _store: PerimeterStore) -> tuple[gpd.GeoDataFrame, str]:
    from tzcld.perimeters.published import published_perimeters

    return published_perimeters(_store)


def published() -> tuple[gpd.GeoDataFrame, str]:
    """The published perimeters (EPSG:31370) and their version, once per version."""
    from tzcld.perimeters.published import published_version

    store = perimeter_store()
    return _published(published_version(store), database_key(), store)


# ----------------------------------------------------------------- sector selection


def selection(territory_id: str, default: list[str]) -> set[str]:
    """The sectors ticked for ``territory_id`` in this session (``default`` the first time)."""
    key = SELECTED_KEY.format(tid=territory_id)
    if key not in st.session_state:
        st.session_state[key] = set(default)
    return set(st.session_state[key])


def set_selection(territory_id: str, codes: set[str], reset_editor: bool = True) -> None:
    """Replace the selection; ``reset_editor`` redraws the checkbox list from it."""
    st.session_state[SELECTED_KEY.format(tid=territory_id)] = set(codes)
    if reset_editor:
        st.session_state[NONCE_KEY] = int(st.session_state.get(NONCE_KEY, 0)) + 1


def editor_nonce() -> int:
    return int(st.session_state.get(NONCE_KEY, 0))


def map_click(fmap, key: str, height: int = 520) -> tuple[float, float] | None:
    """Render ``fmap`` (assets from the app) and return a newly clicked point ``(lat, lon)``."""
    from streamlit_folium import st_folium

    from tzcld.map_assets import localize_assets, vendor_url

    localize_assets(fmap, vendor_url(st.get_option("server.baseUrlPath") or ""))
    out = st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=["last_clicked"])
    clicked = (out or {}).get("last_clicked")
    if not clicked:
        return None
    point = (round(float(clicked["lat"]), 7), round(float(clicked["lng"]), 7))
    seen = f"{key}__seen"
    if st.session_state.get(seen) == point:
        return None
    st.session_state[seen] = point
    return point


def to_lambert(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 degrees → Lambert 72 metres (:func:`tzcld.geometry.to_lambert`)."""
    from tzcld.geometry import to_lambert as transform

    x, y = transform(lat, lon)
    return float(x), float(y)


def addresses_xy(territory_id: str) -> np.ndarray | None:
    """(n, 2) Lambert 72 positions of the territory's ICAR addresses, or ``None``."""
    df = addresses(territory_id)
    return None if df is None else df[["x", "y"]].to_numpy()
