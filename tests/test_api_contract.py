"""The API's contract as an integrator meets it, in process (Starlette's test client over the
real app and the committed perimeters; no address index needed):

- ``POST /v1/check`` reads JSON only: a form or a text body gets 415, not a guess;
- limits in error messages are written as the CLI writes them (``16 Kio (16 384 octets)``,
  ``plus de 1 000 lignes``), in French and in English;
- ``GET /ready`` answers 503 while the address index loads, 200 once it has;
- the OpenAPI document describes every status the routes answer and every field of an
  answer (the answer schema is closed: a new field must be documented).
"""

from __future__ import annotations

import threading
import warnings

import pytest

with warnings.catch_warnings():  # Starlette's test client over httpx (installed with Streamlit) says it is deprecated
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tzcld.api.app import ApiDependencies, create_app
from tzcld.api.sources import GeocoderProvider
from tzcld.config import ApiSettings, FileLimits
from tzcld.formatting import NBSP
from tzcld.runtime import Runtime, Settings

POINT = {"lat": 50.648, "lon": 5.615}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(geocoder: GeocoderProvider | None = None, file_limits: FileLimits | None = None, **limits) -> TestClient:
    runtime = Runtime(Settings.from_env())
    settings = ApiSettings(rate_limit=0, **limits)
    deps = ApiDependencies(runtime.perimeters, geocoder, settings, file_limits=file_limits or FileLimits())
    return TestClient(create_app(deps), raise_server_exceptions=False)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status
    assert error["message"]["fr"] and error["message"]["en"] and error["message"]["fr"] != error["message"]["en"]
    return error["message"]


@pytest.fixture(scope="module")
def client():
    with _client(max_rows=1000) as c:
        yield c


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "text/csv"])
def test_a_check_reads_json_only(client, ctype):
    body = b'{"lat": 50.648, "lon": 5.615}'
    message = _error(client.post("/v1/check", content=body, headers={"Content-Type": ctype}), 415, "unsupported_media")
    assert "application/json" in message["fr"] and ctype in message["fr"]


def test_json_with_a_charset_or_without_a_content_type_is_read(client):
    body = b'{"lat": 50.648, "lon": 5.615}'
    got = client.post("/v1/check", content=body, headers={"Content-Type": "application/json; charset=utf-8"})
    assert got.status_code == 200 and got.json()["status"] == "inside"
    assert client.post("/v1/check", content=body).status_code == 200


def test_limits_are_written_as_the_cli_writes_them(client):
    too_big = b'{"address": "' + b"a" * 20_000 + b'"}'
    message = _error(
        client.post("/v1/check", content=too_big, headers={"Content-Type": "application/json"}), 413, "too_large"
    )
    assert message["fr"] == f"Requête trop grosse : plus de 16 Kio (16{NBSP}384 octets)."
    assert message["en"] == "Request too large: more than 16 KiB (16,384 bytes)."
    rows = b"lat;lon\n" + b"50.6;5.6\n" * 1500
    message = _error(client.post("/v1/check-file", content=rows, headers={"Content-Type": "text/csv"}), 422, "rows")
    assert f"plus de 1{NBSP}000 lignes" in message["fr"] and "more than 1,000" in message["en"]
    message = _error(client.post("/v1/check", json={**POINT, "tolerance_m": 5000}), 422, "bad_tolerance")
    assert f"de 10 à 1{NBSP}000 mètres" in message["fr"]


@pytest.mark.parametrize(
    "query, code",
    [("?column=id&lat_column=lat&lon_column=lon", "address_and_coordinates"), ("?lat_column=lat", "lat_lon_pair")],
)
def test_columns_that_would_be_half_ignored_are_refused(client, query, code):
    table = b"id;lat;lon\n1;50.648;5.615\n"
    _error(client.post("/v1/check-file" + query, content=table, headers={"Content-Type": "text/csv"}), 422, code)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "OPTIONS", "TRACE"])
def test_the_checks_allow_post_only_and_say_so(client, method):
    for path in ("/v1/check", "/v1/check-file"):
        got = client.request(method, path)
        message = _error(got, 405, "method_not_allowed")
        assert got.headers["allow"] == "POST" and message["fr"].endswith("méthodes permises : POST.")


def test_a_zip_bomb_is_a_413_said_as_the_cli_says_it(tmp_path):
    from tests.xlsx_support import zip_bomb

    bomb = zip_bomb(tmp_path / "bombe.xlsx", expanded=30_000_000).read_bytes()
    with _client(file_limits=FileLimits(max_uncompressed_bytes=20_000_000)) as client:
        got = client.post("/v1/check-file", content=bomb, headers={"Content-Type": XLSX})
    message = _error(got, 413, "uncompressed")
    assert "une fois décompressé" in message["fr"] and "limite 20 Mo" in message["fr"]


def test_ready_waits_for_the_address_index():
    release = threading.Event()

    def slow_index():
        release.wait(30)
        raise FileNotFoundError("pas d'index ici")  # loaded, and known to be missing

    with _client(GeocoderProvider(factory=slow_index)) as client:
        got = client.get("/ready")
        _error(got, 503, "index_loading")
        assert got.headers["retry-after"] == "5"
        assert client.get("/health").status_code == 200  # alive meanwhile
        release.set()
        for _ in range(100):
            got = client.get("/ready")
            if got.status_code == 200:
                break
            threading.Event().wait(0.05)
        assert got.status_code == 200 and got.json()["address_index"] == "unavailable"


def _validate(doc: dict, name: str, instance) -> None:
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(instance), key=str)
    assert errors == [], [e.message for e in errors[:5]]


