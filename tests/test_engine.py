"""The engine with a fake encoder: baseline untouched, only what changed is encoded."""

import numpy as np
import pytest

from components.engine import Engine, Setting
from components.errors import LensError


def test_baseline_uses_no_prompt_and_instructed_uses_the_templates(fake_engine, fake_encoders, pets):
    s = Setting("e5-large-instruct", "Find the pet", "", True)
    ex = fake_engine.explore(pets, s, "Which pet can talk?")
    prompts = {p for _, p, _ in fake_encoders["e5-large-instruct"].calls}
    assert prompts == {"", "Instruct: Find the pet\nQuery: "}
    enc = fake_encoders["e5-large-instruct"]
    np.testing.assert_allclose(ex.base_query, enc.encode(["Which pet can talk?"], "", True)[0])
    np.testing.assert_allclose(ex.query, enc.encode(["Which pet can talk?"], "Instruct: Find the pet\nQuery: ", True)[0])
    assert ex.relevant == {"d4": 2}


def test_baseline_is_untouched_by_instructions(fake_engine, pets):
    a = fake_engine.explore(pets, Setting("minilm-offline", "query: ", "passage: "), "a pet that talks")
    b = fake_engine.explore(pets, Setting("minilm-offline", "something else entirely: ", "", False), "a pet that talks")
    np.testing.assert_array_equal(a.baseline.order, b.baseline.order)
    np.testing.assert_array_equal(a.base_docs, b.base_docs)
    assert not np.allclose(a.query, b.query)


def test_query_edit_encodes_only_the_query(fake_engine, fake_encoders, pets):
    fake_engine.explore(pets, Setting("minilm-offline", "q1: ", "d: "), "talking pet")
    enc = fake_encoders["minilm-offline"]
    before = len(enc.calls)
    fake_engine.explore(pets, Setting("minilm-offline", "q2: ", "d: "), "talking pet")
    assert enc.calls[before:] == [(1, "q2: ", True)]


def test_document_edit_reencodes_the_corpus_once(fake_engine, fake_encoders, pets):
    fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d1: "), "talking pet")
    enc = fake_encoders["minilm-offline"]
    before = len(enc.calls)
    fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d2: "), "talking pet")
    assert enc.calls[before:] == [(5, "d2: ", True)]
    fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d1: "), "talking pet")  # revisit: cached
    assert len(enc.calls) == before + 1


def test_pooling_switch_reaches_the_encoder(fake_engine, fake_encoders, pets):
    a = fake_engine.explore(pets, Setting("instructor-base", "Represent the pet question: ", "", False), "talk")
    b = fake_engine.explore(pets, Setting("instructor-base", "Represent the pet question: ", "", True), "talk")
    assert not np.allclose(a.query, b.query)
    assert (1, "Represent the pet question: ", False) in fake_encoders["instructor-base"].calls


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_clear_error(fake_engine, pets, query):
    with pytest.raises(LensError, match="Type a query"):
        fake_engine.explore(pets, Setting("minilm-offline"), query)


def test_very_long_query_is_clipped_and_noted(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: "), "word " * 20_000)
    assert any("reads the first" in n for n in ex.notes)


@pytest.mark.parametrize("n_docs", [1, 2, 3])
def test_tiny_corpora_rank(fake_engine, pets, n_docs):
    from components.corpora import Corpus

    tiny = Corpus("tiny", "Tiny", pets.documents[:n_docs])
    ex = fake_engine.explore(tiny, Setting("minilm-offline", "q: ", "d: "), "pet")
    assert sorted(ex.instructed.order.tolist()) == list(range(n_docs))


def test_a_huge_instruction_is_clipped_and_noted(fake_engine, fake_encoders, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "represent " * 20_000, ""), "talking pet")
    assert any("query instruction alone" in n for n in ex.notes)
    longest = max(len(p) for _, p, _ in fake_encoders["minilm-offline"].calls)
    assert longest <= fake_encoders["minilm-offline"].token_limit() * 50


@pytest.mark.parametrize("query", ["\x00\x07 control", "emoji 🐍🔥 query", "مرحبا بالعالم mixed עברית", "\u202eRTL override"])
def test_strange_characters_rank(fake_engine, pets, query):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), query)
    assert np.isfinite(ex.instructed.scores).all()


