"""Start-up work: the default ranking and map first, then the models to prepare, then every offline default."""

from __future__ import annotations

import pytest

from components.app import warmup
from components.corpora import load_sample
from components.engine import Exploration
from components.models import DEFAULT_MODEL, get_model
from components.projection import FrameCache
from components.tasks import TASKS


@pytest.fixture
def no_warm_models(monkeypatch):
    """Only the default ranking and the preparation (fast tests of the first steps)."""
    monkeypatch.setattr(warmup, "WARM_MODELS", ())


def test_warmup_ranks_maps_then_prepares_models_and_reports_ready(fake_engine, monkeypatch):
    events = []
    real_explore = fake_engine.explore

    def explore(*args, **kwargs):
        events.append("explore")
        return real_explore(*args, **kwargs)

    monkeypatch.setattr(fake_engine, "explore", explore)
    monkeypatch.setattr(warmup, "resolve", lambda preset: events.append(("prepare", preset.key)))
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    frames = FrameCache()
    warmup.start(fake_engine, frames).join(timeout=300)
    assert warmup.status()["phase"] == "ready"
    n_warm = len(warmup.WARM_MODELS) * len(TASKS)
    assert events == ["explore"] + [("prepare", key) for key in warmup.PREPARE] + ["explore"] * n_warm
    assert warmup.status()["warmed"] == n_warm
    task = warmup.get_task(warmup.DEFAULT_TASK)
    assert frames.has_frame((DEFAULT_MODEL, warmup.page_corpus(task.corpus, None, task.key).fingerprint))


