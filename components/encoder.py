"""Encoders: texts plus an instruction prompt in, L2-normalised vectors out.

An ``Encoder`` has one method, ``encode(texts, prompt, include_prompt)``,
returning ``float32 [n_texts, dim]`` with unit rows. ``SentenceTransformerEncoder``
wraps a loaded model and uses sentence-transformers' own ``prompt=`` argument;
``include_prompt=False`` sets ``Pooling.include_prompt`` so the instruction
tokens shape the context but are left out of the mean (INSTRUCTOR's rule; in
sentence-transformers the leading [CLS]/<s> token counts as part of the
prompt). The flag lives on the shared model, so each batch holds the
model's lock (a query waits for one batch of a corpus job, not all of it),
and the start-up work's corpus jobs pause while a person's corpus job runs
on any model, or while a person's request is under way (``components.turns``).
Texts go through the model in length-sorted batches capped in tokens, with
torch threads chosen per job (``turns.threads_for``), in the encoder's one precision
(``components.precision``: float32, or bfloat16 matrix products under
autocast, which is per thread, so a float32 twin of the same model may run
between the batches); every encoder names its ``precision`` and a
``fingerprint`` of its weights, which key every cached vector. Tests use
``tests.fake_encoder.HashEncoder`` instead.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from components.memory import release_now_and_then
from components.precision import FP32, compute
from components.progress import Progress
from components.turns import ModelGate, counting, in_background, threads_for


class Encoder(Protocol):
    key: str
    precision: str  # "fp32" or "bf16": every encode of this encoder computes in it
    fingerprint: str  # digest of what computes the vectors (weights, tokenizer, pooling)

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool,
               progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts`` with ``prompt`` before each: ``float32 [n, dim]``, unit rows."""
        ...

    def token_limit(self) -> int:
        """Tokens the model reads at most; longer inputs are truncated."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` without special tokens (to say when the model cuts it off)."""
        ...


@runtime_checkable
class Twinned(Encoder, Protocol):
    """An ``Encoder`` with a twin in another precision (a fake encoder has one precision only)."""

    def in_precision(self, precision: str) -> "Twinned":
        """The same model computing in ``precision`` (this encoder itself when it already does)."""
        ...


CORPUS_TOKENS = 1024  # a job of at least this many tokens is a corpus job


def _pooling_modules(model: Any) -> list[Any]:
    return [m for m in model if hasattr(m, "include_prompt")]


_GATES: "weakref.WeakKeyDictionary[Any, ModelGate]" = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def gate_of(model: Any) -> ModelGate:
    """The one turn-taking gate of a loaded model, shared by every encoder of it (precision twins, and
    a joint model's content part, ``components.joint``): the pooling switch lives on the model."""
    with _GATES_LOCK:
        if model not in _GATES:
            _GATES[model] = ModelGate()
        return _GATES[model]


class SentenceTransformerEncoder:
    """A sentence-transformers model as an ``Encoder``."""

    batch_size = 32  # texts per forward pass at most
    batch_tokens = 2048  # padded tokens per forward pass at most (see _batches)

    def __init__(self, key: str, model: Any, precision: str = FP32, fingerprint: str | None = None) -> None:
        self.key = key
        self.model = model
        self.precision = precision
        compute(precision)  # an unknown precision fails here, not on the first encode
        self._gate = gate_of(model)
        if not _pooling_modules(model):
            raise ValueError(f"{key}: the model has no Pooling module to switch instruction pooling on")
        if fingerprint is None:
            from components.loading import fingerprint as digest

            fingerprint = digest(model)
        self.fingerprint = fingerprint

    def in_precision(self, precision: str) -> "SentenceTransformerEncoder":
        """The same model in another precision; it shares this encoder's lock (and pooling switch)."""
        if precision == self.precision:
            return self
        return SentenceTransformerEncoder(self.key, self.model, precision, self.fingerprint)

    def token_limit(self) -> int:
        return int(self.model.max_seq_length or 512)

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` without special tokens."""
        with self._gate.lock:  # a fast tokenizer must not be used by two threads at once
            return self._count([text])[0]

    def _count(self, texts: list[str], limit: int | None = None) -> list[int]:
        """Token counts (at most ``limit`` each, if given) without special tokens."""
        cut = dict(truncation=True, max_length=limit) if limit else dict(truncation=False)
        ids = self.model.tokenizer(texts, add_special_tokens=False, **cut)["input_ids"]
        return [len(x) for x in ids]

    def _batches(self, texts: list[str], prompt: str) -> tuple[list[list[int]], int]:
        """Indices of ``texts`` in batches, and the job's tokens.

        Longest first, each batch at most ``batch_tokens`` padded tokens:
        similar lengths pad less, and the cap bounds the activations on long
        texts (E5 reads 512 tokens: the cap allows 4 of them at once; half the
        former cap lowers a corpus job's memory peak, see the README's memory
        figures). Callers restore the order. One text (a query, on every
        keystroke) is one batch and never a corpus job: it is not tokenized
        here, only by the model.
        """
        if len(texts) == 1:
            return [[0]], 0
        limit = self.token_limit()
        extra = 2 + (self._count([prompt], limit)[0] if prompt else 0)  # special tokens and the prompt
        lengths = [min(limit, n + extra) for n in self._count(texts, limit)]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        batches, start = [], 0
        while start < len(order):
            size = max(1, min(self.batch_size, self.batch_tokens // lengths[order[start]]))
            batches.append(order[start:start + size])
            start += size
        return batches, sum(lengths)

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool,
               progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        dim = self.model.get_embedding_dimension()
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        out = np.empty((len(texts), dim), dtype=np.float32)
        with self._gate.lock:  # the tokenizer is not safe for two threads at once
            batches, tokens = self._batches(texts, prompt)
        corpus_job = tokens >= CORPUS_TOKENS
        kind = "background" if in_background() else "foreground"
        with counting(kind, corpus_job), compute(self.precision):
            # one autocast for all batches: weights are cast once
            self._run(texts, prompt, include_prompt, batches, corpus_job, kind, out, progress)
        return out

    def _run(self, texts: list[str], prompt: str, include_prompt: bool, batches: list[list[int]],
             corpus_job: bool, kind: str, out: np.ndarray, progress: Progress | None) -> None:
        """Encode ``batches`` of ``texts`` into the rows of ``out``, holding the model's lock per batch."""
        import torch  # already imported by the loaded model

        done = 0
        for n, batch in enumerate(batches):
            torch.set_num_threads(threads_for(corpus_job, kind))
            # the pooling switch lives on the shared model: hold it for one batch, so
            # a query from someone else slips in between a corpus job's batches
            with self._gate.batch(corpus_job and kind == "background"):
                for pooling in _pooling_modules(self.model):
                    pooling.include_prompt = include_prompt
                vecs = self.model.encode([texts[i] for i in batch], prompt=prompt or None,
                                         batch_size=len(batch), normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
            out[batch] = np.asarray(vecs, dtype=np.float32)  # under autocast too: norms and pooling ran in float32
            if corpus_job:  # the batches' activations are freed: hand their pages back now and then
                release_now_and_then()
            done += len(batch)
            if progress and len(batches) > 1:
                progress((n + 1) / len(batches), f"Embedded {done}/{len(texts)} texts")
