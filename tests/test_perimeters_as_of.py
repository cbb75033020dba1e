"""Checks "as of a date": the perimeter versions published on that date are used, and the
answer names them (``tzcld.perimeters.published.published_ids_on`` and the CLI's ``--as-of``).

A real SQLite database in the per-test ``TZCLD_DATA_DIR``; approval times are moved into the
past with an UPDATE, as if the versions had been approved then.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import update

from tests.check_support import approve_gembloux_change, gembloux_points, gembloux_without_last_sector, run
from tzcld.geodata.layers import data_version
from tzcld.ledger.permissions import Account
from tzcld.perimeters.published import (
    AsOfError,
    approval_day,
    parse_as_of,
    published_classifier,
    published_ids_on,
    published_on,
    published_version,
    territory_versions,
)
from tzcld.perimeters.store import versions_table
from tzcld.runtime import Runtime

UTC = dt.UTC
ANNE = Account("anne", "porteur", "gembloux", "Anne")
ADMIN = Account("admin", "admin", None, "Forem")


def _approved_at(store, vid: int, when: dt.datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(versions_table).where(versions_table.c.id == vid).values(decided_at=when))


def _two_versions(store) -> tuple[int, int]:
    """Gembloux: v_a (last sector removed) approved on 2025-03-10, then v_b (the committed
    perimeter again) approved on 2025-06-20 (both at 10:00 UTC)."""
    from tzcld.geodata.layers import read_perimeters
    from tzcld.perimeters import Proposal
    from tzcld.perimeters.proposals import make_rows

    first = approve_gembloux_change(store)
    _approved_at(store, first, dt.datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    per = read_perimeters()
    rows = per[per["territory_id"] == "gembloux"].reset_index(drop=True)
    whole = Proposal("gembloux", "sectors", make_rows(rows.drop(columns=["area_m2"]).to_dict("records")), {})
    second = store.propose(ANNE, whole, "secteur rendu", "convention FSE, avenant 1")
    store.approve(ADMIN, second)
    _approved_at(store, second, dt.datetime(2025, 6, 20, 10, 0, tzinfo=UTC))
    return first, second


def test_the_versions_published_on_a_date_are_the_latest_approved_by_then(pstore):
    first, second = _two_versions(pstore)
    assert published_ids_on(pstore, dt.date(2025, 3, 9)) == {}
    assert published_ids_on(pstore, dt.date(2025, 3, 10)) == {"gembloux": first}  # approved that day
    assert published_ids_on(pstore, dt.date(2025, 6, 19)) == {"gembloux": first}
    assert published_ids_on(pstore, dt.date(2025, 6, 20)) == {"gembloux": second}
    assert published_ids_on(pstore, dt.date(2026, 1, 1)) == pstore.published_ids()
    base = data_version()
    assert published_version(pstore, on=dt.date(2025, 1, 1)) == base
    assert published_version(pstore, on=dt.date(2025, 4, 1)) == f"{base}+p{first}"
    on = published_on(pstore, dt.date(2025, 4, 1))
    assert on.version == f"{base}+p{first}" and on.label("gembloux") == f"v{first}" and on.label("liege") == "base"
    assert published_on(pstore).version == published_version(pstore) == f"{base}+p{second}"
    versions = territory_versions(pstore, on=dt.date(2025, 4, 1))
    assert versions["gembloux"].label == f"v{first}" and versions["gembloux"].date == "2025-03-10"
    assert territory_versions(pstore, on=dt.date(2025, 1, 1))["gembloux"].label == "base"


def test_a_rejected_or_pending_version_was_never_published(pstore):
    vid = pstore.propose(ANNE, gembloux_without_last_sector(), "secteur retiré", "convention FSE")
    assert published_ids_on(pstore, dt.date.today()) == {}
    pstore.reject(ADMIN, vid, "pas de source signée")
    assert published_ids_on(pstore, dt.date.today()) == {}


def test_the_approval_day_is_the_brussels_calendar_day(pstore):
    vid = approve_gembloux_change(pstore)
    _approved_at(pstore, vid, dt.datetime(2025, 3, 31, 23, 30, tzinfo=UTC))  # 01:30 on 1 April in Brussels
    assert approval_day(pstore.get(vid)) == dt.date(2025, 4, 1)
    assert published_ids_on(pstore, dt.date(2025, 3, 31)) == {}
    assert published_ids_on(pstore, dt.date(2025, 4, 1)) == {"gembloux": vid}


def test_the_classifier_as_of_a_date_answers_with_that_version(pstore):
    lat, lon = gembloux_points()["removed"]
    from tzcld.check import Checker

    first, second = _two_versions(pstore)
    answers = {
        day: Checker(published_classifier(pstore, on=day)).check_latlon(lat, lon)
        for day in (dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1))
    }
    assert answers[dt.date(2025, 1, 1)].status == "inside"
    assert answers[dt.date(2025, 1, 1)].data_version == data_version()
    assert answers[dt.date(2025, 4, 1)].status == "outside"
    assert answers[dt.date(2025, 4, 1)].data_version == f"{data_version()}+p{first}"
    assert answers[dt.date(2025, 7, 1)].status == "inside"
    assert answers[dt.date(2025, 7, 1)].data_version == f"{data_version()}+p{second}"


@pytest.mark.parametrize("text", ["01/05/2024", "2024-5-1", "2024-02-30", "demain", "2024-05-01T10:00"])
def test_unreadable_dates_are_refused_with_a_message_key(text):
    with pytest.raises(AsOfError) as info:
        parse_as_of(text)
    assert info.value.key == "asof.invalid"


def test_a_person_may_write_the_date_day_first_other_systems_may_not():
    """At the command line (``day_first``), ``01/05/2024`` is 1 May 2024, as Belgium writes it;
    a client of the API must send ISO (its ``05/01/2024`` may be month first)."""
    now = dt.datetime(2025, 5, 1, 12, tzinfo=UTC)
    for text in ("01/05/2024", "1/5/2024", "01.05.2024", "01-05-2024"):
        assert parse_as_of(text, now, day_first=True) == dt.date(2024, 5, 1)
    for text in ("31/02/2024", "01/05-2024", "2024/05/01", "05/2024", "01/05/24"):
        with pytest.raises(AsOfError):
            parse_as_of(text, now, day_first=True)
    with pytest.raises(AsOfError):
        parse_as_of("01/05/2024", now)


def test_dates_in_the_future_are_refused_and_blank_means_today():
    now = dt.datetime(2025, 5, 1, 21, 30, tzinfo=UTC)  # 23:30 in Brussels: still 1 May
    assert parse_as_of("2025-05-01", now) == dt.date(2025, 5, 1)
    assert parse_as_of(dt.date(2024, 2, 29), now) == dt.date(2024, 2, 29)
    assert parse_as_of(None, now) is None and parse_as_of("  ", now) is None
    with pytest.raises(AsOfError) as info:
        parse_as_of("2025-05-02", now)
    assert info.value.key == "asof.future" and info.value.params["today"] == "2025-05-01"


def test_cli_check_as_of_a_date_before_an_approval_uses_the_older_version(capsys):
    lat, lon = gembloux_points()["removed"]
    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    code, out, _ = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--json", "--as-of", yesterday)
    assert code == 0
    before = json.loads(out)
    assert before["status"] == "inside" and before["territory_id"] == "gembloux"
    assert before["data_version"] == data_version()  # the answer names the older version
    assert before["as_of"] == yesterday and before["perimeter_version"]["label"] == "base"
    code, out, _ = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--json")
    now = json.loads(out)
    assert now["status"] == "outside" and now["data_version"] == f"{data_version()}+p{vid}"
    assert now["as_of"] is None
    code, out, _ = run(capsys, "check", f"{lat}, {lon}", "--as-of", yesterday)
    assert code == 0 and "Périmètres publiés le" in out and data_version() in out and f"+p{vid}" not in out


def test_cli_check_file_as_of_and_its_refusals(capsys, tmp_path):
    lat, lon = gembloux_points()["removed"]
    store = Runtime.from_env().perimeter_store()
    vid = approve_gembloux_change(store)
    store.engine.dispose()
    src = tmp_path / "embauches.csv"
    pd.DataFrame({"nom": ["A"], "lat": [lat], "lon": [lon]}).to_csv(src, index=False, sep=";")
    out = tmp_path / "resultats.csv"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    code, _, err = run(capsys, "check-file", str(src), "-o", str(out), "--as-of", yesterday)
    assert code == 0 and f"publiés le {yesterday}" in err
    rows = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert rows.loc[0, "status"] == "inside" and rows.loc[0, "data_version"] == data_version()
    code, _, _ = run(capsys, "check-file", str(src), "-o", str(out))
    rows = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert rows.loc[0, "status"] == "outside" and rows.loc[0, "data_version"].endswith(f"+p{vid}")
    code, _, err = run(capsys, "check-file", str(out), "-o", str(tmp_path / "x.csv"), "--recheck", "--as-of", yesterday)
    assert code == 2 and "--recheck" in err
    code, _, err = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--as-of", "31/02/2024")
    assert code == 2 and "AAAA-MM-JJ" in err and "Traceback" not in err
    code, out_text, _ = run(capsys, "check", "--lat", str(lat), "--lon", str(lon), "--as-of", "31/12/2024")
    assert code == 0 and "publiés le               : 31/12/2024" in out_text  # day first, as in Belgium
