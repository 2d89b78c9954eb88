"""The map of how instructions move vectors: data in, ``go.Figure`` out.

``map_data`` places an ``Exploration`` into the stable frame of its model and
corpus (``components.projection``); ``map_figure`` draws it: grey hollow
points where documents sit with no instruction, blue points where the
instructions put them, a thin line between the two, the query's own move as
a bold red arrow-like line, the instructed top-k ringed in orange and
labelled relevant documents starred. When the corpus's documents have kinds,
the instructed points get one colour and symbol per kind (Okabe-Ito colours,
safe for colour-blind readers, and distinct shapes) and the legend names the
kinds. Hover text is escaped once for Plotly
(``<``, ``>`` and ``&`` only: Plotly decodes those entities but shows any
other, such as ``&quot;``, as typed) and cut short, so corpus text can never
become markup. ``message_figure`` stands in for a map that cannot be drawn,
with the reason.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import Enum

import numpy as np

from components.corpora import kind_name
from components.engine import Exploration
from components.figures import plain_figure
from components.projection import FrameCache
from components.wording import shorten

CAPTION = ("Each grey ring is a document with no instruction; the blue dot joined to it is the same "
           "document with the instructions (one colour and shape per kind of text, in a corpus of several "
           "kinds), moved as far as the instructions changed which documents it sits near: a prefix that "
           "moves every vector alike draws short lines. The red line is the query's move. Orange rings: "
           "the instructed top {k}; stars: labelled relevant documents.")

# Okabe & Ito's colour-blind-safe palette, each with its own symbol too, one per kind in order of first
# appearance. Orange and vermillion come last: they are close to the top-k rings and the query's red.
KIND_STYLES: tuple[tuple[str, str], ...] = (
    ("#0072B2", "circle"), ("#CC79A7", "square"), ("#56B4E9", "triangle-up"), ("#009E73", "triangle-down"),
    ("#000000", "cross"), ("#F0E442", "pentagon"), ("#E69F00", "hexagon"), ("#D55E00", "x"),
)


@dataclass(frozen=True)
class MapData:
    """Positions ``[n_docs, 2]`` / ``[2]`` and what to label them with."""

    method: str
    base_xy: np.ndarray
    xy: np.ndarray
    base_query_xy: np.ndarray
    query_xy: np.ndarray
    hover: tuple[str, ...]
    top: tuple[int, ...]
    relevant: tuple[int, ...]
    query_text: str
    mean_doc_cosine: float
    query_cosine: float
    kinds: tuple[str, ...] = ()  # per document, when the corpus has kinds


def plotly_escape(text: str) -> str:
    """``text`` for Plotly hover and annotation text: shown as typed, never markup."""
    return html.escape(text, quote=False)


def _keys(ex: Exploration) -> tuple[tuple, tuple | None]:
    """Cache keys of the frame and of the instructed documents' placement (None: they do not move)."""
    frame_key = (ex.setting.model_key, ex.corpus.fingerprint)
    doc_prompt = ex.setting.prompt("document")
    return frame_key, (frame_key + (doc_prompt, ex.setting.include_prompt) if doc_prompt else None)


class MapWork(str, Enum):
    """What ``map_data`` still has to compute before the map can be drawn (a ``str``, so it compares as text)."""

    FIT = "fit"  # a new frame: UMAP is fitted on the model's uninstructed documents (seconds)
    PLACE = "place"  # the frame exists; the instructed documents are placed into it
    QUERY = ""  # only the query's two points are left


def map_pending(ex: Exploration, frames: FrameCache) -> MapWork:
    """What ``map_data`` still has to compute for ``ex``."""
    frame_key, placed_key = _keys(ex)
    if not frames.has_frame(frame_key):
        return MapWork.FIT
    return MapWork.PLACE if placed_key is not None and not frames.has_placed(placed_key) else MapWork.QUERY


def map_data(ex: Exploration, frames: FrameCache, k: int = 10) -> MapData:
    """Place documents and query of ``ex`` in the frame of (model, corpus)."""
    frame_key, placed_key = _keys(ex)
    frame = frames.frame(frame_key, ex.base_docs)
    if placed_key is not None:  # each document drawn from its fitted place by the change of its placement
        xy = frames.placed(placed_key, frame, ex.docs)
    else:
        xy = frame.base_xy  # no document instruction: documents do not move
    q_xy = frame.place(np.stack([ex.base_query, ex.query]))
    ids = ex.corpus.ids
    has_kinds = bool(ex.corpus.kinds)
    hover = tuple(
        f"<b>{plotly_escape(d.id)}</b>{' · ' + plotly_escape(kind_name(d.kind)) if has_kinds else ''}"
        f" · rank {int(ex.instructed.ranks[i])} with, "
        f"{int(ex.baseline.ranks[i])} without<br>{plotly_escape(shorten(d.title + ' ' + d.text if d.title else d.text, 110))}"
        for i, d in enumerate(ex.corpus.documents))
    relevant = tuple(i for i, doc_id in enumerate(ids) if ex.relevant.get(doc_id, 0) > 0)
    return MapData(
        method=frame.method, base_xy=frame.base_xy, xy=xy, base_query_xy=q_xy[0], query_xy=q_xy[1],
        hover=hover, top=tuple(int(i) for i in ex.instructed.order[:k]), relevant=relevant,
        query_text=plotly_escape(shorten(ex.query_text, 120)),
        mean_doc_cosine=float(np.mean(np.sum(ex.docs * ex.base_docs, axis=1))),
        query_cosine=float(ex.query @ ex.base_query),
        kinds=tuple(d.kind for d in ex.corpus.documents) if has_kinds else (),
    )


