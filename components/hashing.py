"""One digest of a sequence of texts, for keys and fingerprints.

Each part is length-prefixed before it is hashed, so ("ab", "c") and
("a", "bc") differ. Used by the embedding cache's keys and by a corpus's
fingerprint; the disk store keys its blocks of cache keys on its own.

Example:
    >>> text_digest(["ab", "c"]) != text_digest(["a", "bc"])
    True
    >>> len(text_digest(["x"]))
    16
"""

from __future__ import annotations

import hashlib
from typing import Iterable


def text_digest(parts: Iterable[str], size: int = 16) -> bytes:
    """BLAKE2b (``size`` bytes) of ``parts``, each UTF-8 encoded and prefixed by its length."""
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()
