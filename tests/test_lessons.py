"""Lessons: every state is a valid link, and every claim holds for the real offline models."""

import pytest

from components.corpora import load_sample
from components.lessons import CountCheck, arm_state, check_lesson, get_lesson, lessons
from components.links import from_query_params
from components.models import get_model
from components.tasks import get_task

LESSONS = lessons()
KEYS = [lesson.key for lesson in LESSONS]


def _params(query_string: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query_string, keep_blank_values=True))


def test_about_five_lessons_with_unique_keys():
    assert 5 <= len(LESSONS) <= 7 and len(set(KEYS)) == len(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_a_lesson_is_a_link_that_restores_it(key):
    lesson = get_lesson(key)
    assert from_query_params(_params(lesson.query_string)) == (lesson.state, ())


@pytest.mark.parametrize("key", KEYS)
def test_a_lesson_is_complete_and_runs_offline(key):
    lesson = get_lesson(key)
    assert lesson.title and lesson.claim and lesson.checks
    sentences = lesson.watch.count(". ") + 1
    assert 2 <= sentences <= 3, lesson.watch
    assert get_model(lesson.state.model).offline  # a lesson must work without a network
    assert lesson.state.query and lesson.state.corpus == get_task(lesson.state.task).corpus
    for check in lesson.checks:
        arms = [check.arm] if isinstance(check, CountCheck) else [check.better, check.worse]
        for arm in arms:
            state = arm_state(lesson, arm)
            assert state is None or state.model == lesson.state.model
        if isinstance(check, CountCheck):
            assert check.kind in load_sample(lesson.state.corpus).kinds
        else:
            assert check.better != check.worse and check.by >= 0


def test_unknown_lesson_names_the_known_ones():
    with pytest.raises(KeyError, match="one-query-two-tasks"):
        get_lesson("nope")


def test_a_variant_arm_with_a_task_takes_that_tasks_instructions():
    lesson = get_lesson("one-query-two-tasks")
    state = arm_state(lesson, (("task", "mixed-similar"),))
    assert state.query == lesson.state.query and state.query_instruction != lesson.state.query_instruction
    assert state.query_instruction.startswith("Represent the programming question for retrieving questions")


@pytest.mark.parametrize("key", KEYS)
def test_the_claim_holds_for_the_real_model(real_engine, key):
    """The numbers behind each lesson, measured on the packaged models (slow: minutes on a busy CPU)."""
    measured = check_lesson(real_engine, get_lesson(key))
    assert all(m.holds for m in measured), [m.text for m in measured]
