"""The programme's published figures: complete, sourced, consistent with the registry."""

from __future__ import annotations

import re

import pytest

from tzcld.facts import PROGRAMME_FACTS, Fact, fact, facts_for, headline_facts
from tzcld.territories import PROGRAMME_JOB_TARGET, TERRITORY_IDS, load_registry

ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def test_keys_are_unique_and_every_fact_is_sourced_and_dated():
    keys = [f.key for f in PROGRAMME_FACTS]
    assert len(keys) == len(set(keys))
    for f in PROGRAMME_FACTS:
        assert f.source_title, f.key
        assert f.source_url == "" or f.source_url.startswith("https://"), f.key
        assert ISO_PARTIAL.match(f.date), f.key
        assert f.scope == "programme" or f.scope in TERRITORY_IDS, f.key
        assert f.label_fr and f.label_en
        if f.unit == "status":
            assert f.value is None and f.text in {"active", "ended", "unconfirmed"}
        else:
            assert f.value is not None and f.value >= 0


def test_territory_targets_match_the_registry_and_sum_to_725():
    registry = load_registry()
    targets = {f.scope: f.value for f in facts_for(metric="job_target") if f.scope != "programme"}
    assert set(targets) == set(TERRITORY_IDS)
    for territory in registry:
        assert targets[territory.id] == territory.job_target
    assert sum(targets.values()) == 725 == fact("target.territories_sum").value
    assert fact("target.programme").value == PROGRAMME_JOB_TARGET == 750


def test_headline_facts_hold_the_published_figures():
    values = {f.key: f.value for f in headline_facts()}
    assert values["target.programme"] == 750
    assert values["target.territories_sum"] == 725
    assert values["budget.total"] == 104e6
    assert values["budget.fse"] + values["budget.wallonia"] == values["budget.total"]
    assert values["budget.fse"] == values["budget.wallonia"]
    assert values["budget.recovery_plan"] == 27.7e6
    assert values["hired.2024-09"] == 60 and fact("hired.2024-09").date == "2024-09"
    assert values["hired.midterm-2025"] == 120
    assert values["in_integration.midterm-2025"] == 33
    assert values["activities.midterm-2025"] == 43
    assert values["territories.ended-2025"] == 5
    assert values["territories.continued-2025"] == 11
    assert all(isinstance(f, Fact) for f in headline_facts())


def test_territory_figures_la_louviere_and_farciennes():
    assert fact("budget_withdrawn.la-louviere-2025").value == 4.8e6
    assert fact("status.la-louviere-2025").text == "ended"
    assert fact("fte.farciennes-2024").value == 15
    with pytest.raises(KeyError):
        fact("hired.liege")  # unknown stays unknown: no invented per-territory figure


def test_facts_are_immutable():
    with pytest.raises(AttributeError):
        fact("budget.total").value = 0  # type: ignore[misc]
