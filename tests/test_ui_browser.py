"""Real-browser tests of the page: headless Debian chromium driven by Playwright.

One app server per module (``tests.app_server``) with the packaged MiniLM
model and one extra sample corpus of hostile markup, added through
``INSTRUCTION_LENS_EXTRA_CORPORA``. The tests check what a person sees: both
ranking tables fill, the map has its traces, the task and model pickers set
the instructions, typing an instruction changes the instructed ranking but
not the baseline, corpus text is shown as text (never run as markup), no
request leaves the app's host, and a screenshot of the page for the record.

What the tables should show is asked of the same server through its API
(``/explore``), so a test waits for an exact expected state instead of
sleeping. Dataframes are virtualised grids: rows are ``[role=row]`` with
``aria-rowindex`` (1 is the header), cells ``[role=gridcell]`` with
``aria-colindex``; only the first rows are read. Dropdowns are ARIA
comboboxes whose options are ``[role=option]`` named by their label.

Without chromium or Playwright the module is skipped, unless
``INSTRUCTION_LENS_REQUIRE_BROWSER=1`` (CI), where that is a failure.
``INSTRUCTION_LENS_UPDATE_SCREENSHOT=1`` also refreshes ``docs/screenshot.png``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # judged by the ``browser`` fixture: a skip, or a failure in CI
    sync_playwright = None

from app_server import REPO, running_app
from components.corpora import load_sample
from components.models import DEFAULT_MODEL, get_model
from components.setting import Setting, default_setting
from components.tasks import DEFAULT_TASK, get_task

REQUIRE_BROWSER = os.environ.get("INSTRUCTION_LENS_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_RUN_MS = 420_000  # the first ranking loads the model, embeds a corpus and compiles UMAP
RUN_MS = 240_000  # a new corpus is embedded twice and gets its own map frame
ROWS = 3  # rows of each table compared (the grid renders the first rows at least)
HOSTILE_KEY = "hostile_markup"
HOSTILE_TITLE = "Hostile markup (test corpus)"
HOSTILE_DOCS = [
    {"id": "h-img", "text": '<img src=x onerror="window.__xss=1"> An image tag that runs code when '
                            'its picture fails to load.'},
    {"id": "h-svg", "text": '<svg onload="window.__xss=2"></svg> A vector drawing that runs code when it loads.'},
    {"id": "h-script", "text": "<script>window.__xss=3</script> A script element hidden in a document."},
    {"id": "h-link", "text": '<a href="javascript:window.__xss=4">click</a> A link whose target is code.'},
    {"id": "h-md", "text": "![pixel](http://example.invalid/pixel.png) and "
                           "[a Markdown link](javascript:window.__xss=5)."},
    {"id": "h-<b>id</b>", "title": "<i>An italic title</i>",
     "text": '<iframe srcdoc="<script>parent.__xss=6</script>"></iframe> A frame that runs code in its parent.'},
]
HOSTILE_QUERY = {"id": "h-q0", "text": "an image <img src=y onerror=window.__xss=7> that fails to load",
                 "relevant": {"h-img": 1}, "example": True}
TYPED_QUERY = "<script>window.__xss=8</script> a script element in a document"


def _chromium() -> str | None:
    """The chromium to drive: ``INSTRUCTION_LENS_CHROMIUM`` if set, else Debian's."""
    candidates = [os.environ.get("INSTRUCTION_LENS_CHROMIUM"), shutil.which("chromium"),
                  "/usr/bin/chromium", "/usr/bin/chromium-browser"]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _missing(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (INSTRUCTION_LENS_REQUIRE_BROWSER=1: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    """An extra-corpora folder with one small corpus of markup that must stay text."""
    folder = tmp_path_factory.mktemp("extra_corpora")
    (folder / "hostile.corpus.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in HOSTILE_DOCS), encoding="utf-8")
    (folder / "hostile.queries.jsonl").write_text(json.dumps(HOSTILE_QUERY) + "\n", encoding="utf-8")
    manifest = {"format": 1, "corpora": [{
        "key": HOSTILE_KEY, "title": HOSTILE_TITLE, "task": "qa",
        "corpus": "hostile.corpus.jsonl", "queries": "hostile.queries.jsonl",
        "source": "written for the browser tests", "license": "CC0-1.0", "labels": "hand-written"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("app") / "app.log"


@pytest.fixture(scope="module")
def app_url(hostile_folder, app_log):
    with running_app({"INSTRUCTION_LENS_EXTRA_CORPORA": str(hostile_folder)}, log_path=app_log) as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url):
    """The app's own API, to know what the page should show."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        _missing("Playwright for Python is not installed")
    executable = _chromium()
    if executable is None:
        _missing("chromium is not installed (Debian: apt-get install chromium)")
    expect.set_options(timeout=RUN_MS)  # every expectation here waits on the app
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="lens-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        yield context
        context.close()
    expect.set_options(timeout=5_000)  # Playwright's default, for any later module


@pytest.fixture
def page(browser, app_url):
    """A fresh tab on the app; ``page.requests`` lists every URL it asked for."""
    tab = browser.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.requests = requests
    tab.set_default_timeout(RUN_MS)
    tab.goto(app_url)
    yield tab
    tab.close()


# ---- helpers ---------------------------------------------------------------

def _cells(page, table: str, rows: int = ROWS):
    """The gridcells of the first ``rows`` data rows of ``#table``, in reading order."""
    indices = ",".join(f'[aria-rowindex="{r + 2}"]' for r in range(rows))
    return page.locator(f"#{table} [role=row]:is({indices}) [role=gridcell]")


def _read(page, table: str, skip_columns: tuple[int, ...] = ()) -> list[str]:
    """Texts of the first rows' cells, leaving out the 1-based ``skip_columns``."""
    texts = _cells(page, table).evaluate_all(
        "cells => cells.map(c => [Number(c.getAttribute('aria-colindex')), c.innerText.trim()])")
    return [text for col, text in texts if col not in skip_columns]


def _shown(value) -> str:
    """A cell value as the Dataframe prints it (JavaScript number formatting)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _expected(client, task: str, model: str, corpus: str, q_ins: str, d_ins: str, include: bool,
              query: str, k: int = 10, rows: int = ROWS) -> dict[str, list[list[str]]]:
    """What both tables' first rows must show for these settings, from ``/explore`` (cells per row)."""
    instructed, baseline, _plot, _status = client.predict(
        task, model, corpus, q_ins, d_ins, include, query, k, api_name="/explore")
    return {name: [[_shown(v) for v in row] for row in table["data"][:rows]]
            for name, table in (("ranked_instructed", instructed), ("ranked_baseline", baseline))}


def _flat(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row]


def _expect_tables(page, expected: dict[str, list[list[str]]], timeout: int = RUN_MS) -> None:
    for table, rows in expected.items():
        expect(_cells(page, table, len(rows))).to_have_text(_flat(rows), timeout=timeout)


def _defaults(task: str, model: str = DEFAULT_MODEL) -> Setting:
    return default_setting(task, model)


def _trace_names(page) -> list[str]:
    page.wait_for_function("() => document.querySelector('#map .js-plotly-plot')?.data?.length > 0")
    return page.evaluate("document.querySelector('#map .js-plotly-plot').data.map(t => t.name)")


def _pick(page, elem_id: str, label: str) -> None:
    """Choose ``label`` in the Dropdown ``#elem_id`` the way a person does."""
    page.locator(f"#{elem_id} [role=combobox]").click()
    page.get_by_role("option", name=label, exact=True).click()


def _foreign(requests: list[str], app_url: str) -> list[str]:
    host = urlsplit(app_url).netloc
    return [u for u in requests if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != host]


def _wait_first_ranking(page, app_log: Path) -> None:
    """Wait for both tables' first cells; on a timeout, say what the page and the app said."""
    try:
        for table in ("ranked_instructed", "ranked_baseline"):
            page.locator(f"#{table} [role=gridcell]").first.wait_for(timeout=FIRST_RUN_MS)
    except PlaywrightTimeout:
        toasts = page.get_by_test_id("toast-body").all_inner_texts()
        status = page.locator("#status").inner_text()
        log = app_log.read_text(errors="replace")[-4000:]
        pytest.fail(f"no ranking after {FIRST_RUN_MS // 1000} s; toasts {toasts}, status {status!r}; "
                    f"app log:\n{log}", pytrace=False)


# ---- tests -----------------------------------------------------------------

def test_page_loads_with_rankings_map_and_pickers(page, client, app_log):
    _wait_first_ranking(page, app_log)
    first = load_sample(get_task(DEFAULT_TASK).corpus).example_queries()[0]
    qa = _defaults(DEFAULT_TASK)
    corpus = get_task(DEFAULT_TASK).corpus
    setting = (qa.query_instruction, qa.document_instruction, qa.include_prompt, first)
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, corpus, *setting))
    plot = client.predict(DEFAULT_TASK, DEFAULT_MODEL, corpus, *setting, 10, api_name="/explore")[2]
    names = _trace_names(page)
    assert names == [t["name"] for t in json.loads(plot["plot"])["data"]]
    assert {"document moves", "documents, no instruction", "top 10 with instructions", "relevant (labelled)",
            "query move", "query, no instruction", "query, with instructions"} <= set(names)
    if load_sample(corpus).kinds:  # one trace per kind of text, and a kind column in both tables
        assert "answer passages, with instructions" in names
        for table in ("ranked_instructed", "ranked_baseline"):
            expect(page.locator(f"#{table} [role=columnheader]", has_text="kind")).to_have_count(1)

    code = get_task("code")
    _pick(page, "task", code.label)
    expect(page.locator("#task [role=combobox]")).to_have_value(code.label)
    expect(page.locator("#q_ins textarea")).to_have_value(_defaults("code").query_instruction)
    expect(page.locator("#d_ins textarea")).to_have_value(_defaults("code").document_instruction)

    # A Hub-only model here (offline): refused at once, said once; model, instructions and results stay.
    before = _read(page, "ranked_instructed")
    bge = get_model("bge-small-en-v1.5")
    _pick(page, "model", bge.label)
    expect(page.get_by_test_id("toast-body").filter(has_text="not available here")).to_be_visible(timeout=10_000)
    expect(page.locator("#model [role=combobox]")).to_have_value(get_model(DEFAULT_MODEL).label)
    expect(page.locator("#q_ins textarea")).to_have_value(_defaults("code").query_instruction)
    expect(page.locator("#d_ins textarea")).to_have_value(_defaults("code").document_instruction)
    assert page.get_by_text("Error", exact=True).count() == 0  # no error badges over tables or map
    example = load_sample(code.corpus).example_queries()[0]
    expect(page.locator("#query textarea")).to_have_value(example)
    _expect_tables(page, _expected(client, "code", DEFAULT_MODEL, code.corpus, _defaults("code").query_instruction,
                                   _defaults("code").document_instruction, _defaults("code").include_prompt, example))
    assert before  # the code task's ranking was on screen before the refused pick, and still is


def test_typing_an_instruction_moves_only_the_instructed_ranking(page, client, app_log):
    _wait_first_ranking(page, app_log)
    qa = _defaults(DEFAULT_TASK)
    corpus = get_task(DEFAULT_TASK).corpus
    query = load_sample(corpus).example_queries()[0]
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, corpus, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, query))
    before_i = _read(page, "ranked_instructed")
    before_b = _read(page, "ranked_baseline", skip_columns=(2,))  # column 2 names the instructed rank

    box = page.locator("#q_ins textarea")
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" about code", delay=20)
    typed = qa.query_instruction + " about code"
    expect(box).to_have_value(typed)
    after = _expected(client, DEFAULT_TASK, DEFAULT_MODEL, corpus, typed, qa.document_instruction, qa.include_prompt, query)
    _expect_tables(page, after)
    assert _read(page, "ranked_instructed") != before_i
    assert _read(page, "ranked_baseline", skip_columns=(2,)) == before_b

    # Leave the instruction tokens out of the pooled mean: the instructed ranking follows
    # (it is what the API gives for that switch), the baseline has no instruction to leave out.
    page.locator("#include input[type=checkbox]").click()
    expect(page.locator("#include input[type=checkbox]")).to_be_checked(checked=not qa.include_prompt)
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, corpus, typed, qa.document_instruction,
                                   not qa.include_prompt, query),
                   timeout=RUN_MS)
    assert _read(page, "ranked_instructed") != _flat(after["ranked_instructed"])
    assert _read(page, "ranked_baseline", skip_columns=(2,)) == before_b


