"""Sample corpora, manifest, BEIR folders and their error messages."""

import json

import pytest

from components import corpora
from components.corpora import Corpus, Document, LabeledQuery, load_beir, load_sample, manifest, sample_keys
from components.errors import CorpusError


@pytest.mark.parametrize("key", sample_keys())
def test_every_manifest_entry_loads_with_provenance(key):
    entry = {e["key"]: e for e in manifest()}[key]
    for field in ("title", "task", "source", "license", "labels", "corpus"):
        assert entry[field], field
    corpus = load_sample(key)
    assert len(corpus.documents) >= 50
    assert corpus.example_queries()
    for q in corpus.queries:
        assert q.origin in ("data", "hand-written", "template")
        assert set(q.relevant) <= set(corpus.ids)
        assert set(q.by_task) <= set(corpus.tasks)


def test_labelled_corpora_have_labels():
    labelled = {k: len(load_sample(k).labeled_queries) for k in sample_keys()}
    assert labelled["python_faq_qa"] == 175
    assert labelled["python_stdlib_code"] == 200
    assert labelled["debian_faq"] >= 15 and labelled["perlfaq_questions"] >= 15


def test_python_faq_documents_do_not_contain_their_question():
    corpus = load_sample("python_faq_qa")
    q = corpus.query_by_text("How does Python manage memory?")
    assert q is not None
    (doc_id,) = q.relevant
    assert q.text not in dict(zip(corpus.ids, corpus.texts))[doc_id]


@pytest.mark.parametrize("name,queries", [("perlfaq", 301), ("debian_faq", 100)])
def test_shipped_beir_folders_load(name, queries):
    corpus = load_beir(corpora.SAMPLE_DIR / "beir" / name)
    assert len(corpus.labeled_queries) == queries


def test_duplicate_ids_and_unknown_labels_are_refused():
    with pytest.raises(CorpusError, match="duplicate document id 'a'"):
        Corpus("x", "x", (Document("a", "1"), Document("a", "2")))
    with pytest.raises(CorpusError, match="unknown document ids"):
        Corpus("x", "x", (Document("a", "1"),), (LabeledQuery("q", "t", {"zz": 1}),))
    with pytest.raises(CorpusError, match="no documents"):
        Corpus("x", "x", ())


def _write_beir(folder, qrels_text):
    folder.mkdir()
    (folder / "corpus.jsonl").write_text('{"_id": "d1", "title": "T", "text": "one"}\n{"_id": "d2", "text": "two"}\n')
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "first"}\n')
    (folder / "qrels.tsv").write_text(qrels_text)


def test_beir_loading_and_messages(tmp_path):
    _write_beir(tmp_path / "ok", "query-id\tcorpus-id\tscore\nq1\td2\t2\nq1\td1\t0\n")
    corpus = load_beir(tmp_path / "ok")
    assert corpus.queries[0].relevant == {"d2": 2}  # grade 0 is not relevant
    assert corpus.documents[0].title == "T"
    _write_beir(tmp_path / "bad", "query-id\tcorpus-id\tscore\nq1\td2\n")
    with pytest.raises(CorpusError, match="line 2"):
        load_beir(tmp_path / "bad")
    with pytest.raises(CorpusError, match="missing corpus.jsonl"):
        load_beir(tmp_path / "nothing-here")


@pytest.mark.parametrize("qrels", [
    "query-id\tcorpus-id\tscore\nq1\td2\t2\n",  # BEIR's header
    "q1\td2\t2\n",  # no header
    "q1 0 d2 2\n",  # TREC's four columns
])
def test_beir_folders_take_qrels_as_uploads_do(tmp_path, qrels):
    """One rule for qrels (``components.beir``): the same files load from a folder and as uploads."""
    from components.uploads import corpus_from_upload

    _write_beir(tmp_path / "f", qrels)
    folder = load_beir(tmp_path / "f")
    uploaded = corpus_from_upload(tmp_path / "f" / "corpus.jsonl", "corpus.jsonl", tmp_path / "f" / "queries.jsonl",
                                  "queries.jsonl", tmp_path / "f" / "qrels.tsv", "qrels.tsv").corpus
    assert folder.queries[0].relevant == uploaded.queries[0].relevant == {"d2": 2}


def test_fingerprint_follows_content():
    a = Corpus("a", "A", (Document("1", "x"),))
    b = Corpus("b", "B", (Document("1", "x"),))
    c = Corpus("a", "A", (Document("1", "y"),))
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_extra_corpora_folder_adds_entries(tmp_path, monkeypatch):
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "z1", "text": "zebra"}) + "\n")
    (tmp_path / "manifest.json").write_text(json.dumps({"corpora": [{
        "key": "extra", "title": "Extra", "task": "qa", "corpus": "c.jsonl",
        "source": "test", "license": "CC0", "labels": "none"}]}))
    monkeypatch.setenv(corpora.EXTRA_ENV, str(tmp_path))
    manifest.cache_clear()
    load_sample.cache_clear()
    try:
        assert "extra" in sample_keys()
        assert load_sample("extra").texts == ["zebra"]
    finally:
        monkeypatch.delenv(corpora.EXTRA_ENV)
        manifest.cache_clear()
        load_sample.cache_clear()


def test_a_labelled_corpus_hashes_like_its_content():
    """An uploaded corpus lives in the page's state, which gradio hashes to see changes."""
    def make(grade: int) -> Corpus:
        return Corpus("up", "Up", (Document("a", "x"), Document("b", "y")),
                      (LabeledQuery("q", "x?", {"a": grade}),))

    assert hash(make(1)) == hash(make(1))
    assert hash(make(1)) != hash(make(2))
