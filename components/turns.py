"""Turn-taking between people's requests and the start-up work, and threads per job.

Counts of corpus jobs under way (a person's, "foreground", and the start-up
work's, "background"), people's requests under way (``persons_turn``), and the
rules built on them: how many torch threads a batch gets (``threads_for``),
when background work waits (``step_aside``), and one model's batch lock
(``ModelGate``). All state is per process; "background" is per thread
(``background()``). This module does not encode: ``components.encoder`` calls it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Iterator

THREADS_ENV = "INSTRUCTION_LENS_TORCH_THREADS"

_corpus_jobs = {"foreground": 0, "background": 0}
_persons = {"turns": 0}  # people's requests under way (threads in ``persons_turn``), outside background work
_jobs_lock = threading.Lock()
_turns = threading.Condition(_jobs_lock)  # the end of a person's corpus job or turn wakes paused background work
_local = threading.local()


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Encodes in this block (in this thread) give the cores to anyone else's corpus job."""
    before = getattr(_local, "background", False)
    _local.background = True
    try:
        yield
    finally:
        _local.background = before


def in_background() -> bool:
    """Whether this thread is inside a ``background()`` block."""
    return getattr(_local, "background", False)


def corpus_threads() -> int:
    """Torch threads for a corpus job that runs alone: ``$INSTRUCTION_LENS_TORCH_THREADS`` or all cores."""
    env = os.environ.get(THREADS_ENV, "").strip()
    return max(1, int(env) if env else (os.cpu_count() or 1))


def threads_for(corpus_job: bool, kind: str = "foreground") -> int:
    """Threads for the next batch, by path.

    Measured in benchmarks/results/latency.json (``threads``, ``contention``):
    a query is no faster on two threads (E5's is slower: waking the second
    costs more than it saves on a few tokens); a corpus is 1.3-1.7x faster
    on two cores than on one, as long as no other corpus job wants the
    second core: two foreground corpus jobs get one thread each, and a
    background job (the start-up work) drops to one thread whenever a
    foreground job runs. Asked before every batch, so a job that started
    alone gives the core back when another one starts. Torch's thread count
    belongs to the calling thread, so each handler sets its own.
    """
    if not corpus_job:
        return 1
    with _jobs_lock:
        fg, bg = _corpus_jobs["foreground"], _corpus_jobs["background"]
    alone = fg <= 1 if kind == "foreground" else (fg == 0 and bg <= 1)
    return corpus_threads() if alone else 1


@contextlib.contextmanager
def counting(kind: str, corpus_job: bool = True) -> Iterator[None]:
    """Counts a corpus job of ``kind`` ("foreground" or "background") while it runs; anything else is not counted."""
    with _turns:
        _corpus_jobs[kind] += corpus_job
    try:
        yield
    finally:
        with _turns:
            _corpus_jobs[kind] -= corpus_job
            _turns.notify_all()


def _add_turn(change: int) -> None:
    with _turns:
        _persons["turns"] += change
        _turns.notify_all()


@contextlib.contextmanager
def persons_turn() -> Iterator[None]:
    """Around a person's request, or a model load they wait for: background work waits until it ends.

    A thread's nested turns count once; background threads take none.
    """
    depth = getattr(_local, "turns", 0)
    if in_background():
        yield
        return
    _local.turns = depth + 1
    if depth == 0:
        _add_turn(1)
    try:
        yield
    finally:
        _local.turns = depth
        if depth == 0:
            _add_turn(-1)


@contextlib.contextmanager
def turn_yielded() -> Iterator[None]:
    """While this thread waits for background work (an encode the start-up work began), its turn
    does not hold that work back; outside a turn it does nothing."""
    if not getattr(_local, "turns", 0):
        yield
        return
    _add_turn(-1)
    try:
        yield
    finally:
        _add_turn(1)


def step_aside() -> None:
    """Wait while a person's corpus job or turn runs; background work calls it between its steps."""
    with _turns:
        _turns.wait_for(lambda: _corpus_jobs["foreground"] == 0 and _persons["turns"] == 0)


class ModelGate:
    """One loaded model's turn-taking, shared by its precision twins.

    ``lock``: one batch (or one tokenizer call) at a time. A background
    corpus job (the start-up work) takes no turn while a person's corpus job
    runs on any model, or while their request is under way (``step_aside``): it
    would hold the model for a whole batch between each of the person's
    batches, or a core and the interpreter lock for one on another model, and
    the person's wait would double. A foreground job waits at most for the
    one background batch already running; queries slip in between any two
    batches.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def batch(self, background_corpus_job: bool) -> Iterator[None]:
        """Around one batch: the model's lock, after ``step_aside`` for a background one."""
        if background_corpus_job:
            step_aside()
        with self.lock:
            yield
