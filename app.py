"""Instruction Lens: serve the app (``python app.py``).

The page is served at once; models load and UMAP compiles in a background
thread (components.app.warmup), and the page says so while it happens.
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# idle torch threads sleep instead of spinning, so a query is not slowed by a corpus job's second thread
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "instruction-lens", "numba"))

from components.memory import limit_arenas  # noqa: E402  (light: ctypes only)

# glibc: two malloc arenas, not one per thread and core, keep the handler threads' memory close together
limit_arenas(int(os.environ.get("MALLOC_ARENA_MAX", "2")))

from components.app.server import main  # noqa: E402  (environment first, then imports)

if __name__ == "__main__":
    main()
