"""FAQ documents of permissively licensed packages: question → answer passage, question → its rewording.

Reads the FAQ files that the pinned sdists and Debian packages ship (listed in
``FAQS``): reStructuredText FAQs (an entry is a section whose title ends with
"?"), numbered plain-text FAQs (curl, zlib: "1.2 How do I ...?" lines) and
SQLite's HTML FAQ. The query is the question with its markup removed; the
answer target is the answer's first paragraph(s) as plain text (20–200
words, ``training.markup``); the question target is a rewording of the query
made by seeded rules (``training.rewording``). Entries whose title is not a
question, or whose answer is only a pointer ("See ...") too short to keep,
are left out. Nothing here reads the Python, Perl, Debian or git FAQs.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from training import markup, rewording
from training.pairs import Pair, words

# source key → (domain word, file pattern inside the unpacked package, format)
FAQS: dict[str, tuple[str, str, str]] = {
    "django": ("Django", "docs/faq/*.txt", "rst"),
    "sqlalchemy": ("SQLAlchemy", "doc/build/faq/*.rst", "rst"),
    "celery": ("Celery", "docs/faq.rst", "rst"),
    "scrapy": ("Scrapy", "docs/faq.rst", "rst"),
    "docutils": ("Docutils", "FAQ.rst", "rst"),
    "lxml": ("lxml", "doc/FAQ.txt", "rst"),
    "cython": ("Cython", "docs/src/userguide/faq.rst", "rst"),
    "numba": ("Numba", "docs/source/user/faq.rst", "rst"),
    "mypy": ("mypy", "docs/source/faq.rst", "rst"),
    "aiohttp": ("aiohttp", "docs/faq.rst", "rst"),
    "pygments": ("Pygments", "doc/faq.rst", "rst"),
    "coverage": ("coverage.py", "doc/faq.rst", "rst"),
    "curl": ("curl", "usr/share/doc/libcurl4/FAQ.gz", "text"),
    "zlib": ("zlib", "usr/share/doc/zlib1g-dev/FAQ.gz", "text"),
    "sqlite": ("SQLite", "usr/share/doc/sqlite3/faq.html", "html"),
}
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+.:_])\1{2,}\s*$")
_NUMBERED = re.compile(r"^ {0,3}\d+(?:\.\d+)*\.?\s+(\S.*)$")
_HTML_ENTRY = re.compile(r"<p><b>\(\d+\)\s*(.*?)</b></p>\s*<blockquote>(.*?)</blockquote>", re.DOTALL | re.IGNORECASE)


def members(key: str) -> tuple[str, ...]:
    """Path prefixes an sdist of ``key`` needs unpacked (its FAQ and its licence file)."""
    folder = FAQS[key][1].rsplit("/", 1)[0] if "*" in FAQS[key][1] else FAQS[key][1]
    return (f"/{folder}", "/LICENSE", "/COPYING")


def rst_entries(text: str) -> list[tuple[str, list[str]]]:
    """(section title, body lines) for every section of a reST document."""
    lines = text.splitlines()
    heads = [i for i in range(1, len(lines))
             if _UNDERLINE.match(lines[i]) and lines[i - 1].strip() and not _UNDERLINE.match(lines[i - 1])
             and not lines[i - 1].startswith((" ", ".."))]
    out = []
    for k, h in enumerate(heads):
        end = heads[k + 1] - 1 if k + 1 < len(heads) else len(lines)
        if end > 0 and _UNDERLINE.match(lines[end - 1]):
            end -= 1  # the next title's overline
        out.append((lines[h - 1].strip(), lines[h + 1 : end]))
    return out


def numbered_entries(text: str) -> list[tuple[str, list[str]]]:
    """(title, body lines) for every "N.N Title" line of a plain-text FAQ (a contents list gives empty bodies)."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _NUMBERED.match(line)
        if m:
            out.append((m.group(1).strip(), []))
        elif out:
            out[-1][1].append(line)
    return out


def question_text(title: str) -> str | None:
    """The title as a plain question, or None if it is not one."""
    q = markup.inline(re.sub(r"^Q\s*:\s*", "", title))
    q = re.sub(r"\s+\?$", "?", q)
    return q if q.endswith("?") and 3 <= words(q) <= 40 else None


def qa_blocks(path: Path, fmt: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(raw question, answer blocks) for the entries of one FAQ file."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    if fmt == "html":
        return [(re.sub(r"<[^>]+>", "", q), markup.html_blocks(a)) for q, a in _HTML_ENTRY.findall(text)]
    if fmt == "text":
        return [(q, markup.text_blocks(body)) for q, body in numbered_entries(text)]
    return [(q, markup.rst_blocks(body)) for q, body in rst_entries(text)]


def pairs_from(blocks: list[tuple[str, list[tuple[str, str]]]], key: str, domain: str, seed: int) -> list[Pair]:
    pairs: list[Pair] = []
    seen: set[str] = set()
    for title, answer_blocks in blocks:
        query = question_text(title)
        answer = markup.passage(answer_blocks)
        if query is None or answer is None or query in seen:
            continue
        seen.add(query)
        pairs.append(Pair(key, domain, query, {"answer": answer, "question": rewording.reword(query, seed)}))
    return pairs


def extract(root: Path, key: str, seed: int = 0) -> list[Pair]:
    """Pairs from the unpacked package of FAQ source ``key``."""
    domain, pattern, fmt = FAQS[key]
    paths = sorted(root.glob(pattern)) or sorted(root.glob(f"*/{pattern}"))
    blocks = [entry for path in paths for entry in qa_blocks(path, fmt)]
    return pairs_from(blocks, key, domain, seed)
