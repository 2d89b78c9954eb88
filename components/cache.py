"""A bounded, thread-safe cache of embeddings keyed by what made them.

A vector is stored under (model fingerprint, precision, pooling mode, prompt,
text): change any of these and it is a different entry, so an edited
instruction can never be served a stale vector, nor a float32 vector mixed
with a bfloat16 one. Keys are 16-byte BLAKE2 digests of those parts (long
texts cost no key memory); the budget counts vector bytes plus a fixed
overhead per entry, and the least recently used entries go first. One cache
is shared by every session of the app.

``lookup`` finds vectors without an encoder (keys made with ``entry_key``);
``embed_cached`` encodes only the texts that are missing; given a
``components.store.VectorStore`` it first looks for the whole list on disk
and, after encoding, keeps it there for the next process. The same list
asked for again while it is being encoded waits for that encode
(``InFlight``) instead of starting its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Callable, ContextManager, Iterator, Sequence, cast

import numpy as np

from components.encoder import Encoder
from components.hashing import text_digest
from components.store import VectorStore, block_key
from components.turns import turn_yielded

ENTRY_OVERHEAD = 200  # bytes per entry for the key, the OrderedDict node and the array header
DEFAULT_BUDGET = 512 * 1024 * 1024


def entry_key(model: str, precision: str, include_prompt: bool, prompt: str, text: str) -> bytes:
    """The cache key of one embedding; an empty prompt ignores the pooling mode.

    ``model`` is the encoder's fingerprint, ``precision`` its "fp32" or "bf16".
    """
    pooled = "1" if include_prompt or not prompt else "0"
    return text_digest((model, precision, pooled, prompt, text))


class InFlight:
    """Lists of texts being encoded now, by ``block_key``.

    The first caller for a list encodes it; a caller for the same list
    meanwhile gets the first one's event and waits for it (e.g. a visitor's
    first ranking on a fresh start, while the start-up work embeds the same
    corpus: the visitor finds the batches already done instead of doing them
    again). Lists that only overlap are not shared.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[bytes, threading.Event] = {}

    @contextlib.contextmanager
    def claim(self, key: bytes) -> Iterator[threading.Event | None]:
        """None: this caller encodes ``key``'s list (set for others when the block ends); else the encoding caller's event."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine = self._running[key] = threading.Event()
        if running is not None:
            yield running
            return
        try:
            yield None
        finally:
            with self._lock:
                del self._running[key]
            mine.set()


class EmbeddingCache:
    """LRU map from ``entry_key`` to a ``float32 [dim]`` vector, under a byte budget.

    ``running``: the lists being encoded into it now (``InFlight``).
    """

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET) -> None:
        self.budget = budget_bytes
        self.running = InFlight()
        self._data: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: bytes) -> np.ndarray | None:
        with self._lock:
            vec = self._data.get(key)
            if vec is not None:
                self._data.move_to_end(key)
            return vec

    def put(self, key: bytes, vec: np.ndarray) -> None:
        vec = np.array(vec, dtype=np.float32, copy=True)
        vec.setflags(write=False)  # a cached vector is shared: nobody may change it
        size = vec.nbytes + ENTRY_OVERHEAD
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes + ENTRY_OVERHEAD
            if size > self.budget:
                return
            self._data[key] = vec
            self._bytes += size
            while self._bytes > self.budget:
                _, dropped = self._data.popitem(last=False)
                self._bytes -= dropped.nbytes + ENTRY_OVERHEAD

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0


def encoder_keys(encoder: Encoder, texts: Sequence[str], prompt: str, include_prompt: bool) -> list[bytes]:
    """``entry_key`` of each text for this encoder (its fingerprint and precision)."""
    return [entry_key(encoder.fingerprint, encoder.precision, include_prompt, prompt, t) for t in texts]


def embed_cached(encoder: Encoder, cache: EmbeddingCache, texts: Sequence[str], prompt: str,
                 include_prompt: bool, progress: Callable[[float, str], None] | None = None,
                 gate: Callable[[], ContextManager] | None = None,
                 store: VectorStore | None = None) -> np.ndarray:
    """Embeddings of ``texts`` (``float32 [n, dim]``), encoding only cache misses.

    With ``store``: when any text is missing from memory, the whole list is
    looked up on disk first (a read, so it never waits for the gate); what
    had to be encoded is saved there as one block. When more than one text
    is still missing, the encoding runs inside ``gate()`` (a context manager,
    e.g. a corpus slot); the cache is looked at again once inside, so work
    another caller finished meanwhile is not done twice. While another
    caller encodes the same list, this one waits for it (calling
    ``progress``, which may raise to stop waiting) and encodes only if that
    caller stopped short.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    keys = encoder_keys(encoder, texts, prompt, include_prompt)
    block = lookup(cache, keys, store)
    if block is not None:
        return block
    with cache.running.claim(block_key(keys)) as running:
        if running is not None:
            _wait(running, progress)
            block = lookup(cache, keys, store)
            if block is not None:
                return block
        return _encode_missing(encoder, cache, texts, prompt, include_prompt, progress, gate, store, keys)