def test_corpus_markup_is_shown_as_text_never_run(page, client, app_url, app_log):
    _wait_first_ranking(page, app_log)
    qa = _defaults(DEFAULT_TASK)
    _pick(page, "corpus", HOSTILE_TITLE)
    expect(page.locator("#query textarea")).to_have_value(HOSTILE_QUERY["text"])
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, HOSTILE_KEY, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, HOSTILE_QUERY["text"]))
    # the map follows the tables in a second update: wait for this corpus's map, not the last one's
    page.wait_for_function("() => (document.querySelector('#map .js-plotly-plot')?.data || [])"
                           ".some(t => t.name === 'relevant (labelled)')")

    box = page.locator("#query textarea")
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(TYPED_QUERY, delay=10)
    expect(box).to_have_value(TYPED_QUERY)
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, HOSTILE_KEY, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, TYPED_QUERY, rows=len(HOSTILE_DOCS)))

    assert page.evaluate("typeof window.__xss") == "undefined"
    for literal in ('<img src=x onerror="window.__xss=1">', '<svg onload="window.__xss=2">',
                    "<script>window.__xss=3</script>", '<a href="javascript:window.__xss=4">click</a>',
                    "![pixel](http://example.invalid/pixel.png)", "<i>An italic title</i>"):
        expect(page.locator("#ranked_instructed [role=gridcell]", has_text=literal).first).to_be_visible()
    expect(page.locator("#ranked_baseline [role=gridcell]", has_text="h-<b>id</b>").first).to_be_visible()
    for table in ("ranked_instructed", "ranked_baseline"):
        for tag in ("img", "svg", "script", "a", "iframe", "b", "i"):
            assert page.locator(f"#{table} [role=grid] {tag}").count() == 0, f"a <{tag}> in #{table}"
    assert page.locator("[onerror], [onload], a[href^='javascript:'], iframe[srcdoc]").count() == 0
    assert page.evaluate("[...document.scripts].filter(s => s.text.includes('__xss')).length") == 0

    hover = page.evaluate("""document.querySelector('#map .js-plotly-plot').data
        .filter(t => t.name === 'documents, with instructions')[0].text.join('\\n')""")
    assert "&lt;img src=x onerror=" in hover and "<img" not in hover and "<script" not in hover
    assert _foreign(page.requests, app_url) == []


