"""Handlers of the page's controls: task, model, corpus and example pickers, reset, lessons, links, load.

Each takes the widgets' values and returns new values or ``gr.update``s; the
decisions are made elsewhere: default instructions in
``components.setting``, link parameters in ``components.links``, lessons in
``components.lessons``, notes on a task and model in ``components.page_text``.
None of them ranks anything (``components.app.explore`` does).
"""

from __future__ import annotations

import gradio as gr

from components.app import warmup
from components.app.user_errors import LOG, shows_user_errors, warning_line
from components.app.values import corpus_choices, page_corpus
from components.corpora import Corpus
from components.errors import LensError
from components.lessons import get_lesson
from components.links import PARAMS, UPLOAD_KEY, PageState, from_query_params, to_query_string
from components.loading import ensure_available
from components.models import get_model
from components.page_text import describe, md_escape
from components.setting import default_setting
from components.tasks import get_task


def on_task(task_key, model_key, uploaded):
    """A task sets both instructions, the pooling rule, its corpus and an example query."""
    task = get_task(task_key)
    s = default_setting(task_key, model_key)
    examples = page_corpus(task.corpus, None, task_key).example_queries()
    return (s.query_instruction, s.document_instruction, s.include_prompt,
            gr.update(choices=corpus_choices(uploaded), value=task.corpus),
            gr.update(choices=examples, value=examples[0]), examples[0], describe(task, get_model(model_key)))


def on_model(task_key, model_key, active_model):
    """Switch to ``model_key`` if it can be had; otherwise say so once and keep everything as it was."""
    try:
        ensure_available(get_model(model_key))
    except LensError as exc:
        LOG.info("model refused: %s", exc)
        gr.Warning(str(exc))
        skip = gr.skip()
        return active_model, skip, skip, skip, skip, active_model
    s = default_setting(task_key, model_key)
    return (gr.skip(), s.query_instruction, s.document_instruction, s.include_prompt,
            describe(get_task(task_key), get_model(model_key)), model_key)


def on_reset(task_key, model_key):
    """The task's default instructions and pooling rule for the model, back in their boxes."""
    s = default_setting(task_key, model_key)
    return s.query_instruction, s.document_instruction, s.include_prompt


@shows_user_errors
def on_corpus(corpus_key, uploaded, task_key):
    """A corpus brings its example queries (for the task, where it labels several)."""
    examples = page_corpus(corpus_key, uploaded, task_key).example_queries()
    first = examples[0] if examples else ""
    return gr.update(choices=examples, value=first or None), first


def pick_example(evt: gr.SelectData):
    """The example a person picked (blur or Tab never replaces a typed query)."""
    return evt.value


def _state_values(state: PageState, uploaded: Corpus | None) -> tuple:
    """The widgets' values for ``state``: task, model, active model, corpus, both instructions, pooling, query,
    k, examples and the task/model notes."""
    examples = page_corpus(state.corpus, uploaded, state.task).example_queries()
    return (state.task, state.model, state.model, gr.update(choices=corpus_choices(uploaded), value=state.corpus),
            state.query_instruction, state.document_instruction, state.include_prompt, state.query, state.k,
            gr.update(choices=examples, value=state.query if state.query in examples else None),
            describe(get_task(state.task), get_model(state.model)))


def restore_link(request: gr.Request = None):
    """The view a link describes (the page's defaults without one), and notes on what it could not restore."""
    params = dict(getattr(request, "query_params", None) or {})
    if not any(name in params for name in PARAMS):
        return (gr.skip(),) * 12
    state, notes = from_query_params(params)
    return (*_state_values(state, None), " ".join(warning_line(n) for n in notes))


def apply_lesson(key, uploaded):
    """Set the page up as the lesson says, and show what to watch and what the measurement says."""
    if not key:
        return (gr.skip(),) * 11 + ("",)
    lesson = get_lesson(key)
    text = f"**Lesson: {lesson.title}.** {lesson.watch} **What the measurement says:** {lesson.claim}"
    return (*_state_values(lesson.state, uploaded), text)


def page_link(task_key, model_key, corpus_key, q_ins, d_ins, include, query, k):
    """The view as URL parameters; an uploaded corpus stays out of links (it is private to this session)."""
    if corpus_key == UPLOAD_KEY:
        gr.Warning("Uploaded corpora stay in this browser session: the link opens the task's own corpus.")
        corpus_key = get_task(task_key).corpus
    state = PageState(task_key, model_key, corpus_key, q_ins or "", d_ins or "", bool(include), query or "",
                      int(k))
    return to_query_string(state)


def on_load():
    """The status line while the start-up work runs: its phase, or what went wrong; empty once ready."""
    st = warmup.status()
    if st["phase"] == "failed":
        return f"Start-up problem: {md_escape(st['error'])}"
    return "" if st["phase"] == "ready" else f"Starting: {st['phase']}… the first ranking may take a moment."
