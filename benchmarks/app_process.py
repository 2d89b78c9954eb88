"""The real app (``python app.py``) in a subprocess, for benchmarks and the API and browser tests.

``running_app`` starts it on a free loopback port with the Hub offline and
telemetry off (plus any extra environment) and stops it when the block ends
(terminate, then kill after a grace period); ``wait_for_page`` waits until
the page answers HTTP 200 and says how long that took from the start, or
raises ``AppStartError`` with the app's log. ``tree_rss_mb`` is the memory of
the app and its children.
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
STOP_GRACE = 10.0


class AppStartError(RuntimeError):
    """The app did not come up; the message carries its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MiB."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


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
def running_app(extra_env: dict[str, str] | None = None,
                log_path: Path | None = None) -> Iterator[tuple[subprocess.Popen, str, float, str]]:
    """``python app.py`` on a free loopback port until the block ends.

    Args:
        extra_env: variables added to (or overriding) this process's environment.
        log_path: where the app's output goes (kept); by default a temporary file.

    Yields:
        (process, url without the trailing slash, ``time.perf_counter()`` at the start, log path).
    """
    port = free_port()
    env = {**os.environ, "INSTRUCTION_LENS_HOST": HOST, "INSTRUCTION_LENS_PORT": str(port),
           "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    with tempfile.TemporaryDirectory(prefix="lens-app-") as tmp:
        log_file = Path(log_path or Path(tmp) / "app.log")
        with log_file.open("wb") as log:
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
        try:
            yield proc, f"http://{HOST}:{port}", t0, str(log_file)
        finally:
            _stop(proc)


def _log_tail(log_path: str, chars: int = 6000) -> str:
    return Path(log_path).read_text(encoding="utf-8", errors="replace")[-chars:]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_for_page(url: str, proc: subprocess.Popen, t0: float, log_path: str, timeout: float = 300.0) -> float:
    """Seconds from ``t0`` until ``url`` answers HTTP 200.

    Raises:
        AppStartError: the app exited first, or did not answer within ``timeout`` seconds (with its log).
    """
    while not _answers(url + "/"):
        if proc.poll() is not None:
            raise AppStartError(f"app.py exited with code {proc.returncode} before serving {url}/. "
                                f"Log:\n{_log_tail(log_path)}")
        if time.perf_counter() - t0 > timeout:
            raise AppStartError(f"app.py did not answer {url}/ within {timeout:.0f} s. Log:\n{_log_tail(log_path)}")
        time.sleep(0.05)  # polling a process we cannot wait on otherwise
    return time.perf_counter() - t0
