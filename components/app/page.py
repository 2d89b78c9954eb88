"""The Gradio page: widgets and wiring only (the one module that imports gradio).

The page is built from one function per part (explorer, measure, your data,
export, about). Handlers are module-level functions over explicit values,
bound to the shared engine with ``functools.partial``; the logic they call
lives in gradio-free modules.

How an edit reaches the rankings: every way a value can change (typing,
deleting, pasting, cutting, undo, drag-and-drop, autofill, a value set by a
task change or Reset) fires the widget's ``change`` event, and one
``gr.on`` listener over all of them re-ranks with ``trigger_mode=
"always_last"`` (a burst of edits collapses to its last value; results are
never shown out of order). Query-only work runs in a pool of workers and
never waits for a corpus job: corpus jobs take turns in the engine's corpus
slots, and a session's corpus job stops when that session has moved on
(``components.jobs``). The model in use is the last one that could be
loaded (``active_model``); a model that cannot be had is refused at once and
the page keeps what it showed.
"""

from __future__ import annotations

import functools
import logging
import os

import gradio as gr

from components.app import warmup
from components.comparison import compare_settings, per_query_csv, prompts_snippet, ranking_csv
from components.corpora import Corpus, load_sample, manifest
from components.downloads import write_download
from components.engine import Engine, Exploration
from components.errors import LensError
from components.jobs import LatestViews, Superseded
from components.lessons import get_lesson, lessons
from components.links import K_DEFAULT, K_MAX, K_MIN, PARAMS, UPLOAD_KEY, PageState, from_query_params, to_query_string
from components.loading import ensure_available
from components.mapview import THEME as MAP_THEME
from components.mapview import CAPTION, map_data, map_figure, map_pending, message_figure
from components.models import DEFAULT_MODEL, any_hub_id_allowed, get_model, model_choices
from components.page_text import (PER_QUERY_HEADERS, SUMMARY_HEADERS, corpus_credits, describe, md_escape,
                                  measure_line, per_query_rows, ranking_table, ranking_texts, status_line,
                                  summary_rows, table_headers, upload_note)
from components.projection import FrameCache
from components.rankchange import lines_from_exploration, rank_change_figure
from components.rankhtml import CSS as RANKING_CSS
from components.rankhtml import ranking_html
from components.retrieval import top_rows
from components.setting import Setting, default_setting
from components.tasks import DEFAULT_TASK, get_task, task_choices
from components.teaching import ABOUT, INTRO
from components.uploads import corpus_from_upload, limits_sentence

LOG = logging.getLogger("instruction_lens")
TABLE_TITLES = ("With instructions", "No instruction (same model)")
EXPLORE_WORKERS = int(os.environ.get("INSTRUCTION_LENS_CONCURRENCY", "8"))
# While an edit is being ranked, the shown result is dimmed and labelled (CSS below).
MARK_STALE = ("(...args) => { document.body.classList.add('lens-updating'); return args; }")
UNMARK_STALE = "() => { document.body.classList.remove('lens-updating'); }"
# The link to this view: written into the address bar and copied (where the browser allows it).
SHOW_LINK = ("(qs) => { if (!qs) return qs; const url = location.origin + location.pathname + '?' + qs;"
             " history.replaceState(null, '', '?' + qs);"
             " if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {}); return url; }")
TO_TOP = "() => { window.scrollTo({top: 0, behavior: 'smooth'}); }"
CSS = """
body.lens-updating #ranked_instructed, body.lens-updating #ranked_baseline, body.lens-updating #map
  { opacity: 0.45; transition: opacity 0.15s; }
body.lens-updating #status::before { content: "Updating… "; font-weight: 600; }
#notice:empty, #notice .prose:empty { display: none; }
"""


def _user_error(exc: LensError) -> gr.Error:
    """A message for the person, and one line (not a traceback) in the log."""
    LOG.info("user error: %s", exc)
    return gr.Error(str(exc), print_exception=False)


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "anonymous"


def _corpus_choices(uploaded: Corpus | None) -> list[tuple[str, str]]:
    choices = [(e["title"], e["key"]) for e in manifest()]
    if uploaded is not None:
        choices.append((f"Your upload: {uploaded.title}", UPLOAD_KEY))
    return choices


