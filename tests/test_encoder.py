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
