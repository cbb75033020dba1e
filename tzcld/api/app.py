"""The HTTP API over the address check: a Starlette app (:func:`create_app`).

Routes (``/v1`` is the contract; see :mod:`tzcld.api.openapi` for the full document):

- ``POST /v1/check`` — one address or point (JSON, :mod:`tzcld.api.inputs`) → the fields of
  ``check --json`` (:func:`tzcld.check_cli.answer_json`) plus ``warnings``;
- ``POST /v1/check-file`` — a CSV or XLSX (raw body, or the ``file`` field of a multipart
  form; options in the query string: ``column`` (repeatable), ``lat_column``,
  ``lon_column``, ``as_of``, ``lang``, ``tolerance_m``, ``sep``) → the results CSV of
  ``check-file`` (same columns, same reading limits, at most ``TZCLD_API_MAX_ROWS`` rows),
  read, checked and written by chunks (:func:`tzcld.batch_stream.check_stream`) to a temporary
  file that is unlinked once opened and streamed back: the memory of a file check does not grow
  with its rows;
- any other method on those two → 405 (a GET carrying an address gets a message saying why);
- ``GET /v1/territories`` (GeoJSON, RFC 7946) and ``GET /v1/territories/{id}``;
- ``GET /health``, ``GET /openapi.json``, ``GET /`` (a short page, French and English).

Every verdict comes from :class:`tzcld.check.Checker` over the published perimeters
(:class:`tzcld.perimeters.provider.PerimeterProvider`, the runtime's); nothing here decides a verdict. Nothing of
a request body is logged or stored (:mod:`tzcld.api.access`); answers carrying personal
data are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tzcld.api.access import AccessLog
from tzcld.api.errors import NO_STORE, ApiError, Size, both
from tzcld.api.guard import KeyCheck, RateLimiter, client_address, read_body
from tzcld.api.inputs import (
    CheckRequest,
    check_request,
    parse_as_of_field,
    parse_json_object,
    parse_lang,
    parse_tolerance,
)
from tzcld.api.sources import GeocoderProvider, IndexLoading, IndexUnavailable
from tzcld.config import ApiSettings, FileLimits
from tzcld.perimeters.provider import PerimeterProvider

if TYPE_CHECKING:
    from tzcld.eligibility import Classifier
    from tzcld.runtime import Runtime

__all__ = ["ApiDependencies", "ApiSettings", "create_app"]

log = logging.getLogger("tzcld.api")

API_VERSION = "1"
#: File checks run one at a time (2 cores); this many more may wait, later ones get 503.
FILE_QUEUE = 4
#: Query parameters of ``POST /v1/check-file``.
FILE_PARAMETERS: tuple[str, ...] = ("column", "lat_column", "lon_column", "as_of", "lang", "tolerance_m", "sep")
#: Query parameters that would carry an address or a point (refused on any method).
ADDRESS_PARAMETERS = frozenset({"address", "adresse", "q", "query", "lat", "lon", "lng", "x", "y", "text"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Reading limits on bytes (the file as received, or once decompressed): 413, as a body too large.
BYTE_LIMITS = frozenset({"errors.limit.file", "errors.limit.uncompressed"})
FILE_TYPES: tuple[str, ...] = ("text/csv", "text/plain", XLSX_TYPE, "application/octet-stream", "multipart/form-data")


@dataclass
class ApiDependencies:
    """What the app works with: the perimeters, the geocoder (``None``: coordinates only),
    the settings (:class:`tzcld.config.ApiSettings`), the reading limits of files
    (:class:`tzcld.config.FileLimits`, capped by :attr:`ApiSettings.max_rows`) and what to
    close at shutdown.
    :meth:`from_runtime` takes them from the process's :class:`tzcld.runtime.Runtime`; a test
    may pass its own."""

    perimeters: PerimeterProvider
    geocoder: GeocoderProvider | None
    settings: ApiSettings = field(default_factory=ApiSettings)
    close: Callable[[], None] = lambda: None
    file_limits: FileLimits = field(default_factory=FileLimits)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> ApiDependencies:
        """The runtime's published perimeters, its offline geocoder (loaded in the background)
        and its API settings (raises :class:`tzcld.config.SettingError` for a bad one)."""
        return cls(
            runtime.perimeters,
            GeocoderProvider(factory=runtime.register_geocoder),
            runtime.settings.api,
            runtime.close,
            runtime.settings.file_limits,
        )


class _WithMargin:
    """A classifier whose near-boundary margin is ``margin_m`` (≥ the default): answers
    closer than that to a boundary become "à vérifier". Everything else is the classifier's."""

    def __init__(self, classifier, margin_m: float) -> None:
        self._classifier = classifier
        self._margin = margin_m

    def classify(self, x, y, sectors=None, margin_m: float | None = None, with_distance: bool = True):
        margin = max(self._margin, margin_m or 0.0)
        return self._classifier.classify(x, y, sectors=sectors, margin_m=margin, with_distance=with_distance)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._classifier, name)


