"""Simulated people for the load test (``benchmarks.load_test``): what one person does and what came of it.

A ``User`` holds what one person has on screen (model, task, instructions,
query) and makes one random edit per request, as ``load_test``'s docstring
describes; ``run_user`` is one person's loop against ``/explore``; ``Results``
counts latencies and errors by kind (``classify``) across the users' threads.
"""

from __future__ import annotations

import concurrent.futures
import random
import threading
import time
from dataclasses import dataclass, field

MODELS = ("minilm-offline", "e5-small-offline")
TASKS = ("similar", "docsim")  # perlfaq_questions and lee_news: the two largest sample corpora
ACTIONS = {"type": 0.65, "query": 0.15, "model": 0.10, "task": 0.10}
DOC_ACTIONS = {"docedit": 1.0}  # a document editor only edits the document instruction
PHRASES = ("for a beginner", "about error handling", "that explains why", "with a short example",
           "in plain English", "for finding the answer", "about performance", "step by step")
ERROR_KINDS = ("queue_full", "timeout", "app_error", "other")


def classify(exc: BaseException) -> str:
    """One of ``ERROR_KINDS`` for an exception raised by a gradio_client call."""
    from gradio_client.exceptions import AppError

    if isinstance(exc, (concurrent.futures.TimeoutError, TimeoutError)):
        return "timeout"
    if "queue is full" in str(exc).lower() or type(exc).__name__ == "QueueError":
        return "queue_full"
    if isinstance(exc, AppError):
        return "app_error"
    return "other"


@dataclass
class User:
    """What one simulated person has on screen."""

    rng: random.Random
    model: str
    task: str
    q_ins: str = ""
    d_ins: str = ""
    include: bool = True
    query: str = ""
    phrase: str = ""
    n_query: int = 0
    actions: dict = field(default_factory=lambda: dict(ACTIONS))

    def reset(self) -> None:
        """The task's defaults for the model, as the page sets them."""
        from benchmarks.cold_start import explore_args
        from components.tasks import get_task

        args = explore_args(self.model, get_task(self.task).corpus)
        _, _, _, self.q_ins, self.d_ins, self.include, self.query, _ = args
        self.phrase, self.n_query = "", 0

    def edit(self) -> str:
        """Apply one random edit; returns its kind."""
        from components.corpora import load_sample
        from components.tasks import get_task

        action = self.rng.choices(list(self.actions), weights=list(self.actions.values()))[0]
        if action == "docedit":
            self.d_ins += f" {self.rng.choice(PHRASES).split()[-1]}"
        elif action == "type":
            if not self.phrase:
                self.phrase = " " + self.rng.choice(PHRASES)
            n = self.rng.randint(2, 4)
            self.q_ins, self.phrase = self.q_ins + self.phrase[:n], self.phrase[n:]
        elif action == "query":
            examples = load_sample(get_task(self.task).corpus).example_queries()
            self.n_query += 1
            self.query = examples[self.n_query % len(examples)]
        elif action == "model":
            self.model = MODELS[1 - MODELS.index(self.model)]
            self.reset()
        else:
            self.task = TASKS[1 - TASKS.index(self.task)]
            self.reset()
        return action

    def args(self) -> list:
        from components.tasks import get_task

        return [self.task, self.model, get_task(self.task).corpus, self.q_ins, self.d_ins, self.include,
                self.query, 10]


@dataclass
class Results:
    records: list = field(default_factory=list)  # (action, latency_s or None, error kind or "")
    errors: dict = field(default_factory=lambda: {k: {"count": 0, "samples": []} for k in ERROR_KINDS})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, latency: float | None, exc: BaseException | None = None) -> None:
        with self.lock:
            kind = classify(exc) if exc is not None else ""
            self.records.append((action, latency, kind))
            if exc is not None:
                err = self.errors[kind]
                err["count"] += 1
                if len(err["samples"]) < 5:
                    err["samples"].append(f"{type(exc).__name__}: {str(exc)[:300]}")


def submit_explore(client, args: list, timeout: float):
    job = client.submit(*args, api_name="/explore")
    try:
        return job.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        job.cancel()
        raise


def run_user(url: str, index: int, n_requests: int, deadline: float, think: float, timeout: float,
             results: Results, seed: int, doc_editor: bool = False) -> None:
    """One person: connect, then edit and wait for the answer, ``n_requests`` times at most."""
    from gradio_client import Client

    rng = random.Random(seed * 1000 + index)
    user = User(rng, MODELS[index % 2], TASKS[(index // 2) % 2])
    if doc_editor:
        user.actions = dict(DOC_ACTIONS)
    user.reset()
    try:
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the test
        results.add("connect", None, exc)
        return
    time.sleep(rng.uniform(0, think))  # people do not start in lockstep
    for _ in range(n_requests):
        if time.monotonic() >= deadline:
            break
        action = user.edit()
        t0 = time.perf_counter()
        try:
            submit_explore(client, user.args(), timeout)
            results.add(action, time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001
            results.add(action, None, exc)
        time.sleep(rng.uniform(0, 2 * think))
    client.close()
