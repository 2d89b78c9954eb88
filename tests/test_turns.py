"""Turn-taking between people's requests and the start-up work, and threads per job (no model)."""

import os


def test_threads_by_path_queries_one_corpus_jobs_share_the_cores(monkeypatch):
    from components import turns

    monkeypatch.setenv(turns.THREADS_ENV, "")
    cores = os.cpu_count() or 1

    def jobs(fg: int, bg: int) -> None:
        monkeypatch.setattr(turns, "_corpus_jobs", {"foreground": fg, "background": bg})

    assert turns.threads_for(corpus_job=False) == 1
    jobs(1, 0)  # this job alone
    assert turns.threads_for(True) == cores
    jobs(2, 0)  # another person's corpus job is running
    assert turns.threads_for(True) == 1
    jobs(1, 1)  # start-up work in the background does not count against a person's job
    assert turns.threads_for(True, "foreground") == cores
    assert turns.threads_for(True, "background") == 1  # it steps aside instead
    jobs(0, 1)
    assert turns.threads_for(True, "background") == cores
    monkeypatch.setenv(turns.THREADS_ENV, "3")
    jobs(1, 0)
    assert turns.threads_for(True) == 3


def test_a_background_batch_waits_while_a_foreground_corpus_job_runs_on_any_model_and_queries_never_do():
    import threading

    from components.turns import ModelGate, counting

    same, other, order = ModelGate(), ModelGate(), []
    started = threading.Event()

    def background(gate):
        started.set()
        with gate.batch(background_corpus_job=True):
            order.append("background batch")

    for gate in (same, other):  # the person's job runs on the first model
        started.clear()
        with counting("foreground"):
            thread = threading.Thread(target=background, args=(gate,))
            thread.start()
            started.wait(5)
            thread.join(0.3)
            assert thread.is_alive()  # waiting for the person's job
            with same.batch(background_corpus_job=False):  # the job's own batch, or anyone's query
                order.append("foreground batch")
        thread.join(5)
        assert order[-2:] == ["foreground batch", "background batch"]
    with counting("foreground", corpus_job=False):  # a query is not a job that pauses anyone
        with same.batch(background_corpus_job=True):
            order.append("background again")
    assert order[-1] == "background again"


def test_the_start_up_work_steps_aside_for_a_persons_whole_turn_unless_it_is_yielded():
    import threading

    from components.turns import background, persons_turn, step_aside, turn_yielded

    stepped = threading.Event()

    def start_up():
        with background():
            with persons_turn():  # the start-up work's own calls never hold anyone up
                pass
            step_aside()
            stepped.set()

    with persons_turn():  # a person's request, e.g. a ranking that loads a model, then encodes twice
        thread = threading.Thread(target=start_up)
        thread.start()
        with persons_turn():  # a nested turn (the model load inside the request) counts once
            pass
        assert not stepped.wait(0.5)  # between two steps of the request: still held back
        with turn_yielded():  # waiting for the start-up work's own encode
            assert stepped.wait(5)
    thread.join(5)
