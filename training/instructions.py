"""Hand-written INSTRUCTOR-style training wordings, per target kind.

``{d}`` is a domain word ("Go", "Python", "computing", and each FAQ source's
word such as "Django" or "SQLAlchemy", ``data_faq.FAQS``) or nothing. None
of these strings is one of the wordings held out for evaluation (the task
presets of the app and the mixed corpus's instructions):
``check_not_held_out`` refuses a list that contains one.
"""

from __future__ import annotations

import random

# The first wordings written per kind, kept as they are (the benchmark names some as "training wordings").
_FIRST: dict[str, tuple[str, ...]] = {
    "answer": (
        "Represent the {d} question for retrieving the paragraph that answers it: ",
        "Represent the {d} question for retrieving supporting passages: ",
        "Represent the {d} question for finding the text that contains its answer: ",
        "Represent this {d} question to retrieve an answer passage: ",
        "Represent the {d} query for retrieving answer paragraphs: ",
    ),
    "question": (
        "Represent the {d} question for retrieving similar questions: ",
        "Represent the {d} question for finding other questions on the same topic: ",
        "Represent the {d} question for retrieving related questions: ",
        "Represent this {d} question to find questions like it: ",
        "Represent the {d} query for retrieving matching questions: ",
    ),
    "code": (
        "Represent the {d} description for retrieving the function that implements it: ",
        "Represent the sentence for retrieving {d} source code: ",
        "Represent the {d} summary for finding the code of the function: ",
        "Represent this text to retrieve the matching {d} function body: ",
        "Represent the {d} docstring for retrieving its implementation: ",
    ),
    "doc": (
        "Represent the {d} description for retrieving the function's documentation: ",
        "Represent the sentence for retrieving {d} API reference text: ",
        "Represent the {d} summary for finding the docs that explain the function: ",
        "Represent this text to retrieve the {d} documentation entry: ",
        "Represent the {d} docstring for retrieving its reference manual paragraph: ",
    ),
    "definition": (
        "Represent the question about a {d} term for retrieving its definition: ",
        "Represent the {d} term for retrieving the glossary entry that defines it: ",
        "Represent the {d} word for finding what it means: ",
        "Represent this {d} query to retrieve a dictionary entry: ",
        "Represent the {d} phrase for retrieving its meaning: ",
    ),
}

# More wordings, composed: "Represent the {d} {noun} for {objective}: ". Many objectives per kind, and
# words shared across kinds ("explanation", "entry", "library"), so that no single word carries the routing.
_NOUNS: dict[str, tuple[str, ...]] = {
    "answer": ("question", "query", "user question", "FAQ question"),
    "question": ("question", "query", "user question", "FAQ question"),
    "code": ("description", "summary", "docstring", "function description"),
    "doc": ("description", "summary", "docstring", "function description"),
    "definition": ("term", "word", "question about a term", "phrase"),
}
_OBJECTIVES: dict[str, tuple[str, ...]] = {
    "answer": ("finding the explanation that resolves it", "retrieving the reply that solves the problem",
               "finding a passage that explains how to do it", "retrieving the text that responds to it",
               "finding where it is answered", "retrieving the solution to it"),
    "question": ("finding duplicate questions", "retrieving paraphrases of it", "finding questions asked in other words",
                 "retrieving reworded versions of the question", "finding equivalent questions",
                 "retrieving other ways of asking it"),
    "code": ("finding the program code", "retrieving the source of the routine",
             "finding the function definition in code", "retrieving a code snippet that does this",
             "finding the implementation in the library source"),
    "doc": ("finding the manual entry that describes it", "retrieving the prose documentation",
            "finding the reference section about it", "retrieving the explanation in the library docs",
            "finding the documentation page text"),
    "definition": ("finding the dictionary gloss", "retrieving the entry explaining the term",
                   "finding a short definition", "retrieving the lexicon entry", "finding the sense of the word"),
}

QUERY: dict[str, tuple[str, ...]] = {
    kind: first + tuple(f"Represent the {{d}} {noun} for {objective}: "
                        for noun in _NOUNS[kind] for objective in _OBJECTIVES[kind])
    for kind, first in _FIRST.items()
}

# Documents: mostly one of a few generic wordings, sometimes one that names the kind.
DOCUMENT_GENERIC: tuple[str, ...] = (
    "Represent the text for retrieval: ",
    "Represent this document for retrieval: ",
    "Represent the item for retrieving: ",
)
DOCUMENT_KIND: dict[str, tuple[str, ...]] = {
    "answer": ("Represent the {d} passage for retrieval: ",),
    "question": ("Represent the {d} question for retrieval: ",),
    "code": ("Represent the {d} code for retrieval: ",),
    "doc": ("Represent the {d} documentation for retrieval: ",),
    "definition": ("Represent the {d} definition for retrieval: ",),
}


def fill(template: str, domain: str) -> str:
    """A wording with its domain word (or none), spaces tidied."""
    return " ".join(template.replace("{d}", domain).split()) + " "


def query_instruction(kind: str, domain: str, rng: random.Random) -> str:
    return fill(rng.choice(QUERY[kind]), domain if rng.random() < 0.7 else "")


def document_instruction(kind: str, domain: str, rng: random.Random) -> str:
    if rng.random() < 0.25:
        return fill(rng.choice(DOCUMENT_KIND[kind]), domain if rng.random() < 0.5 else "")
    return rng.choice(DOCUMENT_GENERIC)


def all_wordings(domains: list[str]) -> set[str]:
    """Every wording these templates can produce for ``domains``."""
    out = set(DOCUMENT_GENERIC)
    for table in (QUERY, DOCUMENT_KIND):
        for templates in table.values():
            out |= {fill(t, d) for t in templates for d in [*domains, ""]}
    return out


def check_not_held_out(wordings: set[str], held_out: set[str]) -> None:
    """Raise ValueError if a training wording is one held out for evaluation."""
    clash = {w.strip() for w in wordings} & {h.strip() for h in held_out if h.strip()}
    if clash:
        raise ValueError(f"training wordings include held-out ones: {sorted(clash)}")
