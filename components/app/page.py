"""The Gradio page: its parts put together and wired to their handlers, and how it is launched.

The page is built from one function per part (``components.app.parts``:
explorer, measure, your data, export, about). Handlers are module-level
functions over explicit values (``components.app.explore``, ``controls``,
``tab_handlers``), bound to the shared engine with ``bind``; the
logic they call lives in gradio-free modules. This module holds no handler
and computes nothing itself.

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
import inspect
import os
from pathlib import Path

import gradio as gr

from components.app import parts
from components.app.controls import (apply_lesson, on_corpus, on_load, on_model, on_reset, on_task, page_link,
                                     pick_example, restore_link)
from components.app.explore import explore, explore_api, note_view
from components.app.tab_handlers import export, measure, measure_live, upload
from components.app.values import page_corpus
from components.comparison import prompts_snippet
from components.engine import Engine
from components.jobs import LatestViews
from components.models import DEFAULT_MODEL
from components.projection import FrameCache
from components.rankhtml import CSS as RANKING_CSS
from components.setting import default_setting
from components.tasks import DEFAULT_TASK, get_task
from components.teaching import INTRO

EXPLORE_WORKERS = int(os.environ.get("INSTRUCTION_LENS_CONCURRENCY", "8"))
# While an edit is being ranked, the shown result is dimmed and labelled (CSS below).
MARK_STALE = ("(...args) => { document.body.classList.add('lens-updating'); return args; }")
UNMARK_STALE = "() => { document.body.classList.remove('lens-updating'); }"
# The link to this view: written into the address bar and copied (where the browser allows it).
SHOW_LINK = ("(qs) => { if (!qs) return qs; const url = location.origin + location.pathname + '?' + qs;"
             " history.replaceState(null, '', '?' + qs);"
             " if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {}); return url; }")
TO_TOP = "() => { window.scrollTo({top: 0, behavior: 'smooth'}); }"
# Each figure drawn once per update, not also into the element Gradio's Plot discards.
PLOT_ONCE = Path(__file__).with_name("plot_once.js")
CSS = """
body.lens-updating #ranked_instructed, body.lens-updating #ranked_baseline, body.lens-updating #map
  { opacity: 0.45; transition: opacity 0.15s; }
body.lens-updating #status::before { content: "Updating… "; font-weight: 600; }
#status { flex: 1 1 0 !important; }  /* the status line takes the row; progress keeps a narrow box */
#progress { flex: 0 0 240px !important; }
#notice:empty, #notice .prose:empty { display: none; }
"""


def bind(fn, *values):
    """``fn`` with its first arguments bound to ``values``, as a function Gradio can read.

    Gradio fills a ``request: gr.Request`` parameter by its type hint, and
    reads no type hints through a ``functools.partial``: every request would
    arrive as None and all visitors would share one session. The function
    returned keeps ``fn``'s annotations, the signature of what is left, and
    whether it is a generator (whose updates stream).
    """
    part = functools.partial(fn, *values)
    if inspect.isgeneratorfunction(fn):
        def bound(*args, **kwargs):
            yield from part(*args, **kwargs)
    else:
        def bound(*args, **kwargs):
            return part(*args, **kwargs)
    functools.update_wrapper(bound, fn)
    bound.__signature__ = inspect.signature(part)  # type: ignore[attr-defined]
    # Gradio names an event after its function: the page's own events must not take the public
    # endpoints' names (``/explore`` is ``explore_api``'s).
    bound.__name__ = bound.__qualname__ = f"{fn.__name__}_handler"
    return bound


def _rankings(demo: gr.Blocks, engine: Engine, frames: FrameCache, ex: dict, states: dict, snippet) -> None:
    """The first ranking on load (after a link is restored), every edit's ranking, and ``/explore``."""
    views = states["views"]
    view = [ex["task"], states["active_model"], ex["corpus"], states["uploaded"], ex["q_ins"], ex["d_ins"],
            ex["include"], ex["query"], ex["k"]]
    shown = [ex["table_i"], ex["table_b"], ex["plot"], ex["changes"], ex["status"], snippet, states["measure_token"]]
    ranked = bind(explore, engine, frames, views)
    ranking_in = view + [states["measured"], states["measure_token"]]
    # the view a link describes, then the first ranking
    demo.load(on_load, None, ex["status"], api_visibility="private").then(
        restore_link, None, states["state_out"], api_visibility="private").then(
        ranked, ranking_in, shown, concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS,
        show_progress_on=[ex["progress"]], api_visibility="private")
    # the public /explore endpoint: the same rankings as data, on widgets the page never shows
    api_out = [gr.Dataframe(visible=False), gr.Dataframe(visible=False), gr.Plot(visible=False),
               gr.Markdown(visible=False)]
    gr.Button(visible=False).click(
        bind(explore_api, engine, frames, views),
        [ex["task"], ex["model"], ex["corpus"], states["uploaded"]] + view[4:], api_out, api_name="explore",
        concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS)
    gr.on([w.change for w in view], ranked, ranking_in, shown, trigger_mode="always_last", js=MARK_STALE,
          concurrency_id="explore", concurrency_limit=EXPLORE_WORKERS, show_progress_on=[ex["progress"]],
          api_visibility="private").then(None, js=UNMARK_STALE)
    doc_side = [states["active_model"], ex["corpus"], states["uploaded"], ex["d_ins"], ex["include"]]
    gr.on([w.change for w in doc_side], bind(note_view, views), doc_side, None, queue=False,
          trigger_mode="multiple", api_visibility="private")


