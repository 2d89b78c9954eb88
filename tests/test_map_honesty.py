"""The map-honesty benchmark's measure of a neighbourhood change (the benchmark itself runs real models)."""

import numpy as np

from benchmarks import map_honesty


def _unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_neighbourhood_change():
    rng = np.random.default_rng(0)
    base = _unit(rng.standard_normal((20, 8)))
    assert (map_honesty.neighbourhood_change(base, base, base, k=5) == 0).all()
    far = -base  # the opposite vector has the opposite neighbours
    assert (map_honesty.neighbourhood_change(base, base, far, k=5) == 1).all()
