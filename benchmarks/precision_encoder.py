"""The precision benchmark's encoder-level sections: the machine's matmul peaks, the steps past float32, a profile.

``measure_peaks`` times square matrix products per dtype and thread count;
``measure_steps`` runs the same texts through the encoder alone, one step
past float32 at a time; ``measure_profile`` splits one encode's time by kind
of operator. The report, its other sections and its targets are
``benchmarks/precision.py``; this module times nothing on its own when
imported and writes no file.
"""

from __future__ import annotations

import copy
import os

from benchmarks import engine_timings as et
from benchmarks import timing

MATMUL_OPS = ("aten::addmm", "aten::mm", "aten::bmm", "aten::baddbmm")


def measure_peaks() -> dict:
    """Best matmul GFLOP/s per dtype and thread count, and the process's precision choice."""
    import torch

    from components.precision import cpu_flags, machine_detection, matmul_gflops

    out: dict = {}
    for threads in sorted({1, os.cpu_count() or 1}):
        row = {}
        for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
            row[name] = max(matmul_gflops(dtype, size, 0.2, threads) for size in (256, 512, 1024) for _ in range(2))
        row["bf16_over_fp32"] = row["bf16"] / row["fp32"]
        out[f"threads_{threads}"] = row
    flags = cpu_flags() or frozenset()
    det = machine_detection()
    out["cpu_bf16_flags"] = sorted(f for f in flags if "bf16" in f or f.startswith("amx"))
    out["chosen"] = {"precision": det.precision, "reason": det.reason,
                     "probe_fp32_gflops": det.fp32_gflops, "probe_bf16_gflops": det.bf16_gflops}
    return out


def _variants(model):
    """(name, model, precision) for each step past float32; copies are made one at a time."""
    import torch

    from components.precision import BF16, FP32

    yield "fp32", model, FP32
    yield "bf16_autocast", model, BF16
    weights = copy.deepcopy(model)
    for module in weights.modules():
        if isinstance(module, torch.nn.Linear):
            module.to(torch.bfloat16)
    yield "bf16_autocast_bf16_linear_weights", weights, BF16
    del weights
    eager = copy.deepcopy(model)
    eager[0].auto_model.set_attn_implementation("eager")
    yield "bf16_autocast_eager_attention", eager, BF16


def measure_steps(engine, corpus, model_key: str, repeats: int) -> dict:
    """The 300 texts through the encoder alone, per step; speed-up and worst cosine against float32."""
    import numpy as np

    from components.encoder import SentenceTransformerEncoder

    texts = et.clipped_texts(engine, model_key, corpus)
    prompt = et.default_setting(model_key, corpus).prompt("document")
    base = engine.encoder(model_key)
    out, ref = {}, None
    for name, model, precision in _variants(base.model):
        enc = SentenceTransformerEncoder(model_key, model, precision, fingerprint=base.fingerprint)
        times, vecs = [], None
        for _ in range(repeats):
            took, vecs = timing.timed(lambda enc=enc: enc.encode(texts, prompt, True))
            times.append(took)
        ref = vecs if ref is None else ref
        out[name] = {**timing.summarize(times), "min_cosine_to_fp32": float(np.min(np.sum(vecs * ref, axis=1)))}
    for row in out.values():
        row["speedup_vs_fp32"] = out["fp32"]["median_s"] / row["median_s"]
    return out


def measure_profile(engine, corpus, model_key: str, peaks: dict, n_docs: int = 32) -> dict:
    """Seconds per kind of operator in one encode of ``n_docs`` articles, and matmul GFLOP/s."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from components.turns import threads_for

    enc = engine.encoder(model_key)
    texts = et.clipped_texts(engine, model_key, corpus)[:n_docs]
    prompt = timing.fresh(et.default_setting(model_key, corpus).prompt("document"))
    enc.encode(texts[:4], prompt, True)  # first call: allocations, thread pool
    with profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        wall, _ = timing.timed(lambda: enc.encode(texts, prompt, True))
    kinds = {"matmul": 0.0, "attention": 0.0, "other_ops": 0.0}
    flops = 0
    for evt in prof.key_averages():
        secs = evt.self_cpu_time_total / 1e6
        if evt.key in MATMUL_OPS:
            kinds["matmul"] += secs
            flops += evt.flops or 0
        elif "scaled_dot_product" in evt.key or "flash_attention" in evt.key:
            kinds["attention"] += secs
        else:
            kinds["other_ops"] += secs
    kinds["outside_ops"] = max(0.0, wall - sum(kinds.values()))
    threads = threads_for(True, "foreground")
    peak = peaks.get(f"threads_{threads}", {}).get(enc.precision)
    achieved = flops / kinds["matmul"] / 1e9 if kinds["matmul"] else 0.0
    return {"wall_s": wall, "n_docs": len(texts), "threads": threads, "seconds": kinds,
            "share": {k: v / wall for k, v in kinds.items()}, "matmul_gflop": flops / 1e9,
            "matmul_gflops_achieved": achieved, "matmul_peak_gflops": peak,
            "share_of_peak": achieved / peak if peak else None, "torch_threads_after": torch.get_num_threads()}
