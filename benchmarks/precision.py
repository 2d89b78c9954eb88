"""Where the encoding time goes, float32 vs bfloat16, and what the vector store saves: one JSON report.

Run from the repository root (tens of minutes on 2 cores)::

    python benchmarks/precision.py                 # everything -> benchmarks/results/precision.json
    python benchmarks/precision.py --quick         # smoke run: one repeat, small slices
    python benchmarks/precision.py --sections peaks profile
    python benchmarks/precision.py --merge a.json b.json    # sections run separately -> one report

Both precisions run in the same process, interleaved, so drift and other jobs
on the machine favour neither; on a shared machine compare the ratios, and
read ``machine.contended`` (load average above the core count at the start or
the end). Sections:

* ``peaks``: the machine's matmul GFLOP/s, float32 and bfloat16, on 1 thread
  and on all cores (the best of square sizes 256-1024), and what
  ``components.precision`` chose here and why.
* ``doc_edit.<model>``: a never-seen document instruction on the 300 Lee news
  articles (the whole ``/explore`` handler: re-encode, rank, place on the map,
  figure, tables), float32 and bfloat16 engines alternately; ``speedup`` is
  float32 / bfloat16 per pair. Targets: E5 10 s, MiniLM 4 s, speed-up 3x.
* ``steps.<model>``: the same 300 texts through the encoder alone, per step
  past float32: plain autocast (what the app ships), autocast with the
  Linear weights stored in bfloat16, autocast with eager (not SDPA)
  attention; each with its speed-up over float32 and its worst cosine.
* ``profile.<model>.<precision>``: ``torch.profiler`` over one encode of 32
  articles: seconds in matrix products, in attention, in other operators and
  outside operators (tokenizing, Python), and the matrix products' achieved
  GFLOP/s beside the machine's peak on the same thread count.
* ``query_edit.<model>``: a never-seen query instruction on the news articles,
  server side (target 0.06 s in the app's precision).
* ``fidelity.<model>.<corpus>``: ``components.fidelity`` on every whole sample
  corpus (bfloat16 vs float32: cosine, top-10 overlap, evaluator metrics).
* ``first_ranking.<model>.<corpus>`` (``--quick``: the two corpora of short texts): a fresh process ranks the corpus with
  the task's defaults, first with an empty vector store, then again in a new
  process with the store the first one left (a restart); ``texts_encoded``
  shows that the restart encoded nothing. ``model_load_s`` (importing torch
  and sentence-transformers, loading the weights) is timed apart: the app's
  start-up work does it before a visitor asks. Target 3 s for the ranking
  after a restart, the model loaded.
* ``memory``: peak RSS of the real app (both models, the largest corpora,
  with its start-up work), as ``benchmarks/latency.py`` measures it.

The encoder-level sections (``peaks``, ``steps``, ``profile``) are measured
in ``benchmarks/precision_encoder.py``; this module runs every section and
writes the report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import cold_start as cold  # noqa: E402
from benchmarks import engine_timings as et  # noqa: E402
from benchmarks import latency as lat  # noqa: E402
from benchmarks.precision_encoder import measure_peaks, measure_profile, measure_steps  # noqa: E402
from benchmarks import timing  # noqa: E402

MODELS = ("minilm-offline", "e5-small-offline")  # --models minilm-instruct-offline measures the adapter too
DOC_CORPUS = "lee_news"
SECTIONS = ("peaks", "doc_edit", "steps", "profile", "query_edit", "fidelity", "first_ranking", "memory")
TARGETS = {"doc_edit_s": {"minilm-offline": 4.0, "e5-small-offline": 10.0, "minilm-instruct-offline": 4.0},
           "speedup": 3.0, "query_edit_s": 0.06, "first_ranking_s": 3.0, "peak_rss_mb": 2048.0}


def speedup_summary(ratios: Sequence[float], target: float) -> dict:
    """Speed-up ratios (bigger is better): ``ratio_to_target`` is target / median, at most 1 passes."""
    out = timing.ratio_summary(ratios)
    out.update(target=target, ok=out["median"] >= target, ratio_to_target=target / out["median"])
    return out


def _setting(model_key: str, corpus):
    return et.default_setting(model_key, corpus)


def measure_doc_edit(engines: dict, frames: dict, corpus, model_key: str, repeats: int) -> dict:
    """Never-seen document instructions, float32 and bfloat16 alternately (the whole handler)."""
    setting = _setting(model_key, corpus)
    query = corpus.example_queries()[0]
    for p in engines:  # warm: baseline vectors, map frame
        et.explore_handler(engines[p], frames[p], corpus, setting, query)
    runs: dict[str, list] = {p: [] for p in engines}
    ratios = []
    for i in range(repeats):
        order = list(engines) if i % 2 == 0 else list(engines)[::-1]
        for p in order:
            edited = replace(setting, document_instruction=timing.fresh(setting.document_instruction))
            runs[p].append(et.explore_handler(engines[p], frames[p], corpus, edited, query))
        ratios.append(runs["fp32"][-1]["total"] / runs["bf16"][-1]["total"])
    target = TARGETS["doc_edit_s"][model_key]
    return {"n_docs": len(corpus.documents),
            "fp32": {**timing.summarize([r["total"] for r in runs["fp32"]]), "parts": et.parts_summary(runs["fp32"])},
            "bf16": {**timing.summarize([r["total"] for r in runs["bf16"]], target), "parts": et.parts_summary(runs["bf16"])},
            "speedup": speedup_summary(ratios, TARGETS["speedup"])}


_FIRST_RANKING_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from components.corpora import load_sample
from components.encoder import SentenceTransformerEncoder
from components.engine import Engine
from components.store import VectorStore
from components.setting import default_setting
encoded = [0]
real = SentenceTransformerEncoder.encode
def counting(self, texts, *a, **k):
    encoded[0] += len(texts)
    return real(self, texts, *a, **k)
SentenceTransformerEncoder.encode = counting
model, corpus_key, folder = sys.argv[1:4]
engine = Engine(store=VectorStore(folder))
corpus = load_sample(corpus_key)
setting = default_setting(corpus.task, model)
t1 = time.perf_counter()
engine.encoder(model)  # import torch and sentence-transformers, load the model (the app's warm-up does this)
t2 = time.perf_counter()
ex = engine.explore(corpus, setting, corpus.example_queries()[0])
t3 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "model_load_s": t2 - t1, "first_ranking_s": t3 - t2,
                  "process_s": t3 - t0, "texts_encoded": encoded[0], "precision": engine.precision(model, corpus)}))
"""


