"""The deployment of ``deploy/compose.yaml``, run on 127.0.0.1 without containers.

    bash deploy/local-cluster.sh                  # start, print the addresses, Ctrl-C stops
    bash deploy/local-cluster.sh --check          # start, smoke and load test, figures, stop
    bash deploy/local-cluster.sh --check --visitors 20 --replicas 1

What runs is read from ``deploy/compose.yaml`` and ``deploy/Dockerfile`` — the same services,
commands, environment, health checks and nginx configuration — with the ``${…}`` values of
the compose file replaced by local ones (:func:`local_values`: 127.0.0.1, free ports, a
throw-away folder, random secrets):

- ``postgres``: a throw-away PostgreSQL cluster (Debian's binaries, ``initdb`` then
  ``postgres`` with the compose command's ``-c`` settings; as the ``postgres`` account when
  run as root, which PostgreSQL requires), user and database ``tzcld`` with a password;
- the app services (``dashboard-1``, ``dashboard-2``, ``api``, ``publisher``): their compose
  commands, ``python``/``streamlit`` of the repository's ``.venv``, in the repository (the
  image's working folder), with the Dockerfile's ``ENV`` and the compose ``environment``;
  the address index built first, as the Dockerfile's ``RUN`` does (kept in
  ``data/address_index`` for the next runs, or ``--index DIR``);
- ``nginx``: Debian's nginx with ``deploy/nginx/nginx.conf.template`` rendered from the
  compose ``nginx`` environment (as ``deploy/nginx/render.sh`` does) and a throw-away TLS
  certificate for 127.0.0.1.

Each service is healthy when its compose health check passes (run here with the local
programs). Everything started is stopped at the end — also on Ctrl-C, SIGTERM or a
failure; logs stay in the run folder (printed) when something failed or with ``--keep``.
``--check`` is :mod:`deploy.loadcheck` (smoke test, then N visitors and API checks through
nginx). ``--replicas 1`` starts only ``dashboard-1`` (nginx's two upstream lines then both
name it), for the side-by-side figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
NGINX_TEMPLATE = DEPLOY / "nginx" / "nginx.conf.template"
NGINX_BIN = Path(os.environ.get("TZCLD_NGINX_BIN", "/usr/sbin/nginx"))
HOST = "127.0.0.1"

#: App services of compose.yaml, in start order (postgres first, nginx last, handled apart).
APP_SERVICES = ("api", "dashboard-1", "dashboard-2", "publisher")
#: Compose variables whose container default is kept as it is by the local cluster.
KEPT_DEFAULTS = frozenset(
    {
        "TZCLD_OPEN_DATA_LICENCE",
        "TZCLD_OPEN_DATA_PUBLISHER",
        "TZCLD_OPEN_DATA_CONTACT",
        "TZCLD_TILE_ORIGINS",
        "TZCLD_RAW_CONTEXT",  # a build input (the raw data), not used when running
        "TZCLD_TLS_DIR",  # a volume (the certificate is given by its path here)
    }
)
#: Dockerfile ENV names that are paths in the image: replaced by their local equivalent.
IMAGE_PATHS = frozenset({"PATH", "HOME", "TZCLD_RAW_DIR", "TZCLD_ADDRESS_INDEX", "TZCLD_DATA_DIR"})
#: Seconds to wait for one service's health (the API loads the 0.7 GB address index).
HEALTH_TIMEOUT_S = 300.0


class ClusterError(RuntimeError):
    """The cluster could not start (a service died or never became healthy)."""


# ----------------------------------------------------------------------------- compose file
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(text: str, values: Mapping[str, str]) -> str:
    """Compose's interpolation of ``text``: ``${V}``, ``$V``, ``${V:-default}`` (unset or
    empty), ``${V-default}`` (unset), ``${V:?message}`` / ``${V?message}`` (required), ``$$``."""

    def repl(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3) or ""
        value = values.get(name)
        if op in (":-", ":?"):
            missing = not value
        else:
            missing = value is None
        if op in (":-", "-") and missing:
            return interpolate(arg, values)
        if op in (":?", "?") and missing:
            raise ClusterError(f"compose variable {name} is required: {arg}")
        return value or ""

    return _VAR.sub(repl, text)


def variables_in(text: str) -> set[str]:
    """Names of the ``${…}`` / ``$V`` variables used in ``text`` (defaults included)."""
    names = set()
    for m in _VAR.finditer(text):
        if m.group(0) != "$$":
            names.add(m.group(1) or m.group(4))
            names |= variables_in(m.group(3) or "")
    return names


def _walk(node, fn):
    if isinstance(node, dict):
        return {k: _walk(v, fn) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, fn) for v in node]
    if isinstance(node, str):
        return fn(node)
    return node


@dataclass(frozen=True)
class Service:
    """One compose service, interpolated: ``command`` (argv), ``environment``, health check
    ``test`` (argv, ``CMD`` dropped), ``depends_on`` names."""

    name: str
    command: tuple[str, ...]
    environment: dict[str, str]
    healthcheck: tuple[str, ...]
    depends_on: tuple[str, ...]
    raw: dict = field(repr=False, default_factory=dict)


def load_compose(values: Mapping[str, str], path: Path = COMPOSE_FILE) -> dict[str, Service]:
    """The services of the compose file, with ``values`` for its variables."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = _walk(data, lambda s: interpolate(s, values))
    out: dict[str, Service] = {}
    for name, spec in data["services"].items():
        command = spec.get("command") or []
        if isinstance(command, str):
            command = command.split()
        env = {str(k): "" if v is None else str(v) for k, v in (spec.get("environment") or {}).items()}
        test = list((spec.get("healthcheck") or {}).get("test") or [])
        if test and test[0] in ("CMD", "CMD-SHELL"):
            test = test[1:] if test[0] == "CMD" else ["sh", "-c", " ".join(test[1:])]
        deps = spec.get("depends_on") or []
        out[name] = Service(
            name,
            tuple(str(c) for c in command),
            env,
            tuple(str(t) for t in test),
            tuple(deps if isinstance(deps, list) else deps.keys()),
            spec,
        )
    return out


