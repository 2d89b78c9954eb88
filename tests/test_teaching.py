"""Tests for components.teaching: the page's prose says what the code does."""

from components.models import get_model
from components.teaching import ABOUT, INTRO


def test_the_intro_opens_with_the_apps_name_and_the_comparison():
    assert INTRO.startswith("## Instruction Lens") and "**no instruction at all**" in INTRO


def test_the_e5_prefixes_it_names_are_the_models_own():
    e5 = get_model("e5-small-offline")
    assert f"`{e5.apply('query', 'query: ')}`" in ABOUT and f"`{e5.apply('document', 'passage: ')}`" in ABOUT


def test_the_python_example_names_what_the_package_exports():
    import components

    assert "from components import TaskAwareRAG" in ABOUT and hasattr(components, "TaskAwareRAG")
    for call in ("rag.index(texts, task=\"qa\")", "rag.retrieve(question, k=5)", "rag.compare(question)"):
        assert call in ABOUT


def test_the_pooling_switch_it_describes_is_on_the_page():
    from components.app import parts  # the checkbox's label

    assert "include the instruction in the pooled mean" in ABOUT
    assert "Include the instruction in the pooled mean" in open(parts.__file__, encoding="utf-8").read()
