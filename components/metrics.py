"""Retrieval metrics per query, computed the way MTEB and BEIR compute them.

nDCG@k, MRR@k and Recall@k come from trec_eval, through ``pytrec_eval``
(the library MTEB's ``RetrievalEvaluator`` and BEIR call): nDCG uses the qrel
grade as a linear gain, a log2 discount and an ideal ranking built from every
judged document; a document is relevant when its grade is at least 1. MRR@k
is trec_eval's ``recip_rank`` on the top k, which is MTEB's ``MRR@k``.

Ties. trec_eval sorts a run by score and breaks equal scores by document id
in *descending* order (checked against pytrec_eval: of three docs tied at one
score, "c" comes before "a"). The app shows rankings with ties broken by
*ascending* id (``components.retrieval.best_first``), so the numbers here must be
the numbers of those rankings: ``order_run`` sorts by score, then id
ascending, and ``evaluate_rankings`` hands trec_eval strictly decreasing
rank-derived scores, so trec_eval never breaks a tie itself. Without ties
this equals pytrec_eval on the raw scores.

Queries without relevant documents follow MTEB: its data loader drops
queries that have no qrels at all, and pytrec_eval only scores queries that
are in the qrels, so such queries are not scored here either (and are not in
the mean). A query whose judgements are all grade 0 is in the qrels: it
scores 0 on every metric and counts in the mean, as in MTEB.

This module computes metrics only; embedding and ranking a corpus lives in
``components.comparison``.

Example:
    >>> scores = evaluate_run({"q1": {"d2": 1}}, {"q1": {"d1": 0.9, "d2": 0.5}}, k=10)
    >>> scores["q1"].mrr
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pytrec_eval

from components.retrieval import best_first

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Mapping[str, float]]

METRICS = ("ndcg", "mrr", "recall")
LABELS = {"ndcg": "nDCG", "mrr": "MRR", "recall": "Recall"}


@dataclass(frozen=True)
class Scores:
    """nDCG@k, MRR@k and Recall@k of one query (or their means), each in [0, 1]."""

    ndcg: float
    mrr: float
    recall: float

    def get(self, metric: str) -> float:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
        return float(getattr(self, metric))

    def as_dict(self, k: int) -> dict[str, float]:
        """``{"ndcg@10": ..., "mrr@10": ..., "recall@10": ...}`` for ``k=10``."""
        return {f"{m}@{k}": self.get(m) for m in METRICS}

    def minus(self, other: Scores) -> Scores:
        """The change from ``other`` to ``self``, metric by metric."""
        return Scores(*(self.get(m) - other.get(m) for m in METRICS))


def metric_keys(k: int) -> tuple[str, ...]:
    """The metric names at ``k``: ``("ndcg@10", "mrr@10", "recall@10")``."""
    return tuple(f"{m}@{k}" for m in METRICS)


def _check_k(k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")


def order_run(scores: Mapping[str, float], k: int | None = None) -> list[str]:
    """Document ids best first (``components.retrieval.best_first``: score descending, ties by id ascending); top ``k``."""
    ids = list(scores)
    order = best_first(np.array([float(scores[d]) for d in ids], dtype=np.float64), ids)
    return [ids[i] for i in order[:k]]


def evaluate_rankings(qrels: Qrels, rankings: Mapping[str, Sequence[str]], k: int = 10) -> dict[str, Scores]:
    """Score ranked lists of document ids (best first) against graded ``qrels``.

    Only the first ``k`` ids of each ranking count. Queries missing from
    ``qrels`` are not scored (see the module docstring); a ranking may not
    name a document twice.

    Returns:
        query id -> ``Scores``, for the queries in both ``qrels`` and ``rankings``.
    """
    _check_k(k)
    judged = {str(q): {str(d): int(g) for d, g in docs.items()} for q, docs in qrels.items()}
    run: dict[str, dict[str, float]] = {}
    for qid, ranked in rankings.items():
        qid = str(qid)
        if qid not in judged:
            continue
        top = [str(d) for d in ranked[:k]]
        if len(set(top)) != len(top):
            raise ValueError(f"ranking of query {qid!r} names a document twice")
        # strictly decreasing scores: trec_eval keeps exactly this order
        run[qid] = {doc_id: float(len(top) - i) for i, doc_id in enumerate(top)}
    if not run:
        return {}
    measures = {f"ndcg_cut.{k}", f"recall.{k}", "recip_rank"}
    evaluator = pytrec_eval.RelevanceEvaluator({q: judged[q] for q in run}, measures)
    raw = evaluator.evaluate(run)
    out: dict[str, Scores] = {}
    for qid in run:
        m = raw.get(qid, {})  # pytrec_eval leaves out a query with an empty ranking
        out[qid] = Scores(float(m.get(f"ndcg_cut_{k}", 0.0)), float(m.get("recip_rank", 0.0)),
                          float(m.get(f"recall_{k}", 0.0)))
    return out


def evaluate_run(qrels: Qrels, run: Run, k: int = 10) -> dict[str, Scores]:
    """Score a run (``query id -> {doc id: score}``) against ``qrels`` at ``k``.

    The run is ordered with ``order_run`` (ties by id ascending) first; the
    result does not depend on the order of either mapping.
    """
    _check_k(k)
    return evaluate_rankings(qrels, {q: order_run(docs, k) for q, docs in run.items()}, k)


def mean_scores(per_query: Mapping[str, Scores] | Sequence[Scores]) -> Scores:
    """The mean of each metric over queries (all 0.0 when there are none)."""
    values = list(per_query.values()) if isinstance(per_query, Mapping) else list(per_query)
    if not values:
        return Scores(0.0, 0.0, 0.0)
    n = len(values)
    return Scores(*(sum(s.get(m) for s in values) / n for m in METRICS))
