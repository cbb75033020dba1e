"""The public maps as AppTest sees them: the map page in its ``st.iframe``, and the layer
files it loads from ``static/layers/`` (see ``tzcld.map_files``)."""

from __future__ import annotations

import json
import re

from tzcld.map_assets import LAYERS_URL
from tzcld.map_files import LAYERS_DIR

#: ``tzcldLayers.load("<url>", "<gz url>")`` in a map page: the files the browser fetches.
_LOAD = re.compile(r'tzcldLayers\.load\("([^"]+)", "([^"]*)"\)')


def map_html(at, index: int = 0) -> str:
    """The HTML of the page's ``index``-th map (an ``st.iframe`` with the map as ``srcdoc``)."""
    frames = at.get("iframe")
    assert len(frames) > index, f"{len(frames)} map(s) on the page"
    return frames[index].proto.srcdoc


def layer_urls(html: str) -> list[str]:
    """The URLs of the layer files a map page loads (plain JSON; each has a ``.gz`` twin)."""
    found = _LOAD.findall(html)
    for url, gz in found:
        assert gz == f"{url}.gz", (url, gz)
    return [url for url, _ in found]


def page_assets(html: str) -> tuple[list[str], list[str]]:
    """(scripts and stylesheets, preloaded files) a map page asks for."""
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    preloads = re.findall(r'<link rel="preload" href="([^"]+)"', html)
    return scripts + styles, preloads


def layer_file(url: str) -> dict:
    """The GeoJSON served at ``url`` (a file of ``static/layers/``)."""
    assert url.startswith(LAYERS_URL + "/"), url
    return json.loads((LAYERS_DIR / url[len(LAYERS_URL) + 1 :]).read_text(encoding="utf-8"))


def map_text(at, index: int = 0) -> str:
    """What the map shows, as text: its page and the layer files it loads (tooltips,
    names)."""
    html = map_html(at, index)
    return html + "".join(json.dumps(layer_file(u), ensure_ascii=False) for u in layer_urls(html))
