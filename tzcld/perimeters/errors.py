"""Errors of perimeter stewardship, each carrying a message key of the ``perimeter`` domain.

``str(exc)`` is the French message; :meth:`PerimeterError.message` gives it in any
language. Nothing is lost on an error: the caller keeps the current proposal.
"""

from __future__ import annotations

from tzcld.i18n import DEFAULT_LANG, t


class PerimeterError(ValueError):
    """A refused proposal, file or action (message key ``perimeter.<key>`` + parameters)."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(f"perimeter.{key}", DEFAULT_LANG, **params))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang`` (French by default)."""
        return t(f"perimeter.{self.key}", lang, **self.params)


class PerimeterFileError(PerimeterError):
    """An uploaded perimeter file cannot be used (empty, not a polygon, unknown CRS...)."""


class PerimeterPermissionDenied(PerimeterError, PermissionError):
    """The signed-in account may not do this (checked server-side by the store)."""
