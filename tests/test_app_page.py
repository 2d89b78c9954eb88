"""The page builds on any engine, exposes its endpoints, and gradio stays in components.app."""

import pathlib
import re

from components.projection import FrameCache

COMPONENTS = pathlib.Path(__file__).resolve().parent.parent / "components"


GRADIO_FREE_IN_APP = ("__init__.py", "values.py", "server.py", "warmup.py")


def test_only_the_app_shell_imports_gradio():
    pattern = re.compile(r"^\s*(import gradio|from gradio)", re.M)
    importers = {p.relative_to(COMPONENTS).as_posix() for p in COMPONENTS.rglob("*.py") if pattern.search(p.read_text())}
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


def _explore(fake_engine, **over):
    from components.jobs import LatestViews
    from components.setting import default_setting
    from components.app.page import explore

    s = default_setting("qa", "minilm-offline")
    args = dict(task_key="qa", model_key="minilm-offline", corpus_key="python_faq_qa", uploaded=None,
                q_ins=s.query_instruction, d_ins=s.document_instruction, include=True,
                query="Why are Python strings immutable?", k=5, measured=False, measure_token=3)
    args.update(over)
    views = over.pop("views", None) or LatestViews()
    args.pop("views", None)
    return list(explore(fake_engine, FrameCache(), views, **args, progress=lambda *a, **k: None))


def test_an_error_goes_to_the_status_line_and_keeps_the_shown_result(fake_engine):
    import gradio as gr

    updates = _explore(fake_engine, query="   ")
    assert len(updates) == 1
    *kept, status, snippet, token = updates[0]
    assert all(u == gr.skip() for u in kept + [snippet, token])
    assert status.startswith("⚠") and "Type a query" in status


def test_a_ranking_bumps_the_measure_token_only_while_measuring(fake_engine):
    import gradio as gr

    quiet = _explore(fake_engine)
    assert quiet[0][6] == gr.skip() and quiet[0][0].count('role="row"') == 1 + 5
    live = _explore(fake_engine, measured=True)
    assert live[0][6] == 4
    assert '"query"' in live[0][5]  # the prompts snippet follows the ranking


def test_superseded_corpus_work_changes_nothing_on_screen(fake_engine, monkeypatch):
    import gradio as gr

    from components.jobs import Superseded

    def superseded(*args, **kwargs):
        raise Superseded()

    monkeypatch.setattr(fake_engine, "explore", superseded)
    updates = _explore(fake_engine)
    assert updates == [(gr.skip(),) * 7]


def test_a_refused_model_keeps_the_model_and_instructions(monkeypatch):
    import gradio as gr

    from components.app import page as ui

    monkeypatch.setattr(ui.gr, "Warning", lambda message: None)
    out = ui.on_model("qa", "bge-small-en-v1.5", "minilm-offline")  # HF_HUB_OFFLINE=1 in tests
    assert out[0] == "minilm-offline" and out[-1] == "minilm-offline"
    assert all(u == gr.skip() for u in out[1:5])
    ok = ui.on_model("qa", "e5-small-offline", "minilm-offline")
    assert ok[1:3] == ("query: ", "passage: ") and ok[-1] == "e5-small-offline"


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
