"""Real-browser tests of the page a teacher projects: results first, links, lessons, the rank-change chart.

Same set-up as ``test_ui_browser`` (its fixtures: one app server for this
module, Debian chromium through Playwright). What the tables should show is
asked of the server's ``/explore``; rows are read through their grid roles.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from components.lessons import get_lesson
from components.models import get_model
from components.setting import default_setting
from components.tasks import get_task
import test_ui_browser as shared
from test_ui_browser import _expect_tables, _expected, _wait_first_ranking

# the browser and app-server fixtures of test_ui_browser, shared (one app server for this module)
app_log, app_url, browser, client, hostile_folder, page = (shared.app_log, shared.app_url, shared.browser,
                                                           shared.client, shared.hostile_folder, shared.page)

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips or fails
    expect = None

ROWS_IN_VIEW = """() => ['ranked_instructed', 'ranked_baseline'].map(id =>
  [...document.querySelectorAll('#' + id + ' tbody tr')].filter(r => {
    const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; }).length)"""
IN_VIEW = """(sel) => { const b = document.querySelector(sel).getBoundingClientRect();
  return b.top >= 0 && b.bottom <= window.innerHeight; }"""


def _open(page, app_url: str, app_log, query: str = "") -> None:
    page.goto(app_url + query)
    _wait_first_ranking(page, app_log)


@pytest.mark.parametrize("width, height, rows", [(1400, 1000, 10), (1366, 768, 5)])
def test_results_first_without_scrolling(page, app_url, app_log, width, height, rows):
    page.set_viewport_size({"width": width, "height": height})
    _open(page, app_url, app_log)
    page.locator("#ranked_instructed tbody tr").nth(9).wait_for()
    assert all(n >= rows for n in page.evaluate(ROWS_IN_VIEW)), page.evaluate(ROWS_IN_VIEW)
    for widget in ("#task", "#model", "#q_ins", "#d_ins", "#query"):
        assert page.evaluate(IN_VIEW, widget), f"{widget} is not in the first screen"
    # one line per row: every row of a table has the same height
    heights = page.evaluate("() => [...document.querySelectorAll('#ranked_instructed tbody tr')]"
                            ".map(r => Math.round(r.getBoundingClientRect().height))")
    assert len(set(heights)) == 1 and heights[0] < 40, heights


def test_a_phone_scrolls_only_inside_the_tables(page, app_url, app_log):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, app_url, app_log)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    # the tables keep their columns and scroll sideways in their own box
    box = page.locator("#ranked_instructed .lens-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")


def test_the_whole_text_is_shown_on_click(page, app_url, app_log):
    _open(page, app_url, app_log)
    cell = page.locator("#ranked_instructed td.text").first
    title = cell.get_attribute("title")
    assert title and len(title) >= len(cell.inner_text().rstrip("…"))
    one_line = cell.bounding_box()["height"]
    cell.click()
    assert cell.evaluate("c => getComputedStyle(c).whiteSpace") == "normal"
    assert cell.bounding_box()["height"] > one_line


def test_a_link_restores_the_view_and_copy_link_writes_one(page, app_url, app_log, client):
    model = "e5-small-offline"
    query = "How do I reverse a list & keep #1 + the rest?\nSecond line"
    link = ("?task=mixed-similar&model=" + model + "&di=query%3A%20&k=5&q="
            "How%20do%20I%20reverse%20a%20list%20%26%20keep%20%231%20%2B%20the%20rest%3F%0ASecond%20line")
    _open(page, app_url, app_log, link)
    expect(page.locator("#query textarea")).to_have_value(query)
    expect(page.locator("#d_ins textarea")).to_have_value("query: ")
    expect(page.locator("#task [role=combobox]")).to_have_value(get_task("mixed-similar").label)
    expect(page.locator("#model [role=combobox]")).to_have_value(get_model(model).label)
    expect(page.locator("#ranked_instructed tbody tr")).to_have_count(5)
    s = default_setting("mixed-similar", model)
    _expect_tables(page, _expected(client, "mixed-similar", model, "mixed_kinds", s.query_instruction, "query: ",
                                   s.include_prompt, query, k=5))
    page.locator("#copy_link").click()
    expect(page.locator("#link textarea, #link input")).to_have_value(
        re.compile(r"^http://.*\?task=mixed-similar&"))
    written = page.locator("#link textarea, #link input").input_value()
    params = {k: v[0] for k, v in parse_qs(urlsplit(written).query, keep_blank_values=True).items()}
    assert params["q"] == query and params["di"] == "query: " and params["k"] == "5" and params["model"] == model
    assert urlsplit(page.url).query == urlsplit(written).query  # the address bar holds the view too


def test_a_link_naming_an_upload_says_it_cannot_be_restored(page, app_url, app_log):
    _open(page, app_url, app_log, "?task=qa&corpus=upload&model=nope")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("private to the browser session")
    expect(notice).to_contain_text("does not offer")
    expect(page.locator("#corpus [role=combobox]")).not_to_have_value("upload")


def test_a_lesson_sets_up_the_page_and_says_what_to_watch(page, app_url, app_log, client):
    lesson = get_lesson("one-query-two-tasks")
    _open(page, app_url, app_log)
    page.locator("#lesson [role=combobox]").click()
    page.get_by_role("option", name=lesson.title, exact=True).click()
    expect(page.locator("#notice")).to_contain_text(f"Lesson: {lesson.title}")
    st = lesson.state
    expect(page.locator("#query textarea")).to_have_value(st.query)
    _expect_tables(page, _expected(client, st.task, st.model, st.corpus, st.query_instruction,
                                   st.document_instruction, st.include_prompt, st.query))
    kinds = page.locator("#ranked_instructed td.kind").all_inner_texts()
    assert kinds.count("answer passage") >= 6  # what the lesson claims, as the page shows it


def test_the_rank_change_chart_joins_both_rankings(page, app_url, app_log):
    _open(page, app_url, app_log)
    page.wait_for_function("() => document.querySelector('#rank_changes .js-plotly-plot')?.data?.length > 0")
    names = page.evaluate("document.querySelector('#rank_changes .js-plotly-plot').data.map(t => t.name)")
    assert any("top 10" in n for n in names), names


def _luminance(rgb: str) -> float:
    r, g, b = (float(x) / 255 for x in re.findall(r"[\d.]+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tables_are_legible_in_both_themes(page, app_url, app_log, theme):
    _open(page, app_url, app_log, f"?__theme={theme}")
    back = page.evaluate("() => getComputedStyle(document.querySelector('gradio-app') || document.body)"
                         ".backgroundColor")
    if back in ("rgba(0, 0, 0, 0)", "transparent"):
        back = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    for selector in ("#ranked_instructed td.text", "#ranked_instructed td.move.new, #ranked_instructed td.move.up"):
        colour = page.locator(selector).first.evaluate("c => getComputedStyle(c).color")
        fill = page.locator(selector).first.evaluate("c => getComputedStyle(c).backgroundColor")
        ground = fill if fill not in ("rgba(0, 0, 0, 0)", "transparent") else back
        hi, lo = sorted([_luminance(colour), _luminance(ground)], reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (theme, selector, colour, ground)


UPDATING_SNAPSHOT = """() => {
  // one instant while the page marks itself as updating, the fade has run and the tracker shows: null until then
  const table = document.querySelector('#ranked_instructed');
  if (!document.body.classList.contains('lens-updating') || Number(getComputedStyle(table).opacity) >= 0.6
      || !document.querySelector('#progress .wrap:not(.hide)')) return null;
  const status = document.querySelector('#status');
  return {rows: table.querySelectorAll('tbody tr').length,
          before: getComputedStyle(status, '::before').content,
          text: status.innerText,
          tracker_on_status: status.querySelectorAll('.wrap:not(.hide)').length};
}"""


def test_while_work_runs_the_old_result_stays_and_progress_has_its_own_place(page, app_url, app_log):
    _open(page, app_url, app_log)
    page.locator("#ranked_instructed tbody tr").nth(9).wait_for()
    status = page.locator("#status").inner_text()
    box = page.locator("#d_ins textarea")
    box.press("End")
    # a document instruction never used before: the whole corpus is embedded again, no stored vectors
    box.type(f" Kept whole {uuid.uuid4().hex[:8]}.")
    # everything read at one instant, so a job that ends between two reads cannot mix two states
    seen = page.wait_for_function(UPDATING_SNAPSHOT, timeout=shared.FIRST_RUN_MS).json_value()
    # the old result stays, dimmed and labelled; the progress sits beside the status line, not on it
    assert seen["rows"] == 10
    assert seen["before"] == '"Updating… "'
    assert seen["text"].endswith(status.strip()[-30:])
    assert seen["tracker_on_status"] == 0
    page.wait_for_function("() => !document.body.classList.contains('lens-updating')", timeout=shared.FIRST_RUN_MS)
    expect(page.locator("#progress .wrap:not(.hide)")).to_have_count(0)


FOCUSED = """(ids) => ids.find(id => document.getElementById(id)?.contains(document.activeElement)) || null"""
PICKERS = ["task", "model", "corpus", "lesson", "q_ins", "d_ins", "include", "reset", "copy_link", "query",
           "example", "k", "ranked_instructed", "ranked_baseline"]


def test_the_page_works_with_the_keyboard(page, app_url, app_log):
    _open(page, app_url, app_log)
    page.locator("#task [role=combobox]").focus()
    order = ["task"]
    for _ in range(40):  # Tab walks the widgets in reading order, each labelled
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED, PICKERS)
        if now and now != order[-1]:
            order.append(now)
        if now == "ranked_instructed":
            break
    assert order[:4] == ["task", "model", "corpus", "lesson"], order
    assert order.index("q_ins") < order.index("query") < order.index("ranked_instructed"), order
    for widget in ("task", "model", "corpus", "lesson", "q_ins", "d_ins", "query"):
        assert page.locator(f"#{widget} label, #{widget} [aria-label]").count(), widget
    # a focused text cell unfolds the whole text
    cell = page.locator("#ranked_instructed td.text").first
    expect(cell).to_be_focused()
    assert cell.evaluate("c => getComputedStyle(c).whiteSpace") == "normal"
    # a lesson chosen with the keys alone sets up the page
    page.locator("#lesson [role=combobox]").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("Lesson: ")
