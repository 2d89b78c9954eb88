"""The adapter's training data rules: overlap removal, paired rows, held-out wordings (no model, no download)."""

import pytest

from components.tasks import TASKS
from training import data_faq, markup, overlap, rewording, rows
from training.instructions import all_wordings, check_not_held_out
from training.pairs import Pair, first_sentence, words

CODE = Pair("go", "Go", "Reads the named file.", {"code": "func ReadFile(name string) ([]byte, error) {\n}",
                                                   "doc": "func ReadFile(name string)\nA successful call returns nil."})
DEF = Pair("foldoc", "computing", "What is a byte?", {"definition": "A unit of memory of eight bits used everywhere."})


def test_first_sentence_stops_at_the_first_full_stop():
    assert first_sentence("Return the sum.  Raises   ValueError if empty.") == "Return the sum."


def test_a_pair_sharing_eight_words_with_a_held_out_file_is_dropped(tmp_path):
    (tmp_path / "x.corpus.jsonl").write_text('{"text": "a unit of memory of eight bits used everywhere"}\n')
    held, files = overlap.held_out_shingles([tmp_path])
    kept, dropped = overlap.drop_overlaps([CODE, DEF], held)
    assert kept == [CODE] and dropped == {"foldoc": 1} and len(files) == 1


def test_a_two_target_pair_gives_two_rows_that_swap_positive_and_hard_negative():
    units = rows.build_units([CODE], {"go": 1}, plain_share=0.0, seed=1)
    (code, doc), = units
    assert code.query == doc.query and code.query_instruction != doc.query_instruction
    assert (code.positive, code.negative) == (doc.negative, doc.positive)
    assert (code.kind, doc.kind) == ("code", "doc")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_plain_row_has_no_instruction_on_either_side(seed):
    (row,), = rows.build_units([DEF], {"foldoc": 1}, plain_share=1.0, seed=seed)
    assert (row.kind, row.query_instruction, row.positive_instruction, row.negative) == ("plain", "", "", None)


def test_batches_keep_a_unit_together():
    units = rows.build_units([CODE, DEF] * 3, {"go": 3, "foldoc": 3}, plain_share=0.0, seed=0)
    for batch in rows.batches(units, 3):
        assert sum(r.source == "go" for r in batch) % 2 == 0


def test_no_training_wording_is_an_app_preset():
    presets = {text for t in TASKS for ins in t.defaults.values() for text in (ins.query, ins.document)}
    faq_domains = [domain for domain, _, _ in data_faq.FAQS.values()]
    check_not_held_out(all_wordings(["Go", "Python", "computing", *faq_domains]), presets)
    with pytest.raises(ValueError, match="held-out"):
        check_not_held_out({"Represent the text for retrieval: "}, {"Represent the text for retrieval:"})


RST_FAQ = """\
=========
Tool FAQ
=========

General
=======

How do I install the tool?
--------------------------

Run the installer from the :ref:`downloads page <downloads>` and follow its steps; the
:class:`~tool.core.Installer` class does the same from code, and ``tool --version`` tells you
which release you have once it is done.

.. note::

   This note is not part of the answer.

Can I use it with ``make``?
---------------------------

Yes. Add this to your makefile::

    all:
    \ttool build
    \ttool test
    \ttool lint

Anything that calls the tool from a shell works the same way, with **no** extra set-up at all.

History
-------

The tool was first written long ago, and nobody asks about that in the form of a question.

Why is it slow?
---------------

See `the guide`_.
"""

TEXT_FAQ = """\
 1. Installing

  1.1 How do I build it from source?

  Unpack the archive and run the configure script, then make, then make install; the
  script finds the compiler and the libraries it needs by itself on every common system.

      ./configure
      make

  1.2 I found a bug

  Tell us about it on the mailing list with a short example that shows it happening.
"""

