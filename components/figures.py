"""Plotly figures from plain dicts, built without plotly's per-property checks.

``go.Figure`` checks every property of every trace as it is set: for the
map (eight traces, 600-odd points with hover text) that costs several times
more than the rest of the map's work together. ``plain_figure`` builds the
same figure from trace and layout dicts without those checks (plotly's
``_validate=False``), resolving a template named by string to the template
itself, as the checks would. The dicts must be what plotly accepts:
``tests/test_figures.py`` compares each of the app's figures with the same
figure built with the checks on.

It draws nothing and chooses no style; the figures' contents are
``components.mapview``'s and ``components.rankchange``'s.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go


@functools.lru_cache(maxsize=8)
def _template(name: str) -> dict:
    import plotly.io as pio

    return pio.templates[name].to_plotly_json()


def plain_figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A ``go.Figure`` of ``traces`` (each with its ``type``) and ``layout``, unchecked.

    >>> fig = plain_figure([{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "a"}], {"height": 300})
    >>> fig.data[0].name, fig.layout.height
    ('a', 300)
    """
    import plotly.graph_objects as go

    layout = dict(layout)
    if isinstance(layout.get("template"), str):
        layout["template"] = _template(layout["template"])
    return go.Figure({"data": traces, "layout": layout}, _validate=False)
