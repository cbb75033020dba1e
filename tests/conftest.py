"""Shared test fixtures.

Every test gets its own ``TZCLD_DATA_DIR`` (a temporary folder), so runtime state
never leaks between tests or into the repository's ``data/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_support", "tests.pg_support", "tests.check_support"]

REPO_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = Path(os.environ.get("TZCLD_RAW_DIR", REPO_ROOT.parent / "shared" / "geodata"))

requires_raw = pytest.mark.skipif(
    not (RAW_DIR / "statbel_sectors_table_2022_wallonia.csv").exists(),
    reason="raw geodata (../shared/geodata) not available",
)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("tzcld-data")
    monkeypatch.setenv("TZCLD_DATA_DIR", str(data))
    yield data
