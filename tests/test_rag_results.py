"""Tests for components.rag_results: the records TaskAwareRAG returns, built from an engine's ranking."""

import numpy as np
import pytest

from components.corpora import Corpus, Document
from components.engine import Exploration
from components.rag_results import Move, compared, hits
from components.retrieval import Ranking
from components.setting import Setting


def _ranking(scores: list[float]) -> Ranking:
    scores_ = np.array(scores)
    order = np.argsort(-scores_, kind="stable")
    ranks = np.empty(len(scores), int)
    ranks[order] = np.arange(1, len(scores) + 1)
    return Ranking(order, scores_, ranks)


@pytest.fixture
def abc() -> Corpus:
    return Corpus("abc", "ABC", tuple(Document(i, f"text {i}", title=f"title {i}") for i in "abcd"), ())


@pytest.fixture
def explored(abc) -> Exploration:
    with_, without = _ranking([0.1, 0.9, 0.5, 0.3]), _ranking([0.8, 0.2, 0.6, 0.4])  # b c d a / a c d b
    zero = np.zeros((4, 2))
    return Exploration(abc, Setting("minilm-offline", "q: ", "d: "), "the query", with_, without, zero, zero,
                       zero[0], zero[0])


def test_hits_are_the_top_k_best_first_with_their_documents(abc):
    got = hits(_ranking([0.1, 0.9, 0.5, 0.3]), abc, 2)
    assert [(h.rank, h.index, h.id, h.title) for h in got] == [(1, 1, "b", "title b"), (2, 2, "c", "title c")]
    assert got[0].score == pytest.approx(0.9) and got[0].text == "text b"


def test_compared_lines_up_each_side_with_the_others_ranks(explored):
    c = compared(explored, 2)
    assert [(m.id, m.rank_with, m.rank_without) for m in c.with_instructions] == [("b", 1, 4), ("c", 2, 2)]
    assert [(m.id, m.rank_without, m.rank_with) for m in c.without_instructions] == [("a", 1, 4), ("c", 2, 2)]
    assert c.changed == 1 and c.query == "the query" and c.k == 2


@pytest.mark.parametrize("rank_with, rank_without, k, move, label", [
    (1, 4, 2, 3, "new in top 2"), (1, 4, 5, 3, "▲3"), (3, 1, 5, -2, "▼2"), (2, 2, 5, 0, "="),
])
def test_a_move_counts_places_gained_and_labels_them_as_the_page_does(rank_with, rank_without, k, move, label):
    m = Move(0, "a", "text", rank_with, rank_without, 0.5, 0.4)
    assert m.move == move and m.label(k) == label


def test_the_printout_names_the_setting_and_both_sides(explored):
    lines = str(compared(explored, 2)).splitlines()
    assert lines[:3] == ["model                minilm-offline", "query instruction    'q: '",
                         "document instruction 'd: '"]
    assert lines[3] == "with instructions (1 of the top 2 changed):" and "without instructions:" in lines
    assert lines[4].split()[:2] == ["1", "new"]
