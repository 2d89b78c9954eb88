"""Latency, start-up and memory benchmarks of Instruction Lens, written as one JSON report.

Run from the repository root (the full run takes tens of minutes on 2 cores)::

    python benchmarks/latency.py                       # everything -> benchmarks/results/latency.json
    python benchmarks/latency.py --quick               # smoke run: few repeats, small corpora
    python benchmarks/latency.py --models minilm-offline --corpus perlfaq_questions --sections query_edit

The engine runs in this process with the real packaged models; start-up, the
cold UMAP fit and the memory peak run in fresh subprocesses. Every timing is
repeated and reported as ``median_s``, ``p10_s``, ``p90_s`` and ``n``; a
measure with a target adds ``target_s``, ``ok`` and ``ratio_to_target``
(median / target: at most 1 passes). On a shared machine absolute times drift,
so compare numbers taken in the same run; the ``machine`` block records the
load average at start and end.

What the measures mean:

* ``query_edit.<model>.<corpus>``: one query-instruction edit, server side, warm
  caches: ``Engine.explore`` (a never-seen instruction each repeat, so the
  query is really re-encoded), ``map_data`` (UMAP transform of the two query
  vectors), ``map_figure`` and the two ranking tables, as the ``/explore``
  handler does them. Target 150 ms.
* ``doc_edit.<model>.<corpus>``: a never-seen document instruction, so the
  whole corpus is re-encoded and placed on the map (same handler work).
  ``raw_floor`` is plain ``SentenceTransformer.encode`` of the same clipped
  texts with the same prompt, in batches of 32, on the threads the app gives
  a lone corpus job; ``overhead_ratio`` is edit / floor per
  interleaved pair (target 1.25). ``revisited`` goes back to an earlier
  instruction (every vector and placement cached; target 100 ms).
* ``umap``: ``fit_frame`` in a fresh process with an empty numba cache (cold:
  JIT compile) and again with that cache primed; a warm refit in this process;
  ``place`` of 2 query vectors and of all instructed document vectors.
* ``cold_start.<cache>.<model>``: ``python app.py`` on a free loopback port.
  ``page_served``: process start -> HTTP 200 on ``/`` (target 10 s).
  ``first_ranking``: process start -> the first ``/explore`` update with that
  model, which carries both rankings (target 30 s); ``map_shown``: -> the last
  update, with the map (a new map's frame is fitted after the rankings are
  sent). ``fresh`` points ``INSTRUCTION_LENS_CACHE`` and ``NUMBA_CACHE_DIR`` at
  an empty folder, so E5's conversion is included.
* ``memory``: peak RSS of a real app (process and children, psutil) that loaded
  both models and ranked the largest corpora with each (target 2 GB).
* ``threads.<model>``: raw encodes with ``torch.set_num_threads`` 1 or 2, and
  the app's encoder (which picks threads per job, ``components.encoder``),
  each in a fresh process, for one query, a 300-document corpus and one batch
  of 32 long documents.
* ``contention``: live E5 query encodes while a MiniLM corpus job (the Python
  FAQ answers) runs, that job on 1 thread vs the app's choice (both models).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import fnmatch
import io
import json
import os
import platform
import pstats
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator, Sequence

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make ``components`` importable
    sys.path.insert(0, str(REPO))

TARGETS = {"query_edit_s": 0.150, "doc_edit_ratio": 1.25, "revisit_s": 0.100,
           "page_s": 10.0, "first_ranking_s": 30.0, "peak_rss_mb": 2048.0}
LARGEST = ("lee_news", "perlfaq_questions")
SECTIONS = ("query_edit", "doc_edit", "umap", "threads", "contention", "cold_start", "memory")
RawEncode = Callable[[list, str], object]


# ---- statistics and machine --------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation (numpy's default)."""
    if not values:
        raise ValueError("no values")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarize(samples: Sequence[float], target_s: float | None = None) -> dict:
    """``median_s``, ``p10_s``, ``p90_s``, ``n`` (+ ``target_s``, ``ok``, ``ratio_to_target``)."""
    out = {"median_s": percentile(samples, 50), "p10_s": percentile(samples, 10),
           "p90_s": percentile(samples, 90), "n": len(samples)}
    if target_s is not None:
        out.update(target_s=target_s, ok=out["median_s"] <= target_s,
                   ratio_to_target=out["median_s"] / target_s)
    return out


