"""The page builds on any engine, exposes its endpoints, and gradio stays in components.app."""

import pathlib
import re

from components.projection import FrameCache

COMPONENTS = pathlib.Path(__file__).resolve().parent.parent / "components"


GRADIO_FREE_IN_APP = ("__init__.py", "values.py", "server.py", "warmup.py")


def test_only_the_app_shell_imports_gradio():
    pattern = re.compile(r"^\s*(import gradio|from gradio)", re.M)
    importers = {p.relative_to(COMPONENTS).as_posix() for p in COMPONENTS.rglob("*.py")
                 if pattern.search(p.read_text())}
    assert importers and all(name.startswith("app/") for name in importers), importers
    assert not importers & {f"app/{name}" for name in GRADIO_FREE_IN_APP}


def test_importing_components_loads_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, components.engine, components.comparison, components.mapview, components.uploads;"
            "heavy = [m for m in ('torch', 'sentence_transformers', 'umap', 'gradio', 'transformers') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=COMPONENTS.parent, check=True)
    assert out.stdout.strip() == "[]"


def test_the_page_has_its_public_endpoints(fake_engine):
    from components.app.page import build

    demo = build(fake_engine, FrameCache())
    names = {fn.api_name for fn in demo.fns.values() if getattr(fn, "api_visibility", "public") == "public"}
    assert {"explore", "measure", "export", "upload"} <= names


def test_the_page_states_the_upload_limits_the_reader_enforces(fake_engine):
    """The limits are defined once (components.uploads and the readers); the page's text must match them."""
    import gradio as gr

    from components.app.server import MAX_FILE_SIZE
    from components.app.page import build
    from components.upload_reading import MAX_FILE_BYTES
    from components.uploads import limits_sentence

    demo = build(fake_engine, FrameCache())
    texts = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown) and "Limits:" in (b.value or "")]
    assert texts and all(limits_sentence() in " ".join(t.split()) for t in texts)
    assert MAX_FILE_SIZE == f"{MAX_FILE_BYTES // 2**20}mb"


def test_a_bound_handler_shows_gradio_its_request_parameter():
    """With functools.partial Gradio reads no type hints: the request arrived as None for everyone."""
    import inspect

    from gradio import utils

    from components.app.explore import explore, note_view

    import gradio as gr

    from components.app import page

    ranked, noted = page.bind(explore, "engine", "frames", "views"), page.bind(note_view, "views")
    for handler in (ranked, noted):
        assert utils.get_type_hints(handler)["request"] is gr.Request
    assert list(inspect.signature(noted).parameters) == ["model_key", "corpus_key", "uploaded", "d_ins", "include",
                                                         "request"]
    assert inspect.isgeneratorfunction(ranked) and not inspect.isgeneratorfunction(noted)
    assert ranked.__name__ != "explore"  # the public /explore endpoint keeps its name
