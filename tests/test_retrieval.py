"""Ranking: cosine order, ties by id, movement labels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.retrieval import RankRow, movement_label, rank, top_rows


def test_rank_orders_by_score_then_id():
    docs = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    r = rank(np.array([1, 0], dtype=np.float32), docs, ["z", "b", "a", "c"])
    assert [["z", "b", "a", "c"][i] for i in r.order] == ["a", "z", "c", "b"]
    assert list(r.ranks) == [2, 4, 1, 3]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(0, 10_000))
def test_ranking_is_a_permutation_with_sorted_scores(n, seed):
    rng = np.random.default_rng(seed)
    docs = rng.standard_normal((n, 8)).astype(np.float32)
    docs = np.round(docs, 1)  # force some ties
    ids = [f"d{i}" for i in rng.permutation(n)]
    r = rank(rng.standard_normal(8).astype(np.float32), docs, ids)
    assert sorted(r.order.tolist()) == list(range(n))
    ordered = r.scores[r.order]
    assert np.all(np.diff(ordered) <= 1e-12)
    for a, b in zip(r.order[:-1], r.order[1:]):
        if r.scores[a] == r.scores[b]:
            assert ids[a] < ids[b]
    assert sorted(r.ranks.tolist()) == list(range(1, n + 1))


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError):
        rank(np.zeros(2), np.zeros((3, 2)), ["a"])


@pytest.mark.parametrize("rank_,other,k,label", [
    (1, 1, 10, "="), (2, 5, 10, "▲3"), (6, 4, 10, "▼2"), (3, 14, 10, "new in top 10"), (12, 15, 10, "▲3"),
])
def test_movement_labels(rank_, other, k, label):
    assert movement_label(RankRow(0, "d", rank_, 0.5, other, 0.4, 0), k) == label


def test_top_rows():
    docs = np.eye(3, dtype=np.float32)
    a = rank(np.array([1, 0.5, 0], dtype=np.float32), docs, ["x", "y", "z"])
    b = rank(np.array([0, 0.5, 1], dtype=np.float32), docs, ["x", "y", "z"])
    rows = top_rows(a, b, ["x", "y", "z"], 2, {"y": 2})
    assert [(r.doc_id, r.rank, r.other_rank, r.relevance) for r in rows] == [("x", 1, 3, 0), ("y", 2, 2, 2)]
