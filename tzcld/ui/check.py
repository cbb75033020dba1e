"""Streamlit helpers of the address check: cached index/classifier, map click, file run.

Heavy things (the address index, the perimeter classifier) are loaded once per server
process with ``st.cache_resource``; the classifier is that of the *published* perimeters,
built once per published version (:func:`tzcld.ui.perimeter.published_classifier`), so an
approval on the Périmètre page changes the answers at the next run. Addresses, dates and
uploaded files live only in the session's memory: nothing is cached by address, written to
disk or logged.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import streamlit as st

from tzcld.check import Checker
from tzcld.eligibility import Classifier

log = logging.getLogger(__name__)
#: Index folders already said missing in the server log (once per process).
_told_missing: set[str] = set()


@dataclass(frozen=True)
class Perimeters:
    """The perimeters of this run: ``classifier`` (its ``data_version`` names them), the
    perimeter ``store`` (``None`` when the database cannot be read) and, then, ``unavailable``:
    the kind of error (the committed perimeters are used)."""

    classifier: Classifier
    store: object | None
    unavailable: str | None = None


def perimeters() -> Perimeters:
    """The published perimeters (one small query per run to get their version), else the
    committed ones when the database cannot be read (retried after a minute, see
    :func:`tzcld.ui.published.published_state`). A database that does not exist yet
    (default SQLite file) is not created: the committed perimeters are the published ones."""
    from tzcld.eligibility import default_classifier
    from tzcld.ui.published import published_state

    state = published_state()
    if state.store is None:
        return Perimeters(default_classifier(), None, state.unavailable)
    from tzcld.ui import perimeter

    return Perimeters(perimeter.published_classifier(state.version), state.store)


def classifier() -> Classifier:
    """The classifier over the published perimeters (exact, EPSG:31370), once per version."""
    return perimeters().classifier


def index_folder() -> str:
    """Where the address index lives: ``TZCLD_ADDRESS_INDEX`` or ``data_dir()/address_index``."""
    from tzcld.geocode.register import index_dir

    return os.environ.get("TZCLD_ADDRESS_INDEX") or str(index_dir())


@st.cache_resource(show_spinner=False)
def _register_geocoder(folder: str):
    from tzcld.geocode.register import default_geocoder

    return default_geocoder(folder)


class LazyRegisterGeocoder:
    """The offline geocoder, loaded on the first address it is asked for, not when the page
    is drawn: opening Vérifier (or checking a point) never waits for the address index.

    The index itself is shared by every session of the server process, loaded once
    (``st.cache_resource``); building it (first use on a new server) shows
    ``building_message`` in a spinner. If it can be neither loaded nor built, every
    address raises :class:`~tzcld.geocode.base.GeocoderUnavailable` with the
    ``check.msg.index_missing`` message (the page shows it; points still work).
    """

    def __init__(self, folder: str, building_message: str) -> None:
        self.folder = folder
        self.building_message = building_message

    @property
    def name(self) -> str:
        from tzcld.geocode.register import RegisterGeocoder

        return RegisterGeocoder.name

    def _geocoder(self):
        from tzcld.geocode.base import GeocoderUnavailable
        from tzcld.geocode.register import IndexMissing

        try:
            if not os.path.exists(os.path.join(self.folder, "meta.json")):
                with st.spinner(self.building_message):
                    return _register_geocoder(self.folder)
            return _register_geocoder(self.folder)
        except IndexMissing as exc:
            from tzcld.ui import tr

            # visitors read that address search is unavailable; the administrator, what to do (once)
            if self.folder not in _told_missing:
                _told_missing.add(self.folder)
                log.error(
                    "Address index missing in %s: build it with 'python -m tzcld address-index build'.",
                    self.folder,
                )
            raise GeocoderUnavailable(tr("check.msg.index_missing")) from exc

    def geocode(self, text: str):
        return self._geocoder().geocode(text)

    def geocode_many(self, texts):
        return self._geocoder().geocode_many(texts)

    def __getattr__(self, attr: str):  # index, source...: the loaded geocoder's
        if attr.startswith("__") or attr in ("folder", "building_message"):
            raise AttributeError(attr)
        return getattr(self._geocoder(), attr)


def register_geocoder(building_message: str) -> LazyRegisterGeocoder:
    """The offline geocoder, loaded (or built, with a spinner) on the first address checked
    (see :class:`LazyRegisterGeocoder`): drawing the page costs nothing."""
    return LazyRegisterGeocoder(index_folder(), building_message)


@st.cache_resource(show_spinner=False)
def online_geocoder(name: str, lang: str):
    """An opt-in online geocoder (the page warns that the address leaves the server)."""
    from tzcld.geocode.online import online_geocoder as make

    return make(name, os.environ.get("TZCLD_GEOCODER_URL") or None, lang=lang)


def checker(lang: str, geocoder, classifier_: Classifier | None = None) -> Checker:
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
