"""Re-checking the results of an earlier batch after a perimeter change.

:func:`recheck_plan` finds the rows whose answer may have changed (their perimeter version
is not the published one and their territory's perimeter changed since);
:func:`recheck_table` checks them again in place (:func:`tzcld.check_tables.check_table`),
keeping the other rows as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tzcld.check import Checker
from tzcld.check_tables import _NUMERIC_FIELDS, BATCH_FIELDS, _numbers, _text, check_table, results_inputs

if TYPE_CHECKING:
    from tzcld.perimeters.store import PerimeterStore


@dataclass
class RecheckPlan:
    """Which rows of an earlier batch's results to re-check: ``mask`` (see
    :func:`tzcld.perimeters.published.recheck_mask`), the perimeter versions found in the
    file (``since``), the published version now (``version``) and the territories whose
    perimeter changed since (``changed``, registry order)."""

    mask: pd.Series
    since: tuple[str, ...]
    version: str
    changed: tuple[str, ...]

    @property
    def count(self) -> int:
        return int(self.mask.sum())

    @property
    def unchanged(self) -> bool:
        """No perimeter changed since the earlier batch."""
        return not self.changed


@dataclass
class RecheckSummary:
    """``rechecked`` rows out of ``total``, ``changed`` of which got another answer
    (status or territory), with the perimeters of ``version``."""

    total: int
    rechecked: int
    changed: int
    version: str


def recheck_plan(results: pd.DataFrame, store: PerimeterStore | None = None) -> RecheckPlan:
    """The rows of ``results`` (an earlier batch's) whose answer may have changed with the
    published perimeters of ``store`` (``None``: the committed perimeters)."""
    from tzcld.perimeters.published import changed_territories, published_version, recheck_mask
    from tzcld.territories import TERRITORY_IDS

    versions = (
        results["data_version"].fillna("").astype(str).str.strip()
        if "data_version" in results
        else pd.Series("", index=results.index)
    )
    since = tuple(sorted(set(versions)))
    current = published_version(store)
    changed: set[str] = set()
    for v in since:
        if v != current:
            changed.update(changed_territories(v, store) if v else TERRITORY_IDS)
    frame = results.assign(data_version=versions)
    return RecheckPlan(
        mask=recheck_mask(frame, store),
        since=since,
        version=current,
        changed=tuple(tid for tid in TERRITORY_IDS if tid in changed),
    )


def recheck_table(
    checker: Checker,
    results: pd.DataFrame,
    mask: pd.Series | None = None,
    address_columns: Sequence[str] | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    address_roles: Sequence[str | None] | None = None,
) -> tuple[pd.DataFrame, RecheckSummary]:
    """Re-check the rows of an earlier batch's ``results`` selected by ``mask`` (every row
    when ``None``; usually :attr:`RecheckPlan.mask`), in place.

    The column arguments name columns of :func:`results_inputs` (the original input
    columns). The selected rows get new :data:`BATCH_FIELDS`, replacing the earlier ones
    (never duplicated as ``<name>_input``); the other rows are kept as they were. The
    columns keep their order (a missing result column is added at the end).
    """
    out = results.copy()
    for c in BATCH_FIELDS:
        out[c] = out[c].astype(object) if c in out.columns else None
    for c in _NUMERIC_FIELDS:
        out[c] = _numbers(out[c])
    selected = (
        pd.Series(True, index=out.index) if mask is None else mask.reindex(out.index, fill_value=False).astype(bool)
    )
    before_status = _text(out["status"])
    before_territory = _text(out["territory_id"])
    rows = out.index[selected.to_numpy()]
    if len(rows):
        inputs = results_inputs(out.loc[rows]).reset_index(drop=True)
        fresh = check_table(
            checker,
            inputs,
            address_columns=address_columns,
            lat_column=lat_column,
            lon_column=lon_column,
            progress=progress,
            address_roles=address_roles,
        )
        for c in BATCH_FIELDS:
            values = _numbers(fresh[c]) if c in _NUMERIC_FIELDS else fresh[c].astype(object)
            out.loc[rows, c] = values.to_numpy()
    changed = (_text(out["status"]) != before_status) | (_text(out["territory_id"]) != before_territory)
    summary = RecheckSummary(
        total=len(out),
        rechecked=len(rows),
        changed=int(changed.loc[rows].sum()),
        version=checker.classifier.data_version,
    )
    return out, summary
