"""How much a mixed task's result depends on the wording of its query instruction.

    python benchmarks/wording_spread.py [--model minilm-instruct-offline] [--out FILE]

For each mixed task of ``sample_corpora/mixed_kinds`` (the whole corpus), the
model ranks the task's labelled queries with no instruction, with the app's
preset, with the training wording and own held-out wording of
``benchmarks/instruct_model.py``, and with six more held-out wordings
(``WORDINGS``, none of them a training wording: ``check_not_held_out``). The
document instruction is the preset's throughout, so the corpus is embedded
once per task. Reports nDCG@10 and MRR@10 per wording, and per task the
spread of the held-out ones (lowest, median, highest) and how many are within
0.03 of the training wording. One JSON report (default
``benchmarks/results/instruct_model/wording_spread.json``).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.instruct_model import OWN_HELD_OUT, TRAINING  # noqa: E402
from benchmarks.mixed_report import per_task_report, ranked_scores  # noqa: E402

# Written for this benchmark, never trained on: six query wordings per mixed task.
WORDINGS: dict[str, tuple[str, ...]] = {
    "mixed-similar": (
        "Represent the question for finding questions that mean the same: ",
        "Represent the Perl question for retrieving duplicate questions: ",
        "Represent the programming question for finding the same question asked differently: ",
        "Represent the user question for retrieving questions with the same intent: ",
        "Represent the question to retrieve its paraphrases: ",
        "Represent the FAQ question for finding the matching FAQ question: "),
    "mixed-qa": (
        "Represent the question for retrieving the text that answers it: ",
        "Represent the Perl question for retrieving its answer: ",
        "Represent the programming question for finding the answer: ",
        "Represent the user question for retrieving a passage with the answer: ",
        "Represent the question to find the paragraph that answers it: ",
        "Represent the FAQ question for retrieving the FAQ answer: "),
    "mixed-code": (
        "Represent the description for retrieving Python code that implements it: ",
        "Represent the sentence for finding the Python function that does this: ",
        "Represent the function summary for retrieving its source code: ",
        "Represent the docstring for finding the function's code: ",
        "Represent the text for retrieving the implementation in Python: ",
        "Represent the Python description to find the function body: "),
    "mixed-doc": (
        "Represent the description for retrieving the function's reference documentation: ",
        "Represent the sentence for finding the library documentation of the function: ",
        "Represent the function summary for retrieving its documentation paragraph: ",
        "Represent the docstring for finding the API reference entry: ",
        "Represent the text for retrieving the Python documentation about it: ",
        "Represent the Python description to find its manual entry: "),
    "mixed-definition": (
        "Represent the question about a word for retrieving what it means: ",
        "Represent the vocabulary question for finding the dictionary definition: ",
        "Represent the question for retrieving the definition of the word: ",
        "Represent the question about a term for retrieving its gloss in a dictionary: ",
        "Represent the question about an English word for finding its meaning: ",
        "Represent the question to retrieve the word's definition: "),
}
WITHIN = 0.03  # the bound for a held-out wording against the training wording


def task_spread(engine, model_key: str, docs: list[dict], queries: list[dict], task: str) -> dict:
    """Every wording's scores on one mixed task, and the held-out wordings' spread."""
    from components.models import get_model
    from components.tasks import get_task

    model = get_model(model_key)
    preset = get_task(task).instructions_for(model)
    labelled = [q for q in queries if task in q["relevant_by_task"]]
    qrels = {q["id"]: q["relevant_by_task"][task] for q in labelled}
    texts = [q["text"] for q in labelled]
    d_vecs = engine.embed(model_key, [d["text"] for d in docs], preset.document, model.include_prompt)

    def score(query_instruction: str, d: np.ndarray = d_vecs) -> dict:
        q_vecs = engine.embed(model_key, texts, query_instruction, model.include_prompt)
        return {"query_instruction": query_instruction, **ranked_scores(q_vecs, d, docs, labelled, qrels)}

    plain_docs = engine.embed(model_key, [d["text"] for d in docs], "", model.include_prompt)
    held = [score(w) for w in (preset.query, OWN_HELD_OUT[task][0], *WORDINGS[task])]
    training = score(TRAINING[task][0])
    ndcgs = [h["ndcg@10"] for h in held]
    return {"queries": len(labelled), "document_instruction": preset.document,
            "none": {k: v for k, v in score("", plain_docs).items() if k != "query_instruction"},
            "training": training, "held_out": held,
            "held_out_ndcg@10": {"lowest": min(ndcgs), "median": statistics.median(ndcgs), "highest": max(ndcgs)},
            f"held_out_within_{WITHIN}_of_training": sum(n >= training["ndcg@10"] - WITHIN for n in ndcgs)}


def main() -> int:
    report = per_task_report(__doc__.split("\n")[0], "wording_spread.py",
                             ROOT / "benchmarks" / "results" / "instruct_model" / "wording_spread.json", task_spread)
    for task, row in report["tasks"].items():
        spread = row["held_out_ndcg@10"]
        print(f"{task:17s} none {row['none']['ndcg@10']:.3f}  training {row['training']['ndcg@10']:.3f}  "
              f"held out {spread['lowest']:.3f} / {spread['median']:.3f} / {spread['highest']:.3f}  "
              f"within {WITHIN}: {row[f'held_out_within_{WITHIN}_of_training']} of {len(row['held_out'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
