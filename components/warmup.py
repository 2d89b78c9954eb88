"""Start-up work done in the background so the page is served at once.

``start`` runs, in a daemon thread: import sentence-transformers, load the
default offline model, embed the default task's corpus with and without its
instructions, and fit the map's frame (which compiles UMAP's numba code).
Then, with the page ready, it prepares the other packaged models that need
it (``PREPARE``: E5's one-time conversion), so picking one later costs no
conversion. The thread runs at the lowest CPU priority and its encodes are
background jobs (``components.encoder.background``), so a person who asks
for something else meanwhile gets the cores. Handlers that arrive earlier
simply wait on the same locks; ``status()`` says what is going on for the
page to show.
"""

from __future__ import annotations

import os
import threading
import time
import traceback

from components.corpora import load_sample
from components.encoder import background
from components.engine import Engine
from components.loading import resolve
from components.mapview import map_data
from components.models import DEFAULT_MODEL, get_model
from components.projection import FrameCache
from components.setting import default_setting
from components.tasks import DEFAULT_TASK, get_task

PREPARE = ("e5-small-offline",)

_STATE = {"phase": "not started", "error": "", "seconds": 0.0}


def status() -> dict:
    return dict(_STATE)


def _lower_priority() -> None:
    """Lowest CPU priority for this thread (Linux schedules threads on their own; elsewhere a no-op)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def _run(engine: Engine, frames: FrameCache) -> None:
    _lower_priority()
    with background():
        _work(engine, frames)


def _work(engine: Engine, frames: FrameCache) -> None:
    start = time.perf_counter()
    try:
        _STATE["phase"] = "loading the default model"
        task = get_task(DEFAULT_TASK)
        corpus = load_sample(task.corpus)
        _STATE["phase"] = "embedding the default corpus"
        ex = engine.explore(corpus, default_setting(DEFAULT_TASK, DEFAULT_MODEL), corpus.example_queries()[0])
        _STATE["phase"] = "preparing the map"
        map_data(ex, frames)
        _STATE["phase"] = "ready"
    except Exception as exc:  # shown on the page; the app still serves
        _STATE["phase"] = "failed"
        _STATE["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    _STATE["seconds"] = time.perf_counter() - start
    for key in PREPARE:
        try:
            resolve(get_model(key))  # converts once; a no-op when the folder is current
        except Exception:  # picking the model later reports the same problem on the page
            traceback.print_exc()


def start(engine: Engine, frames: FrameCache) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(engine, frames), name="warmup", daemon=True)
    _STATE["phase"] = "starting"
    thread.start()
    return thread
