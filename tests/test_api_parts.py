"""The API's parts without a server: request reading, rate limiter, keys, perimeter sources."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.check_support import approve_gembloux_change, gembloux_points
from tzcld.api.errors import ApiError
from tzcld.api.guard import KeyCheck, RateLimiter
from tzcld.api.inputs import check_request, explicit_point, normalise_crs
from tzcld.api.sources import GeocoderProvider, IndexUnavailable
from tzcld.geodata.layers import data_version
from tzcld.runtime import Runtime, Settings

UNREACHABLE = "postgresql://postgres:secret-pw@127.0.0.1:1/nowhere"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_refills_per_client():
    clock = Clock()
    limiter = RateLimiter(60, clock)
    for _ in range(60):
        limiter.hit("a")
    with pytest.raises(ApiError) as info:
        limiter.hit("a")
    assert info.value.status == 429 and info.value.headers["Retry-After"] == "1"
    limiter.hit("b")  # another client has its own bucket
    clock.now += 1.0  # one token per second
    limiter.hit("a")
    with pytest.raises(ApiError):
        limiter.hit("a")
    RateLimiter(0, clock).hit("a")  # 0: no limit


def test_key_check_compares_digests():
    class Req:
        def __init__(self, headers):
            self.headers = headers

    keys = KeyCheck(["a" * 20, "b" * 20])
    assert keys.required
    assert keys.client(Req({"authorization": "Bearer " + "a" * 20})).startswith("key:")
    assert keys.client(Req({"x-api-key": "b" * 20})) != keys.client(Req({"x-api-key": "a" * 20}))
    for headers in ({}, {"authorization": "Bearer nope"}, {"authorization": "Basic " + "a" * 20}):
        with pytest.raises(ApiError) as info:
            keys.client(Req(headers))
        assert info.value.status == 401
    assert KeyCheck().client(Req({})) is None


def test_requests_are_read_strictly():
    req = check_request(
        {"address": "  Rue de Droixhe 10  ", "as_of": "2025-01-02", "lang": "en", "tolerance_m": "25,5"}
    )
    assert req.address == "Rue de Droixhe 10" and req.as_of == dt.date(2025, 1, 2) and req.tolerance_m == 25.5
    assert req.lang == "en"
    point = check_request({"lat": "50,648", "lon": 5.615}).point
    assert point.crs == "wgs84" and abs(point.lat - 50.648) < 1e-9
    lambert = check_request({"x": 235120, "y": 148230}).point  # no crs: recognised like check --lat --lon
    assert lambert.crs == "lambert72" and lambert.x == 235120
    assert normalise_crs("http://www.opengis.net/def/crs/EPSG/0/3812") == "EPSG:3812"
    assert normalise_crs("OGC:CRS84") == "EPSG:4326" and normalise_crs("") is None
    p08 = explicit_point(665_000.0, 735_000.0, "EPSG:3812")
    assert p08.crs == "lambert2008" and 49 < p08.lat < 52
    with pytest.raises(ApiError):
        normalise_crs("EPSG:31370x")


def test_perimeter_provider_follows_approvals_and_dates():

    runtime = Runtime(Settings.from_env(), refresh_s=0)  # read the approved versions at every request
    provider = runtime.perimeters
    assert provider.status() == "none" and provider.resolve().classifier.data_version == data_version()
    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    now = provider.resolve()
    assert now.classifier.data_version == f"{data_version()}+p{vid}" and now.versions["gembloux"].label == f"v{vid}"
    assert provider.resolve().classifier is now.classifier  # built once per version
    before = provider.resolve(dt.date.today() - dt.timedelta(days=1))
    assert before.classifier.data_version == data_version() and before.versions["gembloux"].label == "base"
    assert provider.status() == "ok"
    runtime.close()


def test_perimeter_provider_falls_back_and_retries_later():
    clock = Clock()
    provider = Runtime(Settings.from_env().replace(database_url=UNREACHABLE), retry_after_s=60, clock=clock).perimeters
    per = provider.resolve()
    assert per.unavailable and per.store is None and per.classifier.data_version == data_version()
    assert provider.status() == "unavailable"
    lat, lon = gembloux_points()["kept"]
    from tzcld.check import Checker

    assert Checker(per.classifier).check_latlon(lat, lon).status == "inside"


def test_geocoder_provider_reports_a_missing_index():
    def broken():
        raise FileNotFoundError("pas d'index")

    provider = GeocoderProvider(factory=broken)
    assert provider.status() == "not_started"
    with pytest.raises(IndexUnavailable):
        provider.get(wait_s=10)
    assert provider.status() == "unavailable"


def test_perimeter_provider_reads_the_approved_versions_once_per_refresh():

    clock = Clock()
    store = Runtime.from_env().perimeter_store()
    provider = Runtime(Settings.from_env(), refresh_s=1.0, clock=clock).perimeters
    assert provider.version() == data_version()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    assert provider.version() == data_version()  # within the second: the list read before
    clock.now += 1.0
    assert provider.version() == f"{data_version()}+p{vid}"


def test_every_error_code_has_a_message_in_both_languages():
    import re
    from pathlib import Path

    from tzcld.i18n import catalogue

    source = "".join(p.read_text(encoding="utf-8") for p in Path("tzcld/api").glob("*.py"))
    codes = set(re.findall(r'ApiError\(\s*\d+,\s*"([a-z_]+)"(?![^)]*key=)', source))
    assert len(codes) > 20
    for lang in ("fr", "en"):
        missing = sorted(c for c in codes if f"api.error.{c}" not in catalogue(lang))
        assert missing == [], lang
