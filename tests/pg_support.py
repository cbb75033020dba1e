"""PostgreSQL test support: a throw-away PostgreSQL cluster for the whole test session.

A pytest plugin module (``pytest_plugins = [..., "tests.pg_support"]`` in
``tests/conftest.py``). Fixture:

- ``postgres_url`` (session): ``initdb`` into a temporary folder, ``pg_ctl start`` on a free
  127.0.0.1 port (as the ``postgres`` OS user via ``runuser`` when running as root, since
  PostgreSQL refuses to run as root), yields a SQLAlchemy URL
  ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``; stops the cluster at the end.
- ``fresh_postgres_url`` (function): a new empty database in that cluster for one test.

Binaries are looked up in ``TZCLD_PG_BIN`` or ``/usr/lib/postgresql/*/bin`` (newest
first). When they are missing the tests are skipped, except in CI (``CI=true``), where
that is a failure: the CI installs PostgreSQL (``tests/setup.sh``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_START_TIMEOUT = 60.0


def pg_bin_dir() -> Path | None:
    """Folder holding ``initdb``/``pg_ctl``, or ``None``."""
    env = os.environ.get("TZCLD_PG_BIN")
    candidates = [env] if env else sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _version_key(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


class PostgresCluster:
    """A running throw-away cluster; :meth:`stop` ends it and removes its files."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="tzcld-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group="postgres")
            os.chmod(self.root, 0o700)

    def _run(self, *args: str) -> None:
        cmd = _as_pg_user([str(self.bin_dir / args[0]), *args[1:]])
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            opts,
            "-w",
            "-t",
            str(int(PG_START_TIMEOUT)),
            "start",
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run tests/setup.sh"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001 - any start failure: report it with the server log
        log = cluster.log.read_text() if cluster.log.exists() else ""
        shutil.rmtree(cluster.root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc}\n{log}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """SQLAlchemy URL of the session's throw-away cluster (database ``postgres``)."""
    return postgres_cluster.url


@pytest.fixture
def fresh_postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A new, empty database for one test."""
    return postgres_cluster.create_database("t_" + uuid.uuid4().hex[:12])
