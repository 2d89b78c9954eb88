"""Go standard library: a function's doc comment → its code, or → its documentation.

Reads ``golang-1.19-src`` (BSD-3-Clause). For every exported, documented
function of a public package (no ``internal``, ``vendor``, ``testdata``,
``cmd`` or ``_test.go``) with a body of 3–60 lines, the query is the doc
comment's first sentence without the leading function name; the code target
is the declaration and body without the comment; the documentation target is
a ``pkg.Name(signature)`` line followed by the comment's other sentences, as
an API reference page prints it. Functions whose comment is one sentence give
no documentation target.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from training.pairs import Pair, first_sentence, words

_FUNC = re.compile(r"^func (\([^)]*\) )?([A-Z]\w*)(\(.*)$")
_SKIP = ("internal", "vendor", "testdata", "cmd", "builtin")


def _doc_block(lines: list[str], i: int) -> list[str]:
    out: list[str] = []
    j = i - 1
    while j >= 0 and lines[j].startswith("//"):
        out.insert(0, lines[j][2:].strip())
        j -= 1
    return out


def _body(lines: list[str], i: int) -> list[str] | None:
    if lines[i].rstrip().endswith("}"):
        return None  # one-line functions carry too little code
    for j in range(i + 1, min(len(lines), i + 61)):
        if lines[j] == "}":
            return lines[i : j + 1]
    return None


def _strip_name(sentence: str, name: str) -> str:
    parts = sentence.split(" ", 1)
    if len(parts) == 2 and parts[0] == name:
        rest = parts[1]
        return rest[0].upper() + rest[1:]
    return sentence


def _pairs_in_file(path: Path, pkg: str) -> Iterator[Pair]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines):
        m = _FUNC.match(line)
        if not m:
            continue
        doc = [d for d in _doc_block(lines, i) if not d.startswith(("Deprecated", "go:"))]
        body = _body(lines, i)
        if not doc or body is None or len(body) < 3:
            continue
        text = " ".join(doc)
        first = first_sentence(text)
        query = _strip_name(first, m.group(2))
        if not 4 <= words(query) <= 40:
            continue
        targets = {"code": "\n".join(body)}
        rest = " ".join(text.split())[len(first):].strip()
        if words(rest) >= 6:
            receiver = (m.group(1) or "").strip()
            head = f"{pkg}.{m.group(2)}{m.group(3).rstrip(' {')}"
            targets["doc"] = (f"func {receiver} {head[len(pkg) + 1:]}" if receiver else head) + "\n" + rest
        yield Pair("go", "Go", query, targets)


def extract(root: Path) -> list[Pair]:
    """Pairs from an unpacked ``golang-1.19-src`` (``usr/share/go-1.19/src``)."""
    src = next(root.glob("usr/share/go-*/src"))
    pairs: list[Pair] = []
    for path in sorted(src.rglob("*.go")):
        rel = path.relative_to(src)
        if path.name.endswith("_test.go") or any(p in _SKIP for p in rel.parts[:-1]) or rel.parts[0] in _SKIP:
            continue
        pairs.extend(_pairs_in_file(path, rel.parts[-2] if len(rel.parts) > 1 else "main"))
    return pairs
