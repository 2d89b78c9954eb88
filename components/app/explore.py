"""The ranking handlers: ``/explore`` for the page and for API clients, and the note that a view moved on.

Each ranks the page's corpus for its query with the page's setting (the
engine does the work) and turns the result into the page's tables, map and
rank-change chart. A failed map or chart becomes a message in its place,
never a failed ranking. Nothing here decides what is ranked or how: that is
``components.engine``; the text of tables and status lines is
``components.page_text``.
"""

from __future__ import annotations

import time

import gradio as gr

from components.app.user_errors import shows_user_errors, status_warning
from components.app.values import page_corpus, page_setting, session_key
from components.comparison import prompts_snippet
from components.engine import Engine, Exploration
from components.errors import LensError
from components.jobs import LatestViews, Superseded
from components.mapview import THEME as MAP_THEME
from components.mapview import map_data, map_figure, map_pending, message_figure
from components.page_text import ranking_table, ranking_texts, status_line, table_headers
from components.projection import FrameCache
from components.rankchange import lines_from_exploration, rank_change_figure
from components.rankhtml import ranking_html
from components.setting import Setting

TABLE_TITLES = ("With instructions", "No instruction (same model)")


def _explored(engine: Engine, views: LatestViews, task_key, model_key, corpus_key, uploaded, q_ins, d_ins,
              include, query, request: gr.Request | None, progress) -> tuple[Exploration, Setting]:
    """Rank the page's corpus for its query; raises ``Superseded`` when this session has moved on."""
    corpus = page_corpus(corpus_key, uploaded, task_key)
    setting = page_setting(model_key, q_ins, d_ins, include)
    check = views.note(session_key(request), (model_key, corpus.fingerprint, setting.prompt("document"),
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
    try:  # the map's transparent backgrounds: legible in both themes
        return rank_change_figure(lines_from_exploration(ex, k), k, theme=MAP_THEME)
    except Exception as exc:
        return message_figure(f"The rank changes could not be drawn: {exc}")


def _ranking(ex: Exploration, instructed: bool, k: int) -> str:
    """One side's top ``k`` as the page's HTML table."""
    label = TABLE_TITLES[0] if instructed else TABLE_TITLES[1]
    return ranking_html(ranking_table(ex, instructed, k), table_headers(ex.corpus), ranking_texts(ex, instructed, k),
                        k, label)


# Drawing a figure blocks the browser's main thread (the map for about 0.1 s): a map that arrives with
# the tables would hold back their paint, so it is sent no sooner than this after them, which is about
# two frames after the browser has the tables.
PAINT_GAP_S = 0.05


def explore(engine: Engine, frames: FrameCache, views: LatestViews, task_key, model_key, corpus_key, uploaded,
            q_ins, d_ins, include, query, k, measured=False, measure_token=0, request: gr.Request = None,
            progress=gr.Progress()):
    """Yield (instructed table, baseline table, map, rank changes, status, prompts snippet, measure token).

    Three updates: the rankings and status first; the map at least
    ``PAINT_GAP_S`` later, so the browser paints the rankings before it
    starts drawing the map; the rank-change chart last, so drawing it does
    not hold back the map. A failure or a superseded job leaves the shown
    result as it is (the status says what went wrong).
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
        yield skip, skip, skip, skip, status_warning(exc), skip, skip
        return
    yield (_ranking(ex, True, k), _ranking(ex, False, k), _fitting_note(ex, frames) or skip, skip,
           status_line(ex, k), prompts_snippet(setting), measure_token + 1 if measured else skip)
    sent = time.monotonic()
    figure = _map(ex, frames, k)
    time.sleep(max(0.0, sent + PAINT_GAP_S - time.monotonic()))
    yield skip, skip, figure, skip, skip, skip, skip
    yield skip, skip, skip, _rank_change(ex, k), skip, skip, skip


@shows_user_errors
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
    headers = table_headers(ex.corpus)
    tables = tuple({"headers": headers, "data": ranking_table(ex, side, k)} for side in (True, False))
    note = _fitting_note(ex, frames)
    if note is not None:
        yield (*tables, note, status_line(ex, k))
    yield (*tables, _map(ex, frames, k), status_line(ex, k))


def note_view(views: LatestViews, model_key, corpus_key, uploaded, d_ins, include, request: gr.Request = None):
    """Tell running corpus work of this session that the person has moved on."""
    try:
        fingerprint = page_corpus(corpus_key, uploaded).fingerprint
        prompt = page_setting(model_key, "", d_ins, include).prompt("document")
    except (LensError, ValueError):
        return
    views.note(session_key(request), (model_key, fingerprint, prompt, bool(include)))
