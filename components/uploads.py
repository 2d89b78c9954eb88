r"""Turn uploaded files into a ``Corpus``: documents, and optionally labelled queries.

Documents (the file name's extension decides the format):
  * ``.txt``: one document per non-empty line, ids ``doc-1``, ``doc-2``, ...
  * ``.csv`` / ``.tsv``: a header row with a ``text`` column (or exactly one of
    ``document``, ``content``, ``passage``, ``body``), optional ``id`` (or
    ``_id``, ``doc_id``, ``docid``) and ``title``; any letter case.
  * ``.jsonl``: one object per line, ``{"_id" or "id", "text", "title"?}``.
Labelled queries:
  * BEIR: ``queries.jsonl`` (``_id``/``id``, ``text``) with ``qrels.tsv``
    (``query-id<TAB>corpus-id<TAB>score``; header optional; TREC's four
    columns ``qid 0 docid grade`` work too). Both files are needed.
  * ``.csv``: ``query`` and ``doc_id`` columns, optional ``score`` (default 1)
    and ``query_id``; one row per relevant document, so a query may repeat.

Limits are the constants below; documents longer than ``MAX_DOC_CHARS`` are
cut, with a note. Every problem raises ``CorpusError`` naming the file, the
line and what is wrong. Text must be UTF-8 (a BOM is fine). Not handled:
``.json`` arrays, spreadsheets, other encodings, archives.

Example:
    >>> corpus_from_upload(b"first document\nsecond document\n", "notes.txt").corpus.ids
    ['doc-1', 'doc-2']
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from components.corpora import Corpus, Document, LabeledQuery
from components.errors import CorpusError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 5_000
MAX_QUERIES = 2_000
MAX_DOC_CHARS = 20_000

Source = bytes | str | Path  # file content, or a path to read it from

TEXT_COLUMNS = ("text", "document", "content", "passage", "body")
ID_COLUMNS = ("id", "_id", "doc_id", "docid")
QUERY_COLUMNS = ("query", "question")
QUERY_ID_COLUMNS = ("query_id", "query-id", "qid")
DOC_ID_COLUMNS = ("doc_id", "corpus-id", "corpus_id", "document_id", "docid")
SCORE_COLUMNS = ("score", "relevance", "grade")


@dataclass(frozen=True)
class UploadedCorpus:
    corpus: Corpus
    notes: tuple[str, ...] = ()


def _fail(name: str, line: int | None, problem: str) -> CorpusError:
    return CorpusError(f"{name}, line {line}: {problem}" if line else f"{name}: {problem}")


def read_text(source: Source, name: str) -> str:
    """The file's text: checked for size, binary content and UTF-8; a BOM is dropped."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            if Path(source).stat().st_size > MAX_FILE_BYTES:
                raise _fail(name, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = Path(source).read_bytes()
        except OSError as exc:
            raise _fail(name, None, f"cannot be read ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _fail(name, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(name, None, "the file is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise _fail(name, data.count(b"\n", 0, at) + 1, f"a NUL byte at byte offset {at}: this looks "
                    "like a binary file, not text")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(name, data.count(b"\n", 0, exc.start) + 1,
                    f"not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
                    "save the file as UTF-8") from None
    if not text.strip():
        raise _fail(name, None, "the file is empty")
    return text


def _suffix(name: str, allowed: Sequence[str]) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        raise _fail(name, None, "JSON files are not read: use JSON Lines (.jsonl), one object per line")
    if suffix not in allowed:
        raise _fail(name, None, f"unsupported file type {suffix or '(none)'!r}; use {', '.join(allowed)}")
    return suffix


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield n, line.rstrip("\r")


def _jsonl(text: str, name: str) -> Iterator[tuple[int, dict]]:
    for n, line in _lines(text):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(name, n, f"malformed JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise _fail(name, n, "expected a JSON object ({...})")
        yield n, obj


def _field(obj: dict, keys: Sequence[str], name: str, line: int, required: bool) -> str | None:
    present = {k: obj[k] for k in keys if obj.get(k) is not None}
    if len({str(v) for v in present.values()}) > 1:
        raise _fail(name, line, f"fields {' and '.join(present)} disagree; keep one")
    if not present:
        if required:
            raise _fail(name, line, f"missing field {keys[0]!r}")
        return None
    value = next(iter(present.values()))
    if isinstance(value, (dict, list)):
        raise _fail(name, line, f"field {next(iter(present))!r} must be text, not {type(value).__name__}")
    return str(value)


def _table(text: str, name: str, delimiter: str = ",") -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise _fail(name, 1, f"cannot parse the header ({exc})") from None
    if not any(header):
        raise _fail(name, 1, "the first line must be the header (column names)")
    dup = next((h for h in header if h and header.count(h) > 1), None)
    if dup:
        raise _fail(name, 1, f"column {dup!r} appears twice in the header")

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    if len(row) > len(header):
                        raise _fail(name, start, f"{len(row)} cells but the header has {len(header)} "
                                    "(quote cells that contain the delimiter)")
                    yield start, row + [""] * (len(header) - len(row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise _fail(name, start, f"cannot parse the row starting here ({exc})") from None

    return header, rows()


def _column(header: list[str], names: Sequence[str], name: str, what: str, required: bool) -> int | None:
    if names[0] in header:
        return header.index(names[0])
    found = [h for h in names[1:] if h in header]
    if len(found) > 1:
        raise _fail(name, 1, f"columns {', '.join(found)} could each be the {what}; rename all but one")
    if found:
        return header.index(found[0])
    if required:
        raise _fail(name, 1, f"no {what} column: name one {' or '.join(map(repr, names))} "
                    f"(found: {', '.join(map(repr, header))})")
    return None


def _doc_rows(text: str, name: str, suffix: str) -> Iterator[tuple[int, str | None, str, str]]:
    """(line, id or None, text, title) per document, in file order."""
    if suffix == ".txt":
        for n, line in _lines(text):
            yield n, None, line.strip(), ""
    elif suffix == ".jsonl":
        for n, obj in _jsonl(text, name):
            yield (n, _field(obj, ("_id", "id"), name, n, False), _field(obj, ("text",), name, n, True) or "",
                   _field(obj, ("title",), name, n, False) or "")
    else:
        header, rows = _table(text, name, "\t" if suffix == ".tsv" else ",")
        t = _column(header, TEXT_COLUMNS, name, "document text", True)
        i = _column(header, ID_COLUMNS, name, "document id", False)
        ti = _column(header, ("title",), name, "title", False)
        for n, row in rows:
            if i is not None and not row[i].strip():
                raise _fail(name, n, "the id cell is empty")
            yield n, (row[i].strip() if i is not None else None), row[t], (row[ti] if ti is not None else "")


def parse_documents(source: Source, name: str) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """Documents from a ``.txt``, ``.csv``, ``.tsv`` or ``.jsonl`` upload, and notes for the user."""
    suffix = _suffix(name, (".txt", ".csv", ".tsv", ".jsonl"))
    docs: list[Document] = []
    lines: dict[str, int] = {}
    cut: list[str] = []
    for n, doc_id, body, title in _doc_rows(read_text(source, name), name, suffix):
        doc_id = doc_id if doc_id is not None else f"doc-{len(docs) + 1}"
        if not body.strip():
            raise _fail(name, n, f"document {doc_id!r} has no text")
        if doc_id in lines:
            raise _fail(name, n, f"duplicate document id {doc_id!r} (first on line {lines[doc_id]})")
        if len(docs) >= MAX_DOCUMENTS:
            raise _fail(name, n, f"more than {MAX_DOCUMENTS:,} documents; upload at most {MAX_DOCUMENTS:,}")
        if len(body) > MAX_DOC_CHARS:
            body = body[:MAX_DOC_CHARS]
            cut.append(doc_id)
        lines[doc_id] = n
        docs.append(Document(doc_id, body.strip(), title.strip()))
    notes = (f"{len(cut)} document(s) longer than {MAX_DOC_CHARS:,} characters were cut to that length "
             f"(first: {cut[0]!r}).",) if cut else ()
    return tuple(docs), notes


def _grade(value: str, name: str, line: int) -> int:
    try:
        grade = float(value)
    except ValueError:
        raise _fail(name, line, f"score {value!r} is not a number") from None
    if grade != int(grade):
        raise _fail(name, line, f"score {value!r} is not a whole number (grades are 0, 1, 2, ...)")
    return int(grade)


def _labels(rows: Iterable[tuple[int, str, str, int]], queries: dict[str, str], doc_ids: set[str],
            name: str) -> dict[str, dict[str, int]]:
    """(line, query id, doc id, grade) rows checked and collected into qrels."""
    qrels: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for n, qid, did, grade in rows:
        if qid not in queries:
            raise _fail(name, n, f"unknown query id {qid!r}")
        if did not in doc_ids:
            raise _fail(name, n, f"unknown document id {did!r}")
        if (qid, did) in seen:
            raise _fail(name, n, f"query {qid!r} and document {did!r} are judged twice "
                        f"(first on line {seen[qid, did]})")
        seen[qid, did] = n
        qrels.setdefault(qid, {})[did] = grade
    if not any(g > 0 for docs in qrels.values() for g in docs.values()):
        raise _fail(name, None, "no query has a relevant document (a score of 1 or more)")
    return qrels


def _beir_queries(text: str, name: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    lines: dict[str, int] = {}
    for n, obj in _jsonl(text, name):
        qid = _field(obj, ("_id", "id"), name, n, True) or ""
        body = (_field(obj, ("text",), name, n, True) or "").strip()
        if not body:
            raise _fail(name, n, f"query {qid!r} has no text")
        if qid in lines:
            raise _fail(name, n, f"duplicate query id {qid!r} (first on line {lines[qid]})")
        if len(queries) >= MAX_QUERIES:
            raise _fail(name, n, f"more than {MAX_QUERIES:,} queries; upload at most {MAX_QUERIES:,}")
        lines[qid], queries[qid] = n, body
    return queries


def _qrels_rows(text: str, name: str) -> Iterator[tuple[int, str, str, int]]:
    first = True
    for n, line in _lines(text):
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split())]
        if first and cells[-1].lower() in SCORE_COLUMNS + ("label",):
            first = False
            continue  # the header row
        first = False
        if len(cells) not in (3, 4):  # BEIR: qid, docid, grade; TREC: qid, 0, docid, grade
            raise _fail(name, n, f"expected 3 tab-separated columns (query-id, corpus-id, score), found {len(cells)}")
        yield n, cells[0], cells[-2], _grade(cells[-1], name, n)


def _csv_queries(text: str, name: str, doc_ids: set[str]) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    header, rows = _table(text, name)
    qc = _column(header, QUERY_COLUMNS, name, "query", True)
    dc = _column(header, DOC_ID_COLUMNS, name, "relevant document id", True)
    sc = _column(header, SCORE_COLUMNS, name, "score", False)
    ic = _column(header, QUERY_ID_COLUMNS, name, "query id", False)
    queries: dict[str, str] = {}
    by_text: dict[str, str] = {}
    labelled: list[tuple[int, str, str, int]] = []
    for n, row in rows:
        body = row[qc].strip()
        if not body:
            raise _fail(name, n, "the query cell is empty")
        given = row[ic].strip() if ic is not None else ""
        qid = given or by_text.get(body) or f"q-{len(queries) + 1}"
        if queries.get(qid, body) != body:
            raise _fail(name, n, f"query id {qid!r} is used for two different queries")
        if qid not in queries and len(queries) >= MAX_QUERIES:
            raise _fail(name, n, f"more than {MAX_QUERIES:,} queries; upload at most {MAX_QUERIES:,}")
        queries[qid] = body
        by_text.setdefault(body, qid)
        grade = _grade(row[sc].strip() or "1", name, n) if sc is not None else 1
        labelled.append((n, qid, row[dc].strip(), grade))
    return queries, _labels(labelled, queries, doc_ids, name)


def parse_labeled_queries(doc_ids: Iterable[str], queries: Source, queries_name: str, qrels: Source | None = None,
                          qrels_name: str = "") -> tuple[tuple[LabeledQuery, ...], tuple[str, ...]]:
    """Labelled queries from BEIR ``queries.jsonl`` + ``qrels.tsv``, or from one ``.csv``."""
    ids = set(doc_ids)
    suffix = _suffix(queries_name, (".jsonl", ".csv"))
    if suffix == ".jsonl":
        if qrels is None:
            raise _fail(queries_name, None, "BEIR queries need their qrels.tsv (query-id, corpus-id, score) too")
        _suffix(qrels_name, (".tsv", ".txt"))
        texts = _beir_queries(read_text(queries, queries_name), queries_name)
        labels = _labels(_qrels_rows(read_text(qrels, qrels_name), qrels_name), texts, ids, qrels_name)
    else:
        if qrels is not None:
            raise _fail(qrels_name, None, "a queries CSV carries its own labels; leave the qrels file out")
        texts, labels = _csv_queries(read_text(queries, queries_name), queries_name, ids)
    out = tuple(LabeledQuery(qid, body, {d: g for d, g in labels.get(qid, {}).items() if g > 0})
                for qid, body in texts.items())
    unlabelled = sum(1 for q in out if not q.relevant)
    notes = (f"{unlabelled} of {len(out)} queries have no relevant document and are left out of the "
             "evaluation.",) if unlabelled else ()
    return out, notes


def corpus_from_upload(documents: Source, documents_name: str, queries: Source | None = None,
                       queries_name: str = "", qrels: Source | None = None, qrels_name: str = "") -> UploadedCorpus:
    """A ``Corpus`` from uploaded documents and, optionally, labelled queries."""
    docs, notes = parse_documents(documents, documents_name)
    labelled: tuple[LabeledQuery, ...] = ()
    if queries is not None:
        labelled, more = parse_labeled_queries([d.id for d in docs], queries, queries_name, qrels, qrels_name)
        notes += more
    elif qrels is not None:
        raise _fail(qrels_name, None, "qrels need the queries file they refer to (queries.jsonl)")
    title = Path(documents_name).name
    labels = f"Uploaded: {Path(queries_name).name}" + (f" + {Path(qrels_name).name}" if qrels is not None else "")
    return UploadedCorpus(Corpus(key=f"upload:{title}", title=title, documents=docs, queries=labelled,
                                 source=f"uploaded file {title}", labels=labels if queries is not None else ""),
                          notes)
