"""Rank a corpus for a query and compare two rankings.

Scores are cosine similarities (rows are unit vectors, so a dot product),
computed in float64 as ``components.comparison`` does, so the Explorer and
the metrics rank alike. The one ranking order of the app is ``best_first``:
score descending, ties by document id ascending, so a ranking is a pure
function of its inputs (trec_eval would break ties by id descending;
``components.metrics`` feeds it strictly decreasing scores). ``top_rows``
lines up the instructed ranking with the baseline ranking of the same model
and says how far each document moved.

Example:
    >>> best_first(np.array([0.5, 0.9, 0.5]), ["b", "z", "a"]).tolist()
    [1, 2, 0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Ranking:
    """``order``: doc indices best first; ``scores``/``ranks`` are per doc index (ranks 1-based)."""

    order: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray


def best_first(scores: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Document indices by score descending, ties by id ascending, along the last axis.

    ``scores``: ``[n_docs]`` or ``[n_queries, n_docs]``; returns indices of the same shape.
    Columns are put in id order and sorted stably, so equal scores keep that order.
    """
    by_id = np.argsort(np.array(list(ids), dtype=object), kind="stable")
    return by_id[np.argsort(-np.asarray(scores)[..., by_id], axis=-1, kind="stable")]


def rank(query: np.ndarray, docs: np.ndarray, ids: list[str]) -> Ranking:
    """Rank ``docs`` (``[n, dim]``) by cosine to ``query`` (``[dim]``); ties by id."""
    if docs.shape[0] != len(ids):
        raise ValueError(f"{docs.shape[0]} vectors but {len(ids)} ids")
    scores = np.asarray(docs, dtype=np.float64) @ np.asarray(query, dtype=np.float64)
    order = best_first(scores, ids)
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(1, len(ids) + 1)
    return Ranking(order=order, scores=scores, ranks=ranks)


@dataclass(frozen=True)
class RankRow:
    doc_index: int
    doc_id: str
    rank: int
    score: float
    other_rank: int
    other_score: float
    relevance: int

    @property
    def movement(self) -> int:
        """Places gained against the other ranking (positive = moved up)."""
        return self.other_rank - self.rank


def movement_label(row: RankRow, k: int) -> str:
    """'▲3', '▼2', '=' or 'new in top-k' (entered the top k from below it)."""
    if row.rank <= k < row.other_rank:
        return f"new in top {k}"
    if row.movement > 0:
        return f"▲{row.movement}"
    if row.movement < 0:
        return f"▼{-row.movement}"
    return "="


def top_rows(ranking: Ranking, other: Ranking, ids: list[str], k: int,
             relevant: dict[str, int] | None = None) -> list[RankRow]:
    """The top ``k`` of ``ranking``, each with its place in ``other``."""
    relevant = relevant or {}
    rows = []
    for i in ranking.order[:k]:
        i = int(i)
        rows.append(RankRow(i, ids[i], int(ranking.ranks[i]), float(ranking.scores[i]),
                            int(other.ranks[i]), float(other.scores[i]), int(relevant.get(ids[i], 0))))
    return rows