def dockerfile_env(path: Path = DOCKERFILE, stage: str = "app") -> dict[str, str]:
    """The ``ENV`` settings of one stage of the Dockerfile (``KEY=VALUE`` forms, continued lines)."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"FROM\s+\S+(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if m:
            current = (m.group(1) or "").lower()
            continue
        if current == stage and line.upper().startswith("ENV "):
            for key, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\S+)", line[4:]):
                env[key] = value.strip('"')
    return env


def render_template(template: str, values: Mapping[str, str]) -> str:
    """``deploy/nginx/render.sh``'s rendering: every ``${TZCLD_NGINX_*}`` replaced by its
    value (each must be given), nothing else touched."""
    names = set(re.findall(r"\$\{(TZCLD_NGINX_[A-Z0-9_]+)\}", template))
    missing = sorted(n for n in names if n not in values)
    if missing:
        raise ClusterError(f"nginx template: unset variables {', '.join(missing)}")
    return re.sub(r"\$\{(TZCLD_NGINX_[A-Z0-9_]+)\}", lambda m: values[m.group(1)], template)


# ----------------------------------------------------------------------------- local values
def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_TAKEN: set[int] = set()


def free_port() -> int:
    """A port free on 127.0.0.1 now, BELOW the ephemeral range: the kernel never gives it to
    an outgoing connection (or to another program asking for "any free port") between this
    choice and the service's start. Never twice in one process."""
    import random

    low, _high = _ephemeral_range()
    for _ in range(200):
        port = random.randint(20000, max(20001, low - 1))
        if port in _TAKEN:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        _TAKEN.add(port)
        return port
    raise ClusterError("no free port found on 127.0.0.1")


