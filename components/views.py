"""Turn results into what the page shows: table rows and status lines.

Plain values only (lists of cells, Markdown-safe strings); ``components.ui``
puts them into widgets. Corpus text goes into table cells as plain text and is
never marked up; any text that reaches Markdown is escaped first.
"""

from __future__ import annotations

import html
import re

from components.engine import Exploration
from components.models import ModelPreset
from components.retrieval import movement_label, top_rows
from components.tasks import TaskPreset

TABLE_HEADERS = ["rank", "move", "score", "relevant", "id", "text"]
SNIPPET_CHARS = 300

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def md_escape(text: str) -> str:
    """Escape ``text`` for Markdown and HTML: shown as typed, never rendered."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def ranking_table(ex: Exploration, instructed: bool, k: int) -> list[list]:
    """Rows of the top ``k`` of one side, each with its move against the other side."""
    main, other = (ex.instructed, ex.baseline) if instructed else (ex.baseline, ex.instructed)
    rows = top_rows(main, other, ex.corpus.ids, k, ex.relevant)
    docs = ex.corpus.documents
    out = []
    for r in rows:
        doc = docs[r.doc_index]
        text = f"{doc.title} — {doc.text}" if doc.title and doc.title not in doc.text[:len(doc.title) + 5] else doc.text
        move = movement_label(r, k) if instructed else f"with instructions: {r.other_rank}"
        out.append([r.rank, move, round(r.score, 4), "✓" if r.relevance > 0 else "", r.doc_id, snippet(text)])
    return out


def describe(task: TaskPreset, model: ModelPreset) -> str:
    """Markdown: what the task is and what the model was trained with."""
    where = "ships in a package and works offline" if model.offline else \
        f"is downloaded from the Hugging Face Hub (`{model.source}`): it needs a network the first time"
    return (f"**{task.label}.** {task.description}\n\n"
            f"**{model.label.split(' · ')[0]}** {where}. {model.trained_with} "
            f"Licence: {model.license}.")


def status_line(ex: Exploration, k: int) -> str:
    """One Markdown line summarising how far the instructions moved the top k."""
    top_i = set(int(i) for i in ex.instructed.order[:k])
    top_b = set(int(i) for i in ex.baseline.order[:k])
    changed = len(top_i - top_b)
    parts = [f"{changed} of the top {k} differ from the baseline."]
    if ex.relevant:
        ids = ex.corpus.ids
        best_i = min(int(ex.instructed.ranks[ids.index(d)]) for d in ex.relevant)
        best_b = min(int(ex.baseline.ranks[ids.index(d)]) for d in ex.relevant)
        parts.append(f"First relevant document: rank {best_i} with instructions, {best_b} without.")
    parts.extend(md_escape(n) for n in ex.notes)
    return " ".join(parts)
