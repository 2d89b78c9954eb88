"""Who waits for what: corpus jobs take turns, queries never wait, stale work stops.

Two small shared mechanisms, plain Python (``components.app`` wires them to
the page):

* ``CorpusSlots`` lets a fixed number of corpus jobs (embedding a whole
  corpus, seconds of work) run at once. Work that only embeds a query never
  asks for a slot, so a person typing is not queued behind somebody else's
  corpus. A job that has to wait says so through its progress callback, and
  keeps asking whether it is still wanted while it waits.
* ``LatestViews`` remembers, per browser session, the latest choice that
  decides the document vectors (model, corpus, document instruction,
  pooling). ``check`` raises ``Superseded`` for work asked for an older
  choice, so a person who keeps typing a document instruction does not wait
  for every intermediate text's corpus to be embedded.

Neither mechanism knows about Gradio, threads of the web server or models.

Example:
    >>> views = LatestViews()
    >>> check = views.note("session-a", ("minilm", "qa", "passage: "))
    >>> check()  # still the latest: nothing happens
    >>> _ = views.note("session-a", ("minilm", "qa", "passage: x"))
    >>> check()
    Traceback (most recent call last):
    ...
    components.jobs.Superseded: a newer edit replaced this one
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Callable, Hashable, Iterator

from components.progress import Progress

Check = Callable[[], None]

WAIT_POLL_S = 0.25  # how often a waiting job asks whether it is still wanted
MAX_SESSIONS = 10_000  # sessions remembered by ``LatestViews``; the oldest are forgotten


class Superseded(Exception):
    """The work was asked for a view the person has since left."""

    def __init__(self) -> None:
        super().__init__("a newer edit replaced this one")


def never() -> None:
    """A check for work that nobody can supersede."""


class CorpusSlots:
    """At most ``slots`` corpus jobs at once; later ones wait their turn in order of arrival."""

    def __init__(self, slots: int = 1) -> None:
        if slots < 1:
            raise ValueError(f"corpus slots must be at least 1, not {slots}")
        self._free = threading.Semaphore(slots)
        self._lock = threading.Lock()
        self.running = 0
        self.waiting = 0

    @contextlib.contextmanager
    def slot(self, progress: Progress | None = None, check: Check = never) -> Iterator[None]:
        """Hold a slot for the block; while waiting, report and call ``check`` (it may raise)."""
        if not self._free.acquire(blocking=False):
            with self._lock:
                self.waiting += 1
            try:
                while not self._free.acquire(timeout=WAIT_POLL_S):
                    check()
                    if progress:
                        with self._lock:
                            busy = self.running
                        progress(0.0, f"Waiting: {busy} corpus job{'s' if busy != 1 else ''} of other "
                                      "visitors running first")
            finally:
                with self._lock:
                    self.waiting -= 1
        with self._lock:
            self.running += 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._free.release()


class LatestViews:
    """The latest document-side view of each session, for superseding older work."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._views: OrderedDict[str, Hashable] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_sessions

    def note(self, session: str, view: Hashable) -> Check:
        """Record ``view`` as ``session``'s latest; return a check that raises once it is not."""
        with self._lock:
            self._views[session] = view
            self._views.move_to_end(session)
            while len(self._views) > self._max:
                self._views.popitem(last=False)

        def check() -> None:
            with self._lock:
                latest = self._views.get(session, view)
            if latest != view:
                raise Superseded()

        return check

    def __len__(self) -> int:
        return len(self._views)
