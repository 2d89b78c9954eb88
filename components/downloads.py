"""Files offered for download (CSV exports), written to one temporary folder.

Each file gets a fresh sub-folder (two people exporting at once never share a
file); folders older than ``MAX_AGE_S`` are removed whenever a new one is
written, so exports do not pile up on a long-running server.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

MAX_AGE_S = 3600
ROOT = Path(tempfile.gettempdir()) / "instruction-lens-downloads"


def _prune(now: float) -> None:
    for child in ROOT.iterdir():
        try:
            if now - child.stat().st_mtime > MAX_AGE_S:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue  # removed by another thread meanwhile


def write_download(name: str, text: str) -> str:
    """Write ``text`` as ``name`` in a fresh folder; returns the file's path."""
    ROOT.mkdir(parents=True, exist_ok=True)
    _prune(time.time())
    folder = tempfile.mkdtemp(dir=ROOT)
    path = os.path.join(folder, os.path.basename(name) or "download.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return path
