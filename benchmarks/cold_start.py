"""The latency report's measures of a real app: cold start and peak memory.

Each starts ``python app.py`` (``benchmarks.app_process``) and calls its
``/explore`` endpoint through ``gradio_client`` as the page would.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

from benchmarks.app_process import running_app, tree_rss_mb, wait_for_page
from benchmarks.timing import TARGETS, summarize


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
    """Page served and first ranking, fresh and normal caches, per model.

    ``fresh``: empty caches and vector store (a first-time machine); ``normal``: this machine's
    caches and store as they are (a restart), whose target for the first ranking is stricter.
    """
    out = {}
    for cache in ("fresh", "normal"):
        after_page = TARGETS["first_ranking_after_page_s" if cache == "fresh" else "first_ranking_after_restart_s"]
        for model in models:
            runs = [cold_start_once(model, cache == "fresh") for _ in range(repeats)]
            out[f"{cache}.{model}"] = {
                "page_served": summarize([r["page"] for r in runs], TARGETS["page_s"]),
                "first_ranking": summarize([r["first"] for r in runs], TARGETS["first_ranking_s"]),
                "first_ranking_after_page": summarize([r["first"] - r["page"] for r in runs], after_page),
                "map_shown": summarize([r["map"] for r in runs]),
                "map_after_ranking": summarize([r["map"] - r["first"] for r in runs], TARGETS["map_after_ranking_s"]),
                "explore_call": summarize([r["call"] for r in runs]),
                "rss_after_mb": max(r["rss_mb"] for r in runs)}
    for model in models:  # the same work with nothing beside it: what the fresh start cannot go below
        out[f"alone.{model}"] = {"runs": [ranking_alone(model) for _ in range(repeats)]}
    return out


def ranking_alone(model_key: str) -> dict:
    """``benchmarks/ranking_alone.py``: the default ranking's work alone in a fresh process, in parts."""
    script = Path(__file__).resolve().parent / "ranking_alone.py"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, str(script), model_key], env=env, capture_output=True, text=True,
                          check=True, timeout=900)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_once(models: Sequence[str], corpora: Sequence[str]) -> float:
    """Peak RSS (MB) of a real app while it loads ``models`` and ranks ``corpora`` with each.

    The worst case: the vector store starts empty (a temporary folder), so every
    corpus is embedded during the run, by the visitor's calls or the warm-up.
    """
    peak = [0.0]
    with tempfile.TemporaryDirectory(prefix="lens-store-") as store, \
            running_app({"INSTRUCTION_LENS_STORE_DIR": store}) as (proc, url, t0, log):
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
    return max(peak[0], final)


def measure_memory(models: Sequence[str], corpora: Sequence[str], runs: int = 1) -> dict:
    """The highest peak RSS over ``runs`` fresh apps (``memory_once``), and each run's peak."""
    peaks = [memory_once(models, corpora) for _ in range(runs)]
    target = TARGETS["peak_rss_mb"]
    return {"peak_rss_mb": max(peaks), "runs_mb": peaks, "n": runs, "models": list(models),
            "corpora": list(corpora), "store": "empty at start", "target_mb": target,
            "ok": max(peaks) <= target, "ratio_to_target": max(peaks) / target}
