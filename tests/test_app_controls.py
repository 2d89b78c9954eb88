"""The controls' handlers: model switch, task switch, reset, lessons, links."""


def test_a_refused_model_keeps_the_model_and_instructions(monkeypatch):
    import gradio as gr

    from components.app import controls

    monkeypatch.setattr(controls.gr, "Warning", lambda message: None)
    out = controls.on_model("qa", "bge-small-en-v1.5", "minilm-offline")  # HF_HUB_OFFLINE=1 in tests
    assert out[0] == "minilm-offline" and out[-1] == "minilm-offline"
    assert all(u == gr.skip() for u in out[1:5])
    ok = controls.on_model("qa", "e5-small-offline", "minilm-offline")
    assert ok[1:3] == ("query: ", "passage: ") and ok[-1] == "e5-small-offline"
