"""The summary corpus builder's rules on a handbook-shaped page, and the committed corpus that follows them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from components.corpora import load_sample, manifest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_summary_corpus", REPO / "scripts" / "build_summary_corpus.py")
assert _spec and _spec.loader
builder = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = builder  # dataclasses look their module up while it runs
_spec.loader.exec_module(builder)

FILLER = "APT fetches package lists from every configured source before it installs anything. " * 3

PAGE = f"""<?xml version="1.0" encoding="UTF-8"?><html><body><div class="section"><div class="titlepage">
<div><div><h2 class="title">6.2. aptitude, apt-get, and apt Commands</h2></div></div></div>
<div class="section"><div class="titlepage"><div><div><h3 class="title"><a id="x"></a>6.2.1. Updating the Package Lists</h3>
</div></div></div><a class="indexterm" id="i1"></a><div class="para">
  Run   <code class="command">apt update</code> first.
  {FILLER}</div>
<div class="figure"><div class="figure-contents"><img alt="Updating the Package Lists" /></div>
<p class="title"><strong>Figure 6.1. Updating the Package Lists</strong></p></div>
<pre class="screen"># apt update
Hit:1 http://deb.example stable InRelease</pre>
<div class="section"><div class="titlepage"><div><div><h4 class="title">6.2.1.1. Incremental updates</h4>
</div></div></div><div class="para">Diff files save downloads.</div></div>
<div class="sidebar"><div class="titlepage"><div><div><p class="title"><strong>TIP Last</strong></p></div></div></div>
<div class="para">{"x" * 2100}</div></div></div>
<div class="section"><div class="titlepage"><div><div><h3 class="title">6.2.2. Syntax</h3></div></div></div>
<div class="para">{FILLER}</div></div>
<div class="section"><div class="titlepage"><div><div><h3 class="title">6.2.3. Installing Packages</h3></div></div></div>
<div class="para">{FILLER}</div></div>
<div class="section"><div class="titlepage"><div><div><h3 class="title">6.2.4. Installing packages</h3></div></div></div>
<div class="para">{FILLER}</div></div>
<div class="section"><div class="titlepage"><div><div><h3 class="title">6.2.5. Too Short Here</h3></div></div></div>
<div class="para">Tiny.</div></div>
</div></body></html>"""


def test_sections_drop_their_own_title_figures_and_numbers(tmp_path):
    (tmp_path / "sect.apt-get.html").write_text(PAGE, encoding="utf-8")
    docs, queries = builder.build(tmp_path)
    by_id = {d["id"]: d["text"] for d in docs}
    assert list(by_id) == ["handbook-6.2.1", "handbook-6.2.2", "handbook-6.2.3", "handbook-6.2.4"]  # 6.2.5 too short
    first = by_id["handbook-6.2.1"]
    assert first.startswith("Run apt update first. APT fetches")  # whitespace of a paragraph collapsed
    assert "Updating the Package Lists" not in first  # its own title and the figure caption are gone
    assert "# apt update\nHit:1 http://deb.example stable InRelease" in first  # a screen keeps its lines
    assert "\n\nIncremental updates\n\nDiff files save downloads." in first  # a nested title, without its number
    assert not first.endswith("TIP Last")  # the clip never ends on a title
    # a query per unique title of two words or more: not "Syntax", not the two "Installing packages"
    assert queries == [{"id": "handbook-q6.2.1", "text": "Updating the Package Lists",
                        "relevant": {"handbook-6.2.1": 1}, "origin": "data", "example": True}]


def test_clip_keeps_whole_paragraphs():
    paragraphs = [("text", "a" * 900), ("text", "b" * 900), ("title", "Heading"), ("text", "c" * 900)]
    assert builder.clip(paragraphs, 2000) == "a" * 900 + "\n\n" + "b" * 900
    assert builder.clip([("text", "word " * 1000)], 2000).endswith(" …")


def test_the_committed_corpus_follows_the_rules():
    entry = {e["key"]: e for e in manifest()}[builder.KEY]
    assert entry["task"] == "summary" and "debian-handbook 11.20220922" in entry["source"]
    assert "GPL-2.0+ or CC-BY-SA-3.0" in entry["license"]
    corpus = load_sample(builder.KEY)
    assert 150 <= len(corpus.documents) <= 300 and len(corpus.labeled_queries) >= 150
    titles = [q.text for q in corpus.queries]
    assert len({t.casefold() for t in titles}) == len(titles) and all(len(t.split()) >= 2 for t in titles)
    for doc in corpus.documents:
        assert builder.MIN_CHARS <= len(doc.text) <= builder.MAX_CHARS + 2
    for q in corpus.queries:
        (doc_id,) = q.relevant
        assert doc_id == "handbook-" + q.id.removeprefix("handbook-q")
    rows = [json.loads(line) for line in (REPO / "sample_corpora" / entry["queries"]).read_text().splitlines()]
    assert sum(r["example"] for r in rows) >= 5
