"""Readers for the mixed corpus's Debian sources: the library reference and WordNet.

``doc_paragraphs`` reads the Python library reference's HTML (Sphinx output
of Debian ``python3.11-doc``) and returns, per documented function or method
id (``base64.b64encode``, ``pathlib.Path.glob``), the first paragraph of its
description as plain text. ``wordnet_entries`` reads WordNet 3.0's
``data.noun`` and ``index.*`` files (Debian ``wordnet-base``) and returns
unambiguous noun lemmas with their gloss, split into science-domain and
general ones. Nothing here downloads anything.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser
from pathlib import Path

CALLABLE_KINDS = {"function", "method", "classmethod", "staticmethod"}
VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base", "source"}
# The code sample names some functions by their implementing module; the reference by the public one.
ALIASES = (("posixpath.", "os.path."), ("genericpath.", "os.path."), ("json.__init__.", "json."),
           ("json.encoder.JSONEncoder.", "json.JSONEncoder."), ("json.decoder.JSONDecoder.", "json.JSONDecoder."))


def doc_id_for(function_id: str) -> str:
    """The library reference's id for a function of the code sample."""
    for old, new in ALIASES:
        if function_id.startswith(old):
            return new + function_id[len(old):]
    return function_id


class _FirstParagraphs(HTMLParser):
    """Collects the first ``<p>`` directly inside each callable's ``<dd>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, dl kind or "")
        self.pending: list[str] = []  # ids of the dt(s) waiting for their dd
        self.dd_depth = -1
        self.ids_of_dd: list[str] = []
        self.parts: list[str] | None = None
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in VOID_TAGS:
            return
        a = dict(attrs)
        kind = ""
        if tag == "dl":
            classes = (a.get("class") or "").split()
            kind = next((c for c in classes if c in CALLABLE_KINDS), "") if "py" in classes else ""
        parent_kind = self.stack[-1][1] if self.stack else ""
        self.stack.append((tag, kind))
        if tag == "dt" and parent_kind and a.get("id"):
            self.pending.append(a["id"])
        elif tag == "dd" and parent_kind and self.pending:
            self.dd_depth, self.ids_of_dd, self.pending = len(self.stack), self.pending, []
        elif tag == "p" and len(self.stack) == self.dd_depth + 1 and self.ids_of_dd and self.parts is None:
            self.parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.stack:
            return
        while self.stack and self.stack[-1][0] != tag:  # tolerate an unclosed element
            self.stack.pop()
        if self.stack:
            self.stack.pop()
        if tag == "p" and self.parts is not None and len(self.stack) == self.dd_depth:
            text = " ".join("".join(self.parts).split())
            for i in self.ids_of_dd:
                self.found.setdefault(i, text)
            self.parts, self.ids_of_dd = None, []
        if tag == "dd" and len(self.stack) < self.dd_depth:
            self.dd_depth, self.ids_of_dd = -1, []

    def handle_data(self, data: str) -> None:
        if self.parts is not None:
            self.parts.append(data)


def doc_paragraphs(library_html: Path) -> dict[str, str]:
    """First description paragraph per callable id, over every page of the library reference."""
    found: dict[str, str] = {}
    for page in sorted(library_html.glob("*.html")):
        parser = _FirstParagraphs()
        parser.feed(page.read_text(encoding="utf-8"))
        for key, text in parser.found.items():
            found.setdefault(key, text)
    return found


def near_copy(query: str, paragraph: str, limit: float = 0.85) -> bool:
    """True when the paragraph's first sentence is (almost) the query itself."""
    first = re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0]
    return difflib.SequenceMatcher(None, query.lower(), first.lower()).ratio() >= limit


# WordNet topic domains counted as science: computer science, mathematics,
# statistics, physics, chemistry, biology.
SCIENCE_DOMAINS = {"06128570", "06000644", "06018465", "06090869", "06084469", "06037666"}
GENERAL_LEXFILES = {"04", "06", "09", "10"}  # noun.act, noun.artifact, noun.cognition, noun.communication


def _senses(index: Path) -> dict[str, tuple[int, int]]:
    """lemma -> (number of synsets, tagged sense count) from one ``index.<pos>`` file."""
    out = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue  # licence header
        f = line.split()
        p_cnt = int(f[3])
        out[f[0]] = (int(f[2]), int(f[5 + p_cnt]))
    return out


def _gloss(raw: str) -> str:
    """The definition part of a WordNet gloss (its quoted examples dropped)."""
    return raw.split('; "')[0].split(' "')[0].strip().rstrip(";").strip()


def _names_itself(lemma: str, gloss: str) -> bool:
    """True when the gloss uses a word of the lemma (or its stem): that would give the answer away."""
    words = re.findall(r"[a-z]+", gloss.lower())
    return any(len(t) >= 3 and any(w.startswith(t[:5]) for w in words) for t in lemma.split())


def wordnet_entries(wordnet: Path) -> tuple[list[dict], list[dict]]:
    """(science, general) unambiguous lemmas: one sense in WordNet as noun and no other part of speech."""
    nouns = _senses(wordnet / "index.noun")
    others: set[str] = set()
    for pos in ("verb", "adj", "adv"):
        others |= set(_senses(wordnet / f"index.{pos}"))
    science, general = [], []
    for line in (wordnet / "data.noun").read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        head, _, raw = line.partition(" | ")
        f = head.split()
        offset, lexfile, n_words = f[0], f[1], int(f[3], 16)
        words = [f[4 + 2 * i] for i in range(n_words)]
        domains = {f[j + 1] for j in range(len(f) - 1) if f[j] == ";c"}
        gloss = _gloss(raw)
        lemma = next((w for w in words if nouns.get(w.lower(), (0, 0))[0] == 1 and w not in others
                      and re.fullmatch(r"[a-z]+(_[a-z]+){0,2}", w)), None)
        if lemma is None or not 4 <= len(gloss.split()) <= 30:
            continue
        entry = {"lemma": lemma.replace("_", " "), "synset": f"n{offset}", "words": words, "gloss": gloss}
        if _names_itself(entry["lemma"], gloss):
            continue
        if domains & SCIENCE_DOMAINS:
            science.append(entry)
        elif lexfile in GENERAL_LEXFILES and nouns[lemma][1] >= 1:
            general.append(entry)
    return science, general
