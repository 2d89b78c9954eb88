"""The default ranking's work alone in a fresh process on an empty cache, in parts, as JSON.

    python benchmarks/ranking_alone.py MODEL_KEY

What a visitor's first ranking on a fresh machine costs with nothing else
running (no server, no start-up thread): importing the engine, loading the
model (with E5's one-time conversion), and embedding the default task's
corpus without and with the document instruction, in the precision the app
would choose. ``benchmarks/cold_start.py`` runs it beside the real app's
cold start, so the two can be compared in one report. It uses no vector
store, so for the default model it measures the work that the shipped
vectors (``components.store.SHIPPED``) spare the app's first ranking.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(model: str) -> dict:
    t0 = time.perf_counter()
    from components.corpora import load_sample
    from components.engine import Engine
    from components.setting import default_setting
    from components.tasks import DEFAULT_TASK, get_task

    engine = Engine()
    corpus = load_sample(get_task(DEFAULT_TASK).corpus)
    setting = default_setting(DEFAULT_TASK, model)
    t1 = time.perf_counter()
    engine.encoder(model)
    precision = engine.precision(model, corpus)
    t2 = time.perf_counter()
    engine.doc_vectors(corpus, setting, instructed=False)
    t3 = time.perf_counter()
    engine.doc_vectors(corpus, setting, instructed=True)
    t4 = time.perf_counter()
    return {"model": model, "corpus": corpus.key, "texts": len(corpus.texts), "precision": precision,
            "import_s": t1 - t0, "load_s": t2 - t1, "plain_s": t3 - t2, "instructed_s": t4 - t3,
            "total_s": t4 - t0}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="lens-alone-") as tmp:
        os.environ["INSTRUCTION_LENS_CACHE"] = tmp  # empty caches: conversion, merge and probe included
        print(json.dumps(main(sys.argv[1])))
