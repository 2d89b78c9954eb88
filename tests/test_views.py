"""Table rows and status lines."""

import pytest

from components.engine import Setting
from components.models import get_model
from components.tasks import get_task
from components.corpora import Corpus, Document
from components.evaluation import compare_settings
from components.views import (TABLE_HEADERS, describe, md_escape, measure_line, ranking_table, snippet, status_line,
                              upload_note)


def test_tables_have_rank_move_score_and_relevance(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    rows = ranking_table(ex, True, 3)
    assert len(rows) == 3 and all(len(r) == len(TABLE_HEADERS) for r in rows)
    assert [r[0] for r in rows] == [1, 2, 3]
    base = ranking_table(ex, False, 5)
    assert [r[4] for r in base if r[3] == "✓"] == ["d4"]
    assert all(r[1].startswith("→ ") and r[1].endswith(" with") for r in base)


def test_status_line_reports_first_relevant(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    assert "First relevant document" in status_line(ex, 3)


@pytest.mark.parametrize("text", ["<script>x</script>", "**bold** [a](javascript:x)", "`code` # h"])
def test_md_escape_leaves_no_markup(text):
    out = md_escape(text)
    assert "<" not in out and "](" not in out and "**" not in out.replace("\\*\\*", "")


def test_snippet_flattens_and_cuts():
    assert snippet("a\n\n b", 10) == "a b"
    assert snippet("x" * 50, 10) == "x" * 9 + "…"


def test_describe_says_offline_or_network():
    assert "works offline" in describe(get_task("qa"), get_model("minilm-offline"))
    assert "needs a network" in describe(get_task("qa"), get_model("bge-small-en-v1.5"))


def _markdown_shows(markdown: str) -> str:
    """The text a CommonMark renderer shows for one line of ``markdown``."""
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(markdown)
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n") and "<" not in rendered[3:-5]
    return html.unescape(re.sub(r"^<p>|</p>\n$", "", rendered))


@pytest.mark.parametrize("text", ["(first: 'doc-1')", 'say "hi" & <b>x</b>', "**bold** [a](javascript:x)",
                                  "`code` # h", "AT&T &amp; &#x27; &quot;", "1. item", "- item", "a_b_c_",
                                  "<script>alert(1)</script>"])
def test_md_escape_shows_the_text_exactly_once_escaped(text):
    assert _markdown_shows(md_escape(text)) == text


def test_md_escape_exact_string():
    assert md_escape("(first: 'doc-1')") == "\\(first: 'doc\\-1'\\)"


def test_status_line_agrees_in_number(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    line = status_line(ex, 5)  # five documents: the top 5 is the whole corpus, none differs
    assert line.startswith("0 of the top 5 differ from the baseline.")


def test_measure_line_reports_a_and_b(fake_engine, pets):
    a = Setting("minilm-offline", "q: ", "d: ")
    b = Setting("minilm-offline", "Represent the question: ", "Represent the answer: ")
    one = measure_line(compare_settings(fake_engine, pets, [a], k=3))
    both = measure_line(compare_settings(fake_engine, pets, [a, b], k=3))
    assert one.startswith("2 labelled queries over 5 documents. Instruction A raised nDCG@3 on ")
    assert "Instruction B" not in one
    assert both.startswith(one) and " Instruction B raised nDCG@3 on " in both and both.endswith(" unchanged.")


@pytest.mark.parametrize("n_docs, expected", [(1, "Loaded **1 document** and 0 labelled queries"),
                                              (2, "Loaded **2 documents** and 0 labelled queries")])
def test_upload_note_counts_in_the_right_number(n_docs, expected):
    corpus = Corpus("u", "U", tuple(Document(f"doc-{i}", "text") for i in range(1, n_docs + 1)))
    note = upload_note(corpus, ["1 document longer than 5 characters was cut to that length ('doc-1')."])
    assert note.startswith(expected)
    assert note.endswith("was cut to that length \\('doc\\-1'\\)\\.") and "&#x27;" not in note
