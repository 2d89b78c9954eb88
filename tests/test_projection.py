"""The map frame: deterministic, stable under edits, fine with tiny corpora."""

import numpy as np
import pytest

from components.projection import MIN_UMAP_POINTS, FrameCache, fit_frame


def _unit(rng, n, dim=16):
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 2, 3, 5, MIN_UMAP_POINTS - 1])
def test_small_corpora_use_pca_and_still_place_points(n):
    rng = np.random.default_rng(0)
    frame = fit_frame(_unit(rng, n))
    assert frame.method == "pca" and frame.base_xy.shape == (n, 2)
    assert np.isfinite(frame.place(_unit(rng, 2))).all()


def test_umap_frame_is_deterministic_and_places_new_points():
    rng = np.random.default_rng(1)
    docs = _unit(rng, 40)
    a, b = fit_frame(docs), fit_frame(docs)
    assert a.method == "umap"
    np.testing.assert_allclose(a.base_xy, b.base_xy)
    q = _unit(rng, 2)
    np.testing.assert_allclose(a.place(q), b.place(q))
    assert a.place(q).shape == (2, 2)


def test_frames_are_fitted_once_per_key():
    rng = np.random.default_rng(2)
    docs = _unit(rng, 12)
    cache = FrameCache()
    f1 = cache.frame(("m", "corpus"), docs)
    f2 = cache.frame(("m", "corpus"), _unit(rng, 12))  # same key: the first fit is kept
    assert f1 is f2
    placed = cache.placed(("m", "corpus", "p"), f1, docs)
    assert cache.placed(("m", "corpus", "p"), f1, docs) is placed


def test_empty_input_is_refused():
    with pytest.raises(ValueError):
        fit_frame(np.zeros((0, 4), dtype=np.float32))
