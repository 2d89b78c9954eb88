"""The real encoder: our INSTRUCTOR mode computes what INSTRUCTOR defines.

INSTRUCTOR's embedding is the mean of the token vectors of the *text*, with
the instruction's tokens in the input (so they shape every token through
attention) but left out of the mean. We compute that by hand from
``transformers`` on the real MiniLM weights and compare it with
``SentenceTransformerEncoder`` in ``include_prompt=False`` mode.
"""


import numpy as np
import pytest

from components.encoder import SentenceTransformerEncoder
from components.loading import load_model
from components.models import get_model

INSTRUCTION = "Represent the Python question for retrieving supporting answers: "
TEXTS = [
    "How does Python manage memory?",
    "Why are Python strings immutable?",
    "Where is the math.py (socket.py, regex.py, etc.) source file?",
    "A much longer text: the garbage collector frees cycles of objects that refer to each other, "
    "while reference counting frees the rest as soon as nothing points to them.",
]


@pytest.fixture(scope="module")
def minilm():
    return load_model(get_model("minilm-offline"))


def _by_hand(model, instruction: str, text: str) -> np.ndarray:
    import torch

    tok = model.tokenizer
    bert = model[0].model  # the underlying transformers BertModel
    full = tok(instruction + text, return_tensors="pt")
    # the text's own tokens, found independently: tokenize it alone, without specials
    text_ids = tok(text, add_special_tokens=False)["input_ids"]
    ids = full["input_ids"][0].tolist()
    start = len(ids) - 1 - len(text_ids)  # [CLS] instruction... text... [SEP]
    assert ids[start:-1] == text_ids, "instruction and text tokenise independently"
    with torch.no_grad():
        hidden = bert(**full).last_hidden_state[0]
    # INSTRUCTOR: mean over the non-instruction tokens ([CLS] counts with the instruction)
    vec = hidden[start:].mean(dim=0).numpy()
    return vec / np.linalg.norm(vec)


def test_instructor_mode_matches_a_hand_computed_mean(minilm):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    ours = enc.encode(TEXTS, INSTRUCTION, include_prompt=False)
    for text, vec in zip(TEXTS, ours):
        np.testing.assert_allclose(vec, _by_hand(minilm, INSTRUCTION, text), atol=2e-5)


def test_include_prompt_mode_is_the_plain_mean_of_everything(minilm):
    import torch

    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    ours = enc.encode(TEXTS[:1], INSTRUCTION, include_prompt=True)[0]
    full = minilm.tokenizer(INSTRUCTION + TEXTS[0], return_tensors="pt")
    with torch.no_grad():
        hidden = minilm[0].model(**full).last_hidden_state[0]
    vec = hidden.mean(dim=0).numpy()
    np.testing.assert_allclose(ours, vec / np.linalg.norm(vec), atol=2e-5)


def test_the_two_modes_differ_and_the_instruction_still_shapes_the_text(minilm):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    excluded = enc.encode(TEXTS[:1], INSTRUCTION, include_prompt=False)[0]
    included = enc.encode(TEXTS[:1], INSTRUCTION, include_prompt=True)[0]
    plain = enc.encode(TEXTS[:1], "", include_prompt=True)[0]
    assert float(excluded @ included) < 0.999
    assert float(excluded @ plain) < 0.999  # the instruction changed the text's tokens too


def test_vectors_are_unit_float32_and_the_switch_does_not_leak(minilm):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    a = enc.encode(TEXTS, INSTRUCTION, include_prompt=False)
    enc.encode(TEXTS, INSTRUCTION, include_prompt=True)
    b = enc.encode(TEXTS, INSTRUCTION, include_prompt=False)
    assert a.dtype == np.float32 and a.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert enc.encode([], "x", True).shape == (0, 384)


