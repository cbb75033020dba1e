"""The Transparence content model: sourced figures, unknowns, precision, change log, credits."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tzcld.facts import fact, published_facts
from tzcld.ledger import Account, ObservationInput, open_store
from tzcld.ledger.store import empty_frame
from tzcld.transparency import (
    DEFAULT_CREDITS,
    build_transparency,
    credits_from_manifest,
    format_partial_date,
    format_value,
    ledger_freshness,
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    store = open_store(f"sqlite:///{folder / 'l.sqlite'}", demo=False)
    yield store
    store.dispose()


def test_headline_figures_are_the_published_facts_with_sources(seeded) -> None:
    content = build_transparency("fr", seeded.observations_frame())
    programme = [f for f in published_facts() if f.scope == "programme"]
    assert sorted(f.key for f in content.headline) == sorted(f.key for f in programme)
    by_key = {f.key: f for f in content.headline}
    assert by_key["target.programme"].display == "750"
    assert by_key["target.programme"].date_display == "04/2023, date déduite du texte"
    assert by_key["target.territories_sum"].display == "725"
    assert by_key["budget.total"].display == "104\u202fM€"
    assert by_key["jobs_created.midterm-2025"].display == "120"
    assert by_key["jobs_created.midterm-2025"].source_url == fact("jobs_created.midterm-2025").source_url
    assert by_key["hired.2024-09"].date_display == "09/2024"
    assert by_key["hires_expected.2024-09"].display == "environ 30"
    assert all(f.source_title for f in content.headline)
    assert not content.has_example_data
    assert "725" in content.targets_note and "750" in content.targets_note


def test_every_territory_figure_is_there_with_conflicts_flagged(seeded) -> None:
    content = build_transparency("fr", seeded.observations_frame())
    territorial = [f for f in published_facts() if f.scope != "programme"]
    assert sorted(f.key for f in content.territory_figures) == sorted(f.key for f in territorial)
    mons = [f for f in content.territory_figures if f.scope == "mons-jemappes" and f.metric == "jobs_created"]
    assert sorted((f.display, f.conflict) for f in mons) == [("23", True), ("moins de 5", True)]
    assert {f.source_url for f in mons} == {
        fact("jobs_created.mons-jemappes-telemb").source_url,
        fact("jobs_created.mons-jemappes-release").source_url,
    }
    gembloux = [f for f in content.territory_figures if f.scope == "gembloux" and f.metric == "jobs_created"]
    assert [f.conflict for f in gembloux] == [False, False]  # two sources, the same 14
    assert "5 + 11" in content.status_summary or "16 et non 17" in content.status_summary
    assert "Trooz et Chaudfontaine, Bertrix" in content.status_summary
    row = next(r for r in content.precision if r.territory_id == "mons-jemappes")
    assert row.status_detail == "arrêté (Télé MB, 2025, date déduite du texte)"


def test_without_a_ledger_the_facts_file_is_shown() -> None:
    content = build_transparency("fr", None)
    assert len(content.headline) + len(content.territory_figures) == len(published_facts())
    assert content.changes == ()


def test_a_newer_ledger_figure_is_added_with_its_own_source(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'l.sqlite'}", demo=False)
    admin = Account("admin-test", "admin")
    store.record(
        admin,
        [
            ObservationInput(
                scope="programme",
                metric="hired",
                value=170,
                unit="persons",
                period_date="2026-03",
                source_title="Rapport Forem 2026",
                source_url="https://example.org/forem",
            )
        ],
    )
    content = build_transparency("en", store.observations_frame())
    added = [f for f in content.headline if f.origin == "ledger"]
    assert [(f.display, f.date, f.source_title) for f in added] == [("170", "2026-03", "Rapport Forem 2026")]
    assert added[0].label == "Programme: People hired on contract (cumulative)"
    assert content.changes[0].value_display == "170" and content.changes[0].source_url == "https://example.org/forem"
    assert content.last_update == dt.datetime.now(dt.UTC).date().isoformat()
    store.dispose()


def test_an_older_or_seeded_ledger_figure_does_not_duplicate_a_fact(seeded) -> None:
    content = build_transparency("fr", seeded.observations_frame())
    assert [f for f in content.headline if f.origin == "ledger"] == []


def test_unknowns_are_said_plainly_never_zero() -> None:
    assert format_value(None, "persons", "fr") == "non communiqué"
    assert format_value(float("nan"), "EUR", "en") == "not reported"
    assert format_value(0.0, "persons", "fr") == "0"
    assert format_value(15, "fte", "fr") == "15 ETP"
    assert format_value(None, "status", "fr", "ended") == "arrêté"
    assert format_partial_date(None, "fr") == "non communiqué"
    assert format_partial_date("2025-03-31", "fr") == "31/03/2025"
    content = build_transparency("fr", empty_frame())
    assert any("par territoire et par mois" in item for item in content.unknown_items)


def test_precision_lists_the_five_indicative_territories() -> None:
    content = build_transparency("fr", None)
    assert len(content.precision) == 17
    indicative = {r.territory_id for r in content.precision if r.indicative}
    assert indicative == {"flemalle", "seraing", "trooz-chaudfontaine", "herstal-oupeye", "comblain-sprimont-aywaille"}
    assert content.precision_summary.startswith("5 territoires sur 17")
    row = next(r for r in content.precision if r.territory_id == "flemalle")
    assert "indicatif" in row.precision_label


def test_methodology_covers_jobs_perimeters_eligibility_frequency_in_both_languages() -> None:
    for lang in ("fr", "en"):
        sections = build_transparency(lang, None).methodology
        assert [s.key for s in sections] == ["jobs", "perimeters", "eligibility", "frequency"]
        assert all(s.paragraphs and not s.heading.startswith("transparency.") for s in sections)
    fr = " ".join(p for s in build_transparency("fr", None).methodology for p in s.paragraphs)
    assert "2 ans" in fr and "6 mois" in fr


def test_change_log_is_newest_first_and_flags_corrections_and_examples(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'l.sqlite'}", demo=True)
    admin = Account("admin-test", "admin")
    [first] = store.record(
        admin,
        [
            ObservationInput(
                scope="farciennes",
                metric="hired",
                value=20,
                unit="persons",
                period_date="2025-06",
                source_title="Porteur",
            )
        ],
    )
    store.record(
        admin,
        [
            ObservationInput(
                scope="farciennes",
                metric="hired",
                value=21,
                unit="persons",
                period_date="2025-06",
                source_title="Porteur",
                supersedes_id=first,
                reason="double comptage",
            )
        ],
    )
    content = build_transparency("fr", store.observations_frame(), change_limit=500)
    newest = content.changes[0]
    assert (newest.scope_label.startswith("Farciennes"), newest.value_display, newest.is_correction) == (
        True,
        "21",
        True,
    )
    replaced = next(c for c in content.changes if c.observation_id == str(first))
    assert replaced.superseded and not replaced.is_correction
    assert content.has_example_data  # demo mode rows are flagged, never passed off as real
    assert any(c.is_example for c in content.changes)
    assert len(build_transparency("fr", store.observations_frame(), change_limit=5).changes) == 5
    store.dispose()


def test_freshness_ignores_the_seed_and_examples() -> None:
    frame = pd.DataFrame(
        {
            "entered_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"], utc=True),
            "seed_key": ["hired.2024-09#0123456789ab", None, None],
            "is_example": [False, False, True],
            "period_date": ["2024-09", "2025-06", "2027"],
        }
    )
    assert ledger_freshness(frame) == ("2026-02-01", "2025-06")
    assert ledger_freshness(None) == (None, None)


def test_credits_always_name_the_four_producers() -> None:
    for credits in (
        credits_from_manifest(None),
        credits_from_manifest(
            {
                "inputs": [
                    {
                        "file": "a.gpkg",
                        "producer": "Statbel",
                        "licence": "Statbel open data",
                        "attribution": "Source : Statbel",
                    }
                ]
            }
        ),
    ):
        text = " ".join(f"{c.producer} {c.attribution}" for c in credits)
        for producer in ("Statbel", "ICAR", "BeST", "OpenStreetMap"):
            assert producer in text
    assert len(DEFAULT_CREDITS) == 4


def test_english_content_is_translated() -> None:
    content = build_transparency("en", None)
    assert content.title == "Transparency and open data"
    by_key = {f.key: f for f in content.headline}
    assert by_key["target.programme"].label == fact("target.programme").label_en
    assert by_key["target.programme"].date_display == "2023-04, date inferred from the text"
    assert len(published_facts()) > len(content.headline)


def test_english_notes_and_names_and_a_french_note_marked_as_french() -> None:
    """English pages: the facts file's English notes and the territories' English names; a
    note the file does not translate (corrected in the ledger since) stays French, marked
    lang="fr" in the HTML."""
    from tzcld.export.site import headline_html
    from tzcld.ledger.summary import facts_frame

    frame = facts_frame()
    mons = frame["seed_key"].str.startswith("jobs_created.mons-jemappes-telemb#")
    frame.loc[mons, "note"] = "Chiffre revu par le CPAS de Mons."
    content = build_transparency("en", frame)
    by_key = {f.key: f for f in content.territory_figures}
    telemb = by_key["jobs_created.mons-jemappes-telemb"]
    assert telemb.scope_label == "Mons (Jemappes and its surroundings)"
    assert telemb.date_note == fact("jobs_created.mons-jemappes-telemb").date_note_en and telemb.date_note_lang == ""
    assert (telemb.note, telemb.note_lang) == ("Chiffre revu par le CPAS de Mons.", "fr")
    release = by_key["jobs_created.mons-jemappes-release"]
    assert release.note.startswith("The release gives this figure") and release.note_lang == ""
    page = headline_html(content)
    assert '<span lang="fr">Chiffre revu par le CPAS de Mons.</span>' in page
    assert "Page not dated; late 2025" in page and "Page non datée" not in page
    french = {f.key: f for f in build_transparency("fr", frame).territory_figures}
    assert french["jobs_created.mons-jemappes-telemb"].scope_label == "Mons (Jemappes et ses alentours)"
