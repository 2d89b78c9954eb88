"""Embeddings kept on disk, so a restarted app ranks a sample corpus without encoding it.

A ``VectorStore`` maps a 32-byte key to a ``float32 [n, dim]`` block of
vectors, one file per block in one folder (``$INSTRUCTION_LENS_STORE_DIR``,
default ``vectors`` under ``$INSTRUCTION_LENS_CACHE`` or ``~/.cache/instruction-lens``). The key is a digest of every
row's cache key (``components.cache.entry_key``: model fingerprint,
precision, pooling mode, prompt, text), so a block is only ever found by the
exact texts, model, precision and instruction that made it.

Safe against crashes and other processes: a block is written to a temporary
file in the same folder, flushed to disk (``fsync``) and renamed over the
final name (``os.replace``, atomic), so a reader sees the old file, the new
one or none, never half of one; two processes writing the same block both
write whole files and the last rename wins. Every file carries a header
(magic, version, its own key, shape) and a BLAKE2 checksum of all of it: a
torn, truncated, foreign or corrupted file fails the check, is removed and
rebuilt by the caller, and is never trusted.

Bounded: after each write, the oldest files (by modification time; a read
touches its file) are removed until the folder holds at most the budget
(``$INSTRUCTION_LENS_STORE_MB``, 500 MB by default; 0 turns the store off).

It stores what it is given: which texts are worth keeping (the shipped
corpora, not a visitor's upload) is the caller's decision.

Blocks may also ship with the app (``SHIPPED``: the default page's vectors,
written by ``scripts/ship_vectors.py``): a block missing from the folder is
looked for there. The shipped folder is only read, never written, touched or
cleaned; a shipped file that fails the check is ignored. A shipped block is
found under the same key as any other, so it only serves the exact texts,
model, precision and instruction that made it: a retrained model has another
fingerprint and simply finds nothing there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

STORE_ENV = "INSTRUCTION_LENS_STORE_MB"
STORE_DIR_ENV = "INSTRUCTION_LENS_STORE_DIR"
DEFAULT_MB = 500
MAGIC = b"ILVEC\x00"
VERSION = 1
SUFFIX = ".vec"
KEY_BYTES = 32
_HEADER = struct.Struct(f"<6sH{KEY_BYTES}sQQ")  # magic, version, key, rows, dim
_SUM = 32  # BLAKE2b digest after the payload
STALE_TEMP_S = 3600  # a temporary file this old belongs to a writer that died
SHIPPED = Path(__file__).resolve().parent.parent / "sample_corpora" / "vectors"


def block_key(entry_keys: list[bytes]) -> bytes:
    """The store key of a block whose rows have these cache keys, in this order."""
    h = hashlib.blake2b(digest_size=KEY_BYTES)
    h.update(len(entry_keys).to_bytes(8, "little"))
    for key in entry_keys:
        h.update(len(key).to_bytes(2, "little"))
        h.update(key)
    return h.digest()


def encode_block(key: bytes, vectors: np.ndarray) -> bytes:
    """The file's bytes: header, float32 little-endian rows, checksum."""
    vectors = np.ascontiguousarray(vectors, dtype="<f4")
    if vectors.ndim != 2 or len(key) != KEY_BYTES:
        raise ValueError("a block is a [n, dim] array under a 32-byte key")
    body = _HEADER.pack(MAGIC, VERSION, key, vectors.shape[0], vectors.shape[1]) + vectors.tobytes()
    return body + hashlib.blake2b(body, digest_size=_SUM).digest()


def decode_block(key: bytes, data: bytes) -> np.ndarray | None:
    """The rows in ``data`` if it is a whole, intact block for ``key``; None otherwise."""
    if len(data) < _HEADER.size + _SUM:
        return None
    magic, version, stored_key, rows, dim = _HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or stored_key != key:
        return None
    if len(data) != _HEADER.size + 4 * rows * dim + _SUM:
        return None
    body = data[:-_SUM]
    if hashlib.blake2b(body, digest_size=_SUM).digest() != data[-_SUM:]:
        return None
    return np.frombuffer(body, dtype="<f4", offset=_HEADER.size).reshape(rows, dim).astype(np.float32)


