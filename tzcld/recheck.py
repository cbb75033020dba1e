"""Re-checking the results of an earlier batch after a perimeter change.

:func:`recheck_plan` finds the rows whose answer may have changed (their perimeter version
is not the published one and their territory's perimeter changed since);
:func:`recheck_table` checks them again in place (:func:`tzcld.check_tables.check_table`),
keeping the other rows as they were. :class:`RecheckPlanner` does the same for a file read
by chunks (``check-file --recheck``, the Vérifier page): each chunk's mask, the database asked
once, and the plan of the whole file (:class:`PlanSummary`) once every chunk is seen.
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


@dataclass(frozen=True)
class PlanSummary:
    """A :class:`RecheckPlan` without its mask: ``count`` rows to re-check out of ``total``,
    the versions found (``since``), the published one (``version``), the territories changed
    since (``changed``, registry order). Small: what a page keeps."""

    count: int
    total: int
    since: tuple[str, ...]
    version: str
    changed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        """No perimeter changed since the earlier batch."""
        return not self.changed


class RecheckPlanner:
    """The re-check plan of an earlier batch's results seen chunk after chunk: :meth:`mask`
    of each chunk (the published version and each earlier version's changed territories
    asked once), :meth:`summary` of every chunk seen so far."""

    def __init__(self, store: PerimeterStore | None = None) -> None:
        from tzcld.perimeters.published import published_version

        self.store = store
        self.version = published_version(store)
        self._changed: dict[str, tuple[str, ...]] = {}
        self._since: set[str] = set()
        self.count = 0
        self.total = 0

    def changed_since(self, version: str) -> tuple[str, ...]:
        """The territories whose perimeter changed since ``version`` (none for the published
        one, all for an unknown one), asked once per version."""
        got = self._changed.get(version)
        if got is None:
            from tzcld.perimeters.published import changed_territories
            from tzcld.territories import TERRITORY_IDS

            if version == self.version:
                got = ()
            else:
                got = tuple(changed_territories(version, self.store)) if version else tuple(TERRITORY_IDS)
            self._changed[version] = got
        return got

    def mask(self, results: pd.DataFrame) -> pd.Series:
        """The rows of this chunk to re-check (:func:`tzcld.perimeters.published.recheck_mask`)."""
        from tzcld.perimeters.published import recheck_mask

        versions = (
            results["data_version"].fillna("").astype(str).str.strip()
            if "data_version" in results
            else pd.Series("", index=results.index)
        )
        self._since.update(versions.unique().tolist())
        mask = recheck_mask(
            results.assign(data_version=versions), self.store, current=self.version, changed_of=self.changed_since
        )
        self.count += int(mask.sum())
        self.total += len(results)
        return mask

    def summary(self) -> PlanSummary:
        from tzcld.territories import TERRITORY_IDS

        changed: set[str] = set()
        for v in self._since:
            changed.update(self.changed_since(v))
        return PlanSummary(
            count=self.count,
            total=self.total,
            since=tuple(sorted(self._since)),
            version=self.version,
            changed=tuple(tid for tid in TERRITORY_IDS if tid in changed),
        )


def recheck_plan(results: pd.DataFrame, store: PerimeterStore | None = None) -> RecheckPlan:
    """The rows of ``results`` (an earlier batch's) whose answer may have changed with the
    published perimeters of ``store`` (``None``: the committed perimeters)."""
    planner = RecheckPlanner(store)
    mask = planner.mask(results)
    summary = planner.summary()
    return RecheckPlan(mask=mask, since=summary.since, version=summary.version, changed=summary.changed)


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
