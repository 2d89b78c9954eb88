"""Counted nouns."""

import pytest

from components.wording import counted, plural


@pytest.mark.parametrize("n, noun, many, expected", [
    (0, "document", None, "0 documents"),
    (1, "document", None, "1 document"),
    (2, "document", None, "2 documents"),
    (1, "query", "queries", "1 query"),
    (12345, "query", "queries", "12,345 queries"),
])
def test_counted(n, noun, many, expected):
    assert counted(n, noun, many) == expected


def test_plural_alone():
    assert plural(1, "was", "were") == "was" and plural(3, "was", "were") == "were"
