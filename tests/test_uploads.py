"""Uploads: every accepted format, and every refusal naming file, line and problem."""

from __future__ import annotations

import codecs
import json

import pytest

from components import uploads
from components.errors import CorpusError
from components.uploads import corpus_from_upload, parse_documents, parse_labeled_queries, read_text


def jsonl(*rows: dict) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


DOCS = jsonl({"_id": "d1", "text": "apt installs packages"}, {"_id": "d2", "text": "cron runs jobs"},
             {"_id": "d3", "text": "mount a disk"})
QUERIES = jsonl({"_id": "q1", "text": "install software"}, {"_id": "q2", "text": "run a job nightly"},
                {"_id": "q3", "text": "unlabelled"})
QRELS = b"query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t1\nq2\td3\t0\n"


# --- documents: accepted formats -------------------------------------------------------------

@pytest.mark.parametrize("name, data, expected", [
    ("notes.txt", b"first doc\n\n  second doc  \r\nthird\n", [("doc-1", "first doc", ""), ("doc-2", "second doc", ""),
                                                               ("doc-3", "third", "")]),
    ("t.csv", b"ID,Title,Text\na,T1,alpha\nb,,\"beta, with comma\"\n",
     [("a", "alpha", "T1"), ("b", "beta, with comma", "")]),
    ("t.csv", b"content\nalpha\nbeta\n", [("doc-1", "alpha", ""), ("doc-2", "beta", "")]),
    ("t.csv", b"text,content\nalpha,x\n", [("doc-1", "alpha", "")]),  # an exact 'text' wins
    ("t.tsv", b"doc_id\tpassage\nx\tone two\n", [("x", "one two", "")]),
    ("t.csv", b"text\n\"multi\nline\"\nnext\n", [("doc-1", "multi\nline", ""), ("doc-2", "next", "")]),
    ("c.jsonl", jsonl({"_id": 7, "text": "seven", "title": "T"}, {"id": "x", "text": "ex"}, {"text": "anon"}),
     [("7", "seven", "T"), ("x", "ex", ""), ("doc-3", "anon", "")]),
    ("bom.txt", codecs.BOM_UTF8 + "café\n".encode(), [("doc-1", "café", "")]),
    ("UPPER.TXT", b"x\n", [("doc-1", "x", "")]),
])
def test_documents_are_parsed(name: str, data: bytes, expected) -> None:
    docs, notes = parse_documents(data, name)
    assert [(d.id, d.text, d.title) for d in docs] == expected
    assert notes == ()


def test_documents_from_a_path(tmp_path) -> None:
    path = tmp_path / "upload-tmp-123"
    path.write_bytes(b"one\ntwo\n")
    docs, _ = parse_documents(path, "mine.txt")
    assert [d.text for d in docs] == ["one", "two"]


def test_long_documents_are_cut_with_a_note(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_DOC_CHARS", 5)
    docs, notes = parse_documents(b"short\nmuch longer\n", "d.txt")
    assert [d.text for d in docs] == ["short", "much"]  # cut to 5, then stripped
    assert len(notes) == 1 and "'doc-2'" in notes[0] and "cut" in notes[0]


# --- documents: refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("name, data, message", [
    ("d.txt", b"ok\nbad \x00 byte\n", "d.txt, line 2: a NUL byte at byte offset 7"),
    ("d.txt", b"ok\nline two\ncaf\xe9\n", "d.txt, line 3: not UTF-8 (byte 0xe9 at byte offset 15)"),
    ("d.txt", codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"), "d.txt: the file is UTF-16"),
    ("d.txt", b"", "d.txt: the file is empty"),
    ("d.txt", b"  \n\n", "d.txt: the file is empty"),
    ("d.jsonl", b'{"text": "a"}\n{"text": "b"\n', "d.jsonl, line 2: malformed JSON"),
    ("d.jsonl", b'{"text": "a"}\n\n["x"]\n', "d.jsonl, line 3: expected a JSON object"),
    ("d.jsonl", b'{"text": "a"}\n{"title": "no text"}\n', "d.jsonl, line 2: missing field 'text'"),
    ("d.jsonl", b'{"text": {"nested": 1}}\n', "d.jsonl, line 1: field 'text' must be text"),
    ("d.jsonl", b'{"_id": "a", "id": "b", "text": "x"}\n', "d.jsonl, line 1: fields _id and id disagree"),
    ("d.jsonl", b'{"_id": "a", "text": "x"}\n{"_id": "b", "text": "y"}\n{"_id": "a", "text": "z"}\n',
     "d.jsonl, line 3: duplicate document id 'a' (first on line 1)"),
    ("d.jsonl", b'{"_id": "a", "text": "   "}\n', "d.jsonl, line 1: document 'a' has no text"),
    ("d.csv", b"id,title\n1,x\n", "d.csv, line 1: no document text column"),
    ("d.csv", b"content,passage\nx,y\n", "d.csv, line 1: columns content, passage could each be the document text"),
    ("d.csv", b"text,text\nx,y\n", "d.csv, line 1: column 'text' appears twice"),
    ("d.csv", b"\ntext\nx\n", "d.csv, line 1: the first line must be the header"),
    ("d.csv", b"id,text\n1,a\n2,b,c\n", "d.csv, line 3: 3 cells but the header has 2"),
    ("d.csv", b"id,text\n1,a\n\"2\",\"b\n\n", "d.csv, line 3: cannot parse the row"),
    ("d.csv", b"id,text\n1,a\n\"x\"y,b\n", "d.csv, line 3: cannot parse the row"),
    ("d.csv", b"id,text\n1,a\n,b\n", "d.csv, line 3: the id cell is empty"),
    ("d.csv", b"id,text\nx,\"two\nlines\"\nx,b\n", "d.csv, line 4: duplicate document id 'x' (first on line 2)"),
    ("d.json", b'[{"text": "a"}]', "d.json: JSON files are not read"),
    ("d.xlsx", b"PK", "d.xlsx: unsupported file type '.xlsx'"),
    ("noext", b"x", "noext: unsupported file type '(none)'"),
])
def test_bad_documents_are_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(CorpusError) as exc:
        parse_documents(data, name)
    assert str(exc.value).startswith(message)


