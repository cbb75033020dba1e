"""Geocoding: typed addresses → points, offline on the ICAR register by default.

- :mod:`tzcld.geocode.base`: the :class:`Geocoder` protocol, :class:`GeocodeResult`, :class:`MatchQuality`
- :mod:`tzcld.geocode.normalize`: string normalisation and address parsing
- :mod:`tzcld.geocode.register`: the offline index (build, load, geocode)
- :mod:`tzcld.geocode.online`: opt-in Nominatim / Photon adapters (addresses leave the server)
"""

from tzcld.geocode.base import Candidate, Geocoder, GeocodeResult, GeocoderUnavailable, MatchQuality

__all__ = ["Candidate", "GeocodeResult", "Geocoder", "GeocoderUnavailable", "MatchQuality"]
