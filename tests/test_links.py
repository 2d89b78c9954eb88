"""Links: a state written into a URL comes back exactly; a bad link falls back with a plain note."""

from dataclasses import replace
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.corpora import sample_keys
from components.links import (
    K_MAX,
    K_MIN,
    MAX_INSTRUCTION_CHARS,
    MAX_QUERY_CHARS,
    PARAMS,
    PageState,
    default_state,
    from_query_params,
    to_query_string,
)
from components.models import DEFAULT_MODEL, MODELS
from components.tasks import DEFAULT_TASK, TASKS, get_task

OFFLINE_MODELS = [m.key for m in MODELS if m.offline]
TRICKY = ["a & b", "#hash", "1 + 1 = 2", "line one\nline two", "tab\there", "50% off", "q=1&k=99",
          "über naïve café", "日本語の質問", "emoji 🐍🔥", "مرحبا עברית", "\u202eRTL", "  spaced  ", "?x=/y;z",
          "'quotes' \"double\"", "<script>alert(1)</script>", "back\\slash", "%20 literal", ""]


def _params(query_string: str) -> dict[str, str]:
    """What a server hands the page: the parameters, decoded (blank values kept)."""
    return dict(parse_qsl(query_string, keep_blank_values=True, strict_parsing=bool(query_string)))


def _round_trip(state: PageState) -> tuple[PageState, tuple[str, ...]]:
    return from_query_params(_params(to_query_string(state)))


def test_default_state_is_the_page_default():
    state = default_state()
    assert (state.task, state.model, state.corpus, state.k) == (DEFAULT_TASK, DEFAULT_MODEL, "mixed_kinds", 10)
    assert state.query and state.query_instruction
    assert from_query_params({}) == (state, ())


def test_a_default_link_is_short_and_readable():
    state = default_state("qa", "e5-small-offline", query="How does Python manage memory?")
    assert to_query_string(state) == "task=qa&model=e5-small-offline&q=How%20does%20Python%20manage%20memory%3F"


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_survives_in_every_field(text):
    state = replace(default_state(), query_instruction=text, document_instruction=text[::-1], query=text)
    assert _round_trip(state) == (state, ())


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)


@settings(max_examples=200, deadline=None)
@given(task=st.sampled_from([t.key for t in TASKS]), model=st.sampled_from(OFFLINE_MODELS),
       corpus=st.sampled_from(sample_keys()), q_ins=_TEXT, d_ins=_TEXT, include=st.booleans(),
       query=st.text(st.characters(exclude_categories=["Cs"]), max_size=MAX_QUERY_CHARS),
       k=st.integers(K_MIN, K_MAX))
def test_any_state_within_the_bounds_round_trips(task, model, corpus, q_ins, d_ins, include, query, k):
    state = PageState(task, model, corpus, q_ins, d_ins, include, query, k)
    assert _round_trip(state) == (state, ()), to_query_string(state)


def test_parameter_names_are_the_short_ones():
    state = replace(default_state(), corpus="python_faq_qa", query_instruction="x", document_instruction="y",
                    include_prompt=True, k=7)
    assert [name for name, _ in parse_qsl(to_query_string(state))] == list(PARAMS)


def test_an_empty_instruction_differs_from_a_missing_one():
    state, notes = from_query_params({"task": "qa", "model": "e5-small-offline", "qi": ""})
    assert (state.query_instruction, state.document_instruction, notes) == ("", "passage: ", ())


@pytest.mark.parametrize("params, field, fallback, words", [
    ({"model": "gpt-9"}, "model", DEFAULT_MODEL, "model this server does not offer ('gpt-9')"),
    ({"model": "hub:someone/model"}, "model", DEFAULT_MODEL, "model this server does not offer"),
    ({"task": "poetry"}, "task", DEFAULT_TASK, "task this server does not offer ('poetry')"),
    ({"corpus": "secret_files"}, "corpus", "mixed_kinds", "corpus this server does not offer"),
    ({"corpus": "upload"}, "corpus", "mixed_kinds", "uploads stay private to the browser session"),
    ({"k": "500"}, "k", K_MAX, "the top 500; the page shows 3 to 50, so the top 50"),
    ({"k": "-2"}, "k", K_MIN, "so the top 3"),
    ({"k": "ten"}, "k", 10, "not a whole number"),
    ({"pool": "yes"}, "include_prompt", False, "neither 0 nor 1"),
])
def test_what_a_link_cannot_restore_falls_back_with_a_note(params, field, fallback, words):
    state, notes = from_query_params(params)
    assert getattr(state, field) == fallback
    assert len(notes) == 1 and words in notes[0], notes


def test_unknown_parameters_are_ignored():
    assert from_query_params({"__theme": "dark", "utm_source": "x"}) == (default_state(), ())


def test_an_unknown_model_keeps_the_tasks_instructions_for_the_default_model():
    state, _ = from_query_params({"task": "code", "model": "nope"})
    expected = default_state("code", DEFAULT_MODEL)
    assert state == expected and state.corpus == get_task("code").corpus


@pytest.mark.parametrize("field, limit, name", [("q", MAX_QUERY_CHARS, "query"),
                                               ("qi", MAX_INSTRUCTION_CHARS, "query instruction"),
                                               ("di", MAX_INSTRUCTION_CHARS, "document instruction")])
def test_long_texts_are_bounded(field, limit, name):
    state, notes = from_query_params({field: "é" * (limit + 500)})
    text = {"q": state.query, "qi": state.query_instruction, "di": state.document_instruction}[field]
    assert text == "é" * limit
    assert notes == (f"The link's {name} was longer than {limit} characters and was cut to that length.",)


def test_a_written_link_is_bounded_too():
    state = replace(default_state(), query="x" * 50_000, query_instruction="y" * 50_000)
    assert len(to_query_string(state)) < 2 * (MAX_QUERY_CHARS + MAX_INSTRUCTION_CHARS)


def test_a_hostile_value_is_shown_short_in_the_note():
    _, notes = from_query_params({"model": "<b>" + "m" * 10_000})
    assert len(notes[0]) < 200 and "…" in notes[0]


def test_state_gives_the_engines_setting():
    state = default_state("qa", "e5-small-offline", query="q")
    assert state.setting.prompt("document") == "passage: "
