"""The precision benchmark's pure parts: speed-up targets, merging reports, a document edit on fake engines.

No timing is asserted: only that the numbers are computed right and the report has its keys.
"""

import json

import pytest

from benchmarks import precision as bench
from components.engine import Engine
from fake_encoder import HashEncoder
from components.projection import FrameCache


def test_a_speedup_passes_when_it_reaches_the_target():
    fast = bench.speedup_summary([3.5, 3.1, 3.3], 3.0)
    assert fast["median"] == pytest.approx(3.3) and fast["ok"] and fast["ratio_to_target"] < 1
    slow = bench.speedup_summary([2.0, 2.2], 3.0)
    assert not slow["ok"] and slow["ratio_to_target"] == pytest.approx(3.0 / 2.1)


def _fake_engines():
    def factory(precision):
        def make(preset, progress=None):
            enc = HashEncoder(preset.key)
            enc.precision = precision
            return enc
        return make

    return {p: Engine(factory=factory(p)) for p in ("fp32", "bf16")}


def test_a_document_edit_runs_both_precisions_in_turn(pets):
    engines = _fake_engines()
    out = bench.measure_doc_edit(engines, {p: FrameCache() for p in engines}, pets, "minilm-offline", 2)
    assert out["fp32"]["n"] == out["bf16"]["n"] == 2 and out["speedup"]["n"] == 2
    assert out["bf16"]["target_s"] == bench.TARGETS["doc_edit_s"]["minilm-offline"]
    assert {"explore", "map_data", "map_figure"} <= set(out["bf16"]["parts"])
    assert out["speedup"]["target"] == bench.TARGETS["speedup"]


def test_merged_reports_keep_every_measure_and_recount_the_targets(tmp_path):
    def report(name, measures, contended):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"machine": {"load_avg_start": [1.0], "contended": contended},
                                    "config": {"sections": [name], "models": ["m"]}, "measures": measures}))
        return str(path)

    ok = {"median_s": 1.0, "p10_s": 1.0, "p90_s": 1.0, "n": 1, "target_s": 2.0, "ok": True, "ratio_to_target": 0.5}
    missed = {**ok, "median_s": 3.0, "ok": False, "ratio_to_target": 1.5}
    merged = bench.merge([report("a", {"x": ok}, False), report("b", {"y": {"z": missed}}, True)])
    assert set(merged["measures"]) == {"x", "y"} and merged["config"]["sections"] == ["a", "b"]
    assert [t["name"] for t in merged["targets"]] == ["x", "y.z"]
    assert merged["machine"]["contended"] and len(merged["runs"]) == 2


def test_a_models_fidelity_run_again_replaces_only_that_models(tmp_path):
    def report(name, fidelity):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"machine": {}, "config": {"sections": ["fidelity"], "models": list(fidelity)},
                                    "measures": {"fidelity": {"guard": {"x": 1}, **fidelity}}}))
        return str(path)

    merged = bench.merge([report("all", {"a": {"passing": ["c1"]}, "b": {"passing": []}}),
                          report("again", {"b": {"passing": ["c1", "c2"]}})])
    assert merged["measures"]["fidelity"] == {"guard": {"x": 1}, "a": {"passing": ["c1"]},
                                              "b": {"passing": ["c1", "c2"]}}


def test_a_merged_report_merged_again_keeps_the_runs_it_lists(tmp_path):
    def write(name, body):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(body))
        return str(path)

    part = {"machine": {"contended": False}, "config": {"sections": ["c"], "models": ["m2"]}, "measures": {}}
    earlier = {**part, "config": {"sections": ["a", "b"], "models": ["m"]},
               "runs": [{"sections": ["a"]}, {"sections": ["b"]}]}
    merged = bench.merge([write("earlier", earlier), write("part", part)])
    assert [r["sections"] for r in merged["runs"]] == [["a"], ["b"], ["c"]]
    assert merged["config"]["sections"] == ["a", "b", "c"] and merged["config"]["models"] == ["m", "m2"]
