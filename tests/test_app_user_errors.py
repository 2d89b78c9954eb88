"""Tests for components.app.user_errors: one decorator turns a LensError into gr.Error, plain or streaming."""

import inspect

import gradio as gr
import pytest

from components.app import controls, explore, tab_handlers
from components.app.user_errors import shows_user_errors, status_warning, warning_line
from components.errors import CorpusError
from components.jobs import LatestViews
from components.links import UPLOAD_KEY
from components.projection import FrameCache


@shows_user_errors
def plain(x, request: gr.Request = None):
    if x < 0:
        raise CorpusError("no negative corpora")
    if x == 0:
        raise KeyError("a bug")
    return x * 2


@shows_user_errors
def streaming(n, progress=gr.Progress()):
    for i in range(n):
        yield i
    raise CorpusError(f"stopped after {n}")


def test_a_plain_handler_returns_or_shows_the_message():
    assert plain(2) == 4
    with pytest.raises(gr.Error) as caught:
        plain(-1)
    assert caught.value.message == "no negative corpora" and caught.value.__cause__ is None


def test_other_exceptions_pass_through_as_they_are():
    with pytest.raises(KeyError):
        plain(0)


def test_a_generator_handler_stays_a_generator_and_streams_before_the_error():
    assert inspect.isgeneratorfunction(streaming)
    seen = []
    with pytest.raises(gr.Error, match="stopped after 2"):
        for value in streaming(2):
            seen.append(value)
    assert seen == [0, 1]


def test_the_signature_gradio_reads_is_the_handlers():
    assert list(inspect.signature(plain).parameters) == ["x", "request"]
    assert list(inspect.signature(streaming).parameters) == ["n", "progress"]


def _calls(engine):
    """Each handler that raises for the person, asked for an upload this session does not have."""
    page = ("qa", "minilm-offline", UPLOAD_KEY, None, "q: ", "d: ", True)
    return {
        "explore_api": lambda: list(explore.explore_api(engine, FrameCache(), LatestViews(), *page, "a query", 5,
                                                        progress=lambda *a, **k: None)),
        "on_corpus": lambda: controls.on_corpus(UPLOAD_KEY, None, "qa"),
        "measure": lambda: tab_handlers.measure(engine, *page, False, "", "", 10, progress=lambda *a, **k: None),
        "export": lambda: tab_handlers.export(engine, *page, "a query", 5),
    }


@pytest.mark.parametrize("name", ["explore_api", "on_corpus", "measure", "export"])
def test_the_handlers_that_raise_for_the_person_use_it(fake_engine, name):
    with pytest.raises(gr.Error, match="No corpus uploaded in this session yet."):
        _calls(fake_engine)[name]()


@pytest.mark.parametrize("message, line", [("plain", "⚠ plain"), ("a *b* [c](d)", "⚠ a \\*b\\* \\[c\\]\\(d\\)")])
def test_a_warning_line_is_escaped_markdown_after_the_sign(message, line):
    assert warning_line(message) == line


def test_a_status_warning_is_logged_once_as_one_line(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="instruction_lens"):
        line = status_warning(CorpusError("no *such* corpus"), "upload rejected")
    assert line == warning_line("no *such* corpus")
    assert [r.getMessage() for r in caplog.records] == ["upload rejected: no *such* corpus"]
    assert all(r.exc_info is None for r in caplog.records)
