"""Corpora with kinds of documents and labels per task: the mixed sample corpus and the rules."""

from collections import Counter

import pytest

from components.corpora import Corpus, Document, LabeledQuery, kind_name, load_sample, manifest
from components.errors import CorpusError
from components.tasks import MIXED_CORPUS, MIXED_TASKS, get_task

KINDS = {"question", "answer", "code", "doc", "definition"}


@pytest.fixture(scope="module")
def mixed() -> Corpus:
    return load_sample(MIXED_CORPUS)


def test_mixed_corpus_has_five_kinds_and_a_kind_on_every_document(mixed):
    assert 400 <= len(mixed.documents) <= 800
    assert set(mixed.kinds) == KINDS and all(d.kind for d in mixed.documents)
    assert min(Counter(d.kind for d in mixed.documents).values()) >= 100


def test_manifest_entry_names_tasks_sources_licences_and_the_wordnet_notice():
    entry = {e["key"]: e for e in manifest()}[MIXED_CORPUS]
    assert tuple(entry["tasks"]) == MIXED_TASKS and entry["task"] in entry["tasks"]
    for words in ("perl-doc", "python3.11-doc 3.11.2-6+deb12u8", "wordnet-base 1:3.0-37", "seed"):
        assert words in entry["source"]
    for words in ("Artistic", "PSF License", "WordNet 3.0 license"):
        assert words in entry["license"]
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in entry["notice"]
    assert "relevant_by_task" in entry["labels"]


def test_one_query_text_has_different_relevant_documents_per_task(mixed):
    multi = [q for q in mixed.queries if len(q.by_task) >= 2]
    assert len(multi) >= 40
    for q in multi:
        targets = [set(labels) for labels in q.by_task.values()]
        assert len({frozenset(t) for t in targets}) == len(targets), q.id  # no two tasks share their answer


@pytest.mark.parametrize("task", MIXED_TASKS)
def test_each_task_labels_documents_of_one_kind(mixed, task):
    view = mixed.with_task(task)
    assert view.task == task and get_task(task).corpus == MIXED_CORPUS
    kinds = {d.kind for d in view.documents if any(d.id in q.relevant for q in view.labeled_queries)}
    assert len(kinds) == 1
    assert len(view.labeled_queries) >= 50
    examples = view.example_queries()
    assert view.query_by_text(examples[0]).relevant  # the task's own examples come first


def test_query_by_text_picks_the_task(mixed):
    text = "How can I sort a hash by its values?"
    assert mixed.query_by_text(text, "mixed-similar").relevant == {"question/perlfaq-d113": 1}
    assert mixed.query_by_text(text, "mixed-qa").relevant == {"answer/perlfaq-d113": 1}
    assert mixed.query_by_text(text).relevant == mixed.query_by_text(text, mixed.task).relevant
    assert mixed.query_by_text(text, "mixed-code").relevant == {}
    with pytest.raises(CorpusError, match="not for 'qa'"):
        mixed.query_by_text(text, "qa")


def test_definitions_do_not_use_their_own_word(mixed):
    for d in mixed.documents:
        if d.kind == "definition":
            assert d.title and d.title.split()[-1].lower() not in d.text.lower(), d.id


def _tiny(**query) -> Corpus:
    docs = (Document("q1", "how do I sort", kind="question"), Document("a1", "use sort", kind="answer"))
    return Corpus("t", "T", docs, (LabeledQuery("x", "sorting?", **query),), task="one", tasks=("one", "two"))


def test_single_task_corpora_are_unchanged(pets):
    assert pets.kinds == () and pets.tasks == ()
    for task in (None, "qa", "code", "anything"):
        assert pets.with_task(task) is pets
    assert pets.query_by_text("Which pet can talk?", "code").relevant == {"d4": 2}
    assert pets.with_task("code").labeled_queries == pets.labeled_queries


def test_per_task_labels_are_checked():
    corpus = _tiny(relevant={"q1": 1}, by_task={"one": {"q1": 1}, "two": {"a1": 1}})
    assert corpus.with_task("two").queries[0].relevant == {"a1": 1}
    assert corpus.with_task("two") is corpus.with_task("two")  # one view per task, kept
    with pytest.raises(CorpusError, match="unknown document ids"):
        _tiny(by_task={"two": {"zz": 1}})
    with pytest.raises(CorpusError, match="labels for 'three'"):
        _tiny(by_task={"three": {"a1": 1}})


@pytest.mark.parametrize("kind, n, name", [("answer", 1, "answer passage"), ("answer", 2, "answer passages"),
                                           ("doc", 3, "documentation paragraphs"), ("poem", 2, "poems")])
def test_kind_names(kind, n, name):
    assert kind_name(kind, n) == name
