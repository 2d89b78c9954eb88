"""The Gradio page: widgets and wiring only (the one module that imports gradio).

Every handler here calls plain functions from ``components`` and turns their
named errors into ``gr.Error`` messages; a map that cannot be drawn becomes a
message in the plot's place. Live typing uses ``trigger_mode="always_last"``
so no keystroke's result is lost and none queues up behind another.
"""

from __future__ import annotations

import os

import gradio as gr

from components import warmup
from components.corpora import Corpus, load_sample, manifest
from components.downloads import write_download as _write
from components.engine import Engine, Setting
from components.errors import LensError
from components.evaluation import compare_settings, per_query_csv, prompts_snippet, ranking_csv
from components.retrieval import top_rows
from components.uploads import corpus_from_upload
from components.mapview import CAPTION, map_data, map_figure, map_pending, message_figure
from components.models import DEFAULT_MODEL, any_hub_id_allowed, get_model, model_choices
from components.projection import FrameCache
from components.tasks import DEFAULT_TASK, get_task, task_choices
from components.teaching import ABOUT, INTRO
from components.views import (PER_QUERY_HEADERS, SUMMARY_HEADERS, TABLE_DATATYPES, TABLE_HEADERS, describe,
                              md_escape, measure_line, per_query_rows, ranking_table, status_line, summary_rows,
                              table_datatypes, table_headers)

UPLOAD_KEY = "upload"
COLUMN_WIDTHS = ["8%", "14%", "10%", "7%", "16%", "45%"]
KIND_COLUMN_WIDTHS = ["8%", "14%", "10%", "7%", "16%", "10%", "35%"]  # a corpus with kinds


def _table(rows: list[list], corpus: Corpus) -> dict:
    """A ranking table's value: its rows and the headers of ``corpus`` (a kind column when it has kinds)."""
    return {"data": rows, "headers": table_headers(corpus)}


def _table_layout(corpus: Corpus) -> tuple:
    """Updates giving both ranking tables the columns of ``corpus``, sent when the corpus changes."""
    headers = table_headers(corpus)
    widths = COLUMN_WIDTHS if len(headers) == len(COLUMN_WIDTHS) else KIND_COLUMN_WIDTHS
    layout = gr.update(headers=headers, datatype=table_datatypes(corpus), column_widths=widths)
    return layout, layout


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


def _upload_path(f) -> str | None:
    return None if f is None else (f if isinstance(f, str) else getattr(f, "name", None))


def _original_name(f) -> str:
    """The name the file had on the person's machine (Gradio stores uploads under temp names)."""
    name = getattr(f, "orig_name", None) or _upload_path(f) or ""
    return os.path.basename(name)


def _defaults(task_key: str, model_key: str) -> tuple[str, str, bool]:
    preset = get_model(model_key)
    ins = get_task(task_key).instructions_for(preset)
    return ins.query, ins.document, preset.include_prompt