def _corpus(key: str, uploaded: Corpus | None, task_key: str | None = None) -> Corpus:
    """The corpus picked on the page, with the labels of ``task_key`` where it labels several tasks."""
    if key == UPLOAD_KEY:
        if uploaded is None:
            raise LensError("No corpus uploaded in this session yet.")
        return uploaded
    corpus = load_sample(key)
    return corpus.with_task(task_key) if task_key in corpus.tasks else corpus


def _setting(model_key: str, q_ins: str | None, d_ins: str | None, include: bool) -> Setting:
    """The page's values as a ``Setting`` (an empty box is no instruction)."""
    return Setting(model_key, q_ins or "", d_ins or "", bool(include))


# ---- handlers -------------------------------------------------------------------------

def _explored(engine: Engine, views: LatestViews, task_key, model_key, corpus_key, uploaded, q_ins, d_ins,
              include, query, request: gr.Request | None, progress) -> tuple[Exploration, Setting]:
    """Rank the page's corpus for its query; raises ``Superseded`` when this session has moved on."""
    corpus = _corpus(corpus_key, uploaded, task_key)
    setting = _setting(model_key, q_ins, d_ins, include)
    check = views.note(_session(request), (model_key, corpus.fingerprint, setting.prompt("document"),
                                           setting.include_prompt))
    ex = engine.explore(corpus, setting, query or "", progress=lambda f, m: progress(f, desc=m), check=check)
    return ex, setting


def _fitting_note(ex: Exploration, frames: FrameCache):
    """A message standing in for the map while a new frame is fitted, else None (the old map stays)."""
    return message_figure("Fitting the map for this model and corpus…") if map_pending(ex, frames) == "fit" else None


def _map(ex: Exploration, frames: FrameCache, k: int):
    """The map of ``ex``; a failed map is a message, never a failed ranking."""
    try:
        return map_figure(map_data(ex, frames, k), k)
    except Exception as exc:
        return message_figure(f"The map could not be drawn: {exc}")


def _rank_change(ex: Exploration, k: int):
    """The slope chart of ranks without and with instructions; a failure is a message."""
    try:
        fig = rank_change_figure(lines_from_exploration(ex, k), k)
    except Exception as exc:
        return message_figure(f"The rank changes could not be drawn: {exc}")
    return fig.update_layout(**MAP_THEME)  # the map's transparent backgrounds: legible in both themes


def _ranking(ex: Exploration, instructed: bool, k: int) -> str:
    """One side's top ``k`` as the page's HTML table."""
    label = TABLE_TITLES[0] if instructed else TABLE_TITLES[1]
    return ranking_html(ranking_table(ex, instructed, k), table_headers(ex.corpus), ranking_texts(ex, instructed, k),
                        k, label)


def explore(engine: Engine, frames: FrameCache, views: LatestViews, task_key, model_key, corpus_key, uploaded,
            q_ins, d_ins, include, query, k, measured=False, measure_token=0, request: gr.Request = None,
            progress=gr.Progress()):
    """Yield (instructed table, baseline table, map, rank changes, status, prompts snippet, measure token).

    A failure or a superseded job leaves the shown result as it is (the
    status says what went wrong). The map always follows in a second update,
    so the rankings are on screen before the map is built and drawn.
    """
    k = int(k)
    skip = gr.skip()
    try:
        ex, setting = _explored(engine, views, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include,
                                query, request, progress)
    except Superseded:
        yield (skip,) * 7
        return
    except LensError as exc:
        LOG.info("user error: %s", exc)
        yield skip, skip, skip, skip, f"⚠ {md_escape(str(exc))}", skip, skip
        return
    yield (_ranking(ex, True, k), _ranking(ex, False, k), _fitting_note(ex, frames) or skip, skip,
           status_line(ex, k), prompts_snippet(setting), measure_token + 1 if measured else skip)
    yield skip, skip, _map(ex, frames, k), _rank_change(ex, k), skip, skip, skip


