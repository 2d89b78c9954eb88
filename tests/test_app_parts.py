"""Tests for components.app.parts: each part lays out its widgets, with the elem_ids the browser tests use."""

import gradio as gr
import pytest

from components.app import parts
from components.app.values import corpus_choices
from components.corpora import load_sample
from components.links import K_DEFAULT, K_MAX, K_MIN
from components.models import DEFAULT_MODEL
from components.page_text import PER_QUERY_HEADERS, SUMMARY_HEADERS
from components.setting import default_setting
from components.tasks import DEFAULT_TASK, get_task
from components.uploads import limits_sentence


@pytest.fixture(scope="module")
def page() -> dict:
    task0 = get_task(DEFAULT_TASK)
    s0 = default_setting(DEFAULT_TASK, DEFAULT_MODEL)
    corpus0 = load_sample(task0.corpus).with_task(DEFAULT_TASK)
    with gr.Blocks() as demo:
        built = {"explorer": parts.explorer(task0, s0.query_instruction, s0.document_instruction, s0.include_prompt,
                                            corpus0),
                 "measure": parts.measure_tab(), "upload": parts.upload_tab(), "export": parts.export_tab("{}")}
        parts.about_tab()
    built["blocks"] = demo
    built["corpus0"], built["s0"] = corpus0, s0
    return built


@pytest.mark.parametrize("part, ids", [
    ("explorer", {"task": "task", "model": "model", "corpus": "corpus", "lesson": "lesson", "q_ins": "q_ins",
                  "d_ins": "d_ins", "include": "include", "reset": "reset", "copy": "copy_link", "link": "link",
                  "query": "query", "example": "example", "k": "k", "status": "status", "progress": "progress",
                  "notice": "notice", "table_i": "ranked_instructed", "table_b": "ranked_baseline", "info": "info",
                  "plot": "map", "changes": "rank_changes"}),
    ("measure", {"mk": "metric_k", "use_b": "use_b", "qb_ins": "qb_ins", "db_ins": "db_ins", "button": "measure",
                 "status": "measure_status", "summary": "metrics_summary", "per_query": "metrics_per_query",
                 "file": "per_query_csv"}),
    ("upload", {"docs": "upload_corpus", "queries": "upload_queries", "qrels": "upload_qrels",
                "button": "upload_button", "status": "upload_status"}),
    ("export", {"button": "export_button", "file": "ranking_csv", "snippet": "prompts_snippet"}),
])
def test_each_part_returns_its_widgets_by_name_with_their_elem_ids(page, part, ids):
    assert {name: w.elem_id for name, w in page[part].items()} == ids


def test_the_explorer_starts_on_the_default_task_model_and_first_example(page):
    ex, s0, corpus0 = page["explorer"], page["s0"], page["corpus0"]
    assert (ex["task"].value, ex["model"].value, ex["corpus"].value) == (DEFAULT_TASK, DEFAULT_MODEL, corpus0.key)
    assert (ex["q_ins"].value, ex["d_ins"].value, ex["include"].value) == (s0.query_instruction,
                                                                            s0.document_instruction, s0.include_prompt)
    assert ex["query"].value == ex["example"].value == corpus0.example_queries()[0]
    assert (ex["k"].minimum, ex["k"].maximum, ex["k"].value) == (K_MIN, K_MAX, K_DEFAULT)
    assert [tuple(c) for c in ex["corpus"].choices] == corpus_choices(None)


def test_the_tabs_start_empty_with_their_headers(page):
    me, xp = page["measure"], page["export"]
    assert me["summary"].headers == SUMMARY_HEADERS and me["per_query"].headers == PER_QUERY_HEADERS
    assert me["use_b"].value is False and xp["snippet"].value == "{}"
    assert page["upload"]["docs"].file_types == [".txt", ".csv", ".jsonl"]


def test_the_upload_tab_states_the_limits_and_about_credits_the_corpora(page):
    texts = [b.value for b in page["blocks"].blocks.values() if isinstance(b, gr.Markdown)]
    assert any(limits_sentence() in " ".join((t or "").split()) for t in texts)
    assert any(b.elem_id == "corpus_credits" and b.value for b in page["blocks"].blocks.values()
               if isinstance(b, gr.Markdown))


def test_each_tab_opens_with_its_intro(page):
    from components.teaching import ABOUT, EXPORT_INTRO, MEASURE_INTRO, UPLOAD_INTRO

    tabs = [b for b in page["blocks"].blocks.values() if isinstance(b, gr.Tab)]
    firsts = {tab.elem_id: tab.children[0].value for tab in tabs}  # gr.Markdown strips the text
    assert firsts == {"tab_measure": MEASURE_INTRO, "tab_upload": f"{UPLOAD_INTRO} {limits_sentence()}",
                      "tab_export": EXPORT_INTRO, "tab_about": ABOUT.strip()}
