"""The controls' handlers: model switch, task switch, reset, lessons, links."""

from urllib.parse import parse_qsl

import pytest


def test_a_refused_model_keeps_the_model_and_instructions(monkeypatch):
    import gradio as gr

    from components.app import controls

    monkeypatch.setattr(controls.gr, "Warning", lambda message: None)
    out = controls.on_model("qa", "bge-small-en-v1.5", "minilm-offline")  # HF_HUB_OFFLINE=1 in tests
    assert out[0] == "minilm-offline" and out[-1] == "minilm-offline"
    assert all(u == gr.skip() for u in out[1:5])
    ok = controls.on_model("qa", "e5-small-offline", "minilm-offline")
    assert ok[1:3] == ("query: ", "passage: ") and ok[-1] == "e5-small-offline"


def test_a_task_brings_its_instructions_corpus_and_first_example():
    from components.app import controls
    from components.setting import default_setting
    from components.tasks import get_task

    q, d, include, corpus, examples, query, info = controls.on_task("mixed-code", "e5-small-offline", None)
    s = default_setting("mixed-code", "e5-small-offline")
    assert (q, d, include) == (s.query_instruction, s.document_instruction, s.include_prompt)
    assert corpus["value"] == get_task("mixed-code").corpus and query == examples["value"] == examples["choices"][0]
    assert info


def test_reset_gives_the_defaults_for_the_model_in_use():
    from components.app import controls

    assert controls.on_reset("qa", "e5-small-offline") == ("query: ", "passage: ", True)


def test_a_link_restores_its_view_and_says_what_it_could_not(monkeypatch):
    import types

    import gradio as gr

    from components.app import controls
    from components.links import PageState, to_query_string

    state = PageState("faq", "e5-small-offline", "debian_faq", "query: ", "passage: ", True, "How do I upgrade?", 7)
    params = dict(parse_qsl(to_query_string(state), keep_blank_values=True))
    out = controls.restore_link(types.SimpleNamespace(query_params=params))
    assert out[:3] == ("faq", "e5-small-offline", "e5-small-offline") and out[3]["value"] == "debian_faq"
    assert out[4:9] == ("query: ", "passage: ", True, "How do I upgrade?", 7) and out[-1] == ""
    assert controls.restore_link(types.SimpleNamespace(query_params={})) == (gr.skip(),) * 12
    noted = controls.restore_link(types.SimpleNamespace(query_params={"model": "gpt-9"}))
    assert noted[1] != "gpt-9" and noted[-1].startswith("⚠") and "gpt" in noted[-1]


def test_a_lesson_sets_its_view_and_says_what_to_watch():
    import gradio as gr

    from components.app import controls
    from components.lessons import lessons

    lesson = lessons()[0]
    out = controls.apply_lesson(lesson.key, None)
    assert out[0] == lesson.state.task and out[7] == lesson.state.query and lesson.claim in out[-1]
    assert controls.apply_lesson(None, None) == (gr.skip(),) * 11 + ("",)


def test_a_link_never_carries_the_uploaded_corpus(monkeypatch):
    from components.app import controls
    from components.links import UPLOAD_KEY, from_query_params
    from components.tasks import get_task

    warned = []
    monkeypatch.setattr(controls.gr, "Warning", warned.append)
    qs = controls.page_link("qa", "minilm-offline", UPLOAD_KEY, "", "", True, "my private query", 5)
    state, notes = from_query_params(dict(parse_qsl(qs, keep_blank_values=True)))
    assert state.corpus == get_task("qa").corpus and state.query == "my private query" and not notes and warned


@pytest.mark.parametrize("state, shown", [
    ({"phase": "ready", "error": ""}, ""),
    ({"phase": "embedding the default corpus", "error": ""}, "Starting: embedding the default corpus…"),
    ({"phase": "failed", "error": "OSError: no *disk*"}, "Start-up problem: OSError: no \\*disk\\*"),
])
def test_the_status_line_tells_the_start_up_phase(monkeypatch, state, shown):
    from components.app import controls

    monkeypatch.setattr(controls.warmup, "status", lambda: state)
    assert controls.on_load().startswith(shown) and (shown or controls.on_load() == "")
