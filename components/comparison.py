"""Measure what instructions do: baseline vs instructed retrieval on labelled queries.

``compare_settings`` embeds a corpus's documents once per setting (with the
document prompt), all its labelled queries in one batch per setting (with the
query prompt), ranks every query with one matrix product, and scores the top
k of each ranking with ``components.metrics``. The baseline is the same model
with no prompt on either side. A second setting (instruction B) of the same
model can be compared in the same pass. Queries with no relevant document
are left out and counted in ``skipped_queries``: MTEB drops queries without
qrels too. (MTEB would keep, and score 0, a query judged only with grade 0;
a ``Corpus`` keeps only positive grades, so here such a query is left out.)

Exports for the UI: ``per_query_csv`` and ``ranking_csv`` (written by
``components.downloads.csv_text``: cells safe for spreadsheets, ``#`` lines
recording what produced the file) and ``prompts_snippet`` (the prompts as a
``config_sentence_transformers.json`` fragment).

It does not load models or corpora itself (``Engine`` and
``components.corpora`` do) and draws nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from components.corpora import Corpus
from components.downloads import csv_text
from components.engine import Engine, Setting, is_sample
from components.errors import CorpusError, LensError
from components.metrics import METRICS, Scores, evaluate_rankings, mean_scores, metric_keys
from components.progress import Progress, scaled
from components.retrieval import RankRow, best_first
from components.wording import counted

QUERY_CHUNK = 256  # queries scored per matrix product: bounds memory at [256, n_docs]


@dataclass(frozen=True)
class QueryRow:
    """One labelled query's scores without and with instructions, and its top-k doc ids."""

    query_id: str
    text: str
    relevant: dict[str, int]
    baseline: Scores
    instructed: Scores
    baseline_top: tuple[str, ...]
    instructed_top: tuple[str, ...]
    second: Scores | None = None
    second_top: tuple[str, ...] = ()

    def delta(self, metric: str = "ndcg", second: bool = False) -> float:
        """Instructed minus baseline (instruction B's when ``second``)."""
        other = self.second if second else self.instructed
        if other is None:
            raise ValueError("this comparison has no second setting")
        return other.get(metric) - self.baseline.get(metric)


@dataclass(frozen=True)
class Comparison:
    """Per-query and mean scores; ``rows`` sorted by nDCG change, most helped first."""

    corpus_key: str
    k: int
    settings: tuple[Setting, ...]
    rows: tuple[QueryRow, ...]
    baseline: Scores
    instructed: Scores
    second: Scores | None
    n_documents: int
    skipped_queries: int  # queries with no relevant document, left out

    @property
    def n_queries(self) -> int:
        return len(self.rows)

    def helped(self, n: int = 5, metric: str = "ndcg") -> list[QueryRow]:
        """Up to ``n`` queries the instruction improved most."""
        up = sorted((r for r in self.rows if r.delta(metric) > 0), key=lambda r: -r.delta(metric))
        return up[:n]

    def hurt(self, n: int = 5, metric: str = "ndcg") -> list[QueryRow]:
        """Up to ``n`` queries the instruction made worse, worst first."""
        down = sorted((r for r in self.rows if r.delta(metric) < 0), key=lambda r: r.delta(metric))
        return down[:n]


def top_k(queries: np.ndarray, docs: np.ndarray, ids: Sequence[str], k: int) -> np.ndarray:
    """Indices ``[n_queries, min(k, n_docs)]`` of each query's best docs, best first.

    ``queries``: ``[n_queries, dim]``, ``docs``: ``[n_docs, dim]``, unit rows
    (scores are cosines). The order is ``components.retrieval.best_first``'s,
    the Explorer's: score descending, ties by id ascending.
    """
    if docs.shape[0] != len(ids):
        raise ValueError(f"{docs.shape[0]} document vectors but {len(ids)} ids")
    docs64 = np.asarray(docs, dtype=np.float64)
    keep = min(k, len(ids))
    out = np.empty((queries.shape[0], keep), dtype=np.int64)
    for start in range(0, queries.shape[0], QUERY_CHUNK):
        chunk = np.asarray(queries[start:start + QUERY_CHUNK], dtype=np.float64)
        out[start:start + len(chunk)] = best_first(chunk @ docs64.T, ids)[:, :keep]  # scores [chunk, n_docs]
    return out


