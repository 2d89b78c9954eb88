"""The benchmark scripts' pure parts: the loopback guard, statistics, one measurement on a fake engine.

No timing is asserted: only that the numbers are computed right and the report has its keys.
"""

import concurrent.futures

import pytest

from benchmarks import engine_timings, latency, load_test, load_users, timing
from components.cache import EmbeddingCache
from components.corpora import Corpus, Document, LabeledQuery
from components.engine import Engine
from fake_encoder import HashEncoder
from components.projection import FrameCache

TIMING_KEYS = {"median_s", "p10_s", "p90_s", "n"}
TARGET_KEYS = {"target_s", "ok", "ratio_to_target"}


@pytest.mark.parametrize("url", ["http://10.0.0.1:7860", "http://example.com", "https://example.com:7860/",
                                 "http://localhost.example.com", "http://0.0.0.0:7860", "ftp://127.0.0.1/",
                                 "not a url"])
def test_loopback_guard_refuses_other_hosts(url):
    with pytest.raises(ValueError):
        load_test.check_loopback(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:7860", "http://localhost:7860", "http://[::1]:7860",
                                 "http://127.5.6.7/", "https://LOCALHOST:8443/app"])
def test_loopback_guard_accepts_loopback(url):
    assert load_test.check_loopback(url) == url


def test_cli_exits_with_an_error_for_a_remote_host(capsys):
    with pytest.raises(SystemExit) as exc:
        load_test.main(["http://example.com:7860", "--users", "1"])
    assert exc.value.code == 2
    assert "refusing" in capsys.readouterr().err


def test_percentile_interpolates_like_numpy():
    values = [10.0, 1.0, 4.0, 7.0, 2.0, 9.0, 3.0, 8.0, 6.0, 5.0]  # 1..10, shuffled
    assert timing.percentile(values, 50) == pytest.approx(5.5)
    assert timing.percentile(values, 10) == pytest.approx(1.9)
    assert timing.percentile(values, 90) == pytest.approx(9.1)
    assert timing.percentile(values, 0) == 1.0 and timing.percentile(values, 100) == 10.0
    assert timing.percentile([3.0], 99) == 3.0


def test_summarize_with_a_target():
    out = timing.summarize([0.1, 0.2, 0.3, 0.4], target_s=0.2)
    assert out["median_s"] == pytest.approx(0.25) and out["n"] == 4
    assert out["p10_s"] == pytest.approx(0.13) and out["p90_s"] == pytest.approx(0.37)
    assert out["ok"] is False and out["ratio_to_target"] == pytest.approx(1.25)
    assert TARGET_KEYS.isdisjoint(timing.summarize([1.0]))


def test_latency_summary_percentiles():
    out = load_test.latency_summary([float(i) for i in range(1, 101)])
    assert out["n"] == 100 and out["p50_s"] == pytest.approx(50.5)
    assert out["p95_s"] == pytest.approx(95.05) and out["p99_s"] == pytest.approx(99.01)
    assert out["max_s"] == 100.0 and out["mean_s"] == pytest.approx(50.5)
    assert load_test.latency_summary([]) == {"n": 0}


def test_errors_are_classified_by_kind():
    from gradio_client.exceptions import AppError
    from gradio_client.utils import QueueError

    assert load_users.classify(concurrent.futures.TimeoutError()) == "timeout"
    assert load_users.classify(QueueError("Queue is full! Please try again.")) == "queue_full"
    assert load_users.classify(AppError("Type a query")) == "app_error"
    assert load_users.classify(ConnectionError("refused")) == "other"


@pytest.fixture
def tiny() -> Corpus:
    """Five documents: the map is a PCA frame, so no UMAP compile in a fast test."""
    docs = tuple(Document(f"d{i}", text) for i, text in enumerate(
        ["Cats purr and sleep.", "Dogs fetch a ball.", "Goldfish swim in a bowl.",
         "Parrots repeat words.", "Hamsters run on a wheel."]))
    return Corpus("tiny", "Tiny", docs, (LabeledQuery("q1", "Which pet talks?", {"d3": 1}, example=True),),
                  task="qa")


@pytest.fixture
def hash_engine() -> Engine:
    return Engine(cache=EmbeddingCache(8 * 1024 * 1024), factory=lambda preset, progress=None: HashEncoder(preset.key))


def test_query_edit_measure_reports_its_keys(hash_engine, tiny):
    out = engine_timings.measure_query_edit(hash_engine, FrameCache(), tiny, "minilm-offline", repeats=3)
    assert TIMING_KEYS | TARGET_KEYS <= set(out) and out["n"] == 3
    assert out["target_s"] == timing.TARGETS["query_edit_s"]
    assert set(out["parts"]) == {"explore", "map_data", "map_figure", "figure_json", "tables"}
    assert all(TIMING_KEYS <= set(part) for part in out["parts"].values())


