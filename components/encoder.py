"""Encoders: texts plus an instruction prompt in, L2-normalised vectors out.

An ``Encoder`` has one method, ``encode(texts, prompt, include_prompt)``,
returning ``float32 [n_texts, dim]`` with unit rows. ``SentenceTransformerEncoder``
wraps a loaded model and uses sentence-transformers' own ``prompt=`` argument;
``include_prompt=False`` sets ``Pooling.include_prompt`` so the instruction
tokens shape the context but are left out of the mean (INSTRUCTOR's rule; in
sentence-transformers the leading [CLS]/<s> token counts as part of the
prompt). The flag lives on the shared model, so each call holds the model's
lock. Tests use ``components.fake.HashEncoder`` instead.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Protocol, Sequence

import numpy as np

Progress = Callable[[float, str], None]


class Encoder(Protocol):
    key: str

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool,
               progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts`` with ``prompt`` before each: ``float32 [n, dim]``, unit rows."""
        ...

    def token_limit(self) -> int:
        """Tokens the model reads at most; longer inputs are truncated."""
        ...


def _pooling_modules(model: Any) -> list[Any]:
    return [m for m in model if hasattr(m, "include_prompt")]


class SentenceTransformerEncoder:
    """A sentence-transformers model as an ``Encoder``."""

    batch_size = 32

    def __init__(self, key: str, model: Any) -> None:
        self.key = key
        self.model = model
        self._lock = threading.Lock()
        if not _pooling_modules(model):
            raise ValueError(f"{key}: the model has no Pooling module to switch instruction pooling on")

    def token_limit(self) -> int:
        return int(self.model.max_seq_length or 512)

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` without special tokens."""
        return len(self.model.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool,
               progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        dim = self.model.get_embedding_dimension()
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        # batches of similar length pad less (E5 reads up to 512 tokens): longest first, order restored below
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        chunks = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        out = np.empty((len(texts), dim), dtype=np.float32)
        with self._lock:
            for pooling in _pooling_modules(self.model):
                pooling.include_prompt = include_prompt
            for n, chunk in enumerate(chunks):
                vecs = self.model.encode([texts[i] for i in chunk], prompt=prompt or None,
                                         batch_size=self.batch_size, normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
                out[chunk] = np.asarray(vecs, dtype=np.float32)
                if progress and len(chunks) > 1:
                    done = min((n + 1) * self.batch_size, len(texts))
                    progress((n + 1) / len(chunks), f"Embedded {done}/{len(texts)} texts")
        return out
