"""A real ``python -m tzcld serve-api`` on 127.0.0.1 for the API tests, and a tiny HTTP client.

:func:`start_api` starts the server in a subprocess (its stdout and stderr — uvicorn's
messages and the API's access log — go to a file, read back by :meth:`ApiServer.log`),
waits for ``/health``, and, when asked, for the address index to be loaded.
:func:`request` sends one request with ``http.client`` (no redirects, no proxy) and
returns ``(status, headers, body)``; :func:`json_request` decodes a JSON answer.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.browser_support import REPO_ROOT, free_port


@dataclass
class ApiServer:
    url: str
    host: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def request(
    server: ApiServer, method: str, path: str, body: bytes | None = None, headers: dict | None = None, chunked=False
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
    try:
        if chunked:
            conn.putrequest(method, path)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            step = 4096
            try:
                for i in range(0, len(body or b""), step):
                    part = body[i : i + step]
                    conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                conn.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (413) and close before the whole body is sent
        else:
            conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def json_request(server: ApiServer, method: str, path: str, payload=None, headers: dict | None = None, raw=None):
    """``(status, headers, decoded JSON)``; ``payload`` is sent as JSON, ``raw`` as is."""
    body = raw if raw is not None else (None if payload is None else json.dumps(payload).encode("utf-8"))
    hdrs = {"Content-Type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
    status, got, data = request(server, method, path, body, hdrs)
    return status, got, json.loads(data) if data else None


def start_api(
    env: dict[str, str], log_path: Path, wait_for_index: bool = False, timeout: float = 180.0, extra_args=()
) -> ApiServer:
    port = free_port()
    host = "127.0.0.1"
    log = log_path.open("wb")
    cmd = [sys.executable, "-m", "tzcld", "serve-api", "--host", host, "--port", str(port), *extra_args]
    process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = ApiServer(f"http://{host}:{port}", host, port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve-api exited with {process.returncode}:\n{server.log()[-3000:]}")
        try:
            status, _, data = request(server, "GET", "/health")
            if status == 200:
                health = json.loads(data)
                if not wait_for_index or health["address_index"] in ("ready", "unavailable"):
                    return server
        except OSError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"serve-api did not become healthy in {timeout:.0f} s:\n{server.log()[-3000:]}")
