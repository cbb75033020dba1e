"""The published figures file (geodata/published_facts.csv): complete, sourced, dated as
precisely as the source, consistent with the registry, and validated with French messages
naming the line."""

from __future__ import annotations

import re

import pytest

from tzcld.facts import (
    COLUMNS,
    FACTS_PATH,
    Fact,
    FactsFileError,
    fact,
    facts_for,
    load_facts,
    parse_facts,
    published_facts,
)
from tzcld.ledger.metrics import DATE_PRECISIONS, METRICS, QUALIFIERS, SOURCE_KINDS
from tzcld.territories import PROGRAMME_JOB_TARGET, STATUSES, TERRITORY_IDS, load_registry

ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
HEADER = ";".join(COLUMNS)
GOOD = (
    "demo.ok;liege;hired;12;persons;;;2025-03;month;;press;"
    "Rapport du CPAS;https://example.org/rapport;Liège : 12 personnes engagées;Liège: 12 people hired;"
)


def csv(*lines: str) -> str:
    return "\n".join((HEADER, *lines)) + "\n"


def test_every_fact_is_sourced_dated_and_in_the_vocabulary():
    facts = published_facts()
    assert len(facts) >= 70
    keys = [f.key for f in facts]
    assert len(keys) == len(set(keys))
    for f in facts:
        assert f.source_title, f.key
        assert f.source_url == "" or f.source_url.startswith("https://"), f.key
        assert ISO_PARTIAL.match(f.period_date), f.key
        assert f.date_precision in DATE_PRECISIONS, f.key
        if f.date_precision in ("inferred", "uncertain"):
            assert f.date_note, f.key  # an inferred date says why
        assert f.scope == "programme" or f.scope in TERRITORY_IDS, f.key
        assert f.metric in METRICS and METRICS[f.metric].unit == f.unit, f.key
        assert f.qualifier in ("", *QUALIFIERS) and f.source_kind in ("", *SOURCE_KINDS), f.key
        assert f.label_fr and f.label_en, f.key
        if f.unit == "status":
            assert f.value is None and f.text in STATUSES
        else:
            assert f.value is not None and f.value >= 0
    # only the announcement has no public web address
    assert {f.source_title for f in facts if not f.source_url} == {fact("target.programme").source_title}


def test_territory_targets_match_the_registry_and_sum_to_725():
    registry = load_registry()
    announced = [f for f in facts_for(metric="job_target") if f.key == f"target.{f.scope}"]
    targets = {f.scope: f.value for f in announced if f.scope != "programme"}
    assert set(targets) == set(TERRITORY_IDS)
    for territory in registry:
        assert targets[territory.id] == territory.job_target
    assert sum(targets.values()) == 725 == fact("target.territories_sum").value
    assert fact("target.programme").value == PROGRAMME_JOB_TARGET == 750


