"""Example series for demo mode (training, screenshots): clearly not real data.

Never written to the database. Every row has ``is_example`` true, a negative id,
``entered_by`` ``"exemple"`` and the source "données d'exemple". The values are made
up by a fixed formula (deterministic, no randomness) and must never be published as
real figures.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tzcld.territories import load_registry

EXAMPLE_SOURCE = "données d'exemple (fictives)"
EXAMPLE_ACCOUNT = "exemple"

#: Months of the example series (quarterly, mid-2023 to mid-2025).
EXAMPLE_PERIODS: tuple[str, ...] = tuple(
    f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in (3, 6, 9, 12) if (y, m) >= (2023, 6) and (y, m) <= (2025, 6)
)


def example_frame() -> pd.DataFrame:
    """Made-up quarterly ``hired`` series for every territory plus the programme total,
    and made-up ``budget_committed`` / ``budget_spent`` for the programme."""
    rows: list[dict] = []
    at = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    next_id = -1

    def add(scope: str, metric: str, value: float, unit: str, period: str) -> None:
        nonlocal next_id
        rows.append(
            {
                "id": next_id,
                "scope": scope,
                "metric": metric,
                "value": float(value),
                "unit": unit,
                "period_date": period,
                "source_title": EXAMPLE_SOURCE,
                "source_url": "",
                "entered_by": EXAMPLE_ACCOUNT,
                "entered_at": at,
                "supersedes_id": None,
                "superseded": False,
                "reason": "",
                "is_example": True,
                "value_text": None,
                "superseded_by": None,
                "seed_key": None,
                "date_precision": "",
                "date_note": "",
                "qualifier": "",
                "source_kind": "",
                "note": "",
                "retracted": False,
                "fact_key": None,
            }
        )
        next_id -= 1

    n = len(EXAMPLE_PERIODS)
    totals = [0.0] * n
    for k, territory in enumerate(load_registry()):
        tid, target = territory.id, territory.job_target
        reach = 0.15 + 0.6 * ((k * 7) % 17) / 16  # a share of the target reached by mid-2025
        for i, period in enumerate(EXAMPLE_PERIODS):
            value = round(target * reach * (i + 1) / n)
            totals[i] += value
            add(tid, "hired", value, "persons", period)
    for i, period in enumerate(EXAMPLE_PERIODS):
        add("programme", "hired", totals[i], "persons", period)
        add("programme", "budget_committed", 6e6 * (i + 1), "EUR", period)
        add("programme", "budget_spent", 4e6 * (i + 1), "EUR", period)
    return pd.DataFrame(rows)


def with_examples(frame: pd.DataFrame) -> pd.DataFrame:
    """An observations ``frame`` followed by the example series (demo mode), typed as the
    ledger's frames; the examples' ids are negative and below every id of ``frame`` (the
    facts file's rows have negative ids too)."""
    from tzcld.ledger.store import _typed

    examples = example_frame()
    if not frame.empty:
        lowest = min(0, int(pd.to_numeric(frame["id"]).min()))
        examples["id"] = examples["id"] + lowest
        examples = pd.concat([frame, examples], ignore_index=True)
    return _typed(examples)
