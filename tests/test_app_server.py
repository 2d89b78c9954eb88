"""Tests for components.app.server: the app built with its limits from the environment, and launched."""

import gradio as gr
import pytest

from components.app import page, server, warmup
from components.upload_reading import MAX_FILE_BYTES


@pytest.fixture
def quiet_env(monkeypatch):
    monkeypatch.setenv("INSTRUCTION_LENS_STORE_MB", "0")  # no vector store on disk
    monkeypatch.setenv("INSTRUCTION_LENS_QUEUE", "5")
    monkeypatch.setenv("INSTRUCTION_LENS_CORPUS_JOBS", "2")


def test_create_builds_the_page_with_the_queue_from_the_environment(quiet_env, monkeypatch):
    started = []
    monkeypatch.setattr(warmup, "start", lambda engine, frames: started.append(engine))
    demo = server.create(warm=False)
    assert isinstance(demo, gr.Blocks) and demo._queue.max_size == 5
    assert demo._queue.default_concurrency_limit == 1 and started == []


@pytest.mark.parametrize("no_warmup, starts", [(None, True), ("1", False)])
def test_the_warm_up_starts_unless_turned_off(quiet_env, monkeypatch, no_warmup, starts):
    started = []
    monkeypatch.setattr(warmup, "start", lambda engine, frames: started.append(engine.slots))
    if no_warmup:
        monkeypatch.setenv("INSTRUCTION_LENS_NO_WARMUP", no_warmup)
    else:
        monkeypatch.delenv("INSTRUCTION_LENS_NO_WARMUP", raising=False)
    server.create()
    assert bool(started) is starts


def test_main_launches_on_the_host_and_port_asked_for_with_the_upload_limit(quiet_env, monkeypatch):
    launched = {}

    class Demo:
        def launch(self, **kwargs):
            launched.update(kwargs)

    monkeypatch.setattr(server, "create", lambda: Demo())
    monkeypatch.setenv("INSTRUCTION_LENS_HOST", "127.0.0.9")
    monkeypatch.setenv("INSTRUCTION_LENS_PORT", "7999")
    server.main()
    assert (launched["server_name"], launched["server_port"]) == ("127.0.0.9", 7999)
    assert launched["max_file_size"] == f"{MAX_FILE_BYTES // 2**20}mb" == server.MAX_FILE_SIZE
    assert launched["ssr_mode"] is False and launched["css"] == page.launch_options()["css"]
