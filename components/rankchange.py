"""The rank-change chart: where each document ranks without instructions (left) and with them (right).

``rank_lines`` joins two rankings (lists of document ids, best first) for
the documents in either top k; ``lines_from_exploration`` does it for an
``Exploration``. ``rank_change_figure`` draws them as a slope chart: one
line per document from its rank without instructions to its rank with
them, rank 1 at the top, so crossing lines show what the instructions
changed. A document ranked below k on one side is drawn in a band under
the cut (in rank order, its true rank written beside it): one that entered
the top k with the instructions is a solid thick line, one that left it a
dashed line, each in its own Okabe-Ito colour, so colour is never the only
sign. Labelled relevant documents end in stars. ``dark=True`` draws for a
dark page. Hover text is the id, kind, both ranks and the shortened text,
escaped for Plotly so corpus text never becomes markup.

It computes no ranking and draws no pixels itself (Plotly does); a figure
that cannot be drawn is ``components.mapview.message_figure``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from components.corpora import kind_name
from components.figures import plain_figure
from components.mapview import plotly_escape

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from components.engine import Exploration

HOVER_CHARS = 120


class Change(Enum):
    """What the instructions did to a document's place in the top k."""

    STAYED = "stayed in the top {k}"
    ENTERED = "entered the top {k} with instructions"
    LEFT = "left the top {k} with instructions"


# Okabe & Ito's colour-blind-safe colours; on a dark page the stayed lines take the lighter blue.
COLOURS = {False: {Change.STAYED: "#0072B2", Change.ENTERED: "#009E73", Change.LEFT: "#D55E00"},
           True: {Change.STAYED: "#56B4E9", Change.ENTERED: "#009E73", Change.LEFT: "#D55E00"}}
DASH = {Change.STAYED: "solid", Change.ENTERED: "solid", Change.LEFT: "dash"}
WIDTH = {Change.STAYED: 2, Change.ENTERED: 4, Change.LEFT: 3}


@dataclass(frozen=True)
class RankLine:
    """One document: its 1-based rank without (``before``) and with (``after``) instructions."""

    doc_id: str
    before: int
    after: int
    text: str = ""
    kind: str = ""
    relevant: bool = False

    def change(self, k: int) -> Change:
        if self.before > k:
            return Change.ENTERED
        return Change.LEFT if self.after > k else Change.STAYED


