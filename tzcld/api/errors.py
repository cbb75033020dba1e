"""Errors of the HTTP API: a status, a stable ``code`` and a message in French and English.

Every error body is::

    {"error": {"status": 413, "code": "too_large",
               "message": {"fr": "Requête trop grosse …", "en": "Request too large …"}}}

Messages come from the catalogues (``api.error.<code>`` by default; an error may name
another key, e.g. ``check.file.too_big`` or ``asof.invalid``, shared with the CLI, or carry
the messages of a :class:`tzcld.errors.TzcldError`, :meth:`ApiError.from_error`). Numbers
are written the reader's way, as the CLI writes them (``200 000 lignes``, ``12,5 Mo``:
:func:`tzcld.formatting.format_number`; a :class:`Size` as ``16 Kio (16 384 octets)``).
Nothing of the request (address, coordinates, file) is ever put in an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse

from tzcld.formatting import format_number
from tzcld.i18n import LANGUAGES, t

if TYPE_CHECKING:
    from tzcld.errors import TzcldError

#: Headers of every JSON answer that may carry personal data: never cached by a proxy.
NO_STORE = {"Cache-Control": "no-store"}


class Size(int):
    """A number of bytes in a message: ``16 Kio (16 384 octets)`` (:func:`format_size`)."""


def format_size(n: int, lang: str) -> str:
    """``16384`` → ``16 Kio (16 384 octets)`` in French, ``16 KiB (16,384 bytes)`` in English;
    under 1 Kio, the bytes alone."""
    exact = t("api.unit.bytes", lang, n=format_number(n, 0, lang))
    for factor, unit in ((1 << 30, "gib"), (1 << 20, "mib"), (1 << 10, "kib")):
        if n >= factor:
            value = n / factor
            shown = format_number(value, 0 if value.is_integer() else 1, lang)
            return f"{t(f'api.unit.{unit}', lang, n=shown)} ({exact})"
    return exact


def shown(value: object, lang: str) -> object:
    """A message parameter as the reader reads it: sizes and numbers formatted (as
    :class:`tzcld.batch_io` limits are), anything else as it is."""
    if isinstance(value, Size):
        return format_size(int(value), lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, 0 if isinstance(value, int) or float(value).is_integer() else 1, lang)
    return value


class ApiError(Exception):
    """An error answer: HTTP ``status``, ``code`` (``snake_case``, stable), message ``key``
    (default ``api.error.<code>``) and its ``params``; extra response ``headers``."""

    def __init__(
        self,
        status: int,
        code: str,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.key = key or f"api.error.{code}"
        self.headers = dict(headers or {})
        self.params = params
        self._messages: dict[str, str] | None = None

    @classmethod
    def from_error(cls, status: int, code: str, error: TzcldError) -> ApiError:
        """An error answer carrying ``error``'s own messages (:meth:`TzcldError.message`, so
        that a reading limit reads as on the command line: ``plus de 200 000 lignes``)."""
        api = cls(status, code, error.message_key)
        api._messages = {lang: error.message(lang) for lang in LANGUAGES}
        return api

    def messages(self) -> dict[str, str]:
        """The message in every language (``{"fr": …, "en": …}``), numbers formatted."""
        if self._messages is not None:
            return dict(self._messages)
        return {lang: t(self.key, lang, **{k: shown(v, lang) for k, v in self.params.items()}) for lang in LANGUAGES}

    def body(self) -> dict:
        return {"error": {"status": self.status, "code": self.code, "message": self.messages()}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers={**NO_STORE, **self.headers})


def both(key: str, **params: object) -> dict[str, str]:
    """A catalogue message in every language (warnings in answers), numbers formatted."""
    return {lang: t(key, lang, **{k: shown(v, lang) for k, v in params.items()}) for lang in LANGUAGES}
