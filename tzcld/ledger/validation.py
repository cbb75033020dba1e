"""Checking one observation before it is written: clear French messages, nothing lost.

:class:`ObservationInput` is what a form or an imported row proposes;
:func:`validate_input` returns the list of problems (empty when it may be recorded).
Permission checks are separate (:mod:`tzcld.ledger.permissions`); the store runs both.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace

from tzcld.errors import TzcldError
from tzcld.formatting import format_number
from tzcld.i18n import t
from tzcld.ledger.metrics import DATE_PRECISIONS, FIRST_YEAR, LAST_YEAR, METRICS, PROGRAMME, QUALIFIERS, SOURCE_KINDS
from tzcld.territories import KNOWN_STATUSES, STATUSES, TERRITORY_IDS

#: Units counted in whole numbers (people, activities, territories).
WHOLE_UNITS: frozenset[str] = frozenset(
    {"persons", "jobs", "activities", "territories", "inhabitants", "needs", "clients"}
)

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class ValidationError(TzcldError, ValueError):
    """One or more problems with proposed observations: ``messages``, sentences already
    written from the catalogues in the caller's language (``entry.error.*``, ...), carried
    as the parameter of the key ``errors.validation``."""

    def __init__(self, messages: list[str], by_index: dict[int, list[str]] | None = None):
        super().__init__("errors.validation", problems=" ".join(messages))
        self.messages = messages
        #: Problems per entry (0-based position in the batch).
        self.by_index: dict[int, list[str]] = by_index or {}


@dataclass(frozen=True)
class ObservationInput:
    """A figure proposed for the ledger.

    ``value`` in ``unit`` (euros for ``EUR``); ``value_text`` only for statuses;
    ``period_date`` an ISO date, possibly partial (``2025``, ``2025-03``, ``2025-03-31``);
    ``supersedes_id`` the entry this one corrects (then ``reason`` is required).
    An empty ``source_title`` means "saisie" by the signed-in account.

    Optional (see :mod:`tzcld.ledger.metrics`): ``date_precision`` (empty: read from the
    shape of ``period_date``) and ``date_note`` (why an ``inferred`` or ``uncertain``
    date), ``qualifier`` of the value, ``source_kind``, and a free ``note``.
    """

    scope: str
    metric: str
    value: float | None
    unit: str
    period_date: str
    source_title: str = ""
    source_url: str = ""
    reason: str = ""
    supersedes_id: int | None = None
    value_text: str | None = None
    date_precision: str = ""
    date_note: str = ""
    qualifier: str = ""
    source_kind: str = ""
    note: str = ""

    def normalised(self) -> ObservationInput:
        """Trimmed strings; the unit defaults to the metric's own unit when left empty."""
        unit = (self.unit or "").strip()
        if not unit and self.metric in METRICS:
            unit = METRICS[self.metric].unit
        return replace(
            self,
            scope=(self.scope or "").strip(),
            metric=(self.metric or "").strip(),
            unit=unit,
            period_date=(self.period_date or "").strip(),
            source_title=(self.source_title or "").strip(),
            source_url=(self.source_url or "").strip(),
            reason=(self.reason or "").strip(),
            value_text=(self.value_text or "").strip() or None,
            date_precision=(self.date_precision or "").strip(),
            date_note=(self.date_note or "").strip(),
            qualifier=(self.qualifier or "").strip(),
            source_kind=(self.source_kind or "").strip(),
            note=(self.note or "").strip(),
        )

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two entries "the same figure": scope, metric and period."""
        return (self.scope, self.metric, self.period_date)


def parse_period_date(text: str) -> tuple[int, int | None, int | None] | None:
    """``"2024-09"`` -> ``(2024, 9, None)``; ``None`` if it is not a valid (partial) ISO date."""
    match = _PARTIAL_DATE.match(text or "")
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        return None
    return year, month, day  # type: ignore[return-value]


def period_precision(period_date: str, stored: str | None = None) -> str:
    """The date precision of a figure: ``stored`` when given, else ``day``, ``month`` or
    ``year`` from the shape of ``period_date`` (``""`` if it is not a date)."""
    if stored:
        return stored
    parsed = parse_period_date(period_date)
    if parsed is None:
        return ""
    return ("year", "month", "day")[sum(p is not None for p in parsed) - 1]


def period_midpoint(text: str) -> dt.date | None:
    """The date a (partial) period is plotted and ordered at.

    A year is placed on 1 July, a month on its 15th, a day on itself: a figure "of 2025"
    is not pretended to be of 1 January.
    """
    parsed = parse_period_date(text)
    if parsed is None:
        return None
    year, month, day = parsed
    if month is None:
        return dt.date(year, 7, 1)
    if day is None:
        return dt.date(year, month, 15)
    return dt.date(year, month, day)


def _decimals(value: float) -> int:
    return 0 if float(value).is_integer() else 2


def validate_input(obs: ObservationInput, lang: str = "fr") -> list[str]:
    """Problems with ``obs`` (already :meth:`~ObservationInput.normalised`), in ``lang``."""
    errors: list[str] = []
    if obs.scope != PROGRAMME and obs.scope not in TERRITORY_IDS:
        errors.append(t("entry.error.unknown_territory", lang, scope=obs.scope or "—"))
    metric = METRICS.get(obs.metric)
    if metric is None:
        errors.append(t("entry.error.unknown_metric", lang, metric=obs.metric or "—"))
    else:
        kind = "programme" if obs.scope == PROGRAMME else "territory"
        if obs.scope and kind not in metric.scopes:
            errors.append(t(f"entry.error.metric_not_for_{kind}", lang, metric=obs.metric))
        if obs.unit != metric.unit:
            errors.append(
                t("entry.error.wrong_unit", lang, unit=obs.unit or "—", expected=metric.unit, metric=obs.metric)
            )
        if metric.unit == "status":
            if obs.value_text not in KNOWN_STATUSES:
                errors.append(
                    t("entry.error.bad_status", lang, status=obs.value_text or "—", allowed=", ".join(STATUSES))
                )
        elif obs.value is None or (isinstance(obs.value, float) and math.isnan(obs.value)):
            errors.append(t("entry.error.missing_value", lang))
        elif not math.isfinite(obs.value):
            errors.append(t("entry.error.bad_value", lang, value=obs.value))
        elif obs.value < 0:
            errors.append(
                t("entry.error.negative_value", lang, value=format_number(obs.value, _decimals(obs.value), lang))
            )
        elif metric.unit in WHOLE_UNITS and not float(obs.value).is_integer():
            errors.append(
                t(
                    "entry.error.not_whole",
                    lang,
                    value=format_number(obs.value, _decimals(obs.value), lang),
                    unit=t(f"progress.unit.{metric.unit}", lang),
                )
            )
    parsed = parse_period_date(obs.period_date)
    if parsed is None:
        errors.append(t("entry.error.bad_date", lang, date=obs.period_date or "—"))
    elif not FIRST_YEAR <= parsed[0] <= LAST_YEAR:
        errors.append(t("entry.error.date_out_of_range", lang, date=obs.period_date, first=FIRST_YEAR, last=LAST_YEAR))
    if obs.date_precision and obs.date_precision not in DATE_PRECISIONS:
        errors.append(
            t("facts.error.bad_precision", lang, precision=obs.date_precision, allowed=", ".join(DATE_PRECISIONS))
        )
    elif obs.date_precision in ("day", "month", "year") and parsed is not None:
        shape = ("year", "month", "day")[sum(p is not None for p in parsed) - 1]
        if shape != obs.date_precision:
            errors.append(t("facts.error.precision_mismatch", lang, precision=obs.date_precision, date=obs.period_date))
    elif obs.date_precision in ("inferred", "uncertain") and not obs.date_note:
        errors.append(t("facts.error.no_date_note", lang, precision=obs.date_precision))
    if obs.qualifier and obs.qualifier not in QUALIFIERS:
        errors.append(t("facts.error.bad_qualifier", lang, qualifier=obs.qualifier, allowed=", ".join(QUALIFIERS)))
    if obs.source_kind and obs.source_kind not in SOURCE_KINDS:
        errors.append(t("facts.error.bad_source_kind", lang, kind=obs.source_kind, allowed=", ".join(SOURCE_KINDS)))
    if obs.source_url and not obs.source_url.lower().startswith(("https://", "http://")):
        errors.append(t("entry.error.bad_url", lang, url=obs.source_url))
    if obs.supersedes_id is not None and not obs.reason:
        errors.append(t("entry.error.reason_required", lang))
    return errors
