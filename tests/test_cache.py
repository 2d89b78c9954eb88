"""The embedding cache: keys, budget, LRU order, encoding only misses."""

import threading

import numpy as np
import pytest

from components.cache import ENTRY_OVERHEAD, EmbeddingCache, embed_cached, entry_key
from fake_encoder import HashEncoder


@pytest.mark.parametrize("a,b", [
    (("m", "fp32", True, "query: ", "t"), ("m", "fp32", True, "passage: ", "t")),
    (("m", "fp32", True, "p", "t"), ("m", "fp32", False, "p", "t")),
    (("m", "fp32", True, "p", "t"), ("n", "fp32", True, "p", "t")),
    (("m", "fp32", True, "p", "t"), ("m", "bf16", True, "p", "t")),  # never mix precisions
    (("m", "fp32", True, "ab", "c"), ("m", "fp32", True, "a", "bc")),  # no ambiguity at part boundaries
])
def test_keys_differ_when_anything_that_shapes_the_vector_differs(a, b):
    assert entry_key(*a) != entry_key(*b)


def test_pooling_mode_does_not_matter_without_a_prompt():
    assert entry_key("m", "fp32", True, "", "t") == entry_key("m", "fp32", False, "", "t")


def test_budget_is_kept_and_oldest_go_first():
    vec = np.ones(16, dtype=np.float32)
    per = vec.nbytes + ENTRY_OVERHEAD
    cache = EmbeddingCache(budget_bytes=per * 3)
    for i in range(5):
        cache.put(bytes([i]), vec)
    assert len(cache) == 3 and cache.nbytes <= cache.budget
    assert cache.get(bytes([0])) is None and cache.get(bytes([4])) is not None
    cache.get(bytes([2]))  # touch: now most recent
    cache.put(bytes([9]), vec)
    assert cache.get(bytes([2])) is not None and cache.get(bytes([3])) is None


def test_thousands_of_distinct_instructions_stay_under_budget():
    enc = HashEncoder(dim=64)
    cache = EmbeddingCache(budget_bytes=200_000)
    for i in range(1000):
        embed_cached(enc, cache, ["a document", "another one"], f"instruction number {i}: ", True)
        assert cache.nbytes <= cache.budget
    assert len(cache) < 2000


def test_cached_vectors_are_identical_and_read_only():
    enc = HashEncoder()
    cache = EmbeddingCache()
    first = embed_cached(enc, cache, ["x", "y"], "p: ", True)
    again = embed_cached(enc, cache, ["x", "y"], "p: ", True)
    np.testing.assert_array_equal(first, again)
    assert len(enc.calls) == 1
    with pytest.raises(ValueError):
        cache.get(entry_key(enc.fingerprint, "fp32", True, "p: ", "x"))[0] = 5.0


def test_only_misses_are_encoded_and_duplicates_once():
    enc = HashEncoder()
    cache = EmbeddingCache()
    embed_cached(enc, cache, ["a", "b"], "", True)
    out = embed_cached(enc, cache, ["b", "c", "c", "a"], "", True)
    assert enc.calls[-1] == (1, "", True)  # only "c", once
    np.testing.assert_array_equal(out[1], out[2])
    np.testing.assert_array_equal(out, enc.encode(["b", "c", "c", "a"], "", True))


def test_an_edited_instruction_is_never_served_a_stale_vector():
    enc = HashEncoder()
    cache = EmbeddingCache()
    old = embed_cached(enc, cache, ["doc"], "old: ", True)
    new = embed_cached(enc, cache, ["doc"], "new: ", True)
    assert not np.allclose(old, new)
    np.testing.assert_array_equal(new, enc.encode(["doc"], "new: ", True))


def test_concurrent_use_is_safe():
    enc = HashEncoder()
    cache = EmbeddingCache(budget_bytes=50_000)
    errors = []

    def work(n):
        try:
            for i in range(200):
                v = embed_cached(enc, cache, [f"t{i % 37}"], f"p{n}", True)
                np.testing.assert_array_equal(v, enc.encode([f"t{i % 37}"], f"p{n}", True))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.nbytes <= cache.budget


