"""Build the ``debian_handbook_summary`` sample corpus: section titles → their sections.

The source is Debian's ``debian-handbook`` package (The Debian Administrator's
Handbook, GPL-2+ or CC-BY-SA-3.0), English HTML edition. Every third-level
section (``11.2.1. Installing Apache``) becomes a document: its text without
its own title, paragraphs kept, clipped at a paragraph end near ``MAX_CHARS``
(the models read 256 to 512 tokens). Its title, without the number, becomes a
labelled query whose one relevant document is that section. A title is kept
as a query only when it names its section on its own: unique in the book
(a second "Installing" could be either) and at least two words long (a bare
"Syntax" names no subject without its chapter). Sections of such titles stay
in the corpus as documents.

    python scripts/build_summary_corpus.py                 # downloads the package into a temporary folder
    python scripts/build_summary_corpus.py --deb FILE.deb  # or reads a downloaded one

Writes ``sample_corpora/debian_handbook_summary.corpus.jsonl`` and
``.queries.jsonl`` and prints the package version that the manifest entry
names. It needs ``apt-get`` (unless ``--deb``) and ``dpkg-deb``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

PACKAGE = "debian-handbook"
KEY = "debian_handbook_summary"
OUT = Path(__file__).resolve().parent.parent / "sample_corpora"
HTML_DIR = "usr/share/doc/debian-handbook/html/en-US"
MAX_CHARS = 2000
MIN_CHARS = 200
EXAMPLE_EVERY = 20  # every 20th query is an example on the page

BLOCKS = {"div", "p", "pre", "li", "dt", "dd", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "br", "blockquote", "figure"}
VOID = {"br", "img", "meta", "link", "hr", "input", "col", "area", "base", "wbr", "source"}
NUMBER = re.compile(r"^(?:[0-9]+|[A-Z])(?:\.[0-9]+)*\.\s+")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class TreeBuilder(HTMLParser):
    """A small DOM from the handbook's XHTML (well formed, so tags close in order)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(path: Path) -> Node:
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


def walk(node: Node):
    for child in node.children:
        if isinstance(child, Node):
            yield child
            yield from walk(child)


def plain(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(plain(c) for c in node.children)


def heading(section: Node) -> tuple[str, Node] | None:
    """(heading tag, titlepage node) of a ``div.section``."""
    for child in section.children:
        if isinstance(child, Node) and "titlepage" in child.classes:
            for n in walk(child):
                if re.fullmatch(r"h[1-6]", n.tag):
                    return n.tag, child
    return None


def blocks(node: Node | str, skip: Node, out: list[list[str]], kind: str = "text") -> None:
    """Append [kind, text] pieces; a block element starts a new piece.

    ``kind`` is "pre" inside ``<pre>``, "title" inside a nested heading, a box
    or example title, else "text". Figures are left out: without the picture
    only a caption is left, and a caption often repeats the section title.
    """
    if isinstance(node, str):
        out[-1][1] += node
        return
    if node is skip or node.classes & {"indexterm", "figure"}:
        return
    inner = "pre" if node.tag == "pre" else "title" if node.classes & {"titlepage", "title"} else kind
    if node.tag in BLOCKS:
        out.append([inner, ""])
    for child in node.children:
        blocks(child, skip, out, inner)
    if node.tag in BLOCKS:
        out.append([kind, ""])


def section_text(section: Node, own_title: Node) -> list[tuple[str, str]]:
    """(kind, paragraph) of ``section`` without its own title; nested titles lose their numbers."""
    pieces: list[list[str]] = [["text", ""]]
    for child in section.children:
        blocks(child, own_title, pieces)
    paragraphs = []
    for kind, text in pieces:
        text = text.replace("\xa0", " ")
        if kind == "pre":
            text = "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
        else:
            text = NUMBER.sub("", " ".join(text.split()))
        if text.strip():
            paragraphs.append((kind, text))
    return paragraphs


def clip(paragraphs: list[tuple[str, str]], limit: int = MAX_CHARS) -> str:
    """Whole paragraphs up to ``limit`` characters, never ending on a title (the first
    paragraph is cut at a word if it alone is longer)."""
    kept: list[tuple[str, str]] = []
    size = 0
    for kind, p in paragraphs:
        if kept and size + len(p) > limit:
            break
        kept.append((kind, p))
        size += len(p) + 2
    while len(kept) > 1 and kept[-1][0] == "title":
        kept.pop()
    text = "\n\n".join(p for _, p in kept)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    text: str


def sections(html_dir: Path) -> list[Section]:
    """Every third-level section of the handbook, in book order by number."""
    found = []
    for path in sorted(html_dir.glob("*.html")):
        for node in walk(parse(path)):
            if node.tag != "div" or "section" not in node.classes:
                continue
            head = heading(node)
            if not head or head[0] != "h3":
                continue
            title_node = next(n for n in walk(head[1]) if n.tag == "h3")
            full = " ".join(plain(title_node).split())
            number = full.split(" ", 1)[0].rstrip(".")
            found.append(Section(number, NUMBER.sub("", full), clip(section_text(node, head[1]))))
    key = lambda s: [(0, int(p)) if p.isdigit() else (1, p) for p in s.number.split(".")]  # noqa: E731
    return sorted({s.number: s for s in found}.values(), key=key)


def build(html_dir: Path) -> tuple[list[dict], list[dict]]:
    """Documents and labelled queries (see the module docstring for the rules)."""
    secs = [s for s in sections(html_dir) if len(s.text) >= MIN_CHARS]
    counts: dict[str, int] = {}
    for s in secs:
        counts[s.title.casefold()] = counts.get(s.title.casefold(), 0) + 1
    docs = [{"id": f"handbook-{s.number}", "text": s.text} for s in secs]
    named = [s for s in secs if counts[s.title.casefold()] == 1 and len(s.title.split()) >= 2]
    queries = [{"id": f"handbook-q{s.number}", "text": s.title, "relevant": {f"handbook-{s.number}": 1},
                "origin": "data", "example": i % EXAMPLE_EVERY == 0} for i, s in enumerate(named)]
    return docs, queries


def fetch(folder: Path) -> Path:
    """Download the package with apt-get into ``folder``; its .deb path."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=folder, check=True)
    (deb,) = folder.glob(f"{PACKAGE}_*.deb")
    return deb


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--deb", type=Path, help="a downloaded debian-handbook .deb (default: apt-get download)")
    p.add_argument("--out", type=Path, default=OUT, help="folder for the two .jsonl files")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        deb = args.deb or fetch(Path(tmp))
        version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True,
                                 capture_output=True, text=True).stdout.strip()
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp + "/x"], check=True)
        docs, queries = build(Path(tmp) / "x" / HTML_DIR)
    write_jsonl(args.out / f"{KEY}.corpus.jsonl", docs)
    write_jsonl(args.out / f"{KEY}.queries.jsonl", queries)
    print(f"{PACKAGE} {version}: {len(docs)} documents, {len(queries)} labelled queries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
