"""TaskAwareRAG: the API's behaviour on the fake encoder, its truth on the real offline models."""

from __future__ import annotations

import contextlib
import dataclasses
import doctest
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import components.rag
from components.corpora import load_sample
from components.engine import Setting
from components.errors import LensError, ModelUnavailable, UnknownTask
from components.models import ALLOW_ANY_HUB_ENV, MODELS, get_model
from components.rag import (BadDocuments, DuplicateIds, EmptyQuery, IdsMismatch, KOutOfRange, NoDocuments,
                            NotIndexed, TaskAwareRAG, resolve_model)
from components.tasks import TASKS, get_task

REPO = Path(__file__).resolve().parent.parent
PETS = ["Cats purr when they are content and sleep most of the day.",
        "Dogs need a walk every day and love to fetch a ball.",
        "Goldfish live in a bowl of clean water and eat flakes.",
        "A parrot can learn to repeat words it hears often.",
        "Hamsters run on a wheel at night and store food in their cheeks."]


@pytest.fixture
def rag(fake_engine) -> TaskAwareRAG:
    return TaskAwareRAG("e5-small-offline", engine=fake_engine)


def doc_encodes(encoder, prompt: str | None = None) -> int:
    """Texts the fake encoder embedded in multi-text (document) calls, with ``prompt`` if given."""
    return sum(n for n, p, _ in encoder.calls if n > 1 and (prompt is None or p == prompt))


# --- what comes back -------------------------------------------------------------------------------

