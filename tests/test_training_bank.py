"""The bank of base vectors the adapter's training distils each query's ranking over (no model, no download)."""

import random

import pytest

from test_training_mining import VECTORS, _batch
from training.bank import bank_distillation, build_bank
from training.loop import _candidates

torch = pytest.importorskip("torch")


def _bank(batch):
    return build_bank(((t, k) for _, t, k in _candidates(batch)), VECTORS)


def test_the_bank_holds_each_candidate_once_with_its_kind():
    batch = _batch()
    bank = _bank(batch)
    assert len(bank.kinds) == len({t for _, t, _ in _candidates(batch)}) == bank.vectors.shape[0] == 8
    assert sorted(bank.kinds) == ["code"] * 4 + ["doc"] * 4


def _kl(queries, batch, bonus):
    return bank_distillation(queries, batch, _bank(batch), VECTORS, 64, 20.0, bonus, random.Random(0)).item()


def test_without_a_bonus_the_base_queries_are_the_teacher_exactly():
    batch = _batch()
    base_q = torch.stack([torch.as_tensor(VECTORS[r.query]) for r in batch])
    assert abs(_kl(base_q, batch, 0.0)) < 1e-5
    assert _kl(-base_q, batch, 0.0) > 0.1


def test_with_a_bonus_a_query_moved_towards_its_target_kind_is_closer_to_the_teacher():
    batch = _batch()
    bank = _bank(batch)
    base_q = torch.stack([torch.as_tensor(VECTORS[r.query]) for r in batch])
    centre = {k: bank.vectors[[i for i, kk in enumerate(bank.kinds) if kk == k]].mean(0) for k in ("code", "doc")}
    moved = torch.nn.functional.normalize(base_q + torch.stack([centre[r.target_kind] for r in batch]), dim=-1)
    assert _kl(moved, batch, 0.5) < _kl(base_q, batch, 0.5)
