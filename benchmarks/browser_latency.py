"""Browser latency of Instruction Lens: from a keystroke in the query-instruction box to pixels.

Run from the repository root (Playwright for Python and Debian's chromium)::

    python benchmarks/browser_latency.py            # -> benchmarks/results/browser_latency.json
    python benchmarks/browser_latency.py --quick --out /tmp/browser.json   # smoke run

It starts the app on a free loopback port (``benchmarks.app_process.running_app``,
background warm-up off so nothing else runs), opens it in headless chromium
with an in-page probe (``benchmarks/browser_probe.js``), and for each model
and corpus (MiniLM and E5, the QA task's Python FAQ and the code task's
standard-library functions) edits the query instruction the way a person does:

* ``type``: single characters typed one second apart (at least: the next key
  waits until every event of the last one has finished);
* ``paste``: Ctrl+V of a word, one second apart;
* ``delete``: Backspace, one second apart.

Each edit is followed to the ranking tables and the map on screen, split into
client dispatch, request → processing start, server (with Gradio's own
server-side duration of the handler), response → tables painted and → map
painted; with the events each keystroke sets off, bytes received, Plotly
calls, long animation frames and the CPU seconds of the app and the browser.
An edit that starts no ranking within ``PROTOCOL["no_update_s"]`` (3 s) is recorded as
``updated: false``, so the benchmark runs whether or not the page reacts to
Backspace and paste. Fast bursts type a word at 80 ms per key and check that
no result is shown out of order and that the tables end as ``/explore``
answers for the final text. ``api_round_trip`` times the same edit through
``gradio_client`` for comparison. Times are seconds from the ``keydown``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make ``benchmarks`` and ``components`` importable
    sys.path.insert(0, str(REPO))

from benchmarks import browser_report as report_  # noqa: E402
from benchmarks import browser_timeline as tl  # noqa: E402
from benchmarks.browser_page import (Session, explore_args, open_session, pick, tables_match_api,  # noqa: E402
                                     wait_until_idle)
from benchmarks.app_process import running_app, wait_for_page  # noqa: E402
from benchmarks.timing import machine_info, summarize  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CONFIGS = (("minilm-offline", "qa"), ("minilm-offline", "code"), ("e5-small-offline", "code"),
           ("e5-small-offline", "qa"))
KINDS = ("type", "paste", "delete")
TYPED = "searchinganswersaboutcode"  # letters only: a space can leave the tokens, and so the map, unchanged
PASTED = (" documentation", " implementation", " serialization", " configuration", " authentication",
          " compatibility", " representation", " optimization", " distribution", " interpretation")
BURST_WORDS = (" retrieval", " embeddings", " semantics", " functions", " libraries")
PROTOCOL = {"spacing_s": 1.0, "no_update_s": 3.0, "quiet_s": 0.4, "settle_s": 60.0, "switch_s": 1800.0,
            "burst_key_delay_s": 0.08, "rows_compared": 3}


def edit(s: Session, kind: str, i: int) -> dict:
    """One edit of ``kind`` at the end of the query instruction, followed until everything settles."""
    before = s.box.input_value()
    if kind == "type":
        expected, action = before + TYPED[i % len(TYPED)], lambda: s.page.keyboard.type(TYPED[i % len(TYPED)])
    elif kind == "paste":
        word = PASTED[i % len(PASTED)]
        s.page.evaluate("t => navigator.clipboard.writeText(t)", word)
        expected, action = before + word, lambda: s.page.keyboard.press("Control+V")
    else:
        expected, action = before[:-1], lambda: s.page.keyboard.press("Backspace")
    c0, mark = s.counters(), s.mark()
    action()
    requested = s.requested(mark, PROTOCOL["no_update_s"], expected)
    settled = s.settle(mark, PROTOCOL["settle_s"])
    run = tl.keystroke(s.drain(), mark, s.labels, s.q_index, s.outputs, expected, s.names)
    c1 = s.counters()
    run.update(requested_within_limit=requested, settled=settled, value_as_expected=s.box.input_value() == expected,
               cost={k: c1[k] - c0[k] for k in c0})
    if not run["updated"]:
        run["no_update_within_s"] = PROTOCOL["no_update_s"]
    return run


def single(s: Session, kind: str, n: int) -> dict:
    """``n`` edits one second apart (or as soon as the last one has settled, if later)."""
    runs, starts = [], []
    for i in range(n):
        starts.append(time.monotonic())
        runs.append(edit(s, kind, i))
        rest = PROTOCOL["spacing_s"] - (time.monotonic() - starts[-1])
        if rest > 0:
            time.sleep(rest)  # the protocol's spacing between keystrokes, not a wait for the page
    spacing = [b - a for a, b in zip(starts, starts[1:])]
    return {"summary": report_.summarize_runs(runs), "spacing": summarize(spacing) if spacing else None, "runs": runs}


def fast_burst(s: Session, client, word: str) -> dict:
    """Type ``word`` at 80 ms per key; check the order of the results and the final tables."""
    before = s.box.input_value()
    prefixes = [before + word[:j + 1] for j in range(len(word))]
    mark = s.mark()
    s.page.keyboard.type(word, delay=PROTOCOL["burst_key_delay_s"] * 1000)
    requested = s.requested(mark, PROTOCOL["no_update_s"], prefixes[-1])
    settled = s.settle(mark, PROTOCOL["settle_s"])
    log = s.drain()
    out = tl.burst(log, mark, s.labels, s.q_index, prefixes)
    last_key = max(k["t"] for k in log["keys"] if k["type"] == "keydown") - 0.001
    final = tl.keystroke(log, last_key, s.labels, s.q_index, s.outputs, prefixes[-1], s.names)
    out.update(word=word, final_requested_within_limit=requested, settled=settled,
               last_key_to=final["t"], final_dom_matches_api=tables_match_api(s, client, PROTOCOL["rows_compared"]))
    return out


def api_round_trips(s: Session, client, n: int) -> dict:
    """``/explore`` through ``gradio_client`` with a never-seen query instruction each time."""
    firsts, totals = [], []
    args = explore_args(s)
    for i in range(n):
        args[3] = f"{args[3]} api{i}x{time.monotonic_ns() % 10**6}"
        t0 = time.perf_counter()
        job = client.submit(*args, api_name="/explore")
        first = None
        for _ in job:
            first = first or time.perf_counter() - t0
        job.result()
        totals.append(time.perf_counter() - t0)
        firsts.append(first or totals[-1])
    return {"first_update": summarize(firsts), "result": summarize(totals)}


def switch(s: Session, model: str, task: str) -> dict:
    """Pick the task and the model, wait for their first ranking and map; caret at the instruction's end."""
    from components.models import get_model
    from components.tasks import get_task

    t0, ok = time.perf_counter(), True
    for elem, want, current, label in (("task", task, s.task, get_task(task).label),
                                       ("model", model, s.model, get_model(model).label)):
        if want != current:
            mark = s.mark()
            pick(s.page, elem, label)
            ok = s.requested(mark, PROTOCOL["settle_s"]) and s.settle(mark, PROTOCOL["switch_s"]) and ok
            s.drain()
    s.task, s.model = task, model
    s.box.click()
    s.page.keyboard.press("Control+End")
    return {"seconds": time.perf_counter() - t0, "settled": ok}


