"""What a client may send to ``POST /v1/check``, read and checked before any work.

A JSON object with **either** ``address`` (text) **or** coordinates: ``lat`` and ``lon``
(WGS84 degrees; Lambert metres are recognised automatically, as ``check --lat --lon``
does) or, with an explicit ``crs``, ``lat``/``lon`` or ``x``/``y`` in that system (no
guessing, no swapping). Optional: ``tolerance_m`` (metres: points closer than that to a
territory boundary answer "à vérifier"; it can only widen the default margin),
``as_of`` (``YYYY-MM-DD``: the perimeters published on that date), ``lang`` (``fr`` or
``en``: the language of ``message``). Anything else is refused (a typo must not be
silently ignored).

Every problem raises :class:`tzcld.api.errors.ApiError` (422) naming the field, never
echoing its value.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from tzcld.api.errors import ApiError
from tzcld.config import LAMBERT72, LAMBERT2008, WGS84
from tzcld.coords import (
    L08_X,
    L08_Y,
    L72_X,
    L72_Y,
    CoordinateError,
    Point,
    in_wallonia,
    read_pair,
    to_lambert,
    to_wgs84,
)
from tzcld.eligibility import BOUNDARY_MARGIN_M
from tzcld.i18n import DEFAULT_LANG, LANGUAGES

#: Fields of a check request.
CHECK_FIELDS: tuple[str, ...] = ("address", "lat", "lon", "x", "y", "crs", "tolerance_m", "as_of", "lang")
#: Longest address accepted (characters).
MAX_ADDRESS_CHARS = 300
#: Largest boundary margin a client may ask for (metres).
MAX_TOLERANCE_M = 1000.0
#: Coordinate reference systems accepted in ``crs`` (EPSG codes).
CRS_CODES: dict[str, str] = {"4326": WGS84, "31370": LAMBERT72, "3812": LAMBERT2008}


@dataclass(frozen=True)
class CheckRequest:
    """A checked request: ``address`` or ``point``; ``as_of`` (``None``: today's perimeters),
    ``tolerance_m`` (``None``: the default margin), ``lang``."""

    address: str | None = None
    point: Point | None = None
    as_of: dt.date | None = None
    tolerance_m: float | None = None
    lang: str = DEFAULT_LANG


def parse_json_object(body: bytes) -> dict:
    """The JSON object of a request body (``bad_json`` otherwise)."""
    try:
        data = json.loads(body.decode("utf-8-sig")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json")
    return data


def _number(data: dict, name: str) -> float:
    value = data[name]
    if isinstance(value, bool):
        raise ApiError(422, "not_number", field=name)
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise ApiError(422, "not_number", field=name) from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ApiError(422, "not_number", field=name)
    return float(value)


def normalise_crs(value: object) -> str | None:
    """``"EPSG:31370"``, ``"31370"``, ``"urn:ogc:def:crs:EPSG::31370"``, an OGC ``…/EPSG/0/31370``
    URL or ``"CRS84"`` → the EPSG string; ``None``/blank → ``None`` (recognised automatically)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ApiError(422, "not_text", field="crs")
    text = str(value).strip()
    if text.upper().endswith("CRS84"):
        return WGS84
    match = re.search(r"(\d+)$", text)
    code = match.group(1) if match else ""
    if code not in CRS_CODES or not re.fullmatch(
        r"(?i)(epsg:+)?\d+|urn:ogc:def:crs:epsg:[\d.]*:\d+|https?://.+/epsg/\d+/\d+", text
    ):
        raise ApiError(422, "bad_crs", crs=text[:40], allowed=", ".join(f"EPSG:{c}" for c in CRS_CODES))
    return CRS_CODES[code]


def explicit_point(a: float, b: float, crs: str) -> Point:
    """A point given in a named CRS: ``(lat, lon)`` degrees for WGS84, ``(y, x)`` metres
    for Lambert (``lat`` is the northing, ``lon`` the easting). Raises :class:`CoordinateError`."""
    if a == 0 or b == 0:  # never in Belgium in any system: a missing value (as read_pair says)
        raise CoordinateError("errors.coords.zero", text=f"{a} {b}")
    if crs == WGS84:
        lat, lon = a, b
        if not (abs(lat) <= 90 and abs(lon) <= 180):
            raise CoordinateError("check.msg.coords_out_of_range", text=f"{a} {b}")
        lx, ly = to_lambert(lat, lon)
        x, y = float(lx), float(ly)
        label = "wgs84"
    else:
        y, x = a, b
        xr, yr = (L72_X, L72_Y) if crs == LAMBERT72 else (L08_X, L08_Y)
        if not (xr[0] <= x <= xr[1] and yr[0] <= y <= yr[1]):
            raise CoordinateError("check.msg.coords_out_of_range", text=f"{x} {y}")
        wlat, wlon = to_wgs84(x, y, crs)
        lat, lon = float(wlat), float(wlon)
        if crs != LAMBERT72:
            lx, ly = to_lambert(lat, lon)
            x, y = float(lx), float(ly)
        label = "lambert72" if crs == LAMBERT72 else "lambert2008"
    inside = bool(in_wallonia(np.atleast_1d(x), np.atleast_1d(y))[0])
    return Point(lat, lon, x, y, label, False, inside)


def parse_lang(value: object) -> str:
    if value is None:
        return DEFAULT_LANG
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise ApiError(422, "bad_lang", lang=str(value)[:10], allowed=", ".join(LANGUAGES))
    return value.strip().lower()


def parse_tolerance(value: object) -> float | None:
    """``tolerance_m``: ``None`` (default margin) or a number in
    [:data:`tzcld.eligibility.BOUNDARY_MARGIN_M`, :data:`MAX_TOLERANCE_M`]."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    bad = ApiError(422, "bad_tolerance", min=float(BOUNDARY_MARGIN_M), max=MAX_TOLERANCE_M)
    try:
        number = _number({"tolerance_m": value}, "tolerance_m")
    except ApiError:
        raise bad from None
    if not BOUNDARY_MARGIN_M <= number <= MAX_TOLERANCE_M:
        raise bad
    return number


def parse_as_of_field(value: object) -> dt.date | None:
    from tzcld.perimeters.published import AsOfError, parse_as_of

    if value is not None and not isinstance(value, str):
        raise ApiError(422, "not_text", field="as_of")
    try:
        return parse_as_of(value)
    except AsOfError as exc:  # the API's own wording: it never echoes what the client sent
        key = "api.error.as_of_future" if exc.key == "asof.future" else "api.error.as_of_invalid"
        raise ApiError(422, "bad_as_of", key=key, today=exc.params.get("today", "")) from None


def check_request(data: dict) -> CheckRequest:
    """Read a ``POST /v1/check`` body (see the module docstring)."""
    unknown = sorted(str(k)[:40] for k in data if k not in CHECK_FIELDS)
    if unknown:
        raise ApiError(422, "unknown_fields", fields=", ".join(unknown), allowed=", ".join(CHECK_FIELDS))
    lang = parse_lang(data.get("lang"))
    as_of = parse_as_of_field(data.get("as_of"))
    tolerance = parse_tolerance(data.get("tolerance_m"))

    def given(value: object) -> bool:  # a blank text is no value (not "an address made of spaces")
        return value is not None and not (isinstance(value, str) and not value.strip())

    present = {k for k in ("address", "lat", "lon", "x", "y") if given(data.get(k))}
    address = data.get("address")
    coords = present - {"address"}
    if "address" in present and coords:
        raise ApiError(422, "both_inputs")
    if "address" in present:
        if not isinstance(address, str):
            raise ApiError(422, "not_text", field="address")
        text = address.strip()
        if len(text) > MAX_ADDRESS_CHARS:
            raise ApiError(422, "address_too_long", length=len(text), max=MAX_ADDRESS_CHARS)
        if data.get("crs") not in (None, ""):
            raise ApiError(422, "both_inputs")
        return CheckRequest(address=text, as_of=as_of, tolerance_m=tolerance, lang=lang)
    crs = normalise_crs(data.get("crs"))
    if {"lat", "lon"} <= coords and not coords & {"x", "y"}:
        a, b = _number(data, "lat"), _number(data, "lon")
    elif {"x", "y"} <= coords and not coords & {"lat", "lon"}:
        a, b = _number(data, "y"), _number(data, "x")  # northing first, as lat
    else:
        raise ApiError(422, "need_input")
    try:
        point = read_pair(a, b) if crs is None else explicit_point(a, b, crs)
    except CoordinateError:  # never echo the numbers sent
        raise ApiError(422, "bad_coordinates") from None
    return CheckRequest(point=point, as_of=as_of, tolerance_m=tolerance, lang=lang)