def test_no_request_leaves_the_app_host(page, client, app_url, app_log):
    _wait_first_ranking(page, app_log)
    _trace_names(page)  # the map (plotly) has drawn
    task = get_task(DEFAULT_TASK)
    second = load_sample(task.corpus).example_queries()[1]
    _pick(page, "example", second)
    qa = _defaults(DEFAULT_TASK)
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, task.corpus, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, second))
    page.get_by_role("tab", name="About").click()
    expect(page.locator("#tab_about")).to_be_visible()
    assert len(page.requests) > 5
    assert _foreign(page.requests, app_url) == []


def test_screenshot_of_the_loaded_page(page, app_log):
    _wait_first_ranking(page, app_log)
    _trace_names(page)
    page.wait_for_function("() => document.querySelector('#status')?.innerText.includes('from the baseline.')")
    target = REPO / "artifacts" / "screenshot-explorer.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    if os.environ.get("INSTRUCTION_LENS_UPDATE_SCREENSHOT") == "1":
        docs = REPO / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copyfile(target, docs / "screenshot.png")


UPLOAD_DOCS = ("id,text\n"
               "z1,Zebras have black and white stripes that confuse biting flies.\n"
               "p1,Penguins cannot fly but swim fast in cold water.\n"
               "o1,Owls hunt at night and turn their heads almost all the way round.\n"
               "c1,Camels store fat in their humps and cross deserts for days.\n")