def test_hits_are_the_engines_ranking_with_the_tasks_instructions(rag, fake_engine, pets):
    rag.index(PETS, task="qa")
    query = "Which pet likes to chase a ball outside?"
    hits = rag.retrieve(query, task="qa", k=3)
    ex = fake_engine.explore(rag.corpus, rag.setting("qa"), query)
    assert [h.index for h in hits] == ex.instructed.order[:3].tolist()
    assert [h.rank for h in hits] == [1, 2, 3]
    assert [h.id for h in hits] == [str(h.index) for h in hits]  # ids default to positions
    assert [h.text for h in hits] == [PETS[h.index] for h in hits]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score == pytest.approx(float(ex.instructed.scores[hits[0].index]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        hits[0].score = 1.0  # type: ignore[misc]


def test_ids_and_titles_come_back_with_the_hits(rag):
    ids = [f"pet-{i}" for i in range(5)]
    rag.index(PETS, task="qa", ids=ids, titles=["cat", "dog", "fish", "parrot", "hamster"])
    hits = rag.retrieve("goldfish bowl water flakes", k=5)
    assert {h.id for h in hits} == set(ids)
    assert all(h.id == ids[h.index] and h.title == ["cat", "dog", "fish", "parrot", "hamster"][h.index]
               for h in hits)
    rag.index(PETS, task="qa", ids=[10, 11, 12, 13, 14])  # numbers become strings
    assert rag.retrieve("a parrot", k=1)[0].id in {"10", "11", "12", "13", "14"}
    rag.index((text for text in PETS), task="qa", ids=range(5), titles=tuple("abcde"))  # any iterable
    assert len(rag) == 5 and rag.corpus.ids == ["0", "1", "2", "3", "4"] and rag.corpus.documents[4].title == "e"


@pytest.mark.parametrize("model", [m.key for m in MODELS])
@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.key)
def test_every_task_gives_its_default_instructions_for_the_models_family(fake_engine, fake_encoders, model, task):
    preset = get_model(model)
    ins = task.instructions_for(preset)
    rag = TaskAwareRAG(model, engine=fake_engine)
    assert rag.setting(task.key) == Setting(model, ins.query, ins.document, preset.include_prompt)
    rag.index(PETS, task=task.key)
    rag.retrieve("a pet that talks", task=task.key, k=2)
    enc = fake_encoders[model]
    doc_prompt, query_prompt = preset.apply("document", ins.document), preset.apply("query", ins.query)
    assert (5, doc_prompt, preset.include_prompt or not doc_prompt) in enc.calls
    assert any(n == 1 and p == query_prompt for n, p, _ in enc.calls)


def test_instructions_can_be_set_per_call(rag, fake_encoders):
    rag.index(PETS, task="qa", document_instruction="Represent the pet fact: ", include_prompt=False)
    enc = fake_encoders["e5-small-offline"]
    assert enc.calls[-1] == (5, "Represent the pet fact: ", False)
    assert rag.setting().document_instruction == "Represent the pet fact: "  # index's choice holds for its task
    rag.retrieve("dogs", query_instruction="Find: ", k=1)
    assert enc.calls[-1] == (1, "Find: ", False)  # the documents were cached
    assert rag.setting("faq").document_instruction == "passage: "  # another task: its own defaults
    rag.retrieve("dogs", query_instruction="", document_instruction="", k=1)
    assert (5, "", True) in enc.calls and enc.calls[-1] == (1, "", True)  # no instruction at all


# --- what is embedded when -----------------------------------------------------------------------

@pytest.mark.parametrize("model", ["e5-small-offline", "minilm-offline", "e5-large-instruct", "bge-small-en-v1.5"])
def test_another_task_re_embeds_only_when_its_document_instruction_differs(fake_engine, fake_encoders, model):
    rag = TaskAwareRAG(model, engine=fake_engine)
    preset = get_model(model)
    seen = set()
    for task in TASKS:
        before = doc_encodes(fake_encoders[model]) if model in fake_encoders else 0
        rag.index(PETS, task=task.key)
        prompt = (preset.apply("document", task.instructions_for(preset).document), preset.include_prompt)
        assert doc_encodes(fake_encoders[model]) - before == (0 if prompt in seen else len(PETS)), task.key
        seen.add(prompt)


def test_e5_qa_and_faq_share_one_embedding_and_similar_does_not(rag, fake_encoders):
    rag.index(PETS, task="qa")
    rag.index(PETS, task="faq")
    enc = fake_encoders["e5-small-offline"]
    assert doc_encodes(enc, "passage: ") == 5
    rag.index(PETS, task="similar")
    assert doc_encodes(enc, "query: ") == 5 and doc_encodes(enc) == 10


def test_repeat_queries_and_new_documents_encode_only_what_is_new(rag, fake_encoders):
    rag.index(PETS, task="qa")
    for _ in range(3):
        rag.retrieve("a pet that talks", k=2)
    enc = fake_encoders["e5-small-offline"]
    assert doc_encodes(enc) == 5 and sum(n for n, _, _ in enc.calls) == 6  # five documents, one query
    rag.index(PETS[:3] + ["Rabbits eat hay.", "Turtles live long."], task="qa")
    assert enc.calls[-1] == (2, "passage: ", True)
    assert len(rag) == 5 and rag.retrieve("rabbits hay", k=1)[0].text == "Rabbits eat hay."


def test_retrieve_for_a_task_not_indexed_embeds_its_documents_once(rag, fake_encoders):
    rag.index(PETS, task="qa")
    rag.retrieve("a pet that talks", task="similar", k=2)
    rag.retrieve("a pet that swims", task="similar", k=2)
    assert doc_encodes(fake_encoders["e5-small-offline"], "query: ") == 5
    assert rag.task == "qa"  # the default task stays the indexed one


# --- compare ---------------------------------------------------------------------------------------

def test_compare_lines_up_both_rankings_with_their_moves(rag, fake_engine):
    rag.index(PETS, task="qa")
    query, steer = "Cats purr and sleep", "goldfish bowl clean water flakes"  # steers to the goldfish
    c = rag.compare(query, k=3, query_instruction=steer)
    ex = fake_engine.explore(rag.corpus, rag.setting("qa", query_instruction=steer), query)
    assert [m.index for m in c.with_instructions] == ex.instructed.order[:3].tolist()
    assert [m.index for m in c.without_instructions] == ex.baseline.order[:3].tolist()
    for m in c.with_instructions + c.without_instructions:
        assert (m.rank_with, m.rank_without) == (ex.instructed.ranks[m.index], ex.baseline.ranks[m.index])
        assert m.move == m.rank_without - m.rank_with
    fish = c.with_instructions[0]
    assert (fish.id, fish.rank_without, fish.move, fish.label(3)) == ("2", 5, 4, "new in top 3")
    cat = next(m for m in c.with_instructions if m.id == "0")
    assert (cat.rank_without, cat.label(3)) == (1, f"▼{cat.rank_with - 1}")
    assert c.changed == len({m.id for m in c.with_instructions} - {m.id for m in c.without_instructions}) >= 1
    assert [m.rank_with for m in c.with_instructions] == [1, 2, 3]
    assert [m.rank_without for m in c.without_instructions] == [1, 2, 3]
    assert c.setting.query_instruction == steer and c.query == query
    text = str(c)
    assert "new in top 3" in text and f"{c.changed} of the top 3 changed" in text and "→ " in text
    plain = rag.compare(query, k=3, query_instruction="", document_instruction="")
    assert plain.changed == 0 and all(m.move == 0 for m in plain.with_instructions)


# --- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [lambda r: r.retrieve("cats"), lambda r: r.compare("cats")])
def test_retrieve_or_compare_before_index(rag, call):
    with pytest.raises(NotIndexed, match="call index"):
        call(rag)


@pytest.mark.parametrize("docs,error,match", [
    ([], NoDocuments, "no documents"),
    ("one long string", BadDocuments, "must be a list, not one str"),
    (None, BadDocuments, "not NoneType"),
    (42, BadDocuments, "not int"),
    (["fine", 3], BadDocuments, "document 1 is int"),
])
def test_bad_documents(rag, docs, error, match):
    with pytest.raises(error, match=match):
        rag.index(docs, task="qa")


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(ids=["a", "b"]), IdsMismatch, "5 documents but 2 ids"),
    (dict(ids="abcde"), IdsMismatch, "not one string"),
    (dict(titles=["t"] * 6), IdsMismatch, "5 documents but 6 titles"),
    (dict(ids=["a", "b", "c", "b", "e"]), DuplicateIds, "'b' is given to documents 1 and 3"),
    (dict(ids=[1, "1", 2, 3, 4]), DuplicateIds, "'1'"),
])
def test_bad_ids(rag, kwargs, error, match):
    with pytest.raises(error, match=match):
        rag.index(PETS, task="qa", **kwargs)


