"""Giving freed memory back to the system (glibc), without Django: gunicorn's hooks use it.

glibc keeps what a process frees in its heap for reuse, and a search at 1,000,000 sheets frees
tens of MB of numpy temporaries between pages of live data: the pages stay resident and count
in the worker's memory (over 100 MB per worker measured, bench/search_memory.py). malloc_trim(0)
returns every whole free page to the system; the next request maps fresh pages instead, which
costs page faults, so a worker trims only when its resident memory grew by TRIM_STEP since.
"""

import contextlib
import ctypes
import os

TRIM_STEP = 16 * 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_trim = None
_resident_after_trim: int | None = None


def release_memory() -> bool:
    """malloc_trim(0): True when glibc gave memory back, False when none (or not glibc)."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _trim = False
    if not _trim:
        return False
    with contextlib.suppress(OSError):
        return bool(_trim(0))
    return False


def resident_bytes() -> int | None:
    """This process's resident memory (Linux), None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def release_memory_if_grown() -> bool:
    """release_memory() when the resident memory grew by TRIM_STEP since the last trim (or on
    the first call): after a request, in gunicorn's post_request hook."""
    global _resident_after_trim
    resident = resident_bytes()
    if resident is None:
        return release_memory()
    if _resident_after_trim is not None and resident - _resident_after_trim < TRIM_STEP:
        return False
    released = release_memory()
    _resident_after_trim = resident_bytes()
    return released
