"""Turn results into what the page shows: table rows and status lines.

Plain values only (lists of cells, Markdown-safe strings); ``components.app``
puts them into widgets. Corpus text goes into table cells as plain text and is
never marked up; any text that reaches Markdown is escaped first. A corpus
whose documents have kinds gets a ``kind`` column and a count of kinds in the
top k; other corpora get neither.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Sequence

from components.corpora import Corpus, kind_name
from components.engine import Exploration
from components.models import ModelPreset
from components.retrieval import movement_label, top_rows
from components.tasks import TaskPreset
from components.wording import counted, plural, shorten

TABLE_HEADERS = ["rank", "move", "score", "relevant", "id", "text"]
KIND_HEADER = "kind"
SNIPPET_CHARS = 300

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def md_escape(text: str) -> str:
    r"""Escape ``text`` for Markdown and HTML: shown as typed, never rendered.

    ``<``, ``>`` and ``&`` become entities (quotes need none outside an
    attribute), then Markdown's punctuation gets a backslash; an entity holds
    none of that punctuation, so it is never broken into visible text.

    >>> md_escape("(first: 'doc-1')")
    "\\(first: 'doc\\-1'\\)"
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def table_headers(corpus: Corpus) -> list[str]:
    """The ranking tables' headers: ``TABLE_HEADERS``, plus ``kind`` before the text if the corpus has kinds."""
    return TABLE_HEADERS[:-1] + [KIND_HEADER, TABLE_HEADERS[-1]] if corpus.kinds else list(TABLE_HEADERS)


def document_text(doc) -> str:
    """A document as the tables show it: its title before the text unless the text starts with it."""
    return f"{doc.title} — {doc.text}" if doc.title and doc.title not in doc.text[:len(doc.title) + 5] else doc.text


def ranking_texts(ex: Exploration, instructed: bool, k: int) -> list[str]:
    """The whole text of each row of ``ranking_table(ex, instructed, k)``, in the same order."""
    ranking = ex.instructed if instructed else ex.baseline
    return [document_text(ex.corpus.documents[int(i)]) for i in ranking.order[:k]]


def ranking_table(ex: Exploration, instructed: bool, k: int) -> list[list]:
    """Rows of the top ``k`` of one side, each with its move against the other side.

    Columns as ``table_headers(ex.corpus)``: the kind (as people read it) goes
    before the text when the corpus has kinds.
    """
    main, other = (ex.instructed, ex.baseline) if instructed else (ex.baseline, ex.instructed)
    rows = top_rows(main, other, ex.corpus.ids, k, ex.relevant)
    docs = ex.corpus.documents
    has_kinds = bool(ex.corpus.kinds)
    out = []
    for r in rows:
        doc = docs[r.doc_index]
        text = document_text(doc)
        move = movement_label(r, k) if instructed else f"→ {r.other_rank} with"
        kind = [kind_name(doc.kind)] if has_kinds else []
        out.append([r.rank, move, round(r.score, 4), "✓" if r.relevance > 0 else "", r.doc_id, *kind,
                    shorten(text, SNIPPET_CHARS)])
    return out


def corpus_credits(entries: Sequence[dict]) -> str:
    """Markdown: each sample corpus's source, licence, permission notice (where it has one) and labels."""
    parts = ["### Where the sample corpora come from"]
    for e in entries:
        lines = [f"**{md_escape(e['title'])}.** Source: {md_escape(e.get('source', 'not stated'))}. "
                 f"Licence: {md_escape(e.get('license', 'not stated'))}."]
        if e.get("notice"):
            lines.append(f"Notice: {md_escape(e['notice'])}")
        if e.get("labels"):
            lines.append(f"Labels: {md_escape(e['labels'])}")
        parts.append(" ".join(lines))
    return "\n\n".join(parts)


def describe(task: TaskPreset, model: ModelPreset) -> str:
    """Markdown: what the task is and what the model was trained with."""
    where = "ships in a package and works offline" if model.offline else \
        f"is downloaded from the Hugging Face Hub (`{model.source}`): it needs a network the first time"
    return (f"**{task.label}.** {task.description}\n\n"
            f"**{model.label.split(' · ')[0]}** {where}. {model.trained_with} "
            f"Licence: {model.license}.")


