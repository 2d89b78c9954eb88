"""The training loop: a LoRA adapter on MiniLM, InfoNCE over instruction rows, plain rows kept close to the base.

Plain PyTorch, no trainer: every row carries its own instruction, written in
front of the text, and the instruction's tokens (with [CLS]) are left out of
the mean exactly as sentence-transformers' ``Pooling(include_prompt=False)``
does at inference. Loss per batch: cross-entropy over the scaled cosine of each
query to every positive and hard negative of the batch (in-batch negatives;
a copy of a row's own positive is masked), plus ``distill_weight`` × the mean
cosine distance between the adapted and the base model's embeddings of plain
texts (queries and positives without any instruction), so the model without
instruction stays the base model as nearly as it can, plus ranking
distillation from the base model's plain vectors (``_ranking_distillation``;
optionally over a bank as well, ``training.bank``). With ``content_weight``,
every score is the joint vector's (``joint_cosine``: the base model's plain
cosine next to the instructed one, as ``components.joint`` serves it). Runs
under bfloat16 autocast on CPU.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from training.bank import Bank, bank_distillation, build_bank
from training.rows import Row

LORA_TARGETS = r".*encoder\.layer\.\d+\..*(query|key|value|dense)$"  # every linear layer, not the unused pooler


@dataclass(frozen=True)
class Settings:
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    lr: float = 2e-4
    warmup: int = 20
    scale: float = 20.0
    distill_weight: float = 10.0
    distill_texts: int = 12
    rank_distill_weight: float = 1.0  # keep the base model's order among a row's same-kind candidates
    route_bonus: float = 0.0  # > 0: distil over every candidate, the target kind's raised by this much cosine
    bank_weight: float = 0.0  # > 0: also distil each query's ranking over a sample of the bank (training.bank)
    bank_size: int = 1024
    query_tokens: int = 96
    document_tokens: int = 112
    pool_instruction: bool = False  # True: the instruction's tokens are part of the mean (include_prompt=True)
    content_weight: float = 0.0  # > 0: train the vector [w * base plain vector, instructed vector] (see joint_cosine)
    seed: int = 13


class Embedder:
    """Mean-pooled, normalised embeddings of (instruction, text); the instruction is left out of the
    mean unless ``pool_instruction`` (sentence-transformers' ``Pooling(include_prompt=...)``)."""

    def __init__(self, model: Any, tokenizer: Any, pool_instruction: bool = False) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.pool_instruction = pool_instruction
        self._prompt_len: dict[str, int] = {}

    def prompt_length(self, instruction: str) -> int:
        """Tokens masked for ``instruction``: [CLS] and the instruction, not [SEP] (as sentence-transformers);
        none when the instruction is pooled."""
        if not instruction or self.pool_instruction:
            return 0
        if instruction not in self._prompt_len:
            self._prompt_len[instruction] = len(self.tokenizer(instruction)["input_ids"]) - 1
        return self._prompt_len[instruction]

    def __call__(self, items: list[tuple[str, str]], max_tokens: int) -> Any:
        """``float32 [len(items), 384]`` unit rows for (instruction, text) items."""
        import torch

        enc = self.tokenizer([i + t for i, t in items], padding=True, truncation=True,
                             max_length=max_tokens, return_tensors="pt")
        mask = enc["attention_mask"].clone()
        for row, (instruction, _) in enumerate(items):
            mask[row, : self.prompt_length(instruction)] = 0
        with torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = self.model(**enc).last_hidden_state
        hidden = hidden.float()
        m = mask.unsqueeze(-1).float()
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def _candidates(batch: list[Row]) -> list[tuple[str, str, str]]:
    """(instruction, text, kind) of every candidate: positives first (row order), then the negatives."""
    out = [(r.positive_instruction, r.positive, r.target_kind) for r in batch]
    for r in batch:
        if r.negative is not None:
            out.append((r.negative_instruction, r.negative, r.negative_kind))
        if r.kind_negative is not None:
            out.append((r.kind_negative_instruction, r.kind_negative, r.target_kind))
    return out


def _base_vectors(batch: list[Row], cands: list[tuple[str, str, str]], base: dict[str, Any]) -> tuple[Any, Any]:
    """The base model's plain vectors of the batch's queries and of its candidates, as tensors."""
    import torch

    return (torch.stack([torch.as_tensor(base[r.query]) for r in batch]),
            torch.stack([torch.as_tensor(base[t]) for _, t, _ in cands]))


def _ranking_distillation(scores: Any, batch: list[Row], cands: list[tuple[str, str, str]],
                          base: dict[str, Any], keep: Any, s: Settings) -> Any:
    """KL from a teacher ranking, made from the base model's plain vectors, to the instructed one.

    Without ``route_bonus`` the teacher is the base model's order over each row's same-kind
    candidates only. With it, the teacher ranks every candidate of the batch: the base model's
    cosine plus ``route_bonus`` for the row's target kind (none for a plain row), i.e. the base
    model's own order inside each kind with the instruction's kind moved up, which is what perfect
    routing between kinds would give.
    """
    import torch

    base_q, base_d = _base_vectors(batch, cands, base)
    same = torch.tensor([[kind == r.target_kind for _, _, kind in cands] for r in batch])
    teacher = base_q @ base_d.T
    if s.route_bonus:
        instructed = torch.tensor([r.kind != "plain" for r in batch]).unsqueeze(1)
        teacher = teacher + s.route_bonus * (same & instructed)
        within = keep
    else:
        within = same & keep
    teacher = (s.scale * teacher).masked_fill(~within, -1e4).softmax(-1)
    student = (s.scale * scores).masked_fill(~within, -1e4).log_softmax(-1)
    rows = within.sum(-1) > 1  # one candidate alone has no order to keep
    kl = (teacher * (teacher.clamp(min=1e-9).log() - student)).sum(-1)
    return kl[rows].mean() if rows.any() else scores.sum() * 0


def joint_cosine(cos: Any, batch: list[Row], cands: list[tuple[str, str, str]], base: dict[str, Any],
                 weight: float) -> Any:
    """The cosine of the joint vectors ``[weight * plain, instructed] / sqrt(1 + weight**2)``: the base
    model's plain cosine (no instruction, fixed) and the instructed ``cos``, weighed ``weight**2 : 1``.

    >>> import torch; joint_cosine(torch.tensor([[0.0]]), [Row("s", "k", "q", "", "p", "")], [("", "p", "kind")],
    ...                            {"q": torch.tensor([1.0, 0.0]), "p": torch.tensor([1.0, 0.0])}, 1.0)
    tensor([[0.5000]])
    """
    base_q, base_d = _base_vectors(batch, cands, base)
    return (weight ** 2 * (base_q @ base_d.T) + cos) / (1 + weight ** 2)


def batch_loss(embed: Embedder, batch: list[Row], s: Settings, rng: random.Random,
               base: dict[str, Any] | None = None, bank: Bank | None = None) -> tuple[Any, dict]:
    """InfoNCE over the batch, the plain-text distillation term and (with ``base``) ranking distillation,
    in the batch and (with ``bank``) over a sample of the bank."""
    import torch

    queries = embed([(r.query_instruction, r.query) for r in batch], s.query_tokens)
    cands = _candidates(batch)
    docs = embed([(i, t) for i, t, _ in cands], s.document_tokens)
    cos = queries @ docs.T
    if s.content_weight and base is not None:
        cos = joint_cosine(cos, batch, cands, base, s.content_weight)
    texts = [t for _, t, _ in cands]
    keep = torch.ones_like(cos, dtype=torch.bool)
    for i, row in enumerate(batch):  # another copy of the row's own positive is no negative
        for j, text in enumerate(texts):
            if j != i and text == row.positive:
                keep[i, j] = False
    scores = (s.scale * cos).masked_fill(~keep, -1e4)
    contrastive = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))

    plain = [r.query for r in batch] + [r.positive for r in batch]
    plain = rng.sample(plain, min(s.distill_texts, len(plain)))
    adapted = embed([("", t) for t in plain], s.document_tokens)
    with torch.no_grad(), embed.model.disable_adapter():
        reference = embed([("", t) for t in plain], s.document_tokens)
    distill = (1 - (adapted * reference).sum(-1)).mean()
    loss = contrastive + s.distill_weight * distill
    parts = {"contrastive": contrastive.item(), "distill": distill.item()}
    if base is not None and s.rank_distill_weight:
        ranking = _ranking_distillation(cos, batch, cands, base, keep, s)
        loss = loss + s.rank_distill_weight * ranking
        parts["ranking"] = ranking.item()
    if base is not None and bank is not None and s.bank_weight:
        banked = bank_distillation(queries, batch, bank, base, s.bank_size, s.scale, s.route_bonus, rng)
        loss = loss + s.bank_weight * banked
        parts["bank"] = banked.item()
    return loss, {**parts, "loss": loss.item()}


