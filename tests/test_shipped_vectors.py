"""The default page's shipped vectors (``sample_corpora/vectors``): current, whole, and true."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from components.adapters import adapter_checksum
from components.app.values import page_corpus
from components.corpora import load_sample
from components.engine import Engine, load_encoder
from components.models import DEFAULT_MODEL
from components.precision import FP32
from components.setting import default_setting
from components.store import SHIPPED, SUFFIX, VectorStore, decode_block
from components.tasks import DEFAULT_TASK, get_task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from ship_vectors import default_tasks, precisions  # noqa: E402


def _manifest() -> dict:
    return json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))


def test_the_shipped_vectors_are_of_the_current_adapter_corpus_and_tasks():
    """Fails after a retraining or a change of the default page until ``scripts/ship_vectors.py`` runs."""
    shipped = _manifest()
    corpus = load_sample(get_task(DEFAULT_TASK).corpus)
    assert shipped["adapter_checksum"] == adapter_checksum(), "run python scripts/ship_vectors.py"
    assert (shipped["model"], shipped["corpus"], shipped["documents"]) == (DEFAULT_MODEL, corpus.key, len(corpus.texts))
    assert shipped["tasks"] == default_tasks()
    assert shipped["precisions"] == precisions()  # each precision the model may compute the corpus in
    assert shipped["queries"] == {t: page_corpus(corpus.key, None, t).example_queries()[0] for t in default_tasks()}
    files = sorted(p.name for p in SHIPPED.glob("*" + SUFFIX))
    assert files == sorted(shipped["blocks"])
    rows = []
    for name in files:
        block = decode_block(bytes.fromhex(name[: -len(SUFFIX)]), (SHIPPED / name).read_bytes())
        assert block is not None, name  # whole, and under its own key
        rows.append(block.shape[0])
    n = 2 * len(precisions())  # the corpus with and without its instruction, in each precision
    assert sorted(rows)[-n - 1:] == [1] + [len(corpus.texts)] * n


class _Counting:
    """The real factory; records how many texts each encode of a loaded encoder was asked for."""

    def __init__(self) -> None:
        self.encoded: list[int] = []
        self.plain_encode = None  # the last loaded encoder's own ``encode``

    def __call__(self, preset, progress=None, precision="fp32"):
        enc = load_encoder(preset, progress, precision)
        own = self.plain_encode = enc.encode
        enc.encode = lambda texts, *a, **k: self.encoded.append(len(texts)) or own(texts, *a, **k)
        return enc


@pytest.mark.parametrize("precision", precisions())
def test_a_fresh_engine_ranks_every_default_task_from_the_shipped_vectors_and_they_are_the_models(tmp_path, precision):
    """In each precision shipped: nothing is encoded, and the rows are what the model computes (in
    bfloat16 a text's vector moves with its batch's padding, so within bfloat16's rounding)."""
    factory = _Counting()
    engine = Engine(factory=factory, store=VectorStore(tmp_path / "own", shipped=SHIPPED), precision=precision)
    corpus = load_sample(get_task(DEFAULT_TASK).corpus)
    for task in default_tasks():
        shown = page_corpus(corpus.key, None, task)  # as the page shows it: the task's first example query
        ex = engine.explore(shown, default_setting(task, DEFAULT_MODEL), shown.example_queries()[0])
    assert factory.encoded == []  # the model was loaded (for its fingerprint), and nothing encoded
    assert ex.relevant and ex.docs.shape == (len(corpus.texts), 768)
    setting = default_setting(DEFAULT_TASK, DEFAULT_MODEL)
    picked = list(range(0, len(corpus.texts), 53))
    fresh = factory.plain_encode([corpus.texts[i] for i in picked], setting.prompt("document"), setting.include_prompt)
    np.testing.assert_allclose(fresh, ex.docs[picked], atol=1e-4 if precision == FP32 else 5e-3)
    assert not list((tmp_path / "own").glob("*" + SUFFIX))  # found, so nothing was written
