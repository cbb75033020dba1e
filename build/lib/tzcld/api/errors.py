"""Errors of the HTTP API: a status, a stable ``code`` and a message in French and English.

Every error body is::

    {"error": {"status": 413, "code": "too_large",
               "message": {"fr": "Requête trop grosse …", "en": "Request too large …"}}}

Messages come from the catalogues (``api.error.<code>`` by default; an error may name
another key, e.g. ``check.file.too_big`` or ``asof.invalid``, shared with the CLI).
Nothing of the request (address, coordinates, file) is ever put in an error.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from tzcld.i18n import LANGUAGES, t

#: Headers of every JSON answer that may carry personal data: never cached by a proxy.
NO_STORE = {"Cache-Control": "no-store"}


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

    def messages(self) -> dict[str, str]:
        """The message in every language (``{"fr": …, "en": …}``)."""
        return {lang: t(self.key, lang, **self.params) for lang in LANGUAGES}

    def body(self) -> dict:
        return {"error": {"status": self.status, "code": self.code, "message": self.messages()}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers={**NO_STORE, **self.headers})


def both(key: str, **params: object) -> dict[str, str]:
    """A catalogue message in every language (warnings in answers)."""
    return {lang: t(key, lang, **params) for lang in LANGUAGES}
