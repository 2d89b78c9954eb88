"""Guided lessons: each sets the page up, says what to watch, and states what the model measurably does.

A ``Lesson`` is a title, a ``PageState`` (the same state a link carries, so
a lesson is a link: ``lesson.query_string``), two or three sentences on what
to watch, a claim in words and the checks behind it. The lessons are data,
in ``lessons.json`` next to this module; a state there names only what
differs from the task's defaults for the model.

A check compares arms: ``"with"`` (the lesson's instructions), ``"without"``
(the same model with no instruction) or a variant of the lesson's state
(``{"task": ...}``: that task's default instructions; any other
``PageState`` field: that value). ``CountCheck`` counts one kind of text in
an arm's top k for the lesson's query; ``GainCheck`` says one arm's mean
nDCG@10 over the task's labelled queries beats another's by a margin.
``check_lesson`` measures them with an ``Engine``; the tests run it on the
real models, so a lesson never says what the model does not do.

It draws nothing and holds no page logic: the page shows ``title``,
``watch`` and ``claim`` and applies ``state``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from components.corpora import kind_name, load_sample
from components.links import PageState, default_state, to_query_string

if TYPE_CHECKING:
    from components.engine import Engine

DATA = Path(__file__).with_name("lessons.json")
Arm = str | tuple[tuple[str, object], ...]  # "with", "without", or a variant's (field, value) pairs
NDCG_K = 10


@dataclass(frozen=True)
class CountCheck:
    """At least / at most ``n`` texts of ``kind`` in ``arm``'s top k for the lesson's query."""

    kind: str
    arm: Arm
    at_least: int | None = None
    at_most: int | None = None


@dataclass(frozen=True)
class GainCheck:
    """``better``'s mean nDCG@10 on the task's labelled queries exceeds ``worse``'s by at least ``by``."""

    better: Arm
    worse: Arm
    by: float


Check = CountCheck | GainCheck


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    state: PageState
    watch: str
    claim: str
    checks: tuple[Check, ...]

    @property
    def query_string(self) -> str:
        """The lesson as link parameters (``components.links``)."""
        return to_query_string(self.state)


@dataclass(frozen=True)
class Measured:
    """One check's outcome: whether it holds, and the numbers, in words."""

    holds: bool
    text: str


def _arm(value: str | dict[str, object]) -> Arm:
    return value if isinstance(value, str) else tuple(sorted(value.items()))


def _check(row: dict) -> Check:
    if "kind" in row:
        return CountCheck(row["kind"], _arm(row["arm"]), row.get("at_least"), row.get("at_most"))
    return GainCheck(_arm(row["better"]), _arm(row["worse"]), float(row["by"]))


def _lesson(row: dict) -> Lesson:
    given = dict(row["state"])
    state = default_state(given.pop("task"), given.pop("model"), given.pop("corpus", None), given.pop("query", None))
    return Lesson(row["key"], row["title"], replace(state, **given), row["watch"], row["claim"],
                  tuple(_check(c) for c in row["checks"]))


@lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """The lessons, in order; read from ``lessons.json`` on first use."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["lessons"]
    return tuple(_lesson(row) for row in rows)


def get_lesson(key: str) -> Lesson:
    for lesson in lessons():
        if lesson.key == key:
            return lesson
    raise KeyError(f"unknown lesson {key!r}; known: {', '.join(x.key for x in lessons())}")


def arm_state(lesson: Lesson, arm: Arm) -> PageState | None:
    """The state an arm ranks with; None for ``"without"`` (no instruction at all)."""
    if arm == "without":
        return None
    if arm == "with":
        return lesson.state
    fields = dict(arm)
    s = lesson.state
    if "task" in fields:
        s = default_state(str(fields.pop("task")), s.model, s.corpus, s.query)
    return replace(s, **fields)


def _arm_name(arm: Arm) -> str:
    if isinstance(arm, str):
        return f"{arm} instructions" if arm in ("with", "without") else arm
    return ", ".join(f"{k}={v!r}" for k, v in arm)


def _count(engine: Engine, lesson: Lesson, check: CountCheck) -> Measured:
    state = arm_state(lesson, check.arm) or lesson.state
    corpus = load_sample(state.corpus)
    ex = engine.explore(corpus, state.setting, state.query)
    ranking = ex.baseline if check.arm == "without" else ex.instructed
    n = sum(corpus.documents[int(i)].kind == check.kind for i in ranking.order[:state.k])
    holds = (check.at_least is None or n >= check.at_least) and (check.at_most is None or n <= check.at_most)
    bound = f"at least {check.at_least}" if check.at_least is not None else f"at most {check.at_most}"
    return Measured(holds, f"{n} {kind_name(check.kind, n)} in the top {state.k}, {_arm_name(check.arm)} "
                           f"(claimed: {bound})")


def _gain(engine: Engine, lesson: Lesson, check: GainCheck) -> Measured:
    from components.comparison import compare_settings

    arms = [a for a in (check.better, check.worse) if a != "without"]
    states = [arm_state(lesson, a) for a in arms]
    corpus = load_sample(lesson.state.corpus)
    corpus = corpus.with_task(lesson.state.task if lesson.state.task in corpus.tasks else None)
    comp = compare_settings(engine, corpus, [s.setting for s in states if s is not None], k=NDCG_K)
    scores = {"without": comp.baseline.get("ndcg"), arms[0]: comp.instructed.get("ndcg")}
    if comp.second is not None:
        scores[arms[1]] = comp.second.get("ndcg")
    better, worse = scores[check.better], scores[check.worse]
    return Measured(better - worse >= check.by,
                    f"nDCG@{NDCG_K} {better:.3f} ({_arm_name(check.better)}) against {worse:.3f} "
                    f"({_arm_name(check.worse)}) on {comp.n_queries} labelled queries (claimed: ahead by "
                    f"at least {check.by:.2f})")


def check_lesson(engine: Engine, lesson: Lesson) -> list[Measured]:
    """Measure every check of ``lesson`` with ``engine``'s models."""
    return [_count(engine, lesson, c) if isinstance(c, CountCheck) else _gain(engine, lesson, c)
            for c in lesson.checks]
