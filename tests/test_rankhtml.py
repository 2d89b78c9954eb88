"""Ranking tables as HTML: one row per document, cells as the browser prints them, every text escaped."""

import html
import re

import pytest

from components.engine import Setting
from components.rankhtml import cell_text, move_class, ranking_html
from components.page_text import ranking_table, ranking_texts, table_headers

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> & "quotes"'


@pytest.mark.parametrize("value, shown", [(1, "1"), (1.0, "1"), (0.61, "0.61"), (0.6179, "0.6179"), ("✓", "✓")])
def test_cells_print_numbers_as_a_browser_does(value, shown):
    assert cell_text(value) == shown


@pytest.mark.parametrize("move, k, cls", [("▲3", 10, "up"), ("▼2", 10, "down"), ("new in top 10", 10, "new"),
                                          ("=", 10, "same"), ("→ 4 with", 10, "kept"), ("→ 12 with", 10, "out")])
def test_each_kind_of_move_has_its_class(move, k, cls):
    assert move_class(move, k) == cls


def test_a_table_has_a_caption_a_header_and_one_row_per_document_in_grid_roles(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    rows = ranking_table(ex, True, 3)
    out = ranking_html(rows, table_headers(pets), ranking_texts(ex, True, 3), 3, "With")
    assert out.count('role="row"') == 4 and out.count('role="columnheader"') == len(table_headers(pets))
    assert out.count('role="gridcell"') == 3 * len(table_headers(pets))
    cells = re.findall(r'role="gridcell" aria-colindex="(\d+)"[^>]*>([^<]*)</td>', out)
    assert [html.unescape(t) for _, t in cells[: len(rows[0])]] == [cell_text(v) for v in rows[0]]


def test_markup_in_the_data_is_escaped_everywhere():
    headers = ["rank", "move", "score", "relevant", "id", "kind", "text"]
    row = [1, "=", 0.5, "", HOSTILE, HOSTILE, HOSTILE]
    out = ranking_html([row], headers, [HOSTILE * 3], 10, HOSTILE)
    assert "<script" not in out and "<img" not in out and "onerror=\"" not in out
    assert out.count("&lt;script&gt;") >= 4  # id, kind, text and the whole text on hover
    title = re.search(r'tabindex="0" title="([^"]*)"', out).group(1)
    assert html.unescape(title) == HOSTILE * 3


def test_the_whole_text_is_there_on_demand_even_when_the_cell_is_cut():
    long = "word " * 400
    out = ranking_html([[1, "=", 0.5, "", "d1", long[:300]]], ["rank", "move", "score", "relevant", "id", "text"],
                       [long], 10, "t")
    title = re.search(r'title="([^"]*)"', out.split('class="text"')[-1]).group(1)
    assert len(title) > 1500


def test_no_rows_gives_the_header_alone():
    out = ranking_html([], ["rank", "text"], [], 10, "t")
    assert out.count('role="row"') == 1 and "<tbody></tbody>" in out