def test_the_openapi_document_describes_what_the_routes_answer(client):
    doc = client.get("/openapi.json").json()
    answers = {
        ("post", "/v1/check"): [
            client.post("/v1/check", json=POINT),
            client.post("/v1/check", content=b"{", headers={"Content-Type": "application/json"}),
            client.post("/v1/check", content=b"{}", headers={"Content-Type": "text/plain"}),
            client.post("/v1/check", json={"lat": 91, "lon": 200}),
            client.post("/v1/check", json={"address": "Rue de Droixhe 10"}),  # no index: 503
        ],
        ("post", "/v1/check-file"): [
            client.post("/v1/check-file", content=b"lat;lon\n50.6;5.6\n", headers={"Content-Type": "text/csv"}),
            client.post("/v1/check-file", content=b"{}", headers={"Content-Type": "application/json"}),
            client.post("/v1/check-file", content=b"", headers={"Content-Type": "text/csv"}),
        ],
        ("get", "/v1/check"): [client.get("/v1/check")],
        ("get", "/v1/territories/{territory_id}"): [client.get("/v1/territories/nulle-part")],
        ("get", "/ready"): [client.get("/ready")],
        ("get", "/health"): [client.get("/health")],
    }
    for (method, path), responses in answers.items():
        documented = doc["paths"][path][method]["responses"]
        for response in responses:
            assert str(response.status_code) in documented, (method, path, response.status_code, sorted(documented))
            if response.status_code >= 400:
                _validate(doc, "Error", response.json())
    documented_headers = doc["paths"]["/v1/check-file"]["post"]["responses"]["200"]["headers"]
    sent = answers[("post", "/v1/check-file")][0].headers
    assert {h.lower() for h in sent if h.lower().startswith("x-")} <= {h.lower() for h in documented_headers}
    answer = client.post("/v1/check", json=POINT).json()
    _validate(doc, "CheckAnswer", answer)  # closed schema: every field of the answer is documented
    assert doc["components"]["schemas"]["CheckAnswer"]["additionalProperties"] is False
    _validate(doc, "Health", client.get("/ready").json())
    description = doc["info"]["description"]
    assert f"16 Kio (16{NBSP}384 octets)" in description and f"1{NBSP}000 lignes" in description
    assert "16 KiB (16,384 bytes)" in description


def test_the_help_page_writes_its_limits_the_french_way(client):
    html = client.get("/").text
    assert f"corps JSON de 16 Kio (16{NBSP}384 octets) au plus" in html and f"1{NBSP}000 lignes de données" in html
    assert "JSON body of at most 16 KiB (16,384 bytes)" in html and "/ready" in html


@pytest.mark.parametrize("sep", ["%09", "tab"])
def test_a_tab_separated_output_can_be_asked_for(client, sep):
    table = b"id;lat;lon\n1;50.648;5.615\n"
    got = client.post(f"/v1/check-file?sep={sep}", content=table, headers={"Content-Type": "text/csv"})
    assert got.status_code == 200, got.text
    assert got.content.decode("utf-8-sig").splitlines()[0].split("\t")[:3] == ["id", "lat_input", "lon_input"]


@pytest.mark.parametrize(
    "point",
    [
        {"lat": 0, "lon": 0},
        {"lat": 50.648, "lon": 0},
        {"lat": 0, "lon": 0, "crs": "EPSG:4326"},
        {"x": 0, "y": 0, "crs": "EPSG:31370"},
    ],
)
def test_a_zero_coordinate_gets_no_firm_answer(client, point):
    _error(client.post("/v1/check", json=point), 422, "bad_coordinates")
    table = b"lat;lon\n0;0\n50.648;5.615\n"
    got = client.post("/v1/check-file", content=table, headers={"Content-Type": "text/csv"})
    assert got.status_code == 200 and got.headers["x-summary"].startswith("inside=1;outside=0;")
    assert "error=1" in got.headers["x-summary"]


@pytest.mark.parametrize("body", [{"address": "   "}, {"address": "\t\n"}, {"lat": " ", "lon": " "}])
def test_a_blank_input_is_asked_for_again(client, body):
    _error(client.post("/v1/check", json=body), 422, "need_input")


@pytest.mark.parametrize("host", ["999.1.1.1", "10.255.255.1", "pas-une-machine.invalid"])
def test_serve_api_says_when_the_address_to_listen_on_is_wrong(capsys, host):
    from tzcld.cli import main

    assert main(["serve-api", "--host", host, "--port", "8559"]) == 2
    err = capsys.readouterr().err
    assert f"Impossible d'écouter sur « {host} »" in err and "déjà utilisé" not in err


def test_a_file_of_coordinate_pairs_needs_no_address_index(client):
    """A column whose cells are all points ("GPS": 50.648, 5.615) is checked without the address
    index, as lat/lon columns are; one address among them needs it (503, nothing half-written)."""
    body = b"nom;GPS\np1;50.648, 5.615\np2;\np3;https://maps.google.com/?q=50.4108,4.4446\n"
    got = client.post("/v1/check-file", content=body, headers={"Content-Type": "text/csv"})
    assert got.status_code == 200, got.text
    lines = got.text.splitlines()
    assert len(lines) == 4 and ";inside;" in lines[1] and ";outside;" in lines[3]
    mixed = body + "p4;Rue de Droixhe 10, 4020 Liège\n".encode()
    got = client.post("/v1/check-file?column=GPS", content=mixed, headers={"Content-Type": "text/csv"})
    _error(got, 503, "index_unavailable")
