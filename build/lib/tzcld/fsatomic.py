"""Replacing a folder in one step, for readers that must never see half of it.

Used by the address index (:mod:`tzcld.geocode.register`: a new build swapped in) and the
published static site (:mod:`tzcld.export.publish`: a symbolic link swapped to the new
version). Linux's ``renameat2(RENAME_EXCHANGE)`` swaps two paths of any kind atomically;
where it is missing (another system, some network file systems) two renames are used and
the path is missing for an instant (callers say how readers wait that out).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import time
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the two existing paths ``a`` and ``b`` (files, folders or links) in one step;
    False when the system or the file system cannot (nothing was changed then)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_folder(built: Path, folder: Path) -> None:
    """Put the complete folder ``built`` in place of ``folder`` (same file system) and delete
    the old one: a rename when ``folder`` does not exist, else an atomic exchange (or, where
    the system cannot, two renames: ``folder`` is missing for an instant)."""
    if not folder.exists():
        os.rename(built, folder)
        return
    if exchange(built, folder):
        shutil.rmtree(built, ignore_errors=True)  # ``built`` now holds the old folder
        return
    old = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    os.rename(folder, old)
    os.rename(built, folder)
    shutil.rmtree(old, ignore_errors=True)


def point_link(link: Path, target: str) -> Path | None:
    """Make ``link`` a symbolic link to ``target`` (relative to the link's folder) in one
    step, whatever ``link`` was. Returns where a former *real* folder or file at ``link``
    was moved (``link`` + ``.earlier-…``, for the caller to keep or delete), else ``None``."""
    tmp = link.parent / f".{link.name}.link-{os.getpid()}-{time.monotonic_ns()}"
    os.symlink(target, tmp)
    try:
        if link.is_symlink() or not link.exists():
            os.replace(tmp, link)  # rename(2) over a link: atomic
            return None
        # a real folder (an earlier plain export) becomes a link: swap, then move it aside
        if exchange(tmp, link):
            aside = link.parent / f"{link.name}.earlier-{time.strftime('%Y%m%d-%H%M%S')}"
            os.rename(tmp, aside)
            return aside
        aside = link.parent / f"{link.name}.earlier-{time.strftime('%Y%m%d-%H%M%S')}"
        os.rename(link, aside)
        os.replace(tmp, link)
        return aside
    except BaseException:
        if tmp.is_symlink():
            os.unlink(tmp)
        raise
