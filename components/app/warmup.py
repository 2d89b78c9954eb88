"""Start-up work done in the background so the page is served at once.

``start`` runs, in a daemon thread: rank the default task's corpus with the
default offline model (embedding it with and without its instructions unless
the vector store has it), load that model and the other warm models, compile UMAP
(``components.frames.prepare_umap``; a map asked for meanwhile is drawn in
an interim frame) and fit the map's frame. Then, with the page ready, it
prepares the other packaged models that need it (``PREPARE``: E5's one-time
conversion), and for every model in ``warm_models()`` ranks every task's
sample corpus with the task's default instructions for that model
(``components.setting.default_setting``) and fits its map, so a person who
picks any of them finds the vectors (and, with a vector store, the next
process finds them on disk). The thread runs at the lowest CPU priority and
its encodes are background jobs (``components.turns.background``): they
take no corpus slot, and pause between batches while a person's corpus job
runs on any model or a person's request is under way; each other step (a
model's load, UMAP's compile, a conversion) waits for those to end before it
starts (``components.turns.step_aside``). ``status()`` says what is going on for
the page to show.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from typing import Any

from components.app.values import page_corpus
from components.engine import Engine
from components.frames import prepare_umap
from components.loading import resolve
from components.mapview import map_data
from components.models import DEFAULT_MODEL, get_model
from components.projection import FrameCache
from components.setting import default_setting
from components.tasks import DEFAULT_TASK, TASKS, get_task
from components.turns import background, step_aside

PREPARE = ("e5-small-offline",)
WARM_MODELS = ("minilm-offline", "e5-small-offline")  # the offline models a visitor meets first
WARM_MODELS_ENV = "INSTRUCTION_LENS_WARM_MODELS"  # comma-separated keys to warm instead; empty: none

_STATE: dict[str, Any] = {"phase": "not started", "error": "", "seconds": 0.0, "warmed": 0}


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
        corpus = page_corpus(task.corpus, None, task.key)  # as the page shows it: the task's examples lead
        _STATE["phase"] = "embedding the default corpus"
        ex = engine.explore(corpus, default_setting(DEFAULT_TASK, DEFAULT_MODEL), corpus.example_queries()[0])
        _STATE["phase"] = "loading the models"
        _load(engine, (DEFAULT_MODEL, *warm_models()))  # a ranking read from the store loaded none
        _STATE["phase"] = "preparing the map"
        step_aside()
        prepare_umap()
        map_data(ex, frames)
        _STATE["phase"] = "ready"
    except Exception as exc:  # shown on the page; the app still serves
        _STATE["phase"] = "failed"
        _STATE["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    _STATE["seconds"] = time.perf_counter() - start
    for key in PREPARE:
        try:
            step_aside()
            resolve(get_model(key))  # converts once; a no-op when the folder is current
        except Exception:  # picking the model later reports the same problem on the page
            traceback.print_exc()
    warm_all(engine, frames)


def _load(engine: Engine, keys: tuple[str, ...]) -> None:
    """Load these models now (with a vector store, a first ranking after a restart then only reads it)."""
    for key in keys:
        try:
            step_aside()
            engine.encoder(key)
        except Exception:  # picking the model later reports the same problem on the page
            traceback.print_exc()


def warm_models() -> tuple[str, ...]:
    """``$INSTRUCTION_LENS_WARM_MODELS`` (comma-separated, may be empty) or ``WARM_MODELS``."""
    env = os.environ.get(WARM_MODELS_ENV)
    if env is None:
        return WARM_MODELS
    return tuple(key.strip() for key in env.split(",") if key.strip())


def warm_all(engine: Engine, frames: FrameCache) -> None:
    """Rank and map every task's sample corpus with each warm model and its defaults."""
    for model_key in warm_models():
        for task in TASKS:
            try:
                step_aside()
                corpus = page_corpus(task.corpus, None, task.key)
                ex = engine.explore(corpus, default_setting(task.key, model_key), corpus.example_queries()[0])
                map_data(ex, frames)
                _STATE["warmed"] = int(_STATE.get("warmed", 0)) + 1
            except Exception:  # a model that cannot load fails the same way when picked, with a message
                traceback.print_exc()
                break


def start(engine: Engine, frames: FrameCache) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(engine, frames), name="warmup", daemon=True)
    _STATE["phase"] = "starting"
    thread.start()
    return thread
