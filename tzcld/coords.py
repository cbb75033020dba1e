"""Coordinates as people type them: WGS84 degrees or Belgian Lambert, recognised automatically.

``"50.648, 5.615"``, ``"50,648 5,615"`` (French decimal commas), ``"5.615 50.648"``
(longitude first: swapped back, with a note), ``"235120 148230"`` (Lambert 72, EPSG:31370,
metres) and Lambert 2008 (EPSG:3812, metres) are all read; so are degrees written with their
signs, as maps and GPS devices show them: ``50°38'52.8"N 5°36'54"E`` (degrees, minutes,
seconds), ``50°38.88' N``, ``N 50.648 E 5.615``, ``50.648° 5.615°`` (:func:`read_degrees`; S,
W or O(uest) count negative). Points outside Wallonia are flagged. Pure functions; vectorised
helpers for batches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tzcld.config import LAMBERT72, LAMBERT2008
from tzcld.errors import TzcldError
from tzcld.geometry import to_lambert, to_wgs84

#: Rough WGS84 frame of Belgium (degrees), used to tell latitude from longitude.
LAT_RANGE = (49.40, 51.60)
LON_RANGE = (2.40, 6.50)
#: Lambert 72 frame of Belgium (metres).
L72_X = (15_000.0, 300_000.0)
L72_Y = (15_000.0, 250_000.0)
#: Lambert 2008 frame of Belgium (metres).
L08_X = (515_000.0, 800_000.0)
L08_Y = (515_000.0, 750_000.0)
#: Wallonia's outline is buffered by this much (metres) before testing "in Wallonia".
WALLONIA_TOLERANCE_M = 300.0


class CoordinateError(TzcldError, ValueError):
    """Text that cannot be read as a pair of coordinates; ``key`` is a ``check.`` message key."""


@dataclass(frozen=True)
class Point:
    """A point read from user input, in both CRSs.

    ``lat``/``lon`` WGS84 degrees; ``x``/``y`` Lambert 72 metres (EPSG:31370).
    ``crs`` is what the input was recognised as (``wgs84``/``lambert72``/``lambert2008``);
    ``swapped`` says the two values were given in the other order and were swapped back.
    """

    lat: float
    lon: float
    x: float
    y: float
    crs: str
    swapped: bool = False
    in_wallonia: bool = True


@lru_cache(maxsize=1)
def _wallonia():
    """Wallonia's outline in Lambert 72, buffered, prepared (or ``None`` if not built).

    Read without geopandas (the file check's start-up): the same coordinates as
    ``read_context("wallonia").to_crs(LAMBERT72).geometry.union_all()`` (the same pyproj
    transformation, point by point), hence the same outline."""
    import shapely

    try:
        from tzcld.geodata.layers import read_context_geometries

        wgs = np.array(read_context_geometries("wallonia"), dtype=object)
        lambert = shapely.transform(wgs, lambda lonlat: np.column_stack(to_lambert(lonlat[:, 1], lonlat[:, 0])))
        geom = shapely.union_all(lambert)
    except Exception:  # noqa: BLE001 - geodata not built or unreadable: fall back on the frame test
        return None
    geom = shapely.buffer(geom, WALLONIA_TOLERANCE_M)
    shapely.prepare(geom)
    return geom


#: The frame of Wallonia (Lambert 72 metres) tested by :func:`in_wallonia`: nothing outside is in.
_FRAME = (40_000.0, 15_000.0, 300_000.0, 175_000.0)
#: The side of the cells of the grid of :func:`_wallonia_grid` (metres).
_CELL_M = 2_500.0
#: The cells of the grid are tested a little larger than they are (metres): a point rounded
#: into a neighbouring cell is still in the box that was tested.
_CELL_MARGIN_M = 1.0


def in_wallonia(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether Lambert 72 points lie in Wallonia (outline buffered by a few hundred metres).

    The points of a grid cell wholly inside the outline (or wholly off it) are answered by their
    cell (:func:`_wallonia_grid`); only those of a cell the outline crosses are tested one by one:
    the same answers as testing every point."""
    import shapely

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    geom = _wallonia()
    x0, y0, x1, y1 = _FRAME
    frame = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    if geom is None:
        return frame
    state, size = _wallonia_grid(geom)
    with np.errstate(invalid="ignore"):
        i = np.where(frame, (x - x0) // size, 0).astype(np.intp)
        j = np.where(frame, (y - y0) // size, 0).astype(np.intp)
    np.clip(i, 0, state.shape[0] - 1, out=i)
    np.clip(j, 0, state.shape[1] - 1, out=j)
    cell = np.where(frame, state[i, j], _OFF)
    out = cell == _IN
    idx = np.flatnonzero(cell == _CROSSED)
    if len(idx):
        out[idx] = shapely.contains_xy(geom, x[idx], y[idx])
    return out


_OFF, _IN, _CROSSED = 0, 1, 2
_GRIDS: dict[int, tuple[object, np.ndarray, float]] = {}


def _wallonia_grid(geom) -> tuple[np.ndarray, float]:
    """The cells of :data:`_FRAME` (:data:`_CELL_M` a side) as ``_CROSSED`` (the outline's
    boundary touches the cell, a margin around included), else ``_IN`` or ``_OFF`` as their
    centre (a cell the boundary does not touch is wholly inside or wholly off); built once per
    outline."""
    import shapely

    known = _GRIDS.get(id(geom))
    if known is not None and known[0] is geom:
        return known[1], known[2]
    x0, y0, x1, y1 = _FRAME
    size, m = _CELL_M, _CELL_MARGIN_M
    nx, ny = int(np.ceil((x1 - x0) / size)), int(np.ceil((y1 - y0) / size))
    ci, cj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    xs, ys = x0 + ci.ravel() * size, y0 + cj.ravel() * size
    edge = shapely.boundary(geom)
    shapely.prepare(edge)
    crossed = shapely.intersects(edge, shapely.box(xs - m, ys - m, xs + size + m, ys + size + m))
    state = np.full(len(xs), _CROSSED, np.uint8)
    clear = np.flatnonzero(~crossed)
    state[clear] = np.where(shapely.contains_xy(geom, xs[clear] + size / 2, ys[clear] + size / 2), _IN, _OFF)
    _GRIDS.clear()
    _GRIDS[id(geom)] = (geom, state.reshape(nx, ny), size)
    return _GRIDS[id(geom)][1], size


_NUMBER_DOT = re.compile(r"-?\d+(?:\.\d+)?")
_NUMBER_COMMA = re.compile(r"-?\d+(?:,\d+)?")

_HEMISPHERE = r"[NSEWO](?![A-Za-z])"


def _degrees_pattern(name: str = "", before: bool = True, after: bool = True) -> str:
    """One coordinate in degrees as written by maps, GPS devices and people: a hemisphere
    letter before (``before``) or after (``after``), a sign, degrees, then optionally minutes
    and seconds, each with its mark (decimal point or comma); groups named ``name + …``."""
    h1 = rf"(?P<{name}h1>{_HEMISPHERE})?\s*" if before else rf"(?P<{name}h1>(?!))?"
    h2 = rf"(?P<{name}h2>{_HEMISPHERE})?" if after else rf"(?P<{name}h2>(?!))?"
    return (
        rf"{h1}(?P<{name}sign>[+-])?\s*(?P<{name}d>[0-9]+(?:[.,][0-9]+)?)\s*(?P<{name}dmark>[°º˚])?\s*"
        rf"(?:(?P<{name}m>[0-9]+(?:[.,][0-9]+)?)\s*['′’]\s*"
        rf"(?:(?P<{name}s>[0-9]+(?:[.,][0-9]+)?)\s*(?:\"|″|”|''|’’|′′)\s*)?)?{h2}"
    )


@lru_cache(maxsize=1)
def _degree_patterns() -> tuple[re.Pattern, list[re.Pattern]]:
    """One coordinate; two coordinates (hemisphere letters before both, after both, or
    anywhere). Compiled when first needed (a file of plain numbers never needs them)."""
    pairs = [
        re.compile(
            rf"\s*{_degrees_pattern('a_', before, after)}\s*[,;/]?\s*{_degrees_pattern('b_', before, after)}\s*",
            re.IGNORECASE,
        )
        for before, after in ((True, False), (False, True), (True, True))
    ]
    return re.compile(rf"\s*{_degrees_pattern()}\s*", re.IGNORECASE), pairs


#: The words people put before a coordinate (``lat: 50.648 lon: 5.615``).
_LABELS = re.compile(r"(?i)\b(lat|lon|lng|latitude|longitude)\b\s*[:=]?")
#: A mark that only degrees carry: a degree, minute or second sign, or a hemisphere letter.
_DEGREE_SIGNS = re.compile(rf"[°º˚'′’\"″”]|(?<![A-Za-z]){_HEMISPHERE}", re.IGNORECASE)


def _degrees(match: re.Match, prefix: str = "") -> float | None:
    """The degrees of a match of :func:`_degrees_pattern` (``None`` when it is not a coordinate: two
    hemisphere letters, minutes or seconds of 60 or more, minutes after fractional degrees)."""
    g = {k: match.group(prefix + k) for k in ("h1", "sign", "d", "dmark", "m", "s", "h2")}
    if g["h1"] and g["h2"]:
        return None
    degrees = float(g["d"].replace(",", "."))
    if g["m"] is not None:
        minutes = float(g["m"].replace(",", "."))
        seconds = float(g["s"].replace(",", ".")) if g["s"] is not None else 0.0
        if not g["dmark"] or not g["d"].isdigit() or minutes >= 60 or seconds >= 60:
            return None
        if g["s"] is not None and not g["m"].isdigit():
            return None
        degrees += minutes / 60 + seconds / 3600
    hemisphere = (g["h1"] or g["h2"] or "").upper()
    return -degrees if g["sign"] == "-" or hemisphere in ("S", "W", "O") else degrees


def read_degrees(text: object) -> float:
    """One coordinate written with the signs of degrees (``50°38'52.8"N``, ``50°38.88'``,
    ``N 50.648``, ``50,648°``, ``5.615 E``) or plainly (``50.648``) → decimal degrees; NaN for
    anything else. S, W and O (ouest) are negative."""
    match = _degree_patterns()[0].fullmatch(str(text))
    value = _degrees(match) if match else None
    return float("nan") if value is None else value


def _degrees_pair(text: str) -> tuple[float, float] | None:
    """Two coordinates written with the signs of degrees, each with one at least
    (``50°38'52"N 5°36'54"E``, ``N 50.648 E 5.615``); ``None`` for any other text."""
    for pattern in _degree_patterns()[1]:
        match = pattern.fullmatch(text)
        if not match:
            continue
        a, b = _degrees(match, "a_"), _degrees(match, "b_")
        signed = [any(match.group(f"{p}{k}") for k in ("h1", "dmark", "m", "h2")) for p in ("a_", "b_")]
        if a is not None and b is not None and all(signed):
            return a, b
    return None


_DECIMAL = r"(-?[0-9]+(?:\.[0-9]+)?)"
#: Map links that name a point (never opened: read as text): ``geo:`` URIs, Google Maps' pin
#: (``!3d<lat>!4d<lon>``) and search (``?q=<lat>,<lon>``, ``query=``, ``destination=``),
#: OpenStreetMap's marker (``mlat=…&mlon=…``).
_LINK_POINTS = [
    re.compile(rf"^geo:{_DECIMAL},{_DECIMAL}", re.IGNORECASE),
    re.compile(rf"!3d{_DECIMAL}!4d{_DECIMAL}"),
    re.compile(rf"[?&](?:q|query|destination|daddr)={_DECIMAL}(?:,|%2C)(?:\+|%20)*{_DECIMAL}", re.IGNORECASE),
    re.compile(rf"[?&]mlat={_DECIMAL}&mlon={_DECIMAL}", re.IGNORECASE),
]
#: Links whose only numbers are the map's view (Google's ``/@<lat>,<lon>,<zoom>z``,
#: OpenStreetMap's ``#map=<zoom>/<lat>/<lon>``): the centre of the screen, not a point.
_LINK_VIEW = re.compile(rf"/@{_DECIMAL},{_DECIMAL}|#map=[0-9]+/{_DECIMAL}/{_DECIMAL}", re.IGNORECASE)


def _is_link(text: str) -> bool:
    return bool(re.match(r"(?i)(https?://|geo:)\S+$", text.strip()))


def link_pair(text: str) -> tuple[float, float]:
    """The point a map link names, read from its text (the link is never opened): ``geo:`` URIs,
    Google Maps' pin or searched point, OpenStreetMap's marker. Raises
    :class:`CoordinateError` for a link of a map view only (its centre is where the screen was,
    not an address's point: a firm answer on it could be wrong) or without coordinates."""
    for pattern in _LINK_POINTS:
        match = pattern.search(text)
        if match:
            return float(match.group(1)), float(match.group(2))
    if _LINK_VIEW.search(text):
        raise CoordinateError("check.msg.link_view_only")
    raise CoordinateError("check.msg.link_without_point")


def split_pair(text: str) -> tuple[float, float]:
    """Two numbers from free text; decimal commas accepted (``"50,648 5,615"``), degrees with
    their signs too (``50°38'52"N 5°36'54"E``: :func:`read_degrees`), a map link's point
    (:func:`link_pair`)."""
    raw = str(text).strip()
    if not raw:
        raise CoordinateError("check.msg.coords_empty")
    if _is_link(raw):
        return link_pair(raw)
    labels = _LABELS.sub(" ", raw)
    if _DEGREE_SIGNS.search(labels):
        pair = _degrees_pair(labels)
        if pair is not None:
            return pair
    cleaned = re.sub(r"(?i)\b(lat|lon|lng|latitude|longitude|x|y|[nsew])\b\s*[:=]?", " ", raw).replace("°", " ")
    nums = _NUMBER_DOT.findall(cleaned) if "." in cleaned else []
    if len(nums) != 2:
        nums = [n.replace(",", ".") for n in _NUMBER_COMMA.findall(cleaned)]
    if len(nums) != 2:
        nums = _NUMBER_DOT.findall(cleaned.replace(",", " "))
    if len(nums) != 2:
        raise CoordinateError("check.msg.coords_unreadable", text=raw[:60])
    return float(nums[0]), float(nums[1])


def looks_like_coordinates(text: str) -> bool:
    """True when ``text`` is two numbers and nothing else (not an address), two coordinates
    written with the signs of degrees (``N 50.648 E 5.615``), or a link (read by
    :func:`link_pair`: a map link's point, else a message; never an address)."""
    if _is_link(str(text)):
        return True
    labels = _LABELS.sub(" ", str(text))
    if _DEGREE_SIGNS.search(labels) and _degrees_pair(labels) is not None:
        return True
    t = re.sub(r"(?i)\b(x|y)\b\s*[:=]?", " ", labels).replace("°", " ")
    return bool(re.fullmatch(r"[\s;,/]*-?\d+(?:[.,]\d+)?[\s;,/|]+-?\d+(?:[.,]\d+)?[\s;,/]*", t))


def _in(v: float, rng: tuple[float, float]) -> bool:
    return rng[0] <= v <= rng[1]


def read_pair(a: float, b: float) -> Point:
    """Recognise a pair of numbers as WGS84 (lat, lon), Lambert 72 or Lambert 2008 (x, y).

    WGS84 given as (lon, lat) is swapped back (``swapped=True``). Raises
    :class:`CoordinateError` for pairs that are no coordinates at all.
    """
    if not (np.isfinite(a) and np.isfinite(b)):
        raise CoordinateError("check.msg.coords_unreadable", text=f"{a} {b}")
    if a == 0 or b == 0:  # never in Belgium in any system: a missing value written as 0
        raise CoordinateError("errors.coords.zero", text=f"{_show(a)} {_show(b)}")
    if (abs(a) <= 90 and abs(b) <= 180) or (abs(a) <= 180 and abs(b) <= 90):
        if _in(a, LAT_RANGE) and _in(b, LON_RANGE):
            lat, lon, swapped = a, b, False
        elif _in(b, LAT_RANGE) and _in(a, LON_RANGE):
            lat, lon, swapped = b, a, True
        elif abs(a) <= 90:
            lat, lon, swapped = a, b, False
        else:
            lat, lon, swapped = b, a, True
        lx, ly = to_lambert(lat, lon)
        return Point(
            lat, lon, float(lx), float(ly), "wgs84", swapped, bool(in_wallonia(np.atleast_1d(lx), np.atleast_1d(ly))[0])
        )
    for crs, label, xr, yr in ((LAMBERT72, "lambert72", L72_X, L72_Y), (LAMBERT2008, "lambert2008", L08_X, L08_Y)):
        if (_in(a, xr) and _in(b, yr)) or (_in(b, xr) and _in(a, yr)):
            x, y, swapped = a, b, False
            if crs == LAMBERT72:
                straight = bool(in_wallonia(np.array([a]), np.array([b]))[0])
                crossed = bool(in_wallonia(np.array([b]), np.array([a]))[0])
                if not straight and crossed:
                    x, y, swapped = b, a, True
            elif not (_in(a, xr) and _in(b, yr)):
                x, y, swapped = b, a, True
            wlat, wlon = to_wgs84(x, y, crs)
            if crs != LAMBERT72:
                lx, ly = to_lambert(wlat, wlon)
                x, y = float(lx), float(ly)
            return Point(
                float(wlat),
                float(wlon),
                float(x),
                float(y),
                label,
                swapped,
                bool(in_wallonia(np.atleast_1d(x), np.atleast_1d(y))[0]),
            )
    key, params = coordinate_problem(a, b)
    raise CoordinateError(key, **params)


#: Numbers this small can only be meant as degrees (Lambert coordinates are in the thousands).
_DEGREE_LIKE = 1000.0


def _show(v: float) -> str:
    return f"{v:.10g}"


def coordinate_problem(a: float, b: float) -> tuple[str, dict[str, str]]:
    """Why a pair of numbers is no point: ``(message key, params)``.

    Not numbers → "illisibles"; degree-like numbers beyond -90…90 / -180…180 (``95 200``)
    → "hors des bornes"; others (large numbers outside the Lambert frames of Belgium) →
    "pas des coordonnées en Belgique"."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return "check.msg.coords_unreadable", {"text": f"{a} {b}"}
    if a == 0 or b == 0:
        return "errors.coords.zero", {"text": f"{_show(a)} {_show(b)}"}
    if abs(a) <= _DEGREE_LIKE and abs(b) <= _DEGREE_LIKE:
        return "errors.coords.out_of_bounds", {"text": f"{_show(a)} {_show(b)}"}
    return "check.msg.coords_out_of_range", {"text": f"{_show(a)} {_show(b)}"}


def coordinate_messages(a: np.ndarray, b: np.ndarray, lang: str = "fr") -> list[str]:
    """For rows of a file that :func:`read_columns` could not read: each row's message —
    "illisibles" when a value is no number, else "hors des bornes" (see :func:`coordinate_problem`)."""
    from tzcld.i18n import t

    out = []
    for x, y in zip(np.asarray(a, float), np.asarray(b, float), strict=True):
        key, _params = coordinate_problem(x, y)
        row_key = {
            "check.msg.coords_unreadable": "check.msg.coordinates_invalid",
            "errors.coords.zero": "errors.coords.zero_row",
        }
        out.append(t(row_key.get(key, "errors.coords.out_of_bounds_row"), lang))
    return out


def parse_point(text: str) -> Point:
    """:func:`split_pair` then :func:`read_pair`."""
    return read_pair(*split_pair(text))


#: Codes of :func:`read_columns`'s ``system`` array: the system each row was read in.
SYSTEM_WGS84, SYSTEM_LAMBERT72, SYSTEM_LAMBERT2008 = 0, 1, 2


def read_columns(
    a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`read_pair` for two numeric columns (the first presumed lat or x).

    Returns ``lat, lon, x, y, swapped, valid, system`` arrays; invalid rows have NaN
    coordinates; ``system`` is the system each row was read in (:data:`SYSTEM_WGS84`,
    :data:`SYSTEM_LAMBERT72`, :data:`SYSTEM_LAMBERT2008`; WGS84 for invalid rows), as
    :attr:`Point.crs` says for one pair. Lambert 72 / 2008 and WGS84 rows may be mixed.
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    n = len(a)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    swapped = np.zeros(n, bool)
    ok = np.isfinite(a) & np.isfinite(b) & (a != 0) & (b != 0)  # a 0 is a missing value (read_pair)
    straight = ok & (a >= LAT_RANGE[0]) & (a <= LAT_RANGE[1]) & (b >= LON_RANGE[0]) & (b <= LON_RANGE[1])
    crossed = ok & ~straight & (b >= LAT_RANGE[0]) & (b <= LAT_RANGE[1]) & (a >= LON_RANGE[0]) & (a <= LON_RANGE[1])
    other_deg = ok & ~straight & ~crossed & (np.abs(a) <= 90) & (np.abs(b) <= 180)
    deg = straight | crossed | other_deg
    lat[straight | other_deg], lon[straight | other_deg] = a[straight | other_deg], b[straight | other_deg]
    lat[crossed], lon[crossed] = b[crossed], a[crossed]
    swapped |= crossed
    if deg.any():
        x[deg], y[deg] = to_lambert(lat[deg], lon[deg])
    straight72 = ok & ~deg & (a >= L72_X[0]) & (a <= L72_X[1]) & (b >= L72_Y[0]) & (b <= L72_Y[1])
    crossed72 = ok & ~deg & (b >= L72_X[0]) & (b <= L72_X[1]) & (a >= L72_Y[0]) & (a <= L72_Y[1])
    # both orders fit Belgium's frame ("148000;235000"): the one in Wallonia wins, as in read_pair
    both = np.flatnonzero(straight72 & crossed72)
    if len(both):
        flip = ~in_wallonia(a[both], b[both]) & in_wallonia(b[both], a[both])
        straight72[both[flip]] = False
    l72 = straight72
    l72_swapped = crossed72 & ~straight72
    x[l72], y[l72] = a[l72], b[l72]
    x[l72_swapped], y[l72_swapped] = b[l72_swapped], a[l72_swapped]
    swapped |= l72_swapped
    l08 = ok & ~deg & ~l72 & ~l72_swapped & (a >= L08_X[0]) & (a <= L08_X[1]) & (b >= L08_Y[0]) & (b <= L08_Y[1])
    if l08.any():
        la, lo = to_wgs84(a[l08], b[l08], LAMBERT2008)
        lat[l08], lon[l08] = la, lo
        x[l08], y[l08] = to_lambert(la, lo)
    lam = l72 | l72_swapped
    if lam.any():
        lat[lam], lon[lam] = to_wgs84(x[lam], y[lam])
    valid = np.isfinite(x)
    system = np.zeros(n, np.int8)
    system[lam] = SYSTEM_LAMBERT72
    system[l08] = SYSTEM_LAMBERT2008
    return lat, lon, x, y, swapped, valid, system
