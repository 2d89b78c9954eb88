"""The ranking handlers: what the page's /explore yields, and what a failure or a superseded job leaves."""

from components.projection import FrameCache


def _explore(fake_engine, **over):
    from components.jobs import LatestViews
    from components.setting import default_setting
    from components.app.explore import explore

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


def test_rankings_come_first_then_the_map_after_the_paint_gap_then_the_rank_changes(fake_engine, monkeypatch):
    import time

    import gradio as gr

    from components.app import explore as module
    from components.jobs import LatestViews

    stamps = []
    gen = module.explore(fake_engine, FrameCache(), LatestViews(), "qa",
                         "minilm-offline", "python_faq_qa", None, "q: ", "", True, "Why are strings immutable?", 5,
                         progress=lambda *a, **k: None)
    updates = []
    for update in gen:
        stamps.append(time.monotonic())
        updates.append(update)
    assert len(updates) == 3
    tables, mapped, changed = updates
    assert 'role="row"' in tables[0] and 'role="row"' in tables[1] and tables[3] == gr.skip()
    assert [i for i, u in enumerate(mapped) if u != gr.skip()] == [2]
    assert [i for i, u in enumerate(changed) if u != gr.skip()] == [3]
    assert mapped[2]["data"] and changed[3]["data"]
    assert stamps[1] - stamps[0] >= module.PAINT_GAP_S * 0.9