def rank_lines(baseline: Sequence[str], instructed: Sequence[str], k: int,
               texts: Mapping[str, str] | None = None, kinds: Mapping[str, str] | None = None,
               relevant: Mapping[str, int] | None = None) -> list[RankLine]:
    """The documents of both top ``k``, each with its rank on both sides (best-first id lists).

    A document missing from a list (one cut to its top k) ranks just below it there.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    texts, kinds, relevant = texts or {}, kinds or {}, relevant or {}
    before = {d: r for r, d in enumerate(baseline, 1)}
    after = {d: r for r, d in enumerate(instructed, 1)}
    chosen = list(dict.fromkeys([*instructed[:k], *baseline[:k]]))
    return [RankLine(d, before.get(d, len(baseline) + 1), after.get(d, len(instructed) + 1), texts.get(d, ""),
                     kinds.get(d, ""), relevant.get(d, 0) > 0) for d in chosen]


def lines_from_exploration(ex: Exploration, k: int) -> list[RankLine]:
    """``rank_lines`` for the two rankings of ``ex`` (texts, kinds and labels from its corpus)."""
    ids = ex.corpus.ids
    docs = {d.id: d for d in ex.corpus.documents}
    return rank_lines([ids[int(i)] for i in ex.baseline.order], [ids[int(i)] for i in ex.instructed.order], k,
                      {d: doc.text for d, doc in docs.items()}, {d: doc.kind for d, doc in docs.items()},
                      ex.relevant)


def _band(lines: list[RankLine], k: int, side: str) -> dict[str, float]:
    """Y position on one side: the rank within the top k, else a place in the band below the cut."""
    rank = {ln.doc_id: getattr(ln, side) for ln in lines}
    below = sorted((r, d) for d, r in rank.items() if r > k)
    y = {d: float(r) for d, r in rank.items() if r <= k}
    y.update({d: k + 1.5 + n for n, (_, d) in enumerate(below)})
    return y


def _hover(line: RankLine) -> str:
    flat = " ".join(line.text.split())
    short = flat if len(flat) <= HOVER_CHARS else flat[: HOVER_CHARS - 1] + "…"
    kind = f" · {kind_name(line.kind)}" if line.kind else ""
    mark = " · labelled relevant" if line.relevant else ""
    return (f"<b>{plotly_escape(line.doc_id)}</b>{plotly_escape(kind)}{mark}<br>"
            f"rank {line.before} without, {line.after} with instructions<br>{plotly_escape(short)}")


def _trace(lines: list[RankLine], change: Change, k: int, y0: dict, y1: dict, dark: bool) -> dict:
    xs: list = []
    ys: list = []
    hover: list = []
    labels: list = []
    symbols: list = []
    for ln in lines:
        xs += [0, 1, None]
        ys += [y0[ln.doc_id], y1[ln.doc_id], None]
        hover += [_hover(ln)] * 2 + [None]
        labels += [f"#{ln.before}" if ln.before > k else "", f"#{ln.after}" if ln.after > k else "", None]
        end = "star" if ln.relevant else "circle"
        symbols += [end if change != Change.ENTERED else "circle-open", end if change != Change.LEFT
                    else "circle-open", "circle"]
    colour = COLOURS[dark][change]
    sides = ["middle left", "middle right", "middle right"] * len(lines)  # the true rank outside each end
    return dict(type="scatter", x=xs, y=ys, mode="lines+markers+text", name=change.value.format(k=k), text=labels,
                textposition=sides, hovertext=hover, hoverinfo="text",
                textfont=dict(color=colour), line=dict(color=colour, width=WIDTH[change], dash=DASH[change]),
                marker=dict(size=9, color=colour, symbol=symbols, line=dict(color=colour, width=2)))


def rank_change_figure(lines: Sequence[RankLine], k: int, dark: bool = False,
                       theme: Mapping[str, Any] | None = None) -> go.Figure:
    """The slope chart of ``lines``: one trace per ``Change`` that occurs, named for the legend.

    ``theme``: layout settings laid over the chart's own (the page passes the map's transparent theme).
    """
    lines = list(lines)
    y0, y1 = _band(lines, k, "before"), _band(lines, k, "after")
    traces = [_trace(group, change, k, y0, y1, dark) for change in Change
              if (group := [ln for ln in lines if ln.change(k) == change])]
    deepest = max([k + 0.5, *y0.values(), *y1.values()]) + 0.5
    ticks = list(range(1, k + 1))
    layout = dict(
        template="plotly_dark" if dark else "plotly_white", height=max(360, 26 * deepest + 120),
        title=dict(text=f"How the top {k} changed:<br>rank without instructions (left) and with them (right)",
                   font=dict(size=12)),  # two short lines: a plotly title does not wrap
        margin=dict(l=10, r=10, t=56, b=10), legend=dict(orientation="h", yanchor="top", y=-0.04, x=0),
        xaxis=dict(tickvals=[0, 1], ticktext=["without instructions", "with instructions"], range=[-0.15, 1.25],
                   zeroline=False, showgrid=False),
        yaxis=dict(tickvals=[*ticks, k + 1.5], ticktext=[*map(str, ticks), f"below {k}"],
                   range=[deepest, 0.3], zeroline=False, title=dict(text="rank")),
        shapes=[dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=k + 0.75, y1=k + 0.75,
                     line=dict(color="#888", width=1, dash="dot"))],  # the cut below the top k
    )
    return plain_figure(traces, {**layout, **(theme or {})})
