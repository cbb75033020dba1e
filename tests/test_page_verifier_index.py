"""Vérifier draws without the address index: it is loaded on the first address checked,
once for every session of the process (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.check_support import open_for, requires_icar

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "verifier.py")
pytestmark = requires_icar


@pytest.fixture
def index_loads(address_index_dir, monkeypatch) -> list[str]:
    """Every load of the address index from now on (the process's caches emptied)."""
    from tzcld.geocode import register

    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(address_index_dir))
    st.cache_resource.clear()
    register.forget_geocoders()
    loads: list[str] = []
    real = register.load_index

    def counting(folder=None, *args, **kwargs):
        loads.append(str(folder))
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(register, "load_index", counting)
    yield loads
    st.cache_resource.clear()
    register.forget_geocoders()


def run_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    return at


def successes(at: AppTest) -> str:
    return " ".join(e.value for e in at.success)


def test_the_index_is_loaded_on_the_first_address_not_on_page_render(index_loads):
    at = run_page()
    assert index_loads == []  # the page and its map are drawn without it
    open_for(at, "check_coords").text_input(key="check_coords").input("50.648, 5.615").run()
    assert "Dans le territoire « Liège" in successes(at) and index_loads == []  # a point needs no index
    open_for(at, "check_address").text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    assert "Dans le territoire « Liège" in successes(at)
    assert len(index_loads) == 1
    # Another visitor's session uses the same index, loaded once for the process.
    other = run_page()
    other.text_input(key="check_address").input("Rue de Droixhe 10, 4020 Liège").run()
    assert "Dans le territoire « Liège" in successes(other)
    assert len(index_loads) == 1