def test_concurrent_callers_encode_a_corpus_once(fake_engine, fake_encoders, pets):
    import threading

    from fake_encoder import HashEncoder

    slow = HashEncoder("minilm-offline")
    original = slow.encode

    def slow_encode(*args, **kwargs):
        import time

        time.sleep(0.2)
        return original(*args, **kwargs)

    slow.encode = slow_encode
    fake_encoders["minilm-offline"] = slow
    threads = [threading.Thread(target=fake_engine.doc_vectors, args=(pets, Setting("minilm-offline", "", "d: "), True))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [c for c in slow.calls if c[1] == "d: "] == [(5, "d: ", True)]


def test_a_model_asked_for_by_many_at_once_is_loaded_once():
    """The start-up thread and visitors asking for one model while it loads share one load."""
    import threading
    import time

    from fake_encoder import HashEncoder

    loads: list = []

    def factory(preset, progress=None):
        loads.append(preset.key)
        time.sleep(0.2)  # a load long enough for every caller to arrive during it
        if len(loads) == 1 and preset.key == "e5-small-offline":
            raise RuntimeError("the first E5 load fails")
        return HashEncoder(preset.key)

    engine = Engine(factory=factory)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(engine.encoder("minilm-offline"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["minilm-offline"] and len(got) == 4 and all(e is got[0] for e in got)

    loads.clear()
    with pytest.raises(RuntimeError):
        engine.encoder("e5-small-offline")
    assert engine.encoder("e5-small-offline") is engine.encoder("e5-small-offline")  # a failed load is retried
    assert loads == ["e5-small-offline", "e5-small-offline"]


def test_pooling_switch_without_prompt_reuses_the_baseline(fake_engine, fake_encoders, pets):
    fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: ", True), "pet")
    enc = fake_encoders["minilm-offline"]
    before = len(enc.calls)
    fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: ", False), "pet")
    assert all(prompt for _, prompt, _ in enc.calls[before:])  # no baseline re-encoding


def test_one_precision_per_model_and_precisions_never_share_vectors(pets):
    """Two engines in different precisions over one cache: each encodes its own vectors."""
    from components.cache import EmbeddingCache
    from fake_encoder import HashEncoder
    from components.setting import default_setting

    made: dict = {}

    def factory(preset, progress=None, precision="fp32"):
        enc = made.setdefault((preset.key, precision), HashEncoder(preset.key))
        enc.precision = precision
        return enc

    shared = EmbeddingCache()
    setting = default_setting("qa", "minilm-offline")
    for precision in ("fp32", "bf16"):
        engine = Engine(cache=shared, factory=factory, precision=precision)
        engine.explore(pets, setting, "Which pet can talk?")
        assert engine.precision("minilm-offline", pets) == precision
        assert made[("minilm-offline", precision)].calls  # nothing was served from the other precision


def test_a_model_has_one_precision_per_corpus_for_documents_and_queries(monkeypatch, pets):
    """bfloat16 only on a guarded sample corpus; its queries follow its documents."""
    from components import precision as prec
    from components.corpora import load_sample
    from components.models import get_model
    from components.setting import default_setting

    monkeypatch.setattr(prec, "machine_detection", lambda: prec.Detection(prec.BF16, "test"))
    seen: list = []

    class Twin:
        def __init__(self, precision):
            from fake_encoder import HashEncoder

            self.inner, self.precision = HashEncoder("minilm-offline"), precision
            self.key, self.fingerprint = self.inner.key, self.inner.fingerprint

        def token_limit(self):
            return self.inner.token_limit()

        def count_tokens(self, text):
            return self.inner.count_tokens(text)

        def encode(self, texts, prompt, include_prompt, progress=None):
            seen.append(self.precision)
            return self.inner.encode(texts, prompt, include_prompt, progress)

        def in_precision(self, precision):
            return Twin(precision)

    engine = Engine(factory=lambda preset, progress=None: Twin("fp32"))
    guarded = load_sample("lee_news")
    engine.explore(guarded, default_setting("docsim", "minilm-offline"), guarded.example_queries()[0])
    assert set(seen) == {"bf16"} and engine.precision("minilm-offline", guarded) == "bf16"
    seen.clear()
    engine.explore(pets, default_setting("qa", "minilm-offline"), "Which pet can talk?")  # not a sample
    assert set(seen) == {"fp32"}
    seen.clear()
    unguarded = load_sample("python_faq_qa")
    assert unguarded.key not in get_model("minilm-offline").bf16  # MiniLM failed the guard there: float32
    engine.explore(unguarded, default_setting("qa", "minilm-offline"), unguarded.example_queries()[0])
    assert set(seen) == {"fp32"}


def test_a_persons_model_load_holds_the_start_up_work_back():
    """While someone's request loads a model, background steps (and background batches) wait."""
    import threading

    from components import turns
    from components.engine import Engine
    from fake_encoder import HashEncoder

    inside, release, stepped = threading.Event(), threading.Event(), threading.Event()

    def factory(preset, progress=None):
        inside.set()
        assert release.wait(10)
        return HashEncoder(preset.key)

    engine = Engine(factory=factory)
    person = threading.Thread(target=engine.encoder, args=("minilm-offline",))
    person.start()
    assert inside.wait(10)

    def start_up():
        with turns.background():
            turns.step_aside()
            stepped.set()

    thread = threading.Thread(target=start_up)
    thread.start()
    assert not stepped.wait(0.5)
    release.set()
    person.join(10)
    assert stepped.wait(5)
    thread.join(5)
