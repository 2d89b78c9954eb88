"""Build and launch the app with deliberate limits.

Settings come from the environment so a Space, a classroom server and the
tests can differ without code changes:
``INSTRUCTION_LENS_HOST`` (default 0.0.0.0 on Spaces, else 127.0.0.1),
``INSTRUCTION_LENS_PORT`` / ``GRADIO_SERVER_PORT`` (7860),
``INSTRUCTION_LENS_CONCURRENCY`` (rankings served at once, 8: most only embed a query),
``INSTRUCTION_LENS_CORPUS_JOBS`` (corpus embeddings at once, 1 on 2 cores; others wait their turn),
``INSTRUCTION_LENS_QUEUE`` (waiting jobs before "busy", 64),
``INSTRUCTION_LENS_NO_WARMUP=1`` to skip the background start-up work,
``INSTRUCTION_LENS_WARM_MODELS`` (the models it warms, ``components.app.warmup``),
``INSTRUCTION_LENS_STORE_MB`` / ``INSTRUCTION_LENS_STORE_DIR`` (the vectors kept
on disk, ``components.store``), ``INSTRUCTION_LENS_PRECISION`` (``components.precision``).
"""

from __future__ import annotations

import os

from components.app import warmup
from components.engine import Engine
from components.frames import LiveFrameCache
from components.jobs import CorpusSlots
from components.model_facts import FACTS_FOLDER, FactsBook
from components.store import open_store
from components.upload_reading import MAX_FILE_BYTES

MAX_FILE_SIZE = f"{MAX_FILE_BYTES // 2**20}mb"  # the server refuses what the upload reader would


def create(warm: bool = True):
    """The ``gr.Blocks`` app with its shared engine; starts the warm-up thread."""
    from components.app.page import build

    slots = CorpusSlots(int(os.environ.get("INSTRUCTION_LENS_CORPUS_JOBS", "1")))
    store = open_store()
    facts = FactsBook(store.folder / FACTS_FOLDER) if store is not None else None  # kept with the vectors
    engine, frames = Engine(slots=slots, store=store, facts=facts), LiveFrameCache()
    if warm and os.environ.get("INSTRUCTION_LENS_NO_WARMUP") != "1":
        warmup.start(engine, frames)
    demo = build(engine, frames)
    demo.queue(max_size=int(os.environ.get("INSTRUCTION_LENS_QUEUE", "64")),
               default_concurrency_limit=1)
    return demo


def main() -> None:
    on_spaces = bool(os.environ.get("SPACE_ID"))
    host = os.environ.get("INSTRUCTION_LENS_HOST", "0.0.0.0" if on_spaces else "127.0.0.1")
    port = int(os.environ.get("INSTRUCTION_LENS_PORT", os.environ.get("GRADIO_SERVER_PORT", "7860")))
    demo = create()
    from components.app.page import launch_options

    demo.launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE, **launch_options())
