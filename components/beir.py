"""BEIR's files, read one way for sample corpora, the command line's folders and uploads.

A BEIR folder holds ``corpus.jsonl`` (``_id``, ``text``, optional ``title``),
``queries.jsonl`` (``_id``, ``text``) and ``qrels.tsv``. One rule for qrels:
a header row is optional (it is recognised by its last cell, ``score`` or
a synonym), and each row has BEIR's three columns ``query-id corpus-id
score`` or TREC's four ``qid 0 docid grade``, separated by tabs or, failing
that, spaces. Grades are whole numbers.

It reads and checks the files' shape (UTF-8, JSON objects, columns, grades);
whether ids exist is for the caller to decide (``Corpus`` and
``components.upload_queries`` do).

Example:
    >>> [(n, q, d, g) for n, q, d, g in qrels_rows("query-id\\tcorpus-id\\tscore\\nq1\\td2\\t1\\n", "qrels.tsv")]
    [(2, 'q1', 'd2', 1)]
    >>> [(q, d, g) for _, q, d, g in qrels_rows("q1 0 d7 2\\n", "qrels.txt")]
    [('q1', 'd7', 2)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from components.upload_reading import fail, jsonl, lines, read_text

SCORE_HEADERS = ("score", "relevance", "grade", "label")  # a qrels header ends with one of these


def grade(value: str, name: str, line: int) -> int:
    """A relevance grade: a whole number (``"2"``, ``"2.0"``)."""
    try:
        number = float(value)
    except ValueError:
        raise fail(name, line, f"score {value!r} is not a number") from None
    if number != int(number):
        raise fail(name, line, f"score {value!r} is not a whole number (grades are 0, 1, 2, ...)")
    return int(number)


def qrels_rows(text: str, name: str) -> Iterator[tuple[int, str, str, int]]:
    """(line number, query id, document id, grade) of every row of a qrels file."""
    first = True
    for n, line in lines(text):
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split())]
        if first and cells[-1].lower() in SCORE_HEADERS:
            first = False
            continue  # the header row
        first = False
        if len(cells) not in (3, 4):  # BEIR: qid, docid, grade; TREC: qid, 0, docid, grade
            raise fail(name, n, f"expected 3 tab-separated columns (query-id, corpus-id, score), found {len(cells)}")
        yield n, cells[0], cells[-2], grade(cells[-1], name, n)


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of every non-blank line of a JSON Lines file on disk (no size bound)."""
    text, _ = read_text(path, path.name, bounded=False)
    return list(jsonl(text, path.name))


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """A qrels file on disk as {query id: {document id: grade}}; grades of 0 are kept."""
    text, _ = read_text(path, path.name, bounded=False)
    qrels: dict[str, dict[str, int]] = {}
    for _, qid, did, g in qrels_rows(text, path.name):
        qrels.setdefault(qid, {})[did] = g
    return qrels
