"""Words in messages the app prints: counted nouns ("1 document", "2 documents") and shortened text.

One place for the rule, so no message says "1 documents". It knows English
plurals only as far as the app needs them: add ``s``, or pass the plural.

Example:
    >>> counted(1, "document"), counted(5000, "query", "queries")
    ('1 document', '5,000 queries')
    >>> shorten("a  long\\t text", 7)
    'a long…'
"""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` as it goes after the number ``n``: singular for 1, else ``many`` (default ``noun + "s"``)."""
    return noun if n == 1 else (many or noun + "s")


def counted(n: int, noun: str, many: str | None = None) -> str:
    """``n`` (thousands separated) and ``noun``, in the singular or plural as ``n`` needs."""
    return f"{n:,} {plural(n, noun, many)}"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