def build(engine: Engine, frames: FrameCache) -> gr.Blocks:
    """The whole page for one shared ``engine`` and map ``frames`` cache."""

    def explore(task_key, model_key, corpus_key, session, q_ins, d_ins, include, query, k,
                progress=gr.Progress()):
        """Rankings first, then the map: a first fit of the map's frame can take seconds."""
        k = int(k)
        try:
            corpus = _corpus(corpus_key, session)
            setting = Setting(model_key, q_ins or "", d_ins or "", bool(include))
            ex = engine.explore(corpus, setting, query or "",
                                progress=lambda f, msg: progress(f, desc=msg))
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        tables = (_table(ranking_table(ex, True, k), ex.corpus), _table(ranking_table(ex, False, k), ex.corpus))
        line = status_line(ex, k)
        pending = map_pending(ex, frames)
        if pending == "fit":  # a new (model, corpus): the old map would be wrong, say what is coming
            yield (*tables, message_figure("Fitting the map for this model and corpus…"), line)
        elif pending == "place":  # the old map stays up while the documents are placed anew
            yield (*tables, gr.skip(), line)
        try:
            fig = map_figure(map_data(ex, frames, k), k)
        except Exception as exc:  # a failed map must not take the rankings with it
            fig = message_figure(f"The map could not be drawn: {exc}")
        yield (*tables, fig, line)

    def on_task(task_key, model_key, session):
        task = get_task(task_key)
        try:
            q, d, inc = _defaults(task_key, model_key)
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        corpus = load_sample(task.corpus)
        examples = corpus.example_queries()
        return (q, d, inc, gr.update(choices=_corpus_choices(session), value=task.corpus),
                gr.update(choices=examples, value=examples[0]), examples[0],
                describe(task, get_model(model_key)), *_table_layout(corpus))

    def on_model(task_key, model_key):
        try:
            q, d, inc = _defaults(task_key, model_key)
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        return q, d, inc, describe(get_task(task_key), get_model(model_key))

    def on_corpus(corpus_key, session):
        try:
            corpus = _corpus(corpus_key, session)
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        examples = corpus.example_queries()
        first = examples[0] if examples else ""
        return gr.update(choices=examples, value=first or None), first, *_table_layout(corpus)

    def measure(model_key, corpus_key, session, q_ins, d_ins, include, use_b, qb_ins, db_ins, k,
                progress=gr.Progress()):
        try:
            corpus = _corpus(corpus_key, session)
            settings = [Setting(model_key, q_ins or "", d_ins or "", bool(include))]
            if use_b:
                settings.append(Setting(model_key, qb_ins or "", db_ins or "", bool(include)))
            comp = compare_settings(engine, corpus, settings, int(k),
                                    progress=lambda f, msg: progress(f, desc=msg))
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        return (summary_rows(comp), per_query_rows(comp), measure_line(comp),
                _write(f"per-query-{corpus.key.replace(':', '-')}.csv", per_query_csv(comp)), True)

    def measure_live(active, *args):
        """Re-measure after an edit, once the person has asked for measurements."""
        if not active:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            return measure(*args)
        except gr.Error:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def export(task_key, model_key, corpus_key, session, q_ins, d_ins, include, query, k):
        try:
            corpus = _corpus(corpus_key, session)
            setting = Setting(model_key, q_ins or "", d_ins or "", bool(include))
            ex = engine.explore(corpus, setting, query or "")
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        rows = top_rows(ex.instructed, ex.baseline, corpus.ids, len(corpus.ids), ex.relevant)
        return _write("ranking.csv", ranking_csv(rows, corpus)), prompts_snippet(setting)

    def snippet_for(model_key, q_ins, d_ins, include):
        return prompts_snippet(Setting(model_key, q_ins or "", d_ins or "", bool(include)))

    def upload(docs_file, queries_file, qrels_file, session):
        docs_path, q_path, r_path = map(_upload_path, (docs_file, queries_file, qrels_file))
        if docs_path is None:
            raise gr.Error("Choose a corpus file first (.txt, .csv or .jsonl).")
        try:
            up = corpus_from_upload(
                docs_path, _original_name(docs_file),
                q_path, _original_name(queries_file) if q_path else "",
                r_path, _original_name(qrels_file) if r_path else "")
        except LensError as exc:
            raise gr.Error(str(exc)) from None
        corpus = up.corpus
        examples = corpus.example_queries() or [corpus.documents[0].text[:200]]
        n_lab = len(corpus.labeled_queries)
        note = (f"Loaded **{len(corpus.documents)} documents** and {n_lab} labelled queries from your files. "
                "They are visible only in this browser session. ") + " ".join(md_escape(n) for n in up.notes)
        return (corpus, gr.update(choices=_corpus_choices(corpus), value=UPLOAD_KEY),
                gr.update(choices=examples, value=examples[0]), examples[0], note)

    def on_load():
        st = warmup.status()
        if st["phase"] == "failed":
            return f"Start-up problem: {st['error']}"
        return "" if st["phase"] == "ready" else f"Starting: {st['phase']}… the first ranking may take a moment."

    task0 = get_task(DEFAULT_TASK)
    q0, d0, inc0 = _defaults(DEFAULT_TASK, DEFAULT_MODEL)
    examples0 = load_sample(task0.corpus).example_queries()

    # uploads and other cached files older than an hour are deleted every hour
    with gr.Blocks(title="Instruction Lens", delete_cache=(3600, 3600)) as demo:
        session = gr.State(None)
        gr.Markdown(INTRO)
        with gr.Row():
            task = gr.Dropdown(task_choices(), value=DEFAULT_TASK, label="Task", elem_id="task")
            model = gr.Dropdown(model_choices(), value=DEFAULT_MODEL, label="Model", elem_id="model",
                                allow_custom_value=any_hub_id_allowed(),
                                info="Or type hub:owner/name" if any_hub_id_allowed() else None)
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
                table_i = gr.Dataframe(headers=TABLE_HEADERS, datatype=TABLE_DATATYPES,
                                       interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                                       max_height=560, elem_id="ranked_instructed")
            with gr.Column():
                gr.Markdown("### No instruction (same model)")
                table_b = gr.Dataframe(headers=TABLE_HEADERS, datatype=TABLE_DATATYPES,
                                       interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                                       max_height=560, elem_id="ranked_baseline")
        plot = gr.Plot(label="How the instructions move the vectors", elem_id="map")
        gr.Markdown(CAPTION.format(k="k"))
        with gr.Tab("Measure", elem_id="tab_measure"):
            gr.Markdown("nDCG, MRR and Recall at k over the corpus's labelled queries, computed as MTEB "
                        "and BEIR do (trec_eval), for the model and instructions above, against the same "
                        "model with no instruction. After the first run it follows your edits.")
            with gr.Row():
                mk = gr.Slider(1, 100, value=10, step=1, label="k for the metrics", elem_id="metric_k")
                use_b = gr.Checkbox(False, label="Also compare instruction B", elem_id="use_b")
            with gr.Row():
                qb_ins = gr.Textbox("", label="Query instruction B", lines=1, elem_id="qb_ins")
                db_ins = gr.Textbox("", label="Document instruction B", lines=1, elem_id="db_ins")
            measure_btn = gr.Button("Measure", variant="primary", elem_id="measure")
            measure_status = gr.Markdown("", elem_id="measure_status")
            summary = gr.Dataframe(headers=SUMMARY_HEADERS, interactive=False, elem_id="metrics_summary")
            per_query = gr.Dataframe(headers=PER_QUERY_HEADERS, interactive=False, wrap=True, max_height=420,
                                     column_widths=["13%", "39%", "9%", "9%", "10%", "10%", "10%"],
                                     elem_id="metrics_per_query")
            per_query_file = gr.File(label="Per-query metrics (CSV)", elem_id="per_query_csv")
        with gr.Tab("Your data", elem_id="tab_upload"):
            gr.Markdown("Bring your own corpus: **plain text** (one document per line), **CSV** with a "
                        "`text` column (optional `id`, `title`), or **JSONL** (`id`, `text`, optional "
                        "`title`). Labelled queries are optional: BEIR `queries.jsonl` + `qrels.tsv`, or a "
                        "CSV with `query` and `doc_id` columns (optional `score`). Files stay in this "
                        "session; limits: 10 MB per file, 5,000 documents, 2,000 queries.")
            with gr.Row():
                docs_file = gr.File(label="Corpus", file_types=[".txt", ".csv", ".jsonl"], elem_id="upload_corpus")
                queries_file = gr.File(label="Queries (optional)", file_types=[".jsonl", ".csv"],
                                       elem_id="upload_queries")
                qrels_file = gr.File(label="qrels.tsv (with queries.jsonl)", file_types=[".tsv", ".txt"],
                                     elem_id="upload_qrels")
            upload_btn = gr.Button("Use these files", variant="primary", elem_id="upload_button")
            upload_status = gr.Markdown("", elem_id="upload_status")
        with gr.Tab("Export", elem_id="tab_export"):
            gr.Markdown("Download the whole ranking (with and without instructions) as CSV, and copy the "
                        "instructions as a sentence-transformers `prompts` block for a model folder's "
                        "`config_sentence_transformers.json`.")
            export_btn = gr.Button("Prepare the ranking CSV", elem_id="export_button")
            ranking_file = gr.File(label="Ranking (CSV)", elem_id="ranking_csv")
            snippet = gr.Code(prompts_snippet(Setting(DEFAULT_MODEL, q0, d0, inc0)), language="json",
                              label="config_sentence_transformers.json", elem_id="prompts_snippet")
        with gr.Tab("About", elem_id="tab_about"):
            gr.Markdown(ABOUT)

        run_inputs = [task, model, corpus_key, session, q_ins, d_ins, include, query, k]
        run_outputs = [table_i, table_b, plot, status]
        run = dict(fn=explore, inputs=run_inputs, outputs=run_outputs)
        measured = gr.State(False)
        measure_inputs = [model, corpus_key, session, q_ins, d_ins, include, use_b, qb_ins, db_ins, mk]
        measure_outputs = [summary, per_query, measure_status, per_query_file, measured]
        live_measure = dict(fn=measure_live, inputs=[measured] + measure_inputs, outputs=measure_outputs,
                            api_visibility="private", trigger_mode="always_last")

        # first, so the public endpoint keeps the plain name /explore
        demo.load(on_load, None, status, api_visibility="private").then(**run, api_name="explore")
        task.input(on_task, [task, model, session],
                   [q_ins, d_ins, include, corpus_key, example, query, info, table_i, table_b],
                   api_visibility="private").then(**run, api_visibility="private").then(**live_measure)
        model.input(on_model, [task, model], [q_ins, d_ins, include, info],
                    api_visibility="private").then(**run, api_visibility="private").then(**live_measure)
        corpus_key.input(on_corpus, [corpus_key, session], [example, query, table_i, table_b],
                         api_visibility="private").then(**run, api_visibility="private").then(**live_measure)
        example.input(lambda e: e, example, query, api_visibility="private").then(**run, api_visibility="private")
        for box in (q_ins, d_ins, include):
            box.input(**run, trigger_mode="always_last", api_visibility="private").then(**live_measure)
        for widget in (query, k):
            widget.input(**run, trigger_mode="always_last", api_visibility="private")
        for widget in (model, q_ins, d_ins, include):
            widget.change(snippet_for, [model, q_ins, d_ins, include], snippet, api_visibility="private")
        measure_btn.click(measure, measure_inputs, measure_outputs, api_name="measure")
        export_btn.click(export, run_inputs, [ranking_file, snippet], api_name="export")
        upload_btn.click(upload, [docs_file, queries_file, qrels_file, session],
                         [session, corpus_key, example, query, upload_status],
                         api_name="upload").success(_table_layout, session, [table_i, table_b],
                                                    api_visibility="private").success(**run, api_visibility="private")
        reset.click(on_model, [task, model], [q_ins, d_ins, include, info],
                    api_visibility="private").then(**run, api_visibility="private").then(**live_measure)
    return demo


def launch_options() -> dict:
    """Arguments for ``Blocks.launch``: a theme with system fonts (no font CDN), no extra paths."""
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    return dict(theme=theme, show_error=True, ssr_mode=False, footer_links=["api"])
