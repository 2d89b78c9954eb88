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
computed alike, and the precision is part of every cache key. Vectors of the
sample corpora (documents and their queries) also go to the engine's
``VectorStore`` on disk, if it has one, so a restarted app finds them (read
before a corpus job waits for a slot); an upload's never do. With a
``FactsBook`` (a loaded model's fingerprint and token limit, remembered on
disk), vectors already in memory or in the store are found before the model
is loaded: a restarted app ranks a sample corpus with its default
instructions without importing sentence-transformers.

Encoding a corpus is a corpus job: it waits for one of the engine's
``CorpusSlots`` and calls its ``check`` while it waits and between batches,
so superseded work stops early (``components.jobs``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from components.cache import EmbeddingCache, embed_cached, entry_key, lookup
from components.corpora import Corpus, load_sample, sample_keys
from components.encoder import Encoder, SentenceTransformerEncoder, Twinned
from components.errors import LensError
from components.jobs import Check, CorpusSlots, never
from components.model_facts import Facts, FactsBook
from components.models import ModelPreset, get_model
from components.precision import FP32, precision_for
from components.progress import Progress
from components.retrieval import Ranking, rank
from components.setting import Setting
from components.store import VectorStore
from components.turns import in_background, persons_turn

__all__ = ["Engine", "Exploration", "Setting", "is_sample", "load_encoder"]

EncoderFactory = Callable[[ModelPreset, "Progress | None"], Encoder]

CHARS_PER_TOKEN_CAP = 50  # text beyond limit*50 chars can never be read by the model


def load_encoder(preset: ModelPreset, progress: Progress | None = None, precision: str = FP32) -> Encoder:
    """The default factory: a sentence-transformers model behind the Encoder API, in ``precision``;
    a joint model's (``components.joint``) next to its content model, which it shares when loaded."""
    from components.loading import joint_part, load_model

    encoder = SentenceTransformerEncoder(preset.key, load_model(preset, progress), precision)
    part = joint_part(preset)
    if part is None:
        return encoder
    from components.joint import JointEncoder

    content = SentenceTransformerEncoder(part[0], load_model(get_model(part[0]), progress), precision)
    return JointEncoder(preset.key, content, encoder, part[1])


def _clipped(texts: list[str], prompt: str, include_prompt: bool, token_limit: int) -> tuple[list[str], str, bool]:
    """Texts and prompt cut to what the model can read at most, and the pooling switch of the cache key
    (no prompt: the switch changes nothing, so both share one entry)."""
    cap = token_limit * CHARS_PER_TOKEN_CAP
    return [t if len(t) <= cap else t[:cap] for t in texts], prompt[:cap], include_prompt or not prompt


def token_bound(text: str) -> int:
    """At most this many tokens in ``text`` (special tokens aside) for WordPiece, SentencePiece and
    byte-level BPE tokenizers: every token covers at least one UTF-8 byte, and SentencePiece may add
    one word-start mark before the first word.

    >>> token_bound("query: hello"), token_bound("é")
    (13, 3)
    """
    return len(text.encode("utf-8")) + 1


def is_sample(corpus: Corpus) -> bool:
    """True when ``corpus`` is a listed sample corpus, unchanged (worth keeping on disk)."""
    return corpus.key in sample_keys() and load_sample(corpus.key).fingerprint == corpus.fingerprint


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
                 slots: CorpusSlots | None = None, store: VectorStore | None = None,
                 precision: str | None = None, facts: FactsBook | None = None) -> None:
        """``precision`` forces one for every model and corpus (the factory must take ``precision=``);
        ``facts`` remembers loaded models' fingerprints (see the module's text)."""
        self.cache = cache or EmbeddingCache()
        self.slots = slots or CorpusSlots(1)
        self.store = store
        self.facts = facts
        self.forced = precision
        forcing: Callable[..., Encoder] = factory  # takes precision= when one is forced (see above)
        self._factory = factory if precision is None else functools.partial(forcing, precision=precision)
        self._encoders: dict[str | tuple[str, str], Encoder] = {}  # by model, and twins by (model, precision)
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}  # one per model key asked for: one load at a time

    def encoder(self, model_key: str, progress: Progress | None = None, precision: str | None = None) -> Encoder:
        """The model's encoder; in ``precision`` when given (a twin sharing the loaded model).

        A model is loaded once: callers who ask while it loads wait for that load
        (a load that fails is tried again by the next caller).
        """
        with self._lock:
            enc = self._encoders.get(model_key)
        if enc is None:
            enc = self._load(model_key, progress)
        if precision is None or precision == enc.precision or not isinstance(enc, Twinned):
            return enc  # an encoder with one precision only (a fake) answers in it
        with self._lock:
            twin = self._encoders.get((model_key, precision))
            if twin is None:
                twin = self._encoders[(model_key, precision)] = enc.in_precision(precision)
        return twin

    def _load(self, model_key: str, progress: Progress | None) -> Encoder:
        """Load ``model_key`` unless a caller that held its load lock first already did."""
        preset = get_model(model_key)  # an unknown key fails here, before it gets a lock
        with self._lock:
            loading = self._loading.setdefault(model_key, threading.Lock())
        with persons_turn(), loading:  # the start-up work's next batch waits for a person's load
            with self._lock:
                enc = self._encoders.get(model_key)
            if enc is None:
                enc = self._factory(preset, progress)
                with self._lock:
                    self._encoders[model_key] = enc
                if self.facts is not None:
                    self.facts.record(preset, Facts(enc.fingerprint, enc.token_limit()))
        return enc

    def known(self, model_key: str) -> Facts | None:
        """The fingerprint and token limit of ``model_key`` without loading it: from its loaded
        encoder, else from the facts book (None: only loading it can tell)."""
        with self._lock:
            enc = self._encoders.get(model_key)
        if enc is not None:
            return Facts(enc.fingerprint, enc.token_limit())
        return self.facts.get(get_model(model_key)) if self.facts is not None else None

    def precision(self, model_key: str, corpus: Corpus | None = None) -> str:
        """The one precision of ``model_key`` on ``corpus`` (None: an upload or typed text) in this engine."""
        if self.forced is not None:
            return self.forced
        return precision_for(get_model(model_key), corpus.key if corpus is not None and is_sample(corpus) else None)

    def embed(self, model_key: str, texts: list[str], prompt: str, include_prompt: bool,
              progress: Progress | None = None, check: Check = never, *, persist: bool = False,
              precision: str | None = None) -> np.ndarray:
        """Cached embeddings ``[n, dim]`` of ``texts`` with ``prompt``.

        Texts and prompt are clipped to what the model can read at most, so a
        pasted 100,000-character text costs no more than a long paragraph.
        Encoding more than one text is a corpus job: it waits for a slot
        (``self.slots``), calling ``check`` while it waits and between
        batches, so superseded work stops early. One text (a query) and the
        start-up work in the background never wait for a slot.
        ``persist``: the texts are sample data, kept in the store on disk (and
        found there without waiting for a slot).
        ``precision``: from ``precision(model_key, corpus)`` (default: the encoder's own).
        """
        known = self.known(model_key) if precision is not None and texts else None
        if known is not None and precision is not None:  # what is in memory or on disk needs no model
            clipped, short_prompt, pooled = _clipped(texts, prompt, include_prompt, known.token_limit)
            keys = [entry_key(known.fingerprint, precision, pooled, short_prompt, t) for t in clipped]
            found = lookup(self.cache, keys, self.store if persist else None)
            if found is not None:
                return found
        enc = self.encoder(model_key, progress, precision)
        clipped, prompt, include_prompt = _clipped(texts, prompt, include_prompt, enc.token_limit())

        def gate():
            if in_background():
                return contextlib.nullcontext()
            return self.slots.slot(progress, check)

        def report(fraction: float, message: str) -> None:
            check()
            if progress:
                progress(fraction, message)

        return embed_cached(enc, self.cache, clipped, prompt, include_prompt, report, gate=gate,
                            store=self.store if persist else None)

    def doc_vectors(self, corpus: Corpus, setting: Setting, instructed: bool,
                    progress: Progress | None = None, check: Check = never) -> np.ndarray:
        prompt = setting.prompt("document") if instructed else ""
        return self.embed(setting.model_key, corpus.texts, prompt, setting.include_prompt, progress, check,
                          persist=is_sample(corpus), precision=self.precision(setting.model_key, corpus))

    def query_vectors(self, texts: list[str], setting: Setting, instructed: bool, corpus: Corpus | None,
                      persist: bool = False) -> np.ndarray:
        """Query vectors in the precision of ``corpus``'s documents (they are compared with them).

        ``corpus`` is required: queries ranked against a sample corpus's
        documents must be computed in the same precision (None: an upload's
        or typed documents, float32).
        """
        prompt = setting.prompt("query") if instructed else ""
        return self.embed(setting.model_key, texts, prompt, setting.include_prompt, persist=persist,
                          precision=self.precision(setting.model_key, corpus))

    def truncation_notes(self, setting: Setting, query: str) -> tuple[str, ...]:
        """Say when an instruction or the query is longer than the model reads.

        Texts too short to reach the model's limit need no tokenizer (nor the model loaded).
        """
        known = self.known(setting.model_key)
        if known is not None and all(
                token_bound(t) + 2 < known.token_limit
                for t in (setting.prompt("document"), setting.prompt("query") + query)):
            return ()
        enc = self.encoder(setting.model_key)
        count = enc.count_tokens
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
                progress: Progress | None = None, check: Check = never) -> Exploration:
        """Rank ``corpus`` for ``query`` with and without the instructions.

        ``check`` is called while corpus work waits or runs; it raises
        ``components.jobs.Superseded`` when the result is no longer wanted.
        A person's call is their turn (``persons_turn``): the start-up work
        waits from its first step to its last, not only during its encodes.
        """
        if not query or not query.strip():
            raise LensError("Type a query (or pick an example) to rank the corpus.")
        with persons_turn():
            return self._explore(corpus, setting, query, progress, check)

    def _explore(self, corpus: Corpus, setting: Setting, query: str, progress: Progress | None,
                 check: Check) -> Exploration:
        base_docs = self.doc_vectors(corpus, setting, instructed=False, progress=progress, check=check)
        docs = self.doc_vectors(corpus, setting, instructed=True, progress=progress, check=check)
        labeled = corpus.query_by_text(query)
        keep = labeled is not None and is_sample(corpus)  # a sample's own query, not what a visitor typed
        base_q = self.query_vectors([query], setting, instructed=False, corpus=corpus, persist=keep)[0]
        q = self.query_vectors([query], setting, instructed=True, corpus=corpus, persist=keep)[0]
        ids = corpus.ids
        return Exploration(
            corpus=corpus, setting=setting, query_text=query,
            instructed=rank(q, docs, ids), baseline=rank(base_q, base_docs, ids),
            docs=docs, base_docs=base_docs, query=q, base_query=base_q,
            relevant=dict(labeled.relevant) if labeled else {},
            notes=self.truncation_notes(setting, query),
        )
