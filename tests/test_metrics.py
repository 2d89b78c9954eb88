"""Metrics against pytrec_eval, ranx, and a tiny hand-written reference."""

from __future__ import annotations

import math

import pytest
import pytrec_eval
from hypothesis import given, settings
from hypothesis import strategies as st

from components.metrics import Scores, evaluate_rankings, evaluate_run, mean_scores, metric_keys, order_run


def close(got: Scores, expected: Scores) -> bool:
    return (got.ndcg, got.mrr, got.recall) == pytest.approx((expected.ndcg, expected.mrr, expected.recall))


def reference(qrels: dict[str, int], ranked: list[str], k: int) -> Scores:
    """The textbook definitions, for checking only (trec_eval semantics)."""
    top = ranked[:k]
    dcg = sum(qrels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top) if qrels.get(d, 0) > 0)
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    mrr = next((1 / (i + 1) for i, d in enumerate(top) if qrels.get(d, 0) > 0), 0.0)
    n_rel = sum(1 for g in qrels.values() if g > 0)
    hits = sum(1 for d in top if qrels.get(d, 0) > 0)
    return Scores(dcg / idcg if idcg else 0.0, mrr, hits / n_rel if n_rel else 0.0)


QRELS = {
    "graded": {"a": 2, "b": 0, "c": 1},
    "binary": {"d": 1, "e": 1},
    "no-relevant": {"a": 0},  # judged, but nothing relevant: scores 0, counts in the mean
    "late": {"z": 1},  # its only relevant doc is ranked beyond k
}
RUN = {
    # d leads; a, b, c tie at 0.5 and keep id order a, b, c (trec_eval alone would give c, b, a)
    "graded": {"a": 0.5, "b": 0.5, "c": 0.5, "d": 0.9},
    "binary": {"d": 0.2, "e": 0.8, "f": 0.9},
    "no-relevant": {"a": 1.0, "b": 0.5},
    "late": {**{f"x{i}": 1.0 - i / 100 for i in range(3)}, "z": 0.01},
    "unjudged": {"a": 1.0},  # not in the qrels: not scored (MTEB drops such queries)
}


@pytest.mark.parametrize("qid, expected", [
    # top 3 is d, a, b (c, grade 1, is 4th): DCG = 2/log2(3); ideal = 2 + 1/log2(3)
    ("graded", Scores((2 / math.log2(3)) / (2 + 1 / math.log2(3)), 0.5, 0.5)),
    # ranking f, e, d: DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3)
    ("binary", Scores((1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3)), 0.5, 1.0)),
    ("no-relevant", Scores(0.0, 0.0, 0.0)),
    ("late", Scores(0.0, 0.0, 0.0)),
])
def test_hand_computed_cases(qid: str, expected: Scores) -> None:
    k = 3
    got = evaluate_run(QRELS, RUN, k=k)[qid]
    assert close(got, expected)
    assert close(got, reference(QRELS[qid], order_run(RUN[qid]), k))


def test_larger_k_reaches_further() -> None:
    scores = evaluate_run(QRELS, RUN, k=4)
    assert close(scores["late"], Scores(1 / math.log2(5), 0.25, 1.0))
    # d, a, b, c: DCG = 2/log2(3) + 1/log2(5)
    assert close(scores["graded"], Scores((2 / math.log2(3) + 1 / math.log2(5)) / (2 + 1 / math.log2(3)), 0.5, 1.0))


def test_trec_eval_alone_breaks_ties_the_other_way() -> None:
    """Why ``order_run`` exists: raw trec_eval puts c before a and b."""
    raw = pytrec_eval.RelevanceEvaluator({"q": QRELS["graded"]}, {"recip_rank"}).evaluate({"q": RUN["graded"]})
    assert raw["q"]["recip_rank"] == 0.5  # d, then c (relevant): c came before a
    assert evaluate_run(QRELS, RUN, k=10)["graded"].mrr == 0.5  # d, then a (relevant)
    assert order_run(RUN["graded"]) == ["d", "a", "b", "c"]


def test_unjudged_query_is_not_scored_and_zero_judged_counts_in_the_mean() -> None:
    scores = evaluate_run(QRELS, RUN, k=3)
    assert set(scores) == {"graded", "binary", "no-relevant", "late"}
    assert mean_scores(scores).ndcg == pytest.approx(sum(s.ndcg for s in scores.values()) / 4)