def test_doc_edit_measure_encodes_each_new_instruction_once(hash_engine, tiny):
    enc = hash_engine.encoder("e5-small-offline")
    out = engine_timings.measure_doc_edit(hash_engine, FrameCache(), tiny, "e5-small-offline", repeats=2,
                                   raw=lambda texts, prompt: enc.encode(texts, prompt, True))
    assert {"edit", "revisited", "raw_floor", "overhead_ratio", "n_docs"} <= set(out)
    assert {"median", "p10", "p90", "n", "target", "ok", "ratio_to_target"} <= set(out["overhead_ratio"])
    assert TARGET_KEYS <= set(out["revisited"]) and out["n_docs"] == 5
    doc_encodes = [c for c in enc.calls if c[0] == 5 and "variant" in c[1]]
    assert len(doc_encodes) == 4  # per repeat: the app once (revisits hit the cache) and the raw floor once


def test_targets_are_collected_from_nested_measures():
    measures = {"a": timing.summarize([1.0], 2.0), "b": {"c": timing.ratio_summary([3.0], 1.5)},
                "m": {"peak_rss_mb": 10.0, "target_mb": 20.0, "ok": True, "ratio_to_target": 0.5}}
    found = {t["name"]: t for t in latency.targets(measures)}
    assert set(found) == {"a", "b.c", "m"}
    assert found["b.c"]["ok"] is False and found["b.c"]["ratio_to_target"] == pytest.approx(2.0)
    assert found["m"]["value"] == 10.0 and found["a"]["target"] == 2.0


def test_machine_block_has_versions_and_load():
    info = timing.machine_info()
    assert {"cpu_count", "python", "torch", "sentence-transformers", "load_avg_start"} <= set(info)
    assert len(info["load_avg_start"]) == 3


def test_a_missed_target_says_why_and_a_met_one_does_not():
    measures = {"cold_start": {"fresh.e5": {"first_ranking": timing.summarize([60.0], 30.0)}},
                "memory": {"peak_rss_mb": 10.0, "target_mb": 20.0, "ok": True, "ratio_to_target": 0.5}}
    found = {t["name"]: t for t in latency.targets(measures)}
    assert "compute" in found["cold_start.fresh.e5.first_ranking"]["why"]
    assert "why" not in found["memory"]


def test_children_run_once_per_setting_and_repeat_with_the_setting_last():
    code = "import json, sys; print('noise'); print(json.dumps({'args': sys.argv[1:]}))"
    runs = engine_timings.children(code, ("a", "b"), 2, "model-x")
    assert {k: [r["args"] for r in v] for k, v in runs.items()} == {
        "a": [["model-x", "a"]] * 2, "b": [["model-x", "b"]] * 2}


def test_the_ranking_alone_reports_its_parts_from_an_empty_cache():
    from benchmarks.cold_start import ranking_alone

    parts = ranking_alone("minilm-offline")
    assert parts["model"] == "minilm-offline" and parts["corpus"] == "mixed_kinds" and parts["texts"] > 400
    assert all(parts[k] > 0 for k in ("import_s", "load_s", "plain_s", "instructed_s"))
    assert parts["total_s"] >= parts["load_s"] + parts["plain_s"] + parts["instructed_s"]


def test_repeats_from_the_command_line_replace_the_defaults_by_name():
    from benchmarks.latency import parse_repeats, repeats_for

    assert parse_repeats(["cold_start=4", "memory=1"]) == {"cold_start": 4, "memory": 1}
    assert set(parse_repeats(["cold_start=4"])) <= set(repeats_for(False))
    for bad in (["cold=4"], ["cold_start=0"], ["cold_start"], ["cold_start=x"]):
        with pytest.raises(SystemExit):
            parse_repeats(bad)


