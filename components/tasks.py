"""Task presets: what a person wants the embedding to do, as data.

A ``TaskPreset`` describes one retrieval task in words a student follows,
names the sample corpus that shows it, and gives default query and document
instructions for each instruction family (see ``components.models``):
INSTRUCTOR's "Represent the {domain} {text type} for {objective}:", E5's
prefixes, e5-instruct's task sentence, BGE's query instruction. Models that
were never trained with instructions ("none") get INSTRUCTOR-style sentences
so their (lack of) reaction can be seen; a family without entries of its own
falls back to another (``FAMILY_FALLBACK``). Models whose documents take no
instruction (e5-instruct, BGE) say so once, in the model registry
(``ModelPreset.instructs_documents``); their families state query
instructions only.

The mixed tasks share one corpus of five kinds of text and one document
instruction per family, so switching between them re-encodes only the query:
the query instruction alone says which kind of text to bring back.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.errors import UnknownTask
from components.models import FAMILIES, ModelPreset, build_index


@dataclass(frozen=True)
class Instructions:
    query: str
    document: str = ""  # families whose models instruct queries only state none


@dataclass(frozen=True)
class TaskPreset:
    key: str
    label: str
    description: str
    corpus: str
    symmetric: bool
    defaults: dict[str, Instructions]

    def instructions_for(self, model: ModelPreset) -> Instructions:
        """The model family's documented default instructions for this task.

        A family without entries of its own takes its fallback's; a model whose
        documents take no instruction (``ModelPreset.instructs_documents``) gets none.
        """
        family = model.family
        ins = self.defaults[family if family in self.defaults else FAMILY_FALLBACK[family]]
        return ins if model.instructs_documents else Instructions(ins.query)

    def validate(self) -> None:
        missing = [f for f in FAMILIES if f not in self.defaults and FAMILY_FALLBACK.get(f) not in self.defaults]
        if missing:
            raise ValueError(f"task {self.key}: no default instructions for {missing}")
        if not self.description or not self.corpus:
            raise ValueError(f"task {self.key}: description and corpus are required")


def _ins(query: str, document: str = "") -> Instructions:
    return Instructions(query, document)


BGE_QUERY = "Represent this sentence for searching relevant passages: "
# A family that reads instructions as another does takes that family's defaults.
FAMILY_FALLBACK: dict[str, str] = {"none": "instructor"}

TASKS: tuple[TaskPreset, ...] = (
    TaskPreset(
        key="similar", label="Similar questions (symmetric)", corpus="perlfaq_questions", symmetric=True,
        description="Find questions that ask the same thing in other words. Both sides are the same "
        "kind of text, so the same instruction goes on both (a symmetric task).",
        defaults={
            "instructor": _ins("Represent the Perl question for retrieving duplicate questions: ",
                               "Represent the Perl question for retrieving duplicate questions: "),
            "e5": _ins("query: ", "query: "),
            "e5-instruct": _ins("Given a Perl programming question, retrieve questions that are "
                                "semantically equivalent to it"),
            "bge": _ins(""),
        },
    ),
    TaskPreset(
        key="qa", label="Question → answer passage (QA)", corpus="python_faq_qa", symmetric=False,
        description="A short question looks for the passage that answers it. Question and answer "
        "are different kinds of text, so each side gets its own instruction (an asymmetric task).",
        defaults={
            "instructor": _ins("Represent the Python question for retrieving supporting answers: ",
                               "Represent the Python answer for retrieval: "),
            "e5": _ins("query: ", "passage: "),
            "e5-instruct": _ins("Given a question about Python, retrieve the passage that answers it"),
            "bge": _ins(BGE_QUERY),
        },
    ),
    TaskPreset(
        key="faq", label="FAQ matching (question → FAQ entry)", corpus="debian_faq", symmetric=False,
        description="A user's question, in their own words, should find the FAQ entry (its question "
        "and answer) that covers it.",
        defaults={
            "instructor": _ins("Represent the Debian user question for retrieving the matching FAQ entry: ",
                               "Represent the Debian FAQ entry for retrieval: "),
            "e5": _ins("query: ", "passage: "),
            "e5-instruct": _ins("Given a user question about Debian, retrieve the FAQ entry that answers it"),
            "bge": _ins(BGE_QUERY),
        },
    ),
    TaskPreset(
        key="docsim", label="Document → similar documents", corpus="lee_news", symmetric=True,
        description="A whole article looks for articles on the same story or topic. Long text on "
        "both sides; the instruction says what 'similar' should mean.",
        defaults={
            "instructor": _ins("Represent the news article for retrieving similar articles: ",
                               "Represent the news article for retrieving similar articles: "),
            "e5": _ins("query: ", "query: "),
            "e5-instruct": _ins("Given a news article, retrieve news articles about the same topic"),
            "bge": _ins(""),
        },
    ),
    TaskPreset(
        key="code", label="Natural language → code", corpus="python_stdlib_code", symmetric=False,
        description="A description in English looks for the Python function that does it: two "
        "different languages, where instructions can help the model bridge the gap.",
        defaults={
            "instructor": _ins("Represent the description for retrieving Python functions: ",
                               "Represent the Python function for retrieval: "),
            "e5": _ins("query: ", "passage: "),
            "e5-instruct": _ins("Given a description of what a function does, retrieve the Python "
                                "function that does it"),
            "bge": _ins(BGE_QUERY),
        },
    ),
    TaskPreset(
        key="summary", label="Title or summary → document", corpus="debian_handbook_summary", symmetric=False,
        description="A few words (a title, a one-line summary) look for the document they sum up: a "
        "short text on one side, a long one on the other (an asymmetric task).",
        defaults={
            "instructor": _ins("Represent the Debian handbook title for retrieving the section it summarises: ",
                               "Represent the Debian handbook section for retrieval: "),
            "e5": _ins("query: ", "passage: "),
            "e5-instruct": _ins("Given the title of a section of a Debian administration handbook, retrieve "
                                "the section it summarises"),
            "bge": _ins(BGE_QUERY),
        },
    ),
)


# The mixed corpus: one document instruction per family for all its tasks.
MIXED_CORPUS = "mixed_kinds"
MIXED_DOCUMENT = {"instructor": "Represent the document for retrieval: ", "e5": "passage: "}
MIXED_E5_QUERY = "query: "

# key, label, description, INSTRUCTOR-style query instruction, e5-instruct task sentence
_MIXED: tuple[tuple[str, str, str, str, str], ...] = (
    ("mixed-similar", "Question → same question, mixed corpus",
     "A question in your own words looks for the FAQ question that asks the same thing, in a corpus that "
     "also holds the answers, functions, documentation and definitions. Only the query instruction "
     "changes between the mixed tasks: it alone can say which kind of text to bring back.",
     "Represent the programming question for retrieving questions that ask the same thing: ",
     "Given a programming question, retrieve questions that ask the same thing"),
    ("mixed-qa", "Question → answer passage, mixed corpus",
     "The same questions look for the passage that answers them. The FAQ question itself, worded "
     "much like the query, is now a wrong hit.",
     "Represent the programming question for retrieving the passage that answers it: ",
     "Given a programming question, retrieve the passage that answers it"),
    ("mixed-code", "Description → function code, mixed corpus",
     "A description of what a function does looks for the function's code, not for its documentation "
     "paragraph, which is worded far more like the description.",
     "Represent the description for retrieving the Python function that does it: ",
     "Given a description of what a function does, retrieve the Python function that does it"),
    ("mixed-doc", "Description → documentation paragraph, mixed corpus",
     "The same descriptions look for the library reference's paragraph about the function, not for "
     "its code.",
     "Represent the description for retrieving the documentation paragraph of the Python function: ",
     "Given a description of what a function does, retrieve the documentation paragraph of that "
     "Python function"),
    ("mixed-definition", "Word → definition, mixed corpus",
     "\"What does 'X' mean?\" looks for the dictionary definition of X (a WordNet gloss, which never "
     "uses the word itself), not for questions worded like the query.",
     "Represent the question about a word for retrieving its dictionary definition: ",
     "Given a question about a word, retrieve its dictionary definition"),
)


def _mixed_task(key: str, label: str, description: str, instructor: str, e5_instruct: str) -> TaskPreset:
    queries = {"instructor": instructor, "e5": MIXED_E5_QUERY, "e5-instruct": e5_instruct, "bge": BGE_QUERY}
    return TaskPreset(key=key, label=label, description=description, corpus=MIXED_CORPUS, symmetric=False,
                      defaults={f: _ins(q, MIXED_DOCUMENT.get(f, "")) for f, q in queries.items()})


TASKS += tuple(_mixed_task(*row) for row in _MIXED)
MIXED_TASKS: tuple[str, ...] = tuple(row[0] for row in _MIXED)

_INDEX: dict[str, TaskPreset] = build_index(TASKS, "task")
DEFAULT_TASK = "mixed-qa"


def get_task(key: str) -> TaskPreset:
    try:
        return _INDEX[key]
    except KeyError:
        raise UnknownTask(f"unknown task {key!r}; known: {', '.join(_INDEX)}") from None


def task_choices() -> list[tuple[str, str]]:
    return [(t.label, t.key) for t in TASKS]
