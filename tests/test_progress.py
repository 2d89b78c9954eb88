"""Tests for components.progress: a share of a job reported on the whole job's bar."""

import pytest

from components.progress import scaled


def test_none_stays_none():
    assert scaled(None, 0.2, 0.8, "x") is None


@pytest.mark.parametrize("frac, shown", [(0.0, 0.2), (0.5, 0.5), (1.0, 0.8), (-1.0, 0.2), (2.0, 0.8)])
def test_a_part_fills_its_own_stretch_of_the_bar(frac, shown):
    seen = []
    scaled(lambda f, m: seen.append((f, m)), 0.2, 0.8, "Embedding")(frac, "step")
    assert seen[0][0] == pytest.approx(shown) and seen[0][1] == "Embedding: step"


def test_no_label_leaves_the_message_as_it_is():
    seen = []
    scaled(lambda f, m: seen.append(m), 0.0, 1.0)(0.3, "loading")
    assert seen == ["loading"]
