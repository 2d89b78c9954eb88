"""Start-up work done in the background so the page is served at once.

``start`` runs, in a daemon thread: import sentence-transformers, load the
default offline model, embed the default task's corpus with and without its
instructions, and fit the map's frame (which compiles UMAP's numba code).
Handlers that arrive earlier simply wait on the same locks; ``status()`` says
what is going on for the page to show.
"""

from __future__ import annotations

import threading
import time
import traceback

from components.corpora import load_sample
from components.engine import Engine, Setting
from components.mapview import map_data
from components.models import DEFAULT_MODEL, get_model
from components.projection import FrameCache
from components.tasks import DEFAULT_TASK, get_task

_STATE = {"phase": "not started", "error": "", "seconds": 0.0}


def status() -> dict:
    return dict(_STATE)


def default_setting(task_key: str = DEFAULT_TASK, model_key: str = DEFAULT_MODEL) -> Setting:
    preset = get_model(model_key)
    ins = get_task(task_key).instructions_for(preset)
    return Setting(model_key, ins.query, ins.document, preset.include_prompt)


def _run(engine: Engine, frames: FrameCache) -> None:
    start = time.perf_counter()
    try:
        _STATE["phase"] = "loading the default model"
        task = get_task(DEFAULT_TASK)
        corpus = load_sample(task.corpus)
        _STATE["phase"] = "embedding the default corpus"
        ex = engine.explore(corpus, default_setting(), corpus.example_queries()[0])
        _STATE["phase"] = "preparing the map"
        map_data(ex, frames)
        _STATE["phase"] = "ready"
    except Exception as exc:  # shown on the page; the app still serves
        _STATE["phase"] = "failed"
        _STATE["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    _STATE["seconds"] = time.perf_counter() - start


def start(engine: Engine, frames: FrameCache) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(engine, frames), name="warmup", daemon=True)
    _STATE["phase"] = "starting"
    thread.start()
    return thread