def _child(model: str, corpus_key: str, folder: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _FIRST_RANKING_CHILD, model, corpus_key, folder], env=env,
                          capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_first_ranking(models: Sequence[str], corpora: Sequence[str]) -> dict:
    """A fresh process's first ranking: empty store, then a restart that finds the store."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="lens-store-") as tmp:
        for model in models:
            for key in corpora:
                folder = os.path.join(tmp, f"{model}-{key}")
                empty, restart = _child(model, key, folder), _child(model, key, folder)
                out[f"{model}.{key}"] = {
                    "empty_store": empty, "restart": restart, "precision": restart["precision"],
                    "after_restart": timing.summarize([restart["first_ranking_s"]], TARGETS["first_ranking_s"])}
    return out


def measure_fidelity(engines: dict, models: Sequence[str], corpora: Sequence[str], quick: bool) -> dict:
    from components.corpora import load_sample
    from components.fidelity import GUARD, compare_precisions, slice_corpus
    from components.models import get_model

    out: dict = {"guard": GUARD}
    for model in models:
        rows = {}
        for key in corpora:
            corpus = load_sample(key)
            if quick:
                corpus = slice_corpus(corpus, 24, 8)
            found = compare_precisions(engines["fp32"], engines["bf16"], corpus, _setting(model, corpus))
            rows[key] = found.as_dict()
        out[model] = {"corpora": rows, "passing": [k for k, r in rows.items() if r["passes"]],
                      "registry_bf16": list(get_model(model).bf16)}
    return out


def run(models: Sequence[str], sections: Sequence[str], quick: bool, repeats: int | None = None) -> dict:
    from components.corpora import load_sample, sample_keys
    from components.engine import Engine
    from components.precision import BF16, FP32
    from components.projection import FrameCache

    reps = repeats or (1 if quick else 3)
    report: dict = {"machine": timing.machine_info(), "config": {
        "models": list(models), "sections": list(sections), "quick": quick, "repeats": reps, "targets": TARGETS},
        "measures": {}}
    m = report["measures"]
    engines = {FP32: Engine(precision=FP32), BF16: Engine(precision=BF16)}
    frames = {p: FrameCache() for p in engines}
    news = load_sample(DOC_CORPUS)
    if quick:
        from components.fidelity import slice_corpus

        news = slice_corpus(news, 40)
    peaks = measure_peaks() if {"peaks", "profile"} & set(sections) else {}
    if "peaks" in sections:
        m["peaks"] = peaks
    for model in models:
        if "doc_edit" in sections:
            m[f"doc_edit.{model}"] = measure_doc_edit(engines, frames, news, model, reps)
        if "steps" in sections:
            m[f"steps.{model}"] = measure_steps(engines[FP32], news, model, 1)
        if "profile" in sections:
            for p in engines:
                m[f"profile.{model}.{p}"] = measure_profile(engines[p], news, model, peaks)
        if "query_edit" in sections:
            for p in engines:
                row = et.measure_query_edit(engines[p], frames[p], news, model, 5 if quick else 20)
                row.update(target_s=TARGETS["query_edit_s"], ok=row["median_s"] <= TARGETS["query_edit_s"],
                           ratio_to_target=row["median_s"] / TARGETS["query_edit_s"])
                m[f"query_edit.{model}.{p}"] = row
    corpora = sample_keys()
    if "fidelity" in sections:
        m["fidelity"] = measure_fidelity(engines, models, corpora, quick)
    if "first_ranking" in sections:
        short = [key for key in ("perlfaq_questions", "python_stdlib_code") if key in corpora]
        m["first_ranking"] = measure_first_ranking(models, short if quick else corpora)
    if "memory" in sections:
        with tempfile.TemporaryDirectory(prefix="lens-mem-store-") as tmp, _env(INSTRUCTION_LENS_STORE_DIR=tmp):
            m["memory"] = cold.measure_memory(models, lat.LARGEST)
    load_end = list(os.getloadavg())
    report["machine"].update(load_avg_end=load_end, contended=max(
        report["machine"]["load_avg_start"][0], load_end[0]) > (os.cpu_count() or 1))
    report["targets"] = lat.targets(m)
    return report


@contextlib.contextmanager
def _env(**values: str):
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def merge(paths: Sequence[str]) -> dict:
    """One report from reports of separate sections; a merged report keeps the runs it lists.

    A later report's measure replaces an earlier one's of the same name, except
    ``fidelity``, which is merged per model (a model's guard run again
    replaces only that model's).
    """
    parts = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    report = {"machine": parts[0]["machine"], "config": parts[0]["config"], "measures": {}, "runs": []}
    for part in parts:
        fidelity = {**report["measures"].get("fidelity", {}), **part["measures"].get("fidelity", {})}
        report["measures"].update(part["measures"])
        if fidelity:
            report["measures"]["fidelity"] = fidelity
        report["runs"].extend(part.get("runs") or [{"sections": part["config"]["sections"],
                                                     "models": part["config"]["models"],
                                                     "machine": part["machine"]}])
    report["config"]["sections"] = list(dict.fromkeys(s for p in parts for s in p["config"]["sections"]))
    report["config"]["models"] = list(dict.fromkeys(m for p in parts for m in p["config"]["models"]))
    report["machine"]["contended"] = any(p["machine"].get("contended") for p in parts)
    report["targets"] = lat.targets(report["measures"])
    return report


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "precision.json"))
    ap.add_argument("--quick", action="store_true", help="one repeat, small slices: a smoke run")
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--sections", nargs="+", default=list(SECTIONS), choices=SECTIONS)
    ap.add_argument("--repeats", type=int, default=None, help="document edits per precision (default 3)")
    ap.add_argument("--merge", nargs="+", metavar="REPORT", help="merge these reports into --out instead of running")
    args = ap.parse_args(argv)
    for key, value in (("HF_HUB_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false"),
                       ("GRADIO_ANALYTICS_ENABLED", "False"), ("OMP_WAIT_POLICY", "PASSIVE"),
                       ("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "instruction-lens" / "numba"))):
        os.environ.setdefault(key, value)
    t0 = time.perf_counter()
    if args.merge:
        report = merge(args.merge)
    else:
        report = run(args.models, args.sections, args.quick, args.repeats)
        report["machine"]["run_s"] = time.perf_counter() - t0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print("\n".join(lat.summary_lines(report["measures"])))
    missed = [t for t in report["targets"] if not t["ok"]]
    print(f"\n{len(report['targets']) - len(missed)}/{len(report['targets'])} targets met; report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
