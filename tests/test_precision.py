"""Choosing the precision: forced, ruled out by the CPU's flags, or measured; one per model."""

from __future__ import annotations

import pytest

from components import precision
from components.engine import Engine
from fake_encoder import HashEncoder
from components.models import MODELS, get_model
from components.precision import BF16, FP32, Detection, detect, precision_for

NATIVE = frozenset({"avx2", "avx512f", "avx512_bf16"})


def _never(*_a):
    raise AssertionError("no timing expected")


@pytest.mark.parametrize("env, want", [("bf16", BF16), ("fp32", FP32), (" BF16 ", BF16)])
def test_the_environment_forces_either_without_measuring(env, want):
    assert detect(env, flags=frozenset(), timer=_never).precision == want


def test_an_unknown_value_is_refused():
    with pytest.raises(ValueError, match="bf16, fp32, auto"):
        detect("half", flags=NATIVE, timer=_never)


def test_no_native_instructions_means_float32_without_timing():
    found = detect("auto", flags=frozenset({"avx2", "avx512f"}), timer=_never)
    assert found.precision == FP32 and "no native bfloat16" in found.reason


@pytest.mark.parametrize("flags", [NATIVE, frozenset({"amx_bf16"}), None])  # None: flags unreadable
@pytest.mark.parametrize("fp32, bf16, want", [(100.0, 200.0, BF16), (100.0, 140.0, FP32), (100.0, 20.0, FP32)])
def test_flags_are_not_enough_the_timed_matmul_decides(flags, fp32, bf16, want):
    found = detect("", flags=flags, timer=lambda: (fp32, bf16))
    assert found.precision == want
    assert (found.fp32_gflops, found.bf16_gflops) == (fp32, bf16)
    assert f"{bf16 / fp32:.2f}x" in found.reason


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert precision.cpu_flags(str(info)) == frozenset({"fpu", "avx512f", "avx512_bf16"})
    assert precision.cpu_flags(str(tmp_path / "absent")) is None


def test_the_probe_measures_real_matmuls():
    import torch

    before = torch.get_num_threads()
    assert precision.matmul_gflops(torch.float32, size=64, seconds=0.02) > 0.01
    assert precision.matmul_gflops(torch.float32, size=64, seconds=0.02, threads=2) > 0.01
    assert torch.get_num_threads() == before  # the probe gives the threads back
    fp32, bf16 = precision.measure(rounds=1, size=64, seconds=0.001)
    assert fp32 > 0 and bf16 > 0


def test_only_guarded_model_and_corpus_pairs_follow_the_machine(monkeypatch):
    monkeypatch.setattr(precision, "machine_detection", lambda: Detection(BF16, "test"))
    minilm = get_model("minilm-offline")
    assert precision_for(minilm, "lee_news") == BF16
    assert precision_for(minilm, "python_faq_qa") == FP32  # the guard failed there
    assert precision_for(minilm, None) == FP32  # an upload or typed text: never measured
    assert precision_for(get_model("instructor-base"), "lee_news") == FP32  # never measured: float32
    assert precision_for(get_model("instructor-base"), forced=BF16) == BF16  # a benchmark may force it
    monkeypatch.setattr(precision, "machine_detection", lambda: Detection(FP32, "test"))
    assert all(precision_for(m, c) == FP32 for m in MODELS for c in m.bf16)
    with pytest.raises(ValueError):
        precision_for(minilm, forced="fp16")


def test_guarded_pairs_are_offline_models_on_sample_corpora():
    from components.corpora import sample_keys

    flagged = [m for m in MODELS if m.bf16]
    assert {m.key for m in flagged} == {"minilm-offline", "e5-small-offline", "minilm-instruct-offline"}
    assert all(m.offline and set(m.bf16) <= set(sample_keys()) for m in flagged)


def test_the_registry_says_what_the_committed_report_measured():
    """Each model's bfloat16 corpora are exactly those that passed the whole-corpus guard."""
    import json
    from pathlib import Path

    report = json.loads((Path(__file__).resolve().parent.parent / "benchmarks" / "results" /
                         "precision.json").read_text(encoding="utf-8"))
    fidelity = report["measures"]["fidelity"]
    for model in MODELS:
        if model.key in fidelity:
            rows = fidelity[model.key]["corpora"]
            assert set(model.bf16) == {k for k, r in rows.items() if r["passes"]}, model.key
            assert all(r["n_docs"] >= 100 for r in rows.values())  # whole corpora, not slices
        else:
            assert not model.bf16, model.key


def test_compute_is_autocast_for_bf16_and_nothing_for_fp32():
    import torch

    x = torch.ones(4, 4)
    with precision.compute(BF16):
        assert (x @ x).dtype == torch.bfloat16
    with precision.compute(FP32):
        assert (x @ x).dtype == torch.float32
    with pytest.raises(ValueError):
        precision.compute("fp16")


def test_a_forced_engine_gives_every_model_that_precision(pets):
    made = []

    def factory(preset, progress=None, precision=None):
        enc = HashEncoder(preset.key)
        enc.precision = precision
        made.append(enc)
        return enc

    engine = Engine(factory=factory, precision=BF16)
    assert engine.precision("minilm-offline", pets) == BF16 and engine.precision("e5-small-offline") == BF16
    assert engine.encoder("minilm-offline") is made[0]  # one encoder per model
    assert engine.encoder("minilm-offline").precision == BF16


def test_a_remembered_probe_is_read_for_the_same_key_and_measured_again_for_another(tmp_path):
    from components.precision import remembered

    runs = []

    def timer():
        runs.append(1)
        return 100.0 + len(runs), 250.0

    path = tmp_path / "probe.json"
    assert remembered(timer, path, "cpu-a")() == (101.0, 250.0)
    assert remembered(timer, path, "cpu-a")() == (101.0, 250.0) and len(runs) == 1  # a restart: read, not timed
    assert remembered(timer, path, "cpu-b")() == (102.0, 250.0) and len(runs) == 2  # another CPU: timed again
    path.write_text("{not json")
    assert remembered(timer, path, "cpu-b")() == (103.0, 250.0) and len(runs) == 3  # unreadable: timed again
    assert detect(env="auto", flags=frozenset({"avx512_bf16"}), timer=remembered(timer, path, "cpu-b")).precision == BF16
