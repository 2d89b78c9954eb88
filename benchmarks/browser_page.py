"""The app's page in chromium, as the browser benchmark drives and reads it.

``Session`` holds one tab with the probe (``browser_probe.js``) installed: it
knows which of the page's events is which (from the app's ``/config``), waits
on the probe's conditions instead of sleeping, drains its records and reads
counters (main-thread work from the DevTools protocol, CPU seconds of the
app's and the browser's processes). ``tables_match_api`` compares what the
tables show with what ``/explore`` answers. It measures nothing by itself.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

from benchmarks import browser_timeline as tl

PROBE = Path(__file__).with_name("browser_probe.js")
VIEWPORT = {"width": 1400, "height": 1000}


class Session:
    """One browser tab on the app, its probe and what the page's events are.

    ``quiet_s``: how long nothing watched may move before an edit counts as settled.
    """

    def __init__(self, page, url: str, app_pid: int, quiet_s: float) -> None:
        self.page, self.url, self.quiet_s, self.names = page, url, quiet_s, asset_namer()
        with urllib.request.urlopen(url + "/config", timeout=30) as resp:
            self.labels, self.q_index, self.outputs = tl.dependency_labels(json.load(resp))
        self.explore_fns = [fn for fn, label in self.labels.items() if label == "explore"]
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        self.app_pid = app_pid
        self.box = page.locator("#q_ins textarea")
        self.task = self.model = None

    def mark(self) -> float:
        return self.page.evaluate("performance.now()")

    def wait(self, script: str, arg: dict, timeout_s: float) -> bool:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(script, arg=arg, timeout=timeout_s * 1000, polling=100)
            return True
        except PlaywrightTimeout:
            return False

    def requested(self, mark: float, timeout_s: float, text: str | None = None) -> bool:
        arg = {"mark": mark, "fns": self.explore_fns, "qi": self.q_index}
        if text is not None:
            arg["text"] = text
        return self.wait("a => window.__lens.requested(a)", arg, timeout_s)

    def settle(self, mark: float, timeout_s: float) -> bool:
        return self.wait("a => window.__lens.settled(a)", {"mark": mark, "quiet": self.quiet_s * 1000},
                         timeout_s)

    def drain(self) -> dict:
        return self.page.evaluate("window.__lens.drain()")

    def counters(self) -> dict:
        """Main-thread work (CDP) and CPU seconds of the app's and the browser's processes."""
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        out = {k: metrics.get(name, 0.0) for k, name in (("script_s", "ScriptDuration"), ("layout_s", "LayoutDuration"),
               ("style_s", "RecalcStyleDuration"), ("task_s", "TaskDuration"))}
        out["app_cpu_s"] = cpu_seconds(self.app_pid)
        out["browser_cpu_s"] = cpu_seconds(os.getpid(), name="chrom")
        out["renderer_main_cpu_s"] = renderer_main_cpu()
        return out


def open_session(browser, url: str, app_pid: int, quiet_s: float) -> Session:
    """A new tab on ``url`` with the probe installed before the page's own scripts, clipboard allowed."""
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    page.add_init_script(PROBE.read_text(encoding="utf-8"))
    page.goto(url)
    return Session(page, url, app_pid, quiet_s)


def cpu_seconds(pid: int, name: str | None = None) -> float:
    """User + system CPU seconds of ``pid`` and its children (only those whose name has ``name``)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = ([root] if name is None else []) + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            if name is None or name in p.name():
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def wait_until_idle(pid: int, busy_share: float = 0.1, window_s: float = 1.0, limit_s: float = 120.0) -> dict:
    """Wait until ``pid`` and its children use under ``busy_share`` of one core over ``window_s``.

    Background work the app starts on its own (UMAP's compile on a fresh
    start, a frame that replaces its PCA stand-in) would otherwise be counted
    against the keystrokes measured next. Gives up after ``limit_s``; returns
    the seconds waited and whether the app became idle.
    """
    t0 = time.perf_counter()
    before = cpu_seconds(pid)
    while time.perf_counter() - t0 < limit_s:
        time.sleep(window_s)
        now = cpu_seconds(pid)
        if now - before < busy_share * window_s:
            return {"waited_s": time.perf_counter() - t0, "idle": True}
        before = now
    return {"waited_s": time.perf_counter() - t0, "idle": False}


def renderer_main_cpu() -> float:
    """CPU seconds of the renderers' main threads (where the page's JavaScript, style and layout run)."""
    import psutil

    total = 0.0
    for p in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "--type=renderer" in " ".join(p.cmdline()):
                main = next((t for t in p.threads() if t.id == p.pid), None)
                total += main.user_time + main.system_time if main else 0.0
        except psutil.NoSuchProcess:
            continue
    return total


def asset_namer():
    """A function naming a page script by the Gradio part it holds (Plotly, Dataframe, core)."""
    import gradio

    folder = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    cache: dict[str, str] = {}

    def name(file: str) -> str:
        if file not in cache:
            path = folder / file
            text = path.read_text(errors="replace") if file and path.is_file() else ""
            kind = ("plotly" if "newPlot" in text else "dataframe" if "data-testid`,`cell-" in text else
                    "status tracker" if file.startswith("statustracker") else
                    "gradio core" if file.startswith("index-") else "")
            cache[file] = f"{kind} ({file})" if kind else file
        return cache[file]

    return name


def pick(page, elem_id: str, label: str) -> None:
    """Choose ``label`` in the Dropdown ``#elem_id`` the way a person does."""
    page.locator(f"#{elem_id} [role=combobox]").click()
    page.get_by_role("option", name=label, exact=True).click()


def explore_args(s: Session) -> list:
    """The ``/explore`` arguments for what the page shows now (task, model, corpus, the boxes, k=10)."""
    from components.tasks import get_task

    p = s.page
    return [s.task, s.model, get_task(s.task).corpus, s.box.input_value(), p.locator("#d_ins textarea").input_value(),
            p.locator("#include input[type=checkbox]").is_checked(), p.locator("#query textarea").input_value(), 10]


def _shown(value) -> str:
    """A cell value as the Dataframe prints it (JavaScript number formatting)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def tables_match_api(s: Session, client, rows: int = 3) -> bool:
    """Do the first ``rows`` rows of both tables show what ``/explore`` answers for the page's inputs?"""
    instructed, baseline, _plot, _status = client.predict(*explore_args(s), api_name="/explore")
    for elem, table in (("ranked_instructed", instructed), ("ranked_baseline", baseline)):
        want = [_shown(v) for row in table["data"][:rows] for v in row]
        rows_sel = ",".join(f'[aria-rowindex="{r + 2}"]' for r in range(rows))
        got = s.page.locator(f"#{elem} [role=row]:is({rows_sel}) [role=gridcell]").evaluate_all(
            "cells => cells.map(c => c.innerText.trim())")
        if got != want:
            return False
    return True
