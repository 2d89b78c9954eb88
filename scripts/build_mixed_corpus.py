"""Build the mixed sample corpus: five kinds of text, labels per task.

    python scripts/build_mixed_corpus.py --data DATA_FOLDER [--used-list used.json]

Writes ``sample_corpora/mixed_kinds.corpus.jsonl`` and
``sample_corpora/mixed_kinds.queries.jsonl`` (the manifest entry is written by
hand). DATA_FOLDER (or the environment variable ``MIXED_CORPUS_DATA``) holds
``labeled/perlfaq`` (BEIR layout, from Debian perl-doc 5.36) and
``samples/code_python_stdlib.jsonl`` (CPython 3.11.7 functions with the
docstring removed, plus its first sentence). The Debian packages
``python3.11-doc`` and ``wordnet-base`` are fetched at pinned versions with
``apt-get download`` into a temporary folder and unpacked with ``dpkg-deb``.

Kinds: ``question`` and ``answer`` (a Perl FAQ question and the passage that
answers it), ``code`` and ``doc`` (a standard-library function without its
docstring, and the first paragraph of its entry in the library reference),
``definition`` (a WordNet 3.0 gloss, without its examples). Queries:
hand-written Perl paraphrases (labelled under ``mixed-similar`` and
``mixed-qa``), docstring first sentences (``mixed-code`` and ``mixed-doc``)
and "What does 'LEMMA' mean?" (``mixed-definition``). The selection is fixed
by ``--seed``; the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixed_corpus_sources import (doc_paragraphs, doc_id_for, near_copy,  # noqa: E402
                                  wordnet_entries)

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "sample_corpora"
KEY = "mixed_kinds"
PACKAGES = {"python3.11-doc": "3.11.2-6+deb12u8", "wordnet-base": "1:3.0-37"}
N_FAQ = 130           # Perl FAQ entries: question + answer each
N_DEFINITIONS = 120   # WordNet synsets, half from science domains
N_EXAMPLES = 3        # example queries per task
# The page opens on the first example: one where the instruction visibly decides what comes back.
OPENING_QUERY = "How do I connect to a SQL database from Perl?"


def fetch_packages(tmp: Path, any_version: bool) -> Path:
    """Download the pinned Debian packages into ``tmp`` and unpack them; returns the root."""
    names = list(PACKAGES) if any_version else [f"{n}={v}" for n, v in PACKAGES.items()]
    subprocess.run(["apt-get", "download", *names], cwd=tmp, check=True)
    root = tmp / "root"
    for deb in sorted(tmp.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def perl_part(data: Path, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Questions and answers of N_FAQ FAQ entries; every hand-written paraphrase's entry is in."""
    faq = {r["_id"]: r for r in _read_jsonl(data / "labeled/perlfaq/corpus.jsonl")}
    hand = [(q["id"], q["text"], next(iter(q["relevant"])))
            for q in _read_jsonl(OUT / "perlfaq_questions.queries.jsonl")]
    hand += [(f"perlfaq-h{22 + i}", q["text"], q["faq"])
             for i, q in enumerate(_read_jsonl(REPO / "scripts/mixed_corpus_perl_queries.jsonl"))]
    labelled = sorted({f for _, _, f in hand}, key=lambda f: int(f.split("-d")[1]))
    rest = [f for f in faq if f not in labelled]
    chosen = sorted(labelled + rng.sample(rest, N_FAQ - len(labelled)), key=lambda f: int(f.split("-d")[1]))
    docs = []
    for f in chosen:
        docs.append({"id": f"question/{f}", "kind": "question", "text": faq[f]["question"]})
        docs.append({"id": f"answer/{f}", "kind": "answer", "text": faq[f]["text"]})
    queries = [{"id": f"mixed-{qid}", "text": text, "origin": "hand-written",
                "relevant_by_task": {"mixed-similar": {f"question/{f}": 1}, "mixed-qa": {f"answer/{f}": 1}}}
               for qid, text, f in hand]
    return docs, queries


