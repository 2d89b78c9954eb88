"""components.beir: one reader of BEIR files, one rule for qrels headers."""

import pytest

from components.beir import grade, qrels_rows, read_jsonl, read_qrels
from components.errors import CorpusError


@pytest.mark.parametrize("text", [
    "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n",
    "q1\td1\t1\nq1\td2\t0\n",
    "qid\titer\tdocid\trelevance\nq1\t0\td1\t1\nq1\t0\td2\t0\n",
    "q1 0 d1 1\nq1 0 d2 0\n",
])
def test_qrels_with_or_without_header_beir_or_trec(text):
    assert [(q, d, g) for _, q, d, g in qrels_rows(text, "qrels.tsv")] == [("q1", "d1", 1), ("q1", "d2", 0)]


@pytest.mark.parametrize("text, message", [
    ("q1\td1\n", "qrels.tsv, line 1: expected 3 tab-separated columns"),
    ("q1\td1\thigh\n", "qrels.tsv, line 1: score 'high' is not a number"),
    ("q1\td1\t1.5\n", "qrels.tsv, line 1: score '1.5' is not a whole number"),
])
def test_bad_qrels_name_the_line(text, message):
    with pytest.raises(CorpusError, match=message):
        list(qrels_rows(text, "qrels.tsv"))


def test_grade_takes_whole_numbers_written_as_floats():
    assert grade("2.0", "q", 1) == 2


def test_files_on_disk_have_no_upload_bound(tmp_path, monkeypatch):
    from components import upload_reading

    monkeypatch.setattr(upload_reading, "MAX_FILE_BYTES", 4)
    (tmp_path / "c.jsonl").write_text('{"_id": "a", "text": "x"}\n\n{"_id": "b", "text": "y"}\n')
    (tmp_path / "qrels.tsv").write_text("q\ta\t1\nq\tb\t0\n")
    assert read_jsonl(tmp_path / "c.jsonl") == [(1, {"_id": "a", "text": "x"}), (3, {"_id": "b", "text": "y"})]
    assert read_qrels(tmp_path / "qrels.tsv") == {"q": {"a": 1, "b": 0}}


def test_bad_json_names_file_and_line(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"_id": "a"}\n{oops\n')
    with pytest.raises(CorpusError, match="c.jsonl, line 2: malformed JSON"):
        read_jsonl(tmp_path / "c.jsonl")