def _segments(a: np.ndarray, b: np.ndarray) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for (x0, y0), (x1, y1) in zip(a, b):
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def kind_styles(kinds: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """(colour, symbol) per kind, in order of first appearance; the palette repeats past eight kinds."""
    order = list(dict.fromkeys(kinds))
    return {kind: KIND_STYLES[n % len(KIND_STYLES)] for n, kind in enumerate(order)}


def _instructed_points(data: MapData) -> list[dict]:
    """The documents with instructions: one blue trace, or one trace per kind."""
    if not data.kinds:
        return [dict(type="scatter", x=data.xy[:, 0], y=data.xy[:, 1], mode="markers",
                     name="documents, with instructions", text=list(data.hover), hoverinfo="text",
                     marker=dict(size=6, color="#1f77b4"))]
    traces = []
    for kind, (colour, symbol) in kind_styles(data.kinds).items():
        rows = [i for i, k in enumerate(data.kinds) if k == kind]
        traces.append(dict(type="scatter", x=data.xy[rows, 0], y=data.xy[rows, 1], mode="markers",
                           name=f"{kind_name(kind, 2)}, with instructions",
                           text=[data.hover[i] for i in rows], hoverinfo="text",
                           marker=dict(size=7, color=colour, symbol=symbol)))
    return traces


# Transparent backgrounds and a mid-grey text colour: legible on the page's light and dark themes alike.
THEME = dict(template="plotly_white", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
             font=dict(color="#8a8a8a"))


def _marked_points(data: MapData, k: int) -> list[dict]:
    """Rings on the instructed top k and stars on the labelled relevant documents."""
    top = list(data.top)
    traces = [dict(type="scatter", x=data.xy[top, 0], y=data.xy[top, 1], mode="markers",
                   name=f"top {k} with instructions", text=[data.hover[i] for i in top], hoverinfo="text",
                   marker=dict(size=13, color="rgba(0,0,0,0)", line=dict(color="#ff7f0e", width=2)))]
    if data.relevant:
        rel = list(data.relevant)
        traces.append(dict(type="scatter", x=data.xy[rel, 0], y=data.xy[rel, 1], mode="markers",
                           name="relevant (labelled)", text=[data.hover[i] for i in rel], hoverinfo="text",
                           marker=dict(size=14, symbol="star", color="#2ca02c")))
    return traces


def _query_points(data: MapData) -> list[dict]:
    """The query's move and its two places."""
    q0, q1 = data.base_query_xy, data.query_xy
    return [
        dict(type="scatter", x=[q0[0], q1[0]], y=[q0[1], q1[1]], mode="lines", name="query move",
             line=dict(color="#d62728", width=4), hoverinfo="skip"),
        dict(type="scatter", x=[q0[0]], y=[q0[1]], mode="markers", name="query, no instruction",
             text=[f"query, no instruction<br>{data.query_text}"], hoverinfo="text",
             marker=dict(size=14, symbol="diamond-open", color="#d62728", line=dict(width=2))),
        dict(type="scatter", x=[q1[0]], y=[q1[1]], mode="markers", name="query, with instructions",
             text=[f"query, with instructions<br>{data.query_text}"], hoverinfo="text",
             marker=dict(size=14, symbol="diamond", color="#d62728")),
    ]


def map_figure(data: MapData, k: int = 10):
    """The map as a plotly figure (traces named for the legend)."""
    lx, ly = _segments(data.base_xy, data.xy)
    traces = [
        dict(type="scatter", x=lx, y=ly, mode="lines", name="document moves",
             line=dict(color="rgba(120,120,120,0.45)", width=1), hoverinfo="skip"),
        dict(type="scatter", x=data.base_xy[:, 0], y=data.base_xy[:, 1], mode="markers",
             name="documents, no instruction", hoverinfo="skip",  # its blue dot says it
             marker=dict(size=7, color="rgba(0,0,0,0)", line=dict(color="#888", width=1))),
        *_instructed_points(data), *_marked_points(data, k), *_query_points(data),
    ]
    how = {"umap": "UMAP fitted on the vectors with no instruction",
           "pca-interim": "first two principal components for now<br>(UMAP is being prepared and "
                          "replaces them on the next update)",
           }.get(data.method, "first two principal components<br>(too few documents for UMAP)")
    # short lines: a plotly title does not wrap, and a phone is about 60 characters wide
    layout = dict(
        title=dict(text=f"Map: {how}.<br>Cosine of each text to itself, with vs without instruction:<br>"
                        f"documents {data.mean_doc_cosine:.3f} (mean), query {data.query_cosine:.3f}",
                   font=dict(size=12)),
        margin=dict(l=10, r=10, t=80, b=10), height=560, **THEME,
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
        xaxis=dict(showticklabels=False, zeroline=False), yaxis=dict(showticklabels=False, zeroline=False),
    )
    return plain_figure(traces, layout)


def message_figure(message: str):
    """A blank figure that shows ``message`` where the map would be."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=plotly_escape(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14))
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False), height=520,
                      margin=dict(l=10, r=10, t=10, b=10), **THEME)
    return fig
