"""Corpora and labelled queries: the data the app ranks and measures.

A ``Corpus`` is documents (id, text, optional title) plus optional labelled
queries (``LabeledQuery``: text and graded relevance per document id). Sample
corpora are listed in ``sample_corpora/manifest.json``; adding one is adding a
data file and a manifest entry. BEIR folders (``corpus.jsonl``,
``queries.jsonl``, ``qrels.tsv``) load with ``load_beir``. Parsing uploads in
other shapes lives in ``components.uploads``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from components.errors import CorpusError

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_corpora"
# A folder with a manifest.json of its own adds corpora to the shipped ones.
EXTRA_ENV = "INSTRUCTION_LENS_EXTRA_CORPORA"


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class LabeledQuery:
    """A query with graded relevance labels (doc id -> grade > 0)."""

    id: str
    text: str
    relevant: dict[str, int] = field(default_factory=dict)
    origin: str = "data"  # "data" or "hand-written"
    example: bool = False

    def __hash__(self) -> int:  # the labels are a dict; a corpus in a page's state must hash
        return hash((self.id, self.text, tuple(sorted(self.relevant.items())), self.origin, self.example))


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

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.documents]

    @property
    def labeled_queries(self) -> list[LabeledQuery]:
        """Queries that have at least one relevant document."""
        return [q for q in self.queries if q.relevant]

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the documents (ids and texts): equal content, equal fingerprint."""
        h = hashlib.blake2b(digest_size=16)
        for d in self.documents:
            for part in (d.id, d.text):
                data = part.encode("utf-8", "surrogatepass")
                h.update(len(data).to_bytes(8, "little"))
                h.update(data)
        return h.hexdigest()

    def example_queries(self) -> list[str]:
        return [q.text for q in self.queries if q.example] or [q.text for q in self.queries[:10]]

    def query_by_text(self, text: str) -> LabeledQuery | None:
        for q in self.queries:
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
            unknown = [d for d in q.relevant if d not in seen]
            if unknown:
                raise CorpusError(
                    f"corpus {self.key!r}: query {q.id!r} names unknown document ids {unknown[:3]}")


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise CorpusError(f"{path.name}, line {n}: not valid JSON ({exc.msg})") from None
    except OSError as exc:
        raise CorpusError(f"cannot read {path.name}: {exc.strerror}") from None
    return rows


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
    docs = tuple(Document(str(r["id"]), r["text"], r.get("title", ""))
                 for r in _read_jsonl(sample_dir / e["corpus"]))
    queries = tuple(
        LabeledQuery(str(r["id"]), r["text"], {str(k): int(v) for k, v in r.get("relevant", {}).items()},
                     r.get("origin", "data"), bool(r.get("example", False)))
        for r in (_read_jsonl(sample_dir / e["queries"]) if e.get("queries") else []))
    return Corpus(key, e["title"], docs, queries, e.get("task", ""), e.get("source", ""),
                  e.get("license", ""), e.get("labels", ""))


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read a BEIR qrels.tsv (header ``query-id corpus-id score``)."""
    qrels: dict[str, dict[str, int]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t")
            header = next(reader, None)
            if not header or [h.strip() for h in header[:3]] != ["query-id", "corpus-id", "score"]:
                raise CorpusError(f"{path.name}, line 1: expected the header 'query-id<TAB>corpus-id<TAB>score'")
            for n, row in enumerate(reader, 2):
                if not row:
                    continue
                if len(row) < 3:
                    raise CorpusError(f"{path.name}, line {n}: expected 3 tab-separated columns")
                try:
                    score = int(float(row[2]))
                except ValueError:
                    raise CorpusError(f"{path.name}, line {n}: score {row[2]!r} is not a number") from None
                qrels.setdefault(row[0], {})[row[1]] = score
    except OSError as exc:
        raise CorpusError(f"cannot read {path.name}: {exc.strerror}") from None
    return qrels


def load_beir(folder: Path, title: str = "") -> Corpus:
    """Load a BEIR-layout folder. Only ``text`` is embedded; ``title`` is kept for display."""
    folder = Path(folder)
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (folder / name).is_file():
            raise CorpusError(f"{folder.name}: missing {name} (BEIR layout needs corpus.jsonl, queries.jsonl, qrels.tsv)")
    docs = []
    for r in _read_jsonl(folder / "corpus.jsonl"):
        if "_id" not in r or "text" not in r:
            raise CorpusError(f"{folder.name}/corpus.jsonl: every row needs '_id' and 'text'")
        docs.append(Document(str(r["_id"]), r["text"], r.get("title", "") or ""))
    qrels = read_qrels(folder / "qrels.tsv")
    queries = tuple(
        LabeledQuery(str(r["_id"]), r["text"],
                     {d: s for d, s in qrels.get(str(r["_id"]), {}).items() if s > 0})
        for r in _read_jsonl(folder / "queries.jsonl"))
    return Corpus(folder.name, title or folder.name, tuple(docs), queries, labels="BEIR qrels")