#: Every figure of ../shared/facts/programme-facts.md: (scope, metric, value, qualifier).
EXPECTED: tuple[tuple[str, str, float | str, str], ...] = (
    ("programme", "job_target", 750, ""),
    ("programme", "job_target_territories_sum", 725, ""),
    ("programme", "applications_received", 19, ""),
    ("programme", "territories_retained", 17, ""),
    ("programme", "budget_allocated", 104e6, ""),
    ("programme", "budget_reserved_recovery_plan", 27.7e6, ""),
    ("programme", "hired", 60, ""),
    ("programme", "hires_expected", 30, "approx"),
    ("programme", "jobs_created", 120, ""),
    ("programme", "in_integration", 33, ""),
    ("programme", "activities", 43, ""),
    ("programme", "activities_in_preparation", 30, "approx"),
    ("programme", "territories_ended", 5, ""),
    ("programme", "territories_continued", 11, ""),
    ("la-louviere", "status", "ended", ""),
    ("mons-jemappes", "status", "ended", ""),
    ("frameries", "status", "ended", ""),
    ("trooz-chaudfontaine", "status", "continued", ""),
    ("bertrix", "status", "continued", ""),
    ("la-louviere", "budget_withdrawn", 4.8e6, ""),
    ("la-louviere", "needs_identified", 4, ""),
    ("la-louviere", "candidates_identified", 11, ""),
    ("farciennes", "fte", 15, ""),
    ("farciennes", "activities", 4, ""),
    ("farciennes", "headcount", 20, "approx"),
    ("farciennes", "job_target", 50, ""),
    ("liege", "job_target", 46, ""),
    ("liege", "hired", 5, ""),
    ("trooz-chaudfontaine", "jobs_created", 25, ""),
    ("trooz-chaudfontaine", "job_target", 50, ""),
    ("trooz-chaudfontaine", "activities", 9, ""),
    ("verviers-dison", "inhabitants", 14176, ""),
    ("verviers-dison", "long_term_unemployed", 1850, "approx"),
    ("verviers-dison", "budget_applied", 9e6, ""),
    ("mons-jemappes", "budget_allocated", 12e6, "approx"),
    ("mons-jemappes", "budget_allocated_fse", 6e6, ""),
    ("mons-jemappes", "budget_allocated_wallonia", 6e6, ""),
    ("mons-jemappes", "support_target", 200, ""),
    ("mons-jemappes", "job_target", 100, ""),
    ("mons-jemappes", "jobs_created", 23, ""),
    ("mons-jemappes", "jobs_created", 5, "lt"),
    ("charleroi-marchienne", "budget_applied", 10e6, ""),
    ("charleroi-marchienne", "fte_target", 50, ""),
    ("charleroi-marchienne", "hired", 22, ""),
    ("charleroi-marchienne", "hired_long_term_unemployed", 16, ""),
    ("colfontaine", "hired", 20, ""),
    ("virton-rouvroy-meix", "job_target", 20, ""),
    ("hotton-durbuy-erezee-rendeux-la-roche", "job_target", 24, ""),
    ("bertrix", "budget_allocated", 3.5e6, ""),
    ("bertrix", "job_target", 15, ""),
    ("bertrix", "hired", 7, ""),
    ("bertrix", "headcount", 10, ""),
    ("bertrix", "clients", 110, "gt"),
    ("gembloux", "jobs_created", 14, ""),
    ("gembloux", "hired_in_period", 5, ""),
)


def test_every_figure_of_the_programme_facts_is_in_the_file():
    have = {(f.scope, f.metric, f.text if f.unit == "status" else f.value, f.qualifier) for f in published_facts()}
    missing = [e for e in EXPECTED if e not in have]
    assert missing == []
    # Gembloux: 5 hired in 2024 and 5 more in 2025, two figures of a non-cumulative measure
    assert sorted(f.period_date for f in facts_for("gembloux", "hired_in_period")) == ["2024", "2025"]
    # Different measures stay different: 60 people hired (2024) and 120 jobs created (2025)
    assert fact("hired.2024-09").metric == "hired" and fact("jobs_created.midterm-2025").metric == "jobs_created"


def test_dates_are_as_precise_as_the_source():
    assert fact("hired.2024-09").date_precision == "month"
    assert fact("target.farciennes-dh-2023").date_precision == "day"
    assert fact("jobs_created.midterm-2025").date_precision == "year"
    mons = fact("jobs_created.mons-jemappes-telemb")
    assert mons.date_precision == "inferred" and mons.period_date == "2025" and "fin 2025" in mons.date_note
    marchienne = fact("hired.charleroi-marchienne-telesambre")
    assert (marchienne.period_date, marchienne.date_precision) == ("2025-10", "inferred")
    liege = fact("hired.liege-qu4tre")
    assert liege.date_precision == "uncertain" and "depuis mai 2022" in liege.date_note


def test_statuses_agree_with_the_registry():
    registry = load_registry()
    for f in facts_for(metric="status"):
        assert registry[f.scope].status == f.text, f.scope
    statuses = {t.id: t.status for t in registry}
    assert {k for k, v in statuses.items() if v == "ended"} == {"la-louviere", "mons-jemappes", "frameries"}
    assert {k for k, v in statuses.items() if v == "continued"} == {"trooz-chaudfontaine", "bertrix"}
    assert sum(v == "unconfirmed" for v in statuses.values()) == 12


def test_a_good_file_is_read():
    (one,) = parse_facts(csv(GOOD))
    assert isinstance(one, Fact)
    assert (one.key, one.scope, one.value, one.date_precision, one.line) == ("demo.ok", "liege", 12.0, "month", 2)
    # commas as separator, Windows-1252 bytes, a BOM, Belgian numbers are read too
    comma = (HEADER.replace(";", ",") + "\n" + GOOD.replace(";", ",").replace(",12,", ',"1 234,5",') + "\n").replace(
        "persons", "fte"
    )
    comma = comma.replace(",hired,", ",fte,")
    (two,) = parse_facts(comma.encode("cp1252"))
    assert two.value == 1234.5
    assert parse_facts(("\ufeff" + csv(GOOD)).encode("utf-8"))[0].key == "demo.ok"


