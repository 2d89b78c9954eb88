"""The rank-change chart: which documents, where their lines start and end, how they are told apart."""

import pytest

from components.engine import Setting
from components.rankchange import (COLOURS, Change, RankLine, lines_from_exploration, rank_change_figure,
                                   rank_lines)

BASELINE = ["a", "b", "c", "d", "e", "f"]
INSTRUCTED = ["c", "a", "e", "f", "b", "d"]


def _by_name(fig) -> dict:
    return {t.name: t for t in fig.data}


def _ends(trace) -> dict[str, tuple[float, float]]:
    """doc id (from the hover text) -> (y without, y with)."""
    out = {}
    for n in range(0, len(trace.x), 3):
        doc = trace.hovertext[n].split("</b>")[0].removeprefix("<b>")
        out[doc] = (trace.y[n], trace.y[n + 1])
    return out


def test_lines_cover_the_union_of_both_top_k():
    lines = rank_lines(BASELINE, INSTRUCTED, k=3)
    assert [ln.doc_id for ln in lines] == ["c", "a", "e", "b"]
    assert {ln.doc_id: (ln.before, ln.after) for ln in lines} == {"c": (3, 1), "a": (1, 2), "e": (5, 3),
                                                                  "b": (2, 5)}
    assert {ln.doc_id: ln.change(3) for ln in lines} == {"c": Change.STAYED, "a": Change.STAYED,
                                                          "e": Change.ENTERED, "b": Change.LEFT}


def test_a_document_missing_from_a_cut_list_ranks_just_below_it():
    lines = rank_lines(["a", "b"], ["b", "z"], k=2)
    assert {ln.doc_id: (ln.before, ln.after) for ln in lines} == {"b": (2, 1), "z": (3, 2), "a": (1, 3)}


def test_figure_traces_coordinates_and_labels():
    lines = rank_lines(BASELINE, INSTRUCTED, k=3, texts={d: f"text of {d}" for d in BASELINE},
                       relevant={"e": 1})
    fig = rank_change_figure(lines, k=3)
    traces = _by_name(fig)
    assert list(traces) == ["stayed in the top 3", "entered the top 3 with instructions",
                            "left the top 3 with instructions"]
    assert _ends(traces["stayed in the top 3"]) == {"c": (3, 1), "a": (1, 2)}
    # below the cut at 3: the band starts at 4.5, in rank order on each side
    assert _ends(traces["entered the top 3 with instructions"]) == {"e": (4.5, 3)}
    assert _ends(traces["left the top 3 with instructions"]) == {"b": (2, 4.5)}
    assert list(traces["entered the top 3 with instructions"].text) == ["#5", "", None]
    assert list(traces["left the top 3 with instructions"].text) == ["", "#5", None]
    assert set(traces["stayed in the top 3"].x) == {0, 1, None}
    assert list(fig.layout.yaxis.ticktext) == ["1", "2", "3", "below 3"]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # rank 1 at the top
    assert list(fig.layout.xaxis.ticktext) == ["without instructions", "with instructions"]


def test_entering_and_leaving_differ_by_more_than_colour():
    fig = rank_change_figure(rank_lines(BASELINE, INSTRUCTED, k=3), k=3)
    entered, left = (_by_name(fig)[f"{c} the top 3 with instructions"] for c in ("entered", "left"))
    stayed = _by_name(fig)["stayed in the top 3"]
    assert left.line.dash == "dash" and entered.line.dash == stayed.line.dash == "solid"
    assert entered.line.width > stayed.line.width
    assert entered.marker.symbol[0] == "circle-open" and left.marker.symbol[1] == "circle-open"


def test_relevant_documents_end_in_stars():
    fig = rank_change_figure(rank_lines(BASELINE, INSTRUCTED, k=3, relevant={"a": 1}), k=3)
    stayed = _by_name(fig)["stayed in the top 3"]
    assert list(stayed.marker.symbol) == ["circle", "circle", "circle", "star", "star", "circle"]


@pytest.mark.parametrize("dark, template", [(False, "plotly_white"), (True, "plotly_dark")])
def test_dark_and_light_themes_use_okabe_ito_colours(dark, template):
    fig = rank_change_figure(rank_lines(BASELINE, INSTRUCTED, k=3), k=3, dark=dark)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert {t.line.color for t in fig.data} <= okabe_ito
    assert {t.line.color for t in fig.data} == set(COLOURS[dark].values())
    assert fig.layout.template == rank_change_figure([], 3, dark=dark).layout.template
    expected_bg = {"plotly_white": "white", "plotly_dark": "rgb(17,17,17)"}[template]
    assert fig.layout.template.layout.plot_bgcolor == expected_bg


def test_hover_text_is_plain_text():
    hostile = RankLine('<img src=x onerror="alert(1)">', 1, 2, "<script>alert(2)</script> & more\n" * 20,
                       kind="answer", relevant=True)
    fig = rank_change_figure([hostile], k=3)
    hover = fig.data[0].hovertext[0]
    assert "<img" not in hover and "<script" not in hover
    assert "&lt;img src=x onerror=\"alert(1)\"&gt;" in hover and "&lt;script&gt;" in hover
    assert "answer passage" in hover and "labelled relevant" in hover and "rank 1 without, 2 with" in hover
    assert hover.endswith("…") and "\n" not in hover


def test_every_title_line_fits_a_phone():
    lines = rank_change_figure(rank_lines(BASELINE, INSTRUCTED, k=3), k=50).layout.title.text.split("<br>")
    assert len(lines) == 2 and max(map(len, lines)) <= 62, lines


def test_no_lines_draws_an_empty_chart():
    fig = rank_change_figure([], k=5)
    assert len(fig.data) == 0 and list(fig.layout.yaxis.ticktext)[-1] == "below 5"


def test_bad_k_is_refused():
    with pytest.raises(ValueError, match="k must be at least 1"):
        rank_lines(BASELINE, INSTRUCTED, k=0)


def test_lines_from_an_exploration(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    lines = lines_from_exploration(ex, k=2)
    ids = pets.ids
    for ln in lines:
        i = ids.index(ln.doc_id)
        assert (ln.before, ln.after) == (ex.baseline.ranks[i], ex.instructed.ranks[i])
        assert ln.text == pets.documents[i].text and ln.relevant == (ln.doc_id == "d4")
    assert {ln.doc_id for ln in lines} == {ids[int(i)] for i in [*ex.instructed.order[:2], *ex.baseline.order[:2]]}
