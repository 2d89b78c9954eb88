"""Maps that never wait for UMAP's compilation: a principal-component frame until UMAP is ready.

UMAP runs on numba, which compiles its code the first time a process fits a
map: 13 to 26 s on two cores (``benchmarks/results/latency.json``, ``umap``).
``LiveFrameCache`` is a ``components.projection.FrameCache`` that, while
UMAP is not yet compiled in this process, answers a new (model, corpus) at
once with an ``InterimFrame`` (the first two principal components of the
baseline vectors, which the map's title names as such) and fits the UMAP
frame in a low-priority background thread; the next update of the page
draws it. Once UMAP is ready (``umap_ready``) it behaves exactly like
``FrameCache``. ``prepare_umap`` compiles UMAP ahead of any request (the
start-up work calls it).

An interim frame's placements are computed on every call (a matrix product
of ``[n, dim]`` by ``[dim, 2]``) and never cached, so no position in the
principal-component frame is ever drawn in the UMAP frame that replaces it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Hashable

import numpy as np

from components.projection import MIN_UMAP_POINTS, SEED, Frame, FrameCache

INTERIM = "pca-interim"  # Frame.method of a frame shown while UMAP compiles

_ready = threading.Event()
_prepare_lock = threading.Lock()


def umap_ready() -> bool:
    """True once this process has fitted and applied a UMAP (numba's code is compiled or loaded)."""
    return _ready.is_set()


def prepare_umap() -> None:
    """Compile UMAP's fit and transform on a small random set (once per process; blocks meanwhile)."""
    with _prepare_lock:
        if _ready.is_set():
            return
        import umap

        points = np.random.default_rng(SEED).standard_normal((64, 16)).astype(np.float32)
        reducer = umap.UMAP(n_neighbors=15, n_components=2, metric="cosine", random_state=SEED,
                            n_jobs=1, min_dist=0.1)
        reducer.fit_transform(points)
        reducer.transform(points[:2])
        _ready.set()


@dataclass(frozen=True)
class InterimFrame(Frame):
    """The first two principal components, standing in while UMAP compiles. ``model``: (mean, comps)."""

    def place(self, vectors: np.ndarray) -> np.ndarray:
        mean, comps = self.model
        return ((np.atleast_2d(vectors).astype(np.float32) - mean) @ comps.T).astype(np.float64)

    def moved(self, vectors: np.ndarray) -> np.ndarray:
        """The fitted documents changed to ``vectors``: for a linear map, where they are placed."""
        return self.place(vectors)


def interim_frame(base_docs: np.ndarray) -> InterimFrame:
    """Principal components of ``base_docs`` (``[n, dim]``), signs fixed so the frame is deterministic."""
    vectors = np.asarray(base_docs, dtype=np.float32)
    mean = vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors - mean, full_matrices=False)
    comps = np.zeros((2, vectors.shape[1]), dtype=np.float32)
    comps[: min(2, vt.shape[0])] = vt[:2]
    signs = np.sign(comps.sum(axis=1, keepdims=True))
    comps = comps * np.where(signs == 0, 1, signs)
    return InterimFrame(INTERIM, ((vectors - mean) @ comps.T).astype(np.float64), (mean, comps))


def _lowest_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


class LiveFrameCache(FrameCache):
    """A ``FrameCache`` that shows an interim frame instead of waiting for UMAP to compile."""

    def __init__(self, max_frames: int = 16, max_placements: int = 128) -> None:
        super().__init__(max_frames, max_placements)
        self._interim: dict[Hashable, InterimFrame] = {}
        self._fitting: dict[Hashable, threading.Thread] = {}
        self._live_lock = threading.Lock()

    def has_frame(self, key: Hashable) -> bool:
        """True when ``frame(key, ...)`` answers at once (a fitted frame, or an interim one)."""
        with self._live_lock:
            if key in self._interim:
                return True
        return super().has_frame(key)

    def frame(self, key: Hashable, base_docs: np.ndarray) -> Frame:
        if umap_ready() or super().has_frame(key) or np.asarray(base_docs).shape[0] < MIN_UMAP_POINTS:
            return super().frame(key, base_docs)
        with self._live_lock:
            found = self._interim.get(key)
            if found is None:
                found = self._interim[key] = interim_frame(base_docs)
                self._fitting[key] = thread = threading.Thread(
                    target=self._fit_later, args=(key, np.array(base_docs)), name="umap-fit", daemon=True)
                thread.start()
        return found

    def _fit_later(self, key: Hashable, base_docs: np.ndarray) -> None:
        _lowest_priority()
        try:
            prepare_umap()
            super().frame(key, base_docs)
        finally:
            with self._live_lock:
                self._interim.pop(key, None)
                self._fitting.pop(key, None)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background fits started so far (tests, benchmarks)."""
        with self._live_lock:
            threads = list(self._fitting.values())
        for thread in threads:
            thread.join(timeout)

    def placed(self, key: Hashable, frame: Frame, vectors: np.ndarray) -> np.ndarray:
        if isinstance(frame, InterimFrame):
            return frame.moved(vectors)  # cheap, and never to be mistaken for a UMAP placement
        return super().placed(key, frame, vectors)
