"""Opt-in online geocoders (Nominatim, Photon) through geopy.

**The address leaves the server** with these adapters: they are off by default and the page
warns before use. Each call has a user agent, a rate limit (Nominatim's policy: at most one
request per second), a time-out, and turns network failures into
:class:`~tzcld.geocode.base.GeocoderUnavailable` with a clear French message.

``domain``/``scheme`` point the adapters at another server (a self-hosted Nominatim or
Photon; the tests use a small server on 127.0.0.1).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np

from tzcld.geocode.base import GeocodeResult, GeocoderUnavailable, MatchQuality
from tzcld.i18n import DEFAULT_LANG

USER_AGENT = "tzcld-wallonie-dashboard/1.0 (TerritoiR'ES public dashboard)"
#: Wallonia's frame (lon_min, lat_min, lon_max, lat_max), to bias and bound the search.
WALLONIA_VIEWBOX = (2.8, 49.45, 6.45, 50.85)


class RateLimit:
    """At most one call per ``min_interval`` seconds, across threads."""

    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last = 0.0

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._last + self.min_interval - now
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()


class _OnlineGeocoder:
    name = "online"
    service = ""

    def __init__(
        self,
        domain: str,
        scheme: str = "https",
        timeout: float = 5.0,
        min_interval: float = 1.0,
        user_agent: str = USER_AGENT,
        lang: str = DEFAULT_LANG,
    ) -> None:
        self.domain = domain
        self.scheme = scheme
        self.timeout = timeout
        self.rate = RateLimit(min_interval)
        self.user_agent = user_agent
        self.lang = lang
        self._geopy = self._make()

    def _make(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _call(self, text: str):
        from geopy.exc import GeocoderQuotaExceeded, GeocoderServiceError, GeocoderTimedOut
        from geopy.exc import GeocoderUnavailable as GeopyUnavailable

        self.rate.wait()
        try:
            return self._query(text)
        except (GeocoderTimedOut, GeopyUnavailable, OSError) as exc:
            raise GeocoderUnavailable("check.online.unreachable", service=self.service) from exc
        except (GeocoderQuotaExceeded, GeocoderServiceError) as exc:
            raise GeocoderUnavailable("check.online.error", service=self.service, detail=type(exc).__name__) from exc

    def _query(self, text: str):  # pragma: no cover - overridden
        raise NotImplementedError

    def _quality(self, raw: dict) -> MatchQuality:  # pragma: no cover - overridden
        raise NotImplementedError

    def geocode(self, text: str) -> GeocodeResult:
        """Geocode one address online (raises :class:`GeocoderUnavailable` when unreachable)."""
        query = "" if text is None else str(text)
        if not query.strip():
            return GeocodeResult(query=query, quality=MatchQuality.NOT_FOUND, source=self.service)
        loc = self._call(query)
        if loc is None:
            return GeocodeResult(query=query, quality=MatchQuality.NOT_FOUND, source=self.service)
        from tzcld.coords import to_lambert

        x, y = to_lambert(np.array([loc.latitude]), np.array([loc.longitude]))
        quality = self._quality(loc.raw or {})
        return GeocodeResult(
            query=query,
            quality=quality,
            score=100.0 if quality is MatchQuality.EXACT else 80.0,
            matched_address=loc.address,
            lat=float(loc.latitude),
            lon=float(loc.longitude),
            x=float(x[0]),
            y=float(y[0]),
            source=self.service,
        )

    def geocode_many(self, texts: Sequence[str]) -> list[GeocodeResult]:
        return [self.geocode(t_) for t_ in texts]


class NominatimGeocoder(_OnlineGeocoder):
    """OpenStreetMap Nominatim (``nominatim.openstreetmap.org`` by default)."""

    name = "Nominatim (OpenStreetMap, en ligne)"
    service = "Nominatim"

    def __init__(self, domain: str = "nominatim.openstreetmap.org", **kw) -> None:
        super().__init__(domain, **kw)

    def _make(self):
        from geopy.geocoders import Nominatim

        return Nominatim(user_agent=self.user_agent, domain=self.domain, scheme=self.scheme, timeout=self.timeout)

    def _query(self, text: str):
        return self._geopy.geocode(
            text,
            exactly_one=True,
            addressdetails=True,
            country_codes="be",
            language="fr",
            viewbox=[(WALLONIA_VIEWBOX[1], WALLONIA_VIEWBOX[0]), (WALLONIA_VIEWBOX[3], WALLONIA_VIEWBOX[2])],
        )

    def _quality(self, raw: dict) -> MatchQuality:
        address = raw.get("address") or {}
        kind = raw.get("addresstype") or raw.get("type") or ""
        if "house_number" in address or kind in ("house", "building"):
            return MatchQuality.EXACT
        if "road" in address or kind in ("road", "street", "residential"):
            return MatchQuality.STREET_ONLY
        return MatchQuality.COMMUNE_ONLY


class PhotonGeocoder(_OnlineGeocoder):
    """Komoot Photon (``photon.komoot.io`` by default)."""

    name = "Photon (OpenStreetMap, en ligne)"
    service = "Photon"

    def __init__(self, domain: str = "photon.komoot.io", **kw) -> None:
        super().__init__(domain, **kw)

    def _make(self):
        from geopy.geocoders import Photon

        return Photon(user_agent=self.user_agent, domain=self.domain, scheme=self.scheme, timeout=self.timeout)

    def _query(self, text: str):
        return self._geopy.geocode(text, exactly_one=True, language="fr", location_bias=(50.4, 4.8))

    def _quality(self, raw: dict) -> MatchQuality:
        props = raw.get("properties") or {}
        kind = props.get("type") or ""
        if props.get("housenumber") or kind == "house":
            return MatchQuality.EXACT
        if props.get("street") or kind == "street":
            return MatchQuality.STREET_ONLY
        return MatchQuality.COMMUNE_ONLY


ONLINE_GEOCODERS = {"nominatim": NominatimGeocoder, "photon": PhotonGeocoder}


def online_geocoder(
    name: str, url: str | None = None, timeout: float = 5.0, lang: str = DEFAULT_LANG, min_interval: float = 1.0
) -> _OnlineGeocoder:
    """An online adapter by name (``nominatim``/``photon``), optionally at ``url`` (``http://host:port``)."""
    cls = ONLINE_GEOCODERS[name]
    kw: dict = {"timeout": timeout, "lang": lang, "min_interval": min_interval}
    if url:
        scheme, _, rest = url.partition("://")
        if not rest:
            scheme, rest = "https", url
        kw.update(domain=rest.rstrip("/"), scheme=scheme)
    return cls(**kw)
