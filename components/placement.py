"""Place new vectors among fitted ones: a weighted mean of their nearest neighbours' positions.

``NeighbourPlacer`` holds the vectors a 2-D map was fitted on (``[n, dim]``,
unit rows) and their positions (``[n, 2]``). ``place`` puts any vector at
the weighted mean position of its ``k`` nearest fitted vectors by cosine,
weighted as UMAP weighs a point's neighbours when it builds its graph
(``exp(-(d - rho) / sigma)``, see ``bandwidths`` for the one difference). UMAP's own ``transform``
starts from such a weighted mean too, then runs a stochastic optimisation
that this module skips.

Why skip it: that optimisation can put a vector far from where a
near-identical fitted vector sits, so a change that barely moves a vector
could draw a long line. The weighted
mean is smooth: a vector that barely changes barely moves, and one whose
nearest neighbours change moves towards its new neighbours. It is a matrix
product and a sort, milliseconds for hundreds of vectors, with no compiled
code. ``moved`` turns a change of the fitted vectors into positions: each
point keeps its fitted position plus the change of its placement.

It does not fit the map (``components.projection`` does) and draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CHUNK = 512  # vectors placed per matrix product: bounds memory at [512, n]
SIGMA_STEPS = 64  # bisection steps for the bandwidth sigma, as umap's smooth_knn_dist
MIN_K_DIST_SCALE = 1e-3  # umap's floor on sigma, relative to the mean neighbour distance


def bandwidths(distances: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """UMAP's ``(sigma [m], rho [m])`` for sorted neighbour distances ``[m, k]``.

    As ``umap.umap_.smooth_knn_dist`` with ``local_connectivity=1``: ``rho``
    is the nearest distance, and ``sigma`` is found by bisection so that
    ``exp(-max(d - rho, 0) / sigma)`` summed over all but the nearest
    neighbour is ``log2(k)``, floored at ``1e-3`` times the mean distance.
    One difference, on purpose: where the nearest distance is 0 (a vector
    placed on a fitted copy of itself) umap takes the first *non-zero*
    distance as ``rho``, a rule that jumps as a vector comes close to a
    fitted one; here ``rho`` is 0 then, so placement stays continuous and a
    document that barely changes does not move.
    """
    distances = np.maximum(np.asarray(distances, dtype=np.float64), 0.0)
    rho = distances[:, 0]
    excess = np.maximum(distances[:, 1:] - rho[:, None], 0.0)
    target = np.log2(k)
    lo = np.zeros(len(distances))
    hi = np.full(len(distances), np.inf)
    sigma = np.ones(len(distances))
    for _ in range(SIGMA_STEPS):
        too_wide = np.exp(-excess / sigma[:, None]).sum(axis=1) > target
        hi = np.where(too_wide, sigma, hi)
        lo = np.where(too_wide, lo, sigma)
        sigma = np.where(np.isinf(hi), sigma * 2, (lo + hi) / 2)
    return np.maximum(sigma, MIN_K_DIST_SCALE * distances.mean(axis=1)), rho


def neighbour_weights(distances: np.ndarray, k: int) -> np.ndarray:
    """Weights ``[m, k]`` (rows summing to 1) of sorted neighbour distances ``[m, k]``.

    UMAP's membership strengths ``exp(-max(d - rho, 0) / sigma)`` (see
    ``bandwidths``): the nearest neighbour weighs most, far ones little.
    """
    sigma, rho = bandwidths(distances, k)
    weights = np.exp(-np.maximum(np.asarray(distances, dtype=np.float64) - rho[:, None], 0.0) / sigma[:, None])
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class NeighbourPlacer:
    """``vectors``: ``[n, dim]`` fitted vectors (kept as unit rows); ``xy``: their fitted positions ``[n, 2]``."""

    vectors: np.ndarray
    xy: np.ndarray
    k: int = 15
    self_xy: np.ndarray = field(init=False, repr=False)  # place(vectors): where the fitted points land

    def __post_init__(self) -> None:
        if self.vectors.shape[0] != self.xy.shape[0]:
            raise ValueError(f"{self.vectors.shape[0]} vectors but {self.xy.shape[0]} positions")
        unit = np.asarray(self.vectors, dtype=np.float32)
        object.__setattr__(self, "vectors", unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12))
        object.__setattr__(self, "self_xy", self.place(self.vectors))

    def place(self, vectors: np.ndarray) -> np.ndarray:
        """Positions ``[m, 2]`` of ``vectors`` (``[m, dim]``; compared by cosine)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        k = min(self.k, self.vectors.shape[0])
        out = np.empty((vectors.shape[0], 2), dtype=np.float64)
        for start in range(0, vectors.shape[0], CHUNK):
            sims = vectors[start:start + CHUNK] @ self.vectors.T  # [chunk, n] cosines
            near = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # the k nearest, in no order
            near_sims = np.take_along_axis(sims, near, axis=1)
            order = np.argsort(-near_sims, axis=1, kind="stable")
            near = np.take_along_axis(near, order, axis=1)
            dist = np.maximum(1.0 - np.take_along_axis(near_sims, order, axis=1).astype(np.float64), 0.0)
            weights = neighbour_weights(dist, k)
            out[start:start + len(near)] = np.einsum("mk,mkd->md", weights, self.xy[near])
        return out

    def moved(self, vectors: np.ndarray) -> np.ndarray:
        """Positions ``[n, 2]`` of the fitted points after each changed to the same row of ``vectors``.

        Each point starts at its fitted position and moves by how much its
        placement changed, so an unchanged vector stays where it was.
        """
        if np.shape(vectors)[0] != self.xy.shape[0]:
            raise ValueError(f"{np.shape(vectors)[0]} vectors for {self.xy.shape[0]} fitted points")
        return self.xy + self.place(vectors) - self.self_xy
