"""Measure every task of the mixed corpus, with and without instructions, as JSON reports.

Run from the repository root::

    python benchmarks/mixed_corpus.py                     # both offline models, all five tasks
    python benchmarks/mixed_corpus.py --models minilm-offline --tasks mixed-qa

Each (model, task) pair gives ``benchmarks/results/mixed_corpus/<model>__<task>.json``:
what ``python -m components.evaluate mixed_kinds --task <task> --model <model> --json``
prints (the same functions; its ``command`` field names it), run in one process
so the shared document instruction's vectors are computed once per model, plus ``kinds``:
per side, how many queries got a document of the labelled kind first
(``top1_right_kind``) and how many of the top 10 were of that kind on average
(``right_kind_in_top10``). A model that cannot tell the kinds apart brings back
the paraphrased FAQ question for a QA query, or the documentation paragraph for
a code query; an instruction that works raises both numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.corpora import Corpus, load_sample  # noqa: E402
from components.engine import Engine  # noqa: E402
from components.evaluate import LineProgress, build_setting, to_json  # noqa: E402
from components.comparison import compare_settings  # noqa: E402
from components.tasks import MIXED_CORPUS, MIXED_TASKS  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "mixed_corpus"
MODELS = ("minilm-offline", "e5-small-offline")


def kind_summary(corpus: Corpus, tops: dict[str, dict[str, tuple[str, ...]]]) -> dict:
    """Per side: queries whose first hit is of the labelled kind, and mean hits of that kind in the top 10."""
    kind_of = {d.id: d.kind for d in corpus.documents}
    labelled = {q.id: {kind_of[d] for d in q.relevant} for q in corpus.labeled_queries}
    out: dict = {}
    for side, top in tops.items():
        first = sum(kind_of[top[q][0]] in labelled[q] for q in top)
        in_top = sum(sum(kind_of[d] in labelled[q] for d in top[q][:10]) for q in top)
        out[side] = {"top1_right_kind": first, "right_kind_in_top10": round(in_top / len(top), 3)}
    out["n_queries"] = len(labelled)
    return out


def run_one(engine: Engine, model: str, task: str) -> dict:
    """The evaluator's JSON for (model, task), with the kinds of each side's top 10 added."""
    corpus = load_sample(MIXED_CORPUS).with_task(task)
    args = argparse.Namespace(model=model, task=task, query_instruction=None, document_instruction=None,
                              include_prompt=None)  # the evaluator's defaults: the task's instructions
    setting = build_setting(corpus, args)
    comparison = compare_settings(engine, corpus, [setting], k=10, progress=LineProgress(sys.stderr))
    report = to_json(comparison, task)
    tops = {"baseline": {r.query_id: r.baseline_top for r in comparison.rows},
            "instructed": {r.query_id: r.instructed_top for r in comparison.rows}}
    report["kinds"] = kind_summary(corpus, tops)
    report["command"] = f"python -m components.evaluate {MIXED_CORPUS} --task {task} --model {model} --json"
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=list(MODELS))
    p.add_argument("--tasks", nargs="+", default=list(MIXED_TASKS))
    args = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    engine = Engine()
    for model in args.models:
        for task in args.tasks:
            report = run_one(engine, model, task)
            (OUT / f"{model}__{task}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
            b, i = report["baseline"]["ndcg@10"], report["instructed"]["ndcg@10"]
            k = report["kinds"]
            print(f"{model:18} {task:17} nDCG@10 {b:.3f} -> {i:.3f}   first hit of the right kind "
                  f"{k['baseline']['top1_right_kind']} -> {k['instructed']['top1_right_kind']} "
                  f"of {k['n_queries']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
