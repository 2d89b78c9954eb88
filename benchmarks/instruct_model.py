"""Measure the MiniLM instruction adapter against the base MiniLM and E5, as JSON reports.

    python benchmarks/instruct_model.py [--mixed sample_corpora] [--out benchmarks/results/instruct_model]

Every measurement is one run of the command-line evaluator
(``python -m components.evaluate CORPUS --model M --json`` plus instruction
flags), in one process so embeddings are shared; each report is written as
``<corpus>.<setting>.json`` with the command that made it, and
``summary.json`` gathers nDCG@10 / MRR@10 per corpus and setting:

* ``base`` / ``base+presets``: MiniLM without instruction / with the task
  presets' INSTRUCTOR-style wordings;
* ``e5`` / ``e5+prefixes``: E5 small without / with ``query: `` and ``passage: ``;
* ``new`` / ``new+presets``: MiniLM + adapter without instruction / with the
  presets' wordings (never seen in training: held out);
* ``new+own-held-out``: with a second set of held-out wordings (``OWN_HELD_OUT``);
* ``new+training``: with wordings the adapter was trained on (mixed corpus only).

``--mixed`` names a folder holding ``mixed_kinds.corpus.jsonl`` and
``mixed_kinds.queries.jsonl`` (queries labelled per task in
``relevant_by_task``); each task becomes a BEIR folder in a temporary
directory, so the evaluator reads it as any BEIR folder. Each task is also
scored on its target kind's documents alone (``<task>@kind``: perfect
routing between kinds, each model's own order inside the kind), which
bounds what routing alone can gain (``targets``' ``routing_ceiling``). Its preset wordings
are the app's mixed-task presets, or come from ``--mixed-tasks`` (a JSON file
of the corpus's instructions).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import evaluate  # noqa: E402
from components.engine import Engine  # noqa: E402

SAMPLES = ("python_faq_qa", "debian_faq", "perlfaq_questions", "python_stdlib_code")
MIXED_TASKS = ("mixed-similar", "mixed-qa", "mixed-code", "mixed-doc", "mixed-definition")

# Written after training and never trained on: (query, document) per corpus or mixed task.
OWN_HELD_OUT: dict[str, tuple[str, str]] = {
    "perlfaq_questions": ("Represent the Perl FAQ question for finding questions with the same meaning: ",
                          "Represent the Perl FAQ question for finding questions with the same meaning: "),
    "python_faq_qa": ("Represent the Python FAQ question for retrieving the answer text: ",
                      "Represent the Python FAQ answer for retrieval: "),
    "debian_faq": ("Represent the Debian question for finding the FAQ entry that answers it: ",
                   "Represent the FAQ entry for retrieval: "),
    "python_stdlib_code": ("Represent the function summary for retrieving the Python code that implements it: ",
                           "Represent the Python code for retrieval: "),
    "mixed-similar": ("Represent the Perl question for finding questions with the same meaning: ",
                      "Represent the entry for retrieval: "),
    "mixed-qa": ("Represent the Perl question for finding the answer text: ", "Represent the entry for retrieval: "),
    "mixed-code": ("Represent the docstring sentence for finding the Python source code: ",
                   "Represent the entry for retrieval: "),
    "mixed-doc": ("Represent the docstring sentence for finding the Python library reference entry: ",
                  "Represent the entry for retrieval: "),
    "mixed-definition": ("Represent the question about a word for finding its meaning in a dictionary: ",
                         "Represent the entry for retrieval: "),
}
# Exact strings from the training wordings (training/instructions.py), for the mixed tasks.
TRAINING: dict[str, tuple[str, str]] = {
    "mixed-similar": ("Represent the question for retrieving similar questions: ", "Represent the text for retrieval: "),
    "mixed-qa": ("Represent the question for retrieving the paragraph that answers it: ",
                 "Represent the text for retrieval: "),
    "mixed-code": ("Represent the Python description for retrieving the function that implements it: ",
                   "Represent the text for retrieval: "),
    "mixed-doc": ("Represent the Python description for retrieving the function's documentation: ",
                  "Represent the text for retrieval: "),
    "mixed-definition": ("Represent the question about a term for retrieving its definition: ",
                         "Represent the text for retrieval: "),
}


def target_kinds(docs: list[dict], queries: list[dict], task: str) -> set[str]:
    """The kinds of every document labelled relevant for ``task``."""
    kind = {d["id"]: d["kind"] for d in docs}
    return {kind[d] for q in queries for d in q["relevant_by_task"].get(task, {})}


def read_mixed(folder: Path) -> tuple[list[dict], list[dict]]:
    """The mixed corpus's document rows and query rows (``relevant_by_task``) as stored in ``folder``."""
    def rows(name: str) -> list[dict]:
        return [json.loads(line) for line in (folder / name).open(encoding="utf-8")]

    return rows("mixed_kinds.corpus.jsonl"), rows("mixed_kinds.queries.jsonl")


