r"""Turn uploaded files into a ``Corpus``: documents, and optionally labelled queries.

Documents (the file name's extension decides the format):
  * ``.txt``: one document per non-empty line, ids ``doc-1``, ``doc-2``, ...
  * ``.csv`` / ``.tsv``: a header row with a ``text`` column, optional ``id``
    (or ``_id``) and ``title``; any letter case.
  * ``.jsonl``: one object per line with a ``text`` field, optional ``id``
    (or ``_id``) and ``title``.
CSV and JSONL follow one rule (``components.upload_reading.pick``): where the
standard name is missing, exactly one alias may stand in, ``document``,
``content``, ``passage`` or ``body`` for the text and ``doc_id`` or ``docid``
for the id, and the upload notes say which was used. Labelled queries are
parsed by ``components.upload_queries``.

Limits are the constants below; documents longer than ``MAX_DOC_CHARS`` are
cut, with a note. Every problem raises ``CorpusError`` naming the file, the
line and what is wrong. Text must be UTF-8 (a BOM is fine); stray control
characters are removed with a note. Not handled: ``.json`` arrays,
spreadsheets, other encodings, archives.

Example:
    >>> corpus_from_upload(b"first document\nsecond document\n", "notes.txt").corpus.ids
    ['doc-1', 'doc-2']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from components.corpora import Corpus, Document, LabeledQuery
from components.upload_queries import MAX_QUERIES, parse_labeled_queries
from components.upload_reading import (MAX_FILE_BYTES, Field, Source, Used, alias_notes, columns, fail, jsonl, lines,
                                       object_fields, read_text, suffix_of, table)
from components.wording import counted, plural

__all__ = ["UploadedCorpus", "corpus_from_upload", "limits_sentence", "parse_documents", "parse_labeled_queries",
           "read_text"]

MAX_DOCUMENTS = 5_000
MAX_DOC_CHARS = 20_000

TEXT = Field("document text", ("text", "document", "content", "passage", "body"), required=True)
DOC_ID = Field("document id", ("id", "_id", "doc_id", "docid"), standard=2)
TITLE = Field("title", ("title",))


def limits_sentence() -> str:
    """The upload limits as the page states them: "Limits: 10 MB per file, 5,000 documents, 2,000 queries."."""
    return (f"Limits: {MAX_FILE_BYTES // 2**20} MB per file, {MAX_DOCUMENTS:,} documents, "
            f"{MAX_QUERIES:,} queries.")


@dataclass(frozen=True)
class UploadedCorpus:
    corpus: Corpus
    notes: tuple[str, ...] = ()


def _doc_rows(text: str, name: str, suffix: str, used: Used) -> Iterator[tuple[int, str | None, str, str]]:
    """(line, id or None, text, title) per document, in file order."""
    if suffix == ".txt":
        for n, line in lines(text):
            yield n, None, line.strip(), ""
    elif suffix == ".jsonl":
        for n, obj in jsonl(text, name):
            body, doc_id, title = object_fields(obj, (TEXT, DOC_ID, TITLE), name, n, used)
            yield n, doc_id, body or "", title or ""
    else:
        header, rows = table(text, name, "\t" if suffix == ".tsv" else ",")
        t, i, ti = columns(header, (TEXT, DOC_ID, TITLE), name, used)
        assert t is not None  # TEXT is required
        for n, row in rows:
            if i is not None and not row[i].strip():
                raise fail(name, n, "the id cell is empty")
            yield n, (row[i].strip() if i is not None else None), row[t], (row[ti] if ti is not None else "")


def parse_documents(source: Source, name: str) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """Documents from a ``.txt``, ``.csv``, ``.tsv`` or ``.jsonl`` upload, and notes for the user."""
    suffix = suffix_of(name, (".txt", ".csv", ".tsv", ".jsonl"))
    text, notes = read_text(source, name)
    docs: list[Document] = []
    seen: dict[str, int] = {}
    cut: list[str] = []
    used: Used = {}
    for n, doc_id, body, title in _doc_rows(text, name, suffix, used):
        doc_id = doc_id if doc_id is not None else f"doc-{len(docs) + 1}"
        if not body.strip():
            raise fail(name, n, f"document {doc_id!r} has no text")
        if doc_id in seen:
            raise fail(name, n, f"duplicate document id {doc_id!r} (first on line {seen[doc_id]})")
        if len(docs) >= MAX_DOCUMENTS:
            raise fail(name, n, f"more than {MAX_DOCUMENTS:,} documents; upload at most {MAX_DOCUMENTS:,}")
        if len(body) > MAX_DOC_CHARS:
            body = body[:MAX_DOC_CHARS]
            cut.append(doc_id)
        seen[doc_id] = n
        docs.append(Document(doc_id, body.strip(), title.strip()))
    notes += alias_notes(used, name, "field" if suffix == ".jsonl" else "column")
    if cut:
        which = f"first: {cut[0]!r}" if len(cut) > 1 else repr(cut[0])
        notes += (f"{name}: {counted(len(cut), 'document')} longer than {MAX_DOC_CHARS:,} characters "
                  f"{plural(len(cut), 'was', 'were')} cut to that length ({which}).",)
    return tuple(docs), notes


def corpus_from_upload(documents: Source, documents_name: str, queries: Source | None = None,
                       queries_name: str = "", qrels: Source | None = None, qrels_name: str = "") -> UploadedCorpus:
    """A ``Corpus`` from uploaded documents and, optionally, labelled queries."""
    docs, notes = parse_documents(documents, documents_name)
    labelled: tuple[LabeledQuery, ...] = ()
    if queries is not None:
        labelled, more = parse_labeled_queries([d.id for d in docs], queries, queries_name, qrels, qrels_name)
        notes += more
    elif qrels is not None:
        raise fail(qrels_name, None, "qrels need the queries file they refer to (queries.jsonl)")
    title = Path(documents_name).name
    labels = f"Uploaded: {Path(queries_name).name}" + (f" + {Path(qrels_name).name}" if qrels is not None else "")
    return UploadedCorpus(Corpus(key=f"upload:{title}", title=title, documents=docs, queries=labelled,
                                 source=f"uploaded file {title}", labels=labels if queries is not None else ""),
                          notes)
