"""Corpora and labelled queries: the data the app ranks and measures.

A ``Corpus`` is documents (id, text, optional title and kind) plus optional
labelled queries (``LabeledQuery``: text and graded relevance per document
id). A corpus whose documents are of several kinds (questions, answers,
code...) can label one query differently per task: ``relevant_by_task`` in
its queries file, the task keys in the manifest's ``tasks``, and
``Corpus.with_task`` gives the view of one task. Sample corpora are listed in
``sample_corpora/manifest.json``; adding one is adding a data file and a
manifest entry. BEIR folders (``corpus.jsonl``,
``queries.jsonl``, ``qrels.tsv``) load with ``load_beir``. Their files, and
the sample corpora's, are read by ``components.beir``, the reader uploads use
too; parsing uploads in other shapes lives in ``components.uploads``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from components.beir import read_jsonl, read_qrels
from components.errors import CorpusError
from components.hashing import text_digest

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_corpora"
# A folder with a manifest.json of its own adds corpora to the shipped ones.
EXTRA_ENV = "INSTRUCTION_LENS_EXTRA_CORPORA"


# How a kind of document is named on the page (singular; plural adds "s"); other kinds show as they are.
KIND_NAMES = {"question": "question", "answer": "answer passage", "code": "function",
              "doc": "documentation paragraph", "definition": "definition"}


def kind_name(kind: str, n: int = 1) -> str:
    """``kind`` as people read it, plural unless ``n == 1``: kind_name("answer", 2) == "answer passages"."""
    name = KIND_NAMES.get(kind, kind)
    return name if n == 1 else name + "s"


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""
    kind: str = ""  # what sort of text ("question", "code"...); "" when the corpus has one sort


@dataclass(frozen=True)
class LabeledQuery:
    """A query with graded relevance labels (doc id -> grade > 0)."""

    id: str
    text: str
    relevant: dict[str, int] = field(default_factory=dict)
    origin: str = "data"  # "data", "hand-written" or "template"
    example: bool = False
    by_task: dict[str, dict[str, int]] = field(default_factory=dict)  # task key -> labels, if several

    def for_task(self, task: str) -> LabeledQuery:
        """This query with the labels of ``task`` as ``relevant`` (none if it has none for that task)."""
        return replace(self, relevant=dict(self.by_task.get(task, {})))

    def __hash__(self) -> int:  # the labels are a dict; a corpus in a page's state must hash
        labels = tuple(sorted((t, tuple(sorted(r.items()))) for t, r in self.by_task.items()))
        return hash((self.id, self.text, tuple(sorted(self.relevant.items())), self.origin, self.example, labels))


@dataclass(frozen=True)
class Corpus:
    """Documents plus the queries that come with them."""

    key: str
    title: str
    documents: tuple[Document, ...]
    queries: tuple[LabeledQuery, ...] = ()
    task: str = ""
    source: str = ""
    license: str = ""
    labels: str = ""
    tasks: tuple[str, ...] = ()  # tasks with labels of their own; empty: one set of labels

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.documents]

    @property
    def labeled_queries(self) -> list[LabeledQuery]:
        """Queries that have at least one relevant document (for the corpus's own task)."""
        return [q for q in self.queries if q.relevant]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of document, in order of first appearance; empty when no document has one."""
        return tuple(k for k in dict.fromkeys(d.kind for d in self.documents) if k)

    @cached_property
    def _task_views(self) -> dict[str, Corpus]:
        return {}

    def with_task(self, task: str | None) -> Corpus:
        """The corpus as seen by ``task``: its queries carry that task's labels.

        A corpus without labels per task returns itself for any task (its one
        set of labels stands). A corpus with labels per task must be given
        one of ``tasks`` (or ``None``/its own task, which returns itself);
        queries with labels for the task come first, so its examples lead.

        Raises:
            CorpusError: the corpus labels several tasks, and not ``task``.
        """
        if not task or task == self.task or not self.tasks:
            return self
        if task not in self.tasks:
            raise CorpusError(f"corpus {self.key!r} has labels for the tasks {', '.join(self.tasks)}, "
                              f"not for {task!r}")
        if task not in self._task_views:
            queries = sorted((q.for_task(task) for q in self.queries), key=lambda q: not q.relevant)
            self._task_views[task] = replace(self, queries=tuple(queries), task=task)
        return self._task_views[task]

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the documents (ids and texts): equal content, equal fingerprint."""
        return text_digest(part for d in self.documents for part in (d.id, d.text)).hex()

    def example_queries(self) -> list[str]:
        return [q.text for q in self.queries if q.example] or [q.text for q in self.queries[:10]]

    def query_by_text(self, text: str, task: str | None = None) -> LabeledQuery | None:
        """The query with this exact text, labelled for ``task`` (``None``: the corpus's own task)."""
        for q in self.with_task(task).queries:
            if q.text == text:
                return q
        return None

    def __post_init__(self) -> None:
        if not self.documents:
            raise CorpusError(f"corpus {self.key!r} has no documents")
        seen: set[str] = set()
        for d in self.documents:
            if d.id in seen:
                raise CorpusError(f"corpus {self.key!r}: duplicate document id {d.id!r}")
            seen.add(d.id)
        for q in self.queries:
            unknown = [d for labels in (q.relevant, *q.by_task.values()) for d in labels if d not in seen]
            if unknown:
                raise CorpusError(
                    f"corpus {self.key!r}: query {q.id!r} names unknown document ids {unknown[:3]}")
            stray = [t for t in q.by_task if t not in self.tasks]
            if stray:
                raise CorpusError(f"corpus {self.key!r}: query {q.id!r} has labels for {stray[0]!r}, "
                                  f"which is not among its tasks {list(self.tasks)}")


def _read_manifest(folder: Path) -> list[dict]:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"sample corpus manifest in {folder.name} unreadable: {exc}") from None
    return [dict(entry, folder=str(folder)) for entry in data["corpora"]]