def plain_vectors(model: Any, tokenizer: Any, texts: list[str], s: Settings, batch: int = 64) -> Any:
    """``float32 [len(texts), 384]`` unit rows of the base model (adapter off), no instruction."""
    import numpy as np
    import torch

    embed = Embedder(model, tokenizer, s.pool_instruction)
    out = []
    with torch.no_grad(), model.disable_adapter():
        for start in range(0, len(texts), batch):
            out.append(embed([("", t) for t in texts[start:start + batch]], s.document_tokens).numpy())
    return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


def lora_model(base_folder: str, s: Settings) -> tuple[Any, Any]:
    """The base MiniLM (``transformers``) wrapped with a fresh LoRA adapter, and its tokenizer."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_folder)
    # no dropout: the base model's behaviour is a target (the distillation term), not noise
    model = AutoModel.from_pretrained(base_folder, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config = LoraConfig(r=s.rank, lora_alpha=s.alpha, lora_dropout=s.dropout, target_modules=LORA_TARGETS,
                        bias="none")
    return get_peft_model(model, config), tokenizer


def lr_factor(step: int, total: int, elapsed: float, budget: float, warmup: int) -> float:
    """The learning rate's multiplier: a linear warm-up, then a linear fall to zero at the end of the
    plan (``total`` steps) or of the time budget (``budget`` seconds), whichever is nearer.

    >>> lr_factor(0, 100, 0.0, 600.0, 10), lr_factor(50, 100, 0.0, 600.0, 10), lr_factor(50, 100, 450.0, 600.0, 10)
    (0.1, 0.5, 0.25)
    """
    done = max(step / total, elapsed / budget)
    return min(1.0, (step + 1) / warmup) * max(0.0, 1.0 - done)


def train(model: Any, tokenizer: Any, batches: list[list[Row]], s: Settings, log_path: Path,
          max_minutes: float, base: dict[str, Any] | None = None) -> dict:
    """Train over ``batches`` once (stopping early past ``max_minutes``); returns the run's record.

    The learning rate warms up, then falls linearly to zero at the end of the plan or of the time
    budget, whichever comes first, so a run the clock stops has still cooled down.

    ``base`` (text → the base model's plain unit vector) turns on ranking distillation (and, with
    ``bank_weight``, the bank of every candidate's base vector, ``training.bank``).
    """
    import torch
    from tqdm import tqdm

    torch.manual_seed(s.seed)
    rng = random.Random(s.seed)
    embed = Embedder(model, tokenizer, s.pool_instruction)
    bank = None
    if base is not None and s.bank_weight:
        bank = build_bank(((t, k) for b in batches for _, t, k in _candidates(b)), base)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.0)
    total = len(batches)
    start, curve, window = time.monotonic(), [], []
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: lr_factor(step, total, time.monotonic() - start, max_minutes * 60, s.warmup))
    model.train()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, tqdm(total=total, desc="training", unit="step") as bar:
        for step, batch in enumerate(batches, 1):
            loss, parts = batch_loss(embed, batch, s, rng, base, bank)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            window.append(parts)
            bar.update(1)
            bar.set_postfix(loss=f"{parts['loss']:.3f}", distill=f"{parts['distill']:.4f}")
            if step % 10 == 0 or step == total:
                mean = {k: sum(w[k] for w in window) / len(window) for k in window[0]}
                entry = {"step": step, "seconds": round(time.monotonic() - start, 1),
                         "lr": sched.get_last_lr()[0], **{k: round(v, 5) for k, v in mean.items()}}
                curve.append(entry)
                log.write(json.dumps(entry) + "\n")
                log.flush()
                window = []
            if time.monotonic() - start > max_minutes * 60:
                print(f"stopping at step {step}: past {max_minutes} minutes", flush=True)
                break
    model.eval()
    return {"steps": step, "planned_steps": total, "seconds": round(time.monotonic() - start, 1),
            "settings": asdict(s), "curve": curve,
            "first_loss": curve[0]["loss"] if curve else math.nan, "last_loss": curve[-1]["loss"] if curve else math.nan}
