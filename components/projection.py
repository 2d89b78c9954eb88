"""Place embedding vectors on a stable 2-D map.

A ``Frame`` is fitted once per (model, corpus) on the *baseline* document
vectors (no instruction); instructed documents and both query vectors are then
placed into that same frame. Why not refit on every edit: a joint UMAP fit of
600 vectors costs about a second warm (much more cold, when numba compiles),
and a new fit moves every point, so the picture would jump on each keystroke.

How new vectors are placed (``components.placement``): at the weighted mean
position of their nearest baseline documents, with UMAP's neighbour weights,
and a document's move (``Frame.moved``) is drawn from its fitted position by
how much that placement changed. So a change that keeps every vector among
the same neighbours (a prefix that moves every vector alike) draws short
lines, and one that changes a text's neighbours draws a line towards its new
neighbours. ``UMAP.transform`` is not used: its stochastic optimisation can
put a document that a prefix barely changed far from where it was fitted,
which drew long lines for changes that move nothing
(``benchmarks/map_honesty.py`` measures both).

UMAP needs neighbours: below ``MIN_UMAP_POINTS`` documents the frame is the
first two principal components instead, and says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Hashable

import numpy as np

from components.placement import NeighbourPlacer

MIN_UMAP_POINTS = 10
SEED = 42


@dataclass(frozen=True)
class Frame:
    """A fitted 2-D frame. ``base_xy``: ``[n_docs, 2]`` positions of the fitted vectors."""

    method: str  # "umap" or "pca"
    base_xy: np.ndarray
    model: Any  # a NeighbourPlacer over the fitted vectors, or (mean [dim], components [2, dim]) for PCA

    def place(self, vectors: np.ndarray) -> np.ndarray:
        """Positions ``[m, 2]`` of ``vectors`` (``[m, dim]``) in this frame."""
        vectors = np.atleast_2d(vectors).astype(np.float32)
        if self.method == "pca":
            mean, comps = self.model
            return ((vectors - mean) @ comps.T).astype(np.float64)
        return self.model.place(vectors)

    def moved(self, vectors: np.ndarray) -> np.ndarray:
        """Positions ``[n_docs, 2]`` of the fitted documents once changed to ``vectors`` (``[n_docs, dim]``).

        Each document is drawn at its fitted position plus the change of its
        placement, so an unchanged vector does not move (for PCA, a linear
        map, this is ``place``).
        """
        vectors = np.atleast_2d(vectors).astype(np.float32)
        if self.method == "pca":
            return self.place(vectors)
        return self.model.moved(vectors)


def _pca(vectors: np.ndarray) -> Frame:
    mean = vectors.mean(axis=0)
    centered = vectors - mean
    # SVD of a tiny matrix; pad to two components when there are fewer points
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    comps = np.zeros((2, vectors.shape[1]), dtype=np.float32)
    comps[: min(2, vt.shape[0])] = vt[:2]
    signs = np.sign(comps.sum(axis=1, keepdims=True))  # fix SVD's sign ambiguity
    comps = comps * np.where(signs == 0, 1, signs)
    return Frame("pca", (centered @ comps.T).astype(np.float64), (mean, comps))


def make_reducer(n_docs: int, seed: int = SEED) -> Any:
    """The ``umap.UMAP`` a frame of ``n_docs`` (at least ``MIN_UMAP_POINTS``) is fitted with."""
    import umap  # heavy (numba): imported on first map only

    return umap.UMAP(n_neighbors=min(15, n_docs - 1), n_components=2, metric="cosine",
                     random_state=seed, n_jobs=1, min_dist=0.1)


def fit_frame(base_docs: np.ndarray, seed: int = SEED) -> Frame:
    """Fit a frame on baseline document vectors ``[n_docs, dim]``; deterministic."""
    base_docs = np.asarray(base_docs, dtype=np.float32)
    if base_docs.ndim != 2 or base_docs.shape[0] == 0:
        raise ValueError("the map needs at least one document vector")
    if base_docs.shape[0] < MIN_UMAP_POINTS:
        return _pca(base_docs)
    reducer = make_reducer(base_docs.shape[0], seed)
    xy = np.asarray(reducer.fit_transform(base_docs), dtype=np.float64)
    return Frame("umap", xy, NeighbourPlacer(base_docs, xy, reducer.n_neighbors))


class FrameCache:
    """Small LRU of fitted frames and placed point sets, shared by sessions."""

    def __init__(self, max_frames: int = 16, max_placements: int = 128) -> None:
        self._frames: OrderedDict[Hashable, Frame] = OrderedDict()
        self._placed: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._max = (max_frames, max_placements)
        self._lock = threading.Lock()
        self._fit_locks: dict[Hashable, threading.Lock] = {}  # only while a key's frame is being fitted

    @staticmethod
    def _lru_get(store: OrderedDict, key: Hashable) -> Any:
        value = store.get(key)
        if value is not None:
            store.move_to_end(key)
        return value

    @staticmethod
    def _lru_put(store: OrderedDict, key: Hashable, value: Any, limit: int) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > limit:
            store.popitem(last=False)

    def has_frame(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._frames

    def has_placed(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._placed

    def frame(self, key: Hashable, base_docs: np.ndarray) -> Frame:
        """The frame for ``key`` (e.g. (model, corpus fingerprint)), fitted once."""
        with self._lock:
            found = self._lru_get(self._frames, key)
            if found is not None:
                return found
            fit_lock = self._fit_locks.setdefault(key, threading.Lock())
        with fit_lock:
            with self._lock:
                found = self._lru_get(self._frames, key)
            if found is None:
                found = fit_frame(base_docs)
                with self._lock:
                    self._lru_put(self._frames, key, found, self._max[0])
                    self._fit_locks.pop(key, None)  # later callers find the frame (or fit anew if it was evicted)
        return found

    def placed(self, key: Hashable, frame: Frame, vectors: np.ndarray) -> np.ndarray:
        """``frame.moved(vectors)`` (the fitted documents, changed), remembered under ``key`` (e.g. the prompt)."""
        with self._lock:
            found = self._lru_get(self._placed, key)
        if found is None:
            found = frame.moved(vectors)
            with self._lock:
                self._lru_put(self._placed, key, found, self._max[1])
        return found
