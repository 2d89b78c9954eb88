"""Which number format the encoders compute in: float32, or bfloat16 where the CPU runs it fast.

A CPU with AMX or AVX512-BF16 multiplies bfloat16 matrices several times
faster than float32 ones; elsewhere bfloat16 is emulated and slower. So the
choice is measured, never assumed: ``detect`` reads the CPU flags and, unless
they rule bfloat16 out, times one-thread matrix products in both formats and
picks bfloat16 only when it is at least ``MIN_SPEEDUP`` times faster.
``$INSTRUCTION_LENS_PRECISION`` (``bf16``, ``fp32`` or ``auto``) forces
either. The choice is made once per process (``machine_precision``); the
probe's timings are kept in the cache folder for the same CPU, flags and
torch version (``remembered``), so a restarted app does not time it again.

A model computes in bfloat16 only on the sample corpora where its registry
entry says the fidelity guard passed (``ModelPreset.bf16``);
``precision_for`` gives the precision of a model on a corpus in this
process, and every encode for that pair uses it (documents, queries, with
and without instructions), so both sides of a comparison share one format.
``compute(precision)`` is the context an encode runs in: ``torch.autocast``
for bfloat16 (matrix products in bfloat16, norms and softmax in float32),
nothing for float32. Output vectors are float32 either way.

It does not keep bfloat16 copies of the weights (the benchmark's ``steps``
in ``benchmarks/results/precision.json`` found no gain on MiniLM and a
small one on E5, for a second copy of the weights in memory) and knows
nothing about GPUs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

PRECISION_ENV = "INSTRUCTION_LENS_PRECISION"
FP32, BF16 = "fp32", "bf16"
PRECISIONS = (FP32, BF16)
BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # x86 flags of native bfloat16 matrix instructions
MIN_SPEEDUP = 1.5  # bfloat16 must multiply at least this much faster to be worth its rounding
PROBE_SIZE = 256  # square matrices timed by the probe: ~34 MFLOP each, cache-resident
PROBE_FILE = "precision_probe.json"  # the probe's last result, in the app's cache folder


@dataclass(frozen=True)
class Detection:
    """What was chosen and why; GFLOP/s are one-thread matmul speeds (None: not measured)."""

    precision: str
    reason: str
    flags: tuple[str, ...] = ()
    fp32_gflops: float | None = None
    bf16_gflops: float | None = None


def _cpuinfo(field: str, path: str) -> str | None:
    """The value of the first ``field`` line of ``path`` (Linux's /proc/cpuinfo), or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(field):
                    return line.split(":", 1)[1]
    except OSError:
        pass
    return None


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset[str] | None:
    """The CPU's feature flags (Linux x86), or None where they cannot be read."""
    flags = _cpuinfo("flags", path)
    return None if flags is None else frozenset(flags.split())


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Torch on ``n`` threads in this block (restored after)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def matmul_gflops(dtype: Any, size: int = PROBE_SIZE, seconds: float = 0.03, threads: int = 1) -> float:
    """GFLOP/s of ``[size, size] @ [size, size]`` in ``dtype`` on ``threads``, best of ~``seconds``."""
    import torch

    a = torch.randn(size, size).to(dtype)
    b = torch.randn(size, size).to(dtype)
    with torch_threads(threads), torch.inference_mode():
        a @ b  # first call: kernel selection, page faults
        best, spent = float("inf"), 0.0
        while spent < seconds or best == float("inf"):
            t0 = time.perf_counter()
            a @ b
            took = time.perf_counter() - t0
            best, spent = min(best, took), spent + took
    return 2 * size**3 / best / 1e9


def measure(rounds: int = 3, size: int = PROBE_SIZE, seconds: float = 0.03) -> tuple[float, float]:
    """(fp32, bf16) one-thread GFLOP/s, interleaved, best of ``rounds`` (other jobs only slow a round)."""
    import torch

    fp32, bf16 = 0.0, 0.0
    for _ in range(rounds):
        fp32 = max(fp32, matmul_gflops(torch.float32, size, seconds))
        bf16 = max(bf16, matmul_gflops(torch.bfloat16, size, seconds))
    return fp32, bf16


def native_bf16(flags: frozenset[str] | None) -> tuple[str, ...]:
    """The CPU flags among ``flags`` that mean native bfloat16 matrix instructions (none if unknown).

    >>> native_bf16(frozenset({"avx2", "avx512_bf16"})), native_bf16(None)
    (('avx512_bf16',), ())
    """
    return tuple(f for f in BF16_FLAGS if flags is not None and f in flags)


def detect(env: str | None = None, flags: frozenset[str] | None = None,
           timer=measure) -> Detection:
    """Choose the process's precision: forced by ``env``, else by flags and a timed matmul."""
    wanted = (env if env is not None else os.environ.get(PRECISION_ENV, "")).strip().lower() or "auto"
    if wanted in PRECISIONS:
        return Detection(wanted, f"forced by {PRECISION_ENV}={wanted}")
    if wanted != "auto":
        raise ValueError(f"{PRECISION_ENV} must be one of bf16, fp32, auto; not {wanted!r}")
    have = native_bf16(flags)
    if flags is not None and not have:
        return Detection(FP32, "the CPU has no native bfloat16 matrix instructions (AMX or AVX512-BF16)")
    fp32, bf16 = timer()
    speedup = bf16 / fp32 if fp32 > 0 else 0.0
    chosen = BF16 if speedup >= MIN_SPEEDUP else FP32
    verdict = "at least" if chosen == BF16 else "less than"
    return Detection(chosen, f"bfloat16 matmul measured {speedup:.2f}x float32 ({verdict} {MIN_SPEEDUP}x)",
                     have, fp32, bf16)


def cpu_model(path: str = "/proc/cpuinfo") -> str:
    """The CPU's model name (Linux), or '' where it cannot be read."""
    return (_cpuinfo("model name", path) or "").strip()


def remembered(timer: Callable[[], tuple[float, float]], path: Path, key: str) -> Callable[[], tuple[float, float]]:
    """``timer``, but a measurement already made under ``key`` is read from ``path`` instead, and a
    new one is written there (a missing, foreign or unreadable file means: measure)."""

    def timed() -> tuple[float, float]:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved["key"] == key:
                return float(saved["fp32_gflops"]), float(saved["bf16_gflops"])
        fp32, bf16 = timer()
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
            tmp.write_text(json.dumps({"key": key, "fp32_gflops": fp32, "bf16_gflops": bf16}), encoding="utf-8")
            os.replace(tmp, path)
        return fp32, bf16

    return timed


def _probe_key(flags: frozenset[str] | None) -> str:
    """What a probe's result depends on: the CPU, its flags, torch's version and the probe's size."""
    from importlib import metadata

    parts = [cpu_model(), " ".join(sorted(flags or ())), metadata.version("torch"), str(PROBE_SIZE)]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


@functools.lru_cache(maxsize=1)
def machine_detection() -> Detection:
    """``detect()`` once per process. The matmul probe's result is kept in the cache folder per CPU
    model, flags and torch version, so a restarted app decides without importing torch."""
    from components.e5.convert import default_cache_dir

    flags = cpu_flags()
    return detect(flags=flags, timer=remembered(measure, default_cache_dir() / PROBE_FILE, _probe_key(flags)))


def machine_precision() -> str:
    """The precision this process computes in where the model allows it."""
    return machine_detection().precision


def precision_for(preset: Any, corpus_key: str | None = None, forced: str | None = None) -> str:
    """The precision of ``preset`` (a ``ModelPreset``) on a sample corpus in this process.

    ``forced`` (a benchmark or test comparing both) wins; otherwise bfloat16
    only where the machine chose it and the model passed the fidelity guard
    on that corpus (``corpus_key`` None: an upload or typed text, float32).
    """
    if forced is not None:
        if forced not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {forced!r}")
        return forced
    guarded = corpus_key is not None and corpus_key in getattr(preset, "bf16", ())
    return BF16 if guarded and machine_precision() == BF16 else FP32


def compute(precision: str) -> contextlib.AbstractContextManager:
    """The context an encode runs in: autocast to bfloat16, or nothing for float32."""
    if precision == FP32:
        return contextlib.nullcontext()
    if precision != BF16:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)