def test_length_sorted_batches_keep_the_input_order(minilm):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    enc.batch_size = 2
    texts = ["short", "a much longer text than the others, with many more words in it", "mid length text", "x"]
    together = enc.encode(texts, "", include_prompt=True)
    one_by_one = np.stack([enc.encode([t], "", include_prompt=True)[0] for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_batches_hold_at_most_the_token_budget_longest_first(minilm):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    enc.batch_tokens = 600
    texts = ["word " * n for n in (300, 5, 120, 40, 3, 250, 60)]  # MiniLM reads 256 tokens
    batches, _ = enc._batches(texts, INSTRUCTION)
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    n_prompt = len(minilm.tokenizer(INSTRUCTION, add_special_tokens=False)["input_ids"])
    padded = [min(256, len(minilm.tokenizer(texts[b[0]], add_special_tokens=False)["input_ids"]) + n_prompt + 2)
              for b in batches]
    assert padded == sorted(padded, reverse=True)  # each batch starts with its longest text
    assert all(len(b) == 1 or len(b) * p <= 600 for b, p in zip(batches, padded))
    assert len(batches[0]) == 2 and max(map(len, batches[1:])) > 2  # long texts in small batches, short in big ones
    together = enc.encode(texts, INSTRUCTION, include_prompt=False)
    one_by_one = np.stack([enc.encode([t], INSTRUCTION, include_prompt=False)[0] for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_a_corpus_job_is_counted_while_it_runs_and_released_after(minilm):
    from components import turns

    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    seen = []
    texts = ["word " * 200] * 40
    enc.encode(texts, "", True, progress=lambda f, m: seen.append(dict(turns._corpus_jobs)))
    assert seen and all(n == {"foreground": 1, "background": 0} for n in seen)
    seen.clear()
    with turns.background():
        enc.encode(texts, "", True, progress=lambda f, m: seen.append(dict(turns._corpus_jobs)))
    assert seen and all(n == {"foreground": 0, "background": 1} for n in seen)
    enc.encode(["a short query"], "", True)
    assert turns._corpus_jobs == {"foreground": 0, "background": 0}
    with pytest.raises(TypeError):
        enc.encode(texts, "", True, progress=lambda f: None)  # a broken callback
    assert turns._corpus_jobs == {"foreground": 0, "background": 0}


def test_a_corpus_job_hands_freed_memory_back_between_batches_and_a_query_does_not(minilm, monkeypatch):
    from components import encoder

    calls = []
    monkeypatch.setattr(encoder, "release_now_and_then", lambda: calls.append(1) or True)
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    enc.encode(["a short query"], "", True)
    enc.encode(["two short", "texts"], "", True)
    assert calls == []
    texts = ["word " * 200] * 40
    batches, _ = enc._batches(texts, "")
    enc.encode(texts, "", True)
    assert len(batches) > 1 and len(calls) == len(batches)


def test_one_text_is_one_batch_and_not_tokenized_twice(minilm, monkeypatch):
    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    monkeypatch.setattr(enc, "_count", lambda *a, **k: pytest.fail("a single text was counted"))
    assert enc._batches(["word " * 400], INSTRUCTION) == ([[0]], 0)
    vec = enc.encode(["How does Python manage memory?"], INSTRUCTION, include_prompt=False)
    assert vec.shape == (1, 384)


def test_bf16_vectors_are_unit_float32_rows_that_agree_with_fp32(minilm):
    fp32 = SentenceTransformerEncoder("minilm-offline", minilm, "fp32")
    bf16 = SentenceTransformerEncoder("minilm-offline", minilm, "bf16", fingerprint=fp32.fingerprint)
    a = fp32.encode(TEXTS, INSTRUCTION, include_prompt=False)
    b = bf16.encode(TEXTS, INSTRUCTION, include_prompt=False)
    assert b.dtype == np.float32 and b.shape == a.shape
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= 0.9999 and not np.array_equal(a, b)  # close, and bfloat16 really ran


def test_an_unknown_precision_is_refused(minilm):
    with pytest.raises(ValueError, match="precision"):
        SentenceTransformerEncoder("minilm-offline", minilm, "fp16", fingerprint="x")


def test_the_fingerprint_follows_the_weights(minilm):
    import copy

    import torch

    from components.loading import fingerprint

    assert fingerprint(minilm) == fingerprint(minilm) == SentenceTransformerEncoder("m", minilm).fingerprint
    changed = copy.deepcopy(minilm)
    with torch.no_grad():
        changed[0].auto_model.encoder.layer[3].output.LayerNorm.bias[7] += 1e-3
    assert fingerprint(changed) != fingerprint(minilm)


def test_the_start_up_works_batches_pause_for_a_persons_corpus_job_on_the_same_model(minilm, monkeypatch):
    """Two corpus jobs on one model: once the person's job has started, no background batch runs until it ends."""
    import threading

    from components.turns import background

    enc = SentenceTransformerEncoder("minilm-offline", minilm)
    log: list[str] = []
    real = minilm.encode

    def encode(*args, **kwargs):
        log.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(minilm, "encode", encode)
    monkeypatch.setattr(enc, "batch_size", 4)
    texts = [f"{TEXTS[3]} variant {i}" for i in range(48)]
    first_bg = threading.Event()

    def start_up():
        with background():
            enc.encode(texts, "bg: ", True, progress=lambda f, m: first_bg.set())

    bg = threading.Thread(target=start_up, name="bg")
    bg.start()
    first_bg.wait(60)
    fg = threading.Thread(target=lambda: enc.encode(texts, "fg: ", True), name="fg")
    fg.start()
    fg.join(120)
    bg.join(120)
    first, last = log.index("fg"), len(log) - 1 - log[::-1].index("fg")
    assert log[first:last + 1].count("bg") <= 1  # at most the batch already running when the job began
    assert log.count("fg") == log.count("bg") == 12