def test_each_mixed_task_is_also_scored_on_its_target_kind_alone(tmp_path):
    import json

    from benchmarks.instruct_model import MIXED_TASKS, mixed_beir

    src = tmp_path / "src"
    src.mkdir()
    docs = [{"id": "q1", "kind": "question", "text": "how?"}, {"id": "a1", "kind": "answer", "text": "so."},
            {"id": "c1", "kind": "code", "text": "def f(): pass"}]
    query = {"id": "x", "text": "how do I?", "relevant_by_task": {"mixed-qa": {"a1": 1}, "mixed-similar": {"q1": 1}}}
    (src / "mixed_kinds.corpus.jsonl").write_text("\n".join(json.dumps(d) for d in docs))
    (src / "mixed_kinds.queries.jsonl").write_text(json.dumps(query))
    folders = mixed_beir(src, tmp_path / "out")
    assert set(folders) == {*MIXED_TASKS, *(f"{t}@kind" for t in MIXED_TASKS)}

    def ids(name):
        return [json.loads(line)["_id"] for line in (folders[name] / "corpus.jsonl").open()]

    assert ids("mixed-qa") == ["q1", "a1", "c1"] and ids("mixed-qa@kind") == ["a1"]
    assert ids("mixed-similar@kind") == ["q1"]
    assert (folders["mixed-qa@kind"] / "qrels.tsv").read_text().splitlines()[1:] == ["x\ta1\t1"]


def test_the_routing_ceiling_is_the_target_kind_alone_against_the_whole_corpus_without_instruction():
    from benchmarks.instruct_model import targets

    def cell(value):
        return {"ndcg@10": value, "mrr@10": value}

    summary = {"mixed-qa": {"new": cell(0.5), "new+presets": cell(0.7)},
               "mixed-qa@kind": {"new": cell(0.9), "new+presets": cell(0.8)},
               "mixed-doc": {"new": cell(0.8), "new+presets": cell(0.7)},
               "mixed-doc@kind": {"new": cell(0.85), "new+presets": cell(0.85)}}
    ceiling = targets(summary)["routing_ceiling"]
    assert ceiling["per_task"] == pytest.approx({"mixed-qa": 0.4, "mixed-doc": 0.05})
    assert ceiling["value"] == pytest.approx(0.225)
    assert ceiling["instruction_inside_the_kind"] == pytest.approx({"mixed-qa": -0.1, "mixed-doc": 0.0})


def test_the_readme_and_the_model_card_show_the_committed_results():
    """Both documents carry the tables made from ``summary.json`` as it is committed, so a new
    evaluation that is not written into them fails here."""
    import json
    from pathlib import Path

    from benchmarks.instruct_model import readme_table, table

    root = Path(__file__).resolve().parent.parent
    summary = json.loads((root / "benchmarks" / "results" / "instruct_model" / "summary.json").read_text())
    assert readme_table(summary) in (root / "README.md").read_text(encoding="utf-8")
    assert table(summary) in (root / "models" / "minilm-instruct" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "@kind" not in table(summary) and "| `mixed-qa` |" in readme_table(summary)


def test_instruction_sides_cross_query_and_document_instructions_inside_the_target_kind(hash_engine):
    from pathlib import Path

    from benchmarks.instruct_model import read_mixed
    from benchmarks.instruction_sides import SIDES, task_sides

    docs, queries = read_mixed(Path(__file__).resolve().parent.parent / "sample_corpora")
    row = task_sides(hash_engine, "minilm-instruct-offline", docs, queries, "mixed-qa")
    assert row["documents"] == sum(d["kind"] == "answer" for d in docs) and row["queries"] == 52
    assert all(0 <= row[s]["ndcg@10"] <= 1 and 0 <= row[s]["mrr@10"] <= 1 for s in SIDES)
    assert row["neither"] != row["both"]  # the hash encoder moves every text with its prompt
    assert -1 <= row["cosine_plain_to_instructed"]["queries"] < 0.999


def test_wording_spread_scores_every_held_out_wording_and_none_is_a_training_wording(hash_engine):
    from pathlib import Path

    from benchmarks.instruct_model import read_mixed
    from benchmarks.wording_spread import WORDINGS, task_spread
    from training.data_faq import FAQS
    from training.instructions import all_wordings, check_not_held_out

    domains = ["Go", "Python", "computing", "Linux", *(domain for domain, _, _ in FAQS.values())]
    check_not_held_out(all_wordings(domains), {w for ws in WORDINGS.values() for w in ws})
    docs, queries = read_mixed(Path(__file__).resolve().parent.parent / "sample_corpora")
    row = task_spread(hash_engine, "minilm-instruct-offline", docs, queries, "mixed-definition")
    assert row["queries"] == 120 and len(row["held_out"]) == 2 + len(WORDINGS["mixed-definition"])
    ndcgs = [h["ndcg@10"] for h in row["held_out"]]
    assert row["held_out_ndcg@10"]["lowest"] == min(ndcgs) and row["held_out_ndcg@10"]["highest"] == max(ndcgs)
    assert len(set(ndcgs)) > 1  # the hash encoder reads each wording differently
    assert 0 <= row["held_out_within_0.03_of_training"] <= len(ndcgs)