def _json(data: Any, status: int = 200, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)


def create_app(deps: ApiDependencies) -> Starlette:
    """The API app over ``deps`` (see the module docstring)."""
    from tzcld.api.openapi import openapi_document
    from tzcld.api.page import page_csp, page_html

    settings = deps.settings
    keys = KeyCheck(settings.api_keys)
    limiter = RateLimiter(settings.rate_limit)
    file_limiter = anyio.CapacityLimiter(1)
    queue = {"waiting": 0}
    territories_cache: dict[str, tuple[bytes, dict[str, bytes]]] = {}

    def guard(request: Request, needs_key: bool) -> None:
        client = keys.client(request) if needs_key else None
        limiter.hit(client or client_address(request))

    def refuse_other_methods(request: Request) -> None:
        """Only POST carries an address or a point, and never in the URL."""
        in_query = any(k.lower() in ADDRESS_PARAMETERS for k in request.query_params)
        if request.method != "POST":
            if in_query:
                raise ApiError(405, "address_in_query", headers={"Allow": "POST"})
            raise ApiError(405, "method_not_allowed", headers={"Allow": "POST"}, method=request.method, allowed="POST")
        if in_query:
            raise ApiError(400, "address_in_query")

    # ------------------------------------------------------------------ checks
    def the_geocoder():
        """The offline geocoder, or the 503 of an index missing or still loading."""
        if deps.geocoder is None:
            raise ApiError(503, "index_unavailable")
        try:
            return deps.geocoder.get()
        except IndexLoading:
            raise ApiError(503, "index_loading", headers={"Retry-After": "5"}) from None
        except IndexUnavailable:
            raise ApiError(503, "index_unavailable") from None

    def checker_for(req_as_of, tolerance, lang, need_geocoder: bool, lazy: bool = False):
        """``lazy``: the geocoder asked for on the first address looked up (a file whose cells
        are all coordinates is checked without the index, as lat/lon columns are)."""
        from tzcld.check import Checker
        from tzcld.geocode.base import LazyGeocoder

        per = deps.perimeters.resolve(req_as_of)
        # _WithMargin is a Classifier in all the checker uses (duck-typed: it wraps one)
        classifier = per.classifier if tolerance is None else cast("Classifier", _WithMargin(per.classifier, tolerance))
        geocoder = None
        if need_geocoder:
            geocoder = LazyGeocoder(the_geocoder) if lazy else the_geocoder()
        return Checker(classifier, geocoder, lang), per

    def warnings(per) -> list[dict[str, str]]:
        if not per.unavailable:
            return []
        return [both("check.page.database_unavailable", error=per.unavailable, version=per.classifier.data_version)]

    def check_one(req: CheckRequest) -> dict:
        from tzcld.check_cli import answer_json
        from tzcld.coords import looks_like_coordinates

        need = req.point is None and not looks_like_coordinates(req.address or "")
        checker, per = checker_for(req.as_of, req.tolerance_m, req.lang, need)
        res = checker.check_point(req.point) if req.point is not None else checker.check_text(req.address or "")
        data = answer_json(res, req.as_of, per.store, versions=per.versions)
        data["warnings"] = warnings(per)
        return data

    async def check(request: Request) -> Response:
        refuse_other_methods(request)
        guard(request, needs_key=True)
        unknown = sorted(k[:40] for k in request.query_params)
        if unknown:  # every option is in the body
            raise ApiError(400, "bad_parameter", name=unknown[0], allowed="—")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype and ctype != "application/json" and not ctype.endswith("+json"):
            # a form or a text body is not the JSON this route reads (and a browser sends those
            # cross-site without asking): refused, rather than read as JSON anyway
            raise ApiError(415, "unsupported_media", type=ctype[:60], allowed="application/json")
        body = await read_body(request, settings.max_body_bytes)
        req = check_request(parse_json_object(body))
        data = await anyio.to_thread.run_sync(check_one, req)
        return _json(data, headers=NO_STORE)

    def check_file_sync(data: bytes, filename: str | None, options: dict) -> tuple[BinaryIO, int, dict[str, str]]:
        """Check a file by chunks, as ``check-file`` does (:func:`tzcld.batch_stream.check_stream`):
        the results go to a temporary file, returned open (already unlinked: nothing stays on
        disk) with its size and the answer's headers."""
        import shutil
        import tempfile
        from pathlib import Path

        from tzcld.batch_io import TableReader
        from tzcld.batch_stream import CHUNK_CELLS, check_stream, input_columns
        from tzcld.check_cli import batch_spec, check_frame, output_separator
        from tzcld.check_tables import STATUSES, looks_like_results
        from tzcld.table_writer import CsvWriter

        limits = deps.file_limits.tightened(max_rows=settings.max_rows)
        counts = dict.fromkeys(STATUSES, 0)
        used: dict[str, Any] = {}

        def prepare(head):
            spec = batch_spec(head, options["column"], options["lat_column"], options["lon_column"])
            checker, used["per"] = checker_for(
                options["as_of"], options["tolerance_m"], options["lang"], "address" in spec, lazy=True
            )

            def check(block):
                out = check_frame(checker, block, spec)
                for status, n in out["status"].value_counts().items():
                    if status in counts:  # as summarise() counts
                        counts[status] += int(n)
                return out

            return check

        sep = options["sep"] or output_separator(data, filename)
        folder = Path(tempfile.mkdtemp(prefix="tzcld-api-"))  # private (0700), removed below
        try:
            target = folder / "resultats.csv"
            with TableReader(data, filename, limits=limits, chunk_cells=CHUNK_CELLS) as reader:
                previous = looks_like_results(reader.columns)
                out = check_stream(
                    reader, prepare, lambda columns: CsvWriter(target, sep=sep, neutral=input_columns(columns))
                )
            size = target.stat().st_size
            content = target.open("rb")  # closed once sent (_file_chunks)
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # the open file lives on until closed
        per = used["per"]
        headers = {
            **NO_STORE,
            "Content-Disposition": 'attachment; filename="resultats.csv"',
            "Content-Length": str(size),
            "X-Data-Version": per.classifier.data_version,
            "X-Rows": str(out.rows),
            "X-Summary": ";".join(f"{k}={v}" for k, v in {**counts, "total": out.rows}.items()),
        }
        if options["as_of"]:
            headers["X-As-Of"] = options["as_of"].isoformat()
        if previous:
            headers["X-Previous-Results"] = "true"
        if per.unavailable:
            headers["X-Warning"] = "perimeter-database-unavailable"
        return content, size, headers

    def file_options(request: Request, form: dict | None = None) -> dict:
        params = request.query_params
        values: dict[str, list[str]] = {k: list(params.getlist(k)) for k in params}
        for k, v in (form or {}).items():
            values.setdefault(k, []).extend(v)
        for name in values:
            if name not in FILE_PARAMETERS:
                raise ApiError(400, "bad_parameter", name=name[:40], allowed=", ".join(FILE_PARAMETERS))

        def one(name: str) -> str | None:
            got = [v for v in values.get(name, []) if v.strip()]
            return got[-1].strip() if got else None

        from tzcld.check_cli import OUTPUT_SEPARATORS, _separator

        got_sep = [v for v in values.get("sep", []) if v]  # a tab is blank: not stripped away
        sep = _separator(got_sep[-1]) if got_sep else None  # "tab" as on the command line
        if sep is not None and sep not in OUTPUT_SEPARATORS:
            raise ApiError(400, "bad_parameter", name="sep", allowed="; , | tab")
        return {
            "column": [v.strip() for v in values.get("column", []) if v.strip()],
            "lat_column": one("lat_column"),
            "lon_column": one("lon_column"),
            "as_of": parse_as_of_field(one("as_of")),
            "lang": parse_lang(one("lang")),
            "tolerance_m": parse_tolerance(one("tolerance_m")),
            "sep": sep,
        }

    async def check_file(request: Request) -> Response:
        from tzcld.batch_io import BatchInputError

        refuse_other_methods(request)
        guard(request, needs_key=True)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype and ctype not in FILE_TYPES and not ctype.startswith("text/"):
            raise ApiError(415, "unsupported_media", type=ctype[:60], allowed=", ".join(FILE_TYPES))
        body = await read_body(request, settings.max_file_bytes + (64 * 1024 if ctype == "multipart/form-data" else 0))
        filename = "fichier.xlsx" if ctype == XLSX_TYPE else None
        form_values: dict[str, list[str]] = {}
        if ctype == "multipart/form-data":
            body, filename, form_values = await _multipart(request, body)
            if len(body) > settings.max_file_bytes:
                raise ApiError(413, "too_large", max=Size(settings.max_file_bytes))
        options = file_options(request, form_values)
        if not body.strip():
            raise ApiError(400, "no_file")
        if queue["waiting"] >= FILE_QUEUE:
            raise ApiError(503, "busy", headers={"Retry-After": "10"})
        queue["waiting"] += 1
        waiting = True
        try:
            async with file_limiter:
                queue["waiting"] -= 1
                waiting = False
                try:
                    content, _size, headers = await anyio.to_thread.run_sync(check_file_sync, body, filename, options)
                except BatchInputError as exc:
                    status = 413 if exc.key in BYTE_LIMITS else 422  # too many bytes; else the content
                    raise ApiError.from_error(status, exc.key.rsplit(".", 1)[-1], exc) from None
        finally:
            if waiting:  # cancelled while waiting
                queue["waiting"] -= 1
        return StreamingResponse(_file_chunks(content), media_type="text/csv; charset=utf-8", headers=headers)

    # ------------------------------------------------------------------ territories
    def territories_doc() -> tuple[str, bytes, dict[str, bytes]]:
        from tzcld.export.opendata import territories_geojson

        version = deps.perimeters.version()
        hit = territories_cache.get(version)
        if hit is None:
            per = deps.perimeters.resolve(None)
            doc = territories_geojson(store=per.store)
            if not any(f.get("geometry") for f in doc["features"]):
                raise ApiError(503, "geodata_missing")
            features = {
                f["id"]: json.dumps(
                    {**f, "data_version": doc.get("data_version"), "attribution": doc.get("attribution")},
                    ensure_ascii=False,
                    separators=(",", ":"),
                ).encode("utf-8")
                for f in doc["features"]
            }
            hit = (json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), features)
            territories_cache.clear()
            territories_cache[version] = hit
        return version, hit[0], hit[1]

    def geojson_response(request: Request, version: str, content: bytes) -> Response:
        etag = '"' + version.replace('"', "") + '"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(content, media_type="application/geo+json", headers=headers)

    async def territories(request: Request) -> Response:
        guard(request, needs_key=False)
        version, content, _ = await anyio.to_thread.run_sync(territories_doc)
        return geojson_response(request, version, content)

    async def territory(request: Request) -> Response:
        from tzcld.territories import TERRITORY_IDS

        guard(request, needs_key=False)
        tid = request.path_params["territory_id"]
        if tid not in TERRITORY_IDS:
            raise ApiError(404, "territory_unknown", ids=", ".join(TERRITORY_IDS))
        version, _, features = await anyio.to_thread.run_sync(territories_doc)
        return geojson_response(request, version, features[tid])

    # ------------------------------------------------------------------ service
    def health_sync() -> dict:
        from tzcld.geodata.layers import data_version

        try:
            committed = data_version()
        except (OSError, KeyError, ValueError):
            committed = None
        try:
            version = deps.perimeters.version() if committed else None
            database = deps.perimeters.status()
        except Exception as exc:  # noqa: BLE001 - health must answer
            version, database = committed, f"unavailable ({type(exc).__name__})"
        index = deps.geocoder.status() if deps.geocoder else "unavailable"
        return {
            "status": "ok",
            "service": "tzcld-api",
            "api_version": API_VERSION,
            "data_version": version,
            "committed_data_version": committed,
            "perimeter_database": database,
            "address_index": index,
            "address_index_version": deps.geocoder.index_version() if deps.geocoder else None,
            "keys_required": keys.required,
        }

    async def health(request: Request) -> Response:
        return _json(await anyio.to_thread.run_sync(health_sync), headers={"Cache-Control": "no-cache"})

    async def ready(request: Request) -> Response:
        """200 once the address index has finished loading (ready, or known to be missing),
        503 while it loads: for a load balancer's or an orchestrator's readiness probe."""
        if deps.geocoder is not None and deps.geocoder.status() in ("loading", "not_started"):
            raise ApiError(503, "index_loading", headers={"Retry-After": "5", "Cache-Control": "no-cache"})
        return _json(await anyio.to_thread.run_sync(health_sync), headers={"Cache-Control": "no-cache"})

    async def openapi(request: Request) -> Response:
        doc = openapi_document(settings, root_path=request.scope.get("root_path", "") or settings.root_path)
        return _json(doc, headers={"Cache-Control": "public, max-age=300"})

    async def home(request: Request) -> Response:
        return HTMLResponse(page_html(settings), headers={"Content-Security-Policy": page_csp()})

    async def not_found(request: Request, exc: Exception) -> Response:
        return ApiError(404, "not_found").response()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)  # registered for HTTPException only
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "GET")
            return ApiError(
                405, "method_not_allowed", headers={"Allow": allowed}, method=request.method, allowed=allowed
            ).response()
        if exc.status_code == 404:
            return ApiError(404, "not_found").response()
        return ApiError(exc.status_code, "internal").response()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)  # registered for ApiError only
        return exc.response()

    # every method reaches the check routes, which refuse all but POST with "Allow: POST" (left to
    # the router, an OPTIONS or a TRACE got "méthodes permises : HEAD, PATCH, PUT, POST…": untrue)
    every_method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    routes = [
        Route("/", home, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/v1/check", check, methods=every_method),
        Route("/v1/check-file", check_file, methods=every_method),
        Route("/v1/territories", territories, methods=["GET"]),
        Route("/v1/territories/{territory_id}", territory, methods=["GET"]),
    ]
    middleware = [Middleware(AccessLog, routes=routes)]
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type"],
            )
        )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if deps.geocoder is not None:
            deps.geocoder.start()
        yield
        deps.close()

    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={ApiError: api_error, HTTPException: http_error, 404: not_found},
        lifespan=lifespan,
    )


def _file_chunks(fh: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of an open file, block after block; the file closed at the end (or when the
    client goes away)."""
    try:
        while block := fh.read(size):
            yield block
    finally:
        fh.close()


async def _multipart(request: Request, body: bytes) -> tuple[bytes, str | None, dict[str, list[str]]]:
    """The file (field ``file``), its name and the other fields of a multipart body."""
    from starlette.datastructures import UploadFile

    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=20)
    except Exception:  # noqa: BLE001 - a malformed form is a client error
        raise ApiError(400, "no_file") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "no_file")
    data = await upload.read()
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != "file" and isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return data, upload.filename, fields


def app_from_environment() -> Starlette:
    """The app over one runtime of the environment's settings (``uvicorn --factory
    tzcld.api.app:app_from_environment``; ``serve-api`` builds the same)."""
    from tzcld.perimeters.provider import REFRESH_S
    from tzcld.runtime import Runtime, Settings

    return create_app(ApiDependencies.from_runtime(Runtime(Settings.from_env(), refresh_s=REFRESH_S)))
