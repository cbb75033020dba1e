"""The published perimeters of one database, for every reader at once: the pages, the CLIs,
the API, the static export (:attr:`tzcld.runtime.Runtime.perimeters`).

The list of approved versions (one small query, no geometry) tells which version is
published now or on any date; it is read at most once per ``refresh_s`` (0: at every
request, as the pages do, so that an approval is seen at the next run; the API: once a
second). The classifier of each version string is built once and kept (the last
:data:`CLASSIFIER_CACHE`). When the database does not exist yet, the committed perimeters
are the published ones (nothing is created); when it is down, the committed perimeters are
used, :attr:`Perimeters.unavailable` says why, and the database is left alone for a minute
(:class:`tzcld.fallback.DatabaseFallback`: the one policy).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tzcld.eligibility import Classifier
from tzcld.fallback import DatabaseFallback
from tzcld.perimeters.published import TerritoryVersion

if TYPE_CHECKING:
    from tzcld.perimeters.store import PerimeterStore, Version

#: Classifiers kept (one per published version string, as-of dates included).
CLASSIFIER_CACHE = 6
#: Seconds the list of approved versions is reused by the API.
REFRESH_S = 1.0
#: What the log says is used instead of a database that failed.
COMMITTED = "the committed perimeters are"


@dataclass(frozen=True)
class Perimeters:
    """The perimeters of one request: ``classifier`` (its ``data_version`` names them), the
    perimeter ``store`` (``None``: committed perimeters only), ``versions`` (territory →
    :class:`~tzcld.perimeters.published.TerritoryVersion`), ``as_of`` and, when the database
    could not be read, ``unavailable`` (the kind of error; never the URL)."""

    classifier: Classifier
    store: PerimeterStore | None = None
    versions: dict[str, TerritoryVersion] = field(default_factory=dict)
    as_of: dt.date | None = None
    unavailable: str | None = None


@dataclass(frozen=True)
class PublishedState:
    """Which perimeters are published, without building anything: ``version`` (the version
    string, as every answer's ``data_version``), the perimeter ``store`` (``None``: none yet,
    or the database is down) and ``unavailable`` (the kind of the database error)."""

    version: str
    store: PerimeterStore | None = None
    unavailable: str | None = None


class PerimeterProvider:
    """The published perimeters (see the module docstring).

    ``store``: gives the perimeter store, or ``None`` when the database does not exist yet
    (:meth:`tzcld.runtime.Runtime.perimeter_store` with ``create=False``); ``fallback``: the
    runtime's policy when the database is down; ``folder``: the committed geodata (default
    ``geodata/``); ``clock``: for the refresh delay (tests).
    """

    def __init__(
        self,
        store: Callable[[], PerimeterStore | None],
        fallback: DatabaseFallback | None = None,
        folder: Path | None = None,
        refresh_s: float = REFRESH_S,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._open_store = store
        self.fallback = fallback or DatabaseFallback()
        self.folder = folder
        self.refresh_s = refresh_s
        self.clock = clock or self.fallback.clock
        self._approved: tuple[float, PerimeterStore | None, list[Version]] | None = None
        self._cache: OrderedDict[str, tuple[Classifier, dict[str, TerritoryVersion]]] = OrderedDict()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    # ------------------------------------------------------------------ database
    def _approved_versions(self) -> tuple[PerimeterStore | None, list[Version], str | None]:
        """``(store, approved versions, unavailable)``, read at most every :attr:`refresh_s`;
        while the database is down: ``(None, [], error kind)``."""
        now = self.clock()
        cached = self._approved
        if cached is not None and now - cached[0] < self.refresh_s and self.fallback.unavailable is None:
            return cached[1], cached[2], None

        def read() -> tuple[PerimeterStore | None, list[Version]]:
            store = self._open_store()
            return store, (store.versions(status="approved") if store is not None else [])

        got, unavailable = self.fallback.attempt(read, "Perimeter versions", COMMITTED)
        if got is None:
            self._approved = None
            return None, [], unavailable
        self._approved = (now, got[0], got[1])
        return got[0], got[1], None

    def status(self) -> str:
        """``ok`` (database read), ``none`` (no database yet: committed perimeters) or ``unavailable``."""
        store, _, unavailable = self._approved_versions()
        return "unavailable" if unavailable else ("none" if store is None else "ok")

    # ------------------------------------------------------------------ perimeters
    def _version(self, approved: list[Version], as_of: dt.date | None) -> str:
        from tzcld.geodata.layers import data_version
        from tzcld.perimeters.published import compose_version, published_ids_from

        return compose_version(data_version(self.folder), list(published_ids_from(approved, as_of).values()))

    def state(self, as_of: dt.date | None = None) -> PublishedState:
        """Which perimeters are published now (or on ``as_of``): one small query at most, no
        geometry (the maps key their layers by it)."""
        store, approved, unavailable = self._approved_versions()
        return PublishedState(self._version(approved, as_of), store, unavailable)

    def resolve(self, as_of: dt.date | None = None) -> Perimeters:
        """The perimeters published now, or on ``as_of``, with their classifier."""
        from tzcld.errors import DatabaseDamaged, DatabaseUnavailable, database_error_kind

        store, approved, unavailable = self._approved_versions()
        try:
            classifier, versions = self._classifier(self._version(approved, as_of), store, as_of)
        except Exception as exc:  # failed while reading versions' rows: committed perimeters
            from_database = database_error_kind(exc) is not None or isinstance(
                exc, DatabaseDamaged | DatabaseUnavailable
            )
            if store is None or not from_database:
                raise
            store, unavailable = None, self.fallback.failed(exc, "Perimeter versions", COMMITTED)
            self._approved = None
            classifier, versions = self._classifier(self._version([], as_of), None, as_of)
        return Perimeters(classifier, store, versions, as_of, unavailable)

    def version(self) -> str:
        """The version string published now (the committed one when the database is down)."""
        _, approved, _ = self._approved_versions()
        return self._version(approved, None)

    def _classifier(
        self, version: str, store: PerimeterStore | None, as_of: dt.date | None
    ) -> tuple[Classifier, dict[str, TerritoryVersion]]:
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
