"""What the API checks against, loaded once per process and shared by every request.

- :class:`PerimeterProvider`: the published perimeters of the configured database (the
  same as the dashboard's and the CLI's, :mod:`tzcld.perimeters.published`), now or as of
  a date. The list of approved versions is read at most once per :data:`REFRESH_S` (one
  small query, no geometry) and tells which version is published now or on any date; the
  classifier is built once per version string and kept (an approval is seen within a
  second). When
  the database cannot be read, the committed perimeters are used, the answers say so, and
  the database is tried again after :data:`RETRY_AFTER_S` seconds.
- :class:`GeocoderProvider`: the offline address index (ICAR register), loaded in the
  background at start-up; addresses wait for it (coordinates never do).

Both are plain objects with no Streamlit: a test or the future runtime object passes its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tzcld.eligibility import Classifier

log = logging.getLogger(__name__)

#: Seconds before a database that could not be read is tried again.
RETRY_AFTER_S = 60.0
#: Classifiers kept (one per published version string, as-of dates included).
CLASSIFIER_CACHE = 6
#: Seconds the list of approved versions is reused before it is read again.
REFRESH_S = 1.0


@dataclass(frozen=True)
class Perimeters:
    """The perimeters of one request: ``classifier`` (its ``data_version`` names them), the
    perimeter ``store`` (``None``: committed perimeters only), ``versions`` (territory →
    :class:`~tzcld.perimeters.published.TerritoryVersion`), ``as_of`` and, when the database
    could not be read, ``unavailable`` (the kind of error; never the URL)."""

    classifier: Classifier
    store: Any = None
    versions: dict = field(default_factory=dict)
    as_of: dt.date | None = None
    unavailable: str | None = None


class PerimeterProvider:
    """The published perimeters (see the module docstring).

    ``url``: the database (default ``TZCLD_DATABASE_URL``, else SQLite in the data folder;
    a SQLite file that does not exist is not created); ``folder``: the committed geodata
    (default ``geodata/``); ``clock``: for the retry delay (tests).
    """

    def __init__(
        self,
        url: str | None = None,
        folder: Path | None = None,
        retry_after: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
        refresh_s: float = REFRESH_S,
    ) -> None:
        self.url = url
        self.folder = folder
        self.retry_after = retry_after
        self.clock = clock
        self.refresh_s = refresh_s
        self._approved: tuple[float, Any, list] | None = None  # (read at, store, approved versions)
        self._store = None
        self._failed: tuple[float, str] | None = None
        self._cache: OrderedDict[str, tuple[Classifier, dict]] = OrderedDict()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    # ------------------------------------------------------------------ database
    def store(self):
        """The perimeter store, ``None`` when there is no database yet. Raises one of
        :data:`~tzcld.perimeters.published.DATABASE_ERRORS`."""
        from tzcld.perimeters.published import configured_store, database_missing

        with self._lock:
            if self._store is not None:
                return self._store
            if database_missing(self.url):
                return None
            self._store = configured_store(self.url)
            return self._store

    def _approved_versions(self) -> tuple[Any, list, str | None]:
        """``(store, approved versions, unavailable)``, read at most every :attr:`refresh_s`;
        while the database fails: ``(None, [], error kind)``, retried after :attr:`retry_after`."""
        from tzcld.perimeters.published import DATABASE_ERRORS

        now = self.clock()
        failed = self._failed
        if failed is not None and now - failed[0] < self.retry_after:
            return None, [], failed[1]
        cached = self._approved
        if cached is not None and now - cached[0] < self.refresh_s:
            return cached[1], cached[2], None
        try:
            store = self.store()
            approved = store.versions(status="approved") if store is not None else []
        except DATABASE_ERRORS as exc:
            kind = type(exc).__name__
            self._failed, self._approved = (now, kind), None
            with self._lock:
                self._store = None
            log.warning(
                "Perimeter versions unavailable (%s): committed perimeters used for %.0f s.", kind, self.retry_after
            )
            return None, [], kind
        self._failed = None
        self._approved = (now, store, approved)
        return store, approved, None

    def status(self) -> str:
        """``ok`` (database read), ``none`` (no database yet: committed perimeters) or ``unavailable``."""
        store, _, unavailable = self._approved_versions()
        return "unavailable" if unavailable else ("none" if store is None else "ok")

    # ------------------------------------------------------------------ perimeters
    def _version(self, approved: list, as_of: dt.date | None) -> str:
        from tzcld.geodata.layers import data_version
        from tzcld.perimeters.published import compose_version, published_ids_from

        return compose_version(data_version(self.folder), list(published_ids_from(approved, as_of).values()))

    def resolve(self, as_of: dt.date | None = None) -> Perimeters:
        """The perimeters published now, or on ``as_of``."""
        from tzcld.perimeters.published import DATABASE_ERRORS

        store, approved, unavailable = self._approved_versions()
        try:
            classifier, versions = self._classifier(self._version(approved, as_of), store, as_of)
        except DATABASE_ERRORS as exc:  # failed while building: committed perimeters
            self._failed, self._approved = (self.clock(), type(exc).__name__), None
            store, unavailable = None, type(exc).__name__
            classifier, versions = self._classifier(self._version([], as_of), None, as_of)
        return Perimeters(classifier, store, versions, as_of, unavailable)

    def version(self) -> str:
        """The version string published now (committed one when the database is down)."""
        _, approved, _ = self._approved_versions()
        return self._version(approved, None)

    def _classifier(self, version: str, store, as_of: dt.date | None) -> tuple[Classifier, dict]:
        with self._lock:
            hit = self._cache.get(version)
            if hit is not None:
                self._cache.move_to_end(version)
                return hit
        with self._build_lock:  # one build at a time; a concurrent request for it waits
            with self._lock:
                hit = self._cache.get(version)
            if hit is None:
                from tzcld.perimeters.published import published_classifier, territory_versions

                classifier = published_classifier(store, self.folder, on=as_of)
                versions = territory_versions(store, self.folder, on=as_of)
                hit = (classifier, versions)
                with self._lock:
                    self._cache[version] = hit
                    while len(self._cache) > CLASSIFIER_CACHE:
                        self._cache.popitem(last=False)
            return hit

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.engine.dispose()
                self._store = None


class IndexLoading(RuntimeError):
    """The address index is still loading."""


class IndexUnavailable(RuntimeError):
    """There is no address index on this server (nor the raw data to build it)."""


class GeocoderProvider:
    """The offline geocoder, loaded once in a background thread (:meth:`start`).

    ``factory`` makes it (default: :func:`tzcld.geocode.register.default_geocoder` of
    ``folder``, which builds the index first when it is missing and the raw data is there).
    """

    def __init__(self, folder: str | Path | None = None, factory: Callable[[], Any] | None = None) -> None:
        self.folder = folder
        self._factory = factory
        self._ready = threading.Event()
        self._geocoder = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            if self._factory is not None:
                self._geocoder = self._factory()
            else:
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
