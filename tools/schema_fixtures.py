"""Write the database fixtures of the migration tests: a database as an older tree creates it.

``tests/fixtures/schema/<name>.sqlite.sql`` and ``<name>.postgresql.sql`` hold the whole
database (schema and rows) that the code of an older commit writes on a first use: the
ledger seeded from the published facts, one entry by a person, the sign-in journal, and two
perimeter versions (one approved, one pending). ``tests/test_migrations.py`` loads them into
a fresh SQLite file and a fresh PostgreSQL database and upgrades them with today's code.

Run it with the OLD tree first on the import path (its API is the one used below), from the
root of the repository::

    git worktree add /tmp/tzcld-main 0fe91ae          # the commit whose schema is captured
    PYTHONPATH=/tmp/tzcld-main python tools/schema_fixtures.py main-0fe91ae
    git worktree remove /tmp/tzcld-main

The fixtures kept: ``main-0fe91ae`` (schema version 3, perimeter tables without a version)
and ``issue16-459d717`` (version 4: the accounts in the database, one account written too).

PostgreSQL: a throw-away cluster as in the tests (``tests/pg_support.py``); ``pg_dump
--inserts`` writes plain SQL (no ``COPY``), replayed statement by statement.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "tests" / "fixtures" / "schema"


def populate(url: str) -> None:
    """What a first use of the old tree writes, plus a little of everything."""
    import datetime as dt

    import shapely
    from sqlalchemy import text

    from tzcld.ledger import Account, ObservationInput, open_store
    from tzcld.perimeters import Proposal, perimeter_store_for
    from tzcld.perimeters.proposals import make_rows

    store = open_store(url)  # created, migrated, seeded from geodata/published_facts.csv
    admin = Account("admin", "admin", None, "Forem")
    store.record(
        admin,
        [
            ObservationInput(
                scope="gembloux",
                metric="hired",
                value=7,
                unit="persons",
                period_date="2026-02",
                source_title="Rapport du porteur de Gembloux",
                source_url="https://example.org/gembloux",
            )
        ],
    )
    with store.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO signin_events (at, username, address, outcome) VALUES (:at, 'anne', '', 'failure')"),
            {"at": dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)},
        )
    pstore = perimeter_store_for(store)
    square = shapely.MultiPolygon([shapely.box(172_300, 138_700, 172_800, 139_200)])  # in Gembloux, EPSG:31370
    record = {
        "territory_id": "gembloux",
        "unit": "Carré",
        "unit_kind": "file",
        "unit_code": "fichier-1",
        "commune_refnis": "92142",
        "precision": "sectors",
        "method": "porteur-file",
        "geometry": square,
    }
    proposal = Proposal("gembloux", "file", make_rows([record]), {"file": {"filename": "carre.geojson"}})
    anne = Account("anne", "porteur", "gembloux", "Anne")
    vid = pstore.propose(anne, proposal, "plan officiel", "convention FSE, annexe 2")
    pstore.approve(admin, vid, "vu")
    pstore.propose(anne, proposal, "encore", "convention FSE, annexe 3")  # pending
    import tzcld.auth

    if hasattr(tzcld.auth, "import_accounts"):  # a tree with accounts in the database (issue 16, version 4)
        tzcld.auth.add_account("anne", "un-mot-de-passe-solide", "porteur", "gembloux", "Anne", database=url)
        tzcld.auth.dispose_engines()
    store.dispose()


def sqlite_dump(name: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tzcld.sqlite"
        populate(f"sqlite:///{path}")
        conn = sqlite3.connect(path)
        try:
            text_ = "\n".join(conn.iterdump()) + "\n"
        finally:
            conn.close()
    target = OUT / f"{name}.sqlite.sql"
    target.write_text(text_, encoding="utf-8")
    return target


def postgresql_dump(name: str) -> Path:
    sys.path.insert(0, str(HERE))
    from tests.pg_support import PostgresCluster, _as_pg_user, pg_bin_dir

    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    try:
        url = cluster.create_database("fixture")
        populate(url)
        cmd = [str(bin_dir / "pg_dump"), "--inserts", "--no-owner", "--no-privileges", "--no-comments"]
        cmd += ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "fixture"]
        dump = subprocess.run(_as_pg_user(cmd), capture_output=True, text=True, check=True, cwd="/").stdout
    finally:
        cluster.stop()
    target = OUT / f"{name}.postgresql.sql"
    target.write_text(dump, encoding="utf-8")
    return target


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "main"
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("TZCLD_DATABASE_URL", None)
    for path in (sqlite_dump(name), postgresql_dump(name)):
        print(f"{path.relative_to(HERE)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
