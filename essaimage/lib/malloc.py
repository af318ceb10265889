"""Giving freed memory back to the system (glibc), without Django: gunicorn's hooks use it.

glibc keeps what a process frees in its heap for reuse, and a search at 1,000,000 sheets frees
tens of MB of numpy temporaries between pages of live data: the pages stay resident and count
in the worker's memory (about 75 MB per worker measured, bench/search_memory.py). malloc_trim(0)
returns every whole free page to the system; the next request maps fresh pages instead.
"""

import contextlib
import ctypes

_trim = None


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