def mixed_beir(folder: Path, out: Path) -> dict[str, Path]:
    """Two BEIR folders per task of the mixed corpus under ``out``: ``<task>`` (every document)
    and ``<task>@kind`` (only documents of the task's target kinds)."""
    docs, queries = read_mixed(folder)
    folders = {}
    for task in MIXED_TASKS:
        kinds = target_kinds(docs, queries, task)
        folders[task] = _task_beir(out / task, docs, queries, task)
        folders[f"{task}@kind"] = _task_beir(out / f"{task}@kind", [d for d in docs if d["kind"] in kinds],
                                             queries, task)
    return folders


def _task_beir(target: Path, docs: list[dict], queries: list[dict], task: str) -> Path:
    """``docs`` and ``task``'s labelled queries as a BEIR folder at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    with (target / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"_id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
    labelled = [q for q in queries if task in q["relevant_by_task"]]
    with (target / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for q in labelled:
            fh.write(json.dumps({"_id": q["id"], "text": q["text"]}, ensure_ascii=False) + "\n")
    with (target / "qrels.tsv").open("w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for q in labelled:
            for doc_id, score in q["relevant_by_task"][task].items():
                fh.write(f"{q['id']}\t{doc_id}\t{score}\n")
    return target


def mixed_presets(task: str, tasks_file: Path | None) -> tuple[str, str]:
    """A mixed task's INSTRUCTOR-style (query, document) wordings: from ``tasks_file``, else the app's preset."""
    if tasks_file is not None:
        tasks = json.loads(tasks_file.read_text())
        return tasks["query_instruction"][task]["instructor"], tasks["document_instruction"]["instructor"]
    from components.models import get_model
    from components.tasks import get_task

    ins = get_task(task).instructions_for(get_model("minilm-instruct-offline"))
    return ins.query, ins.document


def run(engine: Engine, argv: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    status = evaluate.main(argv + ["--json"], engine=engine, stdout=out, stderr=err)
    if status != 0:
        raise SystemExit(f"evaluator failed on {argv}: {err.getvalue()}")
    return json.loads(out.getvalue())


def settings_for(name: str, presets: tuple[str, str] | None) -> list[tuple[str, str, list[str]]]:
    """(setting pair name, model, instruction flags) runs for one corpus or mixed task."""
    def flags(pair: tuple[str, str]) -> list[str]:
        return ["--query-instruction", pair[0], "--document-instruction", pair[1]]

    preset_flags = flags(presets) if presets else []  # a sample corpus uses its task's presets
    runs = [("base+presets", "minilm-offline", preset_flags),
            ("e5+prefixes", "e5-small-offline", flags(("query: ", "passage: ")) if presets else []),
            ("new+presets", "minilm-instruct-offline", preset_flags)]
    if "@" in name:  # a task's target kind alone: the three models as they are, with the presets
        return runs
    runs.append(("new+own-held-out", "minilm-instruct-offline", flags(OWN_HELD_OUT[name])))
    if name in TRAINING:
        runs.append(("new+training", "minilm-instruct-offline", flags(TRAINING[name])))
    return runs


COLUMNS = ("base", "base+presets", "e5", "e5+prefixes", "new", "new+presets", "new+own-held-out", "new+training")


def targets(summary: dict) -> dict:
    """The adapter's targets, each with its figures and ``ok``."""
    def nd(name: str, setting: str) -> float:
        return summary[name][setting]["ndcg@10"]

    out: dict = {}
    mixed = [t for t in MIXED_TASKS if t in summary and "new+presets" in summary[t]]
    if mixed:
        deltas = {t: nd(t, "new+presets") - nd(t, "new") for t in mixed}
        mean = sum(deltas.values()) / len(deltas)
        out["mixed_mean_gain_over_no_instruction"] = {"value": mean, "target": 0.15, "ok": mean >= 0.15,
                                                      "per_task": deltas}
        worst = min(deltas.values())
        out["mixed_no_task_below_no_instruction"] = {"value": worst, "target": -0.02, "ok": worst >= -0.02}
        held = {f"{t} {s}": nd(t, s) - nd(t, "new+training") for t in mixed for s in ("new+presets", "new+own-held-out")
                if "new+training" in summary[t]}
        out["held_out_within_0.03_of_training"] = {"per_task_and_wording": held,
                                                   "ok": all(v >= -0.03 for v in held.values())}
    alone = [t for t in mixed if f"{t}@kind" in summary]
    if alone:
        ceiling = {t: nd(f"{t}@kind", "new") - nd(t, "new") for t in alone}
        inside = {t: nd(f"{t}@kind", "new+presets") - nd(f"{t}@kind", "new") for t in alone}
        out["routing_ceiling"] = {
            "value": sum(ceiling.values()) / len(ceiling), "per_task": ceiling,
            "instruction_inside_the_kind": inside,
            "means": "the gain over no instruction of a perfect router between kinds that keeps the "
                     "model's own no-instruction order inside the target kind"}
    singles = [c for c in SAMPLES if c in summary and {"new+presets", "base"} <= set(summary[c])]
    if singles:
        gap = {c: nd(c, "new+presets") - nd(c, "base") for c in singles}
        out["single_kind_new_with_instructions_vs_base_without"] = {"per_corpus": gap,
                                                                   "ok": all(v >= 0 for v in gap.values())}
    return out


