"""The page's values as plain objects: the corpus picked, the setting, whose session.

Gradio-free, so tests call these directly. It does not read widgets or
build updates (the handlers do), and it does not decide defaults: a task's
default instructions come from ``components.setting.default_setting``.
"""

from __future__ import annotations

from components.corpora import Corpus, load_sample, manifest
from components.errors import LensError
from components.links import UPLOAD_KEY
from components.setting import Setting


def corpus_choices(uploaded: Corpus | None) -> list[tuple[str, str]]:
    """The corpus picker's (label, key) pairs: every sample corpus, then this session's upload if any."""
    choices = [(e["title"], e["key"]) for e in manifest()]
    if uploaded is not None:
        choices.append((f"Your upload: {uploaded.title}", UPLOAD_KEY))
    return choices


def page_corpus(key: str, uploaded: Corpus | None, task_key: str | None = None) -> Corpus:
    """The corpus picked on the page, with the labels of ``task_key`` where it labels several tasks.

    Raises ``LensError`` when the upload is picked but there is none.
    """
    if key == UPLOAD_KEY:
        if uploaded is None:
            raise LensError("No corpus uploaded in this session yet.")
        return uploaded
    corpus = load_sample(key)
    return corpus.with_task(task_key) if task_key in corpus.tasks else corpus


def page_setting(model_key: str, q_ins: str | None, d_ins: str | None, include: object) -> Setting:
    """The page's values as a ``Setting`` (an empty box is no instruction).

    >>> page_setting("minilm-offline", None, "doc: ", 1)
    Setting(model_key='minilm-offline', query_instruction='', document_instruction='doc: ', include_prompt=True)
    """
    return Setting(model_key, q_ins or "", d_ins or "", bool(include))


def session_key(request: object | None) -> str:
    """Whose view this is: the request's session hash, or ``"anonymous"`` (API calls without one).

    >>> session_key(None)
    'anonymous'
    """
    return getattr(request, "session_hash", None) or "anonymous"
