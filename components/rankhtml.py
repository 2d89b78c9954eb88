"""A ranking table as HTML: one line per row, the whole text on demand, every text escaped.

The page shows each top-k ranking as a plain HTML table (cheap to draw, one
line per row) rather than a data grid. Cells hold the same values as the
rows of ``components.views.ranking_table``, printed as a browser prints
numbers. The text cell is cut to one line by CSS; hovering shows the whole
document (a ``title``), and a click or Tab on it (it takes focus) unfolds it
in place. Movement is coloured by kind of change (up, down, new in the top k,
falling out of it), with a symbol as well as a colour so it survives
colour-blindness. Grid roles (``role=grid``, ``row``, ``gridcell`` with
``aria-rowindex`` / ``aria-colindex``) keep it navigable by assistive tools.

Every text that reaches the HTML (document text, ids, titles, kinds) goes
through ``html.escape``: corpus text is shown, never run. No script, no
inline event handler, no style from the data.
"""

from __future__ import annotations

import html
from typing import Sequence

TITLE_CHARS = 3000  # the whole text on hover, up to this many characters
HEADER_SHOWN = {"rank": "#", "relevant": "✓"}  # short headers; the full name is the header's title
COLUMN_CLASSES = {"rank": "num", "score": "num", "relevant": "rel", "move": "move", "kind": "kind", "id": "id",
                  "text": "text"}


def cell_text(value) -> str:
    """A value as the browser prints it: ``1.0`` as "1", ``0.61`` as "0.61"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def move_class(move: str, k: int) -> str:
    """The CSS class of a move cell: up, down, new, same, or (baseline table) kept / out of the top k."""
    if move.startswith("▲"):
        return "up"
    if move.startswith("▼"):
        return "down"
    if move.startswith("new"):
        return "new"
    if move.startswith("→"):
        rank = move.split()[1]
        return "out" if rank.isdigit() and int(rank) > k else "kept"
    return "same"


def _cell(header: str, value, col: int, k: int, full_text: str) -> str:
    text = html.escape(cell_text(value), quote=True)
    cls = COLUMN_CLASSES.get(header, "")
    if header == "move":
        cls += " " + move_class(str(value), k)
    attrs = f'role="gridcell" aria-colindex="{col}" class="{cls}"'
    if header == "text":
        return f'<td {attrs} tabindex="0" title="{html.escape(full_text[:TITLE_CHARS], quote=True)}">{text}</td>'
    if header in ("id", "kind"):
        attrs += f' title="{text}"'
    return f"<td {attrs}>{text}</td>"


def ranking_html(rows: Sequence[Sequence], headers: Sequence[str], full_texts: Sequence[str], k: int,
                 label: str) -> str:
    """The table of ``rows`` (cells as ``headers``), ``full_texts[i]`` shown on demand for row ``i``.

    ``label`` is the table's caption ("With instructions").
    An empty ``rows`` gives a table with its header only.
    """
    head = "".join(f'<th role="columnheader" aria-colindex="{c}" class="{COLUMN_CLASSES.get(h, "")} {h}" '
                   f'title="{html.escape(h, quote=True)}">{html.escape(HEADER_SHOWN.get(h, h))}</th>'
                   for c, h in enumerate(headers, 1))
    body = []
    for r, (row, full) in enumerate(zip(rows, full_texts), 2):
        cells = "".join(_cell(h, v, c, k, full) for c, (h, v) in enumerate(zip(headers, row), 1))
        body.append(f'<tr role="row" aria-rowindex="{r}">{cells}</tr>')
    return (f'<div class="lens-scroll"><table class="lens-rank" role="grid" aria-rowcount="{len(body) + 1}">'
            f'<caption>{html.escape(label)}</caption>'
            f'<thead><tr role="row" aria-rowindex="1">{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


# Okabe–Ito colours (safe for the common colour-blindnesses), lighter variants on a dark theme.
CSS = """
.lens-scroll { overflow-x: auto; }
.lens-rank { width: 100%; min-width: 34rem; table-layout: fixed; border-collapse: collapse; font-size: 0.84rem;
  margin: 0; }
.lens-rank caption { caption-side: top; text-align: left; font-weight: 700; font-size: 1.05rem;
  padding: 0 0 4px 0; }
.lens-rank th, .lens-rank td { padding: 3px 6px; border-bottom: 1px solid var(--border-color-primary);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-align: left; vertical-align: top; }
.lens-rank th { font-weight: 600; background: var(--background-fill-secondary); }
.lens-rank th.rank { width: 2.4em; } .lens-rank th.score { width: 4.5em; } .lens-rank th.rel { width: 2.7em; }
.lens-rank th.move { width: 8.3em; } .lens-rank th.kind { width: 6.6em; } .lens-rank th.id { width: 5.6em; }
.lens-rank th.text { width: auto; }
.lens-rank td.num { font-variant-numeric: tabular-nums; }
.lens-rank td.rel { color: #009E73; font-weight: 700; text-align: center; }
.lens-rank td.text { cursor: pointer; }
.lens-rank td.text:focus { white-space: normal; overflow: visible; outline: 2px solid #0072B2; }
.lens-rank td.move.up { color: #007a5a; font-weight: 600; }
.lens-rank td.move.down { color: #b34700; font-weight: 600; }
.lens-rank td.move.new { color: #fff; background: #0072B2; padding: 3px 4px; }
.lens-rank td.move.out { color: #b34700; font-style: italic; }
.dark .lens-rank td.move.up { color: #5fd3a9; } .dark .lens-rank td.move.down { color: #f5a35c; }
.dark .lens-rank td.move.out { color: #f5a35c; } .dark .lens-rank td.rel { color: #5fd3a9; }
.dark .lens-rank td.move.new { background: #1f78b4; }
"""
