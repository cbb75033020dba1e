"""Ledger rules on SQLite and PostgreSQL: seed, supersede, latest, unknown vs zero,
permissions, atomicity, concurrent writers."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from sqlalchemy import text

from tzcld.facts import fact, published_facts
from tzcld.ledger import (
    FRAME_COLUMNS,
    Account,
    ObservationInput,
    PermissionDenied,
    ValidationError,
    open_store,
)
from tzcld.ledger.migrations import MIGRATIONS, SCHEMA_VERSION, applied_versions
from tzcld.runtime import Runtime, Settings

ADMIN = Account("admin", "admin")
ANNE = Account("anne", "porteur", "liege")
BOB = Account("bob", "porteur", "seraing")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def store(db_url):
    s = open_store(db_url, demo=False)
    yield s
    s.dispose()


def hired(scope: str, value: float | None, period: str = "2025-03", **kw) -> ObservationInput:
    return ObservationInput(scope=scope, metric="hired", value=value, unit="persons", period_date=period, **kw)


def test_default_is_sqlite_in_data_dir_with_wal(_isolated_data_dir, monkeypatch):
    monkeypatch.delenv("TZCLD_DATABASE_URL", raising=False)
    s = Runtime.from_env().ledger_store()
    assert s.dialect == "sqlite"
    assert (_isolated_data_dir / "tzcld.sqlite").exists()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert applied_versions(conn) == {v for v, _description, _apply in MIGRATIONS}
    s.dispose()


def test_url_from_environment(monkeypatch, tmp_path):
    from tzcld.ledger import database_url

    monkeypatch.setenv("TZCLD_DATABASE_URL", "postgresql://u:p@h/db")
    assert Settings.from_env().database_url == "postgresql+psycopg://u:p@h/db"
    assert database_url(f"sqlite:///{tmp_path}/x.db") == f"sqlite:///{tmp_path}/x.db"


def test_seed_holds_every_fact_once_and_is_idempotent(store, db_url):
    frame = store.observations_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    facts = published_facts()
    assert sorted(frame["fact_key"].dropna()) == sorted(f.key for f in facts)
    assert sorted(frame["seed_key"].dropna()) == sorted(f.seed_key for f in facts)
    assert store.seed() == 0
    again = open_store(db_url, demo=False)  # a second process opening the same database
    assert len(again.observations_frame()) == len(facts)
    again.dispose()
    row = frame[frame["fact_key"] == "budget.total"].iloc[0]
    assert row["value"] == 104e6 and row["unit"] == "EUR"
    assert row["source_title"] == fact("budget.total").source_title
    assert row["entered_by"] == "import-chiffres-publies"
    mons = frame[frame["fact_key"] == "jobs_created.mons-jemappes-telemb"].iloc[0]
    assert (mons["date_precision"], mons["period_date"], mons["source_kind"]) == ("inferred", "2025", "press")
    assert "fin 2025" in mons["date_note"]
    assert frame[frame["fact_key"] == "jobs_created.mons-jemappes-release"].iloc[0]["qualifier"] == "lt"
    assert not frame["is_example"].any() and not frame["retracted"].any()


def test_people_hired_and_jobs_created_stay_different_metrics(store):
    latest = store.latest("programme", "hired")
    assert len(latest) == 1
    assert latest["value"].iloc[0] == 60 and latest["period_date"].iloc[0] == "2024-09"
    assert store.latest_value("programme", "jobs_created") == 120
    assert store.latest_value("programme", "in_integration") == 33
    assert store.latest_value("programme", "budget_allocated") == 104e6


def test_unknown_is_not_zero(store):
    assert store.latest_value("seraing", "hired") is None
    assert store.latest("seraing", "hired").empty
    store.add(BOB, hired("seraing", 0))
    assert store.latest_value("seraing", "hired") == 0.0


def test_supersede_keeps_history_and_changes_latest(store):
    first = store.add(ANNE, hired("liege", 12))
    with pytest.raises(ValidationError, match="raison"):
        store.add(ANNE, hired("liege", 21))  # same figure, other value: a correction needs a reason
    second = store.add(ANNE, hired("liege", 21, reason="chiffres inversés"))
    frame = store.observations_frame()
    old = frame[frame["id"] == first].iloc[0]
    new = frame[frame["id"] == second].iloc[0]
    assert bool(old["superseded"]) and old["superseded_by"] == second and old["value"] == 12
    assert new["supersedes_id"] == first and new["reason"] == "chiffres inversés"
    assert store.latest_value("liege", "hired") == 21
    assert len(store.observations_frame(include_superseded=False)) == len(frame) - 1
    change = store.changes(1).iloc[0]
    assert change["kind"] == "correction" and change["previous_value"] == 12 and change["entered_by"] == "anne"


def test_explicit_supersede_of_an_older_period(store):
    old = store.add(ANNE, hired("liege", 5, "2024-12"))
    store.add(ANNE, hired("liege", 9, "2025-06"))
    store.add(ANNE, hired("liege", 6, "2024-12", supersedes_id=old, reason="recompté"))
    assert store.latest_value("liege", "hired") == 9  # the later period stays the latest
    with pytest.raises(ValidationError, match="n° 999999"):
        store.add(ANNE, hired("liege", 7, "2024-12", supersedes_id=999999, reason="x"))


def test_duplicate_value_is_refused(store):
    store.add(ANNE, hired("liege", 12))
    with pytest.raises(ValidationError, match="Doublon"):
        store.add(ANNE, hired("liege", 12))


def test_latest_orders_partial_dates_by_midpoint(store):
    store.add(ADMIN, hired("seraing", 8, "2025-03"))
    store.add(ADMIN, hired("seraing", 10, "2025"))  # a 2025 figure sits at mid-2025
    assert store.latest_value("seraing", "hired") == 10


def test_permissions_are_enforced_by_the_store(store):
    with pytest.raises(PermissionDenied, match="son territoire"):
        store.add(ANNE, hired("seraing", 3))
    with pytest.raises(PermissionDenied, match="administrateurs"):
        store.add(ANNE, ObservationInput("liege", "job_target", 60, "persons", "2025"))
    with pytest.raises(PermissionDenied):
        store.add(ANNE, hired("programme", 3))
    with pytest.raises(PermissionDenied):
        store.add(ANNE, ObservationInput("liege", "status", None, "status", "2025", value_text="ended"))
    assert store.latest_value("seraing", "hired") is None
    store.add(
        ADMIN,
        ObservationInput("seraing", "status", None, "status", "2025", value_text="active", source_title="Décision GW"),
    )
    assert store.latest("seraing", "status")["value_text"].iloc[0] == "active"
    store.add(ADMIN, ObservationInput("liege", "job_target", 50, "persons", "2025", reason="objectif révisé"))
    assert store.latest_value("liege", "job_target") == 50


def test_batch_is_atomic(store):
    before = len(store.observations_frame())
    good = hired("liege", 4, "2025-01")
    bad = hired("liege", -2, "2025-02")
    with pytest.raises(ValidationError) as info:
        store.record(ANNE, [good, bad])
    assert set(info.value.by_index) == {1}
    assert "négative" in info.value.messages[0] and info.value.messages[0].startswith("Entrée 2")
    with pytest.raises(ValidationError, match="Doublon"):
        store.record(ANNE, [good, hired("liege", 5, "2025-01")])
    with pytest.raises(PermissionDenied):
        store.record(ANNE, [good, hired("seraing", 5)])
    assert len(store.observations_frame()) == before
    assert store.record(ANNE, [good, hired("liege", 6, "2025-02")])
    assert len(store.observations_frame()) == before + 2


def test_failure_inside_the_transaction_writes_nothing(store, monkeypatch):
    from tzcld.ledger import store as store_mod

    before = len(store.observations_frame())
    calls = {"n": 0}
    real = store_mod.TABLE.insert

    class Boom(RuntimeError):
        pass

    def failing_insert():
        calls["n"] += 1
        if calls["n"] == 2:
            raise Boom("disk full")
        return real()

    monkeypatch.setattr(store_mod.TABLE, "insert", failing_insert)
    with pytest.raises(Boom):
        store.record(ANNE, [hired("liege", 1, "2025-01"), hired("liege", 2, "2025-02")])
    monkeypatch.undo()
    assert len(store.observations_frame()) == before


def test_rows_are_never_updated_or_deleted(store):
    oid = store.add(ANNE, hired("liege", 3))
    store.add(ANNE, hired("liege", 4, reason="correction"))
    got = store.get(oid)
    assert got is not None and got["value"] == 3 and got["entered_by"] == "anne"


@pytest.mark.parametrize("writers,each", [(6, 5)])
def test_concurrent_writers_lose_nothing(db_url, writers, each):
    s = open_store(db_url, demo=False)
    before = len(s.observations_frame())
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def work(k: int) -> None:
        local = open_store(db_url, demo=False, seed=False)
        try:
            barrier.wait()
            for j in range(each):
                month = 1 + j
                local.add(
                    ADMIN,
                    hired("programme" if k == 0 else "liege", k * 100 + j, f"{2023 + k % 3}-{month:02d}-{10 + k:02d}"),
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            local.dispose()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    frame = s.observations_frame()
    assert len(frame) == before + writers * each
    assert frame["id"].is_unique
    s.dispose()


def test_concurrent_seeding_inserts_each_fact_once(db_url):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            open_store(db_url, demo=False).dispose()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    s = open_store(db_url, demo=False)
    assert len(s.observations_frame()) == len(published_facts())
    with s.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == SCHEMA_VERSION
    s.dispose()


def test_demo_mode_adds_labelled_examples_never_stored(db_url):
    s = open_store(db_url, demo=True)
    frame = s.observations_frame()
    examples = frame[frame["is_example"]]
    assert len(examples) > 0
    assert (examples["id"] < 0).all()
    assert examples["source_title"].str.contains("exemple").all()
    real = open_store(db_url, demo=False).observations_frame()
    assert not real["is_example"].any() and len(real) == len(published_facts())
    s.dispose()


def test_validation_messages_are_french(store):
    cases = [
        (ObservationInput("atlantis", "hired", 1, "persons", "2025"), "Territoire inconnu"),
        (ObservationInput("liege", "hired", 1, "EUR", "2025"), "Unité « EUR » incorrecte"),
        (ObservationInput("liege", "hired", 1, "persons", "2021-12"), "hors de la période"),
        (ObservationInput("liege", "hired", 1, "persons", "31/12/2025"), "illisible"),
        (ObservationInput("liege", "hired", None, "persons", "2025"), "Valeur manquante"),
        (ObservationInput("liege", "hired", 1, "persons", "2025", source_url="javascript:x"), "Lien de source"),
    ]
    for obs, message in cases:
        with pytest.raises(ValidationError, match=message):
            store.add(ADMIN, obs)


def test_frame_types(store):
    frame = store.observations_frame()
    assert isinstance(frame["entered_at"].dtype, pd.DatetimeTZDtype)
    assert frame["value"].dtype == "float64"
    assert frame["superseded"].dtype == bool


def test_concurrent_writers_of_the_same_figure_are_serialised(db_url):
    """Two people saving the same figure at once: one is stored, the other is told it is a
    duplicate; two different corrections at once: both are kept in the history."""
    s = open_store(db_url, demo=False)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def work() -> None:
        local = open_store(db_url, demo=False, seed=False)
        try:
            barrier.wait()
            local.add(ANNE, hired("liege", 17, "2025-09"))
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("duplicate" if "Doublon" in str(exc) else str(exc))
        finally:
            local.dispose()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "saved"]
    frame = s.observations_frame()
    saved = frame[(frame["scope"] == "liege") & (frame["metric"] == "hired") & (frame["period_date"] == "2025-09")]
    assert len(saved) == 1
    s.dispose()