def compare_settings(engine: Engine, corpus: Corpus, settings: Sequence[Setting], k: int = 10,
                     progress: Progress | None = None) -> Comparison:
    """Baseline vs ``settings[0]`` (and ``settings[1]`` if given) on the corpus's labelled queries.

    Raises:
        CorpusError: the corpus has no labelled queries or repeats a query id.
        LensError: no setting, more than two, or settings of different models.
    """
    if not 1 <= len(settings) <= 2:
        raise LensError("compare one instruction setting (A) or two (A and B)")
    if len({s.model_key for s in settings}) != 1:
        raise LensError("settings A and B must use the same model (the baseline is that model's)")
    if k < 1:
        raise LensError(f"k must be at least 1, not {k}")
    queries = corpus.labeled_queries
    if not queries:
        raise CorpusError(f"corpus {corpus.key!r} has no labelled queries to measure with")
    qids = [q.id for q in queries]
    if len(set(qids)) != len(qids):
        dup = next(q for q in qids if qids.count(q) > 1)
        raise CorpusError(f"corpus {corpus.key!r}: query id {dup!r} is used twice")
    qrels = {q.id: dict(q.relevant) for q in queries}
    texts = [q.text for q in queries]
    ids = corpus.ids
    model = settings[0].model_key
    sides = [("baseline", "", "", True)]  # no prompt: the pooling switch changes nothing
    sides += [(name, s.prompt("query"), s.prompt("document"), s.include_prompt)
              for name, s in zip(("instruction A", "instruction B"), settings)]
    n_stages = 2 * len(sides)
    keep = is_sample(corpus)  # a sample's vectors are kept on disk for the next process
    precision = engine.precision(model, corpus)  # one precision for every side of the comparison
    results: list[tuple[dict[str, Scores], dict[str, tuple[str, ...]]]] = []
    for i, (name, q_prompt, d_prompt, include) in enumerate(sides):
        docs = engine.embed(model, corpus.texts, d_prompt, include,
                            scaled(progress, 2 * i / n_stages, (2 * i + 1) / n_stages, f"{name}, documents"),
                            persist=keep, precision=precision)
        qvecs = engine.embed(model, texts, q_prompt, include,
                             scaled(progress, (2 * i + 1) / n_stages, (2 * i + 2) / n_stages, f"{name}, queries"),
                             persist=keep, precision=precision)
        best = top_k(qvecs, docs, ids, k)
        tops = {qid: tuple(ids[j] for j in row) for qid, row in zip(qids, best)}
        results.append((evaluate_rankings(qrels, tops, k), tops))
    if progress:
        progress(1.0, f"Scored {counted(len(queries), 'query', 'queries')}")
    (base, base_top), (inst, inst_top) = results[0], results[1]
    sec, sec_top = results[2] if len(results) > 2 else (None, None)
    rows = [QueryRow(q.id, q.text, dict(q.relevant), base[q.id], inst[q.id], base_top[q.id], inst_top[q.id],
                     sec[q.id] if sec else None, sec_top[q.id] if sec_top else ())
            for q in queries]
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].delta(), i))
    return Comparison(
        corpus_key=corpus.key, k=k, settings=tuple(settings), rows=tuple(rows[i] for i in order),
        baseline=mean_scores(base), instructed=mean_scores(inst),
        second=mean_scores(sec) if sec else None, n_documents=len(ids),
        skipped_queries=len(corpus.queries) - len(queries),
    )


def setting_about(setting: Setting, prefix: str = "") -> dict[str, object]:
    """What an export records of a setting: instructions as typed, and the prompts the model saw."""
    return {f"{prefix}query_instruction": setting.query_instruction,
            f"{prefix}document_instruction": setting.document_instruction,
            f"{prefix}query_prompt": setting.prompt("query"), f"{prefix}document_prompt": setting.prompt("document")}


def per_query_csv(comparison: Comparison) -> str:
    """One CSV row per query: baseline, instructed (and B) scores and their nDCG change.

    The ``#`` lines first record the model, corpus, k, pooling switch and
    instructions A (and B, keys prefixed ``b_``); see ``components.downloads``.
    """
    keys = metric_keys(comparison.k)
    has_b = comparison.second is not None
    a = comparison.settings[0]
    about: dict[str, object] = {"export": "per-query metrics", "model": a.model_key, "corpus": comparison.corpus_key,
                                "k": comparison.k, "include_prompt": a.include_prompt, **setting_about(a)}
    header = ["query_id", "query", *(f"baseline_{m}" for m in keys), *(f"instructed_{m}" for m in keys),
              f"delta_{keys[0]}"]
    if has_b:
        about.update(setting_about(comparison.settings[1], "b_"))
        header += [*(f"b_{m}" for m in keys), f"b_delta_{keys[0]}"]
    rows = []
    for r in comparison.rows:
        row: list[object] = [r.query_id, r.text, *(f"{r.baseline.get(m):.4f}" for m in METRICS),
                             *(f"{r.instructed.get(m):.4f}" for m in METRICS), f"{r.delta():+.4f}"]
        if has_b and r.second is not None:
            row += [*(f"{r.second.get(m):.4f}" for m in METRICS), f"{r.delta(second=True):+.4f}"]
        rows.append(row)
    return csv_text(header, rows, about)


def ranking_csv(rows: Sequence[RankRow], corpus: Corpus, setting: Setting, query: str, k: int) -> str:
    """A ranking (``components.retrieval.top_rows``) as CSV, with each document's title and text.

    The ``#`` lines first record the model, corpus, query, the page's top k,
    pooling switch and instructions; see ``components.downloads``.
    """
    about = {"export": "ranking", "model": setting.model_key, "corpus": corpus.key, "query": query, "k": k,
             "include_prompt": setting.include_prompt, **setting_about(setting)}
    header = ["rank", "doc_id", "score", "other_rank", "other_score", "movement", "relevance", "title", "text"]
    out = []
    for r in rows:
        doc = corpus.documents[r.doc_index]
        out.append([r.rank, r.doc_id, f"{r.score:.6f}", r.other_rank, f"{r.other_score:.6f}", r.movement,
                    r.relevance, doc.title, doc.text])
    return csv_text(header, out, about)


def prompts_snippet(setting: Setting) -> str:
    """The setting's prompts as a ``config_sentence_transformers.json`` fragment (JSON text).

    With ``include_prompt`` off, a ``_pooling_note`` key says to set
    ``"include_prompt": false`` in ``1_Pooling/config.json`` too;
    sentence-transformers ignores keys it does not know.
    """
    data: dict[str, object] = {
        "prompts": {"query": setting.prompt("query"), "document": setting.prompt("document")},
        "default_prompt_name": None,
    }
    if not setting.include_prompt:
        data["_pooling_note"] = ('These prompts were measured with the instruction left out of the pooled '
                                 'mean: also set "include_prompt": false in 1_Pooling/config.json.')
    return json.dumps(data, indent=2, ensure_ascii=False)