class _HeldEncoder(HashEncoder):
    """A HashEncoder whose first encode waits for ``release`` (and fails if ``fail``)."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.inside, self.release, self.fail = threading.Event(), threading.Event(), fail

    def encode(self, texts, prompt, include_prompt, progress=None):
        if not self.inside.is_set():
            self.inside.set()
            assert self.release.wait(10)
            if self.fail:
                raise RuntimeError("stopped short")
        return super().encode(texts, prompt, include_prompt, progress)


def _second_caller_while_the_first_encodes(enc, cache, texts, progress=None):
    """Start one encode of ``texts`` in a thread, then run a second in another; (first's result, second's)."""
    results = {}

    def call(name, **kwargs):
        try:
            results[name] = embed_cached(enc, cache, texts, "p: ", True, **kwargs)
        except Exception as exc:
            results[name] = exc

    first = threading.Thread(target=call, args=("first",))
    first.start()
    assert enc.inside.wait(10)
    second = threading.Thread(target=call, args=("second",), kwargs={"progress": progress})
    second.start()
    second.join(0.6)
    waited = second.is_alive()
    enc.release.set()
    first.join(10)
    second.join(10)
    return waited, results["first"], results["second"]


def test_the_same_list_asked_for_while_it_is_encoded_waits_for_that_encode():
    enc, cache = _HeldEncoder(), EmbeddingCache()
    texts = [f"doc {i}" for i in range(5)]
    waited, first, second = _second_caller_while_the_first_encodes(enc, cache, texts)
    assert waited and len(enc.calls) == 1  # one encode for both callers
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(second, HashEncoder().encode(texts, "p: ", True))


def test_a_waiter_encodes_itself_when_the_first_encode_stops_short_and_may_stop_waiting():
    enc, cache = _HeldEncoder(fail=True), EmbeddingCache()
    texts = [f"doc {i}" for i in range(5)]
    waited, first, second = _second_caller_while_the_first_encodes(enc, cache, texts)
    assert waited and isinstance(first, RuntimeError)
    np.testing.assert_array_equal(second, HashEncoder().encode(texts, "p: ", True))

    def superseded(fraction, message):
        raise InterruptedError(message)

    enc, cache = _HeldEncoder(), EmbeddingCache()
    waited, first, second = _second_caller_while_the_first_encodes(enc, cache, texts, superseded)
    assert not waited and isinstance(second, InterruptedError) and len(enc.calls) == 1
    np.testing.assert_array_equal(first, HashEncoder().encode(texts, "p: ", True))


def test_a_person_waiting_for_the_start_up_works_encode_does_not_hold_it_back():
    """The start-up work steps aside for a person's turn; a person who waits for its encode yields the turn."""
    from components.turns import background, persons_turn, step_aside

    class SteppingEncoder(HashEncoder):
        def __init__(self):
            super().__init__()
            self.inside = threading.Event()

        def encode(self, texts, prompt, include_prompt, progress=None):
            self.inside.set()
            step_aside()  # as each background batch does
            return super().encode(texts, prompt, include_prompt, progress)

    enc, cache, texts, results = SteppingEncoder(), EmbeddingCache(), [f"doc {i}" for i in range(5)], {}

    def start_up():
        with background():
            results["start-up"] = embed_cached(enc, cache, texts, "p: ", True)

    def person():
        with persons_turn():
            results["person"] = embed_cached(enc, cache, texts, "p: ", True)

    with persons_turn():  # the person's request began before the start-up work's encode
        bg = threading.Thread(target=start_up)
        bg.start()
        assert enc.inside.wait(10)
        fg = threading.Thread(target=person)
        fg.start()
    fg.join(10)
    bg.join(10)
    assert not fg.is_alive() and not bg.is_alive()
    np.testing.assert_array_equal(results["person"], results["start-up"])
    assert len(enc.calls) == 1
