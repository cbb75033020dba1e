"""``python -m tzcld serve-api [--host 127.0.0.1] [--port 8502] [--root-path /api]
[--forwarded-allow-ips 127.0.0.1]``: the HTTP API (:mod:`tzcld.api`) under uvicorn.

One process per command: to use more cores, start several on other ports behind the
reverse proxy (uvicorn's own ``--workers`` share one listening socket whose connections
miss ``TCP_NODELAY``: 40 ms per keep-alive request, measured — see bench/README.md).

Settings (limits, keys, CORS): :attr:`tzcld.runtime.Settings.api` (``TZCLD_API_*``); they are
read and checked before the server starts (a bad one: a French message, exit code 2). uvicorn's own
access log is off (it logs query strings); the API's access log (method, path, status,
time) goes to stderr with uvicorn's messages. Behind a reverse proxy, ``--root-path`` is
the path the proxy publishes the API under, and ``--forwarded-allow-ips`` the proxy's
address, whose ``X-Forwarded-For`` then gives the client address for the rate limit.
"""

from __future__ import annotations

import argparse
import socket
import sys

from tzcld.i18n import DEFAULT_LANG, t

DEFAULT_PORT = 8502

#: Logging of the API process: uvicorn's messages and the API's access lines on stderr;
#: uvicorn's access logger silenced.
LOG_CONFIG: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "tzcld": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve-api",
        help="servir l'API HTTP de vérification d'adresse (JSON, POST)",
        description=(
            "API HTTP sur la même vérification que le tableau de bord : POST /v1/check, POST /v1/check-file, "
            "GET /v1/territories, GET /health, /openapi.json. Les adresses ne passent que dans le corps des "
            "requêtes POST et ne sont ni enregistrées ni journalisées."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (défaut {DEFAULT_PORT})")
    p.add_argument("--root-path", default=None, help="chemin sous lequel un mandataire publie l'API (ex. /api)")
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="adresses des mandataires dont X-Forwarded-For est cru (défaut 127.0.0.1)",
    )
    p.add_argument("--log-level", default="info", choices=("warning", "info", "debug"), help="niveau des journaux")
    p.set_defaults(handler=run)


def _bind_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port``: ``"busy"`` (the port is taken),
    ``"host"`` (no such address on this machine, or not an address), or ``None``."""
    import errno

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror:
            return "host"
        except OSError as exc:
            return "busy" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "host"
    return None


def run(args: argparse.Namespace) -> int:
    from tzcld.config import SettingError
    from tzcld.perimeters.provider import REFRESH_S
    from tzcld.runtime import Runtime, Settings

    lang = DEFAULT_LANG
    try:
        from tzcld.api.app import ApiDependencies

        settings = Settings.from_env().replace(api_root_path=args.root_path)
        deps = ApiDependencies.from_runtime(Runtime(settings, refresh_s=REFRESH_S))  # settings checked now
        root_path = deps.settings.root_path
    except SettingError as exc:
        print(t("api.cli.bad_setting", lang, message=str(exc)), file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(t("api.cli.bad_setting", lang, message=f"--port {args.port}"), file=sys.stderr)
        return 2
    problem = _bind_problem(args.host, args.port)
    if problem == "host":
        print(t("api.cli.bad_host", lang, host=args.host), file=sys.stderr)
        return 2
    if problem:
        print(t("api.cli.port_busy", lang, host=args.host, port=args.port), file=sys.stderr)
        return 2
    import uvicorn

    from tzcld.api.app import create_app

    print(t("api.cli.running", lang, host=args.host, port=args.port), file=sys.stderr)
    uvicorn.run(
        create_app(deps),
        host=args.host,
        port=args.port,
        root_path=root_path,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=False,
        server_header=False,
        log_config=LOG_CONFIG,
        log_level=args.log_level,
    )
    return 0
