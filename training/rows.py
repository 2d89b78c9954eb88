"""Training rows: one query under an instruction, its positive and a hard negative.

A pair with two targets (code and documentation; answer passage and another
question) gives two rows in the same unit, the same query under two
instructions, each row's positive being the other's hard negative: only the
instruction tells them apart. A pair with one target gives one row with
in-batch negatives only. A share of pairs (``plain_share``) gives a row with
no instruction on either side, to keep the base model's plain behaviour.
Units are shuffled and packed into batches, so every batch mixes kinds.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from training.instructions import document_instruction, query_instruction
from training.pairs import Pair

PRIMARY = ("code", "answer", "definition")  # the target of a plain row


@dataclass(frozen=True)
class Row:
    source: str
    kind: str
    query: str
    query_instruction: str
    positive: str
    positive_instruction: str
    negative: str | None = None
    negative_instruction: str = ""


def _rows_for(pair: Pair, rng: random.Random, plain: bool) -> list[Row]:
    kinds = list(pair.targets)
    if plain:
        kind = next(k for k in kinds if k in PRIMARY)
        return [Row(pair.source, "plain", pair.query, "", pair.targets[kind], "")]
    rows = []
    for kind in kinds:
        q_ins = query_instruction(kind, pair.domain, rng)
        symmetric = kind == "question" and rng.random() < 0.3
        p_ins = q_ins if symmetric else document_instruction(kind, pair.domain, rng)
        other = [k for k in kinds if k != kind]
        if other:
            n_ins = q_ins if symmetric else document_instruction(other[0], pair.domain, rng)
            rows.append(Row(pair.source, kind, pair.query, q_ins, pair.targets[kind], p_ins, pair.targets[other[0]], n_ins))
        else:
            rows.append(Row(pair.source, kind, pair.query, q_ins, pair.targets[kind], p_ins))
    return rows


def build_units(pairs: list[Pair], caps: dict[str, int], plain_share: float, seed: int) -> list[list[Row]]:
    """Rows grouped in units (the rows of one pair), at most ``caps[source]`` pairs per source."""
    rng = random.Random(seed)
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    # pairs with two targets first, so caps keep the pairs that teach the contrast
    shuffled.sort(key=lambda p: -len(p.targets))
    taken: Counter = Counter()
    units = []
    for pair in shuffled:
        if taken[pair.source] >= caps.get(pair.source, 0):
            continue
        taken[pair.source] += 1
        units.append(_rows_for(pair, rng, rng.random() < plain_share))
    rng.shuffle(units)
    return units


def batches(units: list[list[Row]], size: int) -> list[list[Row]]:
    """Units packed in order into batches of at most ``size`` rows (a unit is never split)."""
    out: list[list[Row]] = [[]]
    for unit in units:
        if len(out[-1]) + len(unit) > size:
            out.append([])
        out[-1].extend(unit)
    return [b for b in out if b]
