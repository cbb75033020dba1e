"""The maps' layers as static files: written once per content, served by Streamlit, cached.

No Streamlit here. Every layer a map draws (territories, units, context, named places),
once serialised for the browser (:class:`tzcld.maps.LayerData`, WGS84, coordinates at 5
decimals), is written into ``static/layers/`` — which Streamlit serves at
``/app/static/layers/`` (``server.enableStaticServing``) — as two files:

- ``<kind>.<hash>.json``: the GeoJSON, compact (no spaces);
- ``<kind>.<hash>.json.gz``: the same, gzip-compressed once here (level 9). Streamlit serves
  it as ``application/gzip``, as it is; the map's script decompresses it in the browser
  (``DecompressionStream``), so the server never compresses a layer again. Browsers
  without ``DecompressionStream`` read the ``.json``, which Streamlit compresses on the fly.

``<hash>`` is the start of the SHA-256 of the JSON: a file's name changes whenever its
content does (an approved perimeter version, another language, a rebuilt geodata), so a
browser or a proxy can keep a file forever and never draw stale perimeters. Files of
earlier versions are left in place (a page still open may need them); they are small and
can be deleted at any time (they are rewritten when needed).

Caching: Streamlit's static route sends no ``Cache-Control`` (nor answers conditional
requests), only ``Last-Modified``. The files are therefore dated :data:`FILE_DATE` (1
January 2000): browsers keep a response without explicit lifetime for 10 % of its age
(heuristic freshness, RFC 9111 §4.2.2), i.e. years; since the name changes with the
content, nothing stale can be served. Behind a reverse proxy, serve ``/app/static/layers/``
with ``Cache-Control: public, max-age=31536000, immutable``.

Writing is atomic (a temporary file renamed into place), so several server processes can
share the folder. When the folder cannot be written, :func:`publish_layers` raises
``OSError`` and the caller draws the layers inline (the old way).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tzcld.config import STATIC_DIR

if TYPE_CHECKING:
    from tzcld.maps import LayerData, PreparedLayers

#: Where the layer files are written (served at :data:`tzcld.map_assets.LAYERS_URL`).
LAYERS_DIR: Path = STATIC_DIR / "layers"
#: Modification date given to every layer file (seconds since the epoch: 2000-01-01 UTC).
FILE_DATE = 946_684_800
#: Hex digits of the content hash kept in a file name (64 bits: no collision in practice).
HASH_DIGITS = 16
#: The layers of :class:`tzcld.maps.PreparedLayers` written as files.
LAYER_FIELDS: tuple[str, ...] = ("territories", "units", "wallonia", "provinces", "communes", "places")


def layer_json(geojson: dict) -> bytes:
    """The bytes of a layer file: compact JSON, UTF-8 (no ASCII escapes)."""
    return json.dumps(geojson, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def file_name(kind: str, payload: bytes) -> str:
    """``<kind>.<hash>.json``: the name of the file holding ``payload``."""
    digest = hashlib.sha256(payload).hexdigest()[:HASH_DIGITS]
    return f"{kind}.{digest}.json"


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.utime(tmp, (FILE_DATE, FILE_DATE))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_layer(kind: str, geojson: dict, folder: Path | None = None) -> str:
    """Write ``geojson`` as ``<kind>.<hash>.json`` and its ``.gz`` copy into ``folder``
    (default :data:`LAYERS_DIR`, created); returns the ``.json`` file name. A file already
    there (same content, same name) is not rewritten."""
    folder = folder or LAYERS_DIR
    payload = layer_json(geojson)
    name = file_name(kind, payload)
    folder.mkdir(parents=True, exist_ok=True)
    plain, packed = folder / name, folder / f"{name}.gz"
    if not plain.is_file():
        _write_atomic(plain, payload)
    if not packed.is_file():
        _write_atomic(packed, gzip.compress(payload, compresslevel=9, mtime=0))
    return name


def publish_layers(prepared: PreparedLayers, folder: Path | None = None) -> PreparedLayers:
    """``prepared`` with each layer written as a file (:func:`write_layer`) and naming it
    (``LayerData.file``); the maps then load the layers from ``/app/static/layers/``.
    Raises ``OSError`` when the folder cannot be written."""
    changes: dict[str, LayerData] = {}
    for kind in LAYER_FIELDS:
        layer: LayerData | None = getattr(prepared, kind)
        if layer is None:
            continue
        changes[kind] = dataclasses.replace(layer, file=write_layer(kind, layer.geojson, folder))
    return dataclasses.replace(prepared, **changes)  # type: ignore[arg-type]  # LayerData fields only


def missing_files(prepared: PreparedLayers, folder: Path | None = None) -> list[str]:
    """The layer files ``prepared`` names that are not (or no longer) in ``folder``."""
    folder = folder or LAYERS_DIR
    names = [layer.file for kind in LAYER_FIELDS if (layer := getattr(prepared, kind)) is not None and layer.file]
    return [n for n in names if not (folder / n).is_file() or not (folder / f"{n}.gz").is_file()]