UPLOAD_QUERIES = "query,doc_id\nWhich animal has stripes?,z1\nWhich bird swims in cold seas?,p1\n"


def test_upload_then_measure(page, app_log, tmp_path):
    _wait_first_ranking(page, app_log)
    docs, queries, broken = tmp_path / "animals.csv", tmp_path / "animal-queries.csv", tmp_path / "broken.jsonl"
    docs.write_text(UPLOAD_DOCS, encoding="utf-8")
    queries.write_text(UPLOAD_QUERIES, encoding="utf-8")
    broken.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n', encoding="utf-8")

    page.get_by_role("tab", name="Your data").click()
    page.locator("#upload_corpus input[type=file]").set_input_files(str(docs))
    page.locator("#upload_queries input[type=file]").set_input_files(str(queries))
    page.locator("#upload_button").click()
    expect(page.locator("#upload_status")).to_contain_text("4 documents")
    expect(page.locator("#upload_status")).to_contain_text("2 labelled queries")
    expect(page.locator("#corpus [role=combobox]")).to_have_value("Your upload: animals.csv")
    expect(page.locator("#query textarea")).to_have_value("Which animal has stripes?")
    expect(_cells(page, "ranked_baseline", 1).nth(4)).to_have_text("z1")

    page.get_by_role("tab", name="Measure").click()
    page.locator("#measure").click()
    expect(page.locator("#measure_status")).to_contain_text("2 labelled queries over 4 documents")
    summary = page.locator("#metrics_summary [role=gridcell]")
    expect(summary.first).to_have_text("nDCG@10")
    assert page.locator("#metrics_per_query [role=row][aria-rowindex] [role=gridcell]").count() >= 2 * 7
    values = _read(page, "metrics_summary")
    assert all(0.0 <= float(v) <= 1.0 for v in values[1:3])  # no instruction, instruction A

    # a broken file: a readable message naming the line; the uploaded corpus stays in place, and
    # the page stays usable (no error badges over the pickers)
    page.get_by_role("tab", name="Your data").click()
    expect(page.locator("#upload_corpus input[type=file]")).to_have_count(1)  # read, deleted, cleared
    page.locator("#upload_corpus input[type=file]").set_input_files(str(broken))
    page.locator("#upload_button").click()
    expect(page.locator("#upload_status")).to_contain_text("line 2")
    expect(page.locator("#corpus [role=combobox]")).to_have_value("Your upload: animals.csv")
    expect(_cells(page, "ranked_baseline", 1).nth(4)).to_have_text("z1")
    assert page.get_by_text("Error", exact=True).count() == 0
    _pick(page, "example", "Which bird swims in cold seas?")  # the pickers still answer clicks
    expect(page.locator("#query textarea")).to_have_value("Which bird swims in cold seas?")
    expect(_cells(page, "ranked_baseline", 1).nth(4)).to_have_text("p1")


