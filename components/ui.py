"""The Gradio page: widgets and wiring only (the one module that imports gradio).

Every handler here calls plain functions from ``components`` and turns their
named errors into ``gr.Error`` messages; a map that cannot be drawn becomes a
message in the plot's place. Live typing uses ``trigger_mode="always_last"``
so no keystroke's result is lost and none queues up behind another.
"""

from __future__ import annotations

import gradio as gr

from components import warmup
from components.corpora import Corpus, load_sample, manifest
from components.engine import Engine, Setting
from components.errors import LensError
from components.mapview import CAPTION, map_data, map_figure, message_figure
from components.models import DEFAULT_MODEL, get_model, model_choices
from components.projection import FrameCache
from components.tasks import DEFAULT_TASK, get_task, task_choices
from components.teaching import ABOUT, INTRO
from components.views import TABLE_HEADERS, describe, ranking_table, status_line

UPLOAD_KEY = "upload"
COLUMN_WIDTHS = ["8%", "14%", "10%", "7%", "16%", "45%"]


def _corpus_choices(session: Corpus | None) -> list[tuple[str, str]]:
    choices = [(e["title"], e["key"]) for e in manifest()]
    if session is not None:
        choices.append((f"Your upload: {session.title}", UPLOAD_KEY))
    return choices


def _corpus(key: str, session: Corpus | None) -> Corpus:
    if key == UPLOAD_KEY:
        if session is None:
            raise LensError("No corpus uploaded in this session yet.")
        return session
    return load_sample(key)


def _defaults(task_key: str, model_key: str) -> tuple[str, str, bool]:
    preset = get_model(model_key)
    ins = get_task(task_key).instructions_for(preset)
    return ins.query, ins.document, preset.include_prompt


def build(engine: Engine, frames: FrameCache) -> gr.Blocks:
    """The whole page for one shared ``engine`` and map ``frames`` cache."""

    def explore(task_key, model_key, corpus_key, session, q_ins, d_ins, include, query, k,
                progress=gr.Progress()):
        k = int(k)
        try:
            corpus = _corpus(corpus_key, session)
            setting = Setting(model_key, q_ins or "", d_ins or "", bool(include))
            ex = engine.explore(corpus, setting, query or "",
                                progress=lambda f, msg: progress(f, desc=msg))
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        try:
            fig = map_figure(map_data(ex, frames, k), k)
        except Exception as exc:  # a failed map must not take the rankings with it
            fig = message_figure(f"The map could not be drawn: {exc}")
        return (ranking_table(ex, True, k), ranking_table(ex, False, k), fig, status_line(ex, k))

    def on_task(task_key, model_key, session):
        task = get_task(task_key)
        q, d, inc = _defaults(task_key, model_key)
        corpus = load_sample(task.corpus)
        examples = corpus.example_queries()
        return (q, d, inc, gr.update(choices=_corpus_choices(session), value=task.corpus),
                gr.update(choices=examples, value=examples[0]), examples[0],
                describe(task, get_model(model_key)))

    def on_model(task_key, model_key):
        q, d, inc = _defaults(task_key, model_key)
        return q, d, inc, describe(get_task(task_key), get_model(model_key))

    def on_corpus(corpus_key, session):
        try:
            examples = _corpus(corpus_key, session).example_queries()
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        first = examples[0] if examples else ""
        return gr.update(choices=examples, value=first or None), first

    def on_load():
        st = warmup.status()
        if st["phase"] == "failed":
            return f"Start-up problem: {st['error']}"
        return "" if st["phase"] == "ready" else f"Starting: {st['phase']}… the first ranking may take a moment."

    task0 = get_task(DEFAULT_TASK)
    q0, d0, inc0 = _defaults(DEFAULT_TASK, DEFAULT_MODEL)
    examples0 = load_sample(task0.corpus).example_queries()

    with gr.Blocks(title="Instruction Lens") as demo:
        session = gr.State(None)
        gr.Markdown(INTRO)
        with gr.Row():
            task = gr.Dropdown(task_choices(), value=DEFAULT_TASK, label="Task", elem_id="task")
            model = gr.Dropdown(model_choices(), value=DEFAULT_MODEL, label="Model", elem_id="model")
            corpus_key = gr.Dropdown(_corpus_choices(None), value=task0.corpus, label="Corpus", elem_id="corpus")
        info = gr.Markdown(describe(task0, get_model(DEFAULT_MODEL)), elem_id="info")
        with gr.Row():
            q_ins = gr.Textbox(q0, label="Query instruction", lines=2, elem_id="q_ins")
            d_ins = gr.Textbox(d0, label="Document instruction", lines=2, elem_id="d_ins")
        with gr.Row():
            include = gr.Checkbox(inc0, label="Include the instruction in the pooled mean", elem_id="include")
            reset = gr.Button("Reset to the model's defaults", size="sm", elem_id="reset")
            k = gr.Slider(3, 50, value=10, step=1, label="Top k", elem_id="k")
        with gr.Row():
            query = gr.Textbox(examples0[0], label="Query", lines=2, elem_id="query", scale=3)
            example = gr.Dropdown(examples0, value=examples0[0], label="Example queries", elem_id="example", scale=2)
        status = gr.Markdown("", elem_id="status")
        with gr.Row():
            with gr.Column():
                gr.Markdown("### With instructions")
                table_i = gr.Dataframe(headers=TABLE_HEADERS, datatype=["number", "str", "number", "str", "str", "str"],
                                       interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                                       max_height=560, elem_id="ranked_instructed")
            with gr.Column():
                gr.Markdown("### No instruction (same model)")
                table_b = gr.Dataframe(headers=TABLE_HEADERS, datatype=["number", "str", "number", "str", "str", "str"],
                                       interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                                       max_height=560, elem_id="ranked_baseline")
        plot = gr.Plot(label="How the instructions move the vectors", elem_id="map")
        gr.Markdown(CAPTION.format(k="k"))
        with gr.Accordion("About task instructions and the map", open=False):
            gr.Markdown(ABOUT)

        run_inputs = [task, model, corpus_key, session, q_ins, d_ins, include, query, k]
        run_outputs = [table_i, table_b, plot, status]
        run = dict(fn=explore, inputs=run_inputs, outputs=run_outputs)

        task.input(on_task, [task, model, session], [q_ins, d_ins, include, corpus_key, example, query, info],
                   api_visibility="private").then(**run, api_visibility="private")
        model.input(on_model, [task, model], [q_ins, d_ins, include, info],
                    api_visibility="private").then(**run, api_visibility="private")
        corpus_key.input(on_corpus, [corpus_key, session], [example, query],
                         api_visibility="private").then(**run, api_visibility="private")
        example.input(lambda e: e, example, query, api_visibility="private").then(**run, api_visibility="private")
        for box in (q_ins, d_ins, query):
            box.input(**run, trigger_mode="always_last", api_visibility="private")
        for widget in (include, k):
            widget.input(**run, trigger_mode="always_last", api_visibility="private")
        reset.click(on_model, [task, model], [q_ins, d_ins, include, info],
                    api_visibility="private").then(**run, api_visibility="private")
        demo.load(on_load, None, status, api_visibility="private").then(**run, api_name="explore")
    return demo


def launch_options() -> dict:
    """Arguments for ``Blocks.launch``: a theme with system fonts (no font CDN), no extra paths."""
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    return dict(theme=theme, show_error=True, ssr_mode=False, footer_links=["api"])
