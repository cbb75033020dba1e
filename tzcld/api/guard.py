"""Request guards: API keys, rate limits, body size. Checked before any work is done.

- **API keys** (optional, :func:`tzcld.config.api_keys`): when a deployment sets some, the
  checks need one, in ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``. Only the keys'
  SHA-256 digests are kept in memory, compared in constant time.
- **Rate limit** (:func:`tzcld.config.api_rate_limit`, requests per minute per client): a
  token bucket per client — the API key when one is used, else the client address (behind
  a proxy, the address the proxy forwards: ``serve-api --forwarded-allow-ips``). The table
  of clients is bounded (oldest forgotten first). Limits are per API process.
- **Body size**: the declared ``Content-Length`` is refused at once when too large; a body
  sent without one is counted as it arrives and refused past the limit.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from starlette.requests import Request

from tzcld.api.errors import ApiError, Size

#: Clients remembered by the rate limiter (least recently seen forgotten first).
MAX_CLIENTS = 10_000


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class KeyCheck:
    """The API keys of a deployment (none: every request is allowed)."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._digests = tuple(_digest(k) for k in keys)

    @property
    def required(self) -> bool:
        return bool(self._digests)

    @staticmethod
    def presented(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip() or None
        return request.headers.get("x-api-key", "").strip() or None

    def client(self, request: Request) -> str | None:
        """The client's identity for rate limiting when it sent a valid key (a digest
        prefix, never the key), ``None`` otherwise. Raises ``key_required`` (401) when
        keys are required and the request has no valid one."""
        key = self.presented(request)
        if not self.required:
            return None
        digest = _digest(key) if key else b""
        valid = False
        for known in self._digests:  # compare with every key, in constant time
            valid |= hmac.compare_digest(digest, known)
        if not valid:
            raise ApiError(401, "key_required", headers={"WWW-Authenticate": 'Bearer realm="tzcld"'})
        return "key:" + digest.hex()[:16]


class RateLimiter:
    """Token buckets of ``per_minute`` requests per client (0: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> None:
        """Take one token of ``client``'s bucket; raises ``rate_limited`` (429) when empty."""
        if self.per_minute <= 0:
            return
        capacity = float(self.per_minute)
        rate = capacity / 60.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        if not allowed:
            retry = max(1, math.ceil((1.0 - tokens) / rate))
            raise ApiError(429, "rate_limited", headers={"Retry-After": str(retry)}, limit=self.per_minute, retry=retry)


def client_address(request: Request) -> str:
    """The client address for rate limiting (as uvicorn gives it, proxy headers applied)."""
    return "ip:" + (request.client.host if request.client else "?")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole request body, at most ``limit`` bytes (``too_large``, 413, otherwise)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, "too_large", max=Size(limit))
        except ValueError:
            raise ApiError(400, "bad_json") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", max=Size(limit))
        chunks.append(chunk)
    return b"".join(chunks)
