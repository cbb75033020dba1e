"""Errors of perimeter stewardship, each carrying a message key of the ``perimeter`` domain.

``str(exc)`` is the French message; :meth:`PerimeterError.message` gives it in any
language. Nothing is lost on an error: the caller keeps the current proposal.
"""

from __future__ import annotations

from tzcld.errors import TzcldError


class PerimeterError(TzcldError, ValueError):
    """A refused proposal, file or action (message key ``perimeter.<key>`` + parameters):
    a :class:`tzcld.errors.TzcldError` of the ``perimeter`` domain."""

    domain = "perimeter"


class PerimeterFileError(PerimeterError):
    """An uploaded perimeter file cannot be used (empty, not a polygon, unknown CRS...)."""


class PerimeterPermissionDenied(PerimeterError, PermissionError):
    """The signed-in account may not do this (checked server-side by the store)."""
