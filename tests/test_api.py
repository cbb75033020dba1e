"""The HTTP API, driven through a real ``python -m tzcld serve-api`` on 127.0.0.1.

Single and batch checks answer as the CLI does; bad JSON, oversized bodies, wrong methods
and missing keys get JSON errors in French and English; the access log carries method,
path, status and time only (checked by reading the server's own log after the checks);
the OpenAPI document is valid and the answers match its schemas; the territories are
RFC 7946 GeoJSON. The server uses the session's address index (real ICAR register).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time

import pandas as pd
import pytest

from tests.api_support import json_request, request, start_api
from tests.check_support import approve_gembloux_change, gembloux_points, requires_icar
from tests.geojson_support import winding_errors
from tzcld.geodata.layers import data_version

pytestmark = requires_icar

ADDRESS = "Rue de Droixhe 10, 4020 Liège"
OUTSIDE_ADDRESS = "Place Saint-Lambert 1, 4000 Liège"
SECRET_WORDS = ("Droixhe", "Saint-Lambert", "Rue de la Station", "50.648", "5.615", "candidat-secret", "235120")
MAX_FILE = 200_000


def _env(data_dir, index_dir, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TZCLD_DATA_DIR": str(data_dir),
            "TZCLD_ADDRESS_INDEX": str(index_dir),
            "TZCLD_API_RATE_LIMIT": "0",
            "TZCLD_API_MAX_FILE_BYTES": str(MAX_FILE),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("TZCLD_DATABASE_URL", None)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def api_data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("api-data")


@pytest.fixture(scope="module")
def api(address_index_dir, api_data_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("api-log") / "api.log"
    server = start_api(_env(api_data_dir, address_index_dir), log, wait_for_index=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def openapi(api):
    status, _, doc = json_request(api, "GET", "/openapi.json")
    assert status == 200
    return doc


def _validate(openapi, name: str, instance) -> None:
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(instance), key=str)
    assert errors == [], [e.message for e in errors[:5]]


def _assert_error(status, body, expected_status, code=None):
    assert status == expected_status, body
    assert set(body) == {"error"} and body["error"]["status"] == expected_status
    assert body["error"]["message"]["fr"] and body["error"]["message"]["en"]
    assert body["error"]["message"]["fr"] != body["error"]["message"]["en"]
    if code:
        assert body["error"]["code"] == code, body


# ---------------------------------------------------------------------- single checks


def test_an_address_answers_with_the_fields_of_check_json(api, openapi):
    from tzcld.check import JSON_FIELDS

    status, headers, data = json_request(api, "POST", "/v1/check", {"address": ADDRESS})
    assert status == 200 and headers["cache-control"] == "no-store"
    assert list(data)[: len(JSON_FIELDS)] == list(JSON_FIELDS)
    assert data["status"] == "inside" and data["territory_id"] == "liege" and data["unit"] == "Droixhe"
    assert data["match_quality"] == "exact" and data["matched_address"] == ADDRESS
    assert data["distance_to_boundary_m"] > 0 and data["precision"] == "sectors"
    assert data["data_version"] == data_version() and data["as_of"] is None
    assert data["perimeter_version"] == {"label": "base", "date": data_version().split("+")[0]}
    assert data["warnings"] == [] and data["message"].startswith("Dans le territoire")
    _validate(openapi, "CheckAnswer", data)
    status, _, data = json_request(api, "POST", "/v1/check", {"address": OUTSIDE_ADDRESS, "lang": "en"})
    assert status == 200 and data["status"] == "outside" and data["territory_id"] is None
    assert data["perimeter_version"] is None and "nearest" in data["message"]
    _validate(openapi, "CheckAnswer", data)


def test_homonyms_answer_with_each_candidate_address_and_its_territory(api, openapi):
    status, _, data = json_request(api, "POST", "/v1/check", {"address": "5 rue de la Station"})
    assert status == 200 and data["status"] == "undetermined"
    assert data["match_quality"] is None and data["matched_address"] is None  # none retained
    cands = data["candidates"]
    assert cands and cands[0]["match_quality"] == "exact" and " 5, " in cands[0]["label"]
    assert cands[0]["territory_id"] and cands[0]["status"] in ("inside", "undetermined")
    assert {"status", "territory_id", "territory_name", "territory_status"} <= set(cands[0])
    _validate(openapi, "CheckAnswer", data)  # the candidates' fields are documented (closed schema)


def test_the_api_gives_the_same_answer_as_the_cli(api, address_index_dir, capsys):
    from tzcld.cli import main

    for text in (ADDRESS, "Rue de la Station 12", "Rue Inexistante 99, 9999 Nulle-part"):
        assert main(["check", text, "--json", "--index", str(address_index_dir)]) in (0, 2)
        cli = json.loads(capsys.readouterr().out)
        status, _, data = json_request(api, "POST", "/v1/check", {"address": text})
        assert status == 200
        assert {k: v for k, v in data.items() if k != "warnings"} == cli


def test_an_address_field_holding_degrees_or_a_map_link_is_read_as_the_point(api, openapi):
    for text in ("50°38'52.8\"N 5°36'54\"E", "geo:50.648,5.615"):
        status, _, data = json_request(api, "POST", "/v1/check", {"address": text})
        assert status == 200 and data["status"] == "inside" and data["lat"] == 50.648, data
        _validate(openapi, "CheckAnswer", data)
    status, _, view = json_request(
        api, "POST", "/v1/check", {"address": "https://www.google.com/maps/@50.648,5.615,17z"}
    )
    assert view["status"] == "error" and "centre de la vue" in view["message"], view


def test_points_in_wgs84_and_in_lambert(api, openapi):
    status, _, data = json_request(api, "POST", "/v1/check", {"lat": 50.648, "lon": 5.615})
    assert status == 200 and data["status"] == "inside" and data["lat"] == 50.648
    _validate(openapi, "CheckAnswer", data)
    from tzcld.coords import to_lambert

    x, y = (float(v) for v in to_lambert(50.648, 5.615))
    status, _, lambert = json_request(api, "POST", "/v1/check", {"x": x, "y": y, "crs": "EPSG:31370"})
    assert status == 200 and lambert["territory_id"] == "liege" and "Lambert" in lambert["message"]
    assert abs(lambert["lat"] - 50.648) < 1e-5
    status, _, same = json_request(api, "POST", "/v1/check", {"lat": y, "lon": x, "crs": "urn:ogc:def:crs:EPSG::31370"})
    assert status == 200 and same["distance_to_boundary_m"] == lambert["distance_to_boundary_m"]
    # with an explicit WGS84 crs nothing is guessed: (lon, lat) given as (lat, lon) is not swapped back
    status, _, swapped = json_request(api, "POST", "/v1/check", {"lat": 5.615, "lon": 50.648, "crs": "EPSG:4326"})
    assert status == 200 and swapped["status"] == "outside" and "hors de Wallonie" in swapped["message"]
    status, _, auto = json_request(api, "POST", "/v1/check", {"lat": 5.615, "lon": 50.648})
    assert auto["status"] == "inside" and "inversées" in auto["message"]


def _near_boundary_point() -> tuple[float, float]:
    """A point inside Liège, about 30 m from its boundary (WGS84 lat, lon)."""
    import shapely
    from pyproj import Transformer

    from tzcld.geodata.layers import read_perimeters

    per = read_perimeters()
    whole = shapely.union_all(per[per["territory_id"] == "liege"].geometry.values)
    inner = whole.buffer(-30)
    part = max(getattr(inner, "geoms", [inner]), key=lambda g: g.area)
    p = part.exterior.interpolate(0.37, normalized=True)
    lon, lat = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True).transform(p.x, p.y)
    return round(lat, 7), round(lon, 7)


def test_tolerance_can_only_widen_the_margin(api):
    lat, lon = _near_boundary_point()
    status, _, plain = json_request(api, "POST", "/v1/check", {"lat": lat, "lon": lon})
    assert status == 200 and plain["status"] == "inside" and 20 < plain["distance_to_boundary_m"] < 40
    status, _, wide = json_request(api, "POST", "/v1/check", {"lat": lat, "lon": lon, "tolerance_m": 50})
    assert status == 200 and wide["status"] == "undetermined" and wide["territory_id"] == "liege"
    assert "limite" in wide["message"]
    for bad in (5, 0, -1, 5000, "beaucoup", True):
        status, _, body = json_request(api, "POST", "/v1/check", {"lat": lat, "lon": lon, "tolerance_m": bad})
        _assert_error(status, body, 422, "bad_tolerance")


@pytest.mark.parametrize(
    "payload, code",
    [
        ({}, "need_input"),
        ({"lat": 50.6}, "need_input"),
        ({"address": ADDRESS, "lat": 50.6, "lon": 5.6}, "both_inputs"),
        ({"adress": ADDRESS}, "unknown_fields"),
        ({"address": 12}, "not_text"),
        ({"address": "x" * 400}, "address_too_long"),
        ({"lat": "nord", "lon": 5.6}, "not_number"),
        ({"lat": 1e6, "lon": 1e6}, "bad_coordinates"),
        ({"x": 5.6, "y": 50.6, "crs": "EPSG:31370"}, "bad_coordinates"),
        ({"lat": 50.6, "lon": 5.6, "crs": "EPSG:2154"}, "bad_crs"),
        ({"lat": 50.6, "lon": 5.6, "lang": "nl"}, "bad_lang"),
        ({"lat": 50.6, "lon": 5.6, "as_of": "01/03/2025"}, "bad_as_of"),
        ({"lat": 50.6, "lon": 5.6, "as_of": "2999-01-01"}, "bad_as_of"),
    ],
)
def test_unusable_requests_get_a_bilingual_error_that_echoes_nothing(api, openapi, payload, code):
    status, _headers, body = json_request(api, "POST", "/v1/check", payload)
    _assert_error(status, body, 422, code)
    _validate(openapi, "Error", body)
    text = json.dumps(body)
    assert ADDRESS not in text and "1000000" not in text and "2999" not in text


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2]", b'"Rue de Droixhe 10"', b"", b"address=Rue+de+Droixhe", b"\xff\xfe"]
)
def test_bad_json_is_a_400(api, raw):
    status, _, body = json_request(api, "POST", "/v1/check", raw=raw)
    _assert_error(status, body, 400, "bad_json")
    assert b"Droixhe" not in json.dumps(body).encode()


def test_oversized_bodies_are_refused(api):
    big = json.dumps({"address": ADDRESS, "padding": "x" * 20_000}).encode()
    status, _, body = json_request(api, "POST", "/v1/check", raw=big)
    _assert_error(status, body, 413, "too_large")
    status, _, data = request(api, "POST", "/v1/check", big, {"Content-Type": "application/json"}, chunked=True)
    _assert_error(status, json.loads(data), 413, "too_large")  # no Content-Length: counted as it arrives
    csv_big = ("adresse\n" + (ADDRESS + "\n") * (MAX_FILE // len(ADDRESS) + 10)).encode()
    status, _, data = request(api, "POST", "/v1/check-file", csv_big, {"Content-Type": "text/csv"})
    _assert_error(status, json.loads(data), 413, "too_large")


def test_wrong_methods_get_a_405_and_addresses_never_go_in_the_url(api):
    status, headers, body = json_request(api, "GET", "/v1/check?address=Rue+de+Droixhe+10")
    _assert_error(status, body, 405, "address_in_query")
    assert headers["allow"] == "POST" and "POST" in body["error"]["message"]["en"]
    assert "Droixhe" not in json.dumps(body)
    status, headers, body = json_request(api, "GET", "/v1/check?lat=50.6&lon=5.6")
    _assert_error(status, body, 405, "address_in_query")
    status, headers, body = json_request(api, "GET", "/v1/check")
    _assert_error(status, body, 405, "method_not_allowed")
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, body = json_request(api, method, "/v1/check-file")
        _assert_error(status, body, 405, "method_not_allowed")
    status, _, body = json_request(api, "POST", "/v1/check?address=Rue+de+Droixhe", {"lat": 50.6, "lon": 5.6})
    _assert_error(status, body, 400, "address_in_query")
    status, _, body = json_request(api, "POST", "/v1/territories")
    _assert_error(status, body, 405, "method_not_allowed")
    status, _, body = json_request(api, "GET", "/v2/nothing")
    _assert_error(status, body, 404, "not_found")


# ---------------------------------------------------------------------- batch


def _people_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["candidat-secret A", "candidat-secret B", "candidat-secret C"],
            "adresse": [ADDRESS, OUTSIDE_ADDRESS, "Rue de la Station 12"],
        }
    )


def test_check_file_returns_the_same_csv_as_the_cli(api, address_index_dir, tmp_path, capsys):
    from tzcld.cli import main

    src = tmp_path / "candidats.csv"
    _people_frame().to_csv(src, index=False, sep=";", encoding="cp1252")
    status, headers, body = request(api, "POST", "/v1/check-file", src.read_bytes(), {"Content-Type": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert headers["cache-control"] == "no-store" and headers["x-data-version"] == data_version()
    assert headers["x-rows"] == "3" and "inside=1" in headers["x-summary"]
    out = tmp_path / "cli.csv"
    assert main(["check-file", str(src), "-o", str(out), "--index", str(address_index_dir)]) == 0
    capsys.readouterr()
    assert body == out.read_bytes()  # same columns, same separator, same answers
    table = pd.read_csv(io.BytesIO(body), sep=";", dtype=str, encoding="utf-8-sig")
    assert list(table["status"])[:2] == ["inside", "outside"]


def test_check_file_as_multipart_xlsx_and_with_options(api, tmp_path):
    frame = _people_frame()
    buf = io.BytesIO()
    frame.rename(columns={"adresse": "domicile"}).to_excel(buf, index=False)
    xlsx = buf.getvalue()
    xtype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    status, _, body = request(
        api, "POST", "/v1/check-file?column=domicile&lang=en&sep=,", xlsx, {"Content-Type": xtype}
    )
    assert status == 200, body
    table = pd.read_csv(io.BytesIO(body), sep=",", dtype=str, encoding="utf-8-sig")
    assert list(table["status"])[:2] == ["inside", "outside"] and table["message"][0].startswith("In the territory")
    boundary = "----tzcld-test"
    parts = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="column"\r\n\r\ndomicile\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="candidats.xlsx"\r\n'
            f"Content-Type: {xtype}\r\n\r\n"
        ).encode()
        + xlsx
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, multi = request(
        api, "POST", "/v1/check-file", parts, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 200
    assert (
        pd.read_csv(io.BytesIO(multi), sep=";", dtype=str, encoding="utf-8-sig")["status"].tolist()
        == table["status"].tolist()
    )
    coords = b"lat;lon\n50,648;5,615\n50.4669;4.8675\n"
    status, _headers, body = request(
        api, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", coords, {"Content-Type": "text/csv"}
    )
    assert status == 200
    table = pd.read_csv(io.BytesIO(body), sep=";", dtype=str, encoding="utf-8-sig")
    assert table["status"].tolist() == ["inside", "outside"] and "lat_input" in table.columns


@pytest.mark.parametrize(
    "body, query, ctype, status, code",
    [
        (b"", "", "text/csv", 400, "no_file"),
        (b"nom;ville\nA;Liege\n", "", "text/csv", 422, "no_column"),
        (b"adresse\nx\n", "?column=domicile", "text/csv", 422, "unknown_column"),
        (b"adresse\nx\n", "?colonne=adresse", "text/csv", 400, "bad_parameter"),
        (b"adresse\nx\n", "?address=Rue", "text/csv", 400, "address_in_query"),
        (b"adresse\n", "", "text/csv", 422, "no_rows"),
        (b"PK\x03\x04garbage", "", "application/octet-stream", 422, "unreadable"),
        (b"{}", "", "application/json", 415, "unsupported_media"),
    ],
)
def test_unusable_files_get_the_cli_messages(api, body, query, ctype, status, code):
    got, _, data = request(api, "POST", "/v1/check-file" + query, body, {"Content-Type": ctype})
    _assert_error(got, json.loads(data), status, code)


# ---------------------------------------------------------------------- territories, health, documents


def test_territories_are_rfc7946_geojson(api, openapi):
    from tzcld.territories import TERRITORY_IDS

    status, headers, body = request(api, "GET", "/v1/territories")
    assert status == 200 and headers["content-type"].startswith("application/geo+json")
    doc = json.loads(body)
    _validate(openapi, "FeatureCollection", doc)
    assert [f["id"] for f in doc["features"]] == list(TERRITORY_IDS) and "crs" not in doc
    assert winding_errors(doc) == []
    assert doc["data_version"] == data_version()
    status, _, again = request(api, "GET", "/v1/territories", headers={"If-None-Match": headers["etag"]})
    assert status == 304 and again == b""
    status, _, one = request(api, "GET", "/v1/territories/gembloux")
    feature = json.loads(one)
    assert status == 200 and feature["type"] == "Feature" and feature["id"] == "gembloux"
    assert feature["properties"]["perimeter_version_label"] == "base" and winding_errors(feature) == []
    status, _, body = json_request(api, "GET", "/v1/territories/Rue%20de%20Droixhe%2010")
    _assert_error(status, body, 404, "territory_unknown")


def test_health_openapi_and_the_page(api, openapi):
    from openapi_spec_validator import validate

    status, _, health = json_request(api, "GET", "/health")
    assert status == 200 and health["status"] == "ok" and health["address_index"] == "ready"
    assert health["data_version"] == data_version() and health["perimeter_database"] == "none"
    assert health["address_index_version"].startswith("ICAR") and health["keys_required"] is False
    _validate(openapi, "Health", health)
    validate(openapi)
    assert {"/v1/check", "/v1/check-file", "/v1/territories", "/v1/territories/{territory_id}", "/health"} <= set(
        openapi["paths"]
    )
    assert "*English:*" in openapi["info"]["description"] and openapi["paths"]["/v1/check"]["post"]["security"] == [{}]
    status, headers, page = request(api, "GET", "/")
    html = page.decode("utf-8")
    assert status == 200 and "default-src 'none'" in headers["content-security-policy"]
    assert '<html lang="fr">' in html and '<section lang="en">' in html and "curl" in html and "POST" in html
    assert "openapi.json" in html


# ---------------------------------------------------------------------- as of a date (own server and database)


def test_a_check_as_of_a_date_before_an_approval_uses_the_older_version(address_index_dir, tmp_path):
    from tzcld.perimeters import open_perimeter_store

    data = tmp_path / "data"
    data.mkdir()
    server = start_api(_env(data, address_index_dir), tmp_path / "api.log")
    try:
        lat, lon = gembloux_points()["removed"]
        status, _, before = json_request(server, "POST", "/v1/check", {"lat": lat, "lon": lon})
        assert status == 200 and before["status"] == "inside" and before["data_version"] == data_version()
        store = open_perimeter_store(f"sqlite:///{data / 'tzcld.sqlite'}")
        vid = approve_gembloux_change(store)
        store.engine.dispose()
        for _ in range(100):  # the server reads the approved versions at most once a second
            if json_request(server, "GET", "/health")[2]["data_version"].endswith(f"+p{vid}"):
                break
            time.sleep(0.1)
        status, _, now = json_request(server, "POST", "/v1/check", {"lat": lat, "lon": lon})
        assert now["status"] == "outside" and now["data_version"] == f"{data_version()}+p{vid}"
        # dates as the server reads them: Wallonia's (at 23:30 UTC it is already tomorrow there)
        from tzcld.check_view import today_in_wallonia

        yesterday = (today_in_wallonia() - dt.timedelta(days=1)).isoformat()
        status, _, then = json_request(server, "POST", "/v1/check", {"lat": lat, "lon": lon, "as_of": yesterday})
        assert status == 200 and then["status"] == "inside" and then["territory_id"] == "gembloux"
        assert then["data_version"] == data_version() and then["as_of"] == yesterday
        assert then["perimeter_version"]["label"] == "base"
        today = today_in_wallonia().isoformat()
        status, _, same_day = json_request(server, "POST", "/v1/check", {"lat": lat, "lon": lon, "as_of": today})
        assert same_day["data_version"] == now["data_version"]
        csv = f"lat;lon\n{lat};{lon}\n".encode()
        status, headers, _body = request(
            server, "POST", f"/v1/check-file?as_of={yesterday}", csv, {"Content-Type": "text/csv"}
        )
        assert status == 200 and headers["x-data-version"] == data_version() and headers["x-as-of"] == yesterday
        status, _, territories = request(server, "GET", "/v1/territories/gembloux")
        assert json.loads(territories)["properties"]["perimeter_version_label"] == f"v{vid}"
        status, _, health = json_request(server, "GET", "/health")
        assert health["data_version"] == now["data_version"] and health["perimeter_database"] == "ok"
    finally:
        server.stop()


# ---------------------------------------------------------------------- keys and rate limit (own server)


def test_keys_required_and_rate_limit(address_index_dir, tmp_path):
    key = "k" * 24
    data = tmp_path / "data"
    data.mkdir()
    env = _env(data, address_index_dir, TZCLD_API_KEYS=f"{key},{'z' * 20}", TZCLD_API_RATE_LIMIT="4")
    server = start_api(env, tmp_path / "api.log")
    try:
        point = {"lat": 50.648, "lon": 5.615}
        status, headers, body = json_request(server, "POST", "/v1/check", point)
        _assert_error(status, body, 401, "key_required")
        assert headers["www-authenticate"].startswith("Bearer")
        status, _, body = json_request(
            server, "POST", "/v1/check", point, {"Authorization": "Bearer wrong-key-wrong-key"}
        )
        _assert_error(status, body, 401, "key_required")
        status, _, body = request(
            server, "POST", "/v1/check-file", b"lat;lon\n50.6;5.6\n", {"Content-Type": "text/csv"}
        )
        _assert_error(status, json.loads(body), 401, "key_required")
        status, _, ok = json_request(server, "POST", "/v1/check", point, {"Authorization": f"Bearer {key}"})
        assert status == 200 and ok["status"] == "inside"
        status, _, ok = json_request(server, "POST", "/v1/check", point, {"X-API-Key": key})
        assert status == 200
        status, _, _ = request(server, "GET", "/v1/territories")  # open data: no key needed
        assert status == 200
        status, _, doc = json_request(server, "GET", "/openapi.json")
        assert doc["paths"]["/v1/check"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
        for _ in range(2):
            status, _, _ = json_request(server, "POST", "/v1/check", point, {"X-API-Key": key})
        status, headers, body = json_request(server, "POST", "/v1/check", point, {"X-API-Key": key})
        _assert_error(status, body, 429, "rate_limited")
        assert int(headers["retry-after"]) >= 1
        status, _, _ = json_request(server, "POST", "/v1/check", point, {"X-API-Key": "z" * 20})  # another client
        assert status == 200
        status, _, _ = json_request(server, "GET", "/health")  # never limited
        assert status == 200
        assert key not in server.log() and "z" * 20 not in server.log()
    finally:
        server.stop()


def test_without_an_address_index_points_still_work_and_addresses_get_a_503(tmp_path):
    data, empty = tmp_path / "data", tmp_path / "no-index"
    data.mkdir()
    empty.mkdir()
    env = _env(data, empty, TZCLD_RAW_DIR=str(tmp_path / "no-raw-data"))
    server = start_api(env, tmp_path / "api.log", wait_for_index=True)
    try:
        status, _, health = json_request(server, "GET", "/health")
        assert health["address_index"] == "unavailable" and health["address_index_version"] is None
        status, _, body = json_request(server, "POST", "/v1/check", {"address": ADDRESS})
        _assert_error(status, body, 503, "index_unavailable")
        status, _, ok = json_request(server, "POST", "/v1/check", {"lat": 50.648, "lon": 5.615})
        assert status == 200 and ok["status"] == "inside"
        status, _, ok = json_request(server, "POST", "/v1/check", {"address": "50.648, 5.615"})
        assert status == 200 and ok["territory_id"] == "liege"  # coordinates typed as text need no index
        assert "Traceback" not in server.log()
    finally:
        server.stop()


def test_serve_api_refuses_bad_settings_and_a_busy_port(capsys, monkeypatch):
    import socket

    from tzcld.cli import main

    monkeypatch.setenv("TZCLD_API_RATE_LIMIT", "beaucoup")
    assert main(["serve-api", "--port", "8559"]) == 2
    assert "TZCLD_API_RATE_LIMIT" in capsys.readouterr().err
    monkeypatch.delenv("TZCLD_API_RATE_LIMIT")
    monkeypatch.setenv("TZCLD_API_KEYS", "court")
    assert main(["serve-api", "--port", "8559"]) == 2
    assert "16 caractères" in capsys.readouterr().err
    monkeypatch.delenv("TZCLD_API_KEYS")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert main(["serve-api", "--port", str(sock.getsockname()[1])]) == 2
    err = capsys.readouterr().err
    assert "déjà utilisé" in err and "Traceback" not in err


# ---------------------------------------------------------------------- privacy: last, it reads the whole log


ACCESS_LINE = re.compile(
    r"^\S+ \S+ INFO tzcld\.api\.access: (GET|POST|PUT|PATCH|DELETE|HEAD) (/\S*|-) \d{3} \d+\.\d ms$"
)


def test_nothing_of_a_request_body_is_logged_or_stored(api, api_data_dir):
    json_request(api, "POST", "/v1/check", {"address": "Rue de la Station 12, 5000 Namur"})
    json_request(api, "POST", "/v1/check", {"lat": 50.648, "lon": 5.615, "as_of": "2025-01-02"})
    request(
        api,
        "POST",
        "/v1/check-file",
        "nom;adresse\ncandidat-secret D;Rue de Droixhe 12, 4020 Liège\n".encode(),
        {"Content-Type": "text/csv"},
    )
    json_request(api, "GET", "/v1/check?address=Rue+de+Droixhe+14")
    json_request(api, "GET", "/v1/Rue%20de%20Droixhe%2016")
    log = api.log()
    assert "POST /v1/check 200" in log and "POST /v1/check-file 200" in log and "GET - 404" in log
    for word in SECRET_WORDS:
        assert word not in log, word
    assert "?" not in "".join(ln for ln in log.splitlines() if "tzcld.api.access" in ln)
    access = [ln for ln in log.splitlines() if "tzcld.api.access" in ln]
    assert len(access) > 40 and all(ACCESS_LINE.match(ln) for ln in access), [
        ln for ln in access if not ACCESS_LINE.match(ln)
    ][:3]
    assert "Traceback" not in log
    assert [p.name for p in api_data_dir.iterdir()] == []  # nothing written: no database, no cache, no upload
