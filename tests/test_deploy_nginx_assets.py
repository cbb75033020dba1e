"""deploy/nginx: the rendered template in a real nginx (Debian's, as in the proxy image) in
front of a small HTTP server that answers as a Streamlit replica does for its asset files
(the same headers as Streamlit 1.67: components' files "Cache-Control: public" with no
lifetime, compressed by Streamlit; its own /static/ bundles uncompressed).

What a visitor gets through the proxy: a lifetime on every asset whose name carries its
hash (a returning view fetches none again: issue 13, the 225 KB streamlit-folium script
was fetched on each Vérifier view), compression of what the replica sends uncompressed,
the proxy's cache in front of the replicas; the component's frame (index.html) as
Streamlit sends it (no-cache, never cached by the proxy)."""

from __future__ import annotations

import getpass
import gzip
import http.client
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from deploy import cluster as dc

TEMPLATE = (Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "nginx.conf.template").read_text("utf-8")
COMPONENT = "/component/streamlit_folium.st_folium"
SCRIPT = f"{COMPONENT}/static/js/main.521860b0.js"
BUNDLE = "/static/js/index.DormvYxC.js"
BODY = b"function map(){return 'leaflet';}\n" * 6000  # ~200 KB of script, compressible

pytestmark = pytest.mark.skipif(not dc.NGINX_BIN.exists(), reason="nginx missing: bash tests/setup.sh")


class _Replica(BaseHTTPRequestHandler):
    """Streamlit's answers for its asset files; counts the requests per path."""

    hits: ClassVar[dict[str, int]] = {}

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        headers = {"Content-Type": "application/javascript"}
        body = BODY
        if path == f"{COMPONENT}/index.html":
            headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}
            body = b'<!doctype html><script defer src="./static/js/main.521860b0.js"></script>'
        elif path == SCRIPT:  # Streamlit's component handler: gzip when asked, no lifetime
            headers.update({"Cache-Control": "public", "Vary": "Accept-Encoding"})
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = gzip.compress(BODY)
                headers["Content-Encoding"] = "gzip"
        elif path == BUNDLE:  # Streamlit's own bundles: a year, never compressed
            headers["Cache-Control"] = "public, immutable, max-age=31536000"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy(tmp_path):
    """nginx with the rendered template, both dashboard upstreams on the fake replica."""
    replica = ThreadingHTTPServer((dc.HOST, 0), _Replica)
    _Replica.hits = {}
    threading.Thread(target=replica.serve_forever, daemon=True).start()
    port = replica.server_address[1]
    ports = {"postgres": dc.free_port(), "dashboard-1": port, "dashboard-2": port, "api": dc.free_port()}
    ports |= {"http": dc.free_port(), "https": dc.free_port()}
    plan = dc.Plan(tmp_path, 2, tmp_path / "idx", tmp_path / "raw", ports, {"db": "d" * 32, "cookie": "k" * 64})
    values = dict(dc.load_compose(dc.local_values(plan))["nginx"].environment)
    values["TZCLD_NGINX_USER"] = getpass.getuser()  # workers must reach tmp_path (0700)
    (tmp_path / "tls").mkdir()
    dc.self_signed_certificate(tmp_path / "tls")
    for key in ("TZCLD_NGINX_STATE_DIR", "TZCLD_NGINX_LOG_DIR"):
        Path(values[key]).mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(dc.render_template(TEMPLATE, values), encoding="utf-8")
    error_log = values["TZCLD_NGINX_LOG_DIR"] + "/error.log"
    nginx = subprocess.Popen(
        [str(dc.NGINX_BIN), "-c", str(conf), "-e", error_log, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                _get(ports["https"], "/healthz")
                break
            except OSError as exc:
                if nginx.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                nginx.terminate()
                _, err = nginx.communicate(timeout=10)
                raise AssertionError(f"nginx did not start: {err.decode(errors='replace')}") from exc
        yield ports["https"]
    finally:
        nginx.terminate()
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
        replica.shutdown()
        replica.server_close()
        shutil.rmtree(tmp_path / "nginx", ignore_errors=True)


def _get(port: int, path: str, gzip_ok: bool = True) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throw-away certificate
    conn = http.client.HTTPSConnection(dc.HOST, port, context=context, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_component_script_gets_a_lifetime_and_is_served_from_the_proxy_cache(proxy):
    status, headers, body = _get(proxy, SCRIPT)
    assert status == 200 and headers["cache-control"] == "max-age=604800"  # 7 days, not "public"
    assert headers.get("content-encoding") == "gzip" and gzip.decompress(body) == BODY
    for _ in range(3):
        status, headers, body = _get(proxy, SCRIPT + "?v=2")
        assert status == 200 and gzip.decompress(body) == BODY
    status, headers, body = _get(proxy, SCRIPT, gzip_ok=False)  # a client without gzip: plain
    assert status == 200 and "content-encoding" not in headers and body == BODY
    assert _Replica.hits[SCRIPT] == 2  # once per variant (Vary: Accept-Encoding), then the cache


def test_component_frame_is_passed_as_streamlit_sends_it(proxy):
    for _ in range(2):
        status, headers, body = _get(proxy, f"{COMPONENT}/index.html?streamlitUrl=x")
        assert status == 200 and headers["cache-control"] == "no-cache" and b"main.521860b0.js" in body
    assert _Replica.hits[f"{COMPONENT}/index.html"] == 2  # an upgrade of the component is seen at once
    assert headers["x-frame-options"] == "SAMEORIGIN"  # the server's security headers still apply


def test_streamlit_bundles_are_compressed_and_kept(proxy):
    status, headers, body = _get(proxy, BUNDLE)
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == BODY
    assert len(body) < len(BODY) / 10 and headers["cache-control"] == "max-age=604800"
    _get(proxy, BUNDLE)
    assert _Replica.hits[BUNDLE] == 1
