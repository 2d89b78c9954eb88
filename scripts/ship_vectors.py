"""Write the vectors of the default page into ``sample_corpora/vectors`` (shipped with the app).

    python scripts/ship_vectors.py

A first visit on a machine that has never run the app otherwise waits for the
default model to embed the default corpus with and without its document
instruction. This script runs exactly that work, for every task on the
default task's corpus (they share the corpus's vectors and differ in the
query instruction), with the default model, each task's default
instructions and its first example query as the page shows it, through an
``Engine`` whose vector store is an empty folder; the blocks it writes
replace the shipped ones, with ``manifest.json`` saying what they are. ``components.store`` reads them when its own folder has
no block under a key: the keys hold the model's fingerprint, the precision,
the instruction and every text, so a changed model, corpus or instruction
finds nothing there and is computed as before.

Run it again after retraining the adapter or changing the default corpus or
instructions (``tests/test_shipped_vectors.py`` fails until then). Where the
default model computes the corpus in bfloat16 on machines that run it fast
(``ModelPreset.bf16``), the blocks are written in both precisions, so each
machine finds the ones it computes in; the bfloat16 blocks need a CPU with
native bfloat16 instructions, and on a CPU whose bfloat16 kernels round
differently they differ from its own vectors by that rounding alone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.adapters import adapter_checksum  # noqa: E402
from components.app.values import page_corpus  # noqa: E402
from components.corpora import load_sample  # noqa: E402
from components.engine import Engine  # noqa: E402
from components.models import DEFAULT_MODEL, get_model  # noqa: E402
from components.precision import BF16, FP32, cpu_flags, native_bf16  # noqa: E402
from components.setting import default_setting  # noqa: E402
from components.store import SHIPPED, SUFFIX, VectorStore  # noqa: E402
from components.tasks import DEFAULT_TASK, TASKS, get_task  # noqa: E402


def default_tasks() -> list[str]:
    """Every task on the default task's corpus, the default task first."""
    corpus = get_task(DEFAULT_TASK).corpus
    return [DEFAULT_TASK] + [t.key for t in TASKS if t.corpus == corpus and t.key != DEFAULT_TASK]


def precisions() -> list[str]:
    """The precisions the default model may compute the default corpus in: float32, and bfloat16
    where the model passed the fidelity guard there (``ModelPreset.bf16``)."""
    guarded = get_task(DEFAULT_TASK).corpus in get_model(DEFAULT_MODEL).bf16
    return [FP32, BF16] if guarded else [FP32]


def build(folder: Path) -> dict:
    """Rank the default corpus for every default task, in each precision, into a store at ``folder``."""
    corpus = load_sample(get_task(DEFAULT_TASK).corpus)
    wanted = precisions()
    if BF16 in wanted and not native_bf16(cpu_flags()):
        raise SystemExit(f"{DEFAULT_MODEL} computes {corpus.key} in bfloat16 where it can; this CPU has "
                         "no native bfloat16 instructions to write those vectors with")
    start = time.perf_counter()
    shown = {task: page_corpus(corpus.key, None, task) for task in default_tasks()}  # as the page shows it
    queries = {task: c.example_queries()[0] for task, c in shown.items()}
    fingerprint = None
    for precision in wanted:
        engine = Engine(store=VectorStore(folder), precision=precision)
        for task, c in shown.items():
            engine.explore(c, default_setting(task, DEFAULT_MODEL), queries[task])
        fingerprint = engine.encoder(DEFAULT_MODEL).fingerprint  # loaded by the rankings above
    return {"model": DEFAULT_MODEL, "fingerprint": fingerprint, "adapter_checksum": adapter_checksum(),
            "precisions": wanted, "corpus": corpus.key, "documents": len(corpus.texts),
            "tasks": default_tasks(), "queries": queries, "seconds": round(time.perf_counter() - start, 1)}


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        facts = build(Path(tmp))
        blocks = sorted(Path(tmp).glob("*" + SUFFIX))
        SHIPPED.mkdir(parents=True, exist_ok=True)
        for old in SHIPPED.glob("*" + SUFFIX):
            old.unlink()
        for block in blocks:
            shutil.copyfile(block, SHIPPED / block.name)
        facts["blocks"] = {b.name: b.stat().st_size for b in blocks}
    facts["command"] = "python scripts/ship_vectors.py"
    (SHIPPED / "manifest.json").write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    print(f"{len(blocks)} blocks, {sum(facts['blocks'].values()) / 1e6:.1f} MB in {SHIPPED} ({facts['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
