"""The model registry: every entry valid, templates applied per role."""

import dataclasses

import pytest

from components.models import MODELS, ROLES, get_model, model_choices


@pytest.mark.parametrize("preset", MODELS, ids=lambda m: m.key)
def test_every_preset_is_valid(preset):
    preset.validate()
    for role in ROLES:
        assert preset.apply(role, "") == ""
        assert "XYZ" in preset.apply(role, "XYZ")
    assert preset.offline == (preset.source_kind == "package")


@pytest.mark.parametrize("key,role,instruction,expected", [
    ("e5-small-offline", "query", "query: ", "query: "),
    ("e5-large-instruct", "query", "Find answers", "Instruct: Find answers\nQuery: "),
    ("e5-large-instruct", "document", "", ""),
    ("instructor-base", "document", "Represent the doc: ", "Represent the doc: "),
])
def test_apply_uses_the_role_template(key, role, instruction, expected):
    assert get_model(key).apply(role, instruction) == expected


def test_instructor_leaves_the_instruction_out_of_the_mean():
    assert get_model("instructor-base").include_prompt is False
    assert get_model("instructor-large").include_prompt is False


def test_offline_models_come_first_and_both_packaged_models_exist():
    keys = [k for _, k in model_choices()]
    offline = [m.key for m in MODELS if m.offline]
    assert keys[: len(offline)] == offline
    assert {"minilm-offline", "e5-small-offline"} <= set(offline)


@pytest.mark.parametrize("change,message", [
    ({"family": "nope"}, "unknown family"),
    ({"source_kind": "ftp"}, "unknown source kind"),
    ({"query_template": "no placeholder"}, "needs one"),
    ({"source_kind": "package", "requirement": ""}, "requirement"),
])
def test_validate_rejects_bad_entries(change, message):
    bad = dataclasses.replace(get_model("minilm-hub"), **change)
    with pytest.raises(ValueError, match=message):
        bad.validate()


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ValueError, match="minilm-offline"):
        get_model("gpt-9")


def test_arbitrary_hub_ids_are_refused_unless_the_host_allows_them(monkeypatch):
    from components.errors import ModelUnavailable
    from components.models import ALLOW_ANY_HUB_ENV

    monkeypatch.delenv(ALLOW_ANY_HUB_ENV, raising=False)
    with pytest.raises(ModelUnavailable, match="turned off"):
        get_model("hub:someone/huge-model")
    monkeypatch.setenv(ALLOW_ANY_HUB_ENV, "1")
    preset = get_model("hub:someone/huge-model")
    assert preset.source == "someone/huge-model" and not preset.offline
    preset.validate()
    for bad in ("hub:../../etc/passwd", "hub:no-slash", "hub:a/b c"):
        with pytest.raises(ModelUnavailable, match="not a Hub model id"):
            get_model(bad)


def test_entries_state_only_what_is_particular_to_them():
    """Most models share the plain template and pool the prompt; the registry says so once."""
    from components.models import PLAIN

    plain = [m for m in MODELS if m.query_template == m.document_template == PLAIN]
    assert len(plain) >= len(MODELS) - 1
    assert {m.key for m in MODELS if not m.instructs_documents} == {"e5-large-instruct", "bge-small-en-v1.5"}
