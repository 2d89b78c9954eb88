"""The MiniLM instruction adapter: registry entry, files, loading path and real behaviour."""

import json
import shutil

import pytest
import torch

from components import adapters, loading
from components.encoder import SentenceTransformerEncoder
from components.errors import ModelUnavailable
from components.models import get_model

KEY = "minilm-instruct-offline"
DOC = "Represent the text for retrieval: "
QA = "Represent the question for retrieving the passage that answers it: "
SIMILAR = "Represent the question for retrieving questions that ask the same thing: "
QUERY = "How can I remove duplicate lines from a text file?"
PARAPHRASE = "What is the way to delete repeated lines in a file?"
ANSWER = ("Read the file line by line, keep a set of the lines already seen, and write a line out only "
          "the first time it appears; sort -u does the same when the order does not matter.")


def test_registry_entry_is_a_packaged_instructor_style_model():
    preset = get_model(KEY)
    preset.validate()
    assert preset.offline and preset.family == "instructor" and preset.include_prompt is False
    assert preset.source in loading.PACKAGED
    assert "22 M parameters" in preset.trained_with and "left out of the pooled mean" in preset.trained_with
    assert "plain MiniLM's vector of the text alone" in preset.trained_with


def test_adapter_files_are_small_and_name_no_local_path():
    config = json.loads((adapters.ADAPTER_DIR / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert config["r"] == 8 and config["peft_type"] == "LORA"
    assert not any(isinstance(v, str) and v.startswith("/") for v in config.values())
    assert (adapters.ADAPTER_DIR / "adapter_model.safetensors").stat().st_size < 2_000_000


def test_a_missing_adapter_file_is_a_named_error(tmp_path):
    shutil.copy(adapters.ADAPTER_DIR / "adapter_config.json", tmp_path)
    with pytest.raises(ModelUnavailable, match="adapter_model.safetensors"):
        adapters.minilm_instruct_folder(cache_dir=tmp_path / "cache", adapter_dir=tmp_path)


@pytest.fixture(scope="module")
def models():
    """The base MiniLM's weights before, the adapted model, and the base model after loading it."""
    base = loading.load_model(get_model("minilm-offline"))
    before = {k: v.clone() for k, v in base.state_dict().items()}
    adapted = loading.load_model(get_model(KEY))
    return before, base, adapted


def test_the_base_model_stays_bit_identical(models):
    before, base, adapted = models
    after = base.state_dict()
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
    assert adapted is not base
    changed = [k for k, v in adapted.state_dict().items() if k in after and not torch.equal(v, after[k])]
    assert changed  # the adapter really moved weights, in its own copy


def _ranks(encoder, instruction: str) -> tuple[float, float]:
    q = encoder.encode([QUERY], instruction, include_prompt=False)[0]
    docs = encoder.encode([ANSWER, PARAPHRASE], DOC, include_prompt=False)
    return float(docs[0] @ q), float(docs[1] @ q)


def test_the_apps_vector_joins_plain_minilm_and_the_instructed_model(models):
    import numpy as np

    from components.engine import load_encoder
    from components.joint import JointEncoder

    content_model, weight = adapters.joint_part()
    assert content_model == "minilm-offline" and weight > 0
    encoder = load_encoder(get_model(KEY))
    assert isinstance(encoder, JointEncoder) and encoder.content.model is models[1]  # shared, not loaded twice
    joint = encoder.encode([QUERY], QA, include_prompt=False)[0]
    plain = SentenceTransformerEncoder("minilm-offline", models[1]).encode([QUERY], "", include_prompt=False)[0]
    instructed = SentenceTransformerEncoder(KEY, models[2]).encode([QUERY], QA, include_prompt=False)[0]
    assert joint.shape == (768,)
    assert np.allclose(joint, np.concatenate([weight * plain, instructed]) / np.sqrt(1 + weight**2), atol=1e-5)


def test_the_instruction_decides_between_answer_and_paraphrase(models):
    from components.engine import load_encoder

    encoder = load_encoder(get_model(KEY))
    answer, paraphrase = _ranks(encoder, QA)
    assert answer > paraphrase
    answer, paraphrase = _ranks(encoder, SIMILAR)
    assert paraphrase > answer