def test_ties_are_broken_by_ascending_id() -> None:
    assert order_run({"b": 0.5, "c": 0.5, "a": 0.5, "z": 0.7}) == ["z", "a", "b", "c"]
    assert order_run({"b": 0.5, "a": 0.5}, k=1) == ["a"]


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_equals_pytrec_eval_on_raw_scores_without_ties(k: int) -> None:
    qrels = {"q1": {"a": 2, "b": 1, "c": 0, "e": 3}, "q2": {"b": 1}, "q3": {"c": 1, "d": 2}}
    run = {"q1": {"a": 0.1, "b": 0.9, "c": 0.8, "d": 0.3, "e": 0.05},
           "q2": {"a": 0.7, "b": 0.6, "c": 0.5}, "q3": {"d": 0.1, "c": 0.2, "a": 0.3}}
    truncated = {q: {d: docs[d] for d in order_run(docs, k)} for q, docs in run.items()}
    raw = pytrec_eval.RelevanceEvaluator(qrels, {f"ndcg_cut.{k}", f"recall.{k}", "recip_rank"}).evaluate(truncated)
    ours = evaluate_run(qrels, run, k)
    for qid, m in raw.items():
        assert close(ours[qid], Scores(m[f"ndcg_cut_{k}"], m["recip_rank"], m[f"recall_{k}"]))


@pytest.mark.filterwarnings("ignore")  # numba's type-safety chatter
def test_equals_ranx() -> None:
    ranx = pytest.importorskip("ranx")
    qrels = {"q1": {"a": 2, "b": 1, "e": 3}, "q2": {"b": 1}, "q3": {"c": 1, "d": 2}}
    run = {"q1": {"a": 0.1, "b": 0.9, "c": 0.8, "d": 0.3, "e": 0.05},
           "q2": {"a": 0.7, "b": 0.6, "c": 0.5}, "q3": {"d": 0.1, "c": 0.2, "a": 0.3}}
    got = ranx.evaluate(ranx.Qrels(qrels), ranx.Run(run), ["ndcg@3", "mrr@3", "recall@3"], return_mean=False)
    ours = evaluate_run(qrels, run, 3)
    for i, qid in enumerate(sorted(qrels)):
        assert close(ours[qid], Scores(got["ndcg@3"][i], got["mrr@3"][i], got["recall@3"][i]))


def test_rankings_are_scored_in_the_given_order() -> None:
    qrels = {"q": {"b": 1}}
    assert evaluate_rankings(qrels, {"q": ["a", "b"]}, 10)["q"].mrr == 0.5
    assert evaluate_rankings(qrels, {"q": ["b", "a"]}, 10)["q"].mrr == 1.0
    with pytest.raises(ValueError, match="twice"):
        evaluate_rankings(qrels, {"q": ["b", "b"]}, 10)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_refused(k) -> None:
    with pytest.raises(ValueError, match="k must be"):
        evaluate_run({"q": {"a": 1}}, {"q": {"a": 1.0}}, k)


def test_scores_helpers() -> None:
    s = Scores(0.5, 0.25, 1.0)
    assert s.as_dict(5) == {"ndcg@5": 0.5, "mrr@5": 0.25, "recall@5": 1.0}
    assert s.minus(Scores(0.25, 0.25, 0.5)) == Scores(0.25, 0.0, 0.5)
    assert metric_keys(10) == ("ndcg@10", "mrr@10", "recall@10")
    assert mean_scores([]) == Scores(0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        s.get("map")


DOC_IDS = st.sampled_from([f"d{i}" for i in range(8)])


@st.composite
def cases(draw):
    qrels = draw(st.dictionaries(DOC_IDS, st.integers(0, 3), min_size=1))
    run = draw(st.dictionaries(DOC_IDS, st.sampled_from([0.1, 0.2, 0.5, 0.9]), min_size=1))
    return {"q": qrels}, {"q": run}, draw(st.integers(1, 10))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_metrics_lie_in_unit_interval_and_match_reference(case) -> None:
    qrels, run, k = case
    got = evaluate_run(qrels, run, k)["q"]
    for value in (got.ndcg, got.mrr, got.recall):
        assert 0.0 <= value <= 1.0 + 1e-12
    assert close(got, reference(qrels["q"], order_run(run["q"]), k))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(DOC_IDS, st.integers(1, 3), min_size=1), st.integers(1, 10))
def test_perfect_ranking_scores_one(relevant: dict[str, int], k: int) -> None:
    ranked = sorted(relevant, key=lambda d: -relevant[d])
    run = {d: float(len(ranked) - i) for i, d in enumerate(ranked)}
    got = evaluate_run({"q": relevant}, {"q": run}, k)["q"]
    assert got.ndcg == pytest.approx(1.0) and got.mrr == 1.0
    assert got.recall == pytest.approx(min(k, len(relevant)) / len(relevant))


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(case, rnd) -> None:
    qrels, run, k = case
    items = list(run["q"].items())
    rnd.shuffle(items)
    judged = list(qrels["q"].items())
    rnd.shuffle(judged)
    assert evaluate_run({"q": dict(judged)}, {"q": dict(items)}, k) == evaluate_run(qrels, run, k)
