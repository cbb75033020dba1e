"""The garbage collector pause around batch work: off inside, back afterwards (also after an
error, when nested or used from several threads), left off when it was off."""

from __future__ import annotations

import gc
import threading

import pytest

from tzcld.gcpause import paused


@pytest.fixture(autouse=True)
def _collector_back_on():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()


def test_paused_then_back_even_after_an_error():
    gc.enable()
    with paused():
        assert not gc.isenabled()
        with paused():  # nested: still off when the inner block ends
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled()


def test_concurrent_pauses_end_with_the_last_one():
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def worker():
        with paused():
            inside.set()
            release.wait(10)

    th = threading.Thread(target=worker)
    th.start()
    inside.wait(10)
    with paused():
        pass
    assert not gc.isenabled()  # the other thread's pause still holds
    release.set()
    th.join(10)
    assert gc.isenabled()
