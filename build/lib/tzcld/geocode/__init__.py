"""Geocoding: typed addresses → points, offline on the ICAR register by default.

- :mod:`tzcld.geocode.base`: the :class:`Geocoder` protocol, :class:`GeocodeResult`, :class:`MatchQuality`
- :mod:`tzcld.geocode.normalize`: string normalisation and address parsing
- :mod:`tzcld.geocode.gazetteer`: the localities people write (former communes, villages, quarters)
- :mod:`tzcld.geocode.register`: the offline index (build, load, geocode) and the matching rules
  (:func:`~tzcld.geocode.register.street_agreement`, :func:`~tzcld.geocode.register.choose_streets`,
  :func:`~tzcld.geocode.register.pick_number`), reusable by a faster first pass
- :mod:`tzcld.geocode.online`: opt-in Nominatim / Photon adapters (addresses leave the server)
"""

from tzcld.geocode.base import Candidate, Geocoder, GeocodeResult, GeocoderUnavailable, MatchQuality

__all__ = ["Candidate", "GeocodeResult", "Geocoder", "GeocoderUnavailable", "MatchQuality"]
