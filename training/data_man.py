"""Linux man-pages, sections 2, 3, 5 and 7 (Debian ``manpages`` / ``manpages-dev``): a question → its answer.

Each page's NAME line says what it documents ("open, openat, creat \\- open
and possibly create a file"). That summary becomes a question ("How do I open
and possibly create a file?"; "What is the overview of ...?" for a summary
that does not start with a verb), whose answer is the first paragraph(s) of
the page's DESCRIPTION (20–200 words, cut at a sentence end), and whose
similar question is a seeded rewording (``training.rewording``). Section 1
(shell commands) is never read: command collections are kept for evaluation.

The roff reader is small and deliberate: font macros (``.B``, ``.BR`` ...)
and inline escapes become plain text, paragraph macros break paragraphs,
example blocks (``.nf``/``.fi``, ``.EX``/``.EE``) and other requests are
dropped; ``.so`` redirections (aliases) are skipped.
"""

from __future__ import annotations

import gzip
import random
import re
import shlex
from pathlib import Path

from training import rewording
from training.pairs import Pair, words

SECTIONS = ("2", "3", "5", "7")
MIN_WORDS, MAX_WORDS = 20, 200
_FONT = re.compile(r"^\.(B|I|BR|IR|BI|RB|RI|IB|SM|SB)\s+(.*)$")
_BREAK = {"PP", "P", "LP", "TP", "IP", "SH", "SS", "TQ", "HP"}
_SKIP_START, _SKIP_END = {"nf", "EX"}, {"fi", "EE"}
_ESCAPES = [(r"\\f(\[[^\]]*\]|\(..|.)", ""), (r"\\\(em", "—"), (r"\\\(en", "–"), (r"\\\(aq", "'"),
            (r"\\\(dq", '"'), (r"\\\((lq|rq)", '"'), (r"\\\*\(..|\\\*.", ""), (r"\\\(..", ""),
            (r"\\-", "-"), (r"\\e", "\\\\"), (r"\\[ ~]", " "), (r"\\[&c|^]", "")]
# first words of NAME summaries that are verbs: "get file status" -> "How do I get file status?"
VERBS = set("""get convert set create set/get change return read get/set round access define copy send determine
test open generate allocate obtain wait compare lock initialize execute manage multiply calculate make handle
parse manipulate reposition duplicate write print locate transform check retrieve remove compute examine receive
close hash scan log transfer extract search find load terminate map push perform truncate delete register end
encrypt zero reverse initiate sync query give tune add synchronize share append concatenate hint try fill record
count commit destroy accept enter splice flush request unmount start/stop move control arm/disarm cancel exit
bind yield open/close sort pipe seek create/open insert/remove spawn cause fail purge""".split())
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def inline(text: str) -> str:
    """Roff inline escapes removed or turned into their characters."""
    for pattern, repl in _ESCAPES:
        text = re.sub(pattern, repl, text)
    return text


def _font_args(rest: str) -> str:
    try:
        parts = shlex.split(rest.replace("\\", "\\\\"), posix=True)
    except ValueError:
        parts = rest.split()
    return "".join(p.replace("\\\\", "\\") for p in parts)


def sections(roff: str) -> dict[str, list[str]]:
    """``{section title: [paragraph text, ...]}`` of a page, in plain text."""
    out: dict[str, list[str]] = {}
    title, para, skipping = "", [], False

    def flush() -> None:
        if para and title:
            out.setdefault(title, []).append(" ".join(" ".join(para).split()))
        para.clear()

    for line in roff.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        request = line[1:].split(maxsplit=1)[0] if line.startswith(".") and len(line) > 1 else ""
        if request in _SKIP_START:
            skipping = True
        elif request in _SKIP_END:
            skipping = False
        elif skipping:
            continue
        elif request in _BREAK:
            flush()
            if request == "SH":
                title = inline(line[3:].strip().strip('"')).upper()
        elif (m := _FONT.match(line)) is not None:
            para.append(inline(_font_args(m.group(2))))
        elif request:
            continue
        else:
            para.append(inline(line))
    flush()
    return out


def question(summary: str, rng: random.Random) -> str:
    """A question whose answer is a page with this NAME summary."""
    s = summary.strip().rstrip(".")
    if s.split()[0] not in VERBS:
        return rng.choice(("What are the {s}?", "Where can I read about the {s}?", "Tell me about the {s}.")).format(
            s=s[0].lower() + s[1:] if s[:2].islower() or s[1:2] == " " else s)
    return rng.choice(("How do I {s}?", "How can I {s}?", "How to {s}?", "What lets me {s}?")).format(s=s)


def answer(paragraphs: list[str]) -> str | None:
    """The first paragraph(s) of a DESCRIPTION, 20–200 words and cut at a sentence end; None if too short."""
    text = ""
    for p in paragraphs:
        text = f"{text} {p}".strip()
        if words(text) >= MIN_WORDS:
            break
    if words(text) < MIN_WORDS:
        return None
    if words(text) > MAX_WORDS:
        kept = ""
        for sentence in SENTENCE.split(text):
            if words(kept) + words(sentence) > MAX_WORDS:
                break
            kept = f"{kept} {sentence}".strip()
        text = kept
    return text if words(text) >= MIN_WORDS else None


def page_pair(roff: str, rng: random.Random, seed: int) -> Pair | None:
    """The pair of one page, or None (an alias, no summary, or a too-short description)."""
    if roff.lstrip().startswith(".so "):
        return None
    parts = sections(roff)
    name = " ".join(parts.get("NAME", []))
    if " - " not in name:
        return None
    summary = name.split(" - ", 1)[1].strip()
    target = answer(parts.get("DESCRIPTION", []))
    if not summary or target is None or len(summary.split()) < 2:
        return None
    query = question(summary, rng)
    return Pair("manpages", "Linux", query, {"answer": target, "question": rewording.reword(query, seed)})


def extract(roots: list[Path], seed: int = 0) -> list[Pair]:
    """Pairs from unpacked ``manpages`` and ``manpages-dev`` folders, sections 2, 3, 5 and 7 only."""
    rng = random.Random(seed)
    pairs = []
    for root in roots:
        for section in SECTIONS:
            for path in sorted((root / "usr/share/man" / f"man{section}").glob("*.gz")):
                pair = page_pair(gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace"), rng, seed)
                if pair is not None:
                    pairs.append(pair)
    return pairs