def ratio_summary(ratios: Sequence[float], target: float | None = None) -> dict:
    """Like ``summarize`` for unitless ratios (keys without ``_s``)."""
    out = {"median": percentile(ratios, 50), "p10": percentile(ratios, 10),
           "p90": percentile(ratios, 90), "n": len(ratios)}
    if target is not None:
        out.update(target=target, ok=out["median"] <= target, ratio_to_target=out["median"] / target)
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """CPU count, Python and library versions, load average now."""
    info = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_avg_start": list(os.getloadavg())}
    for dist in ("torch", "sentence-transformers", "numpy", "umap-learn", "gradio", "onnxruntime"):
        info[dist] = _version(dist)
    return info


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _fresh(base: str) -> str:
    """``base`` with a never-seen word appended (defeats every cache)."""
    return f"{base.rstrip()} variant {uuid.uuid4().hex[:8]} "


# ---- in-process engine measurements ------------------------------------------------------

def default_setting(model_key: str, corpus):
    """The task defaults the app shows for this corpus and model."""
    from components.setting import default_setting as task_default

    return task_default(corpus.task, model_key)


def _handler(engine, frames, corpus, setting, query: str, k: int = 10) -> dict[str, float]:
    """What the ``/explore`` handler does, timed per part (seconds)."""
    from components.mapview import map_data, map_figure
    from components.views import ranking_table, status_line

    t_explore, ex = _timed(lambda: engine.explore(corpus, setting, query))
    t_map, data = _timed(lambda: map_data(ex, frames, k))
    t_fig, fig = _timed(lambda: map_figure(data, k))
    t_json, _ = _timed(fig.to_json)  # what gr.Plot.postprocess does with it
    t_tab, _ = _timed(lambda: (ranking_table(ex, True, k), ranking_table(ex, False, k), status_line(ex, k)))
    parts = {"explore": t_explore, "map_data": t_map, "map_figure": t_fig, "figure_json": t_json, "tables": t_tab}
    return {**parts, "total": sum(parts.values())}


def _parts(runs: list[dict[str, float]]) -> dict:
    return {name: summarize([r[name] for r in runs]) for name in runs[0] if name != "total"}


