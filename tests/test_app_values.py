"""Tests for components.app.values: the page's values as plain objects, without gradio."""

import types

import pytest

from components.app.values import corpus_choices, page_corpus, page_setting, session_key
from components.corpora import manifest
from components.errors import LensError
from components.links import UPLOAD_KEY


def test_the_choices_are_every_sample_corpus_then_the_upload(pets):
    samples = [(e["title"], e["key"]) for e in manifest()]
    assert corpus_choices(None) == samples
    assert corpus_choices(pets) == samples + [("Your upload: Pets", UPLOAD_KEY)]


def test_the_upload_is_this_sessions_corpus_or_a_message(pets):
    assert page_corpus(UPLOAD_KEY, pets) is pets
    with pytest.raises(LensError, match="No corpus uploaded"):
        page_corpus(UPLOAD_KEY, None)


def test_a_corpus_with_labels_per_task_takes_the_tasks_labels():
    assert page_corpus("mixed_kinds", None, "mixed-code").task == "mixed-code"
    assert page_corpus("mixed_kinds", None, "qa").task == "mixed-qa"  # not one of its tasks: its own labels
    assert page_corpus("python_faq_qa", None, "mixed-code").key == "python_faq_qa"


@pytest.mark.parametrize("q, d, include, expected", [
    (None, None, None, ("", "", False)), ("q: ", "", 1, ("q: ", "", True)), ("", "d: ", True, ("", "d: ", True)),
])
def test_an_empty_box_is_no_instruction(q, d, include, expected):
    s = page_setting("minilm-offline", q, d, include)
    assert (s.query_instruction, s.document_instruction, s.include_prompt) == expected


def test_the_session_is_the_requests_hash_or_anonymous():
    assert session_key(types.SimpleNamespace(session_hash="abc")) == "abc"
    assert session_key(types.SimpleNamespace(session_hash=None)) == session_key(object()) == "anonymous"
