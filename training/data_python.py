"""Third-party Python (numpy, scipy, networkx, sympy wheels): docstring → code or → documentation.

For every public, documented function or method of 3–60 source lines outside
test folders, the query is the docstring's first sentence; the code target is
the function's source with the docstring removed (the name stays, as in
CodeSearchNet); the documentation target is a ``module.name(args)`` line and
the docstring's extended summary (the paragraphs after the first sentence, up
to the first section heading such as ``Parameters`` or ``Examples``).
All four packages are BSD-3-Clause.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

from training.pairs import Pair, first_sentence, words

_SECTION = re.compile(r"^\s*(Parameters|Returns|Yields|Raises|See Also|Notes|Examples?|References|Attributes"
                      r"|Other Parameters|Warnings?|Explanation|Usage|Arguments|Args)\s*:?\s*$")


def _summary(doc: str) -> str:
    """The docstring's prose before its first section heading (reST/numpydoc)."""
    out: list[str] = []
    for line in doc.splitlines():
        if _SECTION.match(line) or line.strip().startswith((">>>", "..", "---", "===")):
            break
        out.append(line.strip())
    return " ".join(" ".join(out).split())


def _code_without_docstring(source: str, node: ast.FunctionDef) -> str | None:
    lines = source.splitlines()
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    doc_node = node.body[0]
    body = lines[start : doc_node.lineno - 1] + lines[doc_node.end_lineno : node.end_lineno]
    if not 3 <= len(body) <= 60:
        return None
    indent = len(body[0]) - len(body[0].lstrip())
    return "\n".join(line[indent:] for line in body)


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node  # type: ignore[misc]


def _pairs_in_file(path: Path, module: str, package: str) -> Iterator[Pair]:
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in _functions(tree):
        doc = ast.get_docstring(node)
        if not doc or len(node.body) < 2:
            continue
        summary = _summary(doc)
        query = first_sentence(summary)
        if not 4 <= words(query) <= 40 or query.lower().startswith(("deprecated", "see ", "alias")):
            continue
        code = _code_without_docstring(source, node)
        if code is None:
            continue
        targets = {"code": code}
        rest = summary[len(query):].strip()
        if words(rest) >= 6:
            args = ast.unparse(node.args)
            targets["doc"] = f"{module}.{node.name}({args})\n{rest}"
        yield Pair(package, "Python", query, targets)


def extract(root: Path, package: str) -> list[Pair]:
    """Pairs from an unpacked wheel of ``package``."""
    pairs: list[Pair] = []
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root)
        if any(p in ("tests", "testing", "test", "benchmarks", "_vendor", "vendored") for p in rel.parts):
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        pairs.extend(_pairs_in_file(path, module, package))
    return pairs
