"""Figures built without plotly's checks are exactly the figures plotly's checks accept."""

import json

import plotly.graph_objects as go
import pytest

from components.corpora import Corpus, Document
from components.engine import Setting
from components.figures import plain_figure
from components.mapview import map_data, map_figure
from components.projection import FrameCache
from components.rankchange import rank_change_figure, rank_lines


def _checked_twin(fig) -> dict:
    """The figure rebuilt with every property checked (raises on anything plotly does not accept)."""
    return json.loads(go.Figure(json.loads(fig.to_json())).to_json())


def _same_as_checked(fig) -> None:
    assert json.loads(fig.to_json()) == _checked_twin(fig)


def test_a_wrong_property_would_be_caught_by_the_twin():
    bad = plain_figure([{"type": "scatter", "x": [1], "y": [1], "colour": "red"}], {})
    with pytest.raises(ValueError):
        _checked_twin(bad)


def test_a_template_named_by_string_is_the_template_itself():
    fig = plain_figure([], {"template": "plotly_white"})
    checked = go.Figure(layout={"template": "plotly_white"})
    assert fig.layout.template.layout.paper_bgcolor == checked.layout.template.layout.paper_bgcolor
    _same_as_checked(fig)


def test_the_map_is_a_valid_figure(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which <b>pet</b> can talk?")
    _same_as_checked(map_figure(map_data(ex, FrameCache(), k=3), k=3))


def test_the_map_with_kinds_is_a_valid_figure(fake_engine):
    docs = tuple(Document(f"{k}{i}", f"{k} text {i}", kind=k) for i in range(2) for k in ("question", "code", "doc"))
    ex = fake_engine.explore(Corpus("mixed", "Mixed", docs), Setting("minilm-offline", "q: ", "d: "), "sort")
    _same_as_checked(map_figure(map_data(ex, FrameCache(), k=3), k=3))


@pytest.mark.parametrize("dark", [False, True])
def test_the_rank_change_chart_is_a_valid_figure(dark):
    lines = rank_lines(list("abcdef"), list("caefbd"), k=3, texts={d: f"<i>{d}</i>" for d in "abcdef"},
                       relevant={"e": 1})
    _same_as_checked(rank_change_figure(lines, k=3, dark=dark))
    _same_as_checked(rank_change_figure([], k=5, dark=dark))


def test_the_page_theme_laid_over_the_rank_change_chart_is_a_valid_figure():
    from components.mapview import THEME

    fig = rank_change_figure(rank_lines(list("abc"), list("cab"), k=2), k=2, theme=THEME)
    assert fig.layout.paper_bgcolor == THEME["paper_bgcolor"]
    _same_as_checked(fig)