def test_too_many_documents(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_DOCUMENTS", 2)
    with pytest.raises(CorpusError, match=r"^d.txt, line 4: more than 2 documents"):
        parse_documents(b"a\nb\n\nc\n", "d.txt")


@pytest.mark.parametrize("as_path", [False, True])
def test_too_large_file(monkeypatch, tmp_path, as_path: bool) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 4)
    path = tmp_path / "big.txt"
    path.write_bytes(b"hello world")
    with pytest.raises(CorpusError, match=r"^big.txt: the file is larger than"):
        read_text(path if as_path else path.read_bytes(), "big.txt")


def test_unreadable_path(tmp_path) -> None:
    with pytest.raises(CorpusError, match="^gone.txt: cannot be read"):
        read_text(tmp_path / "missing", "gone.txt")


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
    assert notes and "1 of 3 queries have no relevant document" in notes[0]


def test_csv_queries_group_rows() -> None:
    data = b"Query,doc_id,score\ninstall software,d1,2\nrun a job,d2,\nrun a job,d3,1\n"
    queries, notes = parse_labeled_queries(["d1", "d2", "d3"], data, "labels.csv")
    assert [(q.id, q.text, q.relevant) for q in queries] == [
        ("q-1", "install software", {"d1": 2}), ("q-2", "run a job", {"d2": 1, "d3": 1})]
    assert notes == ()


def test_csv_queries_with_ids_and_default_score() -> None:
    data = b"qid,question,corpus-id\nA,first,d1\nB,second,d2\nA,first,d3\n"
    queries, _ = parse_labeled_queries(["d1", "d2", "d3"], data, "labels.csv")
    assert [(q.id, q.relevant) for q in queries] == [("A", {"d1": 1, "d3": 1}), ("B", {"d2": 1})]


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
    (jsonl({"text": "a"}), QRELS, "queries.jsonl, line 1: missing field '_id'"),
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
    monkeypatch.setattr(uploads, "MAX_QUERIES", 3)
    qrels = b"q0\td1\t1\n" if name.endswith("jsonl") else None
    with pytest.raises(CorpusError, match=rf"^{name}, line [45]: more than 3 queries"):
        parse_labeled_queries(["d1"], data, name, qrels, "qrels.tsv")


def test_csv_queries_take_no_qrels() -> None:
    with pytest.raises(CorpusError, match="carries its own labels"):
        parse_labeled_queries(["d1"], b"query,doc_id\na,d1\n", "labels.csv", QRELS, "qrels.tsv")


# --- the whole corpus -------------------------------------------------------------------------

def test_corpus_from_upload() -> None:
    up = corpus_from_upload(DOCS, "corpus.jsonl", QUERIES, "queries.jsonl", QRELS, "qrels.tsv")
    assert up.corpus.ids == ["d1", "d2", "d3"] and up.corpus.title == "corpus.jsonl"
    assert [q.id for q in up.corpus.labeled_queries] == ["q1", "q2"]
    assert up.corpus.labels == "Uploaded: queries.jsonl + qrels.tsv"
    assert len(up.notes) == 1


def test_corpus_from_documents_only() -> None:
    up = corpus_from_upload(b"one\ntwo\n", "docs.txt")
    assert up.corpus.queries == () and up.corpus.labels == "" and up.notes == ()


def test_qrels_without_queries_are_refused() -> None:
    with pytest.raises(CorpusError, match="^qrels.tsv: qrels need the queries file"):
        corpus_from_upload(DOCS, "corpus.jsonl", qrels=QRELS, qrels_name="qrels.tsv")
