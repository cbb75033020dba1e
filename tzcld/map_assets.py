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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element

from tzcld.config import STATIC_DIR

#: Folder of the vendored assets, and the URL Streamlit serves it at.
VENDOR_DIR: Path = STATIC_DIR / "vendor"
VENDOR_URL: str = "/app/static/vendor"


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


def vendor_url(base_url_path: str = "") -> str:
    """URL prefix of the vendored assets, honouring Streamlit's ``server.baseUrlPath``."""
    base = base_url_path.strip("/")
    return f"/{base}{VENDOR_URL}" if base else VENDOR_URL


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
    """Point every JS/CSS asset of ``fmap`` and its children at the vendored copies.

    Call it once the map is complete (elements added later keep their CDN URLs).
    Returns ``fmap`` (modified in place: per-element ``default_js``/``default_css``).
    """
    for element in _walk(fmap):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            setattr(element, attr, [(name, local_url(name, url, prefix)) for name, url in assets])
    return fmap


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
