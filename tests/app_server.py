"""Start the real app (``python app.py``) in a subprocess for API and browser tests.

``running_app()`` is a context manager: it starts the app on a free port of
127.0.0.1 (``benchmarks.app_process``, which the benchmarks use too) with the
Hub offline and telemetry off (plus any extra environment, e.g.
``INSTRUCTION_LENS_EXTRA_CORPORA``), waits until the page answers HTTP 200,
yields the URL and stops the process at the end. If the app exits early or
does not answer in time, it raises ``AppStartError`` with the app's log.

This is a helper, not a test module; it does not import the app itself.

Example:
    >>> with running_app() as url:            # doctest: +SKIP
    ...     urllib.request.urlopen(url).status
    200
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from benchmarks import app_process
from benchmarks.app_process import REPO, AppStartError

__all__ = ["REPO", "AppStartError", "running_app"]

START_TIMEOUT = 120.0


@contextlib.contextmanager
def running_app(extra_env: dict[str, str] | None = None, timeout: float = START_TIMEOUT,
                log_path: Path | None = None) -> Iterator[str]:
    """Run ``app.py`` until the block ends; yields its URL (``http://127.0.0.1:<port>/``).

    Args:
        extra_env: variables added to (or overriding) the test process's environment.
        timeout: seconds to wait for the page to answer HTTP 200.
        log_path: where the app's output goes (kept); by default a temporary file.
    """
    env = {"TOKENIZERS_PARALLELISM": "false", **(extra_env or {})}
    with app_process.running_app(env, log_path) as (proc, url, t0, log):
        app_process.wait_for_page(url, proc, t0, log, timeout)
        yield url + "/"
