"""Task presets: defaults for every family, a real corpus behind every task."""

import dataclasses

import pytest

from components.corpora import load_sample, sample_keys
from components.errors import UnknownTask
from components.models import FAMILIES, MODELS, get_model
from components.tasks import FAMILY_FALLBACK, MIXED_TASKS, TASKS, get_task


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.key)
def test_task_has_defaults_for_every_family_and_a_corpus(task):
    task.validate()
    assert set(FAMILIES) <= set(task.defaults) | {f for f in FAMILIES if FAMILY_FALLBACK.get(f) in task.defaults}
    assert task.corpus in sample_keys()
    assert load_sample(task.corpus).example_queries()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.key)
def test_every_model_gets_instructions_for_every_task(model):
    for task in TASKS:
        ins = task.instructions_for(model)
        assert isinstance(ins.query, str) and isinstance(ins.document, str)


def test_the_tasks_are_there():
    assert {t.key for t in TASKS} == {"similar", "qa", "faq", "docsim", "code", "summary", *MIXED_TASKS}
    assert set(MIXED_TASKS) == {"mixed-similar", "mixed-qa", "mixed-code", "mixed-doc", "mixed-definition"}


@pytest.mark.parametrize("family", FAMILIES)
def test_mixed_tasks_share_one_document_instruction_and_differ_by_query(family):
    """Switching between the mixed tasks re-encodes only the query."""
    defaults = [get_task(t).defaults.get(family) or get_task(t).defaults[FAMILY_FALLBACK[family]]
                for t in MIXED_TASKS]
    assert len({d.document for d in defaults}) == 1
    if family in ("instructor", "none", "e5-instruct"):
        assert len({d.query for d in defaults}) == len(MIXED_TASKS)  # the query instruction names the target
    for model in (m for m in MODELS if m.family == family):
        assert [get_task(t).instructions_for(model) for t in MIXED_TASKS] == defaults


def test_family_fallback_fills_a_missing_family():
    task = get_task("mixed-qa")
    assert "none" not in task.defaults
    assert task.instructions_for(get_model("minilm-offline")) == task.defaults["instructor"]
    assert task.instructions_for(get_model("e5-small-offline")).document == "passage: "
    broken = dataclasses.replace(task, defaults={"instructor": task.defaults["instructor"]})
    with pytest.raises(ValueError, match="no default instructions"):
        broken.validate()


@pytest.mark.parametrize("key,symmetric", [("similar", True), ("docsim", True), ("qa", False), ("code", False),
                                           ("summary", False)])
def test_symmetric_tasks_use_one_instruction_for_both_sides(key, symmetric):
    task = get_task(key)
    assert task.symmetric is symmetric
    same = task.defaults["instructor"].query == task.defaults["instructor"].document
    assert same is symmetric
    assert task.defaults["e5"].query == "query: "
    assert (task.defaults["e5"].document == "query: ") is symmetric


def test_an_unknown_task_is_a_named_error():
    with pytest.raises(UnknownTask, match="unknown task 'nope'; known: similar"):
        get_task("nope")


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.key)
def test_models_whose_documents_take_no_instruction_get_none_by_default(task):
    """One flag per model (``instructs_documents``), not a "" written into every task."""
    for model in MODELS:
        ins = task.instructions_for(model)
        if not model.instructs_documents:
            assert ins.document == ""
    for family in ("e5-instruct", "bge"):
        assert task.defaults[family].document == ""
