"""How a problem reaches the person: a ``gr.Error`` from one decorator, or a warning line in a status.

``shows_user_errors`` wraps a handler, plain or generator: a ``LensError``
it raises becomes ``gr.Error`` with the same text, logged as one line (no
traceback, since it is the person's input, not a bug). Any other exception
passes through untouched. Handlers that show a problem in a status line
instead (so the rest of the page keeps what it shows) catch the error
themselves and write it with ``status_warning`` (logged the same way).
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Any, Callable, TypeVar

import gradio as gr

from components.errors import LensError
from components.page_text import md_escape

LOG = logging.getLogger("instruction_lens")
F = TypeVar("F", bound=Callable[..., Any])


def user_error(exc: LensError) -> gr.Error:
    """A message for the person, and one line (not a traceback) in the log."""
    LOG.info("user error: %s", exc)
    return gr.Error(str(exc), print_exception=False)


def warning_line(message: str) -> str:
    """``message`` as a status line's warning: Markdown-escaped, after a warning sign.

    >>> warning_line("no *such* corpus")
    '⚠ no \\\\*such\\\\* corpus'
    """
    return f"⚠ {md_escape(message)}"


def status_warning(exc: LensError, what: str = "user error") -> str:
    """``exc`` as a status line's warning, logged as one line under ``what``."""
    LOG.info("%s: %s", what, exc)
    return warning_line(str(exc))


def shows_user_errors(handler: F) -> F:
    """``handler``, its ``LensError`` raised as ``gr.Error``; a generator handler stays a generator.

    The wrapper keeps the handler's signature (``functools.wraps``), so gradio
    still finds its ``gr.Request`` and ``gr.Progress`` parameters, and a
    generator handler still streams its updates.
    """
    if inspect.isgeneratorfunction(handler):
        @functools.wraps(handler)
        def streaming(*args, **kwargs):
            try:
                yield from handler(*args, **kwargs)
            except LensError as exc:
                raise user_error(exc) from None

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def plain(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except LensError as exc:
            raise user_error(exc) from None

    return plain  # type: ignore[return-value]
