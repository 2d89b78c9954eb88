"""FOLDOC, the Free On-line Dictionary of Computing (``dict-foldoc``, GFDL-1.1+): term → definition.

Reads the dictd files. The definition target is the entry's first one or two
sentences with the ``<domain>`` tags, ``{cross-reference}`` braces and dates
removed, the way a glossary line reads; entries whose text is only a pointer
("See ...") or shorter than five words are left out. The query is a question
about the term in one of several forms.
"""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path

from training.pairs import Pair, words

_TAG = re.compile(r"<[^>]*>")
_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")
_BRACES = re.compile(r"\{([^}|]*)(\|[^}]*)?\}")
_SENT = re.compile(r"(?<=[a-z)\]0-9]\.)\s+(?=[A-Z])")
QUERY_FORMS = ("What is meant by '{t}'?", "What is {t}?", "Define {t}.", "{t}", "meaning of {t}",
               "What does the term {t} mean?", "{t} definition", "What's a {t}?")


def _definition(body: str) -> str:
    text = _DATE.sub("", _TAG.sub("", body))
    text = _BRACES.sub(lambda m: m.group(1), text)
    text = " ".join(text.split())
    sentences = _SENT.split(text)
    out = sentences[0]
    if len(sentences) > 1 and words(out) + words(sentences[1]) <= 45:
        out += " " + sentences[1]
    return out


def _entries(dict_path: Path) -> list[tuple[str, str]]:
    raw = gzip.decompress(dict_path.read_bytes()).decode("utf-8", errors="replace")
    entries = []
    for block in re.split(r"\n(?=\S)", raw):
        head, _, body = block.partition("\n")
        if head.startswith("00-") or not body.strip():
            continue
        entries.append((head.strip(), body))
    return entries


def extract(root: Path, seed: int = 0) -> list[Pair]:
    """Pairs from an unpacked ``dict-foldoc``."""
    rng = random.Random(seed)
    pairs = []
    for term, body in _entries(next(root.glob("usr/share/dictd/foldoc.dict.dz"))):
        definition = _definition(body)
        if words(definition) < 5 or definition.lower().startswith(("see ", "{see")) or len(term) > 40:
            continue
        if not re.search(r"[a-z]", term):
            continue
        query = rng.choice(QUERY_FORMS).format(t=term)
        pairs.append(Pair("foldoc", "computing", query, {"definition": definition}))
    return pairs