def problems(text: str) -> list[str]:
    with pytest.raises(FactsFileError) as info:
        parse_facts(text, "published_facts.csv")
    return info.value.messages


def test_a_figure_without_a_source_is_refused_naming_the_line():
    bad = GOOD.replace("Rapport du CPAS;https://example.org/rapport", ";").replace("demo.ok", "demo.nosource")
    messages = problems(csv(GOOD, bad))
    assert messages == ["published_facts.csv, ligne 3 : chiffre sans source : la colonne source_title est vide."]


def test_a_malformed_date_is_refused_naming_the_line():
    messages = problems(csv(GOOD.replace("2025-03;month", "31/03/2025;").replace("demo.ok", "demo.date")))
    assert len(messages) == 1
    assert messages[0].startswith("published_facts.csv, ligne 2 : ")
    assert "« 31/03/2025 »" in messages[0] and "illisible" in messages[0]
    # a date more precise (or less) than its stated precision, and an inferred date without a reason
    messages = problems(
        csv(
            GOOD.replace("2025-03;month", "2025-03;day"),
            GOOD.replace("demo.ok", "demo.b").replace("2025-03;month", "2025;inferred"),
        )
    )
    assert messages[0].startswith("published_facts.csv, ligne 2 : la date « 2025-03 » ne correspond pas")
    assert messages[1] == (
        "published_facts.csv, ligne 3 : une date « inferred » doit dire pourquoi (colonne date_note)."
    )


def test_unknown_territory_metric_unit_and_vocabulary_are_refused():
    lines = [
        GOOD.replace("demo.ok;liege", "a;atlantis"),
        GOOD.replace("demo.ok;liege;hired", "b;liege;hires"),
        GOOD.replace("demo.ok", "c").replace(";persons;", ";EUR;"),
        GOOD.replace("demo.ok", "d").replace(";press;", ";rumour;"),
        GOOD.replace("demo.ok", "e").replace("12;persons;;", "12;persons;;about"),
        GOOD.replace("demo.ok", "f").replace(";12;", ";douze;"),
        GOOD,
        GOOD,
    ]
    messages = problems(csv(*lines))
    assert any(m.startswith("published_facts.csv, ligne 2 : ") and "Territoire inconnu" in m for m in messages)
    assert any(m.startswith("published_facts.csv, ligne 3 : ") and "hires" in m for m in messages)
    assert any(m.startswith("published_facts.csv, ligne 4 : ") and "Unité « EUR » incorrecte" in m for m in messages)
    assert any(m.startswith("published_facts.csv, ligne 5 : type de source « rumour » inconnu") for m in messages)
    assert any(m.startswith("published_facts.csv, ligne 6 : qualificatif « about » inconnu") for m in messages)
    assert any(m.startswith("published_facts.csv, ligne 7 : ") and "douze" in m for m in messages)
    assert "published_facts.csv, ligne 9 : la clé « demo.ok » est déjà utilisée à la ligne 8." in messages


def test_a_wrong_header_is_refused():
    assert problems(HEADER.replace("source_title", "source_titel") + "\n" + GOOD + "\n") == [
        "published_facts.csv : colonne(s) inconnue(s) : source_titel. Vérifiez l'orthographe de l'en-tête.",
        "published_facts.csv : colonne(s) manquante(s) : source_title.",
    ]
    assert problems(HEADER + "\n") == ["published_facts.csv : le fichier ne contient aucun chiffre."]


def test_the_committed_file_loads_and_is_cached_until_it_changes(tmp_path):
    assert load_facts() is load_facts()
    copy = tmp_path / "facts.csv"
    copy.write_bytes(FACTS_PATH.read_bytes())
    first = load_facts(copy)
    copy.write_text(copy.read_text(encoding="utf-8-sig") + GOOD + "\n", encoding="utf-8")
    second = load_facts(copy)
    assert len(second) == len(first) + 1 and second[-1].key == "demo.ok"


def test_facts_are_immutable():
    with pytest.raises(AttributeError):
        fact("budget.total").value = 0  # type: ignore[misc]


