"""Task presets: defaults for every family, a real corpus behind every task."""

import pytest

from components.corpora import load_sample, sample_keys
from components.errors import UnknownTask
from components.models import FAMILIES, MODELS
from components.tasks import TASKS, get_task


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.key)
def test_task_has_defaults_for_every_family_and_a_corpus(task):
    task.validate()
    assert set(FAMILIES) <= set(task.defaults)
    assert task.corpus in sample_keys()
    assert load_sample(task.corpus).example_queries()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.key)
def test_every_model_gets_instructions_for_every_task(model):
    for task in TASKS:
        ins = task.instructions_for(model)
        assert isinstance(ins.query, str) and isinstance(ins.document, str)


def test_the_shipped_tasks_are_there():
    assert {"similar", "qa", "faq", "docsim", "code", "summary"} <= {t.key for t in TASKS}


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
