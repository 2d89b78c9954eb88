"""Tests for components.fidelity on fake engines: the guard's arithmetic and corpus slices (fast).

The real models against the guard are in test_precision_fidelity.py.
"""

import dataclasses

import numpy as np
import pytest

from components.corpora import load_sample
from components.engine import Engine
from components.fidelity import GUARD, Fidelity, compare_precisions, slice_corpus
from components.setting import Setting, default_setting
from fake_encoder import HashEncoder


class Tilted(HashEncoder):
    """The fake encoder's vectors pushed along one axis: another model, as far as the guard can tell."""

    def encode(self, texts, prompt, include_prompt, progress=None):
        v = super().encode(texts, prompt, include_prompt, progress)
        v[:, 0] += 0.5
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _engine(encoder: type[HashEncoder] = HashEncoder) -> Engine:
    return Engine(factory=lambda preset, progress=None: encoder(preset.key))


def test_the_same_vectors_pass_with_nothing_changed(pets):
    found = compare_precisions(_engine(), _engine(), pets, Setting("minilm-offline", "q: ", "d: "))
    assert found.passes() and found.min_doc_cosine == pytest.approx(1.0) and found.top10_overlap == 1.0
    assert found.max_metric_delta == 0.0 and set(found.metric_deltas) >= {"baseline ndcg@10", "instructed ndcg@10"}
    assert (found.n_docs, found.n_queries, found.n_labelled) == (5, 2, 2)


def test_other_vectors_fail_the_guard(pets):
    found = compare_precisions(_engine(), _engine(Tilted), pets, Setting("minilm-offline", "q: ", "d: "))
    assert not found.passes() and found.min_doc_cosine < GUARD["min_doc_cosine"]


@pytest.mark.parametrize("change, passes", [
    ({}, True), ({"min_doc_cosine": 0.999}, False), ({"top10_overlap": 0.98}, False),
    ({"max_metric_delta": 0.006}, False),
])
def test_each_bound_of_the_guard_counts(change, passes):
    ok = Fidelity("m", "c", 10, 5, 5, min_doc_cosine=1.0, mean_doc_cosine=1.0, top10_overlap=1.0,
                  max_metric_delta=0.0)
    found = dataclasses.replace(ok, **change)
    assert found.passes() is passes and found.as_dict()["passes"] is passes


def test_a_wider_metric_tolerance_replaces_only_the_metric_bound():
    f = Fidelity("m", "c", 10, 5, 5, 1.0, 1.0, 1.0, max_metric_delta=0.1)
    assert not f.passes() and f.passes(0.1) and not dataclasses.replace(f, top10_overlap=0.5).passes(0.1)


@pytest.mark.parametrize("n_docs, n_queries", [(16, 5), (8, None), (30, 1)])
def test_a_slice_keeps_its_queries_documents_and_the_corpus_order(n_docs, n_queries):
    corpus = load_sample("debian_faq")
    part = slice_corpus(corpus, n_docs, n_queries)
    ids = [d.id for d in part.documents]
    assert len(ids) == n_docs and ids == [d.id for d in corpus.documents if d.id in set(ids)]
    assert part.labeled_queries and (n_queries is None or len(part.labeled_queries) <= n_queries)
    assert all(set(q.relevant) <= set(ids) for q in part.labeled_queries)


def test_a_slice_of_a_corpus_with_labels_per_task_cuts_every_tasks_labels():
    part = slice_corpus(load_sample("mixed_kinds"), 20, 4)
    ids = {d.id for d in part.documents}
    assert all(set(labels) <= ids for q in part.queries for labels in q.by_task.values())
    found = compare_precisions(_engine(), _engine(), part, default_setting(part.task, "minilm-offline"))
    assert found.passes() and found.n_docs == 20
