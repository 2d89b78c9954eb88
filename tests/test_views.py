"""Table rows and status lines."""

import pytest

from components.engine import Setting
from components.models import get_model
from components.tasks import get_task
from components.views import TABLE_HEADERS, describe, md_escape, ranking_table, snippet, status_line


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
