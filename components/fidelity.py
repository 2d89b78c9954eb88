"""The fidelity guard: do a model's bfloat16 vectors tell the same story as its float32 ones?

``compare_precisions`` takes two engines that differ only in precision (a
float32 reference and a candidate), a corpus and a setting, and measures,
with and without the instructions: each document's cosine to itself across
the two, the overlap of every query's top 10, and every metric of the
evaluator (``components.comparison.compare_settings``: baseline and
instructed nDCG, MRR and Recall). ``Fidelity.passes`` applies ``GUARD``.
The test suite runs it on slices of the sample corpora (``slice_corpus``),
the precision benchmark on the whole corpora; a model enters bfloat16 only
with its registry flag (``ModelPreset.bf16``) set after both pass.

It measures; it does not decide which precision a process uses
(``components.precision`` does).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from components.corpora import Corpus, LabeledQuery
from components.engine import Engine, Setting
from components.comparison import compare_settings, top_k

GUARD = {"min_doc_cosine": 0.9999, "top10_overlap": 0.99, "max_metric_delta": 0.005}
K = 10


@dataclass(frozen=True)
class Fidelity:
    """Candidate vs reference on one corpus: worst cosine, mean top-10 overlap, largest metric change."""

    model_key: str
    corpus_key: str
    n_docs: int
    n_queries: int
    n_labelled: int  # queries the metrics average over
    min_doc_cosine: float
    mean_doc_cosine: float
    top10_overlap: float
    max_metric_delta: float
    metric_deltas: dict[str, float] = field(default_factory=dict)  # "instructed ndcg@10" -> candidate - ref

    def passes(self, metric_tolerance: float | None = None) -> bool:
        """The guard; ``metric_tolerance`` replaces its metric bound (a small slice cannot resolve 0.005)."""
        bound = GUARD["max_metric_delta"] if metric_tolerance is None else metric_tolerance
        return (self.min_doc_cosine >= GUARD["min_doc_cosine"] and self.top10_overlap >= GUARD["top10_overlap"]
                and self.max_metric_delta <= bound)

    def as_dict(self) -> dict:
        return {**asdict(self), "passes": self.passes()}


def slice_corpus(corpus: Corpus, n_docs: int, n_queries: int | None = None) -> Corpus:
    """A small corpus cut from ``corpus``: up to ``n_queries`` labelled queries, their documents.

    Labelled queries are taken in order while their relevant documents fit in
    ``n_docs``; the rest of the ``n_docs`` are the first other documents.
    Unlabelled (example) queries are kept; labels a query has for other
    tasks keep only the slice's documents. Document order is the corpus's.
    """
    wanted: set[str] = set()
    queries: list[LabeledQuery] = []
    for q in corpus.labeled_queries:
        if (n_queries is not None and len(queries) >= n_queries) or len(wanted | set(q.relevant)) > n_docs:
            continue
        wanted |= set(q.relevant)
        queries.append(q)
    for d in corpus.documents:
        if len(wanted) >= n_docs:
            break
        wanted.add(d.id)
    docs = tuple(d for d in corpus.documents if d.id in wanted)
    unlabelled = [q for q in corpus.queries if not q.relevant]
    return replace(corpus, documents=docs, queries=tuple(_within(q, wanted) for q in queries + unlabelled))


def _within(query: LabeledQuery, ids: set[str]) -> LabeledQuery:
    """``query`` with the labels it has for other tasks (a corpus with labels per task) cut to ``ids``."""
    if not query.by_task:
        return query
    return replace(query, by_task={task: {d: g for d, g in labels.items() if d in ids}
                                   for task, labels in query.by_task.items()})


def _overlap(a: np.ndarray, b: np.ndarray) -> list[float]:
    """Per query, the share of ``a``'s top k also in ``b``'s (rows of doc indices)."""
    return [len(set(x) & set(y)) / len(x) for x, y in zip(a.tolist(), b.tolist())]


def compare_precisions(reference: Engine, candidate: Engine, corpus: Corpus, setting: Setting,
                       k: int = K) -> Fidelity:
    """How far ``candidate``'s vectors and metrics are from ``reference``'s (see the module docstring)."""
    queries = [q.text for q in corpus.queries] or corpus.example_queries()
    cosines: list[np.ndarray] = []
    overlaps: list[float] = []
    for instructed in (False, True):
        docs = [e.doc_vectors(corpus, setting, instructed) for e in (reference, candidate)]
        cosines.append(np.sum(docs[0] * docs[1], axis=1))
        if queries:
            tops = [top_k(e.query_vectors(queries, setting, instructed, corpus), d, corpus.ids, k)
                    for e, d in zip((reference, candidate), docs)]
            overlaps += _overlap(*tops)
    deltas: dict[str, float] = {}
    if corpus.labeled_queries:
        ref, cand = (compare_settings(e, corpus, [setting], k) for e in (reference, candidate))
        for side in ("baseline", "instructed"):
            for name, value in getattr(cand, side).as_dict(k).items():
                deltas[f"{side} {name}"] = value - getattr(ref, side).as_dict(k)[name]
    cos = np.concatenate(cosines)
    return Fidelity(
        model_key=setting.model_key, corpus_key=corpus.key, n_docs=len(corpus.documents), n_queries=len(queries),
        n_labelled=len(corpus.labeled_queries),
        min_doc_cosine=float(cos.min()), mean_doc_cosine=float(cos.mean()),
        top10_overlap=float(np.mean(overlaps)) if overlaps else 1.0,
        max_metric_delta=max((abs(v) for v in deltas.values()), default=0.0), metric_deltas=deltas)
