"""A bank of the base model's plain target vectors: each query's ranking distilled over many documents.

The in-batch candidates hold only a few documents of a row's kind. The bank
holds every training target's vector from the untouched base model (no
instruction), and each step asks the query, under its instruction, to rank a
random sample of them as the base model's plain query does, with the row's
target kind raised by ``route_bonus`` (routing between kinds, the base
model's order inside each; a plain row's teacher is the base order alone).
The bank's vectors are fixed: no forward pass over them, so only the query
side learns from this term (documents move little under the adapter).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Iterable

from training.rows import Row


@dataclass(frozen=True)
class Bank:
    vectors: Any  # float32 tensor [n, dim], unit rows
    kinds: tuple[str, ...]


def build_bank(items: Iterable[tuple[str, str]], base: dict[str, Any]) -> Bank:
    """The bank of (text, kind) items, each text once (its first kind), in a fixed order."""
    import torch

    kinds: dict[str, str] = {}
    for text, kind in items:
        kinds.setdefault(text, kind)
    texts = sorted(kinds)
    return Bank(torch.stack([torch.as_tensor(base[t]) for t in texts]), tuple(kinds[t] for t in texts))


def bank_distillation(queries: Any, batch: list[Row], bank: Bank, base: dict[str, Any], size: int,
                      scale: float, route_bonus: float, rng: random.Random) -> Any:
    """Mean KL from the teacher's ranking of ``size`` bank documents to the instructed queries' ranking."""
    import torch

    picked = rng.sample(range(len(bank.kinds)), min(size, len(bank.kinds)))
    docs = bank.vectors[picked]
    base_q = torch.stack([torch.as_tensor(base[r.query]) for r in batch])
    raised = torch.tensor([[bank.kinds[i] == r.target_kind and r.kind != "plain" for i in picked]
                           for r in batch])
    teacher = (scale * (base_q @ docs.T + route_bonus * raised)).softmax(-1)
    student = (scale * (queries @ docs.T)).log_softmax(-1)
    return (teacher * (teacher.clamp(min=1e-9).log() - student)).sum(-1).mean()
