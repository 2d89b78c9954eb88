"""Reading-comprehension questions from the BIG-bench 1.0.0 sdist: question → passage, question ↔ question.

Uses the question-generation subtasks of BIG-bench's ``natural_instructions``
task (Quoref, ROPES, CosmosQA, MultiRC: a passage and the questions written
about it; QASC: a one-sentence fact and a question it answers). A passage's
first question is the query; its answer target is the passage, its
question target another question about the same passage. DROP is not read
(part of its passages repeat SQuAD paragraphs). Passages longer than
``MAX_WORDS`` are left out (the model reads 112 tokens in training).

Licence: the sdist's metadata says ``License: UNKNOWN``; BIG-bench's dataset
card says Apache-2.0, and its task files carry a canary asking that benchmark
data stay out of training corpora (recorded in the model card).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from training.pairs import Pair, words

SUBTASKS = {
    "quoref": "subtask001_quoref_question_generation",
    "cosmosqa": "subtask023_cosmosqa_question_generation",
    "qasc": "subtask040_qasc_question_generation",
    "multirc": "subtask048_multirc_question_generation",
    "ropes": "subtask060_ropes_question_generation",
}
MEMBERS = tuple(f"{name}/task.json" for name in SUBTASKS.values())
MAX_WORDS = 200
_LABEL = re.compile(r"^(Passage|Context|Fact|Paragraph-|Background Paragraph)\s*:?\s*")
_SENT = re.compile(r"Sent \d+:\s*")


def _clean_passage(text: str) -> str:
    text = _LABEL.sub("", text.strip())
    text = _SENT.sub(" ", text).replace("\nStory:", "\n")
    return " ".join(text.split())


def _questions(target: object) -> list[str]:
    items = target if isinstance(target, list) else [target]
    out = []
    for q in items:
        q = " ".join(str(q).split()).lstrip(": ")
        if 3 <= words(q) <= 40 and q.endswith("?") and q not in out:
            out.append(q)
    return out


def extract(root: Path) -> list[Pair]:
    """Pairs from the unpacked task files of the BIG-bench sdist."""
    pairs: list[Pair] = []
    for name, folder in SUBTASKS.items():
        path = next(root.rglob(f"{folder}/task.json"))
        for example in json.loads(path.read_text(encoding="utf-8"))["examples"]:
            passage = _clean_passage(example["input"])
            questions = _questions(example["target"])
            if not questions or not 5 <= words(passage) <= MAX_WORDS:
                continue
            targets = {"answer": passage}
            if len(questions) > 1:
                targets["question"] = questions[1]
            pairs.append(Pair(name, "reading comprehension", questions[0], targets))
    return pairs
