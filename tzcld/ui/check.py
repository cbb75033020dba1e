"""Streamlit helpers of the address check: the published perimeters, the geocoders, the
checker, the map click.

Heavy things (the address index, the perimeter classifier) are loaded once per server
process: the classifier is that of the *published* perimeters, built once per published
version by the runtime (:attr:`tzcld.runtime.Runtime.perimeters`), so an approval on the
Périmètre page changes the answers at the next run. Addresses, dates and uploaded files
live only in the session's memory: nothing is cached by address, written to disk or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from tzcld.check import Checker
from tzcld.eligibility import Classifier
from tzcld.geocode.base import Geocoder, LazyGeocoder
from tzcld.perimeters.provider import Perimeters
from tzcld.runtime import Runtime
from tzcld.ui.runtime import runtime

__all__ = [
    "LAZY_WIDGETS",
    "LazyRegisterGeocoder",
    "Perimeters",
    "checker",
    "classifier",
    "keep_values",
    "map_click",
    "online_geocoder",
    "perimeters",
    "register_geocoder",
]

log = logging.getLogger(__name__)

#: The Vérifier page's widgets drawn only while their tab or section is open (coordinates,
#: options, criteria; the address field when another tab is open): values kept by
#: :func:`keep_values`. Not the file: an upload cannot be set through the session state (the
#: page draws the uploader while a file is there instead).
LAZY_WIDGETS = ("check_address", "check_coords", "check_as_of", "check_geocoder", "check_seeker", "check_domicile")
#: Index folders already said missing in the server log (once per process).
_told_missing: set[str] = set()


def perimeters() -> Perimeters:
    """The published perimeters (one small query per run to get their version), else the
    committed ones when the database cannot be read (retried after a minute: the runtime's
    fallback policy). A database that does not exist yet is not created: the committed
    perimeters are the published ones."""
    return runtime().perimeters.resolve()


def classifier() -> Classifier:
    """The classifier over the published perimeters (exact, EPSG:31370), once per version."""
    return perimeters().classifier


class LazyRegisterGeocoder(LazyGeocoder):
    """The offline geocoder, loaded on the first address it is asked for, not when the page
    is drawn: opening Vérifier (or checking a point) never waits for the address index
    (:class:`~tzcld.geocode.base.LazyGeocoder`, made by :meth:`_load`).

    The index itself is shared by every session of the server process, loaded once (the
    runtime's :meth:`~tzcld.runtime.Runtime.register_geocoder`); building it (first use on a
    new server) shows ``building_message`` in a spinner. If it can be neither loaded nor
    built, every address raises :class:`~tzcld.geocode.base.GeocoderUnavailable` with the
    ``check.msg.index_missing`` message (the page shows it; points still work).
    """

    def __init__(self, runtime_: Runtime, building_message: str) -> None:
        self.runtime = runtime_
        self.folder: Path = runtime_.settings.address_index
        self.building_message = building_message
        super().__init__(self._load)

    @property
    def name(self) -> str:  # said without loading the index
        from tzcld.geocode.register import RegisterGeocoder

        return RegisterGeocoder.name

    def _load(self) -> Geocoder:
        from tzcld.geocode.base import GeocoderUnavailable, IndexMissing

        try:
            if not (self.folder / "meta.json").exists():
                with st.spinner(self.building_message):
                    return self.runtime.register_geocoder()
            return self.runtime.register_geocoder()
        except IndexMissing as exc:
            # visitors read that address search is unavailable; the administrator, what to do (once)
            if str(self.folder) not in _told_missing:
                _told_missing.add(str(self.folder))
                log.error(
                    "Address index missing in %s: build it with 'python -m tzcld address-index build'.",
                    self.folder,
                )
            raise GeocoderUnavailable("check.msg.index_missing") from exc


def register_geocoder(building_message: str) -> LazyRegisterGeocoder:
    """The offline geocoder, loaded (or built, with a spinner) on the first address checked
    (see :class:`LazyRegisterGeocoder`): drawing the page costs nothing."""
    return LazyRegisterGeocoder(runtime(), building_message)


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


def keep_values(keys: Sequence[str]) -> None:
    """Keep the values of widgets a run may not draw (in a closed tab or section).

    Streamlit forgets the value of a widget not drawn during a run; giving each value back to
    its key at the start of the run keeps it (Streamlit's documented way to interrupt that
    clean-up), so a date chosen in a closed section or an address typed before switching tab is
    still there, and still used, until the visitor changes it.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
