"""The browser benchmark's pure parts: timelines from probe records, the burst check, the report.

No browser and no app: the probe's records are written here by hand, as
``window.__lens.drain()`` returns them, and no timing is asserted beyond the
arithmetic on those made-up timestamps.
"""

import base64
import json

import pytest

from benchmarks import browser_report as rp
from benchmarks import browser_timeline as tl

LABELS = {1: "explore", 2: "snippet", 3: "measure"}
OUTPUTS = ["ranked_instructed", "ranked_baseline", "map", "status"]
Q = 4  # q_ins's index among the explore inputs


def _figure() -> dict:
    xs = {"dtype": "f8", "bdata": base64.b64encode(bytes(8 * 5)).decode()}  # five float64 points
    fig = {"data": [{"x": xs, "y": xs, "text": ["abc", "de"]}, {"x": [1, 2], "y": [3, 4]}], "layout": {}}
    return {"type": "plotly", "plot": json.dumps(fig)}


def _msg(t: float, msg: str, event_id: str | None, data=None, duration=None) -> dict:
    body = {"msg": msg, "event_id": event_id}
    if data is not None:
        body["output"] = {"data": data, "duration": duration}
    raw = json.dumps(body)
    return {"t": t, "msg": msg, "event_id": event_id, "bytes": len(raw), "stream": 0, "raw": raw}


def _join(t0: float, fn: int, event_id: str, text: str) -> dict:
    data = ["qa", "minilm-offline", "python_faq_qa", None, text, "", True, "a query", 10]
    return {"id": 0, "url": "http://127.0.0.1:1/gradio_api/queue/join?", "t0": t0, "tHeaders": t0 + 10,
            "tEnd": t0 + 11, "status": 200, "fn_index": fn, "data": data, "event_id": event_id}


def _log(text: str = "instr x", explore: bool = True) -> dict:
    """A keystroke at 1000 ms: snippet at 1040, explore at 1050, result at 1150, painted at 1350."""
    table = {"headers": ["rank"], "data": [[1]]}
    fetches = [_join(1040, 2, "s1", text)]
    messages = [_msg(1060, "process_completed", "s1", ["{}"], 0.001)]
    resources = []
    if explore:
        fetches += [_join(1050, 1, "e1", text),
                    {"id": 9, "url": "http://127.0.0.1:1/gradio_api/queue/data?session_hash=x", "t0": 1062,
                     "tHeaders": 1070, "status": 200}]
        messages += [_msg(1080, "process_starts", "e1"),
                     _msg(1150, "process_generating", "e1", [table, table, _figure(), "ok"], 0.05),
                     _msg(1151, "process_completed", "e1", [table, table, _figure(), "ok"], 0.001)]
        resources = [{"name": "http://127.0.0.1:1/gradio_api/queue/join?", "startTime": 1051,
                      "responseStart": 1055, "responseEnd": 1056}]
    return {
        "keys": [{"type": "keydown", "t": 1000.5, "ts": 1000, "key": "x", "inputType": None, "elem": "q_ins"},
                 {"type": "input", "t": 1002, "ts": 1002, "key": None, "inputType": "insertText", "elem": "q_ins"}],
        "fetches": fetches, "messages": messages, "resources": resources,
        "mutations": [{"t": 1005, "counts": {"status:other": 2}, "raf": 1010},
                      {"t": 1300, "counts": {"ranked_instructed:grid": 3, "ranked_baseline:grid": 3, "map:plot": 90},
                       "raf": 1310}] if explore else [],
        "plotly": [{"call": "react", "t0": 1200, "t1": 1280, "t2": 1290, "graph": 4},
                   {"call": "afterplot", "t0": 1400, "graph": 4}] if explore else [],
        "loaf": [{"startTime": 1160, "duration": 190, "blockingDuration": 140, "renderStart": 1305,
                  "styleAndLayoutStart": 1320, "scripts": [{"sourceURL": "http://h/assets/index-X.js",
                                                            "invokerType": "user-callback", "duration": 150,
                                                            "forcedStyleAndLayoutDuration": 4}]}],
        "longtasks": [], "observerMs": 0.1, "now": 1600}


