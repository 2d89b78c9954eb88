"""Instruction Lens's own parts (not Gradio widgets).

Each module holds one idea as plain functions and dataclasses: model and task
presets, encoding with instructions, retrieval, metrics, the map, data loading.
Only ``components.ui`` imports gradio; everything else can be used and tested
without a server. Importing this package loads no model and no heavy library.
"""