@dataclass
class Plan:
    """Where everything goes on this machine for one run."""

    run_dir: Path
    replicas: int
    index_dir: Path
    raw_dir: Path
    ports: dict[str, int]
    secrets: dict[str, str]

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.ports['https']}"

    @property
    def http_origin(self) -> str:
        return f"http://{HOST}:{self.ports['http']}"

    def url(self, service: str) -> str:
        return f"http://{HOST}:{self.ports[service]}"


def nginx_user() -> str:
    """Worker account of the local nginx: the image's (www-data) when we are root."""
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("www-data")
            return "www-data"
        except KeyError:
            return "root"
    import getpass

    return getpass.getuser()


def local_values(plan: Plan) -> dict[str, str]:
    """The compose variables, for this machine (every other variable keeps its default:
    :data:`KEPT_DEFAULTS`)."""
    p = plan.ports
    second = "dashboard-2" if plan.replicas >= 2 else "dashboard-1"
    return {
        "TZCLD_SERVER_NAME": HOST,
        "TZCLD_PUBLIC_PORT_SUFFIX": f":{p['https']}",
        "TZCLD_DB_PASSWORD": plan.secrets["db"],
        "TZCLD_COOKIE_SECRET": plan.secrets["cookie"],
        "TZCLD_DB_HOST": HOST,
        "TZCLD_DB_PORT": str(p["postgres"]),
        "TZCLD_BIND": HOST,
        "TZCLD_DASHBOARD_1_HOST": HOST,
        "TZCLD_DASHBOARD_1_PORT": str(p["dashboard-1"]),
        "TZCLD_DASHBOARD_2_HOST": HOST,
        "TZCLD_DASHBOARD_2_PORT": str(p[second]),
        "TZCLD_API_HOST": HOST,
        "TZCLD_API_PORT": str(p["api"]),
        "TZCLD_PROXY_ADDRESS": HOST,
        "TZCLD_PUBLIC_DIR": str(plan.run_dir / "public"),
        "TZCLD_LISTEN": HOST,
        "TZCLD_HTTP_PORT": str(p["http"]),
        "TZCLD_HTTPS_PORT": str(p["https"]),
        "TZCLD_TLS_CERT_PATH": str(plan.run_dir / "tls" / "fullchain.pem"),
        "TZCLD_TLS_KEY_PATH": str(plan.run_dir / "tls" / "privkey.pem"),
        "TZCLD_NGINX_RUN_USER": nginx_user(),
        "TZCLD_NGINX_STATE": str(plan.run_dir / "nginx" / "state"),
        "TZCLD_NGINX_LOGS": str(plan.run_dir / "nginx" / "logs"),
        "TZCLD_DEBUG_UPSTREAM": "on",
    }


def image_path_values(plan: Plan) -> dict[str, str]:
    """The local equivalent of the Dockerfile's path settings (:data:`IMAGE_PATHS`)."""
    venv_bin = Path(sys.executable).parent
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(plan.run_dir / "home"),
        "TZCLD_RAW_DIR": str(plan.raw_dir),
        "TZCLD_ADDRESS_INDEX": str(plan.index_dir),
        "TZCLD_DATA_DIR": str(plan.run_dir / "data"),
    }


def service_environment(service: Service, plan: Plan) -> dict[str, str]:
    """What a container of ``service`` would have: the Dockerfile's ``ENV`` (paths made
    local), then the compose ``environment`` (which wins, as in Docker)."""
    env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    local = image_path_values(plan)
    for key, value in dockerfile_env().items():
        env[key] = local[key] if key in IMAGE_PATHS else value
    for key in IMAGE_PATHS:
        env.setdefault(key, local[key])
    env.update(service.environment)
    return env


