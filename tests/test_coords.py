"""Coordinates typed by people: WGS84 or Lambert, swapped values, outside Wallonia."""

from __future__ import annotations

import numpy as np
import pytest

from tzcld.coords import (
    SYSTEM_LAMBERT72,
    SYSTEM_WGS84,
    CoordinateError,
    looks_like_coordinates,
    parse_point,
    read_columns,
    read_degrees,
    split_pair,
    to_lambert,
    to_wgs84,
)


@pytest.mark.parametrize(
    "text", ["50.648, 5.615", "50,648 5,615", "50.648;5.615", "lat 50.648 lon 5.615", "50.648° 5.615°"]
)
def test_wgs84_forms(text):
    p = parse_point(text)
    assert (p.crs, p.swapped, p.in_wallonia) == ("wgs84", False, True)
    assert p.lat == pytest.approx(50.648) and p.lon == pytest.approx(5.615)
    assert p.x == pytest.approx(238135, abs=5) and p.y == pytest.approx(149337, abs=5)


def test_swapped_latitude_longitude_is_detected():
    p = parse_point("5.615, 50.648")
    assert p.swapped and p.lat == pytest.approx(50.648) and p.lon == pytest.approx(5.615)


def test_lambert72_and_swapped_lambert():
    p = parse_point("238135 149337")
    assert p.crs == "lambert72" and not p.swapped
    assert p.lat == pytest.approx(50.648, abs=1e-4) and p.lon == pytest.approx(5.615, abs=1e-4)
    q = parse_point("149337 238135")
    assert q.swapped and q.x == pytest.approx(238135)


def test_lambert2008():
    p = parse_point("738139 649346")  # Lambert 2008 of the same point (approx.)
    assert p.crs == "lambert2008"
    assert p.lat == pytest.approx(50.648, abs=0.01) and p.lon == pytest.approx(5.615, abs=0.01)


def test_outside_wallonia():
    assert parse_point("48.8566, 2.3522").in_wallonia is False  # Paris
    assert parse_point("50.85, 4.35").in_wallonia is False  # Brussels
    assert parse_point("51.05, 3.72").in_wallonia is False  # Ghent


@pytest.mark.parametrize(
    "text, key",
    [
        ("", "check.msg.coords_empty"),
        ("abc", "check.msg.coords_unreadable"),
        ("1 2 3", "check.msg.coords_unreadable"),
        ("5000000 5000000", "check.msg.coords_out_of_range"),
    ],
)
def test_bad_coordinates_raise_with_a_message_key(text, key):
    with pytest.raises(CoordinateError) as err:
        parse_point(text)
    assert err.value.key == key


def test_looks_like_coordinates():
    assert looks_like_coordinates("50.648, 5.615")
    assert looks_like_coordinates("235120 148230")
    assert not looks_like_coordinates("Rue de Droixhe 10, 4020 Liège")
    assert not looks_like_coordinates("4020")
    assert split_pair("x=235120 ; y=148230") == (235120.0, 148230.0)


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("50.648", 50.648),
        ("50,648", 50.648),
        ("50.648°", 50.648),
        ("N 50.648", 50.648),
        ("50.648N", 50.648),
        ("5.615 E", 5.615),
        ("5°36'54\"E", 5.615),
        ("50°38'52.8\"N", 50.648),
        ("50° 38′ 52,8″ N", 50.648),
        ("50°38.88' N", 50.648),
        ("-5.615", -5.615),
        ("5.615 W", -5.615),
        ("5.615 O", -5.615),  # ouest
        ("S 50.648", -50.648),
    ],
)
def test_degrees_as_maps_and_gps_devices_write_them(text, degrees):
    assert read_degrees(text) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize(
    "text", ["", "abc", "N", "50°70'", "50°38'60\"N", "50.5°38'", "N 50.6 S", "50 38 52", "50.6.4", "12 B"]
)
def test_what_is_no_coordinate_in_degrees_is_nan(text):
    assert np.isnan(read_degrees(text))


