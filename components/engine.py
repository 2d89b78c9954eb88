"""The engine: a corpus, a model and instructions in; rankings and vectors out.

``Engine.explore`` ranks a corpus for a query twice with the same model: with
the instructions (``Setting``) and with no instruction at all (the baseline).
Document vectors come from the shared ``EmbeddingCache``, so a corpus is
embedded once per (model, pooling mode, document prompt) and an edit of the
query instruction re-encodes only the query. Models load lazily through an
encoder factory (tests pass a fake one).

Each (model, corpus) pair has one precision in an engine (``Engine.precision``:
bfloat16 only on the sample corpora where the model passed the fidelity
guard, see ``components.precision``), used for its documents and its
queries, with and without instructions: both sides of every comparison are
computed alike, and the precision is part of every cache key. Vectors of the sample corpora (documents and their queries) also go
to the engine's ``VectorStore`` on disk, if it has one, so a restarted app
finds them; an upload's never do.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from components.cache import EmbeddingCache, embed_cached
from components.corpora import Corpus, load_sample, sample_keys
from components.encoder import Encoder, SentenceTransformerEncoder
from components.errors import LensError
from components.models import ModelPreset, get_model
from components.precision import FP32, precision_for
from components.retrieval import Ranking, rank
from components.store import VectorStore

Progress = Callable[[float, str], None]
EncoderFactory = Callable[[ModelPreset, "Progress | None"], Encoder]

CHARS_PER_TOKEN_CAP = 50  # text beyond limit*50 chars can never be read by the model


def load_encoder(preset: ModelPreset, progress: Progress | None = None, precision: str = FP32) -> Encoder:
    """The default factory: a sentence-transformers model behind the Encoder API, in ``precision``."""
    from components.loading import load_model

    return SentenceTransformerEncoder(preset.key, load_model(preset, progress), precision)


def is_sample(corpus: Corpus) -> bool:
    """True when ``corpus`` is a listed sample corpus, unchanged (worth keeping on disk)."""
    return corpus.key in sample_keys() and load_sample(corpus.key).fingerprint == corpus.fingerprint


@dataclass(frozen=True)
class Setting:
    """What the user chose: a model, one instruction per role, the pooling switch."""

    model_key: str
    query_instruction: str = ""
    document_instruction: str = ""
    include_prompt: bool = True

    @property
    def preset(self) -> ModelPreset:
        return get_model(self.model_key)

    def prompt(self, role: str) -> str:
        instruction = self.query_instruction if role == "query" else self.document_instruction
        return self.preset.apply(role, instruction)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Exploration:
    """One query ranked with and without instructions.

    ``docs``/``base_docs``: ``[n_docs, dim]``; ``query``/``base_query``: ``[dim]``.
    """

    corpus: Corpus
    setting: Setting
    query_text: str
    instructed: Ranking
    baseline: Ranking
    docs: np.ndarray
    base_docs: np.ndarray
    query: np.ndarray
    base_query: np.ndarray
    relevant: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


class Engine:
    """Shared by all sessions: models, encoders and the embedding cache."""

    def __init__(self, cache: EmbeddingCache | None = None, factory: EncoderFactory = load_encoder,
                 store: VectorStore | None = None, precision: str | None = None) -> None:
        """``precision`` forces one for every model and corpus (the factory must take ``precision=``)."""
        self.cache = cache or EmbeddingCache()
        self.store = store
        self.forced = precision
        self._factory = factory if precision is None else functools.partial(factory, precision=precision)
        self._encoders: dict[str, Encoder] = {}
        self._lock = threading.Lock()
        self._embed_locks: dict[tuple, threading.Lock] = {}

    def encoder(self, model_key: str, progress: Progress | None = None, precision: str | None = None) -> Encoder:
        """The model's encoder; in ``precision`` when given (a twin sharing the loaded model)."""
        with self._lock:
            enc = self._encoders.get(model_key)
        if enc is None:
            enc = self._factory(get_model(model_key), progress)
            with self._lock:
                enc = self._encoders.setdefault(model_key, enc)
        if precision is None or precision == enc.precision or not hasattr(enc, "in_precision"):
            return enc  # an encoder with one precision only (a fake) answers in it
        with self._lock:
            twin = self._encoders.get((model_key, precision))
            if twin is None:
                twin = self._encoders[(model_key, precision)] = enc.in_precision(precision)
        return twin

    def precision(self, model_key: str, corpus: Corpus | None = None) -> str:
        """The one precision of ``model_key`` on ``corpus`` (None: an upload or typed text) in this engine."""
        if self.forced is not None:
            return self.forced
        return precision_for(get_model(model_key), corpus.key if corpus is not None and is_sample(corpus) else None)

    def embed(self, model_key: str, texts: list[str], prompt: str, include_prompt: bool,
              progress: Progress | None = None, persist: bool = False, precision: str | None = None) -> np.ndarray:
        """Cached embeddings ``[n, dim]`` of ``texts`` with ``prompt``.

        Texts and prompt are clipped to what the model can read at most, so a
        pasted 100,000-character text costs no more than a long paragraph.
        ``persist``: the texts are sample data, kept in the store on disk.
        ``precision``: from ``precision(model_key, corpus)`` (default: the encoder's own).
        """
        enc = self.encoder(model_key, progress, precision)
        cap = enc.token_limit() * CHARS_PER_TOKEN_CAP
        clipped = [t if len(t) <= cap else t[:cap] for t in texts]
        prompt = prompt[:cap]
        if not prompt:
            include_prompt = True  # no prompt: the switch changes nothing, share one cache entry
        with self._lock:
            lock = self._embed_locks.setdefault((model_key, enc.precision, prompt, include_prompt),
                                                threading.Lock())
        with lock:  # a second caller with the same prompt waits, then finds every vector cached
            return embed_cached(enc, self.cache, clipped, prompt, include_prompt, progress,
                                self.store if persist else None)

    def doc_vectors(self, corpus: Corpus, setting: Setting, instructed: bool,
                    progress: Progress | None = None) -> np.ndarray:
        prompt = setting.prompt("document") if instructed else ""
        return self.embed(setting.model_key, corpus.texts, prompt, setting.include_prompt, progress,
                          persist=is_sample(corpus), precision=self.precision(setting.model_key, corpus))

    def query_vectors(self, texts: list[str], setting: Setting, instructed: bool,
                      persist: bool = False, corpus: Corpus | None = None) -> np.ndarray:
        """Query vectors in the precision of ``corpus``'s documents (they are compared with them)."""
        prompt = setting.prompt("query") if instructed else ""
        return self.embed(setting.model_key, texts, prompt, setting.include_prompt, persist=persist,
                          precision=self.precision(setting.model_key, corpus))

    def truncation_notes(self, setting: Setting, query: str) -> tuple[str, ...]:
        """Say when an instruction or the query is longer than the model reads."""
        enc = self.encoder(setting.model_key)
        count = getattr(enc, "count_tokens", None)
        if count is None:
            return ()
        limit = enc.token_limit()
        cap = limit * CHARS_PER_TOKEN_CAP
        notes = []
        for role in ("query", "document"):
            n_prompt = count(setting.prompt(role)[:cap])
            if n_prompt + 2 >= limit:
                notes.append(f"The {role} instruction alone is about {n_prompt} tokens, more than the "
                             f"{limit} the model reads: the {role} text itself is cut off entirely.")
        n = count(setting.prompt("query")[:cap] + query[:cap])
        if n + 2 > limit and not notes:
            notes.append(f"The query with its instruction is about {n} tokens; the model reads the first "
                         f"{limit} (special tokens included) and ignores the rest.")
        return tuple(notes)

    def explore(self, corpus: Corpus, setting: Setting, query: str,
                progress: Progress | None = None) -> Exploration:
        """Rank ``corpus`` for ``query`` with and without the instructions."""
        if not query or not query.strip():
            raise LensError("Type a query (or pick an example) to rank the corpus.")
        base_docs = self.doc_vectors(corpus, setting, instructed=False, progress=progress)
        docs = self.doc_vectors(corpus, setting, instructed=True, progress=progress)
        labeled = corpus.query_by_text(query)
        keep = labeled is not None and is_sample(corpus)  # a sample's own query, not what a visitor typed
        base_q = self.query_vectors([query], setting, instructed=False, persist=keep, corpus=corpus)[0]
        q = self.query_vectors([query], setting, instructed=True, persist=keep, corpus=corpus)[0]
        ids = corpus.ids
        return Exploration(
            corpus=corpus, setting=setting, query_text=query,
            instructed=rank(q, docs, ids), baseline=rank(base_q, base_docs, ids),
            docs=docs, base_docs=base_docs, query=q, base_query=base_q,
            relevant=dict(labeled.relevant) if labeled else {},
            notes=self.truncation_notes(setting, query),
        )
