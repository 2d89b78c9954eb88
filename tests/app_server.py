"""Start the real app (``python app.py``) in a subprocess for API and browser tests.

``running_app()`` is a context manager: it picks a free port on 127.0.0.1,
starts the app with the Hub offline and telemetry off (plus any extra
environment, e.g. ``INSTRUCTION_LENS_EXTRA_CORPORA``), polls the page until it
answers HTTP 200, yields the URL and stops the process at the end (terminate,
then kill after a grace period). If the app exits early or does not answer in
time, it raises ``AppStartError`` with the app's captured log.

This is a helper, not a test module; it does not import the app itself.

Example:
    >>> with running_app() as url:            # doctest: +SKIP
    ...     urllib.request.urlopen(url).status
    200
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 120.0
STOP_GRACE = 10.0


class AppStartError(RuntimeError):
    """The app did not come up; the message carries its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log_path: Path, chars: int = 6000) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return text[-chars:]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_GRACE)


@contextlib.contextmanager
def running_app(extra_env: dict[str, str] | None = None, timeout: float = START_TIMEOUT,
                log_path: Path | None = None) -> Iterator[str]:
    """Run ``app.py`` until the block ends; yields its URL (``http://127.0.0.1:<port>/``).

    Args:
        extra_env: variables added to (or overriding) the test process's environment.
        timeout: seconds to wait for the page to answer HTTP 200.
        log_path: where the app's output goes (kept); by default a temporary file.
    """
    port = free_port()
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", HF_HUB_DISABLE_TELEMETRY="1",
               TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1",
               INSTRUCTION_LENS_HOST=HOST, INSTRUCTION_LENS_PORT=str(port))
    env.update(extra_env or {})
    url = f"http://{HOST}:{port}/"
    with tempfile.TemporaryDirectory(prefix="lens-app-") as tmp:
        log_path = Path(log_path or Path(tmp) / "app.log")
        with log_path.open("wb") as log:
            proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(url):
                if proc.poll() is not None:
                    raise AppStartError(f"app.py exited with code {proc.returncode} before serving "
                                        f"{url}. Log:\n{_log_tail(log_path)}")
                if time.monotonic() > deadline:
                    raise AppStartError(f"app.py did not answer {url} within {timeout:.0f} s. "
                                        f"Log:\n{_log_tail(log_path)}")
                time.sleep(0.25)  # polling a process we cannot wait on otherwise
            yield url
        finally:
            _stop(proc)
