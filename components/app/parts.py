"""The page's parts, one function each: explorer, Measure, Your data, Export and About.

Each lays out its widgets inside the ``gr.Blocks`` being built and returns
them in a dict by name (``elem_id``s are the browser tests' and the API's
handles: keep them). Nothing here wires an event or computes a result;
``components.app.page`` wires the parts to the handlers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import gradio as gr

from components.app.explore import TABLE_TITLES
from components.app.values import corpus_choices
from components.corpora import Corpus, manifest
from components.lessons import lessons
from components.links import K_DEFAULT, K_MAX, K_MIN
from components.mapview import CAPTION
from components.models import DEFAULT_MODEL, any_hub_id_allowed, get_model, model_choices
from components.page_text import PER_QUERY_HEADERS, SUMMARY_HEADERS, corpus_credits, describe, table_headers
from components.rankhtml import ranking_html
from components.tasks import DEFAULT_TASK, TaskPreset, task_choices
from components.teaching import ABOUT, EXPORT_INTRO, MEASURE_INTRO, UPLOAD_INTRO
from components.uploads import limits_sentence


@contextlib.contextmanager
def _tab(title: str, elem_id: str, intro: str) -> Iterator[None]:
    """A tab that opens with its Markdown ``intro``; the widgets laid out in the block go below it."""
    with gr.Tab(title, elem_id=elem_id):
        gr.Markdown(intro)
        yield


def explorer(task0: TaskPreset, q0: str, d0: str, inc0: bool, corpus0: Corpus) -> dict:
    """Pickers, instructions, query, the two rankings and the map."""
    examples0 = corpus0.example_queries()
    w: dict = {}
    with gr.Row(equal_height=True):
        w["task"] = gr.Dropdown(task_choices(), value=DEFAULT_TASK, label="Task", elem_id="task", scale=2)
        w["model"] = gr.Dropdown(model_choices(), value=DEFAULT_MODEL, label="Model", elem_id="model", scale=3,
                                 allow_custom_value=any_hub_id_allowed(),
                                 info="Or type hub:owner/name" if any_hub_id_allowed() else None)
        w["corpus"] = gr.Dropdown(corpus_choices(None), value=task0.corpus, label="Corpus", elem_id="corpus",
                                  scale=2)
        w["lesson"] = gr.Dropdown([(x.title, x.key) for x in lessons()], value=None, label="Lessons",
                                  elem_id="lesson", scale=2, info=None)
    with gr.Row(equal_height=True):
        w["q_ins"] = gr.Textbox(q0, label="Query instruction", lines=2, elem_id="q_ins", scale=5)
        w["d_ins"] = gr.Textbox(d0, label="Document instruction", lines=2, elem_id="d_ins", scale=5)
        with gr.Column(scale=2, min_width=180):
            w["include"] = gr.Checkbox(inc0, label="Include the instruction in the pooled mean",
                                       elem_id="include")
            w["reset"] = gr.Button("Reset to the model's defaults", size="sm", elem_id="reset")
            w["copy"] = gr.Button("Copy a link to this view", size="sm", elem_id="copy_link")
            w["link"] = gr.Textbox("", show_label=False, container=False, elem_id="link", visible=False,
                                   interactive=False, max_lines=1)
    with gr.Row(equal_height=True):
        w["query"] = gr.Textbox(examples0[0], label="Query", lines=1, max_lines=4, elem_id="query", scale=5)
        w["example"] = gr.Dropdown(examples0, value=examples0[0], label="Example queries", elem_id="example",
                                   scale=4, interactive=True)
        w["k"] = gr.Slider(K_MIN, K_MAX, value=K_DEFAULT, step=1, label="Top k", elem_id="k", scale=2, min_width=160)
    with gr.Row(equal_height=True):
        w["status"] = gr.Markdown("", elem_id="status", scale=4)
        # the progress of a slow job shows here, beside the status line, never over it
        w["progress"] = gr.Markdown("", elem_id="progress", scale=1, min_width=220, min_height="1.5em")
    w["notice"] = gr.Markdown("", elem_id="notice")
    with gr.Row():
        for key, title, elem in (("table_i", TABLE_TITLES[0], "ranked_instructed"),
                                 ("table_b", TABLE_TITLES[1], "ranked_baseline")):
            with gr.Column(min_width=320):
                w[key] = gr.HTML(ranking_html([], table_headers(corpus0), [], 10, title), elem_id=elem,
                                 padding=False)
    with gr.Accordion("What this task and model are", open=False, elem_id="info_box"):
        w["info"] = gr.Markdown(describe(task0, get_model(DEFAULT_MODEL)), elem_id="info")
    with gr.Row():
        w["plot"] = gr.Plot(label="How the instructions move the vectors", elem_id="map", scale=3)
        w["changes"] = gr.Plot(label="How the ranks changed", elem_id="rank_changes", scale=2)
    gr.Markdown(CAPTION.format(k="k"))
    return w


def measure_tab() -> dict:
    """The Measure tab: metric k, instruction B, the button, the summary and per-query tables, the CSV."""
    w: dict = {}
    with _tab("Measure", "tab_measure", MEASURE_INTRO):
        with gr.Row():
            w["mk"] = gr.Slider(1, 100, value=10, step=1, label="k for the metrics", elem_id="metric_k")
            w["use_b"] = gr.Checkbox(False, label="Also compare instruction B", elem_id="use_b")
        with gr.Row():
            w["qb_ins"] = gr.Textbox("", label="Query instruction B", lines=1, elem_id="qb_ins")
            w["db_ins"] = gr.Textbox("", label="Document instruction B", lines=1, elem_id="db_ins")
        w["button"] = gr.Button("Measure", variant="primary", elem_id="measure")
        w["status"] = gr.Markdown("", elem_id="measure_status")
        w["summary"] = gr.Dataframe(headers=SUMMARY_HEADERS, interactive=False, elem_id="metrics_summary")
        w["per_query"] = gr.Dataframe(headers=PER_QUERY_HEADERS, interactive=False, wrap=True, max_height=420,
                                      column_widths=["13%", "39%", "9%", "9%", "10%", "10%", "10%"],
                                      elem_id="metrics_per_query")
        w["file"] = gr.File(label="Per-query metrics (CSV)", elem_id="per_query_csv")
    return w


def upload_tab() -> dict:
    """The Your data tab: what files it reads and its limits, three file pickers, the button, the status."""
    w: dict = {}
    with _tab("Your data", "tab_upload", f"{UPLOAD_INTRO} {limits_sentence()}"):
        with gr.Row():
            w["docs"] = gr.File(label="Corpus", file_types=[".txt", ".csv", ".jsonl"], elem_id="upload_corpus")
            w["queries"] = gr.File(label="Queries (optional)", file_types=[".jsonl", ".csv"],
                                   elem_id="upload_queries")
            w["qrels"] = gr.File(label="qrels.tsv (with queries.jsonl)", file_types=[".tsv", ".txt"],
                                 elem_id="upload_qrels")
        w["button"] = gr.Button("Use these files", variant="primary", elem_id="upload_button")
        w["status"] = gr.Markdown("", elem_id="upload_status")
    return w


def export_tab(snippet0: str) -> dict:
    """The Export tab: the ranking CSV's button and file, and the prompts block (``snippet0`` at first)."""
    w: dict = {}
    with _tab("Export", "tab_export", EXPORT_INTRO):
        w["button"] = gr.Button("Prepare the ranking CSV", elem_id="export_button")
        w["file"] = gr.File(label="Ranking (CSV)", elem_id="ranking_csv")
        w["snippet"] = gr.Code(snippet0, language="json", label="config_sentence_transformers.json",
                               elem_id="prompts_snippet")
    return w


def about_tab() -> None:
    """The About tab: what the app shows and why, and where the sample corpora come from."""
    with _tab("About", "tab_about", ABOUT):
        gr.Markdown(corpus_credits(manifest()), elem_id="corpus_credits")