def local_argv(argv: tuple[str, ...], pg_bin: Path | None = None) -> list[str]:
    """A container command with this machine's programs (the venv's python and streamlit,
    PostgreSQL's and the system's tools)."""
    venv_bin = Path(sys.executable).parent
    program = argv[0]
    if program in ("python", "python3"):
        exe = sys.executable
    elif program == "streamlit":
        exe = str(venv_bin / "streamlit")
    elif pg_bin is not None and (pg_bin / program).exists():
        exe = str(pg_bin / program)
    else:
        exe = shutil.which(program) or program
    return [exe, *argv[1:]]


# ----------------------------------------------------------------------------- TLS
def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (two days), as ``fullchain.pem`` / ``privkey.pem``."""
    import datetime as dt
    import ipaddress

    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:  # the openssl program does the same
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-keyout", str(key_path), "-out", str(cert_path), "-days", "2", "-subj", f"/CN={HOST}"]
            + ["-addext", f"subjectAltName=IP:{HOST}"],
            check=True,
            capture_output=True,
        )
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tzcld local cluster")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def insecure_tls() -> ssl.SSLContext:
    """A client TLS context for the throw-away certificate (loopback only)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


# ----------------------------------------------------------------------------- processes
def pg_bin_dir() -> Path:
    env = os.environ.get("TZCLD_PG_BIN")
    candidates = [Path(env)] if env else sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for c in candidates:
        if (c / "initdb").exists() and (c / "postgres").exists():
            return c
    raise ClusterError("PostgreSQL server programs not found (/usr/lib/postgresql/*/bin): run bash tests/setup.sh")


@dataclass
class Running:
    name: str
    process: subprocess.Popen
    log: Path


