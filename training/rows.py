"""Training rows: one query under an instruction, its positive and a hard negative.

A pair with two targets (code and documentation; answer passage and another
question) gives two rows in the same unit, the same query under two
instructions, each row's positive being the other's hard negative: only the
instruction tells them apart. A pair with one target gives one row with
in-batch negatives only. Every row may also carry a within-kind negative
(``training.mining``): a target of its own kind from another pair, close to
the query, so that the instruction routes between kinds without blurring the
choice inside one. A share of pairs (``plain_share``) gives a row with no
instruction on either side, to keep the base model's plain behaviour.
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
    target_kind: str = ""  # the kind of the positive (a plain row's too)
    negative_kind: str = ""
    kind_negative: str | None = None  # a same-kind target of another pair
    kind_negative_instruction: str = ""


Mined = dict[tuple[str, str, str], str]  # (source, query, kind) -> a same-kind negative


def _rows_for(pair: Pair, rng: random.Random, plain: bool, mined: Mined) -> list[Row]:
    kinds = list(pair.targets)
    if plain:
        kind = next(k for k in kinds if k in PRIMARY)
        return [Row(pair.source, "plain", pair.query, "", pair.targets[kind], "", target_kind=kind,
                    kind_negative=mined.get((pair.source, pair.query, kind)))]
    rows = []
    for kind in kinds:
        q_ins = query_instruction(kind, pair.domain, rng)
        symmetric = kind == "question" and rng.random() < 0.3
        p_ins = q_ins if symmetric else document_instruction(kind, pair.domain, rng)
        other = [k for k in kinds if k != kind]
        negative, n_ins = None, ""
        if other:
            negative = pair.targets[other[0]]
            n_ins = q_ins if symmetric else document_instruction(other[0], pair.domain, rng)
        rows.append(Row(pair.source, kind, pair.query, q_ins, pair.targets[kind], p_ins, negative, n_ins,
                        target_kind=kind, negative_kind=other[0] if other else "",
                        kind_negative=mined.get((pair.source, pair.query, kind)), kind_negative_instruction=p_ins))
    return rows


def select(pairs: list[Pair], caps: dict[str, int], seed: int) -> list[Pair]:
    """At most ``caps[source]`` pairs per source, pairs with two targets first (they teach the contrast)."""
    rng = random.Random(seed)
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    shuffled.sort(key=lambda p: -len(p.targets))
    taken: Counter = Counter()
    chosen = []
    for pair in shuffled:
        if taken[pair.source] < caps.get(pair.source, 0):
            taken[pair.source] += 1
            chosen.append(pair)
    return chosen


def build_units(pairs: list[Pair], caps: dict[str, int], plain_share: float, seed: int,
                mined: Mined | None = None) -> list[list[Row]]:
    """Rows grouped in units (the rows of one pair) for the pairs ``select`` keeps, shuffled.

    ``mined`` gives each row its within-kind negative where it has one.
    """
    rng = random.Random(seed)
    units = [_rows_for(pair, rng, rng.random() < plain_share, mined or {}) for pair in select(pairs, caps, seed)]
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
