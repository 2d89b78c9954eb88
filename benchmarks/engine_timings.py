"""The latency report's in-process measures: instruction edits, UMAP, encoder threads.

Query and document instruction edits run what the ``/explore`` handler runs,
timed per part, on the engine in this process; the cold UMAP fit, the
thread counts and contention run in fresh interpreters (``children``). What
each measure means is in ``benchmarks.latency``'s docstring.
"""

from __future__ import annotations

import cProfile
import functools
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from benchmarks.timing import TARGETS, fresh, percentile, ratio_summary, summarize, timed

REPO = Path(__file__).resolve().parent.parent
RawEncode = Callable[[list, str], object]


def default_setting(model_key: str, corpus):
    """The task defaults the app shows for this corpus and model."""
    from components.setting import default_setting as task_default

    return task_default(corpus.task, model_key)


def explore_handler(engine, frames, corpus, setting, query: str, k: int = 10) -> dict[str, float]:
    """What the ``/explore`` handler does, timed per part (seconds)."""
    from components.mapview import map_data, map_figure
    from components.page_text import ranking_table, status_line

    t_explore, ex = timed(lambda: engine.explore(corpus, setting, query))
    t_map, data = timed(lambda: map_data(ex, frames, k))
    t_fig, fig = timed(lambda: map_figure(data, k))
    t_json, _ = timed(fig.to_json)  # what gr.Plot.postprocess does with it
    t_tab, _ = timed(lambda: (ranking_table(ex, True, k), ranking_table(ex, False, k), status_line(ex, k)))
    parts = {"explore": t_explore, "map_data": t_map, "map_figure": t_fig, "figure_json": t_json, "tables": t_tab}
    return {**parts, "total": sum(parts.values())}


def parts_summary(runs: list[dict[str, float]]) -> dict:
    return {name: summarize([r[name] for r in runs]) for name in runs[0] if name != "total"}


def measure_query_edit(engine, frames, corpus, model_key: str, repeats: int) -> dict:
    """A never-seen query instruction per repeat, warm document caches and map frame."""
    from dataclasses import replace

    setting = default_setting(model_key, corpus)
    query = corpus.example_queries()[0]
    explore_handler(engine, frames, corpus, setting, query)  # warm: corpus embedded, frame fitted
    runs = [explore_handler(engine, frames, corpus, replace(setting, query_instruction=fresh(setting.query_instruction)),
                     query) for _ in range(repeats)]
    return {**summarize([r["total"] for r in runs], TARGETS["query_edit_s"]), "parts": parts_summary(runs)}


