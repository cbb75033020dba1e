"""The geocoding interface: one :class:`Geocoder` protocol, its result types.

Every adapter (the offline register index, Nominatim, Photon) answers
``geocode(text) -> GeocodeResult``. Coordinates are given twice: WGS84 decimal degrees
(``lat``, ``lon``) and Belgian Lambert 72 metres (``x``, ``y``, EPSG:31370), the CRS of the
perimeters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from tzcld.errors import TzcldError


class MatchQuality(str, enum.Enum):
    """How well a typed address was found, from best to worst."""

    EXACT = "exact"  #: the exact address (street and house number) is in the register
    NEAREST_NUMBER = "nearest_number"  #: the street is known, the number is not: nearest number used
    STREET_ONLY = "street_only"  #: the street is known, no house number given
    COMMUNE_ONLY = "commune_only"  #: only the postcode or commune could be found
    NOT_FOUND = "not_found"  #: nothing usable

    @property
    def rank(self) -> int:
        return list(MatchQuality).index(self)


@dataclass(frozen=True)
class Candidate:
    """One plausible place among several, for "did you mean…" lists: the typed address itself
    where it exists (``quality`` :attr:`MatchQuality.EXACT`, labelled and placed as that
    address), else the street (:attr:`MatchQuality.STREET_ONLY`: the typed number is not in
    it, or none was typed; labelled without a number, placed where the street alone is)."""

    label: str
    score: float
    lat: float
    lon: float
    #: What the candidate is (``None``: not said, a geocoder that does not know).
    quality: MatchQuality | None = None
    #: Its point in EPSG:31370 metres, when the geocoder gives it.
    x: float | None = None
    y: float | None = None
    #: The address's Statbel sector, when known (an exact address).
    sector: str | None = None
    #: Register address indices it stands for (offline geocoder): the address, or every
    #: address of the street; else ``None``.
    idx: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class GeocodeResult:
    """A geocoder's answer for one typed address.

    ``spread_xy`` (EPSG:31370 metres, shape ``(n, 2)``) holds the register points the answer
    stands for when it is not a single address (all addresses of the street for
    ``STREET_ONLY``, the neighbours of a missing number for ``NEAREST_NUMBER``, the addresses
    of the commune / postcode / former commune for ``COMMUNE_ONLY``): the verdict is firm
    only when they all give the same answer. A ``COMMUNE_ONLY`` answer of the offline
    geocoder has no point (``lat``/``lon`` ``None``): a commune's centre means nothing.
    """

    query: str
    quality: MatchQuality
    #: Name similarity of the street (0–100); ``None`` when no street was matched.
    score: float | None = 0.0
    matched_address: str | None = None
    lat: float | None = None
    lon: float | None = None
    x: float | None = None
    y: float | None = None
    postcode: str | None = None
    municipality: str | None = None
    sector: str | None = None
    candidates: tuple[Candidate, ...] = ()
    ambiguous: bool = False
    nearest_number: str | None = None
    source: str = ""
    spread_xy: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: EPSG:31370 points of *every* plausible match when ``ambiguous`` (``candidates`` lists
    #: only the first few): eligibility checks that they all give the same answer.
    alternatives_xy: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: Register address indices behind ``spread_xy`` / ``alternatives_xy`` (offline
    #: geocoder only: verdicts over many addresses are then array look-ups), else ``None``.
    spread_idx: np.ndarray | None = field(default=None, compare=False, repr=False)
    alternatives_idx: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: How many plausible matches there are in all (``len(candidates)`` may be fewer).
    n_matches: int = 1
    #: Why nothing was found (``NOT_FOUND``): ``"empty"``, ``"no_street"`` (no street name
    #: in the text: a formula, a bare number, a house number and a commune) or ``"not_found"``.
    reason: str | None = None
    #: The typed evidence the match contradicts, if any: ``"postcode"`` (the street is not in
    #: the typed postcode) or ``"locality"`` (not in the typed commune / former commune /
    #: village). The answer then carries every place it may stand for (``alternatives_xy``).
    conflict: str | None = None
    #: The postcode and/or locality the text named, as recognised (``"7012 Jemappes"``).
    typed_place: str | None = None
    #: Words typed where a locality goes that name no locality of the gazetteer (the
    #: address was looked for without them).
    unknown_place: str | None = None
    #: ``NEAREST_NUMBER``: whether the typed number lies among the street's numbers (the
    #: verdict then follows its neighbours, ``spread_xy``) rather than off the street.
    number_on_street: bool = True

    @property
    def found(self) -> bool:
        """Something was recognised (an address, a street, or at least an area)."""
        return self.quality is not MatchQuality.NOT_FOUND

    @property
    def has_point(self) -> bool:
        """The answer is a point (an area-only answer is not)."""
        return self.found and self.x is not None and self.y is not None


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns typed addresses into :class:`GeocodeResult`."""

    @property
    def name(self) -> str:
        """Short name shown to users ("registre ICAR (hors ligne)", "Nominatim"...)."""
        ...

    def geocode(self, text: str) -> GeocodeResult:
        """Geocode one address; never raises on bad input (``NOT_FOUND`` instead)."""
        ...

    def geocode_many(self, texts: Sequence[str]) -> list[GeocodeResult]:
        """Geocode a batch, in order."""
        ...


class LazyGeocoder:
    """A geocoder made by ``factory()`` on the first text it is asked to look up, not before:
    a file whose cells are all coordinates never loads the address index (about 100 MB and a
    second), as a file of lat/lon columns does not. What the factory raises
    (:class:`IndexMissing`, :class:`GeocoderUnavailable`) is raised then, by that call.
    :func:`tzcld.geocode.exact.register_of` finds the register geocoder behind it."""

    def __init__(self, factory: Callable[[], Geocoder]) -> None:
        self._factory = factory
        self._made: Geocoder | None = None

    def _geocoder(self) -> Geocoder:
        if self._made is None:
            self._made = self._factory()
        return self._made

    @property
    def name(self) -> str:
        return self._geocoder().name

    def geocode(self, text: str) -> GeocodeResult:
        return self._geocoder().geocode(text)

    def geocode_many(self, texts: Sequence[str]) -> list[GeocodeResult]:
        return self._geocoder().geocode_many(texts)

    def __getattr__(self, attr: str) -> Any:  # index, source...: the made geocoder's
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self._geocoder(), attr)


class IndexMissing(TzcldError, FileNotFoundError):
    """The address index is not built and its raw inputs are not available (``check.index.*``).
    Raised by :mod:`tzcld.geocode.register` (which re-exports it); defined here so that the
    callers catching it do not import the index's code (rapidfuzz, pandas) to do so."""


class GeocoderUnavailable(TzcldError, RuntimeError):
    """A geocoder could not be used (online service unreachable, no address index): a
    catalogue key and its parameters (``check.online.*``, ``check.msg.index_missing``)."""
