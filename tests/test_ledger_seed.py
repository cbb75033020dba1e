"""Seeding the ledger from geodata/published_facts.csv, on SQLite and PostgreSQL: a
database seeded by the old code (schema 1, facts as Python literals) is upgraded by
migration 2 and its old seed rows are superseded or retracted, never duplicated; a
corrected facts file supersedes, a removed figure is retracted, a person's correction
is kept; provenance reads "import des chiffres publiés" with the source's date."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, create_engine, inspect, text

from tzcld.facts import fact, published_facts
from tzcld.ledger import Account, ObservationInput, open_store
from tzcld.ledger.export import export_frame
from tzcld.ledger.migrations import SCHEMA_VERSION, applied_versions
from tzcld.ledger.store import changes_of, database_url, effective_of, latest_of
from tzcld.ledger.summary import changes_display

ADMIN = Account("admin", "admin")

#: A few rows exactly as the old code seeded them (facts as Python literals, schema 1).
OLD_TITLE = "Wallonie (Plan de relance), « Déploiement de 17 projets » — annonce officielle"
OLD_SEED = (
    ("target.programme", "programme", "job_target", 750.0, None, "persons", "2022", OLD_TITLE),
    ("budget.total", "programme", "budget_allocated", 104e6, None, "EUR", "2022", OLD_TITLE),
    ("hired.2024-09", "programme", "hired", 60.0, None, "persons", "2024-09", "SPW Économie"),
    ("hired.midterm-2025", "programme", "hired", 120.0, None, "persons", "2025", "Coppieters"),
    ("fte.farciennes-2024", "farciennes", "fte", 15.0, None, "fte", "2024", "Journal L'Essentiel"),
    ("status.la-louviere-2025", "la-louviere", "status", None, "ended", "status", "2025", "Antenne Centre"),
    ("target.liege", "liege", "job_target", 46.0, None, "persons", "2022", OLD_TITLE),
    ("territories.gone", "programme", "territories_retained", 17.0, None, "territories", "2022", OLD_TITLE),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("fresh_postgres_url")


def make_old_database(url: str) -> None:
    """A ledger as schema version 1 left it: the v1 table, its version row, old seed rows
    and a person's correction of one of them."""
    engine = create_engine(database_url(url))
    meta = MetaData()
    obs = Table(
        "observations",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("scope", String(64), nullable=False),
        Column("metric", String(64), nullable=False),
        Column("value", Float),
        Column("value_text", String(64)),
        Column("unit", String(16), nullable=False),
        Column("period_date", String(10), nullable=False),
        Column("source_title", Text, nullable=False),
        Column("source_url", Text, nullable=False),
        Column("entered_by", String(128), nullable=False),
        Column("entered_at", DateTime(timezone=True), nullable=False),
        Column("supersedes_id", Integer),
        Column("reason", Text, nullable=False),
        Column("seed_key", String(128), unique=True),
    )
    version = Table(
        "schema_version",
        meta,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", Text, nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    meta.create_all(engine)
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(version.insert().values(version=1, description="observations table", applied_at=at))
        for key, scope, metric, value, vtext, unit, period, title in OLD_SEED:
            conn.execute(
                obs.insert().values(
                    scope=scope,
                    metric=metric,
                    value=value,
                    value_text=vtext,
                    unit=unit,
                    period_date=period,
                    source_title=title,
                    source_url="",
                    entered_by="seed",
                    entered_at=at,
                    reason="",
                    seed_key=key,
                )
            )
        liege = conn.execute(text("SELECT id FROM observations WHERE seed_key = 'target.liege'")).scalar_one()
        conn.execute(
            obs.insert().values(
                scope="liege",
                metric="job_target",
                value=40.0,
                unit="persons",
                period_date="2025",
                source_title="Décision du Gouvernement",
                source_url="",
                entered_by="admin",
                entered_at=at,
                supersedes_id=liege,
                reason="objectif revu",
            )
        )
        conn.execute(
            obs.insert().values(
                scope="liege",
                metric="hired",
                value=3.0,
                unit="persons",
                period_date="2025-03",
                source_title="Rapport du CPAS",
                source_url="",
                entered_by="anne",
                entered_at=at,
                reason="",
            )
        )
    engine.dispose()


def one_current_row_per_fact(frame: pd.DataFrame) -> None:
    current = effective_of(frame, political=True)
    seeded = current[current["fact_key"].notna()]
    counts = seeded.groupby("fact_key").size()
    assert counts.max() == 1, counts[counts > 1]


def test_a_database_seeded_by_the_old_code_is_upgraded_without_duplicates(db_url):
    make_old_database(db_url)
    store = open_store(db_url, demo=False)
    with store.engine.connect() as conn:
        assert applied_versions(conn) == set(range(1, SCHEMA_VERSION + 1)) and SCHEMA_VERSION >= 2
        columns = {c["name"] for c in inspect(conn).get_columns("observations")}
    assert {"date_precision", "date_note", "qualifier", "source_kind", "note", "retracted", "fact_key"} <= columns
    frame = store.observations_frame()
    one_current_row_per_fact(frame)
    facts = published_facts()
    current = effective_of(frame)
    # every published figure is current once, except the one a person corrected
    assert set(current["fact_key"].dropna()) == {f.key for f in facts} - {"target.liege"}
    # the old 120 "hired" of 2025 (jobs created, in fact) is retracted, not left in the hired series
    old_120 = frame[(frame["fact_key"] == "hired.midterm-2025") & ~frame["retracted"]].iloc[0]
    assert bool(old_120["superseded"])
    assert latest_of(frame, "programme", "hired")["value"].iloc[0] == 60
    assert latest_of(frame, "programme", "jobs_created")["value"].iloc[0] == 120
    # a figure gone from the file is retracted; an old figure still there is superseded by its new version
    assert latest_of(frame, "programme", "territories_retained")["value"].iloc[0] == 17
    gone = frame[frame["fact_key"] == "territories.gone"]
    assert len(gone) == 2 and gone["retracted"].sum() == 1
    target = frame[frame["fact_key"] == "target.programme"]
    assert list(target["period_date"]) == ["2022", "2023-04"] and list(target["superseded"]) == [True, False]
    assert target.iloc[1]["reason"].startswith("Import des chiffres publiés : chiffre corrigé")
    # the person's correction of Liège's target and their own entry are untouched
    assert latest_of(frame, "liege", "job_target")["value"].iloc[0] == 40
    assert latest_of(frame, "liege", "hired")["entered_by"].iloc[0] == "anne"
    # nothing more to do the second time, also for another process
    assert store.seed() == 0
    again = open_store(db_url, demo=False)
    assert len(again.observations_frame()) == len(frame)
    again.dispose()
    store.dispose()


def test_a_corrected_or_removed_figure_supersedes_or_retracts(db_url):
    store = open_store(db_url, demo=False)
    facts = list(published_facts())
    before = len(store.observations_frame())
    fixed = dataclasses.replace(fact("fte.farciennes-2024"), value=16.0)
    moved = dataclasses.replace(fact("headcount.bertrix-tvlux"), metric="hired_in_period")
    changed = [fixed if f.key == fixed.key else moved if f.key == moved.key else f for f in facts]
    changed = [f for f in changed if f.key != "clients.bertrix-tvlux"]
    # a corrected value: one superseding row; a figure moved to another metric: retract + insert;
    # a removed figure: one retraction
    assert store.seed(changed) == 4
    frame = store.observations_frame()
    one_current_row_per_fact(frame)
    assert store.latest_value("farciennes", "fte") == 16
    assert store.latest_value("bertrix", "headcount") is None
    assert store.latest_value("bertrix", "hired_in_period") == 10
    assert store.latest_value("bertrix", "clients") is None
    assert len(frame) == before + 4
    kinds = changes_of(frame, limit=None)["kind"]
    assert (kinds == "retraction").sum() == 2
    assert store.seed(changed) == 0
    # back to the committed file (supersede, retract + insert, insert): no duplicate
    assert store.seed() == 4
    one_current_row_per_fact(store.observations_frame())
    assert store.latest_value("bertrix", "clients") == 110
    store.dispose()


def test_a_persons_correction_of_a_seeded_figure_is_kept(db_url):
    store = open_store(db_url, demo=False)
    seeded = store.observations_frame().query("fact_key == 'hired.bertrix-tvlux'")["id"].iloc[0]
    store.add(
        ADMIN,
        ObservationInput(
            "bertrix", "hired", 8, "persons", "2025", "Rapport du CPAS", supersedes_id=int(seeded), reason="recompté"
        ),
    )
    changed = [dataclasses.replace(f, value=9.0) if f.key == "hired.bertrix-tvlux" else f for f in published_facts()]
    assert store.seed(changed) == 0
    assert store.latest_value("bertrix", "hired") == 8
    store.dispose()


def test_provenance_of_a_seeded_row_reads_true(db_url):
    store = open_store(db_url, demo=False)
    frame = store.observations_frame()
    log = changes_display(changes_of(frame, limit=None), "fr")
    mons = log[(log["Indicateur"] == "Emplois créés (selon la source)") & (log["Valeur"] == "23")].iloc[0]
    assert mons["Origine"] == "import des chiffres publiés"
    assert mons["Date de la source ou de la saisie"] == "source : 2025, date déduite du texte"
    assert mons["Type"] == "import des chiffres publiés"
    assert "seed" not in set(log["Origine"])
    dh = log[log["Source"].str.startswith("DH, article sur les subsides")].iloc[0]
    assert dh["Date de la source ou de la saisie"] == "source : 05/05/2023"
    store.add(ADMIN, ObservationInput("liege", "hired", 9, "persons", "2025-11", "Rapport"))
    log = changes_display(changes_of(store.observations_frame(), limit=1), "fr")
    assert log.iloc[0]["Origine"] == "admin" and log.iloc[0]["Date de la source ou de la saisie"].startswith(
        "saisi le "
    )
    store.dispose()


def test_ledger_export_lists_every_fact_with_its_source(db_url, tmp_path):
    from tzcld.cli import main

    store = open_store(db_url, demo=False)
    store.dispose()
    out = tmp_path / "registre.csv"
    assert main(["ledger", "export", "--database", db_url, "-o", str(out)]) == 0
    exported = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_key = {r["fact_key"]: r for r in exported.to_dict("records") if r["fact_key"]}
    for f in published_facts():
        row = by_key[f.key]
        assert row["scope"] == f.scope and row["unit"] == f.unit and row["period_date"] == f.period_date
        assert row["source_url"] == f.source_url and row["date_precision"] == f.date_precision
        if f.value is not None:
            assert float(row["value"]) == f.value
        else:
            assert row["value_text"] == f.text
    # and a restore of that export into a fresh database duplicates nothing
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.sqlite'}", demo=False)
    inserted, skipped = fresh.restore(pd.read_csv(out, dtype=str, keep_default_na=False), ADMIN)
    assert inserted == 0 and skipped == len(exported)
    one_current_row_per_fact(fresh.observations_frame())
    assert len(export_frame(fresh)) == len(exported)
    fresh.dispose()
