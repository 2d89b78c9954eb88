"""The map figure: traces, positions, escaped hover text, honest move lengths."""

import dataclasses
import re

import numpy as np
import pytest

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


@pytest.mark.parametrize("method", ["umap", "pca-interim", "pca"])
def test_every_title_line_fits_a_phone(fake_engine, pets, method):
    ex = fake_engine.explore(pets, Setting("minilm-offline", "q: ", "d: "), "Which pet can talk?")
    data = map_data(ex, FrameCache(), k=3)
    title = map_figure(dataclasses.replace(data, method=method), k=3).layout.title.text
    lines = title.split("<br>")
    assert len(lines) >= 3 and max(map(len, lines)) <= 62, lines
    assert f"query {data.query_cosine:.3f}" in lines[-1]


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


# Plotly's own entity table (plotly.js svg_text_utils convertEntities): any other named entity,
# such as &quot;, is shown as typed, so quotes must not be escaped
PLOTLY_ENTITIES = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×", "plusmn": "±",
                   "deg": "°"}


def _plotly_shows(text: str) -> str:
    """The text Plotly displays for ``text`` (no tags in it): its one entity-decoding pass."""
    def decode(m):
        ref = m.group(1)
        if ref.startswith("#"):
            return chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
        return PLOTLY_ENTITIES.get(ref, m.group(0))
    return re.sub(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);", decode, text)


@pytest.mark.parametrize("text", ['Use "spaghetti" code', "it's <b>bold</b> & &amp; &quot;", "&#x27;doc-1&#x27;"])
def test_hover_text_is_shown_as_typed(fake_engine, text):
    corpus = Corpus("h", "H", (Document("d'1", text), Document("y", "fine")))
    ex = fake_engine.explore(corpus, Setting("minilm-offline", "q: ", "d: "), text)
    data = map_data(ex, FrameCache())
    body = data.hover[0].split("<br>", 1)[1]
    assert _plotly_shows(body) == text and "<" not in body
    assert data.hover[0].startswith("<b>d'1</b>")
    assert _plotly_shows(data.query_text) == text


def test_hover_escapes_exactly_once():
    from components.mapview import plotly_escape

    assert plotly_escape('He said "spaghetti" & <b>') == 'He said "spaghetti" &amp; &lt;b&gt;'


def test_message_figure_shows_the_text_escaped():
    fig = message_figure("no <b>map</b> for \"x\"")
    assert fig.layout.annotations[0].text == 'no &lt;b&gt;map&lt;/b&gt; for "x"'


def _manifold(rng, n=60, dim=32, intrinsic=4):
    """Unit vectors near a low-dimensional subspace, as sentence embeddings lie."""
    x = rng.standard_normal((n, intrinsic)) @ rng.standard_normal((intrinsic, dim))
    x += 0.3 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _exploration(base_docs, docs, base_q, q):
    from components.engine import Exploration
    from components.retrieval import rank

    corpus = Corpus("c", "C", tuple(Document(f"d{i:02d}", f"text {i}") for i in range(len(docs))))
    ids = corpus.ids
    return Exploration(corpus=corpus, setting=Setting("minilm-offline", "q: ", "d: "), query_text="q",
                       instructed=rank(q, docs, ids), baseline=rank(base_q, base_docs, ids),
                       docs=docs, base_docs=base_docs, query=q, base_query=base_q)


def _shift(x, direction, size):
    y = x + size * direction
    return (y / np.linalg.norm(y, axis=-1, keepdims=True)).astype(np.float32)


def _move_ratios(data):
    extent = np.linalg.norm(data.base_xy.max(axis=0) - data.base_xy.min(axis=0))
    docs = np.linalg.norm(data.xy - data.base_xy, axis=1) / extent
    return docs, np.linalg.norm(data.query_xy - data.base_query_xy) / extent


@pytest.mark.parametrize("seed", [0, 1])
def test_a_uniform_near_identity_change_draws_short_lines(seed):
    """A prefix that moves every vector alike (cosine >= 0.99 each) keeps the map still (real UMAP)."""
    rng = np.random.default_rng(seed)
    base = _manifold(rng)
    direction = rng.standard_normal(base.shape[1]).astype(np.float32)
    direction /= np.linalg.norm(direction)
    docs = _shift(base, direction, 0.12)
    base_q = base[3] * 0.7 + base[20] * 0.3
    base_q /= np.linalg.norm(base_q)
    q = _shift(base_q, direction, 0.12)
    assert np.sum(docs * base, axis=1).min() >= 0.99 and q @ base_q >= 0.99
    data = map_data(_exploration(base, docs, base_q, q), FrameCache())
    assert data.method == "umap"
    doc_moves, query_move = _move_ratios(data)
    assert np.median(doc_moves) < 0.05 and query_move < 0.05


def test_a_change_of_neighbours_draws_long_lines():
    rng = np.random.default_rng(2)
    base = _manifold(rng)
    docs = base[rng.permutation(len(base))]  # every document takes another's vector
    far = int(np.argmin(base @ base[0]))  # the query turns into the least similar document
    data = map_data(_exploration(base, docs, base[0], base[far]), FrameCache())
    doc_moves, query_move = _move_ratios(data)
    assert np.median(doc_moves) > 0.2 and query_move > 0.2


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


def test_map_pending_names_the_work_left(fake_engine, pets):
    from components.mapview import MapWork, map_pending
    from components.projection import FrameCache
    from components.setting import default_setting

    frames = FrameCache()
    ex = fake_engine.explore(pets, default_setting("qa", "minilm-offline"), "Which pet can talk?")
    assert map_pending(ex, frames) is MapWork.FIT and map_pending(ex, frames) == "fit"
    map_data(ex, frames)
    assert map_pending(ex, frames) in (MapWork.QUERY, MapWork.PLACE)
