"""The ledger's vocabulary: which metrics exist, their unit, and who may record them.

Pure data, no database. Different measures stay different metrics, each with its own
label (``progress.metric.<id>`` in the catalogues) and unit; a chart never joins two of
them in one line.

Units: ``persons`` (people, a count), ``jobs`` (jobs as the source counts them),
``fte`` (full-time equivalents), ``activities`` (count), ``territories`` (count),
``EUR`` (euros, not millions), ``inhabitants``, ``needs``, ``clients`` (counts) and
``status`` (no number: ``value_text`` holds one of :data:`tzcld.territories.STATUSES`).

A figure may also carry (columns of the ledger since schema version 2):

- a **date precision** (:data:`DATE_PRECISIONS`): ``day``, ``month``, ``year`` as the
  source dates it, ``inferred`` (the source carries no date; the period is deduced from
  its text, ``period_note`` says how) or ``uncertain`` (the source's own words about the
  date conflict with other facts: the figure is published with those words);
- a **qualifier** of its value (:data:`QUALIFIERS`): ``approx`` ("environ 20"),
  ``lt`` ("moins de 5"), ``gt`` ("plus de 110");
- a **source kind** (:data:`SOURCE_KINDS`): ``official``, ``press``, ``project``
  or ``political`` — a political statement is shown as such, never as an official
  figure, and never counts as a territory's latest figure.
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRAMME = "programme"

UNITS: tuple[str, ...] = (
    "persons",
    "jobs",
    "fte",
    "activities",
    "territories",
    "EUR",
    "inhabitants",
    "needs",
    "clients",
    "status",
)

#: How precisely a figure is dated ("" = read from the shape of ``period_date``).
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year", "inferred", "uncertain")
#: Qualifiers of a value ("" = exact as published).
QUALIFIERS: tuple[str, ...] = ("approx", "lt", "gt")
#: Kinds of source ("" = not said).
SOURCE_KINDS: tuple[str, ...] = ("official", "press", "project", "political")
#: The source kind whose figures are statements, never official figures.
POLITICAL = "political"


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
        Metric("hired_long_term_unemployed", "persons", cumulative=True),
        Metric("hired_in_period", "persons"),
        Metric("hires_expected", "persons"),
        Metric("jobs_created", "jobs", cumulative=True),
        Metric("in_integration", "persons"),
        Metric("headcount", "persons"),
        Metric("fte", "fte"),
        Metric("activities", "activities", cumulative=True),
        Metric("activities_in_preparation", "activities"),
        Metric("needs_identified", "needs"),
        Metric("candidates_identified", "persons"),
        Metric("clients", "clients", cumulative=True),
        Metric("budget_committed", "EUR", cumulative=True),
        Metric("budget_spent", "EUR", cumulative=True),
        Metric("budget_allocated", "EUR", admin_only=True),
        Metric("budget_applied", "EUR", admin_only=True),
        Metric("budget_withdrawn", "EUR", admin_only=True),
        Metric("budget_allocated_fse", "EUR", admin_only=True),
        Metric("budget_allocated_wallonia", "EUR", admin_only=True),
        Metric("budget_reserved_recovery_plan", "EUR", admin_only=True, scopes=("programme",)),
        Metric("job_target", "persons", admin_only=True),
        Metric("fte_target", "fte", admin_only=True),
        Metric("support_target", "persons", admin_only=True),
        Metric("inhabitants", "inhabitants", admin_only=True, scopes=("territory",)),
        Metric("long_term_unemployed", "persons", admin_only=True, scopes=("territory",)),
        Metric("status", "status", admin_only=True, scopes=("territory",)),
        Metric("job_target_territories_sum", "persons", admin_only=True, scopes=("programme",)),
        Metric("applications_received", "territories", admin_only=True, scopes=("programme",)),
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

#: Budget metrics of the per-territory budget table (granted, applied for, withdrawn...).
TERRITORY_BUDGET_METRICS: tuple[str, ...] = (
    "budget_allocated",
    "budget_allocated_fse",
    "budget_allocated_wallonia",
    "budget_applied",
    "budget_withdrawn",
    "budget_committed",
    "budget_spent",
)

#: The measures of the per-territory table, in display order (each its own column).
TERRITORY_MEASURES: tuple[str, ...] = (
    "jobs_created",
    "hired",
    "hired_long_term_unemployed",
    "hired_in_period",
    "headcount",
    "fte",
    "activities",
    "clients",
    "candidates_identified",
    "needs_identified",
    "fte_target",
    "support_target",
    "inhabitants",
    "long_term_unemployed",
)

#: Measures compared with a territory's job target, in order of preference: the share of
#: target reached uses the first one known (and says which).
SHARE_BASIS: tuple[str, ...] = ("jobs_created", "hired", "headcount")

#: The programme-wide series of the Progrès chart: one trace each, never joined.
PROGRAMME_SERIES: tuple[str, ...] = ("jobs_created", "hired", "in_integration")

#: First and last year a figure may describe (the programme runs 2022–2026, reports into 2027).
FIRST_YEAR = 2022
LAST_YEAR = 2027
