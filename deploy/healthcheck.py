"""Health check of a service, for compose.yaml, the systemd units and the local cluster.

    python deploy/healthcheck.py URL [FIELD=VALUE ...]

Exit 0 when ``URL`` answers 200 within 5 s (and, for a JSON answer, when every ``FIELD``
has that ``VALUE``, e.g. ``address_index=ready`` for the API's ``/health``); 1 otherwise,
with one line saying why. Standard library only: it runs in the app image as it is.
"""

from __future__ import annotations

import json
import sys
import urllib.request


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: healthcheck.py URL [FIELD=VALUE ...]", file=sys.stderr)
        return 2
    url, wanted = argv[0], dict(arg.split("=", 1) for arg in argv[1:])
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read()
            status = response.status
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {type(exc).__name__}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: HTTP {status}", file=sys.stderr)
        return 1
    if wanted:
        try:
            data = json.loads(body)
        except ValueError:
            print("unhealthy: not JSON", file=sys.stderr)
            return 1
        for field, value in wanted.items():
            if str(data.get(field)) != value:
                print(f"not ready: {field}={data.get(field)}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
