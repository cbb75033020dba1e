"""Serve folium's browser assets from the app itself, never from a CDN.

Folium elements declare the JavaScript and CSS they need as ``default_js`` /
``default_css`` lists of ``(name, url)`` pairs pointing at CDNs (jsdelivr, cdnjs,
code.jquery.com, netdna...). streamlit-folium loads exactly these URLs inside the map's
iframe. :func:`localize_assets` rewrites them, element by element, to the copies in
``static/vendor/`` (fetched from the npm registry by ``tools/vendor_map_assets.py``),
which Streamlit serves at ``/app/static/vendor/...`` (``server.enableStaticServing``).

An element needing an asset that is not vendored raises :class:`UnvendoredAssetError`
instead of silently reaching the internet; so does a folium upgrade that asks for
another version than the vendored one.

Folium's map asks for Bootstrap, jQuery, Font Awesome, Glyphicons and Leaflet.awesome-markers
on every page (≈ 650 KB) although our maps need only Leaflet: :func:`localize_assets` keeps
each of those only when an element of the map needs it (:func:`needed_map_assets`: a
``folium.Icon`` needs the awesome-markers family, a ``folium.Popup`` jQuery...).

The same pass points the layers drawn from files (:class:`tzcld.map_controls.WebLayer`,
files written by :mod:`tzcld.map_files` into ``static/layers/``) at the app's URL, base
path included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element

from tzcld.config import STATIC_DIR

#: The URL Streamlit serves ``static/`` at (``server.enableStaticServing``).
STATIC_URL: str = "/app/static"
#: Folder of the vendored assets, and the URL Streamlit serves it at.
VENDOR_DIR: Path = STATIC_DIR / "vendor"
VENDOR_URL: str = f"{STATIC_URL}/vendor"
#: URL of the layer files (``static/layers/``, see :mod:`tzcld.map_files`).
LAYERS_URL: str = f"{STATIC_URL}/layers"


@dataclass(frozen=True)
class VendoredAsset:
    """A folium asset name, the CDN URL fragment it must carry, and its vendored file."""

    name: str
    cdn_marker: str
    path: str


#: Every asset folium 0.20's Map and default elements ask for. ``cdn_marker`` pins the
#: version: if folium starts asking for another one, localisation fails loudly.
VENDORED: tuple[VendoredAsset, ...] = (
    VendoredAsset("leaflet", "leaflet@1.9.3/dist/leaflet.js", "leaflet/1.9.3/leaflet.js"),
    VendoredAsset("jquery", "jquery-3.7.1.min.js", "jquery/3.7.1/jquery.min.js"),
    VendoredAsset(
        "bootstrap",
        "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        "bootstrap/5.2.2/js/bootstrap.bundle.min.js",
    ),
    VendoredAsset(
        "awesome_markers",
        "Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
        "leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    ),
    VendoredAsset("leaflet_css", "leaflet@1.9.3/dist/leaflet.css", "leaflet/1.9.3/leaflet.css"),
    VendoredAsset(
        "bootstrap_css",
        "bootstrap@5.2.2/dist/css/bootstrap.min.css",
        "bootstrap/5.2.2/css/bootstrap.min.css",
    ),
    VendoredAsset(
        "glyphicons_css",
        "bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "glyphicons/1.0.1/css/glyphicons.min.css",
    ),
    VendoredAsset(
        "awesome_markers_font_css",
        "fontawesome-free@6.2.0/css/all.min.css",
        "fontawesome-free/6.2.0/css/all.min.css",
    ),
    VendoredAsset(
        "awesome_markers_css",
        "Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
        "leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    ),
    VendoredAsset(
        "awesome_rotate_css",
        "leaflet.awesome.rotate.min.css",
        "folium/leaflet.awesome.rotate.css",
    ),
)
_BY_NAME: dict[str, VendoredAsset] = {a.name: a for a in VENDORED}


class UnvendoredAssetError(LookupError):
    """A map element needs a browser asset that is not in ``static/vendor/``."""


def static_url(base_url_path: str = "") -> str:
    """URL of the app's ``static/`` folder, honouring Streamlit's ``server.baseUrlPath``."""
    base = base_url_path.strip("/")
    return f"/{base}{STATIC_URL}" if base else STATIC_URL


def vendor_url(base_url_path: str = "") -> str:
    """URL prefix of the vendored assets, honouring Streamlit's ``server.baseUrlPath``."""
    return static_url(base_url_path) + VENDOR_URL[len(STATIC_URL) :]