def summarize(folder: Path) -> dict:
    """nDCG@10 / MRR@10 per corpus and setting from every report in ``folder``, and the targets."""
    summary: dict = {}
    for name in (*SAMPLES, *MIXED_TASKS, *(f"{t}@kind" for t in MIXED_TASKS)):
        for setting in COLUMNS:
            path = folder / f"{name}.{setting}.json"
            if "+" not in setting or not path.is_file():
                continue
            report = json.loads(path.read_text())
            row = summary.setdefault(name, {})
            row[setting.split("+")[0]] = {m: report["baseline"][m] for m in ("ndcg@10", "mrr@10")}
            row[setting] = {m: report["instructed"][m] for m in ("ndcg@10", "mrr@10")}
    summary["targets"] = targets(summary)
    return summary


def table(summary: dict) -> str:
    """A Markdown table of nDCG@10 (MRR@10) per corpus and setting: the model card's (whole corpora;
    the ``@kind`` rows have their own table there)."""
    lines = ["| corpus / task | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, row in summary.items():
        if name == "targets" or "@" in name:
            continue
        cells = [f"{row[c]['ndcg@10']:.3f} ({row[c]['mrr@10']:.3f})" if c in row else "n/a" for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


README_COLUMNS = (("new", "no instruction"), ("new+presets", "with instruction"),
                  ("base+presets", "plain MiniLM, the same instruction"), ("base", "plain MiniLM, no instruction"),
                  ("e5+prefixes", "E5 with its prefixes"))


def readme_table(summary: dict) -> str:
    """The README's table: nDCG@10 of the new model without and with the task presets' wordings, the
    mixed tasks first, beside plain MiniLM and E5."""
    lines = ["| corpus / task | " + " | ".join(label for _, label in README_COLUMNS) + " |",
             "|---" * (len(README_COLUMNS) + 1) + "|"]
    for name in (*MIXED_TASKS, *SAMPLES):
        row = summary[name]
        lines.append(f"| `{name}` | " + " | ".join(f"{row[c]['ndcg@10']:.3f}" for c, _ in README_COLUMNS) + " |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mixed", type=Path, default=None)
    p.add_argument("--mixed-tasks", type=Path, default=None)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "instruct_model")
    p.add_argument("--only", nargs="*", default=None, help="corpus keys or mixed tasks to run")
    p.add_argument("--summarize-only", action="store_true", help="rebuild summary.json from the reports")
    p.add_argument("--models", nargs="*", default=None, help="model keys to run (default: all three)")
    args = p.parse_args()
    if args.summarize_only:
        summary = summarize(args.out)
        (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
        print(table(summary))
        return 0
    engine = Engine()
    corpora: list[tuple[str, str, tuple[str, str] | None]] = [(s, s, None) for s in SAMPLES]
    tmp = tempfile.TemporaryDirectory()
    if args.mixed:
        for task, folder in mixed_beir(args.mixed, Path(tmp.name)).items():
            corpora.append((task, str(folder), mixed_presets(task.split("@")[0], args.mixed_tasks)))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, corpus, presets in corpora:
        if args.only and name not in args.only:
            continue
        for setting, model, flags in settings_for(name, presets):
            if args.models and model not in args.models:
                continue
            argv = [corpus, "--model", model, *flags]
            print(f"{name}: {setting}", file=sys.stderr, flush=True)
            report = run(engine, argv)
            shown = ["<mixed corpus, task " + name + ">" if c == corpus and presets else c for c in argv]
            report["command"] = "python -m components.evaluate " + " ".join(
                f"'{a}'" if " " in a else a for a in shown) + " --json"
            (args.out / f"{name}.{setting}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    summary = summarize(args.out)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(table(summary))
    print(json.dumps(summary["targets"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