def explore_api(engine: Engine, frames: FrameCache, views: LatestViews, task_key, model_key, corpus_key, uploaded,
                q_ins, d_ins, include, query, k, request: gr.Request = None, progress=gr.Progress()):
    """``/explore`` for API clients: (instructed table, baseline table, map, status), each update whole.

    Tables are ``{"headers", "data"}`` with the cells of ``ranking_table``;
    while a new map frame is fitted, a first update carries a note for the map.
    """
    k = int(k)
    try:
        ex, _ = _explored(engine, views, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, query,
                          request, progress)
    except Superseded:
        return
    except LensError as exc:
        raise _user_error(exc) from None
    headers = table_headers(ex.corpus)
    tables = tuple({"headers": headers, "data": ranking_table(ex, side, k)} for side in (True, False))
    note = _fitting_note(ex, frames)
    if note is not None:
        yield (*tables, note, status_line(ex, k))
    yield (*tables, _map(ex, frames, k), status_line(ex, k))


def note_view(views: LatestViews, model_key, corpus_key, uploaded, d_ins, include, request: gr.Request = None):
    """Tell running corpus work of this session that the person has moved on."""
    try:
        fingerprint = _corpus(corpus_key, uploaded).fingerprint
        prompt = _setting(model_key, "", d_ins, include).prompt("document")
    except (LensError, ValueError):
        return
    views.note(_session(request), (model_key, fingerprint, prompt, bool(include)))


