"""The training loop's learning-rate schedule (the loop itself runs only in the training script)."""

import doctest

import training.loop
from training.loop import lr_factor


def test_docstring_examples_run():
    assert doctest.testmod(training.loop).failed == 0


def test_the_rate_warms_up_then_falls_to_zero_with_the_plan():
    rates = [lr_factor(step, 100, 0.0, 1e9, 10) for step in range(101)]
    assert rates[:10] == sorted(rates[:10]) and rates[9] == 0.91
    assert rates[10:] == sorted(rates[10:], reverse=True) and rates[100] == 0.0


def test_a_run_the_clock_stops_has_cooled_down():
    # a quarter of the plan done but the whole time budget used: the rate is already zero
    assert lr_factor(25, 100, 600.0, 600.0, 10) == 0.0
    assert lr_factor(25, 100, 300.0, 600.0, 10) == 0.5
