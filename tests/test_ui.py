"""The page builds on any engine, exposes its endpoints, and gradio stays in ui.py."""

import pathlib
import re

from components.projection import FrameCache

COMPONENTS = pathlib.Path(__file__).resolve().parent.parent / "components"


def test_only_ui_imports_gradio():
    pattern = re.compile(r"^\s*(import gradio|from gradio)", re.M)
    offenders = [p.name for p in COMPONENTS.glob("*.py") if p.name != "ui.py" and pattern.search(p.read_text())]
    assert offenders == []


def test_importing_components_loads_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, components.engine, components.evaluation, components.mapview, components.uploads;"
            "heavy = [m for m in ('torch', 'sentence_transformers', 'umap', 'gradio', 'transformers') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=COMPONENTS.parent, check=True)
    assert out.stdout.strip() == "[]"


def test_the_page_has_its_public_endpoints(fake_engine):
    from components.ui import build

    demo = build(fake_engine, FrameCache())
    names = {fn.api_name for fn in demo.fns.values() if getattr(fn, "api_visibility", "public") == "public"}
    assert {"explore", "measure", "export", "upload"} <= names