class Cluster:
    """The local deployment: :meth:`start`, then :meth:`stop` (or use it as a context manager).

    ``replicas`` 1 or 2; ``index_dir`` the address index (built there first when missing);
    ``run_dir`` where the throw-away state and the logs go (a new temporary folder by default).
    """

    def __init__(
        self,
        replicas: int = 2,
        index_dir: Path | None = None,
        run_dir: Path | None = None,
        say: Callable[[str], None] = print,
        keep: bool = False,
    ) -> None:
        if replicas not in (1, 2):
            raise ValueError("replicas: 1 or 2")
        from tzcld.runtime import Settings

        settings = Settings.from_env()

        root = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="tzcld-cluster-"))
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)  # PostgreSQL's and nginx's accounts must reach their folders
        names = ["postgres", "dashboard-1", "dashboard-2", "api", "http", "https"]
        self.plan = Plan(
            run_dir=root,
            replicas=replicas,
            index_dir=Path(index_dir) if index_dir else settings.data_dir / "address_index",
            raw_dir=settings.raw_dir,
            ports={n: free_port() for n in names},
            secrets={"db": secrets.token_hex(16), "cookie": secrets.token_hex(32)},
        )
        self.say = say
        self.keep = keep
        self.values = local_values(self.plan)
        self.services = load_compose(self.values)
        self.pg_bin = pg_bin_dir()
        self.running: dict[str, Running] = {}
        self.failed = False
        self._stopped = False

    # ------------------------------------------------------------------ life cycle
    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and not issubclass(exc_type, KeyboardInterrupt):  # Ctrl-C: not a failure
            self.failed = True
        self.stop()

    @property
    def app_services(self) -> tuple[str, ...]:
        return tuple(s for s in APP_SERVICES if self.plan.replicas >= 2 or s != "dashboard-2")

    def start(self) -> None:
        """Start everything (PostgreSQL, the app services, nginx) and wait for their health.
        On any failure, stop what was started and raise :class:`ClusterError`."""
        t0 = time.monotonic()
        try:
            self._prepare()
            self.start_postgres(initialise=True)
            for name in self.app_services:
                self.start_service(name)
            for name in self.app_services:
                self.wait_healthy(name)
            self.start_nginx()
            self.wait_healthy("nginx")
            self._wait_https()
        except BaseException:
            self.failed = True
            self.stop()
            raise
        self.say(f"cluster: up in {time.monotonic() - t0:.0f} s — {self.plan.origin}/ (run folder {self.plan.run_dir})")

    def stop(self) -> None:
        """Stop everything started (nginx first, PostgreSQL last); keep the run folder only
        when something failed or ``keep``."""
        if self._stopped:
            return
        self._stopped = True
        order = ["nginx", "publisher", "dashboard-2", "dashboard-1", "api", "postgres"]
        for name in order:
            if name in self.running:
                self._terminate(name)
        if self.failed or self.keep:
            self.say(f"cluster: logs kept in {self.plan.run_dir}")
        else:
            shutil.rmtree(self.plan.run_dir, ignore_errors=True)

    def _prepare(self) -> None:
        run = self.plan.run_dir
        for sub in ("data", "public", "home", "logs", "nginx/state", "nginx/logs"):
            (run / sub).mkdir(parents=True, exist_ok=True)
            os.chmod(run / sub, 0o755)
        self_signed_certificate(run / "tls")
        self._ensure_index()

    def _ensure_index(self) -> None:
        """The Dockerfile's ``RUN python -m tzcld address-index build``: done once (the
        folder is kept for the next runs), atomic and under a lock (tzcld.geocode.register)."""
        import json

        from tzcld.geocode.register import INDEX_FORMAT

        meta = self.plan.index_dir / "meta.json"
        try:
            if json.loads(meta.read_text(encoding="utf-8")).get("format") == INDEX_FORMAT:
                return
        except (OSError, ValueError):
            pass
        self.say(f"cluster: building the address index in {self.plan.index_dir} (about 30 s)…")
        argv = local_argv(
            (
                "python",
                "-m",
                "tzcld",
                "address-index",
                "build",
                "--raw",
                str(self.plan.raw_dir),
                "--out",
                str(self.plan.index_dir),
            )
        )
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ClusterError(f"address index build failed:\n{done.stderr[-2000:]}")

    # ------------------------------------------------------------------ PostgreSQL
    def _pg_user(self) -> dict:
        return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}

    def start_postgres(self, initialise: bool = False) -> None:
        """PostgreSQL as compose's ``postgres`` service: ``initdb`` with its POSTGRES_* user,
        password and database the first time, then ``postgres`` with its command's settings."""
        svc = self.services["postgres"]
        folder = self.plan.run_dir / "postgres"
        data = folder / "data"
        env = svc.environment
        if initialise:
            folder.mkdir(parents=True, exist_ok=True)
            pwfile = folder / "pwfile"
            pwfile.write_text(env["POSTGRES_PASSWORD"] + "\n", encoding="utf-8")
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            os.chmod(folder, 0o700)
            os.chmod(pwfile, 0o600)
            init = [
                str(self.pg_bin / "initdb"),
                "-D",
                str(data),
                "-U",
                env["POSTGRES_USER"],
                "--pwfile",
                str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ]
            done = subprocess.run(init, capture_output=True, text=True, cwd=folder, check=False, **self._pg_user())
            pwfile.unlink()
            if done.returncode != 0:
                raise ClusterError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        argv = local_argv(svc.command, self.pg_bin)
        argv += ["-D", str(data), "-c", f"listen_addresses={HOST}", "-c", f"unix_socket_directories={folder}"]
        self._spawn("postgres", argv, {"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, cwd=folder, **self._pg_user())
        self.wait_healthy("postgres")
        if initialise:
            self._create_database(env["POSTGRES_USER"], env["POSTGRES_DB"], env["POSTGRES_PASSWORD"])

    def _create_database(self, user: str, db: str, password: str) -> None:
        import psycopg

        port = self.plan.ports["postgres"]
        with psycopg.connect(
            host=HOST, port=port, user=user, password=password, dbname="postgres", autocommit=True
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
                conn.execute(f'CREATE DATABASE "{db}" OWNER "{user}"')

    def stop_postgres(self, mode: str = "fast") -> None:
        """Stop PostgreSQL (``fast``: SIGINT, ``immediate``: SIGQUIT, as a crash)."""
        sig = signal.SIGQUIT if mode == "immediate" else signal.SIGINT
        self._terminate("postgres", sig)

    # ------------------------------------------------------------------ services
    def start_service(self, name: str) -> None:
        """Start one app service with its compose command and environment."""
        svc = self.services[name]
        self._spawn(name, local_argv(svc.command), service_environment(svc, self.plan), cwd=REPO)

    def stop_service(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one service (default SIGKILL: as a crash)."""
        self._terminate(name, sig)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, **user) -> None:
        log = self.plan.run_dir / "logs" / f"{name}.log"
        fh = log.open("ab")
        # If this process is killed outright (SIGKILL: no clean-up), the kernel stops the
        # service too: PostgreSQL with a fast shutdown, the others with SIGTERM.
        death = signal.SIGINT if name == "postgres" else signal.SIGTERM
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(death),
            **user,
        )
        fh.close()
        self.running[name] = Running(name, process, log)

    def _terminate(self, name: str, sig: int = signal.SIGTERM, grace_s: float = 20.0) -> None:
        run = self.running.pop(name, None)
        if run is None or run.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.process.pid, sig)
        try:
            run.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        run = self.running.get(name)
        return run is not None and run.process.poll() is None

    def log_tail(self, name: str, n: int = 4000) -> str:
        path = self.plan.run_dir / "logs" / f"{name}.log"
        try:
            return path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    # ------------------------------------------------------------------ health
    def healthy(self, name: str) -> bool:
        """The service's compose health check, run with this machine's programs."""
        test = self.services[name].healthcheck
        if not test:
            return True
        if test[0] == "curl" and shutil.which("curl") is None:  # the same check without curl
            url = next(a for a in test if a.startswith("http"))
            return _http_ok(url)
        argv = local_argv(test, self.pg_bin)
        env = service_environment(self.services[name], self.plan) if name in APP_SERVICES else dict(os.environ)
        try:
            done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=20, check=False)
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0

    def wait_healthy(self, name: str, timeout_s: float = HEALTH_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive(name):
                raise ClusterError(f"{name} stopped while starting:\n{self.log_tail(name)}")
            if self.healthy(name):
                return
            time.sleep(1.0)
        raise ClusterError(f"{name} not healthy after {timeout_s:.0f} s:\n{self.log_tail(name)}")

    def _wait_https(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _http_ok(f"{self.plan.origin}/healthz"):
                return
            time.sleep(0.5)
        raise ClusterError(f"nginx does not answer on {self.plan.origin}:\n{self.log_tail('nginx')}")

    # ------------------------------------------------------------------ nginx
    def nginx_config(self) -> str:
        return render_template(NGINX_TEMPLATE.read_text(encoding="utf-8"), self.services["nginx"].environment)

    def start_nginx(self) -> None:
        """nginx as the proxy image starts it (deploy/nginx/entrypoint.sh): rendered, tested, run."""
        if not NGINX_BIN.exists():
            raise ClusterError(f"{NGINX_BIN} not found: run bash tests/setup.sh (Debian's nginx)")
        env = self.services["nginx"].environment
        folder = self.plan.run_dir / "nginx"
        conf = folder / "nginx.conf"
        conf.write_text(self.nginx_config(), encoding="utf-8")
        state = Path(env["TZCLD_NGINX_STATE_DIR"])
        state.mkdir(parents=True, exist_ok=True)
        Path(env["TZCLD_NGINX_LOG_DIR"]).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(state, env["TZCLD_NGINX_USER"])
        error_log = str(Path(env["TZCLD_NGINX_LOG_DIR"]) / "error.log")
        tested = subprocess.run(
            [str(NGINX_BIN), "-t", "-q", "-c", str(conf), "-e", error_log], capture_output=True, text=True, check=False
        )
        if tested.returncode != 0:
            raise ClusterError(f"nginx -t failed:\n{tested.stderr}")
        self._spawn("nginx", [str(NGINX_BIN), "-c", str(conf), "-e", error_log, "-g", "daemon off;"], {}, cwd=folder)

    def nginx_access_log(self) -> str:
        try:
            return (Path(self.services["nginx"].environment["TZCLD_NGINX_LOG_DIR"]) / "access.log").read_text()
        except OSError:
            return ""

    def replica_of(self, upstream: str) -> str | None:
        """``dashboard-1`` / ``dashboard-2`` for an upstream address ``127.0.0.1:PORT``."""
        for name in ("dashboard-1", "dashboard-2"):
            if upstream.endswith(f":{self.plan.ports[name]}"):
                return name
        return None


def _die_with_parent(sig: int) -> Callable[[], None]:
    """``preexec_fn``: Linux's ``PR_SET_PDEATHSIG`` (set after the change of account, which
    would clear it), so that a service never outlives the cluster process."""

    def set_signal() -> None:
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    return set_signal


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5, context=insecure_tls()) as response:
            return response.status == 200
    except Exception:  # noqa: BLE001 - not up yet
        return False


# ----------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bash deploy/local-cluster.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="smoke test and bounded load test, then stop")
    parser.add_argument("--replicas", type=int, choices=(1, 2), default=2, help="dashboard replicas (default 2)")
    parser.add_argument("--visitors", type=int, default=10, help="--check: concurrent dashboard visitors (default 10)")
    parser.add_argument("--api-clients", type=int, default=8, help="--check: concurrent API clients (default 8)")
    parser.add_argument("--api-checks", type=int, default=40, help="--check: single checks per API client (default 40)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="--check: bound of the load test in seconds")
    parser.add_argument("--no-browser", action="store_true", help="--check: no chromium smoke test (upload, CSP)")
    parser.add_argument("--index", type=Path, default=None, help="address index folder (default data/address_index)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs) at the end")
    parser.add_argument("--json", type=Path, default=None, help="--check: also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.visitors <= 200 or not 1 <= args.api_clients <= 50 or not 1 <= args.api_checks <= 100:
        parser.error(
            "--visitors 1..200, --api-clients 1..50, --api-checks 1..100 (the API allows 120 a minute per client)"
        )

    stopping = {"signal": None}

    def on_signal(signum, _frame) -> None:
        stopping["signal"] = signum
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        with Cluster(args.replicas, args.index, keep=args.keep) as cluster:
            if args.check:
                from deploy.loadcheck import run_check

                report = run_check(
                    cluster,
                    visitors=args.visitors,
                    api_clients=args.api_clients,
                    api_checks=args.api_checks,
                    time_limit_s=args.time_limit,
                    browser=not args.no_browser,
                )
                print(report.text(), flush=True)
                if args.json:
                    args.json.write_text(report.json(), encoding="utf-8")
                if not report.passed:
                    cluster.failed = True
                    code = 1
            else:
                print(
                    f"Tableau de bord : {cluster.plan.origin}/   API : {cluster.plan.origin}/api/   "
                    f"site statique : {cluster.plan.origin}/site/\n(certificat jetable : acceptez-le ; Ctrl-C arrête tout)",
                    flush=True,
                )
                while all(cluster.alive(n) for n in ("nginx", "postgres", *cluster.app_services)):
                    time.sleep(1.0)
                print("cluster: a service stopped:", [n for n in cluster.running if not cluster.alive(n)], flush=True)
                cluster.failed = True
                code = 1
    except KeyboardInterrupt:
        print("cluster: stopped" + (" (SIGTERM)" if stopping["signal"] else " (Ctrl-C)"), file=sys.stderr)
        return 130
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