def run_config(s: Session, client, model: str, task: str, counts: dict[str, int], bursts: int, api: int) -> dict:
    """Every measure for one model and one task's corpus."""
    from components.tasks import get_task

    out = {"model": model, "task": task, "corpus": get_task(task).corpus, "switch": switch(s, model, task),
           "app_idle": wait_until_idle(s.app_pid), "load_avg_start": list(os.getloadavg())}
    edit(s, "type", 0)  # warm-up keystroke, not reported
    out["single"] = {kind: single(s, kind, counts[kind]) for kind in KINDS}
    out["bursts"] = [fast_burst(s, client, BURST_WORDS[i % len(BURST_WORDS)]) for i in range(bursts)]
    out["api_round_trip"] = api_round_trips(s, client, api)
    out["load_avg_end"] = list(os.getloadavg())
    return out


def run(configs, counts: dict[str, int], bursts: int, api: int) -> dict:
    """Start the app and a browser, measure every (model, task); return the report."""
    from gradio_client import Client
    from playwright.sync_api import sync_playwright

    from components.models import DEFAULT_MODEL
    from components.tasks import DEFAULT_TASK

    report = {"machine": machine_info(), "config": {
        "configs": [list(c) for c in configs], "kinds": list(KINDS), "keystrokes": counts, "bursts": bursts,
        "api_calls": api, "warm_up_keystrokes": 1, "protocol": PROTOCOL, "chromium_args": CHROMIUM_ARGS,
        "app_env": {"INSTRUCTION_LENS_NO_WARMUP": "1"}, "playwright": _version("playwright")}, "measures": {}}
    with running_app({"INSTRUCTION_LENS_NO_WARMUP": "1"}) as (proc, url, t0, log):
        wait_for_page(url, proc, t0, log)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                report["config"]["chromium"] = browser.version
                s = open_session(browser, url, proc.pid, PROTOCOL["quiet_s"])
                if not (s.requested(0, PROTOCOL["switch_s"]) and s.settle(0, PROTOCOL["switch_s"])):
                    raise RuntimeError(f"no first ranking:\n{Path(log).read_text(errors='replace')[-3000:]}")
                s.drain()
                s.task, s.model = DEFAULT_TASK, DEFAULT_MODEL
                client = Client(url, verbose=False, download_files=False)
                for model, task in configs:
                    m = run_config(s, client, model, task, counts, bursts, api)
                    report["measures"][f"{model}.{m['corpus']}"] = m
                    print("\n".join(report_.headline(f"{model}.{m['corpus']}", m)), flush=True)
            finally:
                browser.close()
    report["machine"]["load_avg_end"] = list(os.getloadavg())
    return report


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "browser_latency.json"))
    ap.add_argument("--quick", action="store_true", help="MiniLM on one corpus, 3 keystrokes per kind, 1 burst")
    ap.add_argument("--keystrokes", type=int, default=12, help="edits per kind (type, paste, delete)")
    ap.add_argument("--bursts", type=int, default=3)
    ap.add_argument("--api", type=int, default=10, help="gradio_client calls per model and corpus")
    ap.add_argument("--configs", nargs="+", metavar="MODEL:TASK", default=None,
                    help="model and task pairs in the order measured (default: the four of CONFIGS)")
    args = ap.parse_args(argv)
    for key, value in (("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                       ("GRADIO_ANALYTICS_ENABLED", "False"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(key, value)
    n = 3 if args.quick else args.keystrokes
    configs = tuple(tuple(c.split(":", 1)) for c in args.configs) if args.configs else CONFIGS
    report = run(configs[:1] if args.quick else configs, dict.fromkeys(KINDS, n),
                 1 if args.quick else args.bursts, 3 if args.quick else args.api)
    print(f"report: {report_.write_report(report, Path(args.out))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
