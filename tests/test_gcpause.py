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


def _overlapping_pauses(order: list[int]) -> list[bool]:
    """Threads 0..n-1 enter :func:`paused` one after the other (each nesting a second pause),
    then leave in ``order``; what ``gc.isenabled()`` was after each one left."""
    n = len(order)
    entered = [threading.Event() for _ in range(n)]
    leave = [threading.Event() for _ in range(n)]
    left = [threading.Event() for _ in range(n)]
    seen: list[bool] = []

    def worker(i: int) -> None:
        with paused(), paused():
            entered[i].set()
            leave[i].wait(10)
        left[i].set()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for i, th in enumerate(threads):
        th.start()
        assert entered[i].wait(10)
        assert not gc.isenabled()
    for i in order:
        leave[i].set()
        assert left[i].wait(10)
        seen.append(gc.isenabled())
    for th in threads:
        th.join(10)
    return seen


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]])
def test_overlapping_batches_in_threads_never_reenable_it_early(order):
    # the first batch to finish is not the last: the collector stays off until every one is out
    gc.enable()
    assert _overlapping_pauses(order) == [False, False, False, True]
    assert gc.isenabled()


def test_overlapping_batches_leave_a_collector_that_was_off_off():
    gc.disable()
    assert _overlapping_pauses([2, 0, 1]) == [False, False, False]
    assert not gc.isenabled()


def test_many_threads_pausing_at_random_end_with_the_collector_back():
    import random

    gc.enable()
    errors: list[str] = []
    start = threading.Barrier(8)

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        start.wait(10)
        for _ in range(300):
            with paused():
                if gc.isenabled():
                    errors.append("on inside a pause")
                if rnd.random() < 0.5:
                    with paused():
                        if gc.isenabled():
                            errors.append("on inside a nested pause")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert errors == [] and gc.isenabled()
