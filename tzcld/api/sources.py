"""What the API checks against, loaded once per process and shared by every request.

- the published perimeters: the runtime's :class:`tzcld.perimeters.provider.PerimeterProvider`
  (the same as the dashboard's and the CLI's; the list of approved versions read at most once
  per second, the classifier built once per version; the committed perimeters while the
  database is down, and the answers say so);
- :class:`GeocoderProvider`: the offline address index (ICAR register), loaded in the
  background at start-up; addresses wait for it (coordinates never do).

Both are plain objects with no Streamlit: :meth:`tzcld.api.app.ApiDependencies.from_runtime`
takes them from a :class:`tzcld.runtime.Runtime`; a test passes its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tzcld.perimeters.provider import PerimeterProvider, Perimeters

__all__ = ["GeocoderProvider", "IndexLoading", "IndexUnavailable", "PerimeterProvider", "Perimeters"]

log = logging.getLogger(__name__)


class IndexLoading(RuntimeError):
    """The address index is still loading."""


class IndexUnavailable(RuntimeError):
    """There is no address index on this server (nor the raw data to build it)."""


class GeocoderProvider:
    """The offline geocoder, loaded once in a background thread (:meth:`start`).

    ``factory`` makes it (:meth:`tzcld.runtime.Runtime.register_geocoder`, which builds the
    index first when it is missing and the raw data is there; or, without a factory,
    :func:`tzcld.geocode.register.default_geocoder` of ``folder``).
    """

    def __init__(self, folder: str | Path | None = None, factory: Callable[[], Any] | None = None) -> None:
        self.folder = folder
        self._factory = factory
        self._ready = threading.Event()
        self._geocoder: Any = None  # the loaded geocoder (a RegisterGeocoder, or the factory's)
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            if self._factory is not None:
                self._geocoder = self._factory()
            elif self.folder is not None:
                from tzcld.geocode.register import default_geocoder

                self._geocoder = default_geocoder(self.folder)
        except Exception as exc:  # noqa: BLE001 - any failure: addresses unavailable, coordinates still work
            self._error = type(exc).__name__
            log.warning("Address index unavailable (%s): only coordinates can be checked.", self._error)
        finally:
            self._ready.set()

    def start(self) -> None:
        """Start loading (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load, name="tzcld-address-index", daemon=True)
                self._thread.start()

    def status(self) -> str:
        """``ready``, ``loading`` or ``unavailable`` (``not_started`` before :meth:`start`)."""
        if self._thread is None:
            return "not_started"
        if not self._ready.is_set():
            return "loading"
        return "ready" if self._geocoder is not None else "unavailable"

    def index_version(self) -> str | None:
        index = getattr(self._geocoder, "index", None)
        version = getattr(index, "version", None)
        return str(version) if version else None

    def get(self, wait_s: float = 30.0):
        """The geocoder; waits up to ``wait_s`` for the load. Raises :class:`IndexLoading`
        or :class:`IndexUnavailable`."""
        self.start()
        if not self._ready.wait(wait_s):
            raise IndexLoading()
        if self._geocoder is None:
            raise IndexUnavailable(self._error or "")
        return self._geocoder
