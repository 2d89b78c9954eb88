"""Shared fixtures: a fast fake engine, one real engine per session, tiny corpora."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# numba compiles UMAP once per machine, not once per test run
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "instruction-lens", "numba"))

import pytest  # noqa: E402

from components.cache import EmbeddingCache  # noqa: E402
from components.corpora import Corpus, Document, LabeledQuery  # noqa: E402
from components.engine import Engine  # noqa: E402
from fake_encoder import HashEncoder  # noqa: E402


@pytest.fixture
def fake_encoders() -> dict:
    """The HashEncoders a fake engine created, by model key (to inspect calls)."""
    return {}


@pytest.fixture
def fake_engine(fake_encoders) -> Engine:
    """An Engine whose every model is a deterministic HashEncoder."""

    def factory(preset, progress=None):
        return fake_encoders.setdefault(preset.key, HashEncoder(preset.key))

    return Engine(cache=EmbeddingCache(8 * 1024 * 1024), factory=factory)


@pytest.fixture(scope="session")
def real_engine() -> Engine:
    """An Engine with the real packaged models, shared by the whole session."""
    return Engine()


@pytest.fixture
def pets() -> Corpus:
    """Five short documents and two labelled queries."""
    docs = (
        Document("d1", "Cats purr when they are content and sleep most of the day."),
        Document("d2", "Dogs need a walk every day and love to fetch a ball."),
        Document("d3", "Goldfish live in a bowl of clean water and eat flakes."),
        Document("d4", "A parrot can learn to repeat words it hears often."),
        Document("d5", "Hamsters run on a wheel at night and store food in their cheeks."),
    )
    queries = (
        LabeledQuery("q1", "Which pet likes to chase a ball outside?", {"d2": 1}, example=True),
        LabeledQuery("q2", "Which pet can talk?", {"d4": 2}, example=True),
    )
    return Corpus("pets", "Pets", docs, queries, task="qa")
