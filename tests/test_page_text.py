"""Table rows and status lines."""

from collections import Counter

import pytest

from components.corpora import Corpus, Document, LabeledQuery, kind_name
from components.engine import Setting
from components.models import get_model
from components.tasks import get_task
from components.comparison import compare_settings
from components.page_text import (TABLE_HEADERS, describe, kind_counts, kinds_line, md_escape,
                              measure_line, ranking_table, status_line, table_headers,
                              upload_note)
from components.wording import shorten


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


def test_shorten_flattens_and_cuts():
    assert shorten("a\n\n b", 10) == "a b"
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


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


@pytest.fixture
def kinds_corpus() -> Corpus:
    """Questions, answers and a definition: a small corpus with kinds."""
    docs = (Document("q1", "How do I sort a list?", kind="question"),
            Document("a1", "Call sorted() on the list, or list.sort() to sort it in place.", kind="answer"),
            Document("q2", "How do I reverse a list?", kind="question"),
            Document("a2", "Use reversed() or slice it with [::-1].", kind="answer"),
            Document("d1", "an ordered sequence of items", kind="definition"))
    return Corpus("k", "Kinds", docs, (LabeledQuery("x", "sort a list", {"a1": 1}),), task="qa")


def test_tables_get_a_kind_column_only_when_the_corpus_has_kinds(fake_engine, pets, kinds_corpus):
    assert table_headers(pets) == TABLE_HEADERS
    headers = table_headers(kinds_corpus)
    assert headers == ["rank", "move", "score", "relevant", "id", "kind", "text"]
    ex = fake_engine.explore(kinds_corpus, Setting("minilm-offline", "q: ", "d: "), "sort a list")
    for instructed in (True, False):
        rows = ranking_table(ex, instructed, 5)
        assert all(len(r) == len(headers) for r in rows)
        kind_of = {d.id: d.kind for d in kinds_corpus.documents}
        assert [r[5] for r in rows] == [kind_name(kind_of[r[4]]) for r in rows]
        assert {r[5] for r in rows} == {"question", "answer passage", "definition"}


def test_status_line_counts_kinds_in_the_top_k(fake_engine, pets, kinds_corpus):
    ex = fake_engine.explore(kinds_corpus, Setting("minilm-offline", "q: ", "d: "), "sort a list")
    line = kinds_line(ex, 4)
    counts = {}
    for side, ranking in (("with", ex.instructed), ("without", ex.baseline)):
        counts[side] = Counter(kinds_corpus.documents[int(i)].kind for i in ranking.order[:4])
    expected_with = ", ".join(f"{n} {kind_name(k, n)}" for k, n in
                              sorted(counts["with"].items(), key=lambda kn: (-kn[1], kinds_corpus.kinds.index(kn[0]))))
    assert line.startswith(f"Top 4 with instructions: {expected_with}; without: ")
    assert sum(int(part.split()[0]) for part in line.split("without: ")[1].rstrip(".").split(", ")) == 4
    assert md_escape(line) in status_line(ex, 4)
    plain = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    assert kinds_line(plain, 3) == "" and "Top 3" not in status_line(plain, 3)


def test_kind_counts_reads_like_the_example(fake_engine, kinds_corpus):
    ex = fake_engine.explore(kinds_corpus, Setting("minilm-offline", "", ""), "sort a list")
    assert kind_counts(ex, 5, True) == "2 questions, 2 answer passages, 1 definition"  # ties keep corpus order


def test_every_sample_corpus_is_credited_with_its_source_licence_and_notice():
    from components.corpora import manifest
    from components.page_text import corpus_credits

    text = corpus_credits(manifest())
    for entry in manifest():
        assert md_escape(entry["title"]) in text and md_escape(entry["license"]) in text
    assert "permission notice" in text.lower() and "WordNet Release 3" in text