def test_a_wrong_facts_file_is_told_in_french_by_the_cli(monkeypatch, tmp_path, capsys):
    import tzcld.facts as facts_module
    from tzcld.cli import main

    bad = tmp_path / "published_facts.csv"
    bad.write_text(csv(GOOD, GOOD.replace("Rapport du CPAS;https://example.org/rapport", ";")), encoding="utf-8")
    monkeypatch.setattr(facts_module, "FACTS_PATH", bad)
    assert main(["ledger", "export", "--database", f"sqlite:///{tmp_path / 'l.sqlite'}"]) == 2
    err = capsys.readouterr().err
    assert "published_facts.csv, ligne 3 : chiffre sans source" in err
    assert "Traceback" not in err


# --- English notes (issue 17: English pages in English) ---------------------------------------

#: A figure with French notes and their English (columns note, date_note_en, note_en).
NOTED = GOOD.replace("2025-03;month;;", '2025;inferred;"Page non datée ; vers 2025.";').rstrip(";") + (
    ';Aussi dans la presse.;"Page not dated; about 2025.";Also in the press.'
)


def test_english_notes_are_read_with_their_french():
    (one,) = parse_facts(csv(NOTED))
    assert (one.date_note, one.note) == ("Page non datée ; vers 2025.", "Aussi dans la presse.")
    assert (one.date_note_en, one.note_en) == ("Page not dated; about 2025.", "Also in the press.")
    # the English texts are not stored in the ledger: changing them reseeds nothing
    (plain,) = parse_facts(csv(NOTED.replace("Also in the press.", "Also reported by the press.")))
    assert plain.fingerprint == one.fingerprint


def test_an_english_note_without_its_french_or_in_french_typography_is_refused():
    without = NOTED.replace(";Aussi dans la presse.;", ";;").replace("demo.ok", "demo.a")
    french = NOTED.replace("Page not dated; about 2025.", "Page non datée ; vers 2025.").replace("demo.ok", "demo.b")
    quotes = NOTED.replace("Also in the press.", "Also « in the press ».").replace("demo.ok", "demo.c")
    label = NOTED.replace("Liège: 12 people hired", "Liège : 12 people hired").replace("demo.ok", "demo.d")
    assert problems(csv(without, french, quotes, label)) == [
        "published_facts.csv, ligne 2 : la colonne note_en traduit la colonne note, qui est vide.",
        "published_facts.csv, ligne 3 : la colonne date_note_en est en anglais : pas d'espace avant "
        "« : ; ? ! » ni de guillemets « » (écrire “ ”).",
        "published_facts.csv, ligne 4 : la colonne note_en est en anglais : pas d'espace avant "
        "« : ; ? ! » ni de guillemets « » (écrire “ ”).",
        "published_facts.csv, ligne 5 : la colonne label_en est en anglais : pas d'espace avant "
        "« : ; ? ! » ni de guillemets « » (écrire “ ”).",
    ]


def test_every_note_of_the_committed_file_has_its_english():
    """The English pages show the notes in English: the file translates every one of them."""
    for f in published_facts():
        assert bool(f.date_note_en) == bool(f.date_note), (f.line, f.key)
        assert bool(f.note_en) == bool(f.note), (f.line, f.key)
        assert f.label_en and f.label_en != f.label_fr, (f.line, f.key)
        # the registry's names in English ("Trooz and Chaudfontaine", not "Trooz et ...")
        assert not re.search(r"^[^:]*\bet\b[^:]*:", f.label_en), (f.line, f.label_en)


def test_figure_notes_are_the_files_english_while_the_ledger_keeps_the_files_french():
    from tzcld.facts import figure_notes

    f = fact("jobs_created.mons-jemappes-telemb")
    date_note, note = figure_notes(f.key, f.date_note, f.note, "en")
    assert (date_note.text, date_note.lang) == (f.date_note_en, "en")
    assert note.text.startswith("The CPAS says the evaluation used the 2024 figures") and note.lang == "en"
    # French pages: the ledger's text, as it is
    assert figure_notes(f.key, f.date_note, f.note, "fr")[1].text == f.note
    # a note corrected in the ledger since (or a figure entered by a person): its French, said to be French
    corrected = figure_notes(f.key, f.date_note, "Chiffre revu par le CPAS.", "en")[1]
    assert (corrected.text, corrected.lang) == ("Chiffre revu par le CPAS.", "fr")
    person = figure_notes(None, "", "Saisi à la main.", "en")
    assert person[0].text == "" and (person[1].text, person[1].lang) == ("Saisi à la main.", "fr")
