"""What a person chose: a model, one instruction per role, the pooling switch.

``Setting`` is the value every part of the app passes around (the page, the
evaluator, the benchmarks, the start-up work); ``default_setting`` is the one
place that says what a task's default instructions are for a model.

Example:
    >>> s = default_setting("qa", "e5-small-offline")
    >>> (s.query_instruction, s.document_instruction, s.prompt("document"))
    ('query: ', 'passage: ', 'passage: ')
"""

from __future__ import annotations

from dataclasses import dataclass

from components.models import ModelPreset, Role, get_model
from components.tasks import get_task


@dataclass(frozen=True)
class Setting:
    """A model key, the query and document instructions, and whether instructions are pooled."""

    model_key: str
    query_instruction: str = ""
    document_instruction: str = ""
    include_prompt: bool = True

    @property
    def preset(self) -> ModelPreset:
        return get_model(self.model_key)

    def prompt(self, role: Role) -> str:
        """The text put before a ``role`` text: the instruction in the model's template, or ''."""
        instruction = self.query_instruction if role == "query" else self.document_instruction
        return self.preset.apply(role, instruction)


def default_setting(task_key: str, model_key: str) -> Setting:
    """The task's documented default instructions and pooling rule for the model's family."""
    preset = get_model(model_key)
    ins = get_task(task_key).instructions_for(preset)
    return Setting(model_key, ins.query, ins.document, preset.include_prompt)