def _select_all(page) -> None:
    page.keyboard.press("Control+A")


EDITS = [  # (what a person does in the query-instruction box, the value it leaves)
    ("select all, Backspace", lambda page, v: (_select_all(page), page.keyboard.press("Backspace")), lambda v: ""),
    ("undo", lambda page, v: page.keyboard.press("Control+Z"), lambda v: v),
    ("Backspace at the end", lambda page, v: (page.keyboard.press("Control+End"), page.keyboard.press("Backspace")),
     lambda v: v[:-1]),
    ("Delete at the start", lambda page, v: (page.keyboard.press("Control+Home"), page.keyboard.press("Delete")),
     lambda v: v[1:-1]),
    ("select all, cut", lambda page, v: (_select_all(page), page.keyboard.press("Control+X")), lambda v: ""),
    ("paste", lambda page, v: page.keyboard.press("Control+V"), lambda v: v[1:-1]),
]


def test_every_way_of_editing_updates_the_ranking(page, browser, client, app_log):
    """Deleting, cutting, pasting and undoing reach the rankings, not only typed characters."""
    browser.grant_permissions(["clipboard-read", "clipboard-write"])
    _wait_first_ranking(page, app_log)
    qa = _defaults(DEFAULT_TASK)
    corpus = get_task(DEFAULT_TASK).corpus
    query = load_sample(corpus).example_queries()[0]
    page.get_by_role("tab", name="Export").click()  # the snippet below follows the box too
    _make_every_edit(page, client, DEFAULT_MODEL, qa, query, lambda value: expect(
        page.locator("#prompts_snippet")).to_contain_text(json.dumps(value)[1:-1] or "{"))


def _make_every_edit(page, client, model, qa, query, also=None):
    """Each of ``EDITS`` on the query instruction box of the default task; after each, both tables
    are what ``/explore`` answers for the box's new value (and ``also(value)`` holds)."""
    corpus = get_task(DEFAULT_TASK).corpus
    box = page.locator("#q_ins textarea")
    box.click()
    for what, act, result in EDITS:
        act(page, qa.query_instruction)
        value = result(qa.query_instruction)
        expect(box, what).to_have_value(value)
        expected = _expected(client, DEFAULT_TASK, model, corpus, value, qa.document_instruction,
                             qa.include_prompt, query)
        _expect_tables(page, expected, timeout=30_000)
        if also is not None:
            also(value)