def kind_counts(ex: Exploration, k: int, instructed: bool) -> str:
    """The kinds of one side's top ``k``, most frequent first: "7 answer passages, 3 questions"."""
    ranking = ex.instructed if instructed else ex.baseline
    docs = ex.corpus.documents
    counts = Counter(docs[int(i)].kind for i in ranking.order[:k])
    order = {kind: n for n, kind in enumerate(ex.corpus.kinds)}
    ranked = sorted(counts.items(), key=lambda kc: (-kc[1], order.get(kc[0], len(order))))
    return ", ".join(f"{n} {kind_name(kind, n)}" for kind, n in ranked)


def kinds_line(ex: Exploration, k: int) -> str:
    """What kinds of text each side brings back; "" for a corpus without kinds."""
    if not ex.corpus.kinds:
        return ""
    return (f"Top {k} with instructions: {kind_counts(ex, k, True)}; "
            f"without: {kind_counts(ex, k, False)}.")


def status_line(ex: Exploration, k: int) -> str:
    """One Markdown line summarising how far the instructions moved the top k."""
    top_i = set(int(i) for i in ex.instructed.order[:k])
    top_b = set(int(i) for i in ex.baseline.order[:k])
    changed = len(top_i - top_b)
    parts = [f"{changed} of the top {k} {plural(changed, 'differs', 'differ')} from the baseline."]
    if ex.relevant:
        ids = ex.corpus.ids
        best_i = min(int(ex.instructed.ranks[ids.index(d)]) for d in ex.relevant)
        best_b = min(int(ex.baseline.ranks[ids.index(d)]) for d in ex.relevant)
        parts.append(f"First relevant document: rank {best_i} with instructions, {best_b} without.")
    if ex.corpus.kinds:
        parts.append(md_escape(kinds_line(ex, k)))
    parts.extend(md_escape(n) for n in ex.notes)
    return " ".join(parts)


SUMMARY_HEADERS = ["metric", "no instruction", "instruction A", "A − none", "instruction B", "B − none"]
PER_QUERY_HEADERS = ["query id", "query", "nDCG none", "nDCG A", "A − none", "nDCG B", "B − none"]


def _fmt(x: float | None, signed: bool = False) -> str:
    if x is None:
        return ""
    return f"{x:+.4f}" if signed else f"{x:.4f}"


def summary_rows(comparison) -> list[list]:
    """Mean metrics of a ``components.comparison.Comparison``, one row per metric."""
    from components.metrics import LABELS, METRICS

    rows = []
    for m in METRICS:
        base, a = comparison.baseline.get(m), comparison.instructed.get(m)
        b = comparison.second.get(m) if comparison.second is not None else None
        rows.append([f"{LABELS[m]}@{comparison.k}", _fmt(base), _fmt(a), _fmt(a - base, True),
                     _fmt(b), _fmt(None if b is None else b - base, True)])
    return rows


def per_query_rows(comparison) -> list[list]:
    """One row per labelled query, most helped by instruction A first."""
    rows = []
    for r in comparison.rows:
        b = r.second.get("ndcg") if r.second is not None else None
        rows.append([r.query_id, shorten(r.text, 160), _fmt(r.baseline.get("ndcg")), _fmt(r.instructed.get("ndcg")),
                     _fmt(r.delta(), True), _fmt(b), _fmt(None if b is None else r.delta(second=True), True)])
    return rows


def _effect(comparison, name: str, second: bool) -> str:
    deltas = [r.delta(second=second) for r in comparison.rows]
    helped, hurt = sum(1 for d in deltas if d > 0), sum(1 for d in deltas if d < 0)
    return (f"Instruction {name} raised nDCG@{comparison.k} on {helped}, lowered it on {hurt}, "
            f"left {len(deltas) - helped - hurt} unchanged.")


def measure_line(comparison) -> str:
    """Markdown: how many queries, and how many each instruction (A, and B if measured) helped or hurt."""
    n_skipped = comparison.skipped_queries
    skipped = f" ({counted(n_skipped, 'unlabelled query', 'unlabelled queries')} left out)" if n_skipped else ""
    parts = [f"{counted(comparison.n_queries, 'labelled query', 'labelled queries')} over "
             f"{counted(comparison.n_documents, 'document')}{skipped}.", _effect(comparison, "A", False)]
    if comparison.second is not None:
        parts.append(_effect(comparison, "B", True))
    return " ".join(parts)


def upload_note(corpus: Corpus, notes: Sequence[str]) -> str:
    """Markdown: what an upload loaded, and its notes (escaped)."""
    n_labelled = len(corpus.labeled_queries)
    return " ".join([f"Loaded **{counted(len(corpus.documents), 'document')}** and "
                     f"{counted(n_labelled, 'labelled query', 'labelled queries')} from your files. "
                     "They are visible only in this browser session.", *(md_escape(n) for n in notes)])