WAIT_TICK_S = 0.25


def _wait(running: threading.Event, progress: Callable[[float, str], None] | None) -> None:
    """Until ``running`` is set, telling ``progress`` now and then (which may raise to give up).

    A person's turn is yielded meanwhile: the encode waited for may be the start-up work's.
    """
    with turn_yielded():
        while not running.wait(WAIT_TICK_S):
            if progress:
                progress(0.0, "Embedding (already under way for the same texts)")


def _encode_missing(encoder: Encoder, cache: EmbeddingCache, texts: Sequence[str], prompt: str,
                    include_prompt: bool, progress: Callable[[float, str], None] | None,
                    gate: Callable[[], ContextManager] | None, store: VectorStore | None,
                    keys: list[bytes]) -> np.ndarray:
    """``embed_cached``'s encode of what memory lacks (inside ``gate()`` for more than one text), kept in ``store``."""
    found = [cache.get(k) for k in keys]
    missing = [i for i, v in enumerate(found) if v is None]
    if len(missing) > 1 and gate is not None:
        with gate():
            out, encoded = _fill(encoder, cache, texts, prompt, include_prompt, progress, keys)
    else:
        out, encoded = _fill(encoder, cache, texts, prompt, include_prompt, progress, keys, found)
    if encoded and store is not None:
        _to_store(store, keys, out)
    return out


def lookup(cache: EmbeddingCache, keys: list[bytes], store: VectorStore | None = None) -> np.ndarray | None:
    """The vectors under ``keys`` (``float32 [n, dim]``) from memory, else the whole block from
    ``store`` (its rows then put in memory); None when any is missing. Never encodes."""
    found = [cache.get(k) for k in keys]
    missing = [i for i, v in enumerate(found) if v is None]
    if not missing:
        return np.stack(cast("list[np.ndarray]", found)).astype(np.float32, copy=False)
    return _from_store(store, cache, keys, missing) if store is not None else None


def _from_store(store: VectorStore, cache: EmbeddingCache, keys: list[bytes],
                missing: list[int]) -> np.ndarray | None:
    """The whole block from disk (its missing rows put in ``cache``), or None when it is not there."""
    block = store.load(block_key(keys))
    if block is None or block.shape[0] != len(keys):
        return None
    for i in missing:
        cache.put(keys[i], block[i])
    return block


def _to_store(store: VectorStore, keys: list[bytes], vectors: np.ndarray) -> None:
    """Keep ``vectors`` on disk for the next process."""
    try:
        store.save(block_key(keys), vectors)
    except OSError:  # a full or read-only disk costs the next process an encode, not this ranking
        pass


def _fill(encoder: Encoder, cache: EmbeddingCache, texts: Sequence[str], prompt: str, include_prompt: bool,
          progress: Callable[[float, str], None] | None, keys: list[bytes],
          found: list[np.ndarray | None] | None = None) -> tuple[np.ndarray, int]:
    """Encode each distinct missing text once and cache it; (all vectors in order, texts encoded)."""
    if found is None:
        found = [cache.get(k) for k in keys]
    first: dict[bytes, int] = {}
    for i, vec in enumerate(found):
        if vec is None:
            first.setdefault(keys[i], i)
    if first:
        order = list(first.values())
        vecs = encoder.encode([texts[i] for i in order], prompt, include_prompt, progress)
        for i, vec in zip(order, vecs):
            cache.put(keys[i], vec)
            found[i] = vec
        for i, key in enumerate(keys):
            if found[i] is None:
                found[i] = found[first[key]]
    return np.stack(cast("list[np.ndarray]", found)).astype(np.float32, copy=False), len(first)  # all filled
