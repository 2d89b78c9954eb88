"""Which side an instruction moves: each mixed task on its target kind alone, instructions crossed.

    python benchmarks/instruction_sides.py [--model minilm-instruct-offline] [--out FILE]

For each mixed task of ``sample_corpora/mixed_kinds`` (documents of the task's
target kinds only, as ``<task>@kind`` in ``benchmarks/instruct_model.py``), the
model ranks with the query instruction on or off crossed with the document
instruction on or off (the task preset's wordings), and reports nDCG@10 and
MRR@10 of each, and the mean cosine between each text's plain and instructed
vector, queries and documents apart. Inside one kind there is nothing to
route, so any loss from the instruction is a change of order, and the crossing
says which side causes it. One JSON report (default
``benchmarks/results/instruct_model/instruction_sides.json``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.instruct_model import target_kinds  # noqa: E402
from benchmarks.mixed_report import per_task_report, ranked_scores  # noqa: E402

SIDES = {"neither": (False, False), "query only": (True, False), "document only": (False, True), "both": (True, True)}


def task_sides(engine, model_key: str, docs: list[dict], queries: list[dict], task: str) -> dict:
    """The four crossings' nDCG@10 / MRR@10 and the plain-to-instructed cosines for one task."""
    from components.models import get_model
    from components.tasks import get_task

    model = get_model(model_key)
    ins = get_task(task).instructions_for(model)
    kinds = target_kinds(docs, queries, task)
    kept = [d for d in docs if d["kind"] in kinds]
    labelled = [q for q in queries if task in q["relevant_by_task"]]
    qrels = {q["id"]: q["relevant_by_task"][task] for q in labelled}

    def embed(texts: list[str], prompt: str) -> np.ndarray:
        return engine.embed(model_key, texts, prompt, model.include_prompt)

    d_vecs = {False: embed([d["text"] for d in kept], ""), True: embed([d["text"] for d in kept], ins.document)}
    q_vecs = {False: embed([q["text"] for q in labelled], ""), True: embed([q["text"] for q in labelled], ins.query)}
    out: dict = {"documents": len(kept), "queries": len(labelled), "query_instruction": ins.query,
                 "document_instruction": ins.document}
    for name, (q_on, d_on) in SIDES.items():
        out[name] = ranked_scores(q_vecs[q_on], d_vecs[d_on], kept, labelled, qrels)
    out["cosine_plain_to_instructed"] = {"queries": float(np.mean(np.sum(q_vecs[False] * q_vecs[True], 1))),
                                         "documents": float(np.mean(np.sum(d_vecs[False] * d_vecs[True], 1)))}
    return out


def main() -> int:
    report = per_task_report(__doc__.split("\n")[0], "instruction_sides.py",
                             ROOT / "benchmarks" / "results" / "instruct_model" / "instruction_sides.json", task_sides)
    for task, row in report["tasks"].items():
        cells = "  ".join(f"{s} {row[s]['ndcg@10']:.3f}" for s in SIDES)
        cos = row["cosine_plain_to_instructed"]
        print(f"{task:17s} {cells}  cos q {cos['queries']:.2f} d {cos['documents']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