def test_tab_and_a_click_keep_a_typed_query(page, client, app_log):
    _wait_first_ranking(page, app_log)
    qa = _defaults(DEFAULT_TASK)
    corpus = get_task(DEFAULT_TASK).corpus
    box = page.locator("#query textarea")
    box.click()
    _select_all(page)
    page.keyboard.type("How do I stop a running thread?", delay=10)
    page.keyboard.press("Tab")  # focus moves to the example picker
    page.locator("#intro").click()  # and away again: no example was picked
    expect(box).to_have_value("How do I stop a running thread?")
    _expect_tables(page, _expected(client, DEFAULT_TASK, DEFAULT_MODEL, corpus, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, "How do I stop a running thread?"),
                   timeout=30_000)


# Installed before the page's scripts: every figure Plotly actually draws, with the box its element was in.
DRAWS = """(() => {
  window.__draws = [];
  let value;
  const hook = (P) => {
    if (!P || P.__testHook) return;
    P.__testHook = true;
    const react = P.react;
    P.react = function (gd, ...rest) {
      const box = gd && gd.closest && gd.closest("[id]");
      const out = react.call(this, gd, ...rest);
      if (gd && gd.on && !gd.__testOn) {
        gd.__testOn = true;
        gd.on("plotly_afterplot", () => window.__draws.push({el: gd, box: box && box.id, t: performance.now()}));
      }
      return out;
    };
  };
  Object.defineProperty(window, "Plotly", {configurable: true, get() { return value; },
                                           set(v) { hook(v); value = v; }});
})();"""


def test_each_edit_draws_the_map_once_into_the_element_on_the_page(browser, app_url, app_log):
    """Gradio's Plot also redraws the element it discards; the page drops that draw."""
    tab = browser.new_page()
    tab.set_default_timeout(RUN_MS)
    tab.add_init_script(DRAWS)
    tab.goto(app_url)
    try:
        _wait_first_ranking(tab, app_log)
        box = tab.locator("#q_ins textarea")
        for text in ("x", "y"):
            # quiet: nothing drawn for 0.7 s and no update running
            tab.wait_for_function("() => { const d = window.__draws; return d.length > 0 && "
                                  "!document.body.classList.contains('lens-updating') && "
                                  "performance.now() - d[d.length - 1].t > 700; }")
            mark = tab.evaluate("window.__draws.length")
            box.click()
            tab.keyboard.press("Control+End")
            tab.keyboard.type(text)
            # the rank-change chart is sent after the map: once it is drawn, the map's draws are done
            tab.wait_for_function("m => { const d = window.__draws.slice(m); const i = d.findIndex(x => x.box === 'map');"
                                  " return i >= 0 && d.slice(i).some(x => x.box === 'rank_changes'); }", arg=mark)
            drawn = tab.evaluate("""m => {
                const els = [...new Set(window.__draws.slice(m).filter(d => d.box === 'map').map(d => d.el))];
                return {count: els.length, onPage: els.map(e => e === document.querySelector('#map .js-plotly-plot'))};
            }""", mark)
            assert drawn == {"count": 1, "onPage": [True]}, text
    finally:
        tab.close()


def test_every_way_of_editing_updates_e5s_ranking(page, browser, client, app_log):
    """The same edits with E5 picked: its 4-bit word table (``components.e5.compact``) in the real page."""
    browser.grant_permissions(["clipboard-read", "clipboard-write"])
    _wait_first_ranking(page, app_log)
    model = "e5-small-offline"
    _pick(page, "model", get_model(model).label)
    qa = _defaults(DEFAULT_TASK, model)
    corpus = get_task(DEFAULT_TASK).corpus
    query = load_sample(corpus).example_queries()[0]
    _expect_tables(page, _expected(client, DEFAULT_TASK, model, corpus, qa.query_instruction,
                                   qa.document_instruction, qa.include_prompt, query))
    _make_every_edit(page, client, model, qa, query)
