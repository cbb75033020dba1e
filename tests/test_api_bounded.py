"""The API's ``POST /v1/check-file`` reads, checks and writes by chunks (issue 13): a real
``serve-api`` on 127.0.0.1 (coordinates only, no address index). A file of several chunks
gets the CLI's output byte for byte; the server's peak memory does not grow with the file;
``TZCLD_API_MAX_ROWS`` is counted while reading."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.api_support import request, start_api
from tzcld.cli import main

#: Peak memory (MB) a file check may add to the server (bench/README.md: ≈ +190 MB by chunks from
#: 200,000 to 600,000 rows); 300,000 rows held whole (the code before) took ≈ +430 MB.
MEMORY_CAP_MB = 250


def _vm(pid: int, name: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("api-bounded-data")
    env = dict(os.environ)
    env.pop("TZCLD_DATABASE_URL", None)
    env.update(
        {
            "TZCLD_DATA_DIR": str(data),
            "TZCLD_ADDRESS_INDEX": str(data / "no-index"),
            "TZCLD_RAW_DIR": str(data),  # no register: no index built in the background
            "TZCLD_API_RATE_LIMIT": "0",
            "TZCLD_API_MAX_FILE_BYTES": str(12_000_000),
            "TZCLD_API_MAX_ROWS": "300000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    api = start_api(env, tmp_path_factory.mktemp("api-bounded-log") / "api.log")
    yield api
    api.stop()


def _points(n: int) -> bytes:
    rng = np.random.default_rng(n)
    frame = pd.DataFrame(
        {
            "nom": [f"candidat {i}" for i in range(n)],
            "lat": rng.uniform(49.5, 50.8, n).round(6).astype(str),
            "lon": rng.uniform(2.9, 6.3, n).round(6).astype(str),
        }
    )
    frame.loc[3, "nom"] = "=HYPERLINK(1)"
    return frame.to_csv(index=False, sep=";").encode()


def test_a_file_of_several_chunks_gets_the_cli_output_byte_for_byte(server, tmp_path, capsys):
    data = _points(90_000)  # 270,000 cells: two chunks of 200,000 cells
    status, headers, body = request(server, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", data)
    assert status == 200, body[:300]
    src = tmp_path / "points.csv"
    src.write_bytes(data)
    out = tmp_path / "cli.csv"
    assert main(["check-file", str(src), "-o", str(out), "--lat-column", "lat", "--lon-column", "lon"]) == 0
    capsys.readouterr()
    assert body == out.read_bytes()
    assert headers["x-rows"] == "90000" and int(headers["content-length"]) == len(body)
    counts = dict(part.split("=") for part in headers["x-summary"].split(";"))
    assert counts["total"] == "90000" and sum(int(v) for k, v in counts.items() if k != "total") == 90_000
    assert headers["cache-control"] == "no-store"
    assert b"'=HYPERLINK(1)" in body  # the input's cells neutralised, as the CLI does


def test_the_server_memory_does_not_grow_with_the_file(server):
    data = _points(300_000)  # 6.7 MB
    status, _, _ = request(server, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", data[:2000])
    assert status == 200  # warm: perimeters loaded
    base = _vm(server.process.pid)
    status, headers, _ = request(server, "POST", "/v1/check-file?lat_column=lat&lon_column=lon", data)
    assert status == 200 and headers["x-rows"] == "300000"
    grown = _vm(server.process.pid) - base
    assert grown < MEMORY_CAP_MB, f"+{grown:.0f} MB"


def test_the_row_limit_is_counted_while_reading(server):
    data = b"lat;lon\n" + b"50.6;5.6\n" * 300_001
    status, _, body = request(server, "POST", "/v1/check-file", data)
    assert status == 422
    error = json.loads(body)["error"]
    assert error["code"] == "rows"
    assert error["message"]["fr"].replace("\u202f", "").startswith("Fichier trop long : plus de 300000 lignes")
