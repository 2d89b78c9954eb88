"""Facts of a loaded model kept on disk: found again while nothing changed, never after a change."""

import json
import os

from components.model_facts import Facts, FactsBook, signature
from components.models import get_model

MINILM = get_model("minilm-offline")


def _folder(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    (folder / "weights.bin").write_bytes(b"weights")
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "config.json").write_text("{}")
    return folder


def _book(tmp_path, folder):
    return FactsBook(tmp_path / "facts", resolve=lambda preset: folder)


def test_recorded_facts_are_found_by_a_new_process(tmp_path):
    folder = _folder(tmp_path)
    _book(tmp_path, folder).record(MINILM, Facts("abc", 256))
    assert _book(tmp_path, folder).get(MINILM) == Facts("abc", 256)
    assert _book(tmp_path, folder).get(get_model("e5-small-offline")) is None  # another model: no fact


def test_a_changed_file_of_the_model_folder_voids_the_fact(tmp_path):
    folder = _folder(tmp_path)
    _book(tmp_path, folder).record(MINILM, Facts("abc", 256))
    (folder / "sub" / "config.json").write_text('{"layers": 7}')
    assert _book(tmp_path, folder).get(MINILM) is None
    _book(tmp_path, folder).record(MINILM, Facts("def", 256))
    (folder / "new.bin").write_bytes(b"")  # a file added
    assert _book(tmp_path, folder).get(MINILM) is None


def test_the_same_bytes_with_another_time_void_the_fact(tmp_path):
    folder = _folder(tmp_path)
    _book(tmp_path, folder).record(MINILM, Facts("abc", 256))
    st = (folder / "weights.bin").stat()
    os.utime(folder / "weights.bin", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert _book(tmp_path, folder).get(MINILM) is None


def test_a_torn_or_foreign_file_is_no_fact(tmp_path):
    folder = _folder(tmp_path)
    book = _book(tmp_path, folder)
    book.record(MINILM, Facts("abc", 256))
    path = next((tmp_path / "facts").glob("minilm-offline.*.json"))
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    assert _book(tmp_path, folder).get(MINILM) is None
    entry = json.loads(text)
    path.write_text(json.dumps({**entry, "key": "e5-small-offline"}))
    assert _book(tmp_path, folder).get(MINILM) is None
    path.write_text(json.dumps({**entry, "signature": signature(MINILM, folder)[::-1]}))
    assert _book(tmp_path, folder).get(MINILM) is None


def test_hub_models_are_never_remembered(tmp_path):
    folder = _folder(tmp_path)
    hub = get_model("instructor-base")
    book = _book(tmp_path, folder)
    book.record(hub, Facts("abc", 512))
    assert book.get(hub) is None and not (tmp_path / "facts").exists()


def test_a_process_checks_the_files_once_and_sees_its_own_records(tmp_path):
    folder = _folder(tmp_path)
    seen = []
    book = FactsBook(tmp_path / "facts", resolve=lambda preset: seen.append(preset.key) or folder)
    assert book.get(MINILM) is None and book.get(MINILM) is None
    book.record(MINILM, Facts("abc", 256))
    assert book.get(MINILM) == Facts("abc", 256)
    assert seen == ["minilm-offline"]  # resolved for the record only: the absent file needed no folder


def test_two_installations_sharing_a_cache_keep_their_own_facts(tmp_path):
    """Two environments whose packaged model lives in different folders do not overwrite each other."""
    here, there = _folder(tmp_path), tmp_path / "other-env-model"
    there.mkdir()
    (there / "weights.bin").write_bytes(b"weights")
    _book(tmp_path, here).record(MINILM, Facts("abc", 256))
    _book(tmp_path, there).record(MINILM, Facts("abc", 256))
    assert _book(tmp_path, here).get(MINILM) == Facts("abc", 256)
    assert _book(tmp_path, there).get(MINILM) == Facts("abc", 256)
    for n in range(6):  # old signatures are pruned: a few files per model at most
        (here / "weights.bin").write_bytes(b"w" * (n + 2))
        _book(tmp_path, here).record(MINILM, Facts(f"v{n}", 256))
    assert len(list((tmp_path / "facts").glob("minilm-offline.*.json"))) == FactsBook.KEEP_PER_MODEL
    assert _book(tmp_path, here).get(MINILM) == Facts("v5", 256)