@pytest.mark.parametrize(
    "text",
    [
        "50°38'52.8\"N 5°36'54\"E",
        "50°38'52.8\"N, 5°36'54\"E",
        "N 50.648 E 5.615",
        "N 50.648, E 5.615",
        "50.648 N 5.615 E",
        "50.648N;5.615E",
        "50.648° 5.615°",
        "lat 50.648° lon 5.615°",
    ],
)
def test_a_pair_in_degrees_is_read_as_the_decimal_pair(text):
    """Google Maps, Wikipedia and GPS devices show degrees, minutes, seconds and hemispheres:
    read, never taken for an address (which would be "introuvable")."""
    assert looks_like_coordinates(text)
    assert split_pair(text) == pytest.approx((50.648, 5.615), abs=1e-9)
    assert parse_point(text).in_wallonia and not parse_point(text).swapped
    assert parse_point("5°36'54\"E 50°38'52.8\"N").swapped  # longitude first: put back, and said


def test_addresses_with_a_letter_are_not_taken_for_degrees():
    for address in ("Rue de la Station 1 N", "Chaussée de Namur 12 E, 5000 Namur", "Route N4 5"):
        assert not looks_like_coordinates(address)


@pytest.mark.parametrize(
    "link",
    [
        "geo:50.648,5.615",
        "https://maps.google.com/?q=50.648,5.615",
        "https://www.google.com/maps/search/?api=1&query=50.648%2C5.615",
        # the pin (!3d!4d), not the view's centre (@…) that differs from it
        "https://www.google.com/maps/place/Rue+de+Droixhe+10/@50.7,5.7,17z/data=!3m1!4b1!8m2!3d50.648!4d5.615",
        "https://www.openstreetmap.org/?mlat=50.648&mlon=5.615#map=17/50.7/5.7",
    ],
)
def test_a_map_link_gives_its_point_without_being_opened(link):
    assert looks_like_coordinates(link)
    assert split_pair(link) == (50.648, 5.615)


@pytest.mark.parametrize(
    ("link", "key"),
    [
        ("https://www.google.com/maps/@50.648,5.615,17z", "check.msg.link_view_only"),
        ("https://www.openstreetmap.org/#map=17/50.648/5.615", "check.msg.link_view_only"),
        ("https://goo.gl/maps/abc123", "check.msg.link_without_point"),
    ],
)
def test_a_link_of_a_view_or_without_a_point_is_no_point(link, key):
    """The centre of a map's view is where the screen was, not an address: no firm answer on it."""
    assert looks_like_coordinates(link)  # a link is never looked up as an address
    with pytest.raises(CoordinateError) as err:
        parse_point(link)
    assert err.value.key == key


def test_a_slash_between_two_numbers_is_a_separator():
    assert looks_like_coordinates("50.648 / 5.615") and split_pair("50.648 / 5.615") == (50.648, 5.615)


def test_round_trip_transforms():
    x, y = to_lambert(np.array([50.648]), np.array([5.615]))
    lat, lon = to_wgs84(x, y)
    assert lat[0] == pytest.approx(50.648, abs=1e-7) and lon[0] == pytest.approx(5.615, abs=1e-7)  # < 1 cm


