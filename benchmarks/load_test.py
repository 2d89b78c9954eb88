"""Load test: simulated people editing instructions against a running Instruction Lens.

Usage (from the repository root)::

    python benchmarks/load_test.py --start-server --users 8 --requests-per-user 10 --max-seconds 120
    python benchmarks/load_test.py http://127.0.0.1:7860 --users 32 --requests-per-user 4 --out load_32.json

Only loopback targets are accepted (127.0.0.0/8, ``localhost``, ``[::1]``):
this is a tool for your own machine, never for someone else's server.

Each user is a thread with its own ``gradio_client.Client`` calling ``/explore``
as the page does, with a short random pause between requests. Each request is
one edit, picked at random: typing (2-4 more characters of a phrase appended to
the query instruction, so the query is re-encoded), a new example query, the
other offline model, or the other task (which also switches the corpus and
resets the instructions to that task's defaults, as the page does). With
``--doc-editors N``, the first N users only edit the document instruction
(``docedit``: a few more characters, so every request re-embeds a whole
corpus): the mixed load of a shared server, where the others' query edits
must not wait behind those corpus jobs.

A user stops after ``--requests-per-user`` requests or when ``--max-seconds``
have passed (a request already sent may take up to ``--timeout`` more). Before
the timed phase, ``--warm`` (on by default) sends one request per (model,
corpus) so the corpora are embedded and the map frames fitted; those times are
reported apart. The report gives p50/p95/p99 latency of answered requests
(overall and per kind of edit), throughput, errors by kind (``queue_full``:
Gradio's "busy"; ``timeout``; ``app_error``: a ``gr.Error`` message;
``other``), and with ``--start-server`` or ``--server-pid`` the server's peak
RSS.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.app_process import running_app, tree_rss_mb, wait_for_page  # noqa: E402
from benchmarks.load_users import (ACTIONS, DOC_ACTIONS, MODELS, TASKS, Results, User, run_user,  # noqa: E402
                                   submit_explore)
from benchmarks.timing import machine_info, percentile  # noqa: E402


def check_loopback(url: str) -> str:
    """``url`` if its host is loopback (127.0.0.0/8, localhost, ::1); raises ValueError otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if host == "localhost":
        return url
    try:
        if ipaddress.ip_address(host).is_loopback:
            return url
    except ValueError:
        pass
    raise ValueError(f"refusing to load-test {host!r}: only 127.0.0.0/8, localhost and [::1] are allowed")


def latency_summary(values: Sequence[float]) -> dict:
    """p50/p95/p99/mean/max of latencies in seconds (empty: just ``n`` = 0)."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
            "p99_s": percentile(values, 99), "mean_s": sum(values) / len(values), "max_s": max(values)}


def warm(url: str, timeout: float) -> dict:
    """One request per (model, corpus), in order; seconds each."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    out = {}
    for model in MODELS:
        for task in TASKS:
            user = User(random.Random(0), model, task)
            user.reset()
            t0 = time.perf_counter()
            submit_explore(client, user.args(), timeout)
            out[f"{model}.{task}"] = time.perf_counter() - t0
    client.close()
    return out


def report(results: Results, elapsed: float) -> dict:
    ok = [lat for _, lat, kind in results.records if not kind]
    by_action = {a: latency_summary([lat for act, lat, kind in results.records if act == a and not kind])
                 for a in {**ACTIONS, **DOC_ACTIONS}}
    return {"requests": len(results.records), "answered": len(ok), "elapsed_s": elapsed,
            "throughput_rps": len(ok) / elapsed if elapsed else 0.0, "latency": latency_summary(ok),
            "by_action": by_action, "errors": results.errors}


def load_test(url: str, users: int, requests_per_user: int, max_seconds: float, think: float,
              timeout: float, seed: int = 0, server_pid: int | None = None, doc_editors: int = 0) -> dict:
    """Run the simulated users against ``url`` and return the measured phase's report."""
    results, peak = Results(), [0.0]
    start = time.monotonic()
    deadline = start + max_seconds
    threads = [threading.Thread(target=run_user, daemon=True, name=f"user-{i}",
                                args=(url, i, requests_per_user, deadline, think, timeout, results, seed,
                                      i < doc_editors))
               for i in range(users)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + timeout + 30:
        if server_pid:
            peak[0] = max(peak[0], tree_rss_mb(server_pid))
        time.sleep(0.25)
    out = report(results, time.monotonic() - start)
    if server_pid:
        out["server_peak_rss_mb"] = peak[0]
    return out


def summary(rep: dict) -> str:
    lat = rep["latency"]
    lines = [f"{rep['config']['users']} users: {rep['answered']}/{rep['requests']} answered in "
             f"{rep['elapsed_s']:.1f} s, {rep['throughput_rps']:.2f} req/s"]
    if lat["n"]:
        lines.append(f"  latency p50 {lat['p50_s']:.3f} s, p95 {lat['p95_s']:.3f} s, p99 {lat['p99_s']:.3f} s, "
                     f"max {lat['max_s']:.3f} s")
    for action, s in rep["by_action"].items():
        if s["n"]:
            lines.append(f"    {action:<6} n={s['n']:<4} p50 {s['p50_s']:.3f} s  p95 {s['p95_s']:.3f} s")
    errors = {k: v["count"] for k, v in rep["errors"].items() if v["count"]}
    lines.append(f"  errors: {errors or 'none'}")
    if "server_peak_rss_mb" in rep:
        lines.append(f"  server peak RSS {rep['server_peak_rss_mb']:.0f} MB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:7860")
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--requests-per-user", type=int, default=10)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--think", type=float, default=0.5, help="mean pause between a user's requests (s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one request may take")
    ap.add_argument("--no-warm", dest="warm", action="store_false")
    ap.add_argument("--start-server", action="store_true", help="start `python app.py` on a free loopback port")
    ap.add_argument("--server-pid", type=int, default=None, help="sample this server's RSS")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--doc-editors", type=int, default=0, help="users who only edit the document instruction")
    ap.add_argument("--out", default=None, help="write the JSON report here")
    args = ap.parse_args(argv)
    try:
        check_loopback(args.url)
    except ValueError as exc:
        ap.error(str(exc))
    config = {k: v for k, v in vars(args).items() if k != "out"}
    config["app_env"] = {k: os.environ.get(k) for k in ("INSTRUCTION_LENS_CONCURRENCY", "INSTRUCTION_LENS_QUEUE",
                                                         "INSTRUCTION_LENS_CORPUS_JOBS")}
    if args.start_server:
        with running_app() as (proc, url, t0, log):
            wait_for_page(url, proc, t0, log)
            return _run(args, url, proc.pid, {**config, "url": url})
    return _run(args, args.url, args.server_pid, config)


def _run(args, url: str, pid: int | None, config: dict) -> int:
    machine = machine_info()
    warmup = warm(url, max(args.timeout, 900.0)) if args.warm else {}
    rep = load_test(url, args.users, args.requests_per_user, args.max_seconds, args.think, args.timeout,
                    args.seed, pid, args.doc_editors)
    machine["load_avg_end"] = list(os.getloadavg())
    rep = {"config": config, "machine": machine, "warmup_s": warmup, **rep}
    print(summary(rep))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