def measure_query_edit(engine, frames, corpus, model_key: str, repeats: int) -> dict:
    """A never-seen query instruction per repeat, warm document caches and map frame."""
    from dataclasses import replace

    setting = default_setting(model_key, corpus)
    query = corpus.example_queries()[0]
    _handler(engine, frames, corpus, setting, query)  # warm: corpus embedded, frame fitted
    runs = [_handler(engine, frames, corpus, replace(setting, query_instruction=_fresh(setting.query_instruction)),
                     query) for _ in range(repeats)]
    return {**summarize([r["total"] for r in runs], TARGETS["query_edit_s"]), "parts": _parts(runs)}


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
    _handler(engine, frames, corpus, setting, query)
    texts = clipped_texts(engine, model_key, corpus)
    edits, floors, ratios, seen = [], [], [], []
    for i in range(repeats):
        edited = replace(setting, document_instruction=_fresh(setting.document_instruction))
        run_raw = (lambda: raw(texts, edited.prompt("document"))) if raw else None
        if run_raw and i % 2:  # alternate the order so drift favours neither side
            floors.append(_timed(run_raw)[0])
        edits.append(_handler(engine, frames, corpus, edited, query))
        if run_raw and not i % 2:
            floors.append(_timed(run_raw)[0])
        if run_raw:
            ratios.append(edits[-1]["total"] / floors[-1])
        seen.append(edited)
    revisits = [_handler(engine, frames, corpus, s, query)["total"] for s in seen * max(1, 5 // len(seen))]
    out = {"edit": {**summarize([e["total"] for e in edits]), "parts": _parts(edits)},
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
    fits = [_timed(lambda: fit_frame(base_docs))[0] for _ in range(max(1, repeats // 3))]
    frame = fit_frame(base_docs)
    two = [_timed(lambda: frame.place(docs[:2]))[0] for _ in range(repeats)]
    alldocs = [_timed(lambda: frame.place(docs))[0] for _ in range(max(1, repeats // 3))]
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
                wall, proc = _timed(lambda: subprocess.run([sys.executable, "-c", _COLD_FIT, path], env=env,
                                                           capture_output=True, text=True, check=True))
                runs[name].append({**json.loads(proc.stdout.strip().splitlines()[-1]), "process": wall})
    return {name: {**summarize([r["process"] for r in rs]), "parts": {
        part: summarize([r[part] for r in rs]) for part in ("import_s", "fit_s")}} for name, rs in runs.items()}


_THREADS_CHILD = """
import json, sys, time
import torch
from benchmarks.latency import _thread_workloads
work = _thread_workloads(sys.argv[1], via_app=sys.argv[-1] == "app")
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


def _thread_workloads(model_key: str, via_app: bool = False) -> dict:
    """Three encode workloads, (function, timed calls) by name: raw, or through the app's encoder.

    Through the app's encoder, each call picks its own thread count
    (``components.encoder._threads``); raw calls use whatever the caller set.
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
    return {"query": (lambda: raw([_fresh("How can I sort a hash by its values?")], "query: "), 20),
            f"corpus_{len(short)}": (lambda: raw(short, ""), 1), "long_batch_32": (lambda: raw(long_, ""), 1)}


_CONTENTION_CHILD = """
import json, sys, threading, time
from benchmarks.latency import _fresh, clipped_texts
from components.corpora import load_sample
from components.engine import Engine
import components.encoder as encoder
engine = Engine()
query_enc, corpus_enc = engine.encoder("e5-small-offline"), engine.encoder("minilm-offline")
if sys.argv[-1] != "app":
    encoder.corpus_threads = lambda: int(sys.argv[-1])
texts = clipped_texts(engine, "minilm-offline", load_sample("python_faq_qa"))
query_enc.encode(["warm up"], "query: ", True); corpus_enc.encode(texts[:8], "", True)
took = []
def corpus_job():
    t0 = time.perf_counter()
    corpus_enc.encode(texts, _fresh(""), True)
    took.append(time.perf_counter() - t0)
job = threading.Thread(target=corpus_job)
job.start(); queries = []
while job.is_alive():
    t = time.perf_counter(); query_enc.encode([_fresh("how do I sort a list")], "query: ", True)
    queries.append(time.perf_counter() - t); time.sleep(0.05)
job.join()
print(json.dumps({"corpus_s": took[0], "queries": queries}))
"""


def _children(code: str, settings: Sequence[str], repeats: int, *args: str) -> dict[str, list[dict]]:
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
    runs = _children(_CONTENTION_CHILD, ("1", "app"), repeats)
    return {f"corpus_threads_{t}": {"corpus": summarize([r["corpus_s"] for r in rs]),
                                    "query_during": summarize([q for r in rs for q in r["queries"]])}
            for t, rs in runs.items()}


def measure_threads(model_key: str, repeats: int) -> dict:
    """Raw encodes with 1 and 2 torch threads vs the app's encoder, each in a fresh process, order alternated."""
    settings = ("1", "2", "app")
    runs = _children(_THREADS_CHILD, settings, repeats, model_key)
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
    _handler(engine, frames, corpus, setting, query)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeats):
        _handler(engine, frames, corpus, replace(setting, query_instruction=_fresh(setting.query_instruction)), query)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


# ---- the app in a subprocess: cold start and memory --------------------------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MiB."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


@contextlib.contextmanager
def running_app(extra_env: dict | None = None) -> Iterator[tuple[subprocess.Popen, str, float, str]]:
    """``python app.py`` on a free loopback port: yields (process, url, start time, log path)."""
    port = free_port()
    env = {**os.environ, "INSTRUCTION_LENS_HOST": "127.0.0.1", "INSTRUCTION_LENS_PORT": str(port),
           "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", **(extra_env or {})}
    log = tempfile.NamedTemporaryFile(prefix="lens-app-", suffix=".log", delete=False)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc, f"http://127.0.0.1:{port}", t0, log.name
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_for_page(url: str, proc: subprocess.Popen, t0: float, log_path: str, timeout: float = 300.0) -> float:
    """Seconds from ``t0`` until ``url`` answers HTTP 200; raises with the app's log otherwise."""
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{Path(log_path).read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as resp:
                if resp.status == 200:
                    return time.perf_counter() - t0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no page after {timeout:.0f} s:\n{Path(log_path).read_text(errors='replace')[-3000:]}")


def explore_args(model_key: str, corpus_key: str | None = None) -> list:
    """Arguments of ``/explore`` as the page sends them for a task's defaults."""
    from components.corpora import load_sample
    from components.tasks import DEFAULT_TASK, get_task
    from components.setting import default_setting as task_default

    if corpus_key is None:
        corpus_key = get_task(DEFAULT_TASK).corpus
    corpus = load_sample(corpus_key)
    s = task_default(corpus.task, model_key)
    return [corpus.task, model_key, corpus_key, s.query_instruction, s.document_instruction,
            s.include_prompt, corpus.example_queries()[0], 10]


def call_explore(url: str, args: list, timeout: float = 900.0, t0: float | None = None) -> dict:
    """One ``/explore`` call through a fresh ``gradio_client.Client``.

    The page shows the rankings with the first update (the map may follow in
    a second one): ``first`` and ``last`` are seconds from ``t0`` (default:
    the call) to each, ``result`` the final outputs.
    """
    from gradio_client import Client

    t0 = time.perf_counter() if t0 is None else t0
    client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    try:
        job = client.submit(*args, api_name="/explore")
        first = None
        for _ in job:  # one item per update the page receives
            if first is None:
                first = time.perf_counter() - t0
        result = job.result(timeout=timeout)
        last = time.perf_counter() - t0
        return {"first": last if first is None else first, "last": last, "result": result,
                "updates": len(job.outputs())}
    finally:
        with contextlib.suppress(Exception):
            client.close()


def cold_start_once(model_key: str, fresh: bool) -> dict:
    """Start the app, time the page, the first ranking and the map with ``model_key``."""
    with contextlib.ExitStack() as stack:
        env = {}
        if fresh:  # a first-time machine: no converted E5, no compiled UMAP
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="lens-cold-"))
            env = {"INSTRUCTION_LENS_CACHE": tmp, "NUMBA_CACHE_DIR": os.path.join(tmp, "numba")}
        proc, url, t0, log = stack.enter_context(running_app(env))
        page = wait_for_page(url, proc, t0, log)
        t_call = time.perf_counter()
        call = call_explore(url, explore_args(model_key), t0=t0)
        return {"page": page, "first": call["first"], "map": call["last"],
                "call": call["first"] - (t_call - t0), "rss_mb": tree_rss_mb(proc.pid)}


def measure_cold_start(models: Sequence[str], repeats: int) -> dict:
    """Page served and first ranking, fresh and normal caches, per model."""
    out = {}
    for cache in ("fresh", "normal"):
        for model in models:
            runs = [cold_start_once(model, cache == "fresh") for _ in range(repeats)]
            out[f"{cache}.{model}"] = {
                "page_served": summarize([r["page"] for r in runs], TARGETS["page_s"]),
                "first_ranking": summarize([r["first"] for r in runs], TARGETS["first_ranking_s"]),
                "map_shown": summarize([r["map"] for r in runs]),
                "explore_call": summarize([r["call"] for r in runs]),
                "rss_after_mb": max(r["rss_mb"] for r in runs)}
    return out


def measure_memory(models: Sequence[str], corpora: Sequence[str]) -> dict:
    """Peak RSS of a real app while it loads ``models`` and ranks ``corpora`` with each."""
    peak = [0.0]
    with running_app() as (proc, url, t0, log):
        wait_for_page(url, proc, t0, log)
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            for model in models:
                for corpus in corpora:
                    call_explore(url, explore_args(model, corpus))
            final = tree_rss_mb(proc.pid)
        finally:
            stop.set()
            sampler.join()
    peak_mb = max(peak[0], final)
    target = TARGETS["peak_rss_mb"]
    return {"peak_rss_mb": peak_mb, "final_rss_mb": final, "n": 1, "models": list(models),
            "corpora": list(corpora), "target_mb": target, "ok": peak_mb <= target,
            "ratio_to_target": peak_mb / target}


# ---- the report --------------------------------------------------------------------------

# What is known to make a target slip on a 2-core CPU machine, written into the report beside a miss.
WHY_MISSED = {
    "cold_start.*.first_ranking": (
        "compute: the first ranking embeds the default corpus twice (with and without the document "
        "instruction) after importing sentence-transformers and loading the model; E5 reads up to 512 "
        "tokens through 12 layers (the Python FAQ answers are 37,774 E5 tokens), MiniLM 256 through 6. "
        "See explore_call for the share between the request and the rankings."),
    "memory": (
        "the peak depends on how the two models' work overlaps with the start-up thread (UMAP, "
        "MiniLM) and on malloc fragmentation; it varies by a few hundred MB between runs."),
    "doc_edit.*": "the app's encode costs more than plain encode of the same texts; see the parts.",
    "query_edit.*": "see the parts: explore (query encode + ranking), map, figure.",
}


def _why(name: str) -> str:
    return next((why for pattern, why in WHY_MISSED.items() if fnmatch.fnmatch(name, pattern)), "")


def targets(measures: dict, path: str = "") -> list[dict]:
    """Every measure that has a target, flattened: name, value, target, ok, ratio (and why, if missed)."""
    found = []
    for key, value in measures.items():
        if not isinstance(value, dict):
            continue
        name = f"{path}.{key}" if path else key
        if "ok" in value:
            med = value.get("median_s", value.get("median", value.get("peak_rss_mb")))
            tgt = value.get("target_s", value.get("target", value.get("target_mb")))
            found.append({"name": name, "value": med, "target": tgt, "ok": value["ok"],
                          "ratio_to_target": value["ratio_to_target"]})
            if not value["ok"]:
                found[-1]["why"] = _why(name)
        found += targets(value, name)
    return found


def repeats_for(quick: bool) -> dict[str, int]:
    if quick:
        return {"query_edit": 5, "doc_edit": 1, "umap": 3, "umap_cold": 1, "threads": 1, "cold_start": 1}
    return {"query_edit": 30, "doc_edit": 3, "umap": 15, "umap_cold": 2, "threads": 3, "cold_start": 2}


def run(models: Sequence[str], corpora: Sequence[str], doc_corpus: str, sections: Sequence[str],
        quick: bool = False, profile: bool = False) -> dict:
    """Run the chosen ``sections`` and return the report (see the module docstring)."""
    from components.corpora import load_sample
    from components.engine import Engine
    from components.projection import FrameCache

    reps = repeats_for(quick)
    report = {"machine": machine_info(), "config": {"models": list(models), "corpora": list(corpora),
              "doc_corpus": doc_corpus, "sections": list(sections), "quick": quick, "repeats": reps,
              "targets": TARGETS}, "measures": {}}
    m = report["measures"]
    engine, frames = Engine(), FrameCache()
    load = {key: load_sample(key) for key in {*corpora, doc_corpus, *LARGEST}}
    for model in models:
        if "query_edit" in sections:
            for key in corpora:
                m[f"query_edit.{model}.{key}"] = measure_query_edit(engine, frames, load[key], model,
                                                                    reps["query_edit"])
        if "doc_edit" in sections:
            from components.encoder import corpus_threads

            raw = raw_encoder(model, threads=corpus_threads())  # the cores a lone corpus job gets
            m[f"doc_edit.{model}.{doc_corpus}"] = measure_doc_edit(engine, frames, load[doc_corpus], model,
                                                                   reps["doc_edit"], raw)
        if "threads" in sections:
            m[f"threads.{model}"] = measure_threads(model, reps["threads"])
    if "contention" in sections:
        m["contention"] = measure_contention(reps["threads"])
    if profile:
        report["profile_query_edit"] = profile_query_edit(engine, frames, load[corpora[0]], models[0])
    if "umap" in sections:
        corpus = load[corpora[0]]
        setting = default_setting(models[0], corpus)
        base = engine.doc_vectors(corpus, setting, instructed=False)
        docs = engine.doc_vectors(corpus, setting, instructed=True)
        m["umap"] = {**measure_umap_warm(base, docs, reps["umap"]), **measure_umap_cold(base, reps["umap_cold"])}
    if "cold_start" in sections:
        m["cold_start"] = measure_cold_start(models[:1] if quick else models, reps["cold_start"])
    if "memory" in sections:
        m["memory"] = measure_memory(models, corpora if quick else LARGEST)
    report["machine"]["load_avg_end"] = list(os.getloadavg())
    report["targets"] = targets(m)
    return report


def _line(name: str, v: dict) -> str:
    if "median_s" in v:
        text = f"{name:<58} {1000 * v['median_s']:9.1f} ms  [p10 {1000 * v['p10_s']:.1f} – p90 " \
               f"{1000 * v['p90_s']:.1f}] n={v['n']}"
    elif "median" in v:
        text = f"{name:<58} {v['median']:9.3f} ×   [p10 {v['p10']:.3f} – p90 {v['p90']:.3f}] n={v['n']}"
    else:
        text = f"{name:<58} {v['peak_rss_mb']:9.0f} MB peak RSS"
    if "ok" in v:
        text += f"  {'OK' if v['ok'] else 'MISS'} ({v['ratio_to_target']:.2f}× target)"
    return text


def summary_lines(measures: dict, path: str = "") -> list[str]:
    """One line per measure (parts indented), for people."""
    lines = []
    for key, value in measures.items():
        if not isinstance(value, dict):
            continue
        name = f"{path}.{key}" if path else key
        if any(k in value for k in ("median_s", "median", "peak_rss_mb")):
            lines.append(_line(name, value))
            for part, pv in value.get("parts", {}).items():
                lines.append("    " + _line(part, pv))
        else:
            lines += summary_lines(value, name)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "latency.json"))
    ap.add_argument("--quick", action="store_true", help="few repeats, small corpora: a smoke run")
    ap.add_argument("--models", nargs="+", default=["minilm-offline", "e5-small-offline"])
    ap.add_argument("--corpus", nargs="+", default=None, help="corpora for query edits (default: the two largest)")
    ap.add_argument("--doc-corpus", default=None, help="corpus for document edits (default lee_news)")
    ap.add_argument("--sections", nargs="+", default=list(SECTIONS), choices=SECTIONS)
    ap.add_argument("--profile", action="store_true", help="add a cProfile of query edits to the report")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "instruction-lens" / "numba"))
    small = "perlfaq_questions"
    corpora = args.corpus or ([small] if args.quick else list(LARGEST))
    doc_corpus = args.doc_corpus or (small if args.quick else "lee_news")
    report = run(args.models, corpora, doc_corpus, args.sections, args.quick, args.profile)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print("\n".join(summary_lines(report["measures"])))
    missed = [t for t in report["targets"] if not t["ok"]]
    print(f"\n{len(report['targets']) - len(missed)}/{len(report['targets'])} targets met; report: {out}")
    for t in missed:
        print(f"  MISSED {t['name']}: {t['value']:.3f} vs {t['target']:.3f} ({t['ratio_to_target']:.2f}×): {t['why']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