def python_part(data: Path, html_root: Path) -> tuple[list[dict], list[dict]]:
    """Code and documentation paragraph of every function whose paragraph is found and no copy of the query."""
    paragraphs = doc_paragraphs(html_root)
    usable = []
    for r in _read_jsonl(data / "samples/code_python_stdlib.jsonl"):
        para = paragraphs.get(doc_id_for(r["id"]))
        if para and len(para) >= 40 and not near_copy(r["docstring_summary"], para):
            usable.append((r, doc_id_for(r["id"]), para))
    docs, queries = [], []
    for n, (r, ref_id, para) in enumerate(sorted(usable, key=lambda u: u[0]["id"])):
        docs.append({"id": f"code/{r['id']}", "kind": "code", "text": r["text"], "title": r["id"]})
        docs.append({"id": f"doc/{r['id']}", "kind": "doc", "text": para, "title": ref_id})
        queries.append({"id": f"mixed-code-q{n}", "text": r["docstring_summary"], "origin": "data",
                        "relevant_by_task": {"mixed-code": {f"code/{r['id']}": 1},
                                             "mixed-doc": {f"doc/{r['id']}": 1}}})
    return docs, queries


def definition_part(wordnet: Path, rng: random.Random) -> tuple[list[dict], list[dict], list[dict]]:
    """N_DEFINITIONS glosses (half science, half general) and one question per lemma."""
    science, general = wordnet_entries(wordnet)
    half = N_DEFINITIONS // 2
    chosen = rng.sample(science, half) + rng.sample(general, N_DEFINITIONS - half)
    chosen.sort(key=lambda e: e["lemma"])
    docs, queries = [], []
    for n, e in enumerate(chosen):
        doc_id = f"definition/{e['lemma'].replace(' ', '_')}"
        docs.append({"id": doc_id, "kind": "definition", "text": e["gloss"], "title": e["lemma"]})
        queries.append({"id": f"mixed-definition-q{n}", "text": f"What does '{e['lemma']}' mean?",
                        "origin": "template", "relevant_by_task": {"mixed-definition": {doc_id: 1}}})
    return docs, queries, chosen


def mark_examples(queries: list[dict], rng: random.Random) -> None:
    """Flag N_EXAMPLES queries per task as examples (a query labelled for two tasks counts for both)."""
    for task in sorted({t for q in queries for t in q["relevant_by_task"]}):
        pool = [q for q in queries if task in q["relevant_by_task"]]
        for q in rng.sample(pool, N_EXAMPLES):
            q["example"] = True
    for q in queries:
        q.setdefault("example", False)
        if q["text"] == OPENING_QUERY:
            q["example"] = True
    queries.sort(key=lambda q: q["text"] != OPENING_QUERY)  # first, so the page opens on it


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.environ.get("MIXED_CORPUS_DATA"),
                   help="folder with labeled/perlfaq and samples/code_python_stdlib.jsonl")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--used-list", type=Path, help="also write every FAQ id, function and synset used here")
    p.add_argument("--any-version", action="store_true", help="take the archive's current package versions")
    args = p.parse_args(argv)
    if not args.data:
        p.error("give --data or set MIXED_CORPUS_DATA")
    data = Path(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        root = fetch_packages(Path(tmp), args.any_version)
        perl_docs, perl_q = perl_part(data, random.Random(args.seed))
        py_docs, py_q = python_part(data, root / "usr/share/doc/python3.11/html/library")
        def_docs, def_q, synsets = definition_part(root / "usr/share/wordnet", random.Random(args.seed + 2))
    queries = perl_q + py_q + def_q
    mark_examples(queries, random.Random(args.seed + 3))
    docs = perl_docs + py_docs + def_docs
    _write_jsonl(OUT / f"{KEY}.corpus.jsonl", docs)
    _write_jsonl(OUT / f"{KEY}.queries.jsonl", queries)
    kinds = {k: sum(d["kind"] == k for d in docs) for k in dict.fromkeys(d["kind"] for d in docs)}
    print(f"{len(docs)} documents {kinds}, {len(queries)} queries", file=sys.stderr)
    if args.used_list:
        used = {"perlfaq": sorted({d["id"].split("/", 1)[1] for d in perl_docs}),
                "stdlib_functions": sorted(d["title"] for d in py_docs if d["kind"] == "code"),
                "stdlib_reference_ids": sorted(d["title"] for d in py_docs if d["kind"] == "doc"),
                "wordnet": [{"lemma": e["lemma"], "synset": e["synset"], "words": e["words"]} for e in synsets],
                "query_texts": [q["text"] for q in queries]}
        args.used_list.write_text(json.dumps(used, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