def raw_encoder(model_key: str, threads: int | None = None) -> RawEncode:
    """``SentenceTransformer.encode`` of the app's loaded model, plain (batches of 32).

    ``threads``: torch threads to set before each call (None: leave them as they are).
    """
    from components.encoder import SentenceTransformerEncoder
    from components.loading import load_model
    from components.models import get_model

    model = load_model(get_model(model_key))

    def encode(texts: list, prompt: str):
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        return model.encode(texts, prompt=prompt or None, batch_size=SentenceTransformerEncoder.batch_size,
                            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    return encode


def clipped_texts(engine, model_key: str, corpus) -> list[str]:
    """The texts exactly as ``Engine.embed`` hands them to the model."""
    from components.engine import CHARS_PER_TOKEN_CAP

    cap = engine.encoder(model_key).token_limit() * CHARS_PER_TOKEN_CAP
    return [t[:cap] for t in corpus.texts]


def measure_doc_edit(engine, frames, corpus, model_key: str, repeats: int, raw: RawEncode | None) -> dict:
    """Never-seen document instructions (full re-encode), the raw floor, then revisits."""
    from dataclasses import replace

    setting = default_setting(model_key, corpus)
    query = corpus.example_queries()[0]
    explore_handler(engine, frames, corpus, setting, query)
    texts = clipped_texts(engine, model_key, corpus)
    edits, floors, ratios, seen = [], [], [], []
    for i in range(repeats):
        edited = replace(setting, document_instruction=fresh(setting.document_instruction))
        run_raw = functools.partial(raw, texts, edited.prompt("document")) if raw else None
        if run_raw and i % 2:  # alternate the order so drift favours neither side
            floors.append(timed(run_raw)[0])
        edits.append(explore_handler(engine, frames, corpus, edited, query))
        if run_raw and not i % 2:
            floors.append(timed(run_raw)[0])
        if run_raw:
            ratios.append(edits[-1]["total"] / floors[-1])
        seen.append(edited)
    revisits = [explore_handler(engine, frames, corpus, s, query)["total"] for s in seen * max(1, 5 // len(seen))]
    out = {"edit": {**summarize([e["total"] for e in edits]), "parts": parts_summary(edits)},
           "revisited": summarize(revisits, TARGETS["revisit_s"]), "n_docs": len(texts)}
    if raw:
        out["raw_floor"] = summarize(floors)
        out["overhead_ratio"] = ratio_summary(ratios, TARGETS["doc_edit_ratio"])
        out["edit"].update(target_s=TARGETS["doc_edit_ratio"] * out["raw_floor"]["median_s"],
                           ok=out["overhead_ratio"]["ok"], ratio_to_target=out["overhead_ratio"]["ratio_to_target"])
    return out


def measure_umap_warm(base_docs, docs, repeats: int) -> dict:
    """Refit in a warm process; ``place`` of 2 query vectors and of every document vector."""
    from components.projection import fit_frame

    fit_frame(base_docs)  # compile / load the numba code first
    fits = [timed(lambda: fit_frame(base_docs))[0] for _ in range(max(1, repeats // 3))]
    frame = fit_frame(base_docs)
    two = [timed(lambda: frame.place(docs[:2]))[0] for _ in range(repeats)]
    alldocs = [timed(lambda: frame.place(docs))[0] for _ in range(max(1, repeats // 3))]
    return {"fit_warm": summarize(fits), "place_2": summarize(two),
            f"place_{len(docs)}": summarize(alldocs)}


_COLD_FIT = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from components.projection import fit_frame
import umap
t1 = time.perf_counter()
fit_frame(np.load(sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "fit_s": t2 - t1}))
"""


def measure_umap_cold(base_docs, repeats: int) -> dict:
    """``fit_frame`` in fresh interpreters: empty numba cache, then the same cache primed."""
    import numpy as np

    runs: dict[str, list] = {"cold_numba_cache": [], "primed_numba_cache": []}
    with tempfile.TemporaryDirectory(prefix="lens-umap-") as tmp:
        path = os.path.join(tmp, "base.npy")
        np.save(path, base_docs)
        for i in range(repeats):
            numba_dir = os.path.join(tmp, f"numba{i}")
            for name in runs:  # first with the empty folder, then with what that run left there
                env = {**os.environ, "NUMBA_CACHE_DIR": numba_dir, "PYTHONPATH": str(REPO)}
                wall, proc = timed(lambda env=env: subprocess.run([sys.executable, "-c", _COLD_FIT, path], env=env,
                                                                   capture_output=True, text=True, check=True))
                runs[name].append({**json.loads(proc.stdout.strip().splitlines()[-1]), "process": wall})
    return {name: {**summarize([r["process"] for r in rs]), "parts": {
        part: summarize([r[part] for r in rs]) for part in ("import_s", "fit_s")}} for name, rs in runs.items()}


_THREADS_CHILD = """
import json, sys, time
import torch
from benchmarks.engine_timings import thread_workloads
work = thread_workloads(sys.argv[1], via_app=sys.argv[-1] == "app")
if sys.argv[-1] != "app":
    torch.set_num_threads(int(sys.argv[-1]))
out = {}
for name, (fn, n) in work.items():
    fn()  # first call: allocations, thread pool start
    out[name] = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); out[name].append(time.perf_counter() - t0)
print(json.dumps(out))
"""


def thread_workloads(model_key: str, via_app: bool = False) -> dict:
    """Three encode workloads, (function, timed calls) by name: raw, or through the app's encoder.

    Through the app's encoder, each call picks its own thread count
    (``components.turns.threads_for``); raw calls use whatever the caller set.
    """
    from components.corpora import load_sample
    from components.engine import Engine

    engine = Engine()
    if via_app:
        enc = engine.encoder(model_key)

        def raw(texts: list, prompt: str):
            return enc.encode(texts, prompt, True)
    else:
        raw = raw_encoder(model_key)
    short = clipped_texts(engine, model_key, load_sample("perlfaq_questions"))
    long_ = clipped_texts(engine, model_key, load_sample("lee_news"))[:32]
    return {"query": (lambda: raw([fresh("How can I sort a hash by its values?")], "query: "), 20),
            f"corpus_{len(short)}": (lambda: raw(short, ""), 1), "long_batch_32": (lambda: raw(long_, ""), 1)}


_CONTENTION_CHILD = """
import json, sys, threading, time
from benchmarks.engine_timings import clipped_texts
from benchmarks.timing import fresh
from components.corpora import load_sample
from components.engine import Engine
import components.turns as turns
engine = Engine()
query_enc, corpus_enc = engine.encoder("e5-small-offline"), engine.encoder("minilm-offline")
if sys.argv[-1] != "app":
    turns.corpus_threads = lambda: int(sys.argv[-1])
texts = clipped_texts(engine, "minilm-offline", load_sample("python_faq_qa"))
query_enc.encode(["warm up"], "query: ", True); corpus_enc.encode(texts[:8], "", True)
took = []
def corpus_job():
    t0 = time.perf_counter()
    corpus_enc.encode(texts, fresh(""), True)
    took.append(time.perf_counter() - t0)
job = threading.Thread(target=corpus_job)
job.start(); queries = []
while job.is_alive():
    t = time.perf_counter(); query_enc.encode([fresh("how do I sort a list")], "query: ", True)
    queries.append(time.perf_counter() - t); time.sleep(0.05)
job.join()
print(json.dumps({"corpus_s": took[0], "queries": queries}))
"""


def children(code: str, settings: Sequence[str], repeats: int, *args: str) -> dict[str, list[dict]]:
    """Run ``code`` in a fresh process per setting and repeat (order alternated); its last line of JSON."""
    runs: dict[str, list[dict]] = {t: [] for t in settings}
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_WAIT_POLICY": "PASSIVE"}  # as app.py sets it
    for i in range(repeats):
        for setting in (settings if i % 2 == 0 else settings[::-1]):
            proc = subprocess.run([sys.executable, "-c", code, *args, setting], env=env,
                                  capture_output=True, text=True, check=True, cwd=REPO)
            runs[setting].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return runs


def measure_contention(repeats: int) -> dict:
    """A corpus job (MiniLM) and live query edits (E5) at once: corpus job on 1 thread vs the app's choice."""
    runs = children(_CONTENTION_CHILD, ("1", "app"), repeats)
    return {f"corpus_threads_{t}": {"corpus": summarize([r["corpus_s"] for r in rs]),
                                    "query_during": summarize([q for r in rs for q in r["queries"]])}
            for t, rs in runs.items()}


def measure_threads(model_key: str, repeats: int) -> dict:
    """Raw encodes with 1 and 2 torch threads vs the app's encoder, each in a fresh process, order alternated."""
    settings = ("1", "2", "app")
    runs = children(_THREADS_CHILD, settings, repeats, model_key)
    out: dict = {}
    for name in runs["1"][0]:
        per = {t: [x for r in runs[t] for x in r[name]] for t in settings}
        out[name] = {f"threads_{t}": summarize(v) for t, v in per.items()}
        out[name]["ratio_2_over_1"] = ratio_summary(
            [percentile(b[name], 50) / percentile(a[name], 50) for a, b in zip(runs["1"], runs["2"])])
    return out


def profile_query_edit(engine, frames, corpus, model_key: str, repeats: int = 10, top: int = 25) -> str:
    """cProfile of ``repeats`` query edits: the top functions by cumulative time."""
    from dataclasses import replace

    setting = default_setting(model_key, corpus)
    query = corpus.example_queries()[0]
    explore_handler(engine, frames, corpus, setting, query)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeats):
        explore_handler(engine, frames, corpus, replace(setting, query_instruction=fresh(setting.query_instruction)), query)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()
