"""Opt-in online adapters against a tiny local server speaking Nominatim's / Photon's JSON."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from tzcld.geocode.base import GeocoderUnavailable, MatchQuality
from tzcld.geocode.online import NominatimGeocoder, PhotonGeocoder, RateLimit, online_geocoder

NOMINATIM_HIT = [
    {
        "place_id": 1,
        "lat": "50.6479920",
        "lon": "5.6152690",
        "addresstype": "place",
        "type": "house",
        "display_name": "10, Rue de Droixhe, Droixhe, Bressoux, Liège, 4020, Belgique",
        "address": {"house_number": "10", "road": "Rue de Droixhe", "city": "Liège", "postcode": "4020"},
        "boundingbox": ["50.6479", "50.6480", "5.6152", "5.6153"],
    }
]
PHOTON_HIT = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.615269, 50.647992]},
            "properties": {
                "name": "Rue de Droixhe",
                "street": "Rue de Droixhe",
                "city": "Liège",
                "postcode": "4020",
                "country": "Belgique",
                "type": "street",
            },
        }
    ],
}


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        type(self).requests.append({"path": url.path, "query": query, "agent": self.headers.get("User-Agent")})
        q = query.get("q", [""])[0]
        if "lent" in q:
            time.sleep(2.0)
        if "panne" in q:
            self.send_response(500)
            self.end_headers()
            return
        if url.path == "/search":
            body = json.dumps([] if "rien" in q else NOMINATIM_HIT)
        elif url.path == "/api":
            body = json.dumps({"type": "FeatureCollection", "features": []} if "rien" in q else PHOTON_HIT)
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _clear():
    _Handler.requests.clear()


def test_nominatim_exact_address(server):
    g = online_geocoder("nominatim", server, timeout=1.0, min_interval=0.0)
    assert isinstance(g, NominatimGeocoder)
    res = g.geocode("Rue de Droixhe 10, 4020 Liège")
    assert res.quality is MatchQuality.EXACT
    assert res.lat == pytest.approx(50.647992) and res.lon == pytest.approx(5.615269)
    assert res.x == pytest.approx(238153, abs=50)  # Lambert 72 metres
    assert "Rue de Droixhe" in res.matched_address
    sent = _Handler.requests[-1]
    assert sent["path"] == "/search"
    assert sent["query"]["countrycodes"] == ["be"]
    assert "tzcld" in sent["agent"]


def test_photon_street_result(server):
    g = online_geocoder("photon", server, timeout=1.0, min_interval=0.0)
    assert isinstance(g, PhotonGeocoder)
    res = g.geocode("Rue de Droixhe, Liège")
    assert res.quality is MatchQuality.STREET_ONLY
    assert res.lon == pytest.approx(5.615269)
    assert _Handler.requests[-1]["path"] == "/api"


@pytest.mark.parametrize("name", ["nominatim", "photon"])
def test_no_result_is_not_found(server, name):
    res = online_geocoder(name, server, timeout=1.0, min_interval=0.0).geocode("rien du tout")
    assert res.quality is MatchQuality.NOT_FOUND and not res.found


@pytest.mark.parametrize("name", ["nominatim", "photon"])
def test_time_out_gives_a_clear_french_message(server, name):
    g = online_geocoder(name, server, timeout=0.3, min_interval=0.0)
    start = time.perf_counter()
    with pytest.raises(GeocoderUnavailable, match="injoignable"):
        g.geocode("adresse lente")
    assert time.perf_counter() - start < 1.8


def test_server_error_and_unreachable(server):
    with pytest.raises(GeocoderUnavailable, match="Nominatim"):
        online_geocoder("nominatim", server, timeout=1.0, min_interval=0.0).geocode("panne")
    with pytest.raises(GeocoderUnavailable, match="injoignable"):
        online_geocoder("photon", "http://127.0.0.1:9", timeout=0.5, min_interval=0.0).geocode("Rue X 1")


def test_rate_limit_spaces_requests(server):
    g = online_geocoder("nominatim", server, timeout=1.0, min_interval=0.25)
    start = time.perf_counter()
    g.geocode_many(["Rue A 1", "Rue B 2", "Rue C 3"])
    assert time.perf_counter() - start >= 0.5
    limiter = RateLimit(0.0)
    limiter.wait()
    limiter.wait()


def test_empty_text_sends_nothing(server):
    res = online_geocoder("nominatim", server, timeout=1.0, min_interval=0.0).geocode("  ")
    assert res.quality is MatchQuality.NOT_FOUND
    assert _Handler.requests == []
