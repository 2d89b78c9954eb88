"""The page's state in a link: what a visitor sees, written into the URL and read back.

``PageState`` holds what the Explorer shows (task, model, corpus, both
instructions, the pooling switch, the query, k). ``to_query_string`` writes
it as short parameters (``task``, ``model``, ``corpus``, ``qi``, ``di``,
``pool``, ``q``, ``k``), leaving out what equals the task's defaults for the
model, so a link says only what was changed. ``from_query_params`` reads a
link back, checked against the task, model and sample-corpus registries:
anything unknown or out of range falls back to the default, with a note the
page can show. A missing parameter means the default (for an instruction,
the task's default for the model; for the query, the corpus's first example);
an empty one (``qi=``) means an empty value (no instruction).

It does not hold uploaded corpora: they stay private to the browser session
that made them, so a link naming one restores the task's own corpus and says
so. Texts are bounded (``MAX_QUERY_CHARS``, ``MAX_INSTRUCTION_CHARS``) so
that a link stays short enough for any server to accept. Encoding is the
standard library's percent-encoding, so ``&``, ``#``, ``+``, newlines and
any Unicode survive.

Example:
    >>> state = default_state("mixed-qa", "minilm-instruct-offline", query="sort a hash?")
    >>> to_query_string(state)
    'task=mixed-qa&model=minilm-instruct-offline&q=sort%20a%20hash%3F'
    >>> from_query_params({"task": "mixed-qa", "model": "nope", "q": "sort a hash?"})[1]
    ("The link names a model this server does not offer ('nope'); showing the default model.",)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from components.corpora import load_sample, sample_keys
from components.errors import LensError
from components.models import DEFAULT_MODEL, get_model
from components.setting import Setting, default_setting
from components.tasks import DEFAULT_TASK, get_task

K_MIN, K_MAX, K_DEFAULT = 3, 50, 10  # the page's top-k slider
MAX_QUERY_CHARS = 1000
MAX_INSTRUCTION_CHARS = 500
UPLOAD_KEY = "upload"  # the corpus picker's value for the session's own upload
PARAMS = ("task", "model", "corpus", "qi", "di", "pool", "q", "k")


@dataclass(frozen=True)
class PageState:
    """What the Explorer shows; ``setting`` is the part the engine ranks with."""

    task: str
    model: str
    corpus: str
    query_instruction: str
    document_instruction: str
    include_prompt: bool
    query: str
    k: int = K_DEFAULT

    @property
    def setting(self) -> Setting:
        return Setting(self.model, self.query_instruction, self.document_instruction, self.include_prompt)


def default_query(task: str, corpus: str) -> str:
    """The first example query of ``corpus`` as ``task`` labels it."""
    c = load_sample(corpus)
    return c.with_task(task if task in c.tasks else None).example_queries()[0]


def default_state(task: str = DEFAULT_TASK, model: str = DEFAULT_MODEL, corpus: str | None = None,
                  query: str | None = None) -> PageState:
    """The task's defaults for the model: its corpus, instructions, pooling rule, first example, k 10."""
    corpus = corpus or get_task(task).corpus
    s = default_setting(task, model)
    return PageState(task, model, corpus, s.query_instruction, s.document_instruction, s.include_prompt,
                     default_query(task, corpus) if query is None else query)


def _clip(text: str, limit: int) -> str:
    return text[:limit]


def to_query_string(state: PageState) -> str:
    """``state`` as URL parameters (no leading ``?``); defaults of task and model are left out.

    Texts longer than the bounds are cut to them, as ``from_query_params`` would.
    """
    base = default_state(state.task, state.model, state.corpus, state.query)
    pairs = [("task", state.task), ("model", state.model)]
    if state.corpus != get_task(state.task).corpus:
        pairs.append(("corpus", state.corpus))
    if state.query_instruction != base.query_instruction:
        pairs.append(("qi", _clip(state.query_instruction, MAX_INSTRUCTION_CHARS)))
    if state.document_instruction != base.document_instruction:
        pairs.append(("di", _clip(state.document_instruction, MAX_INSTRUCTION_CHARS)))
    if state.include_prompt != base.include_prompt:
        pairs.append(("pool", "1" if state.include_prompt else "0"))
    pairs.append(("q", _clip(state.query, MAX_QUERY_CHARS)))
    if state.k != K_DEFAULT:
        pairs.append(("k", str(state.k)))
    return urlencode(pairs, quote_via=quote, safe="")


def _shown(value: str) -> str:
    """A value from a link, short and quoted, for a note."""
    return repr(value if len(value) <= 60 else value[:59] + "…")


def _known(kind: str, value: str | None, default: str, check, notes: list[str]) -> str:
    if value is None or value == default:
        return default
    try:
        check(value)
        return value
    except LensError:
        notes.append(f"The link names a {kind} this server does not offer ({_shown(value)}); "
                     f"showing the default {kind}.")
        return default


def _corpus(value: str | None, default: str, notes: list[str]) -> str:
    if value is None or value in sample_keys():
        return value or default
    if value == UPLOAD_KEY:
        notes.append("The link names an uploaded corpus: uploads stay private to the browser session that made "
                     "them and cannot be opened from a link; showing the task's own corpus.")
    else:
        notes.append(f"The link names a corpus this server does not offer ({_shown(value)}); "
                     "showing the task's own corpus.")
    return default


def _k(value: str | None, notes: list[str]) -> int:
    if value is None:
        return K_DEFAULT
    try:
        k = int(value.strip())
    except ValueError:
        notes.append(f"The link's k ({_shown(value)}) is not a whole number; showing the top {K_DEFAULT}.")
        return K_DEFAULT
    clamped = min(max(k, K_MIN), K_MAX)
    if clamped != k:
        notes.append(f"The link asks for the top {k}; the page shows {K_MIN} to {K_MAX}, so the top {clamped}.")
    return clamped


def _pool(value: str | None, default: bool, notes: list[str]) -> bool:
    if value is None:
        return default
    if value in ("0", "1"):
        return value == "1"
    notes.append(f"The link's pooling switch ({_shown(value)}) is neither 0 nor 1; showing the model's default.")
    return default


def _text(name: str, value: str | None, default: str, limit: int, notes: list[str]) -> str:
    if value is None:
        return default
    if len(value) > limit:
        notes.append(f"The link's {name} was longer than {limit} characters and was cut to that length.")
    return _clip(value, limit)


def from_query_params(params: Mapping[str, str]) -> tuple[PageState, tuple[str, ...]]:
    """The state a link describes, and plain notes on whatever in it could not be used.

    Parameters the page does not know (a theme, a tracker's) are ignored.
    """
    notes: list[str] = []
    task = _known("task", params.get("task"), DEFAULT_TASK, get_task, notes)
    model = _known("model", params.get("model"), DEFAULT_MODEL, get_model, notes)
    corpus = _corpus(params.get("corpus"), get_task(task).corpus, notes)
    base = default_state(task, model, corpus, query="")
    state = replace(
        base,
        query_instruction=_text("query instruction", params.get("qi"), base.query_instruction,
                                MAX_INSTRUCTION_CHARS, notes),
        document_instruction=_text("document instruction", params.get("di"), base.document_instruction,
                                   MAX_INSTRUCTION_CHARS, notes),
        include_prompt=_pool(params.get("pool"), base.include_prompt, notes),
        query=_text("query", params.get("q"), default_query(task, corpus), MAX_QUERY_CHARS, notes),
        k=_k(params.get("k"), notes))
    return state, tuple(notes)
