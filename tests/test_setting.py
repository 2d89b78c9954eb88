"""Tests for components.setting: a Setting's prompts, and the one place a task's defaults come from."""

import pytest

from components.models import MODELS
from components.setting import Setting, default_setting
from components.tasks import TASKS, get_task


@pytest.mark.parametrize("model", [m for m in MODELS if m.source_kind == "package"], ids=lambda m: m.key)
@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.key)
def test_the_default_is_the_tasks_instructions_for_the_models_family(task, model):
    s = default_setting(task.key, model.key)
    ins = get_task(task.key).instructions_for(model)
    assert (s.model_key, s.query_instruction, s.document_instruction) == (model.key, ins.query, ins.document)
    assert s.include_prompt == model.include_prompt


def test_a_prompt_is_the_instruction_in_the_models_template():
    s = Setting("e5-small-offline", "query: ", "")
    assert s.prompt("query") == "query: " and s.prompt("document") == ""
    assert s.preset.key == "e5-small-offline"


def test_settings_are_values():
    assert Setting("minilm-offline", "a") == Setting("minilm-offline", "a", "", True)
    assert len({Setting("minilm-offline", "a"), Setting("minilm-offline", "a")}) == 1
    with pytest.raises(AttributeError):
        Setting("minilm-offline").query_instruction = "x"  # type: ignore[misc]


def test_an_unknown_task_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown task 'poetry'"):
        default_setting("poetry", "minilm-offline")