def default_folder() -> Path:
    """``$INSTRUCTION_LENS_STORE_DIR``, or ``vectors`` in the app's cache folder."""
    env = os.environ.get(STORE_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from components.e5.convert import default_cache_dir

    return default_cache_dir() / "vectors"


def budget_bytes() -> int:
    """``$INSTRUCTION_LENS_STORE_MB`` (default 500) in bytes."""
    env = os.environ.get(STORE_ENV, "").strip()
    return int(float(env) * 1024 * 1024) if env else DEFAULT_MB * 1024 * 1024


def _read_block(path: Path, key: bytes) -> tuple[np.ndarray | None, bool]:
    """(the intact block for ``key`` in ``path`` or None, whether a file was there but failed the check)."""
    try:
        data = path.read_bytes()
    except OSError:  # absent, or removed by another process meanwhile
        return None, False
    block = decode_block(key, data)
    return block, block is None


class VectorStore:
    """Blocks of vectors in files under ``folder``, at most ``budget`` bytes in all;
    ``shipped``: a read-only folder of blocks looked in when ``folder`` has none."""

    def __init__(self, folder: Path | str, budget: int = DEFAULT_MB * 1024 * 1024,
                 shipped: Path | str | None = None) -> None:
        self.folder = Path(folder)
        self.budget = budget
        self.shipped = Path(shipped) if shipped is not None else None
        self.rejected = 0  # files that failed the check (removed from ``folder``, ignored when shipped)

    def path(self, key: bytes) -> Path:
        return self.folder / (key.hex() + SUFFIX)

    def load(self, key: bytes) -> np.ndarray | None:
        """The block under ``key`` (``float32 [n, dim]``), or None if absent or not intact."""
        path = self.path(key)
        block, damaged = _read_block(path, key)
        if damaged:
            self.rejected += 1
            with contextlib.suppress(OSError):
                path.unlink()
        if block is None:
            return self._load_shipped(key)
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: evicted last
        return block

    def _load_shipped(self, key: bytes) -> np.ndarray | None:
        """The shipped block under ``key``, or None (a shipped file is never changed)."""
        if self.shipped is None:
            return None
        block, damaged = _read_block(self.shipped / (key.hex() + SUFFIX), key)
        self.rejected += damaged
        return block

    def save(self, key: bytes, vectors: np.ndarray) -> None:
        """Write the block atomically, then keep the folder within the budget."""
        data = encode_block(key, vectors)
        if len(data) > self.budget:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._sync_folder()
        self.evict()

    def _sync_folder(self) -> None:
        """Make the rename itself durable (POSIX; elsewhere a no-op)."""
        with contextlib.suppress(OSError, AttributeError):
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def files(self) -> list[tuple[float, int, Path]]:
        """(mtime, size, path) of every block file, oldest first."""
        found = []
        for path in self.folder.glob("*" + SUFFIX):
            if path.name.startswith(".tmp-"):
                continue
            with contextlib.suppress(OSError):
                st = path.stat()
                found.append((st.st_mtime, st.st_size, path))
        return sorted(found)

    def nbytes(self) -> int:
        return sum(size for _, size, _ in self.files())

    def evict(self) -> None:
        """Remove the least recently used files beyond the budget, and stale temporary files."""
        now = time.time()
        for tmp in self.folder.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                if now - tmp.stat().st_mtime > STALE_TEMP_S:
                    tmp.unlink()
        files = self.files()
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.budget:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def open_store() -> VectorStore | None:
    """The app's store from the environment, with the shipped blocks; None when ``$INSTRUCTION_LENS_STORE_MB`` is 0."""
    budget = budget_bytes()
    return VectorStore(default_folder(), budget, SHIPPED) if budget > 0 else None
