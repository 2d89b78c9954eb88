"""Two visitors on one server: does B's typing wait for A's slow work?

Run from the repository root::

    python benchmarks/two_sessions.py   # -> benchmarks/results/two_sessions.json

It starts the app on a free loopback port and drives it with two
``gradio_client`` sessions through ``/explore``. B edits the query
instruction of MiniLM on the Python FAQ (documents already embedded), one
edit at a time. B's latency is measured three ways: with the server idle;
while A edits E5's document instruction on the Lee news articles (300
articles embedded again, twice: the slowest corpus job of the sample data);
and while A asks for a Hub model that cannot be fetched here. The report
gives each phase's median and 90th percentile and how long A's job took.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.app_process import running_app, wait_for_page  # noqa: E402
from benchmarks.timing import fresh, machine_info, percentile  # noqa: E402
from components.setting import default_setting  # noqa: E402

B_TASK, B_MODEL, B_CORPUS = "qa", "minilm-offline", "python_faq_qa"
A_TASK, A_MODEL, A_CORPUS = "docsim", "e5-small-offline", "lee_news"
HUB_ONLY = "e5-small-v2"


def _explore(client, task: str, model: str, corpus: str, q_ins: str, d_ins: str, query: str) -> float:
    """Seconds for one ``/explore`` call (the page's whole update: tables, map and status)."""
    include = default_setting(task, model).include_prompt
    t = time.perf_counter()
    client.predict(task, model, corpus, q_ins, d_ins, include, query, 10, api_name="/explore")
    return time.perf_counter() - t


def _b_edits(client, n: int | None, until: threading.Event | None, suffixes: list[str]) -> list[float]:
    """B's query-instruction edits: ``n`` of them, or as many as fit before ``until`` is set."""
    base = default_setting(B_TASK, B_MODEL)
    times: list[float] = []
    while (n is None or len(times) < n) and not (until is not None and until.is_set()):
        q_ins = base.query_instruction + suffixes.pop(0)
        times.append(_explore(client, B_TASK, B_MODEL, B_CORPUS, q_ins, base.document_instruction,
                              "How does Python manage memory?"))
    return times


def _summary(times: list[float]) -> dict:
    return {"n": len(times), "median_s": percentile(times, 50), "p90_s": percentile(times, 90),
            "max_s": max(times)}


def _while_a(client_a, client_b, a_call, suffixes: list[str]) -> dict:
    """B's edits while ``a_call(client_a)`` runs in another thread."""
    done, a_time, a_error = threading.Event(), [], []

    def run_a():
        t = time.perf_counter()
        try:
            a_call(client_a)
        except Exception as exc:  # a refused Hub model is an expected error
            a_error.append(str(exc)[:200])
        a_time.append(time.perf_counter() - t)
        done.set()

    thread = threading.Thread(target=run_a)
    thread.start()
    time.sleep(0.3)  # A's request is in before B starts
    times = _b_edits(client_b, None, done, suffixes)
    thread.join()
    return {"b": _summary(times) if times else {"n": 0}, "a_seconds": a_time[0], "a_error": a_error[:1]}


def run() -> dict:
    """Start the app, warm both sides, and measure B in the three phases."""
    from gradio_client import Client

    words = (" now", " please", " here", " again", " today")  # each edit a query instruction never typed before
    suffixes = [words[i % 5] * (i % 3 + 1) + str(i) for i in range(2000)]
    report: dict = {"machine": machine_info()}
    with running_app() as (proc, url, t0, log):
        wait_for_page(url, proc, t0, log)
        a, b = Client(url, verbose=False), Client(url, verbose=False)
        a_set = default_setting(A_TASK, A_MODEL)
        query_a = "Australian troops in East Timor"
        report["warm_a_seconds"] = _explore(a, A_TASK, A_MODEL, A_CORPUS, a_set.query_instruction,
                                            a_set.document_instruction, query_a)
        _b_edits(b, 2, None, suffixes)  # B's documents are embedded, its map frame fitted
        report["idle"] = _summary(_b_edits(b, 12, None, suffixes))
        edit = fresh(a_set.document_instruction + "news article:")  # never embedded, nor in the store
        report["during_corpus_job"] = _while_a(a, b, lambda c: _explore(
            c, A_TASK, A_MODEL, A_CORPUS, a_set.query_instruction, edit, query_a), suffixes)
        report["during_hub_model_request"] = _while_a(a, b, lambda c: _explore(
            c, A_TASK, HUB_ONLY, A_CORPUS, "", "", query_a), suffixes)
    report["machine"]["load_avg_end"] = list(__import__("os").getloadavg())
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "two_sessions.json"))
    args = ap.parse_args()
    report = run()
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    for phase in ("idle", "during_corpus_job", "during_hub_model_request"):
        part = report[phase]
        b = part.get("b", part)
        extra = f" (A took {part['a_seconds']:.1f} s)" if "a_seconds" in part else ""
        print(f"{phase}: B median {b.get('median_s', float('nan')):.3f} s, p90 {b.get('p90_s', float('nan')):.3f} s, "
              f"n={b['n']}{extra}")


if __name__ == "__main__":
    main()
