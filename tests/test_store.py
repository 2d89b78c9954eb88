"""The vector store on disk: round trip, damaged and foreign files, two writers, the size bound."""

from __future__ import annotations

import multiprocessing
import os
import time

import numpy as np
import pytest

from components import store as store_mod
from components.cache import EmbeddingCache, embed_cached
from components.corpora import Corpus, Document, load_sample
from components.engine import Engine
from fake_encoder import HashEncoder
from components.store import VectorStore, block_key, decode_block, encode_block, open_store
from components.setting import default_setting


def _key(n: int) -> bytes:
    return block_key([bytes([n]) * 16])


def _vectors(rows: int = 5, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)


def test_round_trip_keeps_every_bit(tmp_path):
    store = VectorStore(tmp_path)
    vecs = _vectors()
    store.save(_key(1), vecs)
    got = store.load(_key(1))
    assert got.dtype == np.float32 and got.shape == vecs.shape
    np.testing.assert_array_equal(got, vecs)
    assert store.load(_key(2)) is None
    assert not list(tmp_path.glob(".tmp-*"))  # the temporary file was renamed, not left behind


@pytest.mark.parametrize("damage", ["truncated", "torn", "flipped", "empty", "appended"])
def test_a_damaged_file_is_rejected_removed_and_rebuilt(tmp_path, damage):
    store = VectorStore(tmp_path)
    vecs = _vectors()
    store.save(_key(1), vecs)
    path = store.path(_key(1))
    data = path.read_bytes()
    broken = {"truncated": data[:-10], "torn": data[: len(data) // 2], "empty": b"",
              "flipped": data[:100] + bytes([data[100] ^ 1]) + data[101:], "appended": data + b"\0"}[damage]
    path.write_bytes(broken)
    assert store.load(_key(1)) is None and store.rejected == 1
    assert not path.exists()  # never trusted, and out of the way of a rebuild
    store.save(_key(1), vecs)
    np.testing.assert_array_equal(store.load(_key(1)), vecs)


def test_a_foreign_file_under_the_name_is_not_trusted(tmp_path):
    store = VectorStore(tmp_path)
    store.save(_key(2), _vectors(seed=2))
    os.replace(store.path(_key(2)), store.path(_key(1)))  # a whole, intact block, but of another key
    assert store.load(_key(1)) is None
    store.path(_key(3)).write_bytes(b"not a vector file at all" * 20)
    assert store.load(_key(3)) is None
    assert decode_block(_key(1), encode_block(_key(1), _vectors())) is not None


def test_a_writer_that_dies_mid_write_leaves_no_block(tmp_path, monkeypatch):
    store = VectorStore(tmp_path)

    def crash(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(store_mod.os, "replace", crash)
    with pytest.raises(OSError):
        store.save(_key(1), _vectors())
    monkeypatch.undo()
    assert store.load(_key(1)) is None and not list(tmp_path.iterdir())


def test_stale_temporary_files_are_swept_and_fresh_ones_kept(tmp_path):
    store = VectorStore(tmp_path)
    stale, fresh = tmp_path / ".tmp-dead.vec", tmp_path / ".tmp-writing.vec"
    for path in (stale, fresh):
        path.write_bytes(b"half a block")
    old = time.time() - 2 * store_mod.STALE_TEMP_S
    os.utime(stale, (old, old))
    store.save(_key(1), _vectors())
    assert not stale.exists() and fresh.exists()
    assert [p for _, _, p in store.files()] == [store.path(_key(1))]  # temporary files are never blocks


def _writer(folder: str, rounds: int) -> None:
    store = VectorStore(folder)
    for _ in range(rounds):
        store.save(_key(7), _vectors(rows=200, dim=64, seed=7))


def test_two_processes_writing_the_same_block_leave_a_whole_one(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), 40)) for _ in range(2)]
    for p in procs:
        p.start()
    store, want, seen = VectorStore(tmp_path), _vectors(rows=200, dim=64, seed=7), 0
    while any(p.is_alive() for p in procs):  # read while they write: whole or nothing
        got = store.load(_key(7))
        if got is not None:
            np.testing.assert_array_equal(got, want)
            seen += 1
    for p in procs:
        p.join()
        assert p.exitcode == 0
    np.testing.assert_array_equal(store.load(_key(7)), want)
    assert store.rejected == 0 and not list(tmp_path.glob(".tmp-*"))


