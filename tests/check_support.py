"""Fixtures shared by the address-check tests (import them into a test module).

The offline address index is built ONCE per test session (about 15 s for the 1.37 M ICAR
addresses) into the session's base temporary folder; importing these fixtures into several
modules is safe because the build is skipped when the folder already holds an index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RAW_DIR

ICAR = RAW_DIR / "icar_addresses_wallonia_2019.parquet"

requires_icar = pytest.mark.skipif(not ICAR.exists(), reason="ICAR register (../shared/geodata) not available")


def build_session_index(base: Path) -> Path:
    from tzcld.geocode.register import build_index

    folder = base / "address_index"
    if not (folder / "meta.json").exists():
        build_index(raw=RAW_DIR, out=folder)
    return folder


@pytest.fixture(scope="session")
def address_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The address index built from the real ICAR register, once per session."""
    if not ICAR.exists():
        pytest.skip("ICAR register not available")
    return build_session_index(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def register_geocoder(address_index_dir: Path):
    from tzcld.geocode.register import default_geocoder

    return default_geocoder(address_index_dir)


@pytest.fixture(scope="session")
def checker_fr(register_geocoder):
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier

    return Checker(default_classifier(), register_geocoder, "fr")