def _controls(ex: dict, states: dict) -> None:
    """Task, model, corpus and example pickers, reset, lessons and the link button."""
    active_model, uploaded = states["active_model"], states["uploaded"]
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
    ex["lesson"].input(apply_lesson, [ex["lesson"], uploaded], states["state_out"], api_visibility="private").then(
        None, js=TO_TOP)
    ex["copy"].click(page_link, [ex["task"], active_model, ex["corpus"], ex["q_ins"], ex["d_ins"], ex["include"],
                                 ex["query"], ex["k"]], ex["link"], api_visibility="private").then(
        None, ex["link"], ex["link"], js=SHOW_LINK).then(lambda: gr.update(visible=True), None, ex["link"],
                                                         api_visibility="private", queue=False)


def _tabs(engine: Engine, ex: dict, states: dict, me: dict, up: dict, xp: dict) -> None:
    """``/measure`` (and re-measuring after edits once asked), ``/export`` and ``/upload``."""
    active_model, uploaded = states["active_model"], states["uploaded"]
    measure_in = [ex["task"], active_model, ex["corpus"], uploaded, ex["q_ins"], ex["d_ins"], ex["include"],
                  me["use_b"], me["qb_ins"], me["db_ins"], me["mk"]]
    measure_out = [me["summary"], me["per_query"], me["status"], me["file"], states["measured"]]
    me["button"].click(bind(measure, engine), measure_in, measure_out, api_name="measure",
                       concurrency_id="measure", concurrency_limit=1)
    gr.on([states["measure_token"].change, me["use_b"].change, me["qb_ins"].change, me["db_ins"].change,
           me["mk"].change],
          bind(measure_live, engine), [states["measured"]] + measure_in, measure_out,
          trigger_mode="always_last", concurrency_id="measure", concurrency_limit=1,
          show_progress_on=[me["status"]], api_visibility="private")
    xp["button"].click(bind(export, engine),
                       [ex["task"], active_model, ex["corpus"], uploaded, ex["q_ins"], ex["d_ins"], ex["include"],
                        ex["query"], ex["k"]],
                       xp["file"], api_name="export", concurrency_id="export", concurrency_limit=2)
    up["button"].click(upload, [up["docs"], up["queries"], up["qrels"], uploaded],
                       [uploaded, ex["corpus"], ex["example"], ex["query"], up["status"],
                        up["docs"], up["queries"], up["qrels"]],
                       api_name="upload", concurrency_id="upload", concurrency_limit=2)


def build(engine: Engine, frames: FrameCache) -> gr.Blocks:
    """The whole page for one shared ``engine`` and map ``frames`` cache."""
    task0 = get_task(DEFAULT_TASK)
    s0 = default_setting(DEFAULT_TASK, DEFAULT_MODEL)
    corpus0 = page_corpus(task0.corpus, None, DEFAULT_TASK)

    # uploads and other cached files older than an hour are deleted every hour
    with gr.Blocks(title="Instruction Lens", delete_cache=(3600, 3600), fill_width=True) as demo:
        states: dict = {  # what the handlers share beyond the widgets: per-session states, the latest views
            "views": LatestViews(),
            "uploaded": gr.State(None),  # this session's uploaded corpus
            "active_model": gr.State(DEFAULT_MODEL),  # the model in use: the last one that could be had
            "measured": gr.State(False),  # the person asked for measurements: they follow every edit
            "measure_token": gr.State(0),  # bumped by each new ranking while measurements follow edits
        }
        gr.Markdown(INTRO, elem_id="intro")
        ex = parts.explorer(task0, s0.query_instruction, s0.document_instruction, s0.include_prompt, corpus0)
        me, up, xp = parts.measure_tab(), parts.upload_tab(), parts.export_tab(prompts_snippet(s0))
        parts.about_tab()
        # what a link or a lesson sets: the pickers, the model in use, instructions, query, k, examples, notes
        states["state_out"] = [ex["task"], ex["model"], states["active_model"], ex["corpus"], ex["q_ins"], ex["d_ins"],
                           ex["include"], ex["query"], ex["k"], ex["example"], ex["info"], ex["notice"]]
        _rankings(demo, engine, frames, ex, states, xp["snippet"])
        _controls(ex, states)
        _tabs(engine, ex, states, me, up, xp)
    return demo


def launch_options() -> dict:
    """Arguments for ``Blocks.launch``: a theme with system fonts (no font CDN), the page's CSS and script."""
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    head = f"<script>\n{PLOT_ONCE.read_text(encoding='utf-8')}</script>"
    return dict(theme=theme, css=CSS + RANKING_CSS, head=head, show_error=True, ssr_mode=False,
                footer_links=["api"])
