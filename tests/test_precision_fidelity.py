"""The fidelity guard on the real offline models: bfloat16 agrees with float32.

Every model flagged ``bf16`` in the registry must pass ``components.fidelity``'s
guard (document cosine >= 0.9999, top-10 overlap >= 0.99, every evaluator
metric within 0.005) on a slice of every sample corpus, with the task's
default instructions. The benchmark (``benchmarks/precision.py``) runs the
same guard on the whole corpora.
"""

from __future__ import annotations

import pytest

from components.corpora import load_sample
from components.models import MODELS
from components.engine import Engine
from components.fidelity import GUARD, compare_precisions, slice_corpus
from components.precision import BF16, FP32
from components.setting import default_setting

GUARDED = [(m.key, c) for m in MODELS for c in m.bf16]
SLICE, QUERIES = 16, 10  # documents and labelled queries per corpus: seconds, not minutes, on two cores


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    return {p: Engine(precision=p) for p in (FP32, BF16)}


@pytest.mark.parametrize("model_key, corpus_key", GUARDED)
def test_bf16_passes_the_guard(engines, model_key, corpus_key):
    corpus = slice_corpus(load_sample(corpus_key), SLICE, QUERIES)
    setting = default_setting(corpus.task, model_key)
    found = compare_precisions(engines[FP32], engines[BF16], corpus, setting)
    assert engines[BF16].precision(model_key, corpus) == BF16 and engines[FP32].precision(model_key) == FP32
    assert found.n_docs == SLICE and found.n_queries > 0
    one_query = 1 / found.n_labelled if found.n_labelled else 0.0
    assert found.passes(max(GUARD["max_metric_delta"], one_query)), found.as_dict()


def test_the_guard_can_fail():
    """A candidate that is not the same model fails (the guard is not vacuous)."""
    from fake_encoder import HashEncoder

    fake = Engine(factory=lambda preset, progress=None: HashEncoder(preset.key, dim=384))
    corpus = slice_corpus(load_sample("debian_faq"), SLICE, QUERIES)
    setting = default_setting(corpus.task, "minilm-offline")
    found = compare_precisions(Engine(precision=FP32), fake, corpus, setting)
    assert not found.passes() and found.min_doc_cosine < 0.9
