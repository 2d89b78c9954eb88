"""Tests for components.errors: every named error is a LensError and a ValueError, raised where it says."""

import pytest

from components.errors import CorpusError, LensError, ModelUnavailable, UnknownTask
from components.models import get_model
from components.tasks import get_task


@pytest.mark.parametrize("error", [LensError, ModelUnavailable, CorpusError, UnknownTask])
def test_one_except_clause_catches_them_all(error):
    assert issubclass(error, LensError) and issubclass(error, ValueError)


@pytest.mark.parametrize("call, error, message", [
    (lambda: get_task("poetry"), UnknownTask, "unknown task 'poetry'; known: "),
    (lambda: get_model("gpt-9"), ModelUnavailable, "unknown model 'gpt-9'; known: "),
])
def test_the_message_names_the_value_and_what_would_do(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).startswith(message)