@lru_cache(maxsize=1)
def manifest() -> tuple[dict, ...]:
    """Manifest entries of the shipped sample corpora, then of any extra folder."""
    entries = _read_manifest(SAMPLE_DIR)
    extra = os.environ.get(EXTRA_ENV)
    if extra:
        entries += _read_manifest(Path(extra))
    return tuple(entries)


def sample_keys() -> list[str]:
    return [entry["key"] for entry in manifest()]


@lru_cache(maxsize=32)
def load_sample(key: str) -> Corpus:
    """Load a sample corpus by manifest key."""
    entries = {e["key"]: e for e in manifest()}
    if key not in entries:
        raise CorpusError(f"unknown sample corpus {key!r}; known: {', '.join(entries)}")
    e = entries[key]
    sample_dir = Path(e["folder"])
    docs = tuple(Document(str(r["id"]), r["text"], r.get("title", ""), r.get("kind", ""))
                 for _, r in read_jsonl(sample_dir / e["corpus"]))
    task = e.get("task", "")
    rows = read_jsonl(sample_dir / e["queries"]) if e.get("queries") else []
    queries = tuple(_sample_query(r, task) for _, r in rows)
    return Corpus(key, e["title"], docs, queries, task, e.get("source", ""),
                  e.get("license", ""), e.get("labels", ""), tuple(e.get("tasks", ())))


def _grades(labels: dict) -> dict[str, int]:
    return {str(k): int(v) for k, v in labels.items()}


def _sample_query(row: dict, task: str) -> LabeledQuery:
    """A query row: ``relevant`` (one task) or ``relevant_by_task`` (task key -> labels)."""
    by_task = {str(t): _grades(labels) for t, labels in row.get("relevant_by_task", {}).items()}
    relevant = by_task.get(task, {}) if by_task else _grades(row.get("relevant", {}))
    return LabeledQuery(str(row["id"]), row["text"], relevant, row.get("origin", "data"),
                        bool(row.get("example", False)), by_task)


def load_beir(folder: Path, title: str = "") -> Corpus:
    """Load a BEIR-layout folder (read by ``components.beir``). Only ``text`` is embedded; ``title`` is kept for display."""
    folder = Path(folder)
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (folder / name).is_file():
            raise CorpusError(f"{folder.name}: missing {name} (BEIR layout needs corpus.jsonl, queries.jsonl, qrels.tsv)")
    docs = []
    for n, r in read_jsonl(folder / "corpus.jsonl"):
        if "_id" not in r or "text" not in r:
            raise CorpusError(f"{folder.name}/corpus.jsonl, line {n}: every row needs '_id' and 'text'")
        docs.append(Document(str(r["_id"]), r["text"], r.get("title", "") or ""))
    qrels = read_qrels(folder / "qrels.tsv")
    queries = tuple(
        LabeledQuery(str(r["_id"]), r["text"],
                     {d: s for d, s in qrels.get(str(r["_id"]), {}).items() if s > 0})
        for _, r in read_jsonl(folder / "queries.jsonl"))
    return Corpus(folder.name, title or folder.name, tuple(docs), queries, labels="BEIR qrels")
