"""The API's outermost layer: one access-log line per request, and no error escapes.

An access line carries the method, the path, the status and the time taken — nothing
else: no query string, no client address, no header, nothing of the body. A path that
is not one of the API's routes is logged as ``-`` (a client could put an address in a
URL), and so is a parameterised path that failed (``/v1/territories/{territory_id}``
then). Any exception is answered with the ``internal`` error (500, French and English)
and logged by its type only: exception messages can quote what a client sent.

Logger: ``tzcld.api.access`` (access lines) and ``tzcld.api`` (errors). uvicorn's own
access log is turned off by ``serve-api`` (it would log query strings).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match

from tzcld.api.errors import ApiError

access_log = logging.getLogger("tzcld.api.access")
error_log = logging.getLogger("tzcld.api")


class AccessLog:
    """ASGI middleware (see the module docstring). ``routes``: the app's routes."""

    def __init__(self, app, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.routes = routes

    def _logged_path(self, scope, status: int) -> str:
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        probe = {**scope, "path": path, "root_path": "", "method": "GET"}
        for route in self.routes:
            match, _ = route.matches(probe)
            if match is not Match.NONE:
                template = getattr(route, "path", path)
                return path if ("{" not in template or status < 400) else template
        return "-"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state = {"status": 500, "started": False}

        async def tracked_send(message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = int(message["status"])
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:  # noqa: BLE001 - never let a traceback (with request data) reach the logs
            error_log.error("Unhandled %s while serving %s", type(exc).__name__, self._logged_path(scope, 500))
            if not state["started"]:
                response = ApiError(500, "internal").response()
                await response(scope, receive, tracked_send)
        finally:
            elapsed = (time.perf_counter() - start) * 1000.0
            access_log.info(
                "%s %s %d %.1f ms",
                scope.get("method", "?"),
                self._logged_path(scope, state["status"]),
                state["status"],
                elapsed,
            )
