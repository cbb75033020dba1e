"""Streamlit helpers of the address check: the published perimeters, the geocoders, the
checker, the map click.

Heavy things (the address index, the perimeter classifier) are loaded once per server
process: the classifier is that of the *published* perimeters, built once per published
version by the runtime (:attr:`tzcld.runtime.Runtime.perimeters`), so an approval on the
Périmètre page changes the answers at the next run. Addresses, dates and uploaded files
live only in the session's memory: nothing is cached by address, written to disk or logged.
"""

from __future__ import annotations

import streamlit as st

from tzcld.check import Checker
from tzcld.eligibility import Classifier
from tzcld.geocode.base import Geocoder
from tzcld.perimeters.provider import Perimeters
from tzcld.ui.runtime import runtime

__all__ = ["Perimeters", "checker", "classifier", "map_click", "online_geocoder", "perimeters", "register_geocoder"]


def perimeters() -> Perimeters:
    """The published perimeters (one small query per run to get their version), else the
    committed ones when the database cannot be read (retried after a minute: the runtime's
    fallback policy). A database that does not exist yet is not created: the committed
    perimeters are the published ones."""
    return runtime().perimeters.resolve()


def classifier() -> Classifier:
    """The classifier over the published perimeters (exact, EPSG:31370), once per version."""
    return perimeters().classifier


def register_geocoder(building_message: str) -> Geocoder | None:
    """The offline geocoder (index built on first use, with a spinner), or ``None`` if impossible."""
    from tzcld.geocode.register import IndexMissing

    rt = runtime()
    try:
        if not (rt.settings.address_index / "meta.json").exists():
            with st.spinner(building_message):
                return rt.register_geocoder()
        return rt.register_geocoder()
    except IndexMissing:
        return None


@st.cache_resource(show_spinner=False)
def _online_geocoder(name: str, lang: str, url: str | None) -> Geocoder:
    from tzcld.geocode.online import online_geocoder as make

    return make(name, url, lang=lang)


def online_geocoder(name: str, lang: str) -> Geocoder:
    """An opt-in online geocoder (the page warns that the address leaves the server)."""
    return _online_geocoder(name, lang, runtime().settings.geocoder_url)


def checker(lang: str, geocoder: Geocoder | None, classifier_: Classifier | None = None) -> Checker:
    """A checker for this run (cheap: the heavy parts are cached)."""
    return Checker(classifier_ or classifier(), geocoder, lang)


def map_click(fmap, key: str, height: int = 480) -> tuple[float, float] | None:
    """Render ``fmap`` and return the last clicked point ``(lat, lon)`` when it is new."""
    from streamlit_folium import st_folium

    from tzcld.map_assets import localize_assets, vendor_url

    localize_assets(fmap, vendor_url(st.get_option("server.baseUrlPath") or ""))
    out = st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=["last_clicked"])
    clicked = (out or {}).get("last_clicked")
    if not clicked:
        return None
    point = (round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6))
    seen_key = f"{key}__seen"
    if st.session_state.get(seen_key) == point:
        return None
    st.session_state[seen_key] = point
    return point
