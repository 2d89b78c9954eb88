"""Timing statistics and the machine they were taken on, shared by the benchmarks.

``summarize`` reports samples as ``median_s``, ``p10_s``, ``p90_s`` and ``n``
(plus ``target_s``, ``ok`` and ``ratio_to_target`` when the measure has a
target in ``TARGETS``); ``machine_info`` records CPU count, versions and the
load average, since absolute times drift on a shared machine.

Example:
    >>> percentile([1.0, 2.0, 3.0], 50)
    2.0
"""

from __future__ import annotations

import os
import platform
import time
import uuid
from importlib import metadata
from typing import Callable, Sequence

# The latency report's targets (see ``benchmarks.latency``).
TARGETS = {"query_edit_s": 0.150, "doc_edit_ratio": 1.25, "revisit_s": 0.100,
           "page_s": 10.0, "first_ranking_s": 30.0, "peak_rss_mb": 2048.0,
           "first_ranking_after_page_s": 20.0, "first_ranking_after_restart_s": 3.0, "map_after_ranking_s": 2.0}


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation (numpy's default)."""
    if not values:
        raise ValueError("no values")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarize(samples: Sequence[float], target_s: float | None = None) -> dict:
    """``median_s``, ``p10_s``, ``p90_s``, ``n`` (+ ``target_s``, ``ok``, ``ratio_to_target``)."""
    out = {"median_s": percentile(samples, 50), "p10_s": percentile(samples, 10),
           "p90_s": percentile(samples, 90), "n": len(samples)}
    if target_s is not None:
        out.update(target_s=target_s, ok=out["median_s"] <= target_s,
                   ratio_to_target=out["median_s"] / target_s)
    return out


def ratio_summary(ratios: Sequence[float], target: float | None = None) -> dict:
    """Like ``summarize`` for unitless ratios (keys without ``_s``)."""
    out = {"median": percentile(ratios, 50), "p10": percentile(ratios, 10),
           "p90": percentile(ratios, 90), "n": len(ratios)}
    if target is not None:
        out.update(target=target, ok=out["median"] <= target, ratio_to_target=out["median"] / target)
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """CPU count, Python and library versions, load average now."""
    info = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_avg_start": list(os.getloadavg())}
    for dist in ("torch", "sentence-transformers", "numpy", "umap-learn", "gradio", "onnxruntime"):
        info[dist] = _version(dist)
    return info


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fresh(base: str) -> str:
    """``base`` with a never-seen word appended (defeats every cache)."""
    return f"{base.rstrip()} variant {uuid.uuid4().hex[:8]} "
