"""Tests for components.hashing: one digest of a sequence of texts."""

import pytest

from components.hashing import text_digest


@pytest.mark.parametrize("a, b", [
    (["ab", "c"], ["a", "bc"]),  # the length prefix keeps the boundary
    (["a"], ["a", ""]),  # an empty part still counts
    ([], [""]),
    (["query: x"], ["query:  x"]),
])
def test_different_sequences_have_different_digests(a, b):
    assert text_digest(a) != text_digest(b)


def test_the_digest_is_stable_and_sized():
    assert text_digest(["a", "b"]) == text_digest(iter(["a", "b"]))
    assert len(text_digest(["a"], size=8)) == 8 and text_digest(["a"], size=8) != text_digest(["a"])[:8]


def test_lone_surrogates_are_hashed_not_refused():
    assert text_digest(["\ud800"]) != text_digest(["\ud801"])
