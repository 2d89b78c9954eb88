"""Every docstring example in components/ and benchmarks/ runs, so none goes stale."""

import doctest
import importlib
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
MODULES = sorted(".".join(p.relative_to(REPO).with_suffix("").parts) for folder in ("components", "benchmarks")
                 for p in (REPO / folder).rglob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