def test_k_defaults_to_ten_or_every_document(rag):
    rag.index(PETS, task="qa")
    assert len(rag.retrieve("cats")) == 5 and rag.compare("cats").k == 5
    rag.index([f"note {i}" for i in range(12)], task="qa")
    assert len(rag.retrieve("cats")) == 10 and len(rag.retrieve("cats", k=12)) == 12


@pytest.mark.parametrize("k", [0, -1, 6, 2.5, True, "3"])
def test_k_out_of_range(rag, k):
    rag.index(PETS, task="qa")
    for call in (rag.retrieve, rag.compare):
        with pytest.raises(KOutOfRange, match="from 1 to 5"):
            call("cats", k=k)


@pytest.mark.parametrize("query", ["", "   ", None, 42])
def test_empty_query(rag, query):
    rag.index(PETS, task="qa")
    with pytest.raises(EmptyQuery):
        rag.retrieve(query)


def test_unknown_task_and_model(rag):
    with pytest.raises(UnknownTask, match="unknown task 'qq'; known: similar, qa"):
        rag.index(PETS, task="qq")
    rag.index(PETS, task="qa")
    with pytest.raises(UnknownTask):
        rag.retrieve("cats", task="qq")
    with pytest.raises(ModelUnavailable, match="unknown model 'no-such-model'"):
        TaskAwareRAG("no-such-model")


def test_a_failed_index_keeps_the_documents_before_it(rag):
    rag.index(PETS, task="qa")
    with pytest.raises(DuplicateIds):
        rag.index(["x", "y"], ids=["a", "a"])
    with pytest.raises(UnknownTask):
        rag.index(["x", "y"], task="nope")
    assert len(rag) == 5 and rag.task == "qa"


def test_every_error_is_a_lens_error_and_a_value_error():
    for error in (NotIndexed, NoDocuments, BadDocuments, IdsMismatch, DuplicateIds, KOutOfRange, EmptyQuery,
                  UnknownTask):
        assert issubclass(error, LensError) and issubclass(error, ValueError)


def test_engine_and_factory_are_exclusive(fake_engine):
    with pytest.raises(ValueError, match="not both"):
        TaskAwareRAG(engine=fake_engine, encoder_factory=lambda preset, progress=None: None)


# --- models by Hub id ------------------------------------------------------------------------------

def test_models_by_key_or_hub_id(monkeypatch):
    monkeypatch.delenv(ALLOW_ANY_HUB_ENV, raising=False)
    assert resolve_model("e5-small-offline").key == "e5-small-offline"
    assert resolve_model("intfloat/e5-small-v2").key == "e5-small-v2"  # a registry model by its Hub id
    for name in ("someone/some-model", "hub:someone/some-model"):
        with pytest.raises(ModelUnavailable, match="turned off"):
            TaskAwareRAG(name)
    monkeypatch.setenv(ALLOW_ANY_HUB_ENV, "1")
    rag = TaskAwareRAG("someone/some-model")
    assert rag.model.key == "hub:someone/some-model" and rag.model.family == "none"
    assert rag.setting("qa").query_instruction == get_task("qa").defaults["instructor"].query  # by fallback


# --- the package stays light; the docstring runs ---------------------------------------------------

