"""The base model's view of the training texts: plain vectors, and hard negatives of the same kind.

One pass of the untouched base model embeds every query and target without
instruction. Those vectors serve twice:

- **Within-kind hard negatives.** For each pair and target kind, a target of
  the *same* kind from another pair that the base model finds close to the
  query (drawn from its nearest ``top`` neighbours, skipping the pair's own
  target and near-copies of it). Cross-kind negatives teach an instruction to
  route between kinds; these keep the query specific inside a kind.
- **The base model's scores**, which the training loop's ranking-distillation
  term asks the instructed model to keep among candidates of one kind.

Does not run the model itself: ``encode`` is passed in (texts → unit rows).
"""

from __future__ import annotations

import random
from typing import Callable

import numpy as np

from training.pairs import Pair

NEAR_COPY = 0.95  # a neighbour this close to the pair's own target is taken for the same text


def texts_of(pairs: list[Pair]) -> list[str]:
    """Every query and target text of ``pairs``, each once, in first-seen order."""
    seen: dict[str, None] = {}
    for pair in pairs:
        seen.setdefault(pair.query)
        for text in pair.targets.values():
            seen.setdefault(text)
    return list(seen)


def base_vectors(pairs: list[Pair], encode: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """``{text: float32 [dim] unit row}`` for every text of ``pairs``, from ``encode`` (no instruction)."""
    texts = texts_of(pairs)
    matrix = np.asarray(encode(texts), dtype=np.float32)
    return dict(zip(texts, matrix))


def mine(pairs: list[Pair], vectors: dict[str, np.ndarray], top: int = 10,
         seed: int = 0) -> dict[tuple[str, str, str], str]:
    """``{(source, query, kind): negative text}``: a same-kind target near the query, from another pair."""
    rng = random.Random(seed)
    out: dict[tuple[str, str, str], str] = {}
    for kind in sorted({k for p in pairs for k in p.targets}):
        targets = list(dict.fromkeys(p.targets[kind] for p in pairs if kind in p.targets))
        if len(targets) < 2:
            continue
        matrix = np.stack([vectors[t] for t in targets])
        for pair in (p for p in pairs if kind in p.targets):
            own = vectors[pair.targets[kind]]
            order = np.argsort(-(matrix @ vectors[pair.query]), kind="stable")
            near = [i for i in order[: top + 2]
                    if targets[i] != pair.targets[kind] and float(matrix[i] @ own) < NEAR_COPY][:top]
            if near:
                out[(pair.source, pair.query, kind)] = targets[rng.choice(near)]
    return out
