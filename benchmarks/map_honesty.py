"""Does the map draw a move as long as it is? Two placements compared, one JSON report.

Run from the repository root::

    python benchmarks/map_honesty.py            # -> benchmarks/results/map_honesty.json
    python benchmarks/map_honesty.py --quick    # MiniLM on the Perl FAQ questions only

For each (model, corpus) pair below, with its task's default instructions, the
corpus is embedded with and without the document instruction, and up to 50 of
its queries with and without the query instruction (the real packaged
models). One frame is fitted on the vectors without instruction, then the
instructed vectors are placed in two ways:

* ``transform``: ``UMAP.transform`` of the instructed vectors, a document drawn
  from its fitted position to there, the query from the transform of its
  vector without instruction to the transform of its vector with it (how the
  map was drawn before ``components.placement``);
* ``neighbours``: the app's ``Frame.moved`` and ``Frame.place`` (the weighted
  mean position of the nearest baseline documents; a document's move is the
  change of that placement, drawn from its fitted position).

Cases: ``instructions`` (the task's defaults) and ``shuffled`` (each document
gets another document's vector without instruction: every neighbourhood
changes, so the lines must be long). Per case and placement: the drawn move of
each document over the frame's extent (the diagonal of the fitted points'
bounding box; median and p90), the Spearman correlation of that move with the
document's neighbourhood change (the share of its 15 nearest baseline
documents that differ after the change), the median query move over the
extent, and the time to place every document and one query pair (medians of
a few repeats; the ``machine`` block records the load average, since on a
shared machine absolute times drift: compare the two placements of one run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PAIRS = (("e5-small-offline", "python_faq_qa"), ("minilm-offline", "python_faq_qa"), ("minilm-offline", "lee_news"))
QUICK = (("minilm-offline", "perlfaq_questions"),)
MAX_QUERIES = 50
NEIGHBOURS = 15


def neighbourhood_change(base: np.ndarray, before: np.ndarray, after: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Per row, the share of its ``k`` nearest rows of ``base`` that differ between ``before`` and ``after``."""
    near_before = np.argsort(-(before @ base.T), axis=1)[:, :k]
    near_after = np.argsort(-(after @ base.T), axis=1)[:, :k]
    return np.array([1 - len(set(a) & set(b)) / k for a, b in zip(near_before, near_after)])


def _timed(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rank correlation; None when either side is constant (it is then undefined)."""
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(spearmanr(a, b).statistic)


def _drawn(start: np.ndarray, end: np.ndarray, extent: float) -> np.ndarray:
    return np.linalg.norm(end - start, axis=1) / extent


def score_case(frame, reducer, base: np.ndarray, after: np.ndarray, base_q: np.ndarray, q: np.ndarray) -> dict:
    """Drawn moves of documents (``base`` -> ``after``) and queries, both placements."""
    extent = float(np.linalg.norm(frame.base_xy.max(axis=0) - frame.base_xy.min(axis=0)))
    change = neighbourhood_change(base, base, after)
    pair = np.stack([base_q[0], q[0]])
    ends = {
        "transform": (np.asarray(reducer.transform(after)), lambda v: np.asarray(reducer.transform(v)),
                      lambda: reducer.transform(after), lambda: reducer.transform(pair)),
        "neighbours": (frame.moved(after), frame.place, lambda: frame.moved(after), lambda: frame.place(pair)),
    }
    out: dict = {"median_cosine": float(np.median(np.sum(base * after, axis=1))),
                 "median_neighbourhood_change": float(np.median(change))}
    for name, (end, place, place_docs, place_pair) in ends.items():
        moves = _drawn(frame.base_xy, end, extent)
        q_moves = _drawn(place(base_q), place(q), extent)
        out[name] = {
            "doc_move_median": float(np.median(moves)), "doc_move_p90": float(np.quantile(moves, 0.9)),
            "spearman_move_vs_neighbourhood_change": _correlation(moves, change),
            "query_move_median": float(np.median(q_moves)),
            "place_docs_s": _timed(place_docs, 3), "place_query_pair_s": _timed(place_pair, 5),
        }
    return out


def measure_pair(engine, model_key: str, corpus_key: str) -> dict:
    """Embed one corpus and its queries, fit the frame, score both cases."""
    from components.corpora import load_sample
    from components.projection import fit_frame, make_reducer
    from components.setting import default_setting

    corpus = load_sample(corpus_key)
    setting = default_setting(corpus.task, model_key)
    base = engine.doc_vectors(corpus, setting, instructed=False)
    docs = engine.doc_vectors(corpus, setting, instructed=True)
    texts = ([q.text for q in corpus.queries] or corpus.example_queries())[:MAX_QUERIES]
    base_q = engine.query_vectors(texts, setting, instructed=False, corpus=corpus)
    q = engine.query_vectors(texts, setting, instructed=True, corpus=corpus)
    frame = fit_frame(base)
    reducer = make_reducer(len(base))
    fitted = reducer.fit_transform(base)
    if not np.allclose(fitted, frame.base_xy):
        raise RuntimeError("the reducer's fit differs from the app's frame")
    shuffled = base[np.random.default_rng(0).permutation(len(base))]
    return {"model": model_key, "corpus": corpus_key, "documents": len(base), "queries": len(texts),
            "query_prompt": setting.prompt("query"), "document_prompt": setting.prompt("document"),
            "median_query_cosine": float(np.median(np.sum(base_q * q, axis=1))),
            "instructions": score_case(frame, reducer, base, docs, base_q, q),
            "shuffled": score_case(frame, reducer, base, shuffled, base_q, q)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "map_honesty.json"))
    ap.add_argument("--quick", action="store_true", help="MiniLM on one small corpus: a smoke run")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "instruction-lens" / "numba"))
    from components.engine import Engine

    engine = Engine()
    load_start = list(os.getloadavg())
    results = []
    for model_key, corpus_key in QUICK if args.quick else PAIRS:
        print(f"{model_key} on {corpus_key}…", file=sys.stderr, flush=True)
        results.append(measure_pair(engine, model_key, corpus_key))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpu_count": os.cpu_count(), "load_avg_start": load_start, "load_avg_end": list(os.getloadavg())}
    out.write_text(json.dumps({"script": "benchmarks/map_honesty.py", "machine": machine, "results": results},
                              indent=1) + "\n", encoding="utf-8")
    for r in results:
        for case in ("instructions", "shuffled"):
            c = r[case]
            print(f"{r['model']:>17} {r['corpus']:<18} {case:<12} cos {c['median_cosine']:.3f}  "
                  f"move/extent transform {c['transform']['doc_move_median']:.3f}, "
                  f"neighbours {c['neighbours']['doc_move_median']:.3f}")
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
