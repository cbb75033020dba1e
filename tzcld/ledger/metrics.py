"""The ledger's vocabulary: which metrics exist, their unit, and who may record them.

Pure data, no database. Units: ``persons`` (people or jobs, a count), ``fte``
(full-time equivalents), ``activities`` (count), ``territories`` (count), ``EUR``
(euros, not millions), ``status`` (no number: ``value_text`` holds one of
:data:`tzcld.territories.STATUSES`).
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRAMME = "programme"

UNITS: tuple[str, ...] = ("persons", "fte", "activities", "territories", "EUR", "status")


@dataclass(frozen=True)
class Metric:
    """One thing the ledger measures.

    ``cumulative`` metrics (people hired since the start) are plotted as a running
    series; ``admin_only`` metrics (targets, statuses, allocated budgets) may be recorded
    by administrators only; ``scopes`` says whether the metric applies to the programme,
    to territories, or both.
    """

    id: str
    unit: str
    cumulative: bool = False
    admin_only: bool = False
    scopes: tuple[str, ...] = ("programme", "territory")


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        Metric("hired", "persons", cumulative=True),
        Metric("in_integration", "persons"),
        Metric("fte", "fte"),
        Metric("activities", "activities", cumulative=True),
        Metric("budget_committed", "EUR", cumulative=True),
        Metric("budget_spent", "EUR", cumulative=True),
        Metric("budget_allocated", "EUR", admin_only=True),
        Metric("budget_withdrawn", "EUR", admin_only=True),
        Metric("job_target", "persons", admin_only=True),
        Metric("status", "status", admin_only=True, scopes=("territory",)),
        Metric("budget_allocated_fse", "EUR", admin_only=True, scopes=("programme",)),
        Metric("budget_allocated_wallonia", "EUR", admin_only=True, scopes=("programme",)),
        Metric("budget_reserved_recovery_plan", "EUR", admin_only=True, scopes=("programme",)),
        Metric("job_target_territories_sum", "persons", admin_only=True, scopes=("programme",)),
        Metric("territories_retained", "territories", admin_only=True, scopes=("programme",)),
        Metric("territories_ended", "territories", admin_only=True, scopes=("programme",)),
        Metric("territories_continued", "territories", admin_only=True, scopes=("programme",)),
    )
}

#: Metrics a project lead (porteur) may record for their own territory.
PORTEUR_METRICS: tuple[str, ...] = tuple(m.id for m in METRICS.values() if not m.admin_only and "territory" in m.scopes)

#: Budget metrics shown together on the Progrès page, in display order.
BUDGET_METRICS: tuple[str, ...] = (
    "budget_allocated",
    "budget_allocated_fse",
    "budget_allocated_wallonia",
    "budget_reserved_recovery_plan",
    "budget_committed",
    "budget_spent",
    "budget_withdrawn",
)

#: First and last year a figure may describe (the programme runs 2022–2026, reports into 2027).
FIRST_YEAR = 2022
LAST_YEAR = 2027
