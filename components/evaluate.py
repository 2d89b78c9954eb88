"""Command line: measure an instruction on a labelled corpus, baseline vs instructed.

    python -m components.evaluate FOLDER_OR_SAMPLE_KEY --model minilm-offline \\
        --query-instruction "query: " --document-instruction "passage: " [--no-include-prompt] \\
        [--task TASK] [--k 10] [--json] [--limit-queries N]

FOLDER is a BEIR folder (``corpus.jsonl``, ``queries.jsonl``, ``qrels.tsv``);
otherwise the argument is a sample corpus key (``sample_corpora/manifest.json``).
Instructions left out default to the sample's task defaults for the model's
instruction family (``components.tasks``), or to none. ``--task`` picks the
task: its labels, on a corpus labelled per task (``mixed_kinds``), and its
default instructions. The pooling switch
defaults to the model's own (``--include-prompt`` / ``--no-include-prompt``).

Prints a table, or with ``--json`` exactly one JSON object on stdout; progress
lines go to stderr. A usage problem (unknown model, bad folder, a model that
cannot be loaded) prints one line to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import TextIO

from components.corpora import Corpus, load_beir, load_sample, sample_keys
from components.engine import Engine, Setting
from components.errors import CorpusError, LensError
from components.comparison import Comparison, compare_settings
from components.metrics import LABELS, METRICS
from components.models import get_model
from components.tasks import get_task
from components.wording import counted, shorten


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m components.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("corpus", help="a BEIR folder or a sample corpus key")
    p.add_argument("--model", default="minilm-offline", help="model key (default: minilm-offline)")
    p.add_argument("--query-instruction", default=None, help="instruction for queries")
    p.add_argument("--document-instruction", default=None, help="instruction for documents")
    p.add_argument("--include-prompt", action=argparse.BooleanOptionalAction, default=None,
                   help="pool the instruction tokens (default: the model's setting)")
    p.add_argument("--task", default=None,
                   help="task key: its labels (a corpus labelled per task) and default instructions "
                        "(default: the corpus's own task)")
    p.add_argument("--k", type=int, default=10, help="cut-off for nDCG, MRR and Recall (default 10)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--limit-queries", type=int, default=None, metavar="N", help="use the first N labelled queries")
    return p


def load_corpus(arg: str) -> Corpus:
    """A BEIR folder when ``arg`` is a directory, else a sample corpus by key."""
    if Path(arg).is_dir():
        return load_beir(Path(arg))
    if arg in sample_keys():
        return load_sample(arg)
    raise CorpusError(f"{arg!r} is neither a BEIR folder nor a sample corpus; samples: {', '.join(sample_keys())}")


def build_setting(corpus: Corpus, args: argparse.Namespace) -> Setting:
    preset = get_model(args.model)
    task = getattr(args, "task", None) or corpus.task
    defaults = get_task(task).instructions_for(preset) if task else None
    query = args.query_instruction if args.query_instruction is not None else (defaults.query if defaults else "")
    doc = args.document_instruction if args.document_instruction is not None else (
        defaults.document if defaults else "")
    include = preset.include_prompt if args.include_prompt is None else args.include_prompt
    return Setting(preset.key, query, doc, include)


def to_json(comparison: Comparison, task: str = "") -> dict:
    """The ``--json`` report: means, per-query scores, the setting and the task."""
    k, setting = comparison.k, comparison.settings[0]
    return {
        "baseline": comparison.baseline.as_dict(k),
        "instructed": comparison.instructed.as_dict(k),
        "per_query": [{"query_id": r.query_id, "text": r.text, "baseline": r.baseline.as_dict(k),
                       "instructed": r.instructed.as_dict(k), f"delta_ndcg@{k}": r.delta()}
                      for r in comparison.rows],
        "model": setting.model_key,
        "corpus": comparison.corpus_key,
        "task": task,
        "n_queries": comparison.n_queries,
        "n_documents": comparison.n_documents,
        "query_instruction": setting.query_instruction,
        "document_instruction": setting.document_instruction,
        "include_prompt": setting.include_prompt,
        "k": k,
    }


def to_table(comparison: Comparison, task: str = "") -> str:
    """A readable report: means with deltas, then the most helped and hurt queries."""
    k, s = comparison.k, comparison.settings[0]
    skipped = f", {comparison.skipped_queries} without labels left out" if comparison.skipped_queries else ""
    lines = [
        f"corpus: {comparison.corpus_key} ({counted(comparison.n_documents, 'document')}, "
        f"{counted(comparison.n_queries, 'labelled query', 'labelled queries')}{skipped})"
        + (f", task {task}" if task else ""),
        f"model: {s.model_key}   k={k}   instruction tokens pooled: {'yes' if s.include_prompt else 'no'}",
        f"query instruction:    {s.query_instruction!r}",
        f"document instruction: {s.document_instruction!r}",
        *(["(no instruction given: instructed equals the baseline)"]
          if not (s.prompt("query") or s.prompt("document")) else []),
        "",
        f"{'metric':<12}{'baseline':>10}{'instructed':>12}{'delta':>10}",
    ]
    for m in METRICS:
        b, i = comparison.baseline.get(m), comparison.instructed.get(m)
        lines.append(f"{LABELS[m] + '@' + str(k):<12}{b:>10.4f}{i:>12.4f}{i - b:>+10.4f}")
    for title, rows in (("helped", comparison.helped(5)), ("hurt", comparison.hurt(5))):
        lines += ["", f"Most {title} queries (nDCG@{k} change):"]
        lines += [f"  {r.delta():+.3f}  {r.query_id}: {shorten(r.text, 70)}" for r in rows] or ["  (none)"]
    return "\n".join(lines)


class LineProgress:
    """Progress as lines on a stream: a line per stage and per 25% within it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, fraction: float, message: str) -> None:
        stage = message.split(":")[0]
        step = int(fraction * 4)
        if (stage, step) != self.last:
            self.last = (stage, step)
            print(f"[{fraction:4.0%}] {message}", file=self.stream, flush=True)


def main(argv: list[str] | None = None, engine: Engine | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the evaluator; returns the exit status. Tests pass a fake-encoder ``engine``."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    try:
        if args.k < 1:
            raise LensError(f"--k must be at least 1, not {args.k}")
        if args.task is not None:
            get_task(args.task)  # an unknown key fails here, naming the known ones
        corpus = load_corpus(args.corpus).with_task(args.task)
        setting = build_setting(corpus, args)
        if args.limit_queries is not None:
            if args.limit_queries < 1:
                raise LensError(f"--limit-queries must be at least 1, not {args.limit_queries}")
            corpus = dataclasses.replace(corpus, queries=tuple(corpus.labeled_queries[: args.limit_queries]))
        comparison = compare_settings(engine or Engine(), corpus, [setting], args.k, LineProgress(err))
    except (LensError, ValueError) as exc:  # named errors and unknown keys: one line, no traceback
        print(f"error: {exc}", file=err)
        return 2
    task = args.task or corpus.task
    print(json.dumps(to_json(comparison, task), ensure_ascii=False) if args.json else to_table(comparison, task),
          file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
