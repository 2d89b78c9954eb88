"""The map figure: traces, positions, escaped hover text."""

import numpy as np

from components.corpora import Corpus, Document
from components.engine import Setting
from components.mapview import KIND_STYLES, kind_styles, map_data, map_figure, message_figure
from components.projection import FrameCache


def _names(fig):
    return [t.name for t in fig.data]


def test_figure_has_the_expected_traces(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    data = map_data(ex, FrameCache(), k=3)
    fig = map_figure(data, k=3)
    assert _names(fig) == ["document moves", "documents, no instruction", "documents, with instructions",
                           "top 3 with instructions", "relevant (labelled)", "query move",
                           "query, no instruction", "query, with instructions"]
    assert len(fig.data[1].x) == len(pets.documents) == len(fig.data[2].x)
    assert len(fig.data[3].x) == 3
    assert list(fig.data[5].x) == [data.base_query_xy[0], data.query_xy[0]]
    assert data.relevant == (3,)


def test_no_document_instruction_means_documents_do_not_move(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", ""), "pet")
    data = map_data(ex, FrameCache())
    np.testing.assert_array_equal(data.xy, data.base_xy)
    assert data.mean_doc_cosine > 0.9999


def test_hover_text_is_escaped(fake_engine):
    hostile = Corpus("h", "H", (Document("x<1>", '<img src=x onerror="alert(1)"> text'), Document("y", "fine")))
    ex = fake_engine.explore(hostile, Setting("minilm-offline", "q: ", "d: "), "<script>alert(2)</script>")
    data = map_data(ex, FrameCache())
    assert all("<img" not in h and "<script" not in h for h in data.hover)
    assert "&lt;img" in data.hover[0] and "x&lt;1&gt;" in data.hover[0]
    assert "&lt;script&gt;" in data.query_text


def test_message_figure_shows_the_text_escaped():
    fig = message_figure("no <b>map</b>")
    assert fig.layout.annotations[0].text == "no &lt;b&gt;map&lt;/b&gt;"


def test_kinds_get_one_trace_each_with_its_own_colour_and_symbol(fake_engine):
    kinds = ["question", "answer", "code", "doc", "definition"]
    # 9 documents: few enough for the quick PCA frame (no UMAP compile in a unit test)
    docs = tuple(Document(f"{k}{i}", f"{k} text number {i} about lists", kind=k) for i in range(2) for k in kinds)[:9]
    corpus = Corpus("mixed", "Mixed", docs)
    ex = fake_engine.explore(corpus, Setting("minilm-offline", "q: ", "d: "), "sort a list")
    data = map_data(ex, FrameCache(), k=3)
    assert data.kinds == tuple(d.kind for d in docs)
    fig = map_figure(data, k=3)
    per_kind = [t for t in fig.data if t.name.endswith("s, with instructions") and not t.name.startswith("query")]
    assert [t.name for t in per_kind] == ["questions, with instructions", "answer passages, with instructions",
                                          "functions, with instructions", "documentation paragraphs, with instructions",
                                          "definitions, with instructions"]
    assert "documents, with instructions" not in _names(fig)
    assert len({t.marker.color for t in per_kind}) == 5 and len({t.marker.symbol for t in per_kind}) == 5
    assert all(t.marker.color in {c for c, _ in KIND_STYLES} for t in per_kind)
    assert sum(len(t.x) for t in per_kind) == len(docs)
    i = data.kinds.index("doc")
    assert "documentation paragraph" in data.hover[i]
    assert kind_styles(("b", "a", "b")) == {"b": KIND_STYLES[0], "a": KIND_STYLES[1]}


def test_a_corpus_without_kinds_keeps_one_blue_trace(fake_engine, pets):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "pet")
    data = map_data(ex, FrameCache())
    assert data.kinds == () and "documents, with instructions" in _names(map_figure(data))
