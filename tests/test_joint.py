"""components.joint: the joint vector of a plain model's text alone and an instructed model's text."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from components.adapters import joint_part
from components.joint import JointEncoder
from tests.fake_encoder import HashEncoder


def _joint(weight: float = 1.0) -> tuple[JointEncoder, HashEncoder, HashEncoder]:
    content, instructed = HashEncoder("plain", dim=16), HashEncoder("adapted", dim=24)
    return JointEncoder("joint", content, instructed, weight), content, instructed


def test_rows_are_unit_and_as_wide_as_both_parts():
    joint, _, _ = _joint()
    vecs = joint.encode(["a cat sat", "dogs bark loudly"], "Represent the text: ", False)
    assert vecs.shape == (2, 40) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-6)


def test_the_content_part_never_sees_the_instruction():
    joint, content, instructed = _joint()
    joint.encode(["a cat sat"], "Represent the question: ", False)
    assert content.calls == [(1, "", False)]
    assert instructed.calls == [(1, "Represent the question: ", False)]
    a = joint.encode(["a cat sat"], "Represent the question: ", False)
    b = joint.encode(["a cat sat"], "Find code: ", False)
    assert np.allclose(a[0, :16], b[0, :16]) and not np.allclose(a[0, 16:], b[0, 16:])


@pytest.mark.parametrize("weight", [0.5, 1.0, 2.0])
def test_the_joint_cosine_weighs_the_plain_cosine_by_the_square_of_the_weight(weight):
    joint, content, instructed = _joint(weight)
    texts, prompt = ["a cat sat on the mat", "the dog ran in the park"], "Represent the text: "
    j = joint.encode(texts, prompt, False)
    c, i = content.encode(texts, "", False), instructed.encode(texts, prompt, False)
    expected = (weight ** 2 * float(c[0] @ c[1]) + float(i[0] @ i[1])) / (1 + weight ** 2)
    assert math.isclose(float(j[0] @ j[1]), expected, abs_tol=1e-6)


def test_fingerprint_changes_with_either_part_and_the_weight():
    a, _, _ = _joint(1.0)
    b, _, _ = _joint(2.0)
    c = JointEncoder("joint", HashEncoder("other", dim=16), HashEncoder("adapted", dim=24), 1.0)
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3
    assert a.fingerprint == _joint(1.0)[0].fingerprint


def test_parts_in_two_precisions_are_refused():
    bf16 = HashEncoder("adapted")
    bf16.precision = "bf16"
    with pytest.raises(ValueError, match="one precision"):
        JointEncoder("joint", HashEncoder("plain"), bf16, 1.0)


def test_token_limit_and_counts_are_the_instructed_parts():
    joint = JointEncoder("joint", HashEncoder("plain", limit=64), HashEncoder("adapted", limit=96), 1.0)
    assert joint.token_limit() == 96 and joint.count_tokens("three short words") == 3


def test_the_joint_file_is_part_of_the_adapters_checksum(tmp_path):
    from components.adapters import ADAPTER_FILES, adapter_checksum

    for name in ADAPTER_FILES:
        (tmp_path / name).write_bytes(name.encode())
    alone = adapter_checksum(tmp_path)
    (tmp_path / "joint.json").write_text(json.dumps({"content_model": "minilm-offline", "content_weight": 1.0}))
    one = adapter_checksum(tmp_path)
    (tmp_path / "joint.json").write_text(json.dumps({"content_model": "minilm-offline", "content_weight": 2.0}))
    assert len({alone, one, adapter_checksum(tmp_path)}) == 3


def test_joint_part_reads_the_adapters_joint_file(tmp_path):
    assert joint_part(tmp_path) is None
    (tmp_path / "joint.json").write_text(json.dumps({"content_model": "minilm-offline", "content_weight": 1.0}))
    assert joint_part(tmp_path) == ("minilm-offline", 1.0)


def test_every_encoder_of_one_loaded_model_shares_its_gate():
    from components.encoder import gate_of

    class Model:
        pass

    one, other = Model(), Model()
    assert gate_of(one) is gate_of(one) and gate_of(one) is not gate_of(other)


def test_a_texts_content_part_is_encoded_once_under_any_instruction(monkeypatch):
    joint, content, instructed = _joint()
    first = joint.encode(["a cat sat", "dogs bark"], "Represent the question: ", False)
    again = joint.encode(["dogs bark", "a cat sat", "birds sing"], "", False)
    assert content.calls == [(2, "", False), (1, "", False)]  # only "birds sing" is new
    assert len(instructed.calls) == 2
    assert np.allclose(first[1, :16], again[0, :16]) and np.allclose(first[0, :16], again[1, :16])
    monkeypatch.setattr("components.joint.PLAIN_MEMO", 2)
    joint.encode(["one", "two", "three"], "", False)
    assert list(joint._plain) == ["two", "three"]  # least recently used first out


def test_no_texts_give_an_empty_array_as_wide_as_the_content_part():
    joint, _, _ = _joint()
    assert joint.encode([], "Represent the text: ", False).shape[0] == 0
