"""Uploaded labelled queries: BEIR and CSV, and every refusal naming file, line and problem."""

from __future__ import annotations

import json

import pytest

from components import upload_queries
from components.errors import CorpusError
from components.upload_queries import parse_labeled_queries


def jsonl(*rows: dict) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


QUERIES = jsonl({"_id": "q1", "text": "install software"}, {"_id": "q2", "text": "run a job nightly"},
                {"_id": "q3", "text": "unlabelled"})
QRELS = b"query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t1\nq2\td3\t0\n"


# --- labelled queries -------------------------------------------------------------------------

@pytest.mark.parametrize("qrels", [
    QRELS,
    b"q1\td1\t2\nq2\td2\t1\nq2\td3\t0\n",  # no header
    b"q1 0 d1 2\nq2 0 d2 1\nq2 0 d3 0\n",  # TREC qrels
    b"query-id\tcorpus-id\tscore\r\nq1\td1\t2.0\r\nq2\td2\t1\r\n",
])
def test_beir_queries(qrels: bytes) -> None:
    queries, notes = parse_labeled_queries(["d1", "d2", "d3"], QUERIES, "queries.jsonl", qrels, "qrels.tsv")
    assert [(q.id, q.text, q.relevant) for q in queries] == [
        ("q1", "install software", {"d1": 2}), ("q2", "run a job nightly", {"d2": 1}), ("q3", "unlabelled", {})]
    assert notes == ("queries.jsonl: 1 of 3 queries has no relevant document and is left out of the evaluation.",)


def test_csv_queries_group_rows() -> None:
    data = b"Query,doc_id,score\ninstall software,d1,2\nrun a job,d2,\nrun a job,d3,1\n"
    queries, notes = parse_labeled_queries(["d1", "d2", "d3"], data, "labels.csv")
    assert [(q.id, q.text, q.relevant) for q in queries] == [
        ("q-1", "install software", {"d1": 2}), ("q-2", "run a job", {"d2": 1, "d3": 1})]
    assert notes == ()


def test_csv_queries_with_ids_and_default_score() -> None:
    data = b"qid,question,corpus-id\nA,first,d1\nB,second,d2\nA,first,d3\n"
    queries, notes = parse_labeled_queries(["d1", "d2", "d3"], data, "labels.csv")
    assert [(q.id, q.relevant) for q in queries] == [("A", {"d1": 1, "d3": 1}), ("B", {"d2": 1})]
    assert notes == ("labels.csv: the query comes from column 'question' (no column 'query').",
                     "labels.csv: the query id comes from column 'qid' (no column 'query_id').")


def test_beir_queries_accept_an_alias_with_a_note() -> None:
    data = jsonl({"id": "q1", "query": "install software"})
    queries, notes = parse_labeled_queries(["d1"], data, "queries.jsonl", b"q1\td1\t1\n", "qrels.tsv")
    assert [(q.id, q.text) for q in queries] == [("q1", "install software")]
    assert notes == ("queries.jsonl: the query text comes from field 'query' (no field 'text').",)


@pytest.mark.parametrize("queries, qrels, message", [
    (QUERIES, b"query-id\tcorpus-id\tscore\nq1\td1\t1\nq9\td1\t1\n", "qrels.tsv, line 3: unknown query id 'q9'"),
    (QUERIES, b"q1\td1\t1\n\nq2\tnope\t1\n", "qrels.tsv, line 3: unknown document id 'nope'"),
    (QUERIES, b"q1\td1\t1\nq1\td1\t2\n",
     "qrels.tsv, line 2: query 'q1' and document 'd1' are judged twice (first on line 1)"),
    (QUERIES, b"q1\td1\thigh\n", "qrels.tsv, line 1: score 'high' is not a number"),
    (QUERIES, b"q1\td1\t1.5\n", "qrels.tsv, line 1: score '1.5' is not a whole number"),
    (QUERIES, b"q1\td1\n", "qrels.tsv, line 1: expected 3 tab-separated columns"),
    (QUERIES, b"q1\td1\t0\n", "qrels.tsv: no query has a relevant document"),
    (QUERIES, b"q1\td1\t1\xff\n", "qrels.tsv, line 1: not UTF-8"),
    (jsonl({"_id": "q1", "text": "a"}, {"_id": "q1", "text": "b"}), QRELS,
     "queries.jsonl, line 2: duplicate query id 'q1' (first on line 1)"),
    (jsonl({"text": "a"}), QRELS, "queries.jsonl, line 1: no query id field: name one '_id' or 'id' (found: 'text')"),
    (jsonl({"_id": "q1", "text": ""}), QRELS, "queries.jsonl, line 1: query 'q1' has no text"),
    (b'{"_id": "q1", "text": "a"}\n{oops}\n', QRELS, "queries.jsonl, line 2: malformed JSON"),
    (QUERIES, None, "queries.jsonl: BEIR queries need their qrels.tsv"),
])
def test_bad_beir_queries_are_refused(queries: bytes, qrels: bytes | None, message: str) -> None:
    with pytest.raises(CorpusError) as exc:
        parse_labeled_queries(["d1", "d2", "d3"], queries, "queries.jsonl", qrels, "qrels.tsv")
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize("data, message", [
    (b"query,doc_id\nfirst,d1\nsecond,d9\n", "labels.csv, line 3: unknown document id 'd9'"),
    (b"query,doc_id\n,d1\n", "labels.csv, line 2: the query cell is empty"),
    (b"question\nfirst\n", "labels.csv, line 1: no relevant document id column"),
    (b"doc_id\nd1\n", "labels.csv, line 1: no query column"),
    (b"query_id,query,doc_id\nA,first,d1\nA,other,d2\n", "labels.csv, line 3: query id 'A' is used for two"),
    (b"query,doc_id\nfirst,d1\nfirst,d1\n", "labels.csv, line 3: query 'q-1' and document 'd1' are judged twice"),
    (b"query,doc_id,score\nfirst,d1,x\n", "labels.csv, line 2: score 'x' is not a number"),
])
def test_bad_csv_queries_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(CorpusError) as exc:
        parse_labeled_queries(["d1", "d2"], data, "labels.csv")
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize("name, data", [
    ("queries.jsonl", "\n".join(json.dumps({"_id": f"q{i}", "text": f"t{i}"}) for i in range(4)).encode()),
    ("labels.csv", b"query,doc_id\n" + b"".join(b"t%d,d1\n" % i for i in range(4))),
])
def test_too_many_queries(monkeypatch, name: str, data: bytes) -> None:
    monkeypatch.setattr(upload_queries, "MAX_QUERIES", 3)
    qrels = b"q0\td1\t1\n" if name.endswith("jsonl") else None
    with pytest.raises(CorpusError, match=rf"^{name}, line [45]: more than 3 queries"):
        parse_labeled_queries(["d1"], data, name, qrels, "qrels.tsv")


def test_csv_queries_take_no_qrels() -> None:
    with pytest.raises(CorpusError, match="carries its own labels"):
        parse_labeled_queries(["d1"], b"query,doc_id\na,d1\n", "labels.csv", QRELS, "qrels.tsv")