def test_the_folder_stays_within_its_budget_least_recently_used_first(tmp_path):
    size = len(encode_block(_key(0), _vectors()))
    store = VectorStore(tmp_path, budget=3 * size)
    for n in range(3):
        store.save(_key(n), _vectors(seed=n))
        past = time.time() - 100 + n  # distinct, ordered modification times
        os.utime(store.path(_key(n)), (past, past))
    assert store.load(_key(0)) is not None  # touched: now the most recent
    store.save(_key(3), _vectors(seed=3))
    assert store.nbytes() <= store.budget
    assert store.load(_key(1)) is None  # the least recently used went first
    assert all(store.load(_key(n)) is not None for n in (0, 2, 3))
    store.save(_key(9), _vectors(rows=1000))  # larger than the whole budget: not kept
    assert store.load(_key(9)) is None and store.nbytes() <= store.budget


def test_the_budget_comes_from_the_environment_and_zero_turns_the_store_off(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTRUCTION_LENS_CACHE", str(tmp_path))
    monkeypatch.setenv(store_mod.STORE_ENV, "2")
    opened = open_store()
    assert opened.budget == 2 * 1024 * 1024 and opened.folder == tmp_path / "vectors"
    monkeypatch.setenv(store_mod.STORE_DIR_ENV, str(tmp_path / "elsewhere"))
    assert open_store().folder == tmp_path / "elsewhere"
    assert open_store().shipped == store_mod.SHIPPED  # the app's stores read the shipped blocks
    monkeypatch.setenv(store_mod.STORE_ENV, "0")
    assert open_store() is None


def _shipped(tmp_path, vecs: np.ndarray) -> tuple[VectorStore, os.stat_result]:
    """A store in ``tmp_path/own`` over a shipped folder holding ``vecs`` under ``_key(1)``."""
    VectorStore(tmp_path / "shipped").save(_key(1), vecs)
    store = VectorStore(tmp_path / "own", shipped=tmp_path / "shipped")
    return store, (tmp_path / "shipped" / store.path(_key(1)).name).stat()


def test_a_block_missing_from_the_folder_is_read_from_the_shipped_one_which_is_never_changed(tmp_path):
    vecs = _vectors()
    store, before = _shipped(tmp_path, vecs)
    time.sleep(0.01)
    np.testing.assert_array_equal(store.load(_key(1)), vecs)
    assert store.load(_key(2)) is None
    shipped_file = tmp_path / "shipped" / store.path(_key(1)).name
    assert shipped_file.stat().st_mtime_ns == before.st_mtime_ns  # read, not touched
    store.save(_key(2), _vectors(seed=2))
    assert store.path(_key(2)).exists() and sorted(p.name for p in (tmp_path / "shipped").iterdir()) == [
        shipped_file.name]  # writes go to the folder only
    store.budget = 0
    store.evict()  # cleaning the folder leaves the shipped blocks alone
    assert shipped_file.exists() and store.load(_key(1)) is not None


def test_the_folder_wins_over_the_shipped_block_and_a_damaged_shipped_file_is_ignored_not_removed(tmp_path):
    store, _ = _shipped(tmp_path, _vectors())
    mine = _vectors(seed=5)
    store.save(_key(1), mine)
    np.testing.assert_array_equal(store.load(_key(1)), mine)
    store.path(_key(1)).unlink()
    shipped_file = tmp_path / "shipped" / store.path(_key(1)).name
    shipped_file.write_bytes(shipped_file.read_bytes()[:-3])
    assert store.load(_key(1)) is None and store.rejected == 1 and shipped_file.exists()


def test_embed_cached_finds_the_whole_list_on_disk_in_a_new_process(tmp_path):
    store = VectorStore(tmp_path)
    texts = ["first text", "second text", "first text"]
    first = embed_cached(HashEncoder(), EmbeddingCache(), texts, "p: ", True, store=store)
    again_enc = HashEncoder()  # a restarted process: new encoder, empty memory
    again = embed_cached(again_enc, EmbeddingCache(), texts, "p: ", True, store=store)
    np.testing.assert_array_equal(first, again)
    assert again_enc.calls == []
    other = HashEncoder()
    other.precision = "bf16"  # the same model in another precision never finds these vectors
    embed_cached(other, EmbeddingCache(), texts, "p: ", True, store=store)
    assert other.calls == [(2, "p: ", True)]
    changed = HashEncoder()
    embed_cached(changed, EmbeddingCache(), texts, "other: ", True, store=store)
    assert changed.calls == [(2, "other: ", True)]


def _fake_engine(store, encoders):
    return Engine(factory=lambda preset, progress=None: encoders.setdefault(preset.key, HashEncoder(preset.key)),
                  store=store)


def test_a_restarted_engine_ranks_a_sample_corpus_without_encoding(tmp_path):
    store = VectorStore(tmp_path)
    corpus = load_sample("debian_faq")
    setting = default_setting(corpus.task, "e5-small-offline")
    query = corpus.example_queries()[0]
    before = _fake_engine(store, {}).explore(corpus, setting, query)
    encoders: dict = {}
    after = _fake_engine(store, encoders).explore(corpus, setting, query)
    assert encoders["e5-small-offline"].calls == []
    np.testing.assert_array_equal(before.docs, after.docs)
    assert list(before.instructed.order) == list(after.instructed.order)


def test_an_upload_and_a_typed_query_never_reach_the_disk(tmp_path):
    store = VectorStore(tmp_path)
    upload = Corpus("upload:mine", "Mine", (Document("a", "private words"), Document("b", "more of them")))
    engine = _fake_engine(store, {})
    engine.explore(upload, default_setting("qa", "minilm-offline"), "a question someone typed")
    sample = load_sample("debian_faq")
    engine.explore(sample, default_setting("faq", "minilm-offline"), "a question someone typed")
    assert len(store.files()) == 2  # the sample's documents, with and without instruction; no query


def test_a_block_on_disk_is_read_without_waiting_for_the_gate_and_a_gated_encode_is_kept(tmp_path):
    """The store is looked at before a corpus slot is asked for; what the gated encode made goes to disk."""
    import contextlib

    store, texts, entered = VectorStore(tmp_path), ["alpha", "beta", "gamma"], []

    @contextlib.contextmanager
    def gate():
        entered.append(True)
        yield

    first = HashEncoder("m")
    made = embed_cached(first, EmbeddingCache(), texts, "p: ", True, gate=gate, store=store)
    assert entered == [True] and len(store.files()) == 1  # encoded inside the gate, then kept
    again = HashEncoder("m")
    found = embed_cached(again, EmbeddingCache(), texts, "p: ", True, gate=gate, store=store)
    np.testing.assert_array_equal(found, made)
    assert entered == [True] and again.calls == []  # the restart read the disk: no slot, no encode


def test_a_restarted_engine_with_its_models_facts_ranks_from_disk_without_loading_the_model(tmp_path):
    """With the fingerprint remembered, a sample's default ranking is read before any model is loaded;
    a typed query loads it; a changed model folder means loading it even for stored vectors."""
    from components.model_facts import FactsBook

    store, folder = VectorStore(tmp_path / "vectors"), tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"w")
    corpus = load_sample("debian_faq")
    setting = default_setting(corpus.task, "e5-small-offline")
    query = corpus.example_queries()[0]

    def engine(loads):
        def factory(preset, progress=None):
            loads.append(preset.key)
            return HashEncoder(preset.key)

        return Engine(factory=factory, store=store, facts=FactsBook(tmp_path / "facts", resolve=lambda p: folder))

    before = engine([]).explore(corpus, setting, query)
    loads: list = []
    restarted = engine(loads)
    after = restarted.explore(corpus, setting, query)
    assert loads == []
    np.testing.assert_array_equal(before.docs, after.docs)
    np.testing.assert_array_equal(before.query, after.query)
    assert list(before.instructed.order) == list(after.instructed.order) and after.notes == ()
    restarted.explore(corpus, setting, "a question nobody stored")
    assert loads == ["e5-small-offline"]
    (folder / "weights.bin").write_bytes(b"new weights")
    loads = []
    engine(loads).explore(corpus, setting, query)
    assert loads == ["e5-small-offline"]


def test_a_long_query_loads_the_model_to_count_its_tokens(tmp_path):
    """The note about a query longer than the model reads needs its tokenizer, even when vectors are stored."""
    from components.model_facts import FactsBook

    store, folder = VectorStore(tmp_path / "vectors"), tmp_path / "model"
    folder.mkdir()
    corpus = load_sample("debian_faq")
    setting = default_setting(corpus.task, "e5-small-offline")
    long_query = "why " * 200
    book = FactsBook(tmp_path / "facts", resolve=lambda p: folder)
    Engine(factory=lambda preset, progress=None: HashEncoder(preset.key), store=store, facts=book).explore(
        corpus, setting, long_query)
    loads: list = []
    again = Engine(factory=lambda preset, progress=None: loads.append(1) or HashEncoder(preset.key), store=store,
                   facts=FactsBook(tmp_path / "facts", resolve=lambda p: folder))
    again.embed("e5-small-offline", corpus.texts, "", True, persist=True, precision="fp32")
    assert loads == []  # stored vectors alone: no model
    assert again.truncation_notes(setting, long_query) and loads == [1]
