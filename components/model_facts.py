"""A packaged model's fingerprint and token limit, remembered on disk, so a restarted app can read
its vector store before the model is loaded.

Every vector is keyed by the fingerprint of the model that made it
(``components.loading.fingerprint``), which needs the loaded model: importing
sentence-transformers and reading the weights cost a restarted app seconds
before its first ranking, although the vectors are on disk. A ``FactsBook``
keeps, per packaged model, the fingerprint and token limit of its last load
together with a *signature* of everything that load read: the preset, every
file of the folder it was loaded from (name, size, modification time), the
installed versions of the libraries that compute the vectors and of the
preset's own packages, and the app's loading code. A fact is used only while
the signature is the same; otherwise the caller loads the model, and its new
fingerprint replaces the fact. Hub models are never remembered (their files
belong to the Hub client's cache).

A fact file (one per model and signature) is written to a temporary file and
renamed; a torn, foreign or unreadable file counts as no fact. This module does not load models and
imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

from components.models import ModelPreset

LIBRARIES = ("torch", "transformers", "sentence-transformers", "tokenizers", "peft", "numpy")
# The app's code that builds a loaded model (its weights, tokenizer and modules).
LOADING_CODE = ("loading.py", "adapters.py", "joint.py", "models.py", "e5")
FORMAT = 1
FACTS_FOLDER = "models"  # the app keeps its facts book in this folder of the vector store's


@dataclass(frozen=True)
class Facts:
    """What keys a model's vectors and clips its texts."""

    fingerprint: str
    token_limit: int


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _requirements(preset: ModelPreset) -> list[str]:
    """The distributions named in the preset's ``requirement`` (``name==version`` items)."""
    return re.findall(r"([A-Za-z0-9_.\-]+)==", preset.requirement or "")


def _files(folder: Path) -> list[str]:
    """``name:size:mtime_ns`` of every file under ``folder``, sorted."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        st = path.stat()
        out.append(f"{path.relative_to(folder).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return out


def _code_digest() -> str:
    """A digest of the app's loading code (``LOADING_CODE`` under ``components``)."""
    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for name in LOADING_CODE:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(file.relative_to(root).as_posix().encode())
            h.update(file.read_bytes())
    return h.hexdigest()


def signature(preset: ModelPreset, folder: Path) -> str:
    """A digest of what loading ``preset`` from ``folder`` reads and runs (see the module's text)."""
    parts = {"format": FORMAT, "preset": repr(preset), "files": _files(folder),
             "libraries": {d: _version(d) for d in (*LIBRARIES, *_requirements(preset))},
             "code": _code_digest()}
    return hashlib.blake2b(json.dumps(parts, sort_keys=True).encode(), digest_size=16).hexdigest()


def _default_folder(preset: ModelPreset) -> Path:
    from components.loading import resolve

    return Path(resolve(preset))


class FactsBook:
    """Facts per packaged model and signature in ``folder`` (one small JSON file each).

    One file per signature, so two installations sharing a cache folder (two
    virtual environments, whose packaged models live in different folders)
    keep their own facts instead of overwriting each other's; at most
    ``KEEP_PER_MODEL`` files per model are kept, the newest.
    ``resolve`` maps a preset to the folder its model is loaded from (default:
    ``components.loading.resolve``, a no-op once a packaged folder is ready).
    """

    KEEP_PER_MODEL = 4

    def __init__(self, folder: Path | str, resolve: Callable[[ModelPreset], Path] = _default_folder) -> None:
        self.folder = Path(folder)
        self._resolve = resolve
        self._checked: dict[str, Facts | None] = {}  # per process: a model's files are checked once

    def _prefix(self, preset: ModelPreset) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", preset.key) + "."

    def _files(self, preset: ModelPreset) -> list[Path]:
        """This model's fact files, newest first."""
        found = []
        for path in self.folder.glob(self._prefix(preset) + "*.json"):
            with contextlib.suppress(OSError):
                found.append((path.stat().st_mtime, path))
        return [path for _, path in sorted(found, reverse=True)]

    def get(self, preset: ModelPreset) -> Facts | None:
        """The remembered facts of ``preset`` if its files, libraries and loading code are unchanged
        (checked once per process: the answer is kept until ``record``)."""
        if preset.key not in self._checked:
            self._checked[preset.key] = self._read(preset)
        return self._checked[preset.key]

    def _read(self, preset: ModelPreset) -> Facts | None:
        if not preset.offline or not self._files(preset):  # nothing remembered: no need to look at the model
            return None
        try:
            sig = signature(preset, self._resolve(preset))
            saved = json.loads((self.folder / f"{self._prefix(preset)}{sig}.json").read_text(encoding="utf-8"))
            if saved.get("key") != preset.key or saved.get("format") != FORMAT or saved.get("signature") != sig:
                return None
            return Facts(str(saved["fingerprint"]), int(saved["token_limit"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, preset: ModelPreset, facts: Facts) -> None:
        """Remember ``facts`` of a model just loaded from its folder (a failure to write is ignored)."""
        if not preset.offline:
            return
        self._checked[preset.key] = facts
        with contextlib.suppress(OSError):
            sig = signature(preset, self._resolve(preset))
            entry = {"format": FORMAT, "key": preset.key, "fingerprint": facts.fingerprint,
                     "token_limit": facts.token_limit, "signature": sig}
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entry, fh)
                os.replace(tmp, self.folder / f"{self._prefix(preset)}{sig}.json")
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            for old in self._files(preset)[self.KEEP_PER_MODEL:]:
                old.unlink()
