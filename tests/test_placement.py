"""Neighbour placement: UMAP's neighbour weights, smooth placement, anchored moves."""

import numpy as np
import pytest

from components.placement import NeighbourPlacer, bandwidths, neighbour_weights


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bandwidths_equal_umaps(seed):
    from umap.umap_ import smooth_knn_dist

    rng = np.random.default_rng(seed)
    dist = np.sort(rng.uniform(0.05, 0.6, (20, 15)), axis=1)
    sigma, rho = bandwidths(dist, 15)
    want_sigma, want_rho = smooth_knn_dist(dist.astype(np.float32), 15.0, local_connectivity=1.0)
    np.testing.assert_allclose(rho, want_rho, rtol=1e-6)
    np.testing.assert_allclose(sigma, want_sigma, rtol=1e-3)


def test_a_zero_distance_keeps_rho_zero():
    """Unlike umap's first non-zero distance: no jump as a vector reaches a fitted copy of itself."""
    dist = np.array([[0.0, 0.1, 0.2, 0.3], [1e-9, 0.1, 0.2, 0.3]])
    sigma, rho = bandwidths(dist, 4)
    assert rho[0] == 0.0 and sigma[0] == pytest.approx(sigma[1], rel=1e-6)


def test_placement_is_continuous_at_a_fitted_vector():
    rng = np.random.default_rng(5)
    vectors = _unit(rng.standard_normal((40, 4)) @ rng.standard_normal((4, 16)) + 0.3 * rng.standard_normal((40, 16)))
    xy = rng.uniform(0, 10, (40, 2))
    placer = NeighbourPlacer(vectors, xy, k=10)
    nudged = _unit(vectors + 1e-3 * rng.standard_normal(vectors.shape))
    assert np.abs(placer.place(nudged) - placer.place(vectors)).max() < 0.05  # of a map 10 wide


def test_weights_sum_to_one_and_favour_the_nearest():
    dist = np.array([[0.1, 0.2, 0.4, 0.8]])
    w = neighbour_weights(dist, 4)
    assert w.sum() == pytest.approx(1.0) and (np.diff(w[0]) < 0).all()


def test_unchanged_points_stay_where_they_were_fitted():
    rng = np.random.default_rng(3)
    vectors = _unit(rng.standard_normal((30, 8)))
    xy = rng.standard_normal((30, 2))
    placer = NeighbourPlacer(vectors, xy, k=5)
    np.testing.assert_allclose(placer.moved(vectors), xy, atol=1e-6)
    assert placer.place(vectors[:3]).shape == (3, 2)
    with pytest.raises(ValueError):
        placer.moved(vectors[:3])


def test_placement_is_smooth_and_follows_the_neighbours():
    rng = np.random.default_rng(4)
    centres = _unit(rng.standard_normal((2, 16)))
    vectors = _unit(np.repeat(centres, 20, axis=0) + 0.05 * rng.standard_normal((40, 16)))
    xy = np.repeat([[0.0, 0.0], [10.0, 0.0]], 20, axis=0) + 0.1 * rng.standard_normal((40, 2))
    placer = NeighbourPlacer(vectors, xy, k=10)
    a = vectors[:1]
    nudged = _unit(a + 1e-3 * rng.standard_normal(a.shape))
    assert np.linalg.norm(placer.place(nudged) - placer.place(a)) < 0.05
    assert placer.place(centres[1:])[0, 0] > 9.0  # a vector of the other cluster lands there
