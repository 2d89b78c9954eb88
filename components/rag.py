"""Task-aware retrieval for notebooks and pipelines: ``TaskAwareRAG``.

Index a list of texts for a task, retrieve the top k for a query with the
task's default instructions for the model's family
(``TaskPreset.instructions_for``), or compare that ranking with the same model
and no instruction at all. It is a thin layer over the app's own parts: the
``Engine`` embeds (cached by model, pooling mode, prompt and text, so indexing
the same texts for a task with the same document instruction encodes nothing)
and ``components.retrieval`` ranks, ties broken by id, exactly as the page
does. Tasks are the page's task registry (``components.tasks``); models the
model registry (``components.models``).

It holds one set of documents at a time and embeds ``text`` only (a title is
kept for display, as in the app). It does not generate answers, split long
texts into chunks (a model reads its first 256 to 512 tokens) or save an index
to disk.

Example, with a stand-in encoder so it runs without weights (leave out
``encoder_factory`` for the real model):

    >>> from tests.fake_encoder import HashEncoder  # the test suite's stand-in encoder
    >>> fake = lambda preset, progress=None: HashEncoder(preset.key)
    >>> rag = TaskAwareRAG("e5-small-offline", encoder_factory=fake)
    >>> rag.index(["Cats purr when they are content.", "Dogs love to fetch a ball.",
    ...            "Goldfish eat flakes."], task="qa", ids=["cat", "dog", "fish"])
    >>> hit = rag.retrieve("Which pet will fetch a ball?", task="qa", k=2)[0]
    >>> hit.index, hit.id, hit.text
    (1, 'dog', 'Dogs love to fetch a ball.')
    >>> setting = rag.setting("qa")  # the qa task's defaults for E5's family
    >>> setting.query_instruction, setting.document_instruction
    ('query: ', 'passage: ')
    >>> c = rag.compare("Which pet will fetch a ball?", k=3)
    >>> [(m.id, m.rank_with, m.rank_without, m.move) for m in c.with_instructions]
    [('dog', 1, 1, 0), ('fish', 2, 2, 0), ('cat', 3, 3, 0)]
"""

from __future__ import annotations

from functools import lru_cache
from numbers import Integral
from typing import Iterable

from components.corpora import Corpus, Document
from components.engine import Engine, EncoderFactory, Progress, Setting
from components.errors import CorpusError, LensError
from components.models import MODELS, ModelPreset, get_model
from components.rag_results import Compared, Hit, compared, hits
from components.retrieval import rank
from components.tasks import DEFAULT_TASK, get_task

__all__ = ["TaskAwareRAG", "Hit", "Compared", "NotIndexed", "NoDocuments", "BadDocuments", "IdsMismatch",
           "DuplicateIds", "KOutOfRange", "EmptyQuery", "resolve_model"]

DEFAULT_K = 10


class NotIndexed(LensError):
    """``retrieve`` or ``compare`` before any ``index``."""


class NoDocuments(CorpusError):
    """``index`` of an empty list."""


class BadDocuments(CorpusError):
    """Documents that are not a list of strings (one string, a number, None)."""


class IdsMismatch(CorpusError):
    """``ids`` or ``titles`` of another length than the documents."""


class DuplicateIds(CorpusError):
    """The same id given to two documents."""


class KOutOfRange(LensError):
    """``k`` below 1, above the number of documents, or not a whole number."""


class EmptyQuery(LensError):
    """A query that is empty, blank or not a string."""


@lru_cache(maxsize=1)
def shared_engine() -> Engine:
    """The real models' engine, one per process: instances share loaded models and the cache."""
    return Engine()


def resolve_model(name: str) -> ModelPreset:
    """A registry key, the Hub id of a registry model, or any Hub id (``hub:owner/name`` or
    ``owner/name``) where the host allows it (``components.models.any_hub_id_allowed``)."""
    for preset in MODELS:
        if preset.source_kind == "hub" and preset.source == name:
            return preset
    if "/" in name and not name.startswith("hub:") and ":" not in name:
        return get_model("hub:" + name)
    return get_model(name)


def _as_list(values: Iterable, what: str) -> list:
    """Any iterable but a single string (a list, a tuple, a pandas Series, a generator) as a list."""
    if isinstance(values, (str, bytes, dict)):
        raise BadDocuments(f"{what} must be a list, not one {type(values).__name__}")
    try:
        return list(values)
    except TypeError:
        raise BadDocuments(f"{what} must be a list, not {type(values).__name__}") from None


def _per_document(values: Iterable | None, n: int, what: str) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise IdsMismatch(f"{what} must be a list with one entry per document, not one string")
    listed = _as_list(values, what)
    if len(listed) != n:
        raise IdsMismatch(f"{n} documents but {len(listed)} {what}: give one per document")
    return [str(v) for v in listed]


def make_corpus(documents: Iterable[str], ids: Iterable | None = None,
                titles: Iterable | None = None) -> Corpus:
    """A ``Corpus`` of ``documents``; ids default to the positions ``"0"``, ``"1"``, …"""
    texts = _as_list(documents, "documents")
    if not texts:
        raise NoDocuments("no documents to index: give a non-empty list of strings")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise BadDocuments(f"document {i} is {type(text).__name__}, not a string")
    n = len(texts)
    id_list = _per_document(ids, n, "ids") or [str(i) for i in range(n)]
    title_list = _per_document(titles, n, "titles") or [""] * n
    seen: dict[str, int] = {}
    for i, doc_id in enumerate(id_list):
        if doc_id in seen:
            raise DuplicateIds(f"id {doc_id!r} is given to documents {seen[doc_id]} and {i}; ids must be unique")
        seen[doc_id] = i
    docs = tuple(Document(d, t, title) for d, t, title in zip(id_list, texts, title_list))
    return Corpus("documents", "Indexed documents", docs)


