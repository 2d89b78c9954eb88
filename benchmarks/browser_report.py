"""Statistics of many edits, the browser latency report's check, its writer and a readable summary.

``summarize_runs`` turns ``browser_timeline.keystroke`` results into medians
and spreads (seconds for the timeline, unitless for the rest);
``validate_report`` lists what a report lacks (every kind of edit measured as
often as the config says, percentiles in order, every burst checked);
``write_report`` refuses an incomplete report. No browser here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from benchmarks.browser_timeline import SEGMENTS, TIMES
from benchmarks.timing import ratio_summary, summarize

DETAIL = ("first_join_s", "server_fn_s", "join_network_s", "join_js_delay_s", "stream_open_s", "streams_opened",
          "messages", "explore_updates", "bytes", "figure", "plotly", "render_batches", "main_thread", "cost")


def _numbers(value, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested dicts, by dotted key (lists and strings left out)."""
    if isinstance(value, bool):
        return {prefix: float(value)}
    if isinstance(value, (int, float)):
        return {prefix: float(value)}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_numbers(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {}


def _stats(values: list[float]) -> dict:
    """Seconds: ``median_s``, ``p10_s``, ``p90_s``, ``max_s``, ``n``."""
    return {**summarize(values), "max_s": max(values)}


def _plain_stats(values: list[float]) -> dict:
    """Any unit: ``median``, ``p10``, ``p90``, ``max``, ``n``."""
    return {**ratio_summary(values), "max": max(values)}


def summarize_runs(runs: list[dict]) -> dict:
    """Medians and spreads of a list of ``keystroke`` results; counts of what did not update.

    ``t`` and ``segments`` are seconds; ``detail`` holds every other number of
    the runs that updated (bytes, counts, seconds, as its key says), keyed by
    its dotted path, with unitless statistics (``median``, ``p10``, ...).
    """
    out = {"n": len(runs), "n_updated": sum(r["updated"] for r in runs),
           "n_no_update": sum(not r["updated"] for r in runs)}
    for group, names in (("t", TIMES), ("segments", SEGMENTS)):
        out[group] = {}
        for name in names:
            vals = [r[group][name] for r in runs if r[group].get(name) is not None]
            if vals:
                out[group][name] = _stats(vals)
    flat: dict[str, list[float]] = {}
    for r in runs:
        if not r["updated"]:
            continue
        for key, v in _numbers({k: r[k] for k in DETAIL if k in r}).items():
            if "script_s_by_source" not in key:
                flat.setdefault(key, []).append(v)
    out["detail"] = {k: _plain_stats(v) for k, v in sorted(flat.items())}
    events: Counter = Counter()
    for r in runs:
        events.update(r["events"])
    out["events_per_keystroke"] = {k: v / len(runs) for k, v in events.items()} if runs else {}
    # Plotly draws into numbered divs: a number above the last update's is a new div (a full newPlot),
    # one at or below it is a div an earlier update drew into
    divs = [r["plotly"]["graph_divs"] for r in runs if r.get("plotly", {}).get("graph_divs")]
    pairs = list(zip(divs, divs[1:]))
    out["plotly_divs_per_update"] = {
        "new": sum(sum(d > max(a) for d in b) for a, b in pairs) / len(pairs) if pairs else None,
        "earlier": sum(sum(d <= max(a) for d in b) for a, b in pairs) / len(pairs) if pairs else None}
    return out


SUMMARY_KEYS = {"median_s", "p10_s", "p90_s", "n", "max_s"}


def validate_report(report: dict) -> list[str]:
    """What a browser latency report lacks or gets wrong (an empty list: it is complete)."""
    problems = [f"missing {k}" for k in ("machine", "config", "measures") if k not in report]
    if problems:
        return problems
    cfg = report["config"]
    for name, m in report["measures"].items():
        for kind in cfg.get("kinds", ()):
            s = m.get("single", {}).get(kind)
            if s is None:
                problems.append(f"{name}: no {kind} keystrokes")
                continue
            if s["summary"]["n"] != cfg["keystrokes"][kind] or len(s["runs"]) != s["summary"]["n"]:
                problems.append(f"{name}.{kind}: {s['summary']['n']} keystrokes, expected {cfg['keystrokes'][kind]}")
            if s["summary"]["n_updated"] + s["summary"]["n_no_update"] != s["summary"]["n"]:
                problems.append(f"{name}.{kind}: updated + not updated != keystrokes")
            for group in ("t", "segments"):
                for key, v in s["summary"].get(group, {}).items():
                    if not SUMMARY_KEYS <= set(v):
                        problems.append(f"{name}.{kind}.{group}.{key}: lacks {sorted(SUMMARY_KEYS - set(v))}")
                    elif not v["p10_s"] <= v["median_s"] <= v["p90_s"] <= v["max_s"]:
                        problems.append(f"{name}.{kind}.{group}.{key}: percentiles out of order")
        for i, b in enumerate(m.get("bursts", [])):
            missing = {"in_order", "final_shown_last", "final_dom_matches_api"} - set(b)
            if missing:
                problems.append(f"{name}.bursts[{i}]: lacks {sorted(missing)}")
    return problems


def write_report(report: dict, path: Path) -> Path:
    """Validate, then write ``report`` as indented JSON; raises ValueError naming what is wrong."""
    problems = validate_report(report)
    if problems:
        raise ValueError("incomplete browser latency report: " + "; ".join(problems))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return path


def _ms(v: dict | None) -> str:
    if not v:
        return "—"
    med, p90, top = (v.get(k, v.get(k.removesuffix("_s"))) for k in ("median_s", "p90_s", "max_s"))
    return f"{1000 * med:.0f} ms (p90 {1000 * p90:.0f}, max {1000 * top:.0f})"


def headline(name: str, m: dict) -> list[str]:
    """A few lines per model and corpus, for people."""
    lines = [f"{name}:"]
    for kind, s in m["single"].items():
        sm = s["summary"]
        sm_t = sm.get("t", {})
        lines.append(f"  {kind:<6} updated {sm['n_updated']}/{sm['n']}; keystroke → tables painted "
                     f"{_ms(sm_t.get('tables_painted'))}; → map painted {_ms(sm_t.get('map_painted'))}; "
                     f"server {_ms(sm['detail'].get('server_fn_s'))}")
    for b in m["bursts"]:
        lines.append(f"  burst {b['word']!r}: {b['explore_requests']} requests for {b['keys']} keys, in order "
                     f"{b['in_order']}, final shown last {b['final_shown_last']}, "
                     f"tables = API {b['final_dom_matches_api']}")
    api = m["api_round_trip"]["result"]
    lines.append(f"  gradio_client /explore: {1000 * api['median_s']:.0f} ms (p90 {1000 * api['p90_s']:.0f})")
    return lines
