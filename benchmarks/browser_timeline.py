"""Follow one edit through what the in-page probe recorded: keystroke → request → server → DOM → frame.

Pure functions over the dictionaries ``window.__lens.drain()`` returns
(``benchmarks/browser_probe.js``): no browser, no app. Times in the probe are
``performance.now()`` milliseconds; everything here is returned in seconds
from the keystroke (its ``keydown``). ``keystroke`` splits one edit along its
critical path and counts what it set off (events, bytes, Plotly calls, long
frames); ``burst`` checks that fast typing never shows a stale result.
Statistics and the report are in ``browser_report``; driving the browser is
``browser_latency``'s job.

Example (a log with no explore request is an edit the page did not act on):
    >>> log = {"keys": [], "fetches": [], "messages": [], "mutations": [], "plotly": [], "loaf": [],
    ...        "resources": [], "now": 10.0}
    >>> keystroke(log, 0.0, {}, 0, [])["updated"]
    False
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Callable

TABLES = ("ranked_instructed", "ranked_baseline")
DONE = ("process_completed", "unexpected_error")
TIMES = ("input", "explore_join", "join_response", "process_starts", "result", "completed",
         "tables_dom", "tables_painted", "map_dom", "map_painted", "map_settled")
SEGMENTS = ("client_dispatch", "request_to_start", "server", "render_tables", "render_map")


def dependency_labels(config: dict) -> tuple[dict[int, str], int, list[str]]:
    """Label of every event by what it updates, q_ins's input index and the explore outputs."""
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    labels, q_index, outputs = {}, -1, []
    for i, dep in enumerate(config["dependencies"]):
        outs = [elem.get(o) for o in dep["outputs"]]
        if "ranked_instructed" in outs:
            label = "explore"
            ins = [elem.get(c) for c in dep["inputs"]]
            q_index, outputs = ins.index("q_ins"), [o or "?" for o in outs]
        elif "metrics_summary" in outs:
            label = "measure"
        elif outs == ["prompts_snippet"]:
            label = "snippet"
        else:
            label = "+".join(o for o in outs if o) or f"fn{dep.get('id', i)}"
        labels[dep.get("id", i)] = label
    return labels, q_index, outputs


def parse_messages(messages: list[dict]) -> list[dict]:
    """Each server-sent message with its server duration and output sizes (raw text dropped)."""
    out = []
    for m in messages:
        body = json.loads(m["raw"]) if m.get("raw") else {}
        output = body.get("output") or {}
        data = output.get("data")
        sizes = [len(json.dumps(d, separators=(",", ":"))) for d in data] if isinstance(data, list) else None
        has_data = bool(data) and any(d is not None for d in data) if isinstance(data, list) else False
        figures = [figure_stats(d) for d in data] if isinstance(data, list) else []
        out.append({"t": m["t"], "msg": m["msg"], "event_id": m["event_id"], "bytes": m["bytes"],
                    "duration": output.get("duration"), "sizes": sizes, "has_data": has_data,
                    "figure": next((f for f in figures if f), None)})
    return out


ITEMSIZE = {"f8": 8, "f4": 4, "i1": 1, "u1": 1, "i2": 2, "u2": 2, "i4": 4, "u4": 4, "i8": 8, "u8": 8}


def _length(values) -> int:
    """Points in a Plotly array: a list, or a base64 typed array ``{"dtype", "bdata"}``."""
    if isinstance(values, dict) and "bdata" in values:
        return len(base64.b64decode(values["bdata"])) // ITEMSIZE.get(values.get("dtype", "f8"), 8)
    return len(values) if isinstance(values, list) else 0


def figure_stats(value) -> dict | None:
    """Traces, points and hover-text characters of a Plot output (``{"type": "plotly", "plot": json}``)."""
    if not isinstance(value, dict) or value.get("type") != "plotly" or not isinstance(value.get("plot"), str):
        return None
    fig = json.loads(value["plot"])
    traces = fig.get("data", [])
    hover = sum(len(t) for tr in traces for key in ("text", "hovertext") if isinstance(tr.get(key), list)
                for t in tr[key] if isinstance(t, str))
    return {"plot_json_bytes": len(value["plot"]), "traces": len(traces),
            "points": sum(_length(tr.get("x")) for tr in traces), "hover_text_chars": hover}


def _rel(t0: float | None, t: float | None) -> float | None:
    return None if t0 is None or t is None else (t - t0) / 1000.0


def _key_time(keys: list[dict], mark: float) -> tuple[dict | None, dict | None]:
    """The keydown that made the edit (the last one before the first input event) and that input."""
    keys = [k for k in keys if k["t"] >= mark]
    first_input = next((k for k in keys if k["type"] == "input"), None)
    downs = [k for k in keys if k["type"] == "keydown" and (first_input is None or k["t"] <= first_input["t"])]
    return (downs[-1] if downs else None), first_input


