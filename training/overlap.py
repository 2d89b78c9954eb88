"""Drop training pairs that share an 8-word sequence with any sample corpus file.

Every ``*.jsonl`` / ``*.tsv`` file under the given folders (the app's
``sample_corpora``, BEIR folders included) is read as plain text and cut into
8-word shingles (lower-cased word characters); a pair any of whose texts
contains one of those shingles is dropped, and counted per source.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from training.pairs import Pair

N = 8
_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = N) -> set[tuple[str, ...]]:
    """The n-word sequences of ``text`` (lower-cased word characters)."""
    toks = _WORD.findall(text.lower())
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def held_out_shingles(folders: Iterable[Path]) -> tuple[set[tuple[str, ...]], list[str]]:
    """All shingles of the files under ``folders`` and the files read."""
    found: set[tuple[str, ...]] = set()
    files: list[str] = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".jsonl", ".tsv", ".json") and path.is_file():
                # JSON escapes (\n, \") would glue words together: read them as spaces
                text = path.read_text(encoding="utf-8", errors="replace").replace("\\n", " ").replace('\\"', '"')
                found |= shingles(text)
                files.append(str(path))
    return found, files


def drop_overlaps(pairs: list[Pair], held_out: set[tuple[str, ...]]) -> tuple[list[Pair], Counter]:
    """The pairs with no held-out shingle, and the number dropped per source."""
    kept, dropped = [], Counter()
    for pair in pairs:
        texts = [pair.query, *pair.targets.values()]
        if any(shingles(t) & held_out for t in texts):
            dropped[pair.source] += 1
        else:
            kept.append(pair)
    return kept, dropped
