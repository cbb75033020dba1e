"""The progress ledger: sourced, append-only observations of the programme's progress.

Public API::

    from tzcld.ledger import open_store, ObservationInput, Account
    store = Runtime.from_env().ledger_store()   # the configured database (tzcld.runtime)
    store = open_store(url)              # or any SQLAlchemy URL
    store.observations_frame()           # every entry (pandas), with superseded flags
    store.latest(scope, metric)          # latest effective value per scope/metric
    store.changes(limit=50)              # change log, newest first
    latest_of(frame) / changes_of(frame) # the same, from an already-read (cached) frame
    store.record(account, [ObservationInput(...)])   # validated, authorised, atomic

Modules: :mod:`~tzcld.ledger.metrics` (vocabulary), :mod:`~tzcld.ledger.models` and
:mod:`~tzcld.ledger.migrations` (schema), :mod:`~tzcld.ledger.store`,
:mod:`~tzcld.ledger.validation`, :mod:`~tzcld.ledger.imports` (CSV/XLSX),
:mod:`~tzcld.ledger.permissions`, :mod:`~tzcld.ledger.export`, :mod:`~tzcld.ledger.demo`,
:mod:`~tzcld.ledger.cli`.
"""

# The names below are imported on first use (tzcld.lazy): importing one submodule, or the
# package for one name, does not load every concern (the CLI's start-up time).
from typing import TYPE_CHECKING

from tzcld.lazy import lazy_names

if TYPE_CHECKING:
    from tzcld.ledger.metrics import METRICS, PROGRAMME, Metric
    from tzcld.ledger.permissions import Account, PermissionDenied, allowed_metrics, allowed_scopes
    from tzcld.ledger.store import (
        FRAME_COLUMNS,
        Store,
        changes_of,
        database_url,
        latest_of,
        open_store,
    )
    from tzcld.ledger.validation import ObservationInput, ValidationError

_LAZY: dict[str, str] = {
    "METRICS": "tzcld.ledger.metrics",
    "PROGRAMME": "tzcld.ledger.metrics",
    "Metric": "tzcld.ledger.metrics",
    "Account": "tzcld.ledger.permissions",
    "PermissionDenied": "tzcld.ledger.permissions",
    "allowed_metrics": "tzcld.ledger.permissions",
    "allowed_scopes": "tzcld.ledger.permissions",
    "FRAME_COLUMNS": "tzcld.ledger.store",
    "Store": "tzcld.ledger.store",
    "changes_of": "tzcld.ledger.store",
    "database_url": "tzcld.ledger.store",
    "latest_of": "tzcld.ledger.store",
    "open_store": "tzcld.ledger.store",
    "ObservationInput": "tzcld.ledger.validation",
    "ValidationError": "tzcld.ledger.validation",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


__all__ = [
    "FRAME_COLUMNS",
    "METRICS",
    "PROGRAMME",
    "Account",
    "Metric",
    "ObservationInput",
    "PermissionDenied",
    "Store",
    "ValidationError",
    "allowed_metrics",
    "allowed_scopes",
    "changes_of",
    "database_url",
    "latest_of",
    "open_store",
]
