"""The adapter's training data rules: overlap removal, paired rows, held-out wordings (no model, no download)."""

import pytest

from components.tasks import TASKS
from training import overlap, rows
from training.instructions import all_wordings, check_not_held_out
from training.pairs import Pair, first_sentence

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
    check_not_held_out(all_wordings(["Go", "Python", "computing", "reading comprehension"]), presets)
    with pytest.raises(ValueError, match="held-out"):
        check_not_held_out({"Represent the text for retrieval: "}, {"Represent the text for retrieval:"})
