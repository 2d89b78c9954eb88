"""Freed heap memory goes back to the system (glibc), measured on a child process's resident size."""

import subprocess
import sys
import textwrap

import pytest

from components import memory

CHILD = textwrap.dedent("""
    import sys
    from components.memory import release_freed_memory

    def rss_mb():
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024

    # 4,000 blocks of 48 KB (below malloc's mmap threshold: they live in the heap); every 16th
    # stays alive, so the freed ones are holes that freeing alone cannot hand back
    blocks = [bytearray(48 * 1024) for _ in range(4000)]
    kept = blocks[::16]
    del blocks
    before = rss_mb()
    released = release_freed_memory()
    print(before, rss_mb(), released, len(kept))
""")


@pytest.mark.skipif(memory._libc() is None, reason="not glibc: nothing to release")
def test_freed_heap_pages_are_handed_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout.split()
    before, after, released = float(out[0]), float(out[1]), out[2]
    assert released == "True"
    assert before - after > 100, (before, after)  # ~175 MB of holes; the kept 12 MB stay


@pytest.mark.skipif(memory._libc() is None, reason="not glibc")
def test_arenas_can_be_limited():
    assert memory.limit_arenas(2) is True


def test_releases_come_at_most_once_per_interval(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "release_freed_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(memory, "_last_release", [0.0])
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    assert memory.release_now_and_then(1.0) is True
    clock[0] += 0.5
    assert memory.release_now_and_then(1.0) is False
    clock[0] += 0.6
    assert memory.release_now_and_then(1.0) is True
    assert len(calls) == 2
