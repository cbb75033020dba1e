"""Pausing Python's cyclic garbage collector around big batch work.

Loading the address index or checking a file of 50,000 addresses makes hundreds of thousands
of objects that live on (the index) or die by reference counting (the rows); none of them
form cycles. The automatic collector still runs full passes over every live object while
they are made (five passes, 0.1 s each, in one ``check-file`` of 50,000 addresses, collecting
nothing). :func:`paused` holds it off for the duration; it runs as usual again afterwards
(reference counting frees memory meanwhile as always). Nested and concurrent uses are
counted: the collector comes back when the last one ends, and is left alone when it was off.
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