def test_events_are_labelled_by_what_they_update():
    config = {"components": [{"id": i, "props": {"elem_id": e}} for i, e in enumerate(
        ["task", "q_ins", "ranked_instructed", "map", "prompts_snippet", "metrics_summary"])],
        "dependencies": [{"id": 7, "inputs": [0, 1], "outputs": [2, 3]}, {"id": 8, "inputs": [1], "outputs": [4]},
                         {"id": 9, "inputs": [1], "outputs": [5]}, {"id": 10, "inputs": [], "outputs": [0]}]}
    labels, q_index, outputs = tl.dependency_labels(config)
    assert labels == {7: "explore", 8: "snippet", 9: "measure", 10: "task"}
    assert q_index == 1 and outputs == ["ranked_instructed", "map"]


def test_a_keystroke_is_split_along_its_critical_path():
    run = tl.keystroke(_log(), 999, LABELS, Q, OUTPUTS, "instr x", names=lambda f: f"core ({f})")
    assert run["updated"] and run["text_matches"] and run["key"] == "x"
    t, seg = run["t"], run["segments"]
    assert t["explore_join"] == pytest.approx(0.050) and t["process_starts"] == pytest.approx(0.080)
    assert t["result"] == pytest.approx(0.150) and t["tables_dom"] == pytest.approx(0.300)
    assert t["tables_painted"] == pytest.approx(0.350)  # the long frame holding the rAF ends at 1350
    assert t["map_settled"] == pytest.approx(0.400)  # Plotly's afterplot came later than the frame
    assert seg == pytest.approx({"client_dispatch": 0.05, "request_to_start": 0.03, "server": 0.07,
                                 "render_tables": 0.2, "render_map": 0.2})
    assert run["server_fn_s"] == 0.05 and run["explore_updates"] == 1 and run["completed_carries_data"]
    assert run["join_network_s"] == pytest.approx(0.005) and run["join_js_delay_s"] == pytest.approx(0.004)
    assert run["new_stream"] and run["stream_open_s"] == pytest.approx(0.008)
    assert run["events"] == {"snippet": 1, "explore": 1}
    assert run["figure"]["traces"] == 2 and run["figure"]["points"] == 7 and run["figure"]["hover_text_chars"] == 5
    assert run["bytes"]["map"] > run["bytes"]["status"] > 0
    assert run["plotly"]["react_calls"] == 1 and run["plotly"]["react_sync_s"] == pytest.approx(0.08)
    assert run["main_thread"]["blocking_s"] == pytest.approx(0.14)
    assert run["main_thread"]["script_s_by_source"] == {"core (index-X.js) · user-callback": 0.15}


def test_an_edit_that_starts_no_ranking_is_recorded_not_awaited():
    run = tl.keystroke(_log(explore=False), 999, LABELS, Q, OUTPUTS, "instr x")
    assert not run["updated"] and run["events"] == {"snippet": 1}
    assert run["t"]["input"] == pytest.approx(0.002)
    assert all(v is None for name, v in run["t"].items() if name != "input")
    assert all(v is None for v in run["segments"].values())
    summary = rp.summarize_runs([run, tl.keystroke(_log(), 999, LABELS, Q, OUTPUTS, "instr x")])
    assert (summary["n"], summary["n_updated"], summary["n_no_update"]) == (2, 1, 1)
    assert summary["t"]["tables_painted"]["n"] == 1
    assert summary["events_per_keystroke"] == {"snippet": 1.0, "explore": 0.5}
    assert summary["detail"]["figure.points"]["median"] == 7


def test_plotly_divs_are_counted_new_or_reused():
    runs = [tl.keystroke(_log(), 999, LABELS, Q, OUTPUTS, "instr x") for _ in range(3)]
    for run, divs in zip(runs, ([1, 2], [2, 3], [3, 4])):  # each update: the last div again, then a new one
        run["plotly"]["graph_divs"] = divs
    assert rp.summarize_runs(runs)["plotly_divs_per_update"] == {"new": 1.0, "earlier": 1.0}


def _burst_log(order: list[int], prefixes: list[str]) -> dict:
    log = _log()
    log["fetches"] = [_join(1000 + 100 * i, 1, f"e{i}", prefixes[i]) for i in order]
    log["messages"] = [_msg(5000 + 10 * n, "process_generating", f"e{i}", [1, 2, 3, 4], 0.05)
                       for n, i in enumerate(order)]
    return log


