"""Turn reStructuredText, plain-text and HTML answer bodies into plain answer passages.

``inline`` removes inline markup (roles, literals, links, emphasis,
footnote references); ``rst_blocks`` / ``text_blocks`` / ``html_blocks``
cut a body into ``("prose" | "code", text)`` blocks, dropping directives
other than code (notes, version notes, targets, comments, tables, field
lists); ``passage`` joins the first blocks into an answer of at most
``MAX_WORDS`` words. It does not render anything: code is kept as its first
few lines of text, only when the answer needs it to make sense (the prose
before it is short).
"""

from __future__ import annotations

import html
import re

from training.pairs import words

MIN_WORDS, ENOUGH_WORDS, MAX_WORDS, CODE_LINES = 20, 40, 200, 3
_PY_ROLES = {"class", "meth", "func", "attr", "obj", "data", "exc", "mod", "paramref", "const", "setting"}
_ROLE = re.compile(r":(?:[\w-]+:)?([\w-]+):`([^`]+)`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`__?")
_REF = re.compile(r"`([^`]+)`__?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "doctest", "testcode", "ipython"}
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s*(.*)$")


def _role(m: re.Match) -> str:
    role, text = m.group(1), m.group(2)
    explicit = re.match(r"(.*?)\s*<[^>]*>$", text, re.DOTALL)
    if explicit:
        return explicit.group(1)
    if role not in _PY_ROLES:
        return text.lstrip("~!")
    short = text.startswith("~")
    parts = [p for p in text.lstrip("~!.").split(".") if p]
    while any(p.startswith("_") for p in parts[:-1]):
        parts = parts[next(i for i, p in enumerate(parts) if p.startswith("_")) + 1 :]
    return parts[-1] if short and parts else ".".join(parts)


def inline(text: str) -> str:
    """Text with reST inline markup removed and whitespace collapsed."""
    literals: list[str] = []
    text = re.sub(r"``(.+?)``", lambda m: literals.append(m.group(1)) or f"\x00{len(literals) - 1}\x00", text)
    text = _ROLE.sub(_role, text)
    text = _LINK.sub(r"\1", text)
    text = _REF.sub(r"\1", text)
    text = re.sub(r"\s*\[(?:#\w*|\d+|\*)\]_", "", text)
    text = re.sub(r"\*\*(\S(?:.*?\S)?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\|(\w[\w ]*)\|", r"\1", text)
    text = re.sub(r"(?<=\w)__?(?=[\s.,;:!?)]|$)", "", text)  # named reference: word_
    text = re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], text.replace("\\", ""))
    return " ".join(text.split())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _region_end(lines: list[str], i: int, parent: int) -> int:
    """End of the lines from ``i`` indented deeper than ``parent`` (blank lines included)."""
    while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > parent):
        i += 1
    return i


def _code(lines: list[str]) -> str:
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return ""
    cut = min(_indent(ln) for ln in body)
    shown = [ln[cut:].rstrip() for ln in body[:CODE_LINES]]
    return "\n".join(shown + (["..."] if len(body) > CODE_LINES else []))


def rst_blocks(lines: list[str]) -> list[tuple[str, str]]:
    """A reST body cut into prose paragraphs and code blocks, directives other than code dropped."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        ind, stripped = _indent(line), line.strip()
        if stripped.startswith(".."):
            d = _DIRECTIVE.match(stripped)
            end = _region_end(lines, i + 1, ind)
            if d and d.group(1) in _CODE_DIRECTIVES:
                body = [ln for ln in lines[i + 1 : end] if not re.match(r"\s*:[\w-]+:", ln)]
                out.append(("code", _code(body)))
            i = end
            continue
        j = i
        while j < len(lines) and lines[j].strip() and not lines[j].strip().startswith(".. "):
            j += 1
        para = [ln.strip() for ln in lines[i:j]]
        i = j
        if para[0].startswith(">>>"):
            out.append(("code", _code(lines[i - len(para) : i])))
            continue
        if para[0].startswith(("+-", "==", ":")) or re.fullmatch(r"[-=~^*#]{3,}", para[0]):
            continue  # table, field list or stray rule
        text = " ".join(re.sub(r"^(?:[-*+]|#\.|\d+\.)\s+", "", p) for p in para)
        if text.endswith("::"):
            text = text[:-2].rstrip()
            if text and not text.endswith(":"):
                text += ":"
            end = _region_end(lines, i, ind)
            code = _code(lines[i:end])
            if text:
                out.append(("prose", inline(text)))
            if code:
                out.append(("code", code))
            i = end
            continue
        out.append(("prose", inline(text)))
    return [(k, t) for k, t in out if t]


def text_blocks(lines: list[str]) -> list[tuple[str, str]]:
    """A plain-text body: paragraphs indented deeper than the first one are code."""
    out: list[tuple[str, str]] = []
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return out
    base = _indent(body[0])
    for chunk in re.split(r"\n\s*\n", "\n".join(lines)):
        chunk_lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not chunk_lines:
            continue
        if _indent(chunk_lines[0]) > base + 1:
            out.append(("code", _code(chunk_lines)))
        else:
            out.append(("prose", " ".join(" ".join(chunk_lines).split())))
    return out


def html_blocks(fragment: str) -> list[tuple[str, str]]:
    """An HTML fragment: ``<pre>`` is code, ``<p>`` / ``<li>`` boundaries split paragraphs."""
    out: list[tuple[str, str]] = []
    for part in re.split(r"(<pre>.*?</pre>)", fragment, flags=re.DOTALL | re.IGNORECASE):
        if part.lower().startswith("<pre>"):
            out.append(("code", _code(html.unescape(re.sub(r"<[^>]+>", "", part)).splitlines())))
            continue
        for para in re.split(r"<(?:p|/p|li|ul|ol|blockquote|br)\b[^>]*>", part, flags=re.IGNORECASE):
            text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", para)).split())
            if text:
                out.append(("prose", text))
    return [(k, t) for k, t in out if t]


def passage(blocks: list[tuple[str, str]]) -> str | None:
    """The answer's first paragraph(s): at least ``MIN_WORDS`` words, at most ``MAX_WORDS``.

    Paragraphs are added until ``ENOUGH_WORDS``; a code block is added (shortened)
    only while the prose before it is under ``MIN_WORDS``, else it ends the answer;
    a paragraph that would pass ``MAX_WORDS`` is cut at a sentence end.
    """
    out: list[str] = []
    count = 0
    for kind, text in blocks:
        if count >= ENOUGH_WORDS:
            break
        if kind == "code":
            if count >= MIN_WORDS:
                break
            out.append(text)
            count += words(text)
            continue
        if count + words(text) > MAX_WORDS:
            kept: list[str] = []
            for sentence in _SENTENCE.split(text):
                if count + words(sentence) > MAX_WORDS:
                    break
                kept.append(sentence)
                count += words(sentence)
            out.append(" ".join(kept))
            break
        out.append(text)
        count += words(text)
    result = re.sub(r"^(?:A|Answer)\s*:\s*", "", "\n".join(out).strip())
    return result if MIN_WORDS <= words(result) <= MAX_WORDS else None
