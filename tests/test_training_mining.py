"""Within-kind hard negatives and ranking distillation of the adapter's training (no model, no download)."""

import random

import numpy as np
import pytest

from training import mining, rows
from training.loop import Settings, _candidates, _ranking_distillation
from training.pairs import Pair


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


PAIRS = [Pair("s", "Go", f"q{i}", {"code": f"c{i}", "doc": f"d{i}"}) for i in range(4)]
# code c1 is the query q0's closest other code; d3 the closest other doc
VECTORS = {"q0": _unit(1, 0, 0), "c0": _unit(1, 0.1, 0), "c1": _unit(1, 0.8, 0), "c2": _unit(0, 1, 0),
           "c3": _unit(0, 0, 1), "d0": _unit(1, 0, 0.1), "d1": _unit(0, 1, 1), "d2": _unit(0, 1, 0),
           "d3": _unit(1, 0, 0.9)}
for i in range(1, 4):
    VECTORS[f"q{i}"] = _unit(0, 0, 1)


def test_the_mined_negative_is_the_nearest_other_target_of_the_same_kind():
    mined = mining.mine(PAIRS, VECTORS, top=1)
    assert mined[("s", "q0", "code")] == "c1" and mined[("s", "q0", "doc")] == "d3"


def test_a_near_copy_of_the_own_target_is_never_a_negative():
    vectors = {**VECTORS, "c1": VECTORS["c0"].copy()}
    assert mining.mine(PAIRS, vectors, top=1)[("s", "q0", "code")] != "c1"


def test_base_vectors_embed_each_text_once():
    seen = []
    vectors = mining.base_vectors(PAIRS, lambda texts: seen.extend(texts) or np.eye(len(texts), 3))
    assert len(seen) == len(set(seen)) == 12 and set(vectors) == set(seen)


def test_rows_carry_their_within_kind_negative_under_the_positives_instruction():
    mined = mining.mine(PAIRS, VECTORS, top=1)
    units = rows.build_units(PAIRS[:1], {"s": 1}, plain_share=0.0, seed=0, mined=mined)
    for row in units[0]:
        assert row.kind_negative == {"code": "c1", "doc": "d3"}[row.target_kind]
        assert row.kind_negative_instruction == row.positive_instruction
        assert row.negative_kind != row.target_kind


def _batch():
    mined = mining.mine(PAIRS, VECTORS, top=1)
    return [r for u in rows.build_units(PAIRS, {"s": 4}, plain_share=0.0, seed=0, mined=mined) for r in u]


def _base_scores():
    """A batch, its candidates, the base model's plain cosines between them and a mask keeping all."""
    torch = pytest.importorskip("torch")
    batch = _batch()
    cands = _candidates(batch)
    base = {k: torch.tensor(v) for k, v in VECTORS.items()}
    scores = torch.stack([base[r.query] for r in batch]) @ torch.stack([base[t] for _, t, _ in cands]).T
    return batch, cands, scores, torch.ones_like(scores, dtype=torch.bool)


@pytest.mark.parametrize("flip, zero", [(False, True), (True, False)])
def test_ranking_distillation_is_zero_only_when_the_base_order_is_kept(flip, zero):
    batch, cands, scores, keep = _base_scores()
    if flip:
        scores = -scores
    kl = _ranking_distillation(scores, batch, cands, VECTORS, keep, Settings()).item()
    assert (abs(kl) < 1e-5) == zero


@pytest.mark.parametrize("bonus_in_scores, zero", [(True, True), (False, False)])
def test_routed_distillation_wants_the_base_order_with_the_target_kind_raised(bonus_in_scores, zero):
    import torch

    batch, cands, scores, keep = _base_scores()
    same = torch.tensor([[kind == r.target_kind for _, _, kind in cands] for r in batch])
    if bonus_in_scores:
        scores = scores + 0.5 * same
    kl = _ranking_distillation(scores, batch, cands, VECTORS, keep, Settings(route_bonus=0.5)).item()
    assert (abs(kl) < 1e-5) == zero


def test_candidates_label_each_text_with_its_kind():
    batch = _batch()
    kinds = {t: k for _, t, k in _candidates(batch)}
    assert all(kinds[t] == ("code" if t.startswith("c") else "doc") for t in kinds)


ROFF = r""".\" Copyright notice
.TH open 2 2023-02-05 "Linux man-pages 6.03"
.SH NAME
open, openat, creat \- open and possibly create a file
.SH SYNOPSIS
.nf
.B #include <fcntl.h>
.fi
.SH DESCRIPTION
The
.BR open ()
system call opens the file specified by
.IR pathname .
If the specified file does not exist, it may optionally (if
.B O_CREAT
is specified in \fIflags\fP) be created by \fBopen\fR().
.PP
The return value is a file descriptor\(em a small integer.
"""


def test_a_man_page_gives_a_question_its_description_and_a_rewording():
    from training import data_man

    pair = data_man.page_pair(ROFF, random.Random(0), seed=1)
    assert pair.query.endswith("open and possibly create a file?")
    assert pair.targets["answer"].startswith("The open() system call opens the file specified by pathname.")
    assert "O_CREAT is specified in flags) be created by open()." in pair.targets["answer"]
    assert "#include" not in pair.targets["answer"] and "\\" not in pair.targets["answer"]
    assert pair.targets["question"] != pair.query


def test_an_alias_page_and_a_noun_summary():
    from training import data_man

    assert data_man.page_pair(".so man2/open.2\n", random.Random(0), seed=1) is None
    assert data_man.question("overview of pathname resolution", random.Random(0)).count("overview") == 1
    assert data_man.question("get file status", random.Random(0)).lower().startswith(("how", "what lets"))
