"""Pausing Python's cyclic garbage collector around big batch work.

Loading the address index or checking a file of 50,000 addresses makes hundreds of thousands
of objects that live on (the index) or die by reference counting (the rows); none of them
form cycles. The automatic collector still runs full passes over every live object while
they are made (five passes, 0.1 s each, in one ``check-file`` of 50,000 addresses, collecting
nothing). :func:`paused` holds it off for the duration; it runs as usual again afterwards
(reference counting frees memory meanwhile as always).

Nested and concurrent uses are counted under a lock: the first one in records whether the
collector was on and turns it off; the last one out turns it back on — only if it was on
before the first one came in. Two overlapping batches in the threaded API server (or two
sessions of the dashboard) therefore never re-enable it early, and a collector a caller
turned off stays off.

The trade-off: the switch is process-wide (Python has no per-thread collector). While any
batch runs, the other threads of the process — other API requests, other page sessions —
get no automatic cyclic collection either: the cycles they make (rare in this code: frames
of exceptions, some library objects) wait in memory until the last pause ends, then are
collected as usual; everything else is freed by reference counting as always. The wait is
bounded by the longest batch: the API checks files one at a time (at most
``TZCLD_API_MAX_ROWS`` rows, ≈ 20 s of addresses), the Vérifier page at most
``TZCLD_PAGE_MAX_ROWS``; loading the index takes ≈ 0.2 s. Worth it: without the pause, the
collector's full passes over the index's objects cost more than the batch's checks. Nothing
else turns the collector off; :func:`paused` is the only switch.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_resume = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Hold off automatic garbage collection while the block runs (see the module doc)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