def _frame_end(t_raf: float | None, loaf: list[dict]) -> float | None:
    """End of the frame painting a change: the long frame holding ``t_raf``, else ``t_raf`` itself."""
    if t_raf is None:
        return None
    for f in loaf:
        if f["startTime"] <= t_raf <= f["startTime"] + f["duration"]:
            return f["startTime"] + f["duration"]
    return t_raf


def _first_batch(mutations: list[dict], after: float, key: str) -> dict | None:
    return next((b for b in mutations if b["t"] >= after and b["counts"].get(key)), None)


def _resource(resources: list[dict], t0: float, part: str) -> dict | None:
    cands = [r for r in resources if part in r["name"] and r["startTime"] >= t0 - 1]
    return min(cands, key=lambda r: r["startTime"] - t0, default=None)


def main_thread(loaf: list[dict], start: float, end: float, names: Callable[[str], str] | None = None) -> dict:
    """Long animation frames in [start, end]: total, blocking, style+layout and script time by source."""
    frames = [f for f in loaf if start - 1 <= f["startTime"] <= end]
    by_source: Counter = Counter()
    for f in frames:
        for s in f.get("scripts", []):
            src = (s.get("sourceURL") or "").rsplit("/", 1)[-1] or "(inline)"
            invoker = s.get("invokerType") or s.get("invoker", "")
            by_source[f"{names(src) if names else src} · {invoker}"] += s["duration"]
    layout = sum(f["startTime"] + f["duration"] - f["styleAndLayoutStart"]
                 for f in frames if f.get("styleAndLayoutStart"))
    forced = sum(s.get("forcedStyleAndLayoutDuration", 0) for f in frames for s in f.get("scripts", []))
    return {"long_frames": len(frames), "long_frames_s": sum(f["duration"] for f in frames) / 1000,
            "blocking_s": sum(f.get("blockingDuration", 0) for f in frames) / 1000,
            "style_layout_s": layout / 1000, "forced_style_layout_s": forced / 1000,
            "script_s_by_source": {k: round(v / 1000, 4) for k, v in by_source.most_common()}}


def keystroke(log: dict, mark: float, labels: dict[int, str], q_index: int, outputs: list[str],
              text: str | None = None, names: Callable[[str], str] | None = None) -> dict:
    """One edit, from its keydown to the ranking tables and the map on screen (seconds)."""
    key, first_input = _key_time(log["keys"], mark)
    t_key = None if key is None else min(key["ts"], key["t"])
    joins = [f for f in log["fetches"] if "queue/join" in f["url"] and f["t0"] >= mark]
    streams = [f for f in log["fetches"] if "queue/data" in f["url"] and f["t0"] >= mark]
    msgs = parse_messages(log["messages"])
    explores = [j for j in joins if labels.get(j.get("fn_index")) == "explore"]
    explore = next((j for j in explores if text is None or _text(j, q_index) == text),
                   explores[0] if explores else None)
    out = {"key": key and key["key"], "input_type": first_input and first_input["inputType"],
           "updated": explore is not None, "events": dict(Counter(labels.get(j.get("fn_index"), "?") for j in joins)),
           "streams_opened": len(streams), "messages": len(msgs),
           "first_join_s": _first_joins(joins, labels, t_key),
           "main_thread": main_thread(log["loaf"], t_key or mark, log["now"], names)}
    times = dict.fromkeys(TIMES)
    times["input"] = first_input and first_input["t"]
    if explore is not None:
        out.update(_explore(explore, joins, streams, msgs, log, times, outputs, q_index, text))
    out["t"] = {k: _rel(t_key, v) for k, v in times.items()}
    t = out["t"]
    out["segments"] = {
        "client_dispatch": t["explore_join"],
        "request_to_start": _diff(t["explore_join"], t["process_starts"]),
        "server": _diff(t["process_starts"], t["result"]),
        "render_tables": _diff(t["result"], t["tables_painted"]),
        "render_map": _diff(t["result"], t["map_painted"])}
    return out


def _first_joins(joins: list[dict], labels: dict[int, str], t_key: float | None) -> dict[str, float | None]:
    """Seconds from the keystroke to the first request of each kind of event."""
    out: dict[str, float | None] = {}
    for j in joins:
        out.setdefault(labels.get(j.get("fn_index"), "?"), _rel(t_key, j["t0"]))
    return out