def on_task(task_key, model_key, uploaded):
    """A task sets both instructions, the pooling rule, its corpus and an example query."""
    task = get_task(task_key)
    s = default_setting(task_key, model_key)
    examples = _corpus(task.corpus, None, task_key).example_queries()
    return (s.query_instruction, s.document_instruction, s.include_prompt,
            gr.update(choices=_corpus_choices(uploaded), value=task.corpus),
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
    s = default_setting(task_key, model_key)
    return s.query_instruction, s.document_instruction, s.include_prompt


def on_corpus(corpus_key, uploaded, task_key):
    """A corpus brings its example queries (for the task, where it labels several)."""
    try:
        examples = _corpus(corpus_key, uploaded, task_key).example_queries()
    except LensError as exc:
        raise _user_error(exc) from None
    first = examples[0] if examples else ""
    return gr.update(choices=examples, value=first or None), first


def pick_example(evt: gr.SelectData):
    """The example a person picked (blur or Tab never replaces a typed query)."""
    return evt.value


def measure(engine: Engine, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, use_b, qb_ins, db_ins,
            k, progress=gr.Progress()):
    """Metrics with instruction A (and B) against no instruction, for the corpus's labelled queries."""
    try:
        corpus = _corpus(corpus_key, uploaded, task_key)
        settings = [_setting(model_key, q_ins, d_ins, include)]
        if use_b:
            settings.append(_setting(model_key, qb_ins, db_ins, include))
        comp = compare_settings(engine, corpus, settings, int(k), progress=lambda f, m: progress(f, desc=m))
    except LensError as exc:
        raise _user_error(exc) from None
    return (summary_rows(comp), per_query_rows(comp), measure_line(comp),
            write_download(f"per-query-{corpus.key.replace(':', '-')}.csv", per_query_csv(comp)), True)


def measure_live(engine: Engine, active, *args, progress=gr.Progress()):
    """Re-measure after an edit, once the person has asked for measurements."""
    if not active:
        return (gr.skip(),) * 5
    try:
        return measure(engine, *args, progress=progress)
    except gr.Error as exc:
        return gr.skip(), gr.skip(), f"⚠ {md_escape(str(exc))}", gr.skip(), gr.skip()


def export(engine: Engine, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, query, k):
    """The whole ranking with instructions as CSV; ``#`` lines record the setting, query and k."""
    try:
        corpus = _corpus(corpus_key, uploaded, task_key)
        setting = _setting(model_key, q_ins, d_ins, include)
        ex = engine.explore(corpus, setting, query or "")
    except LensError as exc:
        raise _user_error(exc) from None
    rows = top_rows(ex.instructed, ex.baseline, corpus.ids, len(corpus.ids), ex.relevant)
    return write_download("ranking.csv", ranking_csv(rows, corpus, setting, query or "", int(k)))


def _upload_path(f) -> str | None:
    return None if f is None else (f if isinstance(f, str) else getattr(f, "name", None))


def _original_name(f) -> str:
    """The name the file had on the person's machine (Gradio stores uploads under temp names)."""
    return os.path.basename(getattr(f, "orig_name", None) or _upload_path(f) or "")


def upload(docs_file, queries_file, qrels_file, uploaded):
    """Read the files into this session's corpus, then delete them from the server.

    A rejected file leaves everything as it was and says why in the upload
    status (no error badges over the rest of the page).
    """
    skip = gr.skip()
    files = (docs_file, queries_file, qrels_file)
    paths = [_upload_path(f) for f in files]
    if paths[0] is None:
        return skip, skip, skip, skip, "⚠ Choose a corpus file first (.txt, .csv or .jsonl).", skip, skip, skip
    try:
        up = corpus_from_upload(paths[0], _original_name(docs_file),
                                paths[1], _original_name(queries_file) if paths[1] else "",
                                paths[2], _original_name(qrels_file) if paths[2] else "")
    except LensError as exc:
        LOG.info("upload rejected: %s", exc)
        return skip, skip, skip, skip, f"⚠ {md_escape(str(exc))}", skip, skip, skip
    for path in paths:  # the corpus lives in this session's memory; the files are not kept
        if path and os.path.exists(path):
            os.remove(path)
    corpus = up.corpus
    examples = corpus.example_queries() or [corpus.documents[0].text[:200]]
    note = upload_note(corpus, up.notes)
    return (corpus, gr.update(choices=_corpus_choices(corpus), value=UPLOAD_KEY),
            gr.update(choices=examples, value=examples[0]), examples[0], note, None, None, None)


def _state_values(state: PageState, uploaded: Corpus | None) -> tuple:
    """The widgets' values for ``state``: task, model, active model, corpus, both instructions, pooling, query,
    k, examples and the task/model notes."""
    examples = _corpus(state.corpus, uploaded, state.task).example_queries()
    return (state.task, state.model, state.model, gr.update(choices=_corpus_choices(uploaded), value=state.corpus),
            state.query_instruction, state.document_instruction, state.include_prompt, state.query, state.k,
            gr.update(choices=examples, value=state.query if state.query in examples else None),
            describe(get_task(state.task), get_model(state.model)))


def restore_link(request: gr.Request = None):
    """The view a link describes (the page's defaults without one), and notes on what it could not restore."""
    params = dict(getattr(request, "query_params", None) or {})
    if not any(name in params for name in PARAMS):
        return (gr.skip(),) * 12
    state, notes = from_query_params(params)
    return (*_state_values(state, None), " ".join(f"⚠ {md_escape(n)}" for n in notes))


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
    st = warmup.status()
    if st["phase"] == "failed":
        return f"Start-up problem: {md_escape(st['error'])}"
    return "" if st["phase"] == "ready" else f"Starting: {st['phase']}… the first ranking may take a moment."


# ---- the page, part by part -------------------------------------------------------------

def _explorer(task0, q0: str, d0: str, inc0: bool, corpus0: Corpus) -> dict:
    """Pickers, instructions, query, the two rankings and the map."""
    examples0 = corpus0.example_queries()
    w: dict = {}
    with gr.Row(equal_height=True):
        w["task"] = gr.Dropdown(task_choices(), value=DEFAULT_TASK, label="Task", elem_id="task", scale=2)
        w["model"] = gr.Dropdown(model_choices(), value=DEFAULT_MODEL, label="Model", elem_id="model", scale=3,
                                 allow_custom_value=any_hub_id_allowed(),
                                 info="Or type hub:owner/name" if any_hub_id_allowed() else None)
        w["corpus"] = gr.Dropdown(_corpus_choices(None), value=task0.corpus, label="Corpus", elem_id="corpus",
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
        w["progress"] = gr.Markdown("", elem_id="progress", scale=1, min_width=220, min_height="2.6em")
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


def _measure_tab() -> dict:
    w: dict = {}
    with gr.Tab("Measure", elem_id="tab_measure"):
        gr.Markdown("nDCG, MRR and Recall at k over the corpus's labelled queries, computed as MTEB "
                    "and BEIR do (trec_eval), for the model and instructions above, against the same "
                    "model with no instruction. After the first run it follows your edits.")
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


def _upload_tab() -> dict:
    w: dict = {}
    with gr.Tab("Your data", elem_id="tab_upload"):
        gr.Markdown("Bring your own corpus: **plain text** (one document per line), **CSV** with a "
                    "`text` column (optional `id`, `title`), or **JSONL** (`id`, `text`, optional "
                    "`title`). Labelled queries are optional: BEIR `queries.jsonl` + `qrels.tsv`, or a "
                    "CSV with `query` and `doc_id` columns (optional `score`). The corpus stays in this "
                    "session; the files are deleted from the server once read. " + limits_sentence())
        with gr.Row():
            w["docs"] = gr.File(label="Corpus", file_types=[".txt", ".csv", ".jsonl"], elem_id="upload_corpus")
            w["queries"] = gr.File(label="Queries (optional)", file_types=[".jsonl", ".csv"],
                                   elem_id="upload_queries")
            w["qrels"] = gr.File(label="qrels.tsv (with queries.jsonl)", file_types=[".tsv", ".txt"],
                                 elem_id="upload_qrels")
        w["button"] = gr.Button("Use these files", variant="primary", elem_id="upload_button")
        w["status"] = gr.Markdown("", elem_id="upload_status")
    return w


def _export_tab(snippet0: str) -> dict:
    w: dict = {}
    with gr.Tab("Export", elem_id="tab_export"):
        gr.Markdown("Download the whole ranking (with and without instructions) as CSV, and copy the "
                    "instructions as a sentence-transformers `prompts` block for a model folder's "
                    "`config_sentence_transformers.json`.")
        w["button"] = gr.Button("Prepare the ranking CSV", elem_id="export_button")
        w["file"] = gr.File(label="Ranking (CSV)", elem_id="ranking_csv")
        w["snippet"] = gr.Code(snippet0, language="json", label="config_sentence_transformers.json",
                               elem_id="prompts_snippet")
    return w


def build(engine: Engine, frames: FrameCache) -> gr.Blocks:
    """The whole page for one shared ``engine`` and map ``frames`` cache."""
    views = LatestViews()
    task0 = get_task(DEFAULT_TASK)
    s0 = default_setting(DEFAULT_TASK, DEFAULT_MODEL)
    corpus0 = _corpus(task0.corpus, None, DEFAULT_TASK)

    # uploads and other cached files older than an hour are deleted every hour
    with gr.Blocks(title="Instruction Lens", delete_cache=(3600, 3600), fill_width=True) as demo:
        uploaded = gr.State(None)  # this session's uploaded corpus
        active_model = gr.State(DEFAULT_MODEL)  # the model in use: the last one that could be had
        measured = gr.State(False)  # the person asked for measurements: they follow every edit
        measure_token = gr.State(0)  # bumped by each new ranking while measurements follow edits
        gr.Markdown(INTRO, elem_id="intro")
        ex = _explorer(task0, s0.query_instruction, s0.document_instruction, s0.include_prompt, corpus0)
        me = _measure_tab()
        up = _upload_tab()
        xp = _export_tab(prompts_snippet(s0))
        with gr.Tab("About", elem_id="tab_about"):
            gr.Markdown(ABOUT)
            gr.Markdown(corpus_credits(manifest()), elem_id="corpus_credits")

        view = [ex["task"], active_model, ex["corpus"], uploaded, ex["q_ins"], ex["d_ins"], ex["include"],
                ex["query"], ex["k"]]
        shown = [ex["table_i"], ex["table_b"], ex["plot"], ex["changes"], ex["status"]]
        # what a link or a lesson sets: the pickers, the model in use, instructions, query, k, examples, notes
        state_out = [ex["task"], ex["model"], active_model, ex["corpus"], ex["q_ins"], ex["d_ins"], ex["include"],
                     ex["query"], ex["k"], ex["example"], ex["info"], ex["notice"]]
        bound = functools.partial
        # the view a link describes, then the first ranking
        demo.load(on_load, None, ex["status"], api_visibility="private").then(
            restore_link, None, state_out, api_visibility="private").then(
            bound(explore, engine, frames, views), view + [measured, measure_token],
            shown + [xp["snippet"], measure_token], concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS,
            show_progress_on=[ex["progress"]], api_visibility="private")
        # the public /explore endpoint: the same rankings as data, on widgets the page never shows
        api_out = [gr.Dataframe(visible=False), gr.Dataframe(visible=False), gr.Plot(visible=False),
                   gr.Markdown(visible=False)]
        gr.Button(visible=False).click(
            bound(explore_api, engine, frames, views),
            [ex["task"], ex["model"], ex["corpus"], uploaded] + view[4:], api_out, api_name="explore",
            concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS)
        edits = [ex["task"].change, active_model.change, ex["corpus"].change, uploaded.change, ex["q_ins"].change,
                 ex["d_ins"].change, ex["include"].change, ex["query"].change, ex["k"].change]
        gr.on(edits, bound(explore, engine, frames, views), view + [measured, measure_token],
              shown + [xp["snippet"], measure_token], trigger_mode="always_last", js=MARK_STALE,
              concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS, show_progress_on=[ex["progress"]],
              api_visibility="private").then(None, js=UNMARK_STALE)
        doc_side = [active_model.change, ex["corpus"].change, uploaded.change, ex["d_ins"].change,
                    ex["include"].change]
        gr.on(doc_side, bound(note_view, views), [active_model, ex["corpus"], uploaded, ex["d_ins"], ex["include"]],
              None, queue=False, trigger_mode="multiple", api_visibility="private")

        ex["task"].input(on_task, [ex["task"], active_model, uploaded],
                         [ex["q_ins"], ex["d_ins"], ex["include"], ex["corpus"], ex["example"], ex["query"],
                          ex["info"]], api_visibility="private")
        ex["model"].input(on_model, [ex["task"], ex["model"], active_model],
                          [ex["model"], ex["q_ins"], ex["d_ins"], ex["include"], ex["info"], active_model],
                          api_visibility="private")
        ex["corpus"].input(on_corpus, [ex["corpus"], uploaded, ex["task"]], [ex["example"], ex["query"]],
                           api_visibility="private")
        ex["example"].select(pick_example, None, ex["query"], api_visibility="private")
        ex["reset"].click(on_reset, [ex["task"], active_model], [ex["q_ins"], ex["d_ins"], ex["include"]],
                          api_visibility="private")
        ex["lesson"].input(apply_lesson, [ex["lesson"], uploaded], state_out, api_visibility="private").then(
            None, js=TO_TOP)
        ex["copy"].click(page_link, [ex["task"], active_model, ex["corpus"], ex["q_ins"], ex["d_ins"], ex["include"],
                                     ex["query"], ex["k"]], ex["link"], api_visibility="private").then(
            None, ex["link"], ex["link"], js=SHOW_LINK).then(lambda: gr.update(visible=True), None, ex["link"],
                                                             api_visibility="private", queue=False)

        measure_in = [ex["task"], active_model, ex["corpus"], uploaded, ex["q_ins"], ex["d_ins"], ex["include"],
                      me["use_b"], me["qb_ins"], me["db_ins"], me["mk"]]
        measure_out = [me["summary"], me["per_query"], me["status"], me["file"], measured]
        me["button"].click(bound(measure, engine), measure_in, measure_out, api_name="measure",
                           concurrency_id="measure", concurrency_limit=1)
        gr.on([measure_token.change, me["use_b"].change, me["qb_ins"].change, me["db_ins"].change, me["mk"].change],
              bound(measure_live, engine), [measured] + measure_in, measure_out, trigger_mode="always_last",
              concurrency_id="measure", concurrency_limit=1, show_progress_on=[me["status"]],
              api_visibility="private")
        xp["button"].click(bound(export, engine), [ex["task"], active_model, ex["corpus"], uploaded, ex["q_ins"], ex["d_ins"],
                                                  ex["include"], ex["query"], ex["k"]],
                           xp["file"], api_name="export", concurrency_id="export", concurrency_limit=2)
        up["button"].click(upload, [up["docs"], up["queries"], up["qrels"], uploaded],
                           [uploaded, ex["corpus"], ex["example"], ex["query"], up["status"],
                            up["docs"], up["queries"], up["qrels"]],
                           api_name="upload", concurrency_id="upload", concurrency_limit=2)
    return demo


def launch_options() -> dict:
    """Arguments for ``Blocks.launch``: a theme with system fonts (no font CDN), no extra paths."""
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    return dict(theme=theme, css=CSS + RANKING_CSS, show_error=True, ssr_mode=False, footer_links=["api"])
