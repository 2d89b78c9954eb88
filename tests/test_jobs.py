"""Corpus slots and superseded work: who waits, who does not, what stops."""

import threading
import time

import numpy as np
import pytest

from components.cache import EmbeddingCache
from components.engine import Engine
from fake_encoder import HashEncoder
from components.jobs import CorpusSlots, LatestViews, Superseded
from components.setting import Setting


def test_slots_must_be_positive():
    with pytest.raises(ValueError):
        CorpusSlots(0)


def test_a_waiting_job_reports_and_can_be_superseded():
    slots = CorpusSlots(1)
    messages: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold():
        with slots.slot():
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    holding.wait(5)
    calls = {"n": 0}

    def check():
        calls["n"] += 1
        if calls["n"] >= 3:
            raise Superseded()

    with pytest.raises(Superseded):
        with slots.slot(lambda f, m: messages.append(m), check):
            pass
    release.set()
    worker.join(5)
    assert messages and "1 corpus job of other visitors" in messages[0]
    assert slots.waiting == 0 and slots.running == 0
    with slots.slot():  # the slot is free again
        assert slots.running == 1


def test_latest_views_supersede_only_their_own_session():
    views = LatestViews(max_sessions=2)
    a_old = views.note("a", ("m", "passage: "))
    b = views.note("b", ("m", "passage: "))
    views.note("a", ("m", "passage: x"))
    with pytest.raises(Superseded):
        a_old()
    b()  # another session's edit changes nothing for b
    views.note("c", ("m", ""))  # the oldest session is forgotten past the bound
    assert len(views) == 2


class SlowEncoder(HashEncoder):
    """A HashEncoder whose corpus jobs take a while (a query does not)."""

    def encode(self, texts, prompt, include_prompt, progress=None):
        if len(texts) > 1:
            for n in range(5):
                time.sleep(0.1)
                if progress:
                    progress((n + 1) / 5, "batch")
        return super().encode(texts, prompt, include_prompt, progress)


@pytest.fixture
def slow_engine():
    encoders: dict = {}
    return Engine(cache=EmbeddingCache(8 * 1024 * 1024),
                  factory=lambda preset, progress=None: encoders.setdefault(preset.key, SlowEncoder(preset.key)))


def test_a_query_never_waits_for_another_visitors_corpus_job(slow_engine, pets):
    setting = Setting("minilm-offline", "Represent the question: ", "Represent the answer: ")
    slow_engine.explore(pets, setting, "warm")  # documents of this setting cached
    started = threading.Event()

    def corpus_job():
        other = Setting("minilm-offline", "", "A brand new document instruction: ")
        slow_engine.explore(pets, other, "anything", progress=lambda f, m: started.set())

    worker = threading.Thread(target=corpus_job)
    worker.start()
    assert started.wait(5)
    assert slow_engine.slots.running == 1
    t0 = time.perf_counter()
    ex = slow_engine.explore(pets, setting, "Which pet can talk?")
    assert time.perf_counter() - t0 < 0.25  # the corpus job takes 0.5 s per side
    assert slow_engine.slots.running == 1  # it answered while the corpus job ran
    worker.join(5)
    assert ex.instructed.order.shape == (5,)


def test_superseded_corpus_work_stops_between_batches(slow_engine, pets):
    views = LatestViews()
    setting = Setting("minilm-offline", "", "First document instruction: ")
    check = views.note("s", setting.document_instruction)
    seen = []

    def progress(fraction, message):
        seen.append(fraction)
        if len(seen) == 2:
            views.note("s", "A newer document instruction: ")

    with pytest.raises(Superseded):
        slow_engine.explore(pets, setting, "Which pet can talk?", progress=progress, check=check)
    assert len(seen) == 2 and slow_engine.slots.running == 0
    vecs = slow_engine.embed("minilm-offline", pets.texts, "First document instruction: ", True)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)  # nothing half-written was cached
