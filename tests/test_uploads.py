"""Uploaded documents: every accepted format, and every refusal naming file, line and problem."""

from __future__ import annotations

import codecs
import json

import pytest

from components import uploads
from components.errors import CorpusError
from components.uploads import corpus_from_upload, parse_documents


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
    ("t.csv", b"text,content\nalpha,x\n", [("doc-1", "alpha", "")]),  # an exact 'text' wins
    ("t.tsv", b"_id\ttext\nx\tone two\n", [("x", "one two", "")]),
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
    assert notes == ("d.txt: 1 document longer than 5 characters was cut to that length ('doc-2').",)
    _, notes = parse_documents(b"much longer\nlonger still\n", "d.txt")
    assert notes == ("d.txt: 2 documents longer than 5 characters were cut to that length (first: 'doc-1').",)


# --- documents: one rule for columns (CSV) and fields (JSONL) ---------------------------------

@pytest.mark.parametrize("name, data, notes", [
    ("t.csv", b"id,body\na,alpha\n", ("t.csv: the document text comes from column 'body' (no column 'text').",)),
    ("t.jsonl", jsonl({"id": "a", "body": "alpha"}),
     ("t.jsonl: the document text comes from field 'body' (no field 'text').",)),
    ("t.tsv", b"doc_id\tpassage\na\talpha\n",
     ("t.tsv: the document text comes from column 'passage' (no column 'text').",
      "t.tsv: the document id comes from column 'doc_id' (no column 'id').")),
    ("t.jsonl", jsonl({"docid": "a", "Content": "alpha"}),
     ("t.jsonl: the document text comes from field 'content' (no field 'text').",
      "t.jsonl: the document id comes from field 'docid' (no field 'id').")),
    ("t.csv", b"ID,Text\na,alpha\n", ()),
    ("t.jsonl", jsonl({"_id": "a", "text": "alpha"}), ()),
])
def test_an_alias_is_accepted_and_named(name: str, data: bytes, notes) -> None:
    docs, got = parse_documents(data, name)
    assert [(d.id, d.text) for d in docs] == [("a", "alpha")]
    assert got == notes


@pytest.mark.parametrize("name, data, message", [
    ("d.csv", b"id,title\n1,x\n", "d.csv, line 1: no document text column: name one 'text' or 'document' or "
     "'content' or 'passage' or 'body' (found: 'id', 'title')"),
    ("d.jsonl", jsonl({"id": "1", "title": "x"}), "d.jsonl, line 1: no document text field: name one 'text' or "
     "'document' or 'content' or 'passage' or 'body' (found: 'id', 'title')"),
    ("d.csv", b"content,passage\nx,y\n", "d.csv, line 1: columns content, passage could each be the document text"),
    ("d.jsonl", jsonl({"content": "x", "passage": "y"}),
     "d.jsonl, line 1: fields content, passage could each be the document text"),
    ("d.csv", b"id,_id,text\na,b,x\n", "d.csv, line 1: columns id, _id could each be the document id"),
    ("d.jsonl", jsonl({"_id": "a", "id": "b", "text": "x"}),
     "d.jsonl, line 1: fields id, _id could each be the document id"),
])
def test_missing_or_ambiguous_columns_are_refused_alike(name: str, data: bytes, message: str) -> None:
    with pytest.raises(CorpusError) as exc:
        parse_documents(data, name)
    assert str(exc.value).startswith(message)


def test_stray_control_characters_are_removed_with_a_note() -> None:
    docs, notes = parse_documents(b"one\ntwo\nthree\nfour\nbad \x00byte\n", "d.txt")
    assert [d.text for d in docs][-1] == "bad byte"
    assert notes == ("d.txt: removed 1 control character (U+0000) on line 5.",)


# --- documents: refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("name, data, message", [
    ("d.txt", b"ok\n" + b"\x00" * 40 + b"x\n", "d.txt, line 2: 40 control characters (U+0000), the first on this "
     "line: this looks like a binary file"),
    ("d.txt", b"ok\nline two\ncaf\xe9\n", "d.txt, line 3: not UTF-8 (byte 0xe9 at byte offset 15)"),
    ("d.txt", codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"), "d.txt: the file is UTF-16"),
    ("d.txt", b"", "d.txt: the file is empty"),
    ("d.txt", b"  \n\n", "d.txt: the file is empty"),
    ("d.jsonl", b'{"text": "a"}\n{"text": "b"\n', "d.jsonl, line 2: malformed JSON"),
    ("d.jsonl", b'{"text": "a"}\n\n["x"]\n', "d.jsonl, line 3: expected a JSON object"),
    ("d.jsonl", b'{"text": "a"}\n{"title": "no text"}\n', "d.jsonl, line 2: no document text field"),
    ("d.jsonl", b'{"text": {"nested": 1}}\n', "d.jsonl, line 1: field 'text' must be text"),
    ("d.jsonl", b'{"Text": "a", "text": "b"}\n',
     "d.jsonl, line 1: fields 'Text' and 'text' differ only in letter case"),
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