#: Folium's map-level assets, and which kind of element needs each (the others are dropped).
_ICON_ASSETS = frozenset(
    {
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
        "glyphicons_css",
        "bootstrap_css",
    }
)
_ALWAYS = frozenset({"leaflet", "leaflet_css"})
#: Asked for by ``folium.Map`` whatever the map holds; kept only when needed.
MAP_DEFAULT_ASSETS = frozenset(name for name, _ in [*folium.Map.default_js, *folium.Map.default_css])


def needed_map_assets(fmap: folium.Map) -> frozenset[str]:
    """The names of folium's map-level assets that the elements of ``fmap`` use: Leaflet
    always; jQuery for a ``folium.Popup``, a ``GeoJson`` read by URL (``embed=False``) or
    objects kept in front; the awesome-markers family (with Bootstrap's CSS and the icon
    fonts) for a ``folium.Icon``. Bootstrap's JavaScript is used by none of folium's
    elements."""
    needed = set(_ALWAYS)
    for element in _walk(fmap):
        if isinstance(element, folium.Popup) or (isinstance(element, folium.GeoJson) and not element.embed):
            needed.add("jquery")
        if isinstance(element, folium.Icon):
            needed |= _ICON_ASSETS
    if getattr(fmap, "objects_to_stay_in_front", None):
        needed.add("jquery")
    return frozenset(needed)


def is_local_asset(url: str) -> bool:
    """True when ``url`` is served by the app itself (a path, not another host)."""
    return url.startswith("/") and not url.startswith("//")


def local_url(name: str, cdn_url: str, prefix: str = VENDOR_URL) -> str:
    """The vendored URL standing for folium's asset ``name`` at ``cdn_url``."""
    if is_local_asset(cdn_url):
        return cdn_url
    asset = _BY_NAME.get(name)
    if asset is None:
        raise UnvendoredAssetError(
            f"Map asset {name!r} ({cdn_url}) is not vendored: add it to "
            "tools/vendor_map_assets.py and tzcld.map_assets.VENDORED."
        )
    if asset.cdn_marker not in cdn_url:
        raise UnvendoredAssetError(
            f"Map asset {name!r}: folium asks for {cdn_url}, the vendored copy is "
            f"{asset.path} (expected a URL containing {asset.cdn_marker!r}); re-vendor."
        )
    return f"{prefix}/{asset.path}"


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def localize_assets(fmap: folium.Map, prefix: str = VENDOR_URL) -> folium.Map:
    """Point every JS/CSS asset of ``fmap`` and its children at the vendored copies, drop
    folium's map-level assets that no element uses (:func:`needed_map_assets`), and point
    the layers drawn from files at ``static/layers`` beside ``prefix``.

    Call it once the map is complete (elements added later keep their CDN URLs).
    Returns ``fmap`` (modified in place: per-element ``default_js``/``default_css``).
    """
    from tzcld.map_controls import WebLayer

    needed = needed_map_assets(fmap) if isinstance(fmap, folium.Map) else None
    layers = _layers_prefix(prefix)
    for element in _walk(fmap):
        if isinstance(element, WebLayer):
            element.url, element.gz_url = (_relocate(u, layers) for u in (element.url, element.gz_url))
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            if element is fmap and needed is not None:
                assets = [(name, url) for name, url in assets if name not in MAP_DEFAULT_ASSETS or name in needed]
            setattr(element, attr, [(name, local_url(name, url, prefix)) for name, url in assets])
    return fmap


def _layers_prefix(vendor_prefix: str) -> str:
    suffix = VENDOR_URL[len(STATIC_URL) :]
    root = vendor_prefix[: -len(suffix)] if vendor_prefix.endswith(suffix) else STATIC_URL
    return root + LAYERS_URL[len(STATIC_URL) :]


def _relocate(url: str, layers_prefix: str) -> str:
    """A layer file's URL under ``layers_prefix`` (files are named by :data:`LAYERS_URL`)."""
    if url.startswith(LAYERS_URL + "/"):
        return layers_prefix + url[len(LAYERS_URL) :]
    return url


def asset_urls(fmap: folium.Map) -> list[str]:
    """Every JS and CSS URL the map will load in the browser (as streamlit-folium gathers them)."""
    urls: list[str] = []
    for element in _walk(fmap):
        for attr in ("default_css", "default_js"):
            urls.extend(url for _, url in getattr(element, attr, None) or [])
    return list(dict.fromkeys(urls))


def vendored_file(url: str, prefix: str = VENDOR_URL) -> Path:
    """The file under ``static/vendor`` that a vendored ``url`` serves."""
    if not url.startswith(prefix + "/"):
        raise ValueError(f"not a vendored URL: {url}")
    return VENDOR_DIR / url[len(prefix) + 1 :]
