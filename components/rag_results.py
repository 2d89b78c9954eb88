"""What ``TaskAwareRAG`` returns: small frozen records of a ranking.

``Hit`` is one retrieved document; ``Compared`` is one query's top k with and
without the instructions, each document a ``Move`` (its rank on both sides).
Built from a ``Ranking`` or an ``Exploration`` with ``components.retrieval``'s
own ``top_rows`` and ``movement_label``, so moves read as they do on the page.
Plain values only: no arrays are kept, nothing is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.corpora import Corpus
from components.engine import Exploration, Setting
from components.retrieval import RankRow, Ranking, movement_label, top_rows
from components.wording import shorten

SNIPPET = 60  # characters of text per line in Compared's printout


@dataclass(frozen=True)
class Hit:
    """One retrieved document.

    ``rank`` is 1-based; ``index`` is the document's position in the indexed
    list; ``score`` the cosine similarity to the query.
    """

    rank: int
    index: int
    id: str
    score: float
    text: str
    title: str = ""


@dataclass(frozen=True)
class Move:
    """One document's place with the instructions and without any.

    ``move`` is places gained with the instructions (positive: climbed).
    """

    index: int
    id: str
    text: str
    rank_with: int
    rank_without: int
    score_with: float
    score_without: float

    @property
    def move(self) -> int:
        return self.rank_without - self.rank_with

    def label(self, k: int) -> str:
        """'▲3', '▼2', '=' or 'new in top k', as the page's *Move* column says it."""
        row = RankRow(self.index, self.id, self.rank_with, self.score_with, self.rank_without,
                      self.score_without, 0)
        return movement_label(row, k)


@dataclass(frozen=True)
class Compared:
    """One query's top ``k`` with the instructions (``setting``) and without any."""

    query: str
    setting: Setting
    k: int
    with_instructions: tuple[Move, ...]
    without_instructions: tuple[Move, ...]
    notes: tuple[str, ...] = ()  # e.g. an instruction longer than the model reads

    @property
    def changed(self) -> int:
        """Documents in the top k with the instructions that are not in it without."""
        base = {m.index for m in self.without_instructions}
        return sum(m.index not in base for m in self.with_instructions)

    def __str__(self) -> str:
        s, k = self.setting, self.k
        lines = [f"model                {s.model_key}",
                 f"query instruction    {s.query_instruction!r}",
                 f"document instruction {s.document_instruction!r}",
                 f"with instructions ({self.changed} of the top {k} changed):"]
        lines += [f"{m.rank_with:>4}  {m.label(k):<13} {m.score_with:.3f}  {m.id}  {shorten(m.text, SNIPPET)}"
                  for m in self.with_instructions]
        lines.append("without instructions:")
        lines += [f"{m.rank_without:>4}  {'→ ' + str(m.rank_with) + ' with':<13} {m.score_without:.3f}  "
                  f"{m.id}  {shorten(m.text, SNIPPET)}" for m in self.without_instructions]
        return "\n".join(lines + list(self.notes))


def hits(ranking: Ranking, corpus: Corpus, k: int) -> list[Hit]:
    """The top ``k`` of ``ranking`` as hits, best first."""
    out = []
    for i in ranking.order[:k]:
        doc = corpus.documents[int(i)]
        out.append(Hit(int(ranking.ranks[i]), int(i), doc.id, float(ranking.scores[i]), doc.text, doc.title))
    return out


def _move(row: RankRow, corpus: Corpus, instructed: bool) -> Move:
    """A ``Move`` from a row of either side (a baseline row has the ranks the other way round)."""
    with_, without = (row.rank, row.other_rank) if instructed else (row.other_rank, row.rank)
    s_with, s_without = (row.score, row.other_score) if instructed else (row.other_score, row.score)
    return Move(row.doc_index, row.doc_id, corpus.documents[row.doc_index].text,
                with_, without, s_with, s_without)


def compared(ex: Exploration, k: int) -> Compared:
    """Both top ``k`` of an ``Exploration`` as moves."""
    ids = ex.corpus.ids
    with_ = top_rows(ex.instructed, ex.baseline, ids, k)
    without = top_rows(ex.baseline, ex.instructed, ids, k)
    return Compared(ex.query_text, ex.setting, k,
                    tuple(_move(r, ex.corpus, True) for r in with_),
                    tuple(_move(r, ex.corpus, False) for r in without), ex.notes)
