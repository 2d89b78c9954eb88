"""Handlers of the Measure, Export and Your data tabs: ``/measure``, ``/export`` and ``/upload``.

Measure compares the page's instructions (A, and B if asked) with no
instruction on the corpus's labelled queries; Export writes the whole ranking
as CSV; an upload becomes this session's corpus. The metrics, the CSV text
and the reading of uploaded files live in ``components.comparison``,
``components.downloads`` and ``components.uploads``; here are only the
widgets' values in and out.
"""

from __future__ import annotations

import os

import gradio as gr

from components.app.user_errors import shows_user_errors, status_warning, warning_line
from components.app.values import corpus_choices, page_corpus, page_setting
from components.comparison import compare_settings, per_query_csv, ranking_csv
from components.downloads import write_download
from components.engine import Engine
from components.errors import LensError
from components.links import UPLOAD_KEY
from components.page_text import measure_line, per_query_rows, summary_rows, upload_note
from components.retrieval import top_rows
from components.uploads import corpus_from_upload


@shows_user_errors
def measure(engine: Engine, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, use_b, qb_ins, db_ins,
            k, progress=gr.Progress()):
    """Metrics with instruction A (and B) against no instruction, for the corpus's labelled queries."""
    corpus = page_corpus(corpus_key, uploaded, task_key)
    settings = [page_setting(model_key, q_ins, d_ins, include)]
    if use_b:
        settings.append(page_setting(model_key, qb_ins, db_ins, include))
    comp = compare_settings(engine, corpus, settings, int(k), progress=lambda f, m: progress(f, desc=m))
    return (summary_rows(comp), per_query_rows(comp), measure_line(comp),
            write_download(f"per-query-{corpus.key.replace(':', '-')}.csv", per_query_csv(comp)), True)


def measure_live(engine: Engine, active, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, use_b,
                 qb_ins, db_ins, k, progress=gr.Progress()):
    """Re-measure after an edit, once the person has asked for measurements."""
    if not active:
        return (gr.skip(),) * 5
    try:
        return measure(engine, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, use_b, qb_ins,
                       db_ins, k, progress=progress)
    except gr.Error as exc:
        return gr.skip(), gr.skip(), warning_line(exc.message), gr.skip(), gr.skip()  # str() is its repr


@shows_user_errors
def export(engine: Engine, task_key, model_key, corpus_key, uploaded, q_ins, d_ins, include, query, k):
    """The whole ranking with instructions as CSV; ``#`` lines record the setting, query and k."""
    corpus = page_corpus(corpus_key, uploaded, task_key)
    setting = page_setting(model_key, q_ins, d_ins, include)
    ex = engine.explore(corpus, setting, query or "")
    rows = top_rows(ex.instructed, ex.baseline, corpus.ids, len(corpus.ids), ex.relevant)
    return write_download("ranking.csv", ranking_csv(rows, corpus, setting, query or "", int(k)))


def _upload_path(f) -> str | None:
    """Where gradio put an uploaded file (a path, or a file object with ``name``); None for no file."""
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
        return skip, skip, skip, skip, status_warning(exc, "upload rejected"), skip, skip, skip
    for path in paths:  # the corpus lives in this session's memory; the files are not kept
        if path and os.path.exists(path):
            os.remove(path)
    corpus = up.corpus
    examples = corpus.example_queries() or [corpus.documents[0].text[:200]]
    note = upload_note(corpus, up.notes)
    return (corpus, gr.update(choices=corpus_choices(corpus), value=UPLOAD_KEY),
            gr.update(choices=examples, value=examples[0]), examples[0], note, None, None, None)