def test_warmup_embeds_every_offline_default_with_and_without_instructions_and_maps_it(
        fake_engine, fake_encoders, monkeypatch):
    monkeypatch.setattr(warmup, "resolve", lambda preset: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    frames = FrameCache()
    warmup.start(fake_engine, frames).join(timeout=300)
    assert set(warmup.WARM_MODELS) == {"minilm-offline", "e5-small-offline"}
    for model_key in warmup.WARM_MODELS:
        calls = fake_encoders[model_key].calls
        for task in TASKS:
            corpus = load_sample(task.corpus)
            setting = warmup.default_setting(task.key, model_key)
            assert setting.document_instruction == task.instructions_for(get_model(model_key)).document
            before = len(calls)  # corpora share texts (the mixed one): ask the cache, not the call sizes
            for instructed in (False, True):
                fake_engine.doc_vectors(corpus, setting, instructed)
            assert len(calls) == before  # embedded with and without instructions already
            assert frames.has_frame((model_key, corpus.fingerprint))


def test_a_failed_preparation_leaves_the_page_ready(fake_engine, monkeypatch, no_warm_models):
    def fail(preset):
        raise RuntimeError("no package")

    monkeypatch.setattr(warmup, "resolve", fail)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    warmup.start(fake_engine, FrameCache()).join(timeout=120)
    assert warmup.status() == {**warmup.status(), "phase": "ready", "error": ""}


def test_a_failed_start_is_reported(fake_engine, monkeypatch, no_warm_models):
    def broken(*args, **kwargs) -> Exploration:
        raise ValueError("weights missing")

    monkeypatch.setattr(fake_engine, "explore", broken)
    monkeypatch.setattr(warmup, "resolve", lambda preset: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    warmup.start(fake_engine, FrameCache()).join(timeout=120)
    assert warmup.status()["phase"] == "failed"
    assert "weights missing" in warmup.status()["error"]


def test_warmup_encodes_as_a_background_job_on_a_low_priority_thread(fake_engine, monkeypatch, no_warm_models):
    import os

    from components import turns

    seen = {}
    real_explore = fake_engine.explore

    def explore(*args, **kwargs):
        seen["background"] = getattr(turns._local, "background", False)
        if hasattr(os, "getpriority"):
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, warmup.threading.get_native_id())
        return real_explore(*args, **kwargs)

    monkeypatch.setattr(fake_engine, "explore", explore)
    monkeypatch.setattr(warmup, "resolve", lambda preset: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    warmup.start(fake_engine, FrameCache()).join(timeout=120)
    assert seen["background"] is True
    assert seen.get("nice", 19) == 19
    assert getattr(turns._local, "background", False) is False  # this thread is untouched


def test_the_start_up_steps_wait_while_a_persons_corpus_job_runs(fake_engine, fake_encoders, monkeypatch,
                                                                 no_warm_models):
    """A model load, UMAP's compile and a conversion start only when no person's corpus job runs."""
    import threading

    from components.turns import counting

    steps: list[str] = []
    monkeypatch.setattr(warmup, "warm_models", lambda: ("e5-small-offline",))
    monkeypatch.setattr(warmup, "prepare_umap", lambda: steps.append("umap"))
    monkeypatch.setattr(warmup, "resolve", lambda preset: steps.append("convert"))
    monkeypatch.setattr(warmup, "warm_all", lambda engine, frames: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    real_encoder, job_ended = fake_engine.encoder, threading.Event()

    def encoder(key, *args, **kwargs):
        if key == "e5-small-offline":
            steps.append("load e5" + (" after the job" if job_ended.is_set() else ""))
        return real_encoder(key, *args, **kwargs)

    monkeypatch.setattr(fake_engine, "encoder", encoder)
    with counting("foreground"):  # a person's corpus job, on any model
        thread = warmup.start(fake_engine, FrameCache())
        thread.join(1.0)
        assert thread.is_alive() and "umap" not in steps and "load e5" not in steps
        job_ended.set()
    thread.join(120)
    assert steps == ["load e5 after the job", "umap", "convert"]


def test_the_models_to_warm_can_be_chosen_or_turned_off(monkeypatch):
    monkeypatch.delenv(warmup.WARM_MODELS_ENV, raising=False)
    assert warmup.warm_models() == warmup.WARM_MODELS
    monkeypatch.setenv(warmup.WARM_MODELS_ENV, " e5-small-offline ,")
    assert warmup.warm_models() == ("e5-small-offline",)
    monkeypatch.setenv(warmup.WARM_MODELS_ENV, "")
    assert warmup.warm_models() == ()


def test_every_warm_model_is_loaded_before_umap_compiles(fake_engine, fake_encoders, monkeypatch, no_warm_models):
    seen = []
    monkeypatch.setattr(warmup, "warm_models", lambda: ("minilm-offline", "e5-small-offline"))
    monkeypatch.setattr(warmup, "prepare_umap", lambda: seen.append(sorted(fake_encoders)))
    monkeypatch.setattr(warmup, "warm_all", lambda engine, frames: None)  # tested above
    monkeypatch.setattr(warmup, "resolve", lambda preset: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    warmup.start(fake_engine, FrameCache()).join(timeout=300)
    assert seen == [sorted({DEFAULT_MODEL, "e5-small-offline", "minilm-offline"})]  # the default, then the others


def test_after_a_restart_the_warmup_loads_the_default_model_although_its_ranking_was_on_disk(
        tmp_path, monkeypatch, no_warm_models):
    """The default ranking read from the store loads no model; the warm-up loads it anyway, so the
    first query a person types does not wait for it."""
    from components.engine import Engine
    from components.model_facts import FactsBook
    from components.store import VectorStore
    from fake_encoder import HashEncoder

    folder = tmp_path / "model"
    folder.mkdir()
    loads: list = []

    def engine():
        def factory(preset, progress=None, precision="fp32"):
            loads.append(preset.key)
            return HashEncoder(preset.key)  # computes in float32 only: the engine is forced to it

        return Engine(factory=factory, store=VectorStore(tmp_path / "vectors"), precision="fp32",
                      facts=FactsBook(tmp_path / "facts", resolve=lambda p: folder))

    monkeypatch.setattr(warmup, "resolve", lambda preset: None)
    monkeypatch.setattr(warmup, "_STATE", {"phase": "not started", "error": "", "seconds": 0.0})
    warmup.start(engine(), FrameCache()).join(timeout=300)
    restarted = engine()
    loads.clear()
    task = warmup.get_task(warmup.DEFAULT_TASK)
    corpus = warmup.page_corpus(task.corpus, None, task.key)  # the default page's view
    restarted.explore(corpus, warmup.default_setting(task.key, DEFAULT_MODEL), corpus.example_queries()[0])
    assert loads == []  # the default ranking came from the disk
    warmup.start(restarted, FrameCache()).join(timeout=300)
    assert loads == [DEFAULT_MODEL] and warmup.status()["phase"] == "ready"