@pytest.mark.parametrize("pair", [("EPSG:4326", "EPSG:31370"), ("EPSG:31370", "EPSG:4326")])
def test_pinned_pipelines_are_projs_choice_to_the_bit(pair):
    """The pinned pipeline (no look-up in PROJ's database) is still the first operation PROJ
    lists, and transforms points of Belgium, of its neighbours and of the whole world (poles,
    antimeridian, NaN, infinities) to the same numbers as the transformer PROJ picks."""
    from pyproj.transformer import TransformerGroup

    from tzcld.geometry import PINNED_PIPELINES, general_transformer, transformer

    src, dst = pair
    assert TransformerGroup(src, dst, always_xy=True).transformers[0].definition == PINNED_PIPELINES[pair]
    rng = np.random.default_rng(31370)
    if src == "EPSG:4326":
        boxes = [(2.5, 6.4, 49.5, 51.51), (-1.0, 10.0, 46.0, 55.0), (-180.0, 180.0, -90.0, 90.0)]
        special = [(4.5, 50.5), (180.0, 90.0), (-180.0, -90.0), (0.0, 95.0), (np.nan, 50.0), (np.inf, 50.0)]
    else:
        boxes = [(20_000.0, 300_000.0, 10_000.0, 250_000.0), (-1e6, 1e6, -1e6, 1e6), (-1e8, 1e8, -1e8, 1e8)]
        special = [(150_000.0, 150_000.0), (0.0, 0.0), (np.nan, 1.0), (np.inf, 1.0), (1e12, -1e12)]
    xs = [rng.uniform(a, b, 20_000) for a, b, _, _ in boxes] + [np.array([p[0] for p in special])]
    ys = [rng.uniform(c, d, 20_000) for _, _, c, d in boxes] + [np.array([p[1] for p in special])]
    x, y = np.concatenate(xs), np.concatenate(ys)
    got = transformer(src, dst).transform(x, y)
    want = general_transformer(src, dst).transform(x, y)
    for a, b in zip(got, want, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_read_columns_mixes_forms_and_flags_invalid_rows():
    a = np.array([50.648, 5.615, 238135.0, np.nan, 999.0])
    b = np.array([5.615, 50.648, 149337.0, 5.0, 999.0])
    lat, lon, _x, _y, swapped, valid, system = read_columns(a, b)
    assert valid.tolist() == [True, True, True, False, False]
    assert swapped.tolist() == [False, True, False, False, False]
    assert system.tolist() == [SYSTEM_WGS84, SYSTEM_WGS84, SYSTEM_LAMBERT72, SYSTEM_WGS84, SYSTEM_WGS84]
    assert np.allclose(lat[:3], 50.648, atol=1e-4) and np.allclose(lon[:3], 5.615, atol=1e-4)


@pytest.mark.parametrize("pair", [(0.0, 0.0), (50.648, 0.0), (0.0, 5.615), (235120.0, 0.0)])
def test_a_zero_is_a_missing_value_not_a_point_far_away(pair):
    """(0, 0) or a 0 beside a real value is what a spreadsheet writes for an empty cell: a firm
    "hors territoire" 6 000 km away would be a wrong answer for a real person."""
    from tzcld.coords import coordinate_messages, read_pair

    with pytest.raises(CoordinateError) as err:
        read_pair(*pair)
    assert err.value.key == "errors.coords.zero"
    *_, valid, _system = read_columns(np.array([pair[0], 50.648]), np.array([pair[1], 5.615]))
    assert valid.tolist() == [False, True]
    assert "Coordonnée 0 sur cette ligne" in coordinate_messages(np.array([pair[0]]), np.array([pair[1]]))[0]


def test_in_wallonia_grid_gives_the_answers_of_testing_every_point():
    """The grid of cells wholly in or off the outline answers as the outline itself would,
    points on and beside the cells' edges, off the frame and unreadable ones included."""
    import shapely

    from tzcld import coords

    geom = coords._wallonia()
    if geom is None:
        pytest.skip("geodata not built")
    rng = np.random.default_rng(7)
    n = 400_000
    x = rng.uniform(0, 330_000, n)
    y = rng.uniform(0, 200_000, n)
    x0, y0, x1, y1 = coords._FRAME
    edges_x = np.arange(x0, x1 + 1, coords._CELL_M)
    edges_y = np.arange(y0, y1 + 1, coords._CELL_M)
    k = 50
    x[: len(edges_x) * k] = np.repeat(edges_x, k)
    x[len(edges_x) * k : 2 * len(edges_x) * k] = np.nextafter(np.repeat(edges_x, k), -np.inf)
    y[-len(edges_y) * k :] = np.repeat(edges_y, k)
    # along the outline itself: its vertices, and a few metres off
    ring = shapely.get_coordinates(shapely.boundary(geom))
    pick = ring[rng.integers(0, len(ring), 20_000)]
    x[100_000:120_000] = pick[:, 0] + rng.normal(0, 3, 20_000)
    y[100_000:120_000] = pick[:, 1] + rng.normal(0, 3, 20_000)
    x[120_000:125_000] = pick[:5_000, 0]
    y[120_000:125_000] = pick[:5_000, 1]
    x[:100] = np.nan
    frame = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    expected = frame & shapely.contains_xy(geom, x, y)
    got = coords.in_wallonia(x, y)
    assert got.dtype == bool and got.sum() > 1000
    assert (got == expected).all()
    # the grid is a real shortcut: most cells answered without a test
    state, _size = coords._wallonia_grid(geom)
    assert (state != coords._CROSSED).mean() > 0.5