def test_importing_components_loads_neither_the_api_nor_torch():
    code = ("import sys, components\n"
            "assert 'components.rag' not in sys.modules\n"
            "from components import TaskAwareRAG\n"
            "rag = TaskAwareRAG('e5-small-offline')\n"
            "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'gradio') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "assert TaskAwareRAG is sys.modules['components.rag'].TaskAwareRAG\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
    import components

    with pytest.raises(AttributeError):
        components.NoSuchThing  # noqa: B018


def test_the_module_docstring_example_runs():
    result = doctest.testmod(components.rag)
    assert result.attempted >= 5 and result.failed == 0


# --- truth on the real offline models --------------------------------------------------------------

def readme_example() -> tuple[str, str]:
    """The python block of the README's "Use it from Python" section and the output it shows."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Use it from Python", 1)[1]
    section = section.split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(.*?)```", section, re.S)
    assert code and shown, "the README section needs a python block and a text block"
    return code.group(1), shown.group(1)


def run_readme_example(engine) -> str:
    code, _ = readme_example()
    out = io.StringIO()
    original = components.rag.shared_engine
    components.rag.shared_engine = lambda: engine  # the session's real engine: models load once per run
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    finally:
        components.rag.shared_engine = original
    return out.getvalue()


def assert_same_output(got: str, shown: str, tol: float = 0.002) -> None:
    """Line by line and word by word; scores may differ by ``tol`` (float rounding on other CPUs)."""
    got_lines, shown_lines = got.rstrip("\n").splitlines(), shown.rstrip("\n").splitlines()
    assert len(got_lines) == len(shown_lines), got
    for g, s in zip(got_lines, shown_lines):
        gw, sw = g.split(), s.split()
        assert len(gw) == len(sw), (g, s)
        for a, b in zip(gw, sw):
            if re.fullmatch(r"-?\d+\.\d{3}", b) and re.fullmatch(r"-?\d+\.\d{3}", a):
                assert abs(float(a) - float(b)) <= tol, (g, s)
            else:
                assert a == b, (g, s)


def test_the_readme_example_runs_and_prints_what_it_shows(real_engine):
    _, shown = readme_example()
    assert_same_output(run_readme_example(real_engine), shown)


@pytest.fixture(scope="module")
def e5_faq(real_engine) -> TaskAwareRAG:
    faq = load_sample("python_faq_qa")
    rag = TaskAwareRAG("e5-small-offline", engine=real_engine)
    rag.index(faq.texts, ids=faq.ids, task="qa")
    return rag


def test_e5_retrieves_the_faq_answer_with_the_qa_instructions(e5_faq):
    faq = load_sample("python_faq_qa")
    examples = [q for q in faq.queries if q.example]
    found = []
    for q in examples:
        hits = e5_faq.retrieve(q.text, task="qa", k=5)
        (answer,) = q.relevant
        found.append(next((h.rank for h in hits if h.id == answer), None))
        assert hits[0].text == faq.texts[hits[0].index] and hits[0].id == faq.ids[hits[0].index]
    assert None not in found, found  # every example question finds its answer in the top 5
    assert sum(r == 1 for r in found) >= 2 / 3 * len(examples), found  # and most of them first


def test_e5_compare_shows_the_prefixes_moving_documents(e5_faq, real_engine):
    faq = load_sample("python_faq_qa")
    changed = 0
    for q in [q for q in faq.queries if q.example][:5]:
        c = e5_faq.compare(q.text, k=10)
        assert (c.setting.query_instruction, c.setting.document_instruction) == ("query: ", "passage: ")
        assert [h.index for h in e5_faq.retrieve(q.text, k=10)] == [m.index for m in c.with_instructions]
        for m in c.with_instructions + c.without_instructions:
            assert m.score_with != m.score_without  # the prefixes move every score
            assert m.move == m.rank_without - m.rank_with
        changed += c.changed + sum(m.move != 0 for m in c.with_instructions)
    assert changed > 0


@pytest.mark.parametrize("model, qa, similar", [("e5-small-offline", "qa", "similar"),
                                                ("minilm-instruct-offline", "mixed-qa", "mixed-similar")])
def test_on_the_mixed_corpus_the_task_decides_what_comes_back(real_engine, model, qa, similar):
    """The same 52 Perl FAQ paraphrases: the QA task brings up answer passages, the similar-question
    task brings up questions (measured: E5 63 vs 11 answers in the top 5s, the adapter 172 vs 25)."""
    corpus = load_sample("mixed_kinds")
    kind = {d.id: d.kind for d in corpus.documents}
    queries = [q.text for q in corpus.with_task("mixed-qa").labeled_queries]
    rag = TaskAwareRAG(model, engine=real_engine)
    counts = {}
    for task in (qa, similar):
        rag.index(corpus.texts, ids=corpus.ids, task=task)
        kinds = [kind[h.id] for q in queries for h in rag.retrieve(q, task=task, k=5)]
        counts[task] = (kinds.count("answer"), kinds.count("question"))
    assert counts[qa][0] > 3 * counts[similar][0]  # more answer passages with the QA task
    assert counts[similar][1] > counts[qa][1]  # more questions with the similar-question task
