"""Tests for components.app.tab_handlers: /measure, /export and /upload on a fake engine."""

import os

import gradio as gr
import pandas as pd
import pytest

from components import downloads
from components.app.tab_handlers import export, measure, measure_live, upload
from components.links import UPLOAD_KEY
from components.page_text import PER_QUERY_HEADERS

PAGE = ("qa", "minilm-offline", "python_faq_qa", None, "q: ", "d: ", True)
QUIET = dict(progress=lambda *a, **k: None)


@pytest.fixture(autouse=True)
def downloads_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "ROOT", tmp_path / "downloads")


def test_measure_compares_a_and_b_with_no_instruction_and_offers_the_csv(fake_engine):
    summary, per_query, line, path, measured = measure(fake_engine, *PAGE, True, "other: ", "", 10, **QUIET)
    assert measured is True and summary and len(summary[0]) == 6  # metric, none, A, A − none, B, B − none
    assert per_query and all(len(row) == len(PER_QUERY_HEADERS) for row in per_query)
    assert os.path.basename(path) == "per-query-python_faq_qa.csv"
    assert len(pd.read_csv(path, comment="#")) == len(per_query) and line


def test_measuring_follows_edits_only_once_asked(fake_engine):
    assert measure_live(fake_engine, False, *PAGE, False, "", "", 10, **QUIET) == (gr.skip(),) * 5
    live = measure_live(fake_engine, True, *PAGE, False, "", "", 10, **QUIET)
    assert live[4] is True and live[0]


def test_a_failed_re_measure_says_why_in_the_status_and_keeps_the_tables(fake_engine):
    page = (*PAGE[:2], UPLOAD_KEY, *PAGE[3:])
    out = measure_live(fake_engine, True, *page, False, "", "", 10, **QUIET)
    assert out[2] == "⚠ No corpus uploaded in this session yet\\."  # the message as written, Markdown-escaped
    assert out[:2] == (gr.skip(), gr.skip()) and out[3:] == (gr.skip(), gr.skip())


def test_export_writes_the_whole_ranking_and_records_the_setting(fake_engine):
    path = export(fake_engine, *PAGE, "How do I sort a list?", 7)
    text = open(path, encoding="utf-8").read()
    assert '# model,"""minilm-offline"""' in text and "# k,7" in text and '# query_instruction,"""q: """' in text
    table = pd.read_csv(path, comment="#")
    assert list(table["rank"]) == list(range(1, len(table) + 1)) and len(table) > 7  # every document


def test_an_upload_becomes_this_sessions_corpus_and_the_file_is_deleted(tmp_path):
    docs = tmp_path / "notes.txt"
    docs.write_text("Cats purr.\nDogs fetch.\nFish swim.\n", encoding="utf-8")
    corpus, picker, examples, query, note, *cleared = upload(str(docs), None, None, None)
    assert [d.text for d in corpus.documents] == ["Cats purr.", "Dogs fetch.", "Fish swim."]
    assert picker["value"] == UPLOAD_KEY and (f"Your upload: {corpus.title}", UPLOAD_KEY) in picker["choices"]
    assert query == "Cats purr." and examples["value"] == query and "**3 documents**" in note
    assert cleared == [None, None, None] and not docs.exists()


def test_no_file_or_a_rejected_file_changes_nothing_and_says_why(tmp_path):
    out = upload(None, None, None, None)
    assert out[4].startswith("⚠ Choose a corpus file first") and all(u == gr.skip() for u in out[:4] + out[5:])
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    out = upload(str(empty), None, None, None)
    assert out[4].startswith("⚠") and all(u == gr.skip() for u in out[:4]) and empty.exists()
