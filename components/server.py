"""Build and launch the app with deliberate limits.

Settings come from the environment so a Space, a classroom server and the
tests can differ without code changes:
``INSTRUCTION_LENS_HOST`` (default 0.0.0.0 on Spaces, else 127.0.0.1),
``INSTRUCTION_LENS_PORT`` / ``GRADIO_SERVER_PORT`` (7860),
``INSTRUCTION_LENS_CONCURRENCY`` (encoding jobs at once; 2 cores → 1),
``INSTRUCTION_LENS_QUEUE`` (waiting jobs before "busy", 64),
``INSTRUCTION_LENS_NO_WARMUP=1`` to skip the background start-up work.
"""

from __future__ import annotations

import os

from components import warmup
from components.engine import Engine
from components.frames import LiveFrameCache
from components.store import open_store

MAX_FILE_SIZE = "10mb"


def create(warm: bool = True):
    """The ``gr.Blocks`` app with its shared engine; starts the warm-up thread."""
    from components.ui import build

    engine, frames = Engine(store=open_store()), LiveFrameCache()
    if warm and os.environ.get("INSTRUCTION_LENS_NO_WARMUP") != "1":
        warmup.start(engine, frames)
    demo = build(engine, frames)
    demo.queue(max_size=int(os.environ.get("INSTRUCTION_LENS_QUEUE", "64")),
               default_concurrency_limit=int(os.environ.get("INSTRUCTION_LENS_CONCURRENCY", "1")))
    return demo


def main() -> None:
    on_spaces = bool(os.environ.get("SPACE_ID"))
    host = os.environ.get("INSTRUCTION_LENS_HOST", "0.0.0.0" if on_spaces else "127.0.0.1")
    port = int(os.environ.get("INSTRUCTION_LENS_PORT", os.environ.get("GRADIO_SERVER_PORT", "7860")))
    demo = create()
    from components.ui import launch_options

    demo.launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE, **launch_options())
