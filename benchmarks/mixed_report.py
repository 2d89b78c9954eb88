"""Shared by the per-task benchmarks of the mixed corpus (``instruction_sides.py``, ``wording_spread.py``).

``ranked_scores`` scores a ranking by cosine with the evaluator's metrics;
``per_task_report`` is their command line: one function per mixed task, one
JSON report. Nothing here measures by itself.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.instruct_model import MIXED_TASKS, ROOT, read_mixed
from components.metrics import evaluate_rankings, mean_scores


def ranked_scores(q_vecs: np.ndarray, d_vecs: np.ndarray, docs: list[dict], labelled: list[dict],
                  qrels: dict) -> dict:
    """nDCG@10 and MRR@10 of ranking ``docs`` by cosine for every labelled query."""
    scores = q_vecs @ d_vecs.T
    rankings = {q["id"]: [docs[i]["id"] for i in np.argsort(-scores[n], kind="stable")[:10]]
                for n, q in enumerate(labelled)}
    mean = mean_scores(evaluate_rankings(qrels, rankings, 10))
    return {"ndcg@10": mean.ndcg, "mrr@10": mean.mrr}


def per_task_report(description: str, script: str, default_out: Path, task_fn) -> dict:
    """The command line of a per-task benchmark of the mixed corpus (``--model``, ``--corpus-folder``,
    ``--out``): ``task_fn(engine, model, docs, queries, task)`` for every mixed task, written as
    one JSON report; returns the report."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", default="minilm-instruct-offline")
    p.add_argument("--corpus-folder", type=Path, default=ROOT / "sample_corpora")
    p.add_argument("--out", type=Path, default=default_out)
    args = p.parse_args()
    docs, queries = read_mixed(args.corpus_folder)
    from components.engine import Engine

    engine = Engine()
    report = {"model": args.model, "command": f"python benchmarks/{script} --model {args.model}",
              "tasks": {t: task_fn(engine, args.model, docs, queries, t) for t in MIXED_TASKS}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report
