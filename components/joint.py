"""A joint model: a plain model's vector of the text, next to an instructed model's vector of it.

``JointEncoder`` encodes a text twice: the *content* encoder reads the text
alone (never an instruction), the *instructed* encoder reads the instruction
and the text; the vector is ``[w * content, instructed] / sqrt(1 + w**2)``,
a unit row of both widths together. The cosine of two such vectors is
``(w**2 * plain cosine + instructed cosine) / (1 + w**2)``: the plain model's
order of the texts stays in every ranking, and the instruction adds what it
asks for (which kind of text comes first). This is how the MiniLM
instruction adapter was trained (``training.loop.joint_cosine``) when its
folder holds ``joint.json`` (``components.adapters.joint_part``).

Both parts run in the same precision; the token limit and counts are the
instructed part's. The content part of a text is the same under every
instruction, so it is remembered (``PLAIN_MEMO`` texts, least recently used
first out): a corpus ranked with and without instructions reads each text
three times, not four. This module loads nothing itself.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

from components.encoder import Twinned
from components.progress import Progress, scaled

PLAIN_MEMO = 8192  # content vectors remembered per encoder (3 MB per 2,000 texts at 384 numbers)


class JointEncoder:
    """``[w * content(text), instructed(instruction + text)] / sqrt(1 + w**2)`` as an ``Encoder``."""

    def __init__(self, key: str, content: Twinned, instructed: Twinned, weight: float) -> None:
        if content.precision != instructed.precision:
            raise ValueError(f"{key}: both parts must run in one precision "
                             f"({content.precision} and {instructed.precision})")
        self.key, self.content, self.instructed, self.weight = key, content, instructed, float(weight)
        self.precision = instructed.precision
        self._plain: OrderedDict[str, np.ndarray] = OrderedDict()
        self._plain_lock = threading.Lock()
        self.fingerprint = hashlib.blake2b(
            f"joint:{content.fingerprint}:{instructed.fingerprint}:{self.weight!r}".encode(), digest_size=16).hexdigest()

    def in_precision(self, precision: str) -> "JointEncoder":
        """Both parts in ``precision`` (each shares its model's lock with the parts it twins)."""
        if precision == self.precision:
            return self
        return JointEncoder(self.key, self.content.in_precision(precision),
                            self.instructed.in_precision(precision), self.weight)

    def token_limit(self) -> int:
        return self.instructed.token_limit()

    def count_tokens(self, text: str) -> int:
        return self.instructed.count_tokens(text)

    def encode(self, texts: Sequence[str], prompt: str, include_prompt: bool,
               progress: Progress | None = None) -> np.ndarray:
        """The joint unit rows of ``texts``; the content part never sees ``prompt``."""
        plain = self._plain_vectors(list(texts), include_prompt, scaled(progress, 0.0, 0.5, "text alone"))
        instructed = self.instructed.encode(texts, prompt, include_prompt,
                                            scaled(progress, 0.5, 1.0, "with the instruction"))
        joint = np.hstack([self.weight * plain, instructed]) / math.sqrt(1.0 + self.weight ** 2)
        return joint.astype(np.float32, copy=False)

    def _plain_vectors(self, texts: list[str], include_prompt: bool, progress: Progress | None) -> np.ndarray:
        """The content part's rows of ``texts``: remembered ones as they are, the others encoded."""
        with self._plain_lock:
            known = {t: self._plain[t] for t in texts if t in self._plain}
            for t in known:
                self._plain.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.content.encode(missing, "", include_prompt, progress)
            known.update(zip(missing, fresh))
            with self._plain_lock:
                self._plain.update(zip(missing, fresh))
                while len(self._plain) > PLAIN_MEMO:
                    self._plain.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else self.content.encode([], "", include_prompt)