def test_a_burst_shown_out_of_order_is_caught():
    prefixes = ["a", "ab", "abc", "abcd"]
    good = tl.burst(_burst_log([0, 2, 3], prefixes), 0, LABELS, Q, prefixes)
    assert good["in_order"] and good["final_requested"] and good["final_shown_last"]
    assert good["shown_text_indices"] == [0, 2, 3] and good["explore_requests"] == 3
    assert [r["event"] for r in good["requests"]] == ["explore"] * 3
    assert good["requests"][1]["text_index"] == 2 and good["requests"][1]["result_s"] == pytest.approx(4.0095)
    log = _burst_log([0, 3, 2], prefixes)  # a stale result arrives after the final one
    bad = tl.burst(log, 0, LABELS, Q, prefixes)
    assert not bad["in_order"] and not bad["final_shown_last"]
    repeated = tl.burst(_burst_log([0, 3, 3], prefixes), 0, LABELS, Q, prefixes)
    assert repeated["in_order"] and repeated["repeated_results"] == 1 and repeated["final_shown_last"]
    stale = tl.burst(_burst_log([0, 1], prefixes), 0, LABELS, Q, prefixes)
    assert stale["in_order"] and not stale["final_requested"] and not stale["final_shown_last"]


def _report(n: int = 2) -> dict:
    runs = [tl.keystroke(_log(), 999, LABELS, Q, OUTPUTS, "instr x") for _ in range(n)]
    single = {kind: {"summary": rp.summarize_runs(runs), "runs": runs} for kind in ("type", "paste")}
    return {"machine": {"cpu_count": 2}, "config": {"kinds": ["type", "paste"], "keystrokes": {"type": n, "paste": n}},
            "measures": {"m.c": {"single": single, "bursts": [{"in_order": True, "final_shown_last": True,
                                                               "final_dom_matches_api": True}]}}}


def test_a_complete_report_is_written_and_reads_back(tmp_path):
    report = _report()
    assert rp.validate_report(report) == []
    path = rp.write_report(report, tmp_path / "out" / "browser_latency.json")
    back = json.loads(path.read_text(encoding="utf-8"))
    painted = back["measures"]["m.c"]["single"]["type"]["summary"]["t"]["tables_painted"]
    assert painted["median_s"] == pytest.approx(0.35)


def test_an_incomplete_report_is_refused_with_the_reason(tmp_path):
    report = _report()
    report["config"]["keystrokes"]["paste"] = 12
    del report["measures"]["m.c"]["bursts"][0]["final_dom_matches_api"]
    report["measures"]["m.c"]["single"]["type"]["summary"]["t"]["result"]["p10_s"] = 9.0
    problems = rp.validate_report(report)
    assert any("paste: 2 keystrokes, expected 12" in p for p in problems)
    assert any("final_dom_matches_api" in p for p in problems)
    assert any("t.result: percentiles out of order" in p for p in problems)
    with pytest.raises(ValueError, match="expected 12"):
        rp.write_report(report, tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()
    assert rp.validate_report({"measures": {}}) == ["missing machine", "missing config"]


def test_headline_reads_a_measure():
    m = _report()["measures"]["m.c"]
    m["bursts"][0].update(word=" w", explore_requests=1, keys=2)
    m["api_round_trip"] = {"result": {"median_s": 0.1, "p90_s": 0.2}}
    lines = rp.headline("m.c", m)
    assert lines[0] == "m.c:" and "updated 2/2" in lines[1] and "350 ms" in lines[1]
    assert "in order True" in lines[3] and "100 ms" in lines[-1]


def test_waiting_for_an_idle_app_waits_out_its_background_work():
    import subprocess
    import sys

    from benchmarks.browser_page import wait_until_idle

    busy = "import time\nt = time.perf_counter()\nwhile time.perf_counter() - t < 1.5: pass\ntime.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", busy])
    try:
        seen = wait_until_idle(proc.pid, window_s=0.5, limit_s=10)
        assert seen["idle"] and seen["waited_s"] >= 1.4
        assert wait_until_idle(proc.pid, window_s=0.5, limit_s=10)["waited_s"] < 1.0  # already idle
    finally:
        proc.kill()
        proc.wait()
