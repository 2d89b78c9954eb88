"""A deterministic stand-in encoder for fast tests and docstring examples, without weights.

``HashEncoder`` embeds a text as the normalised sum of pseudo-random vectors,
one per lower-cased word, seeded by a hash of the word. A prompt's words are
mixed in with each text's words, so instructions move vectors; with
``include_prompt=False`` the prompt's words only tilt the text's words (as
context does) instead of adding their own vectors. Same input, same output,
in any process. It is not a language model: use it to test plumbing, never
to judge instructions.
"""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

from components.wording import counted

_WORD = re.compile(r"\w+", re.UNICODE)


def _word_vector(word: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


class HashEncoder:
    """Bag-of-words random projections; see module docstring."""

    precision = "fp32"  # numpy arithmetic: always float32

    def __init__(self, key: str = "fake", dim: int = 32, limit: int = 128) -> None:
        self.key = key
        self.dim = dim
        self.limit = limit
        self.fingerprint = f"hash-encoder:{key}:{dim}:{limit}"
        self.calls: list[tuple[int, str, bool]] = []  # (n_texts, prompt, include_prompt)

    def token_limit(self) -> int:
        return self.limit

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    def _bag(self, text: str) -> np.ndarray:
        words = _WORD.findall(text.lower())[: self.limit]
        if not words:
            return np.zeros(self.dim, dtype=np.float32)
        return np.sum([_word_vector(w, self.dim) for w in words], axis=0)

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool, progress=None) -> np.ndarray:
        self.calls.append((len(texts), prompt, include_prompt))
        ctx = self._bag(prompt) if prompt else np.zeros(self.dim, dtype=np.float32)
        rows = []
        for t in texts:
            v = self._bag(t) + (ctx if include_prompt else 0.3 * ctx)
            v = v + 1e-3 * _word_vector("\0bias", self.dim)  # never the zero vector
            rows.append(v / np.linalg.norm(v))
        if progress:
            progress(1.0, f"Embedded {counted(len(texts), 'text')}")
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)
