"""The HTTP API over the address check (``python -m tzcld serve-api``).

A Starlette app served by uvicorn, in its own process beside the dashboard (see the
README for why not Streamlit's own routes): :func:`create_app` takes its dependencies
(:class:`ApiDependencies`: the published perimeters, the offline geocoder, the settings,
all from one :class:`tzcld.runtime.Runtime` per process), so tests may pass their own. Modules: :mod:`~tzcld.api.app` (routes),
:mod:`~tzcld.api.inputs` (what a client may send), :mod:`~tzcld.api.sources` (the
geocoder loaded in the background, shared by every request), :mod:`~tzcld.api.guard` (keys, rate limit, body
size), :mod:`~tzcld.api.access` (access log without personal data, no error escapes),
:mod:`~tzcld.api.errors`, :mod:`~tzcld.api.openapi`, :mod:`~tzcld.api.page`,
:mod:`~tzcld.api.cli` (``serve-api``).
"""

from __future__ import annotations

__all__ = ["ApiDependencies", "ApiSettings", "create_app"]


def __getattr__(name: str):  # lazy: ``python -m tzcld --help`` must not import Starlette
    if name in __all__:
        from tzcld.api import app

        return getattr(app, name)
    raise AttributeError(name)
