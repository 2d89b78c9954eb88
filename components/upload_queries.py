"""Labelled queries from uploaded files, checked against the corpus's document ids.

Two shapes:
  * BEIR: ``queries.jsonl`` (``_id``/``id``, ``text``) with ``qrels.tsv``
    (``query-id<TAB>corpus-id<TAB>score``; header optional; TREC's four
    columns ``qid 0 docid grade`` work too: ``components.beir``'s rule, the
    same as for BEIR folders on disk). Both files are needed.
  * ``.csv``: ``query`` and ``doc_id`` columns, optional ``score`` (default 1)
    and ``query_id``; one row per relevant document, so a query may repeat.
Columns and fields are found by the rule of ``components.upload_reading.pick``
(a standard name, or exactly one alias, named in a note). Grades are whole
numbers; a query with no grade above 0 is kept but left out of evaluation,
and a note counts such queries. Every problem raises ``CorpusError`` naming
the file, the line and what is wrong. Documents are parsed elsewhere
(``components.uploads``).
"""

from __future__ import annotations

from typing import Iterable

from components.beir import grade, qrels_rows
from components.corpora import LabeledQuery
from components.upload_reading import (Field, Source, Used, alias_notes, columns, fail, jsonl, object_fields,
                                       read_text, suffix_of, table)
from components.wording import counted, plural

MAX_QUERIES = 2_000

QUERY_ID = Field("query id", ("_id", "id"), standard=2, required=True)  # BEIR queries.jsonl
QUERY_TEXT = Field("query text", ("text", "query", "question"), required=True)
CSV_QUERY = Field("query", ("query", "question"), required=True)
CSV_QUERY_ID = Field("query id", ("query_id", "query-id", "qid"), standard=2)
CSV_DOC_ID = Field("relevant document id", ("doc_id", "corpus-id", "corpus_id", "document_id", "docid"),
                   standard=2, required=True)
CSV_SCORE = Field("score", ("score", "relevance", "grade"))


def _labels(rows: Iterable[tuple[int, str, str, int]], queries: dict[str, str], doc_ids: set[str],
            name: str) -> dict[str, dict[str, int]]:
    """(line, query id, doc id, grade) rows checked and collected into qrels."""
    qrels: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for n, qid, did, g in rows:
        if qid not in queries:
            raise fail(name, n, f"unknown query id {qid!r}")
        if did not in doc_ids:
            raise fail(name, n, f"unknown document id {did!r}")
        if (qid, did) in seen:
            raise fail(name, n, f"query {qid!r} and document {did!r} are judged twice "
                       f"(first on line {seen[qid, did]})")
        seen[qid, did] = n
        qrels.setdefault(qid, {})[did] = g
    if not any(g > 0 for docs in qrels.values() for g in docs.values()):
        raise fail(name, None, "no query has a relevant document (a score of 1 or more)")
    return qrels


def _beir_queries(text: str, name: str, used: Used) -> dict[str, str]:
    queries: dict[str, str] = {}
    first: dict[str, int] = {}
    for n, obj in jsonl(text, name):
        qid, body = (v or "" for v in object_fields(obj, (QUERY_ID, QUERY_TEXT), name, n, used))
        if not body.strip():
            raise fail(name, n, f"query {qid!r} has no text")
        if qid in first:
            raise fail(name, n, f"duplicate query id {qid!r} (first on line {first[qid]})")
        if len(queries) >= MAX_QUERIES:
            raise fail(name, n, f"more than {MAX_QUERIES:,} queries; upload at most {MAX_QUERIES:,}")
        first[qid], queries[qid] = n, body.strip()
    return queries


def _csv_queries(text: str, name: str, doc_ids: set[str],
                 used: Used) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    header, rows = table(text, name)
    qc, dc, sc, ic = columns(header, (CSV_QUERY, CSV_DOC_ID, CSV_SCORE, CSV_QUERY_ID), name, used)
    assert qc is not None and dc is not None  # both required
    queries: dict[str, str] = {}
    by_text: dict[str, str] = {}
    labelled: list[tuple[int, str, str, int]] = []
    for n, row in rows:
        body = row[qc].strip()
        if not body:
            raise fail(name, n, "the query cell is empty")
        given = row[ic].strip() if ic is not None else ""
        qid = given or by_text.get(body) or f"q-{len(queries) + 1}"
        if queries.get(qid, body) != body:
            raise fail(name, n, f"query id {qid!r} is used for two different queries")
        if qid not in queries and len(queries) >= MAX_QUERIES:
            raise fail(name, n, f"more than {MAX_QUERIES:,} queries; upload at most {MAX_QUERIES:,}")
        queries[qid] = body
        by_text.setdefault(body, qid)
        g = grade(row[sc].strip() or "1", name, n) if sc is not None else 1
        labelled.append((n, qid, row[dc].strip(), g))
    return queries, _labels(labelled, queries, doc_ids, name)


def parse_labeled_queries(doc_ids: Iterable[str], queries: Source, queries_name: str, qrels: Source | None = None,
                          qrels_name: str = "") -> tuple[tuple[LabeledQuery, ...], tuple[str, ...]]:
    """Labelled queries from BEIR ``queries.jsonl`` + ``qrels.tsv``, or from one ``.csv``; and notes."""
    ids = set(doc_ids)
    suffix = suffix_of(queries_name, (".jsonl", ".csv"))
    used: Used = {}
    if suffix == ".jsonl":
        if qrels is None:
            raise fail(queries_name, None, "BEIR queries need their qrels.tsv (query-id, corpus-id, score) too")
        suffix_of(qrels_name, (".tsv", ".txt"))
        text, notes = read_text(queries, queries_name)
        texts = _beir_queries(text, queries_name, used)
        qrels_text, more = read_text(qrels, qrels_name)
        labels = _labels(qrels_rows(qrels_text, qrels_name), texts, ids, qrels_name)
        notes += more + alias_notes(used, queries_name, "field")
    else:
        if qrels is not None:
            raise fail(qrels_name, None, "a queries CSV carries its own labels; leave the qrels file out")
        text, notes = read_text(queries, queries_name)
        texts, labels = _csv_queries(text, queries_name, ids, used)
        notes += alias_notes(used, queries_name)
    out = tuple(LabeledQuery(qid, body, {d: g for d, g in labels.get(qid, {}).items() if g > 0})
                for qid, body in texts.items())
    unlabelled = sum(1 for q in out if not q.relevant)
    if unlabelled:
        notes += (f"{queries_name}: {unlabelled} of {counted(len(out), 'query', 'queries')} "
                  f"{plural(unlabelled, 'has', 'have')} no relevant document and "
                  f"{plural(unlabelled, 'is', 'are')} left out of the evaluation.",)
    return out, notes