HTML_FAQ = """<a name="q1"></a><p><b>(1) How do I create a table?</b></p>
<blockquote><p>Use the <a href="x.html">CREATE TABLE</a> statement, naming the columns and their types &amp;
constraints; the table exists as soon as the statement has run, and it is kept in the file.</p>
<pre>CREATE TABLE t(a, b);</pre></blockquote></li>"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rst_faq_gives_one_pair_per_question_section_with_a_long_enough_answer(tmp_path):
    blocks = data_faq.qa_blocks(_write(tmp_path, "faq.rst", RST_FAQ), "rst")
    pairs = data_faq.pairs_from(blocks, "tool", "Tool", seed=0)
    assert [p.query for p in pairs] == ["How do I install the tool?", "Can I use it with make?"]
    install, make = (p.targets["answer"] for p in pairs)
    assert install.startswith("Run the installer from the downloads page and follow its steps; the Installer class")
    assert "tool --version" in install and "note" not in install  # literal kept, directive dropped
    # the answer needs its code: kept, shortened to three lines, then the prose after it
    assert make.split("\n")[:3] == ["Yes. Add this to your makefile:", "all:", "\ttool build"]
    assert "\ttool lint" not in make and make.endswith("with no extra set-up at all.")
    assert all(set(p.targets) == {"answer", "question"} and p.domain == "Tool" for p in pairs)


def test_a_numbered_text_faq_skips_its_statements_and_cuts_its_code(tmp_path):
    blocks = data_faq.qa_blocks(_write(tmp_path, "FAQ", TEXT_FAQ), "text")
    (pair,) = data_faq.pairs_from(blocks, "tool", "Tool", seed=0)
    assert pair.query == "How do I build it from source?"
    assert pair.targets["answer"].startswith("Unpack the archive") and "./configure" not in pair.targets["answer"]


def test_an_html_faq_entry_loses_its_tags_and_entities(tmp_path):
    (pair,) = data_faq.pairs_from(data_faq.qa_blocks(_write(tmp_path, "faq.html", HTML_FAQ), "html"), "t", "T", 0)
    assert pair.query == "How do I create a table?"
    assert pair.targets["answer"].startswith("Use the CREATE TABLE statement, naming the columns and their types &")


@pytest.mark.parametrize("raw, clean", [
    (":meth:`.Session.flush`", "Session.flush"),
    (":class:`_engine.Engine`", "Engine"),
    (":func:`~pkg.mod.run`", "run"),
    (":ref:`the settings <settings>`", "the settings"),
    ("`Django <https://example.org>`_ and Contribute_.", "Django and Contribute."),
    ("**bold**, *italic* and ``a * b``", "bold, italic and a * b"),
    ("a footnote [#]_ here", "a footnote here"),
])
def test_inline_markup_is_removed(raw, clean):
    assert markup.inline(raw) == clean


def test_a_passage_is_between_twenty_and_two_hundred_words():
    assert markup.passage([("prose", "See the docs.")]) is None
    long = " ".join(["This sentence has exactly seven words."] * 40)
    out = markup.passage([("prose", long)])
    assert out is not None and 190 <= words(out) <= 200 and out.endswith(".")


QUESTIONS = ["How do I install the tool?", "Can I use it with make?", "What is a session?",
             "Why is my program slow?", "Does it support Windows?", "I found a bug. What should I do?",
             "How to create a table?", "Is it possible to run two workers?", "What are the prerequisites?"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_rewording_differs_from_its_question_and_is_the_same_for_the_same_seed(question):
    outs = [rewording.reword(question, seed) for seed in range(12)]
    assert all(o.lower().strip("?") != question.lower().strip("?") for o in outs)
    assert outs == [rewording.reword(question, seed) for seed in range(12)]
    assert len(set(outs)) > 1  # the seed changes the wording


def test_rewording_frames_keep_the_question_s_content():
    outs = {rewording.reword("How do I install the tool?", seed) for seed in range(40)}
    assert {"How can I install the tool?", "What is the way to install the tool?"} <= outs
    assert all("install" in o.lower() or "set up" in o.lower() for o in outs)
    # a noun is not swapped as a verb
    assert all("handle" not in rewording.reword("Where do I buy commercial support?", s) for s in range(40))
