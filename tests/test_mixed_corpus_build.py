"""The mixed corpus's builder: its readers on tiny inputs, and the shipped files against it."""

import json
import sys
from pathlib import Path

import pytest

from benchmarks.mixed_corpus import kind_summary
from components.corpora import Corpus, Document, LabeledQuery, load_sample

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import mixed_corpus_sources as sources  # noqa: E402

PAGE = """<html><body>
<dl class="py class"><dt class="sig sig-object py" id="m.C">C</dt><dd><p>A class.</p>
<dl class="py method"><dt class="sig sig-object py" id="m.C.go">go()</dt>
<dd><div class="versionadded"><p>New in 3.2.</p></div><p>Go <em>far</em> &amp;
  fast.</p><p>Second paragraph.</p></dd></dl>
</dd></dl>
<dl class="py function"><dt class="sig sig-object py" id="m.f">f</dt><dt class="sig sig-object py" id="m.g">g</dt>
<dd><p>Shared <code>text</code>.<br></p></dd></dl>
<dl class="py attribute"><dt class="sig sig-object py" id="m.x">x</dt><dd><p>Not a callable.</p></dd></dl>
</body></html>"""


def test_first_direct_paragraph_of_each_callable(tmp_path: Path):
    (tmp_path / "m.html").write_text(PAGE, encoding="utf-8")
    found = sources.doc_paragraphs(tmp_path)
    assert found == {"m.C.go": "Go far & fast.", "m.f": "Shared text.", "m.g": "Shared text."}


@pytest.mark.parametrize("function_id, doc_id", [("posixpath.isdir", "os.path.isdir"),
                                                 ("json.__init__.dumps", "json.dumps"),
                                                 ("json.decoder.JSONDecoder.decode", "json.JSONDecoder.decode"),
                                                 ("base64.b64encode", "base64.b64encode")])
def test_reference_ids(function_id, doc_id):
    assert sources.doc_id_for(function_id) == doc_id


def test_near_copies_are_recognised():
    assert sources.near_copy("Set the first sequence to be compared.",
                             "Set the first sequence to be compared. The second is not changed.")
    assert not sources.near_copy("Return true if the pathname refers to an existing directory.",
                                 "Return True if path is an existing directory. This follows symbolic links.")


def test_wordnet_glosses_and_self_reference():
    assert sources._gloss('a program that translates; "the compiler ran"') == "a program that translates"
    assert sources._names_itself("hash table", "a table indexed by a hash") is True
    assert sources._names_itself("compiler", "a program that compiles code") is True
    assert sources._names_itself("compiler", "a program that translates code") is False


def test_shipped_files_follow_the_builder():
    corpus = load_sample("mixed_kinds")
    rows = [json.loads(line) for line in (REPO / "scripts/mixed_corpus_perl_queries.jsonl").read_text().splitlines()]
    texts = {q.text for q in corpus.queries}
    assert all(r["text"] in texts for r in rows)  # every extra hand-written paraphrase is a query
    for q in corpus.queries:
        if "mixed-qa" in q.by_task:
            (answer,) = q.by_task["mixed-qa"]
            (question,) = q.by_task["mixed-similar"]
            assert answer.split("/")[1] == question.split("/")[1]  # the same FAQ entry


def test_kind_summary_counts_right_kinds():
    docs = (Document("q", "q", kind="question"), Document("a", "a", kind="answer"), Document("b", "b", kind="answer"))
    corpus = Corpus("t", "T", docs, (LabeledQuery("x", "x", {"a": 1}), LabeledQuery("y", "y", {"b": 1})))
    tops = {"baseline": {"x": ("q", "a", "b"), "y": ("b", "q", "a")}, "instructed": {"x": ("a", "b", "q"),
                                                                                    "y": ("a", "b", "q")}}
    out = kind_summary(corpus, tops)
    assert out["baseline"] == {"top1_right_kind": 1, "right_kind_in_top10": 2.0}
    assert out["instructed"]["top1_right_kind"] == 2 and out["n_queries"] == 2
