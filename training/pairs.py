"""The unit every extractor returns: one query and the texts it should find.

A ``Pair`` holds a query and one or two positives of different kinds (a code
search pair has the function's code and its documentation; a QA pair has the
answer passage and another question about it), so one query can be trained
under two instructions that pick two different targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`'\"(])")


@dataclass(frozen=True)
class Pair:
    """A query with its positive per target kind (``{"code": ..., "doc": ...}``)."""

    source: str
    domain: str
    query: str
    targets: dict[str, str]


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (whitespace collapsed)."""
    flat = " ".join(text.split())
    return _SENTENCE_END.split(flat, maxsplit=1)[0]


def words(text: str) -> int:
    return len(text.split())
