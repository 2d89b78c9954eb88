"""How long steps report progress: one callable type, and a way to report a share of a job.

A ``Progress`` takes a fraction done (0 to 1) and a message. The page wraps
Gradio's progress bar in one, the command line prints lines; the model
loaders, encoders and evaluation only call it.

Example:
    >>> seen = []
    >>> second_half = scaled(lambda f, m: seen.append((f, m)), 0.5, 1.0, "Embedding")
    >>> second_half(0.5, "half way")
    >>> seen
    [(0.75, 'Embedding: half way')]
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[float, str], None]


def scaled(progress: Progress | None, start: float, end: float, label: str = "") -> Progress | None:
    """``progress`` for a part of a job that fills ``start`` to ``end`` of the bar (None stays None)."""
    if progress is None:
        return None
    prefix = f"{label}: " if label else ""
    return lambda frac, msg: progress(start + (end - start) * min(max(frac, 0.0), 1.0), prefix + msg)
