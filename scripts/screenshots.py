"""Refresh the README's screenshots from the real app in headless chromium.

    python scripts/screenshots.py [--out docs]

Starts ``app.py`` on a free loopback port (``benchmarks.app_process``), opens
the default page and waits, on the page's own elements, until both rankings,
the status line's comparison and the UMAP map are drawn. Then saves:

* ``screenshot.png``: the whole page, 1400 pixels wide;
* ``screenshot-first-screen.png``: what a 1400×1000 window shows first;
* ``screenshot-dark.png``: the same in Gradio's dark theme (``?__theme=dark``);
* ``screenshot-phone.png``: the first screen of a 390×844 phone.

Not run by the tests (``tests/test_ui_browser.py`` takes its own screenshot of
the loaded page). Needs chromium (``/usr/bin/chromium``) and Playwright.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.app_process import running_app, wait_for_page  # noqa: E402
from benchmarks.browser_latency import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

FIRST_RANKING_MS = 420_000  # a first start loads the model, embeds the corpus and fits the map
WINDOW = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
# name, viewport, URL suffix, whole page
SHOTS = (("screenshot.png", WINDOW, "", True), ("screenshot-first-screen.png", WINDOW, "", False),
         ("screenshot-dark.png", WINDOW, "?__theme=dark", False), ("screenshot-phone.png", PHONE, "", False))


def wait_until_drawn(page) -> None:
    """Both tables' first cells, the status line's comparison and the map's traces are on the page."""
    for table in ("ranked_instructed", "ranked_baseline"):
        page.locator(f"#{table} [role=gridcell]").first.wait_for(timeout=FIRST_RANKING_MS)
    page.wait_for_function("() => document.querySelector('#status')?.innerText.includes('from the baseline.')",
                           timeout=FIRST_RANKING_MS)
    page.wait_for_function("() => document.querySelector('#map .js-plotly-plot')?.data?.length > 0",
                           timeout=FIRST_RANKING_MS)


def map_method(page) -> str:
    """The map title's first words ("Map: UMAP ..." or "Map: first two principal components ...")."""
    return page.evaluate("document.querySelector('#map .js-plotly-plot').layout.title.text")


def open_drawn(browser, url: str, viewport: dict, limit_s: float = 600.0):
    """A tab on ``url`` with everything drawn and the UMAP map: a first start shows an interim
    projection while UMAP is fitted in the background, and a reload then gets UMAP."""
    page = browser.new_page(viewport=viewport)
    deadline = time.monotonic() + limit_s
    while True:
        page.goto(url)
        wait_until_drawn(page)
        if map_method(page).startswith("Map: UMAP"):
            return page
        if time.monotonic() > deadline:
            raise RuntimeError(f"no UMAP map after {limit_s:.0f} s: {map_method(page)!r}")
        page.wait_for_timeout(5_000)  # UMAP is still being fitted in the app's background thread


def take(browser, url: str, out: Path) -> list[Path]:
    """Every shot of ``SHOTS`` in its own tab, saved under ``out``."""
    saved = []
    for name, viewport, suffix, full in SHOTS:
        page = open_drawn(browser, url + "/" + suffix, viewport)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / name), full_page=full)
        page.close()
        saved.append(out / name)
    return saved


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    args = ap.parse_args(argv)
    for key, value in (("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                       ("GRADIO_ANALYTICS_ENABLED", "False"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(key, value)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with running_app() as (proc, url, t0, log):
        wait_for_page(url, proc, t0, log)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for path in take(browser, url, args.out):
                    print(f"saved {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