def _text(join: dict, q_index: int) -> str | None:
    """The query instruction a queue/join request sent."""
    data = join.get("data") or []
    return data[q_index] if 0 <= q_index < len(data) else None


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _explore(join: dict, joins: list, streams: list, msgs: list, log: dict, times: dict, outputs: list[str],
             q_index: int, text: str | None) -> dict:
    ev = [m for m in msgs if m["event_id"] == join.get("event_id")]
    starts = next((m for m in ev if m["msg"] == "process_starts"), None)
    gens = [m for m in ev if m["msg"] == "process_generating"]
    done = next((m for m in ev if m["msg"] in DONE), None)
    result = gens[0] if gens else done
    times.update(explore_join=join["t0"], join_response=join.get("tHeaders"), process_starts=starts and starts["t"],
                 result=result and result["t"], completed=done and done["t"])
    res = _resource(log["resources"], join["t0"], "queue/join")
    stream = next((s for s in streams if s["t0"] >= join["t0"]), None)
    info = {"text_matches": None if text is None else _text(join, q_index) == text,
            "server_fn_s": result and result["duration"], "explore_updates": len(gens),
            "completed_carries_data": bool(done and done["has_data"]),
            "join_network_s": res and (res["responseEnd"] - res["startTime"]) / 1000,
            "join_js_delay_s": res and join.get("tHeaders") and (join["tHeaders"] - res["responseEnd"]) / 1000,
            "new_stream": stream is not None,
            "stream_open_s": stream and stream.get("tHeaders") and (stream["tHeaders"] - stream["t0"]) / 1000,
            "bytes": {"message": result and result["bytes"],
                      **({name: size for name, size in zip(outputs, result["sizes"] or [])} if result else {})}}
    if result is None:
        return info
    muts, loaf = log["mutations"], log["loaf"]
    firsts = [b for b in (_first_batch(muts, result["t"], f"{tb}:grid") for tb in TABLES) if b]
    info["tables_changed"] = len(firsts)
    if firsts:
        last = max(firsts, key=lambda b: b["t"])
        times.update(tables_dom=last["t"], tables_painted=_frame_end(last["raf"], loaf))
    plot = [b for b in muts if b["t"] >= result["t"] and b["counts"].get("map:plot")]
    if plot:
        times.update(map_dom=plot[0]["t"], map_painted=_frame_end(plot[0]["raf"], loaf),
                     map_settled=_frame_end(plot[-1]["raf"], loaf))
    info["render_batches"] = {name: sum(1 for b in muts if b["t"] >= result["t"] and b["counts"].get(key))
                              for name, key in (("ranked_instructed", "ranked_instructed:grid"),
                                                ("ranked_baseline", "ranked_baseline:grid"), ("map", "map:plot"))}
    calls = [p for p in log["plotly"] if p["t0"] >= result["t"]]
    reacts = [p for p in calls if p["call"] == "react"]
    after = [p["t0"] for p in calls if p["call"] == "afterplot"]
    if after:
        times["map_settled"] = max(times["map_settled"] or 0, after[-1])
    info["figure"] = result["figure"]
    info["plotly"] = {"react_calls": len(reacts),
                      "react_sync_s": sum(p["t1"] - p["t0"] for p in reacts if p["t1"]) / 1000,
                      "resize_calls": sum(p["call"] == "resize" for p in calls),
                      "relayout_calls": sum(p["call"] == "relayout" for p in calls),
                      "afterplot_events": len(after),
                      "graph_divs": sorted({p["graph"] for p in reacts if "graph" in p})}
    return info


def burst(log: dict, mark: float, labels: dict[int, str], q_index: int, prefixes: list[str]) -> dict:
    """Fast typing: every explore request and result in order, the last one for the final text."""
    every = [f for f in log["fetches"] if "queue/join" in f["url"] and f["t0"] >= mark]
    joins = [f for f in every if labels.get(f.get("fn_index")) == "explore"]
    msgs = parse_messages(log["messages"])
    downs = [k for k in log["keys"] if k["type"] == "keydown" and k["t"] >= mark]
    t0 = downs[0]["t"] if downs else mark
    shown = []  # (arrival, index of the text in the typed sequence) for every explore result
    for j in joins:
        idx = prefixes.index(_text(j, q_index)) if _text(j, q_index) in prefixes else -1
        first = next((m for m in msgs if m["event_id"] == j.get("event_id") and m["has_data"]), None)
        if first:
            shown.append((first["t"], idx))
    requests = []  # every event the burst set off, in the order it was requested
    for j in every:
        ev = [m for m in msgs if m["event_id"] == j.get("event_id")]
        first = next((m for m in ev if m["has_data"]), None)
        done = next((m for m in ev if m["msg"] in DONE), None)
        text = _text(j, q_index)
        requests.append({"event": labels.get(j.get("fn_index"), "?"), "join_s": _rel(t0, j["t0"]),
                         "text_index": prefixes.index(text) if text in prefixes else -1,
                         "result_s": _rel(t0, first and first["t"]), "done_s": _rel(t0, done and done["t"])})
    order = [idx for _, idx in sorted(shown)]
    # a result for an older text after one for a newer text is stale; the same text twice is only repeated
    return {"keys": len(prefixes), "explore_requests": len(joins), "results_shown": len(order),
            "shown_text_indices": order, "repeated_results": sum(a == b for a, b in zip(order, order[1:])),
            "in_order": all(a <= b for a, b in zip(order, order[1:])) and -1 not in order,
            "final_requested": any(_text(j, q_index) == prefixes[-1] for j in joins),
            "final_shown_last": bool(order) and order[-1] == len(prefixes) - 1,
            "typing_s": _rel(downs[0]["t"], downs[-1]["t"]) if downs else None,
            "key_s": [_rel(t0, k["t"]) for k in downs], "requests": requests}
