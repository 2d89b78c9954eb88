"""Maps that do not wait for UMAP's compilation: an interim principal-component frame, then UMAP."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from components import frames as frames_mod
from components.frames import INTERIM, InterimFrame, LiveFrameCache, interim_frame
from components.mapview import map_data, map_figure
from components.setting import default_setting


@pytest.fixture
def slow_umap(monkeypatch):
    """UMAP not yet compiled in this process; its compilation waits for ``release.set()``."""
    release = threading.Event()
    ready = threading.Event()
    real = frames_mod.prepare_umap

    def prepare():
        assert release.wait(60)
        real()
        ready.set()

    monkeypatch.setattr(frames_mod, "_ready", ready)
    monkeypatch.setattr(frames_mod, "prepare_umap", prepare)
    return release


def _vectors(n: int = 40, dim: int = 16) -> np.ndarray:
    v = np.random.default_rng(3).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_interim_frame_is_deterministic_and_places_its_own_points_where_it_drew_them():
    base = _vectors()
    a, b = interim_frame(base), interim_frame(base.copy())
    np.testing.assert_array_equal(a.base_xy, b.base_xy)
    np.testing.assert_allclose(a.place(base), a.base_xy, atol=1e-5)
    assert a.method == INTERIM and a.base_xy.shape == (40, 2)


def test_a_new_map_is_answered_at_once_and_replaced_when_umap_is_ready(slow_umap):
    cache, base = LiveFrameCache(), _vectors()
    t0 = time.perf_counter()
    first = cache.frame(("m", "c"), base)
    assert isinstance(first, InterimFrame) and time.perf_counter() - t0 < 1.0  # no compile waited for
    assert cache.frame(("m", "c"), base) is first  # one interim frame, one background fit
    assert cache.has_frame(("m", "c"))  # the page need not say "fitting" again: a frame answers at once
    edited = _vectors() + 0.01  # the fitted documents, changed by an instruction
    np.testing.assert_allclose(cache.placed(("m", "c", "p: "), first, edited), first.place(edited))
    assert not cache.has_placed(("m", "c", "p: "))  # interim positions are never kept
    slow_umap.set()
    cache.wait(120)
    assert cache.has_frame(("m", "c"))
    final = cache.frame(("m", "c"), base)
    assert final.method == "umap"
    assert cache.placed(("m", "c", "p: "), final, edited).shape == (40, 2)  # every fitted document, moved


def test_once_umap_is_ready_it_is_a_plain_frame_cache(monkeypatch):
    ready = threading.Event()
    ready.set()
    monkeypatch.setattr(frames_mod, "_ready", ready)
    monkeypatch.setattr(frames_mod, "prepare_umap", lambda: pytest.fail("nothing to prepare"))
    cache = LiveFrameCache()
    assert cache.frame("k", _vectors()).method == "umap"
    assert cache.frame("few", _vectors(5)).method == "pca"  # too few points for UMAP, as before


def test_prepare_umap_compiles_once_and_says_so(monkeypatch):
    monkeypatch.setattr(frames_mod, "_ready", threading.Event())
    assert not frames_mod.umap_ready()
    frames_mod.prepare_umap()
    assert frames_mod.umap_ready()


def test_the_first_map_is_drawn_with_the_first_ranking_and_says_what_it_is(fake_engine, pets, slow_umap):
    from components.corpora import load_sample

    corpus = load_sample("debian_faq")
    ex = fake_engine.explore(corpus, default_setting(corpus.task, "minilm-offline"), corpus.example_queries()[0])
    cache = LiveFrameCache()
    data = map_data(ex, cache)
    assert data.method == INTERIM and data.xy.shape == (len(corpus.documents), 2)
    assert "UMAP is being prepared" in map_figure(data).layout.title.text
    slow_umap.set()
    cache.wait(120)
    assert map_data(ex, cache).method == "umap"
