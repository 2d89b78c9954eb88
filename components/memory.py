"""The C library's heap: few malloc arenas, and freed memory handed back during corpus jobs.

An encode of a whole corpus allocates activations of hundreds of MB and frees
them batch by batch; glibc keeps freed memory in its heaps, so the process's
resident size stays at its high-water mark after every corpus job, and two
jobs at once grow it further.
``release_freed_memory`` asks glibc to return free pages to the system
(``malloc_trim(0)``, which also releases whole free pages inside the heaps);
``release_now_and_then`` does so at most once a second, between a corpus
job's batches; ``limit_arenas`` caps the number of arenas so handler threads
share heaps instead of each growing its own. All are no-ops on a C library
without these calls; none frees anything Python or torch still holds.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import time
from typing import Any

M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
RELEASE_INTERVAL_S = 1.0  # during a corpus job: at most one release a second
_last_release = [0.0]
_release_lock = threading.Lock()


@functools.cache
def _libc() -> Any:
    """glibc, or None on another C library."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018  (both must exist)
        return libc
    except (OSError, AttributeError):
        return None


def limit_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` (call before threads start); False where not glibc."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, int(arenas)))


def release_freed_memory() -> bool:
    """Return the heaps' free pages to the system; True if glibc released any. Costs a few ms."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))


def release_now_and_then(interval: float = RELEASE_INTERVAL_S) -> bool:
    """``release_freed_memory`` unless one ran (in any thread) less than ``interval`` seconds ago.

    Called between a corpus job's batches: freed activations go back to the
    system while the job runs, so two jobs at once do not pile up each other's
    free pages; at most one release a second bounds what it costs the job.
    """
    now = time.monotonic()
    with _release_lock:
        if now - _last_release[0] < interval:
            return False
        _last_release[0] = now
    return release_freed_memory()
