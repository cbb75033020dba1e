"""deploy/: the compose file, the Dockerfile, the nginx template and the systemd units say the
same things as the local cluster that CI runs (issue 16). No container daemon here: these
tests read the files; deploy/cluster.py runs what compose.yaml says.

What "the same" means: the services and their commands, environment, health checks and
ports; the nginx configuration (one template, rendered the same way by the proxy image's
script and by the local cluster); the request-size limits of nginx and of the app; the
production settings of Streamlit."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from deploy import cluster as dc
from tzcld import config

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
TEMPLATE = (DEPLOY / "nginx" / "nginx.conf.template").read_text(encoding="utf-8")
DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
SYSTEMD = DEPLOY / "systemd"

#: The operator's own values (deploy/env.example filled in) for the container view.
OPERATOR = {
    "TZCLD_SERVER_NAME": "tableau.exemple.be",
    "TZCLD_DB_PASSWORD": "pw-for-the-test",
    "TZCLD_COOKIE_SECRET": "c" * 64,
}


def _plan(tmp_path: Path, replicas: int = 2) -> dc.Plan:
    ports = {n: 40000 + i for i, n in enumerate(["postgres", "dashboard-1", "dashboard-2", "api", "http", "https"])}
    return dc.Plan(tmp_path, replicas, tmp_path / "idx", tmp_path / "raw", ports, {"db": "d" * 32, "cookie": "k" * 64})


def _env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


def _unit(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), value.strip())
    return out


# ----------------------------------------------------------------------------- compose
def test_interpolation_follows_compose_rules():
    values = {"A": "a", "EMPTY": ""}
    assert dc.interpolate("${A}-$A-${B:-x}-${EMPTY:-y}-${EMPTY-z}-$$A", values) == "a-a-x-y--$A"
    assert dc.interpolate("${B:-${A}/n}", values) == "a/n"
    with pytest.raises(dc.ClusterError, match="required: set it"):
        dc.interpolate("${B:?set it}", values)
    assert dc.variables_in("${A:-${B}} $C $$D") == {"A", "B", "C"}


def test_every_compose_variable_has_a_local_value_or_keeps_its_default(tmp_path):
    used = dc.variables_in(COMPOSE_TEXT)
    local = set(dc.local_values(_plan(tmp_path)))
    assert used - local == dc.KEPT_DEFAULTS, "a compose variable the local cluster does not set"
    assert local - used == set(), "a local value that compose.yaml no longer uses"
    # the operator's required values are all in deploy/env.example
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE_TEXT))
    assert required == set(OPERATOR)
    assert required <= set(_env_file(DEPLOY / "env.example"))


def test_the_services_of_compose_are_the_ones_the_local_cluster_runs(tmp_path):
    services = dc.load_compose(dc.local_values(_plan(tmp_path)))
    assert set(services) == {"postgres", "nginx", *dc.APP_SERVICES}
    for name, svc in services.items():
        assert svc.healthcheck, f"{name} has no health check"
        if name != "nginx":
            assert svc.command, f"{name} has no command"
    # nginx waits for the replicas; every app service waits for PostgreSQL
    assert {"dashboard-1", "dashboard-2", "api", "publisher"} <= set(services["nginx"].depends_on)
    for name in dc.APP_SERVICES:
        assert services[name].depends_on == ("postgres",)


def test_container_and_local_views_differ_only_by_addresses_ports_and_paths(tmp_path):
    local = dc.load_compose(dc.local_values(_plan(tmp_path)))
    container = dc.load_compose(OPERATOR)
    p = _plan(tmp_path).ports
    swaps = {
        "0.0.0.0": "127.0.0.1",
        "8501": None,  # per replica, below
        "8502": str(p["api"]),
        "172.30.16.10": "127.0.0.1",
        "/srv/tzcld/public": str(tmp_path / "public"),
    }
    for name in dc.APP_SERVICES:
        port = {"dashboard-1": p["dashboard-1"], "dashboard-2": p["dashboard-2"]}.get(name)

        def swap(text: str, port=port) -> str:
            for old, new in swaps.items():
                text = text.replace(old, str(port) if new is None else new)
            return text

        assert [swap(a) for a in container[name].command] == list(local[name].command), name
        assert [swap(a) for a in container[name].healthcheck] == list(local[name].healthcheck), name
        keys = set(container[name].environment)
        assert keys == set(local[name].environment), name
    # the same database, reached by its service name in containers and on 127.0.0.1 here
    db = container["api"].environment["TZCLD_DATABASE_URL"]
    assert db == "postgresql://tzcld:pw-for-the-test@postgres:5432/tzcld"
    assert (
        local["api"].environment["TZCLD_DATABASE_URL"]
        == f"postgresql://tzcld:{'d' * 32}@127.0.0.1:{p['postgres']}/tzcld"
    )
    assert container["postgres"].environment == {
        "POSTGRES_USER": "tzcld",
        "POSTGRES_DB": "tzcld",
        "POSTGRES_PASSWORD": "pw-for-the-test",
    }


def test_streamlit_production_settings(tmp_path):
    services = dc.load_compose(OPERATOR)
    first, second = (list(services[n].command) for n in ("dashboard-1", "dashboard-2"))
    assert first == second  # the two replicas are the same (same port inside their containers)
    flags = dict(a.split("=", 1) for a in first if a.startswith("--"))
    assert first[:3] == ["streamlit", "run", "dashboard.py"]
    assert flags["--server.fileWatcherType"] == "none"
    assert flags["--server.runOnSave"] == "false"
    # no full garbage collection after each script run: 3/4 of a view's server CPU (issue 13)
    assert flags["--runner.postScriptGC"] == "false"
    assert flags["--server.enableXsrfProtection"] == "true"
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.headless"] == "true"
    # the upload limit is the app's reading limit (TZCLD_MAX_FILE_MB) and .streamlit/config.toml's
    app_config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert int(flags["--server.maxUploadSize"]) == app_config["server"]["maxUploadSize"]
    assert app_config["runner"]["postScriptGC"] is False  # the same for `streamlit run dashboard.py`
    assert int(flags["--server.maxUploadSize"]) * 1_000_000 == config.FileLimits().max_file_bytes
    # one cookie secret for both replicas (from the operator's .env), never on a command line
    secret = services["dashboard-1"].environment["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert (
        secret
        == services["dashboard-2"].environment["STREAMLIT_SERVER_COOKIE_SECRET"]
        == OPERATOR["TZCLD_COOKIE_SECRET"]
    )
    assert not any(
        OPERATOR["TZCLD_COOKIE_SECRET"] in a or "pw-for-the-test" in a for s in services.values() for a in s.command
    )
    # health endpoints: Streamlit's and the API's (ready once the address index is loaded)
    assert "/_stcore/health" in " ".join(services["dashboard-1"].healthcheck)
    assert services["api"].healthcheck[-2:] == ("http://127.0.0.1:8502/health", "address_index=ready")


def test_streamlit_runs_no_full_garbage_collection_after_each_run():
    """Streamlit's default ``gc.collect(2)`` after every script run walked ~220,000 objects
    (the libraries, the map layers): three quarters of the server's CPU for a returning
    Accueil view (issue 13). ``streamlit run dashboard.py`` from the repository (the bench,
    the browser tests, the image's WORKDIR) reads it off from ``.streamlit/config.toml``.
    (AppTest's script runner never collects, so no page test can see this.)"""
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; print(config.get_option('runner.postScriptGC'))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_accounts_and_state_are_shared_through_the_database():
    services = dc.load_compose(OPERATOR)
    for name in dc.APP_SERVICES:
        env = services[name].environment
        assert env["TZCLD_DATABASE_URL"].startswith("postgresql://")
        assert "TZCLD_ACCOUNTS_FILE" not in env  # accounts in the database (tzcld.auth.accounts_location)
    # the only volume of the app services is the data folder (+ the published site for the publisher)
    raw = yaml.safe_load(COMPOSE_TEXT)["services"]
    for name in ("dashboard-1", "dashboard-2", "api"):
        assert raw[name]["volumes"] == ["data:/srv/tzcld/data"], name
    assert raw["publisher"]["volumes"] == ["data:/srv/tzcld/data", "public:/srv/tzcld/public"]


# ----------------------------------------------------------------------------- Dockerfile
def test_dockerfile_builds_the_index_and_its_settings_are_mapped_locally():
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert stages == [("python:3.11-slim-bookworm", "app"), ("debian:bookworm-slim", "proxy")]
    assert re.search(
        r"RUN python -m tzcld address-index build --raw /opt/tzcld/raw --out /opt/tzcld/address_index", DOCKERFILE
    )
    assert "pip install -r requirements.txt" in DOCKERFILE
    env = dc.dockerfile_env()
    assert env["TZCLD_ADDRESS_INDEX"] == "/opt/tzcld/address_index"
    assert env["TZCLD_DATA_DIR"] == "/srv/tzcld/data" and env["TZCLD_RAW_DIR"] == "/opt/tzcld/raw"
    # every ENV is applied as it is by the local cluster, or is a path it replaces
    assert set(env) - dc.IMAGE_PATHS == {
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "PIP_NO_CACHE_DIR",
        "PIP_DISABLE_PIP_VERSION_CHECK",
    }
    assert dc.dockerfile_env(stage="proxy") == {}
    # the proxy image runs the same template, rendered by the same script
    assert "COPY deploy/nginx/nginx.conf.template deploy/nginx/render.sh deploy/nginx/entrypoint.sh" in DOCKERFILE
    assert "apt-get install -y --no-install-recommends nginx gettext-base curl" in DOCKERFILE
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert {"data", ".venv", ".streamlit/secrets.toml", "deploy/.env", "deploy/tls"} <= set(ignore)


def test_the_local_service_environment_is_the_container_one(tmp_path):
    plan = _plan(tmp_path)
    services = dc.load_compose(dc.local_values(plan))
    env = dc.service_environment(services["dashboard-1"], plan)
    assert env["TZCLD_ADDRESS_INDEX"] == str(plan.index_dir) and env["TZCLD_DATA_DIR"] == str(tmp_path / "data")
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["TZCLD_TRUSTED_PROXIES"] == "127.0.0.1"
    assert "TZCLD_DEMO" not in env and "TZCLD_ACCOUNTS_FILE" not in env  # nothing leaks from this shell
    assert dc.local_argv(("streamlit", "run"))[0].endswith("/streamlit")


def test_same_postgresql_and_nginx_as_the_images():
    bin_dir = dc.pg_bin_dir()
    assert yaml.safe_load(COMPOSE_TEXT)["services"]["postgres"]["image"] == f"postgres:{bin_dir.parent.name}-bookworm"
    if not dc.NGINX_BIN.exists():
        pytest.skip("nginx missing: bash tests/setup.sh")
    version = subprocess.run([str(dc.NGINX_BIN), "-v"], capture_output=True, text=True).stderr
    assert "nginx/1.22." in version  # Debian 12's, as in the proxy image (debian:bookworm-slim)


# ----------------------------------------------------------------------------- nginx
def _nginx_values(tmp_path: Path) -> dict[str, str]:
    return dc.load_compose(dc.local_values(_plan(tmp_path)))["nginx"].environment


def test_template_variables_are_given_everywhere(tmp_path):
    names = set(re.findall(r"\$\{(TZCLD_NGINX_[A-Z0-9_]+)\}", TEMPLATE))
    assert names == set(dc.load_compose(OPERATOR)["nginx"].environment)
    assert names == set(_env_file(SYSTEMD / "nginx.env.example"))
    assert not re.search(r"\$TZCLD_", TEMPLATE)  # always ${…}: the rendering replaces only those


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="envsubst missing: bash tests/setup.sh")
def test_render_script_and_local_cluster_render_the_same_file(tmp_path):
    values = _nginx_values(tmp_path)
    out = tmp_path / "nginx.conf"
    env = {"PATH": os.environ["PATH"], **values}
    done = subprocess.run(
        ["sh", str(DEPLOY / "nginx" / "render.sh"), str(DEPLOY / "nginx" / "nginx.conf.template"), str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == dc.render_template(TEMPLATE, values)
    assert "$request_uri" in out.read_text() and "$tzcld_route" in out.read_text()
    del env["TZCLD_NGINX_API"]
    done = subprocess.run(
        ["sh", str(DEPLOY / "nginx" / "render.sh"), str(DEPLOY / "nginx" / "nginx.conf.template"), str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "TZCLD_NGINX_API" in done.stderr


@pytest.mark.skipif(not dc.NGINX_BIN.exists(), reason="nginx missing: bash tests/setup.sh")
def test_rendered_configuration_passes_nginx_t(tmp_path):
    values = _nginx_values(tmp_path)
    (tmp_path / "tls").mkdir()
    dc.self_signed_certificate(tmp_path / "tls")
    Path(values["TZCLD_NGINX_STATE_DIR"]).mkdir(parents=True)
    Path(values["TZCLD_NGINX_LOG_DIR"]).mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(values["TZCLD_NGINX_STATE_DIR"], values["TZCLD_NGINX_USER"])
    conf = tmp_path / "nginx.conf"
    conf.write_text(dc.render_template(TEMPLATE, values), encoding="utf-8")
    done = subprocess.run(
        [str(dc.NGINX_BIN), "-t", "-c", str(conf), "-e", values["TZCLD_NGINX_LOG_DIR"] + "/error.log"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _location(name: str) -> str:
    """The body of the first ``location … name {`` block (up to its closing brace)."""
    start = TEMPLATE.index(name + " {")
    depth, i = 0, TEMPLATE.index("{", start)
    for j in range(i, len(TEMPLATE)):
        depth += {"{": 1, "}": -1}.get(TEMPLATE[j], 0)
        if depth == 0:
            return TEMPLATE[i : j + 1]
    raise AssertionError(name)


def _size(text: str) -> int:
    value = re.search(r"client_max_body_size (\d+)([km]?);", text)
    assert value, text[:200]
    return int(value.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[value.group(2)]


def test_request_size_limits_match_the_app():
    api = _location("location ^~ /api/")
    assert _size(api) == config.API_MAX_BODY_DEFAULT  # POST /v1/check: 16 KiB
    check_file = _location("location = /api/v1/check-file")
    assert _size(check_file) == config.API_MAX_FILE_DEFAULT + 64 * 1024  # the API's own multipart margin
    upload = _location("location ^~ /_stcore/upload_file/")
    streamlit_mb = 200  # --server.maxUploadSize (Streamlit counts MiB)
    assert streamlit_mb * 1024 * 1024 <= _size(upload) <= (streamlit_mb + 1) * 1024 * 1024
    assert "client_max_body_size 1m;" in TEMPLATE  # everything else
    for block in (api, check_file):
        assert "error_page 413 = @api_too_large;" in block and "limit_req zone=tzcld_api" in block


def test_affinity_websocket_rate_limits_and_logs():
    upstream = _location("upstream tzcld_dashboard")
    assert "hash $tzcld_route consistent;" in upstream
    assert "keepalive_timeout 4s;" in upstream  # below uvicorn's 5 s: no reset taken for a failure
    assert "ip_hash" not in re.sub(r"#.*", "", TEMPLATE)  # every client may come from one address
    assert re.search(r'default\s+"tzcld_route=\$request_id; Path=/; Secure; HttpOnly; SameSite=Lax"', TEMPLATE)
    stream = _location("location = /_stcore/stream")
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert "proxy_read_timeout 3600s;" in stream and "limit_req zone=tzcld_stream" in stream
    assert "proxy_set_header Host $http_host;" in stream  # Streamlit compares Origin with Host (port included)
    for path in ("location ^~ /auth/", "location = /oauth2callback"):
        assert "limit_req zone=tzcld_signin" in _location(path)
    log_format = re.search(r"log_format tzcld ([^;]+);", TEMPLATE).group(1)
    for personal in (
        "$remote_addr",
        "$request_uri",
        "$args",
        "$query_string",
        "$http_cookie",
        "$http_user_agent",
        "$http_referer",
        "$request ",
    ):
        assert personal not in log_format
    assert "$uri" in log_format


def test_csp_allows_our_origin_and_the_tile_servers_only():
    from urllib.parse import urlsplit

    from tzcld import maps
    from tzcld.export.site import TILE_ORIGIN

    csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', TEMPLATE).group(1)
    tiles = dc.load_compose(OPERATOR)["nginx"].environment["TZCLD_NGINX_TILE_ORIGINS"].split()
    expected = {f"https://{urlsplit(u).hostname}" for u in (maps.OSM_TILES, maps.NGI_TILES, TILE_ORIGIN)}
    assert set(tiles) == expected
    directives = dict(
        d.strip().split(" ", 1) for d in csp.replace("${TZCLD_NGINX_TILE_ORIGINS}", " ".join(tiles)).split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["img-src"] == "'self' data: blob: " + " ".join(tiles)
    for name, value in directives.items():
        if name != "img-src":
            assert "http" not in value, (name, value)  # no other site for scripts, styles, frames...
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'self'" and directives["object-src"] == "'none'"


def test_static_site_and_assets_cache_headers():
    site = _location("location ^~ /site/")
    assert "root ${TZCLD_NGINX_PUBLIC_ROOT};" in site and "expires -1;" in site  # pages: revalidated (ETag)
    assert "open_file_cache " not in re.sub(
        r"#.*", "", TEMPLATE
    )  # every request opens its file through the swapped link
    assert "expires 5m;" in _location("location ^~ /site/data/")
    assert "proxy_cache tzcld_assets;" in _location("location ^~ /static/")
    assert "expires 5m;" in _location("location ^~ /app/static/")
    # map layers: named by their content's hash, kept a year; a replica that has not written
    # one yet answers 404 and the next one is asked; the server's security headers still apply
    layers = _location("location ^~ /app/static/layers/")
    assert "expires 365d;" in layers and "http_404" in layers and "add_header" not in re.sub(r"#.*", "", layers)
    assert TEMPLATE.index("location ^~ /app/static/layers/") < TEMPLATE.index("location ^~ /app/static/ {")


def test_the_image_lets_the_replicas_write_their_map_layers():
    from tzcld.map_files import LAYERS_DIR

    relative = LAYERS_DIR.relative_to(REPO).as_posix()
    assert f"/opt/tzcld/{relative}" in DOCKERFILE
    chown = next(line for line in DOCKERFILE.splitlines() if "chown" in line)
    assert f"/opt/tzcld/{relative}" in chown
    compose = dc.load_compose(OPERATOR)
    publish = compose["publisher"].environment["TZCLD_PUBLISH_DIR"]
    assert publish == compose["nginx"].environment["TZCLD_NGINX_PUBLIC_ROOT"] + "/site"


# ----------------------------------------------------------------------------- systemd
def _compose_args(service: str) -> list[str]:
    return list(dc.load_compose(OPERATOR)[service].command)


def test_systemd_units_run_the_compose_commands():
    dashboard = shlex.split(_unit("tzcld-dashboard@.service")["ExecStart"])
    expected = _compose_args("dashboard-1")
    expected = [a.replace("0.0.0.0", "127.0.0.1").replace("--server.port=8501", "--server.port=%i") for a in expected]
    assert dashboard[0] == "/opt/tzcld/.venv/bin/streamlit" and dashboard[1:] == expected[1:]
    api = shlex.split(_unit("tzcld-api.service")["ExecStart"])
    expected = [a.replace("0.0.0.0", "127.0.0.1").replace("172.30.16.10", "127.0.0.1") for a in _compose_args("api")]
    assert api[0] == "/opt/tzcld/.venv/bin/python" and api[1:] == expected[1:]
    publish = shlex.split(_unit("tzcld-publish.service")["ExecStart"])
    assert publish[1:] == _compose_args("publisher")[1:]
    once = shlex.split(_unit("tzcld-export-site.service")["ExecStart"])
    assert once[1:] == ["-m", "tzcld", "export-site", "--atomic"]
    assert _unit("tzcld-export-site.timer")["Unit"] == "tzcld-export-site.service"
    assert _unit("tzcld-backup.timer")["Unit"] == "tzcld-backup.service"
    for name in ("tzcld-dashboard@.service", "tzcld-api.service", "tzcld-publish.service", "tzcld-export-site.service"):
        unit = _unit(name)
        assert unit["EnvironmentFile"] == "/etc/tzcld/tzcld.env" and unit["User"] == "tzcld"
        assert unit["WorkingDirectory"] == "/opt/tzcld" and unit["ProtectSystem"] == "strict"
    # the VM's settings name what the containers get (besides the image's own paths)
    env = set(_env_file(SYSTEMD / "tzcld.env.example"))
    app_env = set(dc.load_compose(OPERATOR)["publisher"].environment) | {"STREAMLIT_SERVER_COOKIE_SECRET"}
    assert app_env - {"TZCLD_PUBLISH_INTERVAL"} <= env
    assert {"TZCLD_DATA_DIR", "TZCLD_ADDRESS_INDEX", "TZCLD_RAW_DIR"} <= env


def test_every_deploy_file_says_what_it_is():
    for path in sorted(DEPLOY.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        head = path.read_text(encoding="utf-8").lstrip()
        if path.suffix == ".py":
            assert head.startswith('"""'), path
        else:
            first = head.splitlines()[0] if head.startswith("#!") is False else head.splitlines()[1]
            assert first.startswith("#"), path