class TaskAwareRAG:
    """Retrieval with a task's instructions for one model; see the module docstring.

    Args:
        model: a registry key (``components.models``), a registry model's Hub
            id, or another Hub id where the host allows any.
        engine: the ``Engine`` to embed with (default: one shared per process).
        encoder_factory: build an engine around this factory instead (tests
            pass a fake encoder); not together with ``engine``.
    """

    def __init__(self, model: str = "minilm-offline", *, engine: Engine | None = None,
                 encoder_factory: EncoderFactory | None = None) -> None:
        if engine is not None and encoder_factory is not None:
            raise ValueError("pass an engine or an encoder_factory, not both")
        self.model = resolve_model(model)
        self.engine = engine or (Engine(factory=encoder_factory) if encoder_factory else shared_engine())
        self.corpus: Corpus | None = None
        self.task: str | None = None  # the task of the last index(); retrieve's default
        self._indexed_with: tuple[str | None, bool | None] = (None, None)  # index()'s own overrides

    def __len__(self) -> int:
        return len(self.corpus.documents) if self.corpus else 0

    def __repr__(self) -> str:
        return f"TaskAwareRAG({self.model.key!r}, documents={len(self)}, task={self.task!r})"

    def setting(self, task: str | None = None, query_instruction: str | None = None,
                document_instruction: str | None = None, include_prompt: bool | None = None) -> Setting:
        """What a call will use: the task's default instructions for this model, each one
        overridable; for the indexed task, the document instruction and pooling ``index`` was given."""
        task = task if task is not None else self.task or DEFAULT_TASK
        if task == self.task:
            document_instruction = self._indexed_with[0] if document_instruction is None else document_instruction
            include_prompt = self._indexed_with[1] if include_prompt is None else include_prompt
        return self._with_defaults(task, query_instruction, document_instruction, include_prompt)

    def _with_defaults(self, task: str, query_instruction: str | None, document_instruction: str | None,
                       include_prompt: bool | None) -> Setting:
        """A ``Setting`` whose unset parts are ``task``'s defaults for the model (``instructions_for``)."""
        defaults = get_task(task).instructions_for(self.model)
        return Setting(
            self.model.key,
            defaults.query if query_instruction is None else query_instruction,
            defaults.document if document_instruction is None else document_instruction,
            self.model.include_prompt if include_prompt is None else include_prompt)

    def index(self, documents: Iterable[str], task: str = DEFAULT_TASK, *, ids: Iterable | None = None,
              titles: Iterable | None = None, document_instruction: str | None = None,
              include_prompt: bool | None = None, progress: Progress | None = None) -> None:
        """Embed ``documents`` with ``task``'s document instruction; they replace earlier ones.

        Texts already embedded with the same model, prompt and pooling are not
        encoded again: indexing the same list for another task costs nothing
        when that task's document instruction is the same. A
        ``document_instruction`` or ``include_prompt`` given here is used by
        later calls for this task that do not give their own.
        """
        setting = self._with_defaults(task, None, document_instruction, include_prompt)
        corpus = make_corpus(documents, ids, titles)
        self.engine.doc_vectors(corpus, setting, instructed=True, progress=progress)
        self.corpus, self.task = corpus, task
        self._indexed_with = (document_instruction, include_prompt)

    def retrieve(self, query: str, task: str | None = None, k: int | None = None, *,
                 query_instruction: str | None = None, document_instruction: str | None = None,
                 include_prompt: bool | None = None) -> list[Hit]:
        """The top ``k`` documents (default 10, or all if fewer) for ``query`` with the instructions, best first.

        ``task`` defaults to the task of the last ``index``. A task or document
        instruction the documents were not indexed with embeds them once first.
        """
        corpus, k = self._ready(query, k)
        setting = self.setting(task, query_instruction, document_instruction, include_prompt)
        docs = self.engine.doc_vectors(corpus, setting, instructed=True)
        query_vector = self.engine.query_vectors([query], setting, instructed=True, corpus=corpus)[0]
        ranking = rank(query_vector, docs, corpus.ids)
        return hits(ranking, corpus, k)

    def compare(self, query: str, task: str | None = None, k: int | None = None, *,
                query_instruction: str | None = None, document_instruction: str | None = None,
                include_prompt: bool | None = None) -> Compared:
        """The top ``k`` with the instructions and without any, with each document's moves."""
        corpus, k = self._ready(query, k)
        setting = self.setting(task, query_instruction, document_instruction, include_prompt)
        return compared(self.engine.explore(corpus, setting, query), k)

    def _ready(self, query: str, k: int | None) -> tuple[Corpus, int]:
        """The indexed corpus and ``k`` (``DEFAULT_K`` or all documents when None), once checked."""
        if self.corpus is None:
            raise NotIndexed("nothing is indexed yet: call index(documents, task=...) first")
        if not isinstance(query, str) or not query.strip():
            raise EmptyQuery(f"the query must be a non-empty string, not {query!r}")
        n = len(self.corpus.documents)
        k = min(DEFAULT_K, n) if k is None else k
        if isinstance(k, bool) or not isinstance(k, Integral) or not 1 <= k <= n:
            raise KOutOfRange(f"k must be a whole number from 1 to {n} (the indexed documents), not {k!r}")
        return self.corpus, int(k)
