"""Reading uploads: size, encoding, binary content, stray control characters, which column is which."""

from __future__ import annotations

import pytest

from components import upload_reading
from components.errors import CorpusError
from components.upload_reading import Field, pick, read_text


@pytest.mark.parametrize("as_path", [False, True])
def test_too_large_file(monkeypatch, tmp_path, as_path: bool) -> None:
    monkeypatch.setattr(upload_reading, "MAX_FILE_BYTES", 4)
    path = tmp_path / "big.txt"
    path.write_bytes(b"hello world")
    with pytest.raises(CorpusError, match=r"^big.txt: the file is larger than"):
        read_text(path if as_path else path.read_bytes(), "big.txt")


def test_unreadable_path(tmp_path) -> None:
    with pytest.raises(CorpusError, match="^gone.txt: cannot be read"):
        read_text(tmp_path / "missing", "gone.txt")


@pytest.mark.parametrize("data, text, notes", [
    (b"one\ntwo\nthree\nfour\nbad \x00byte\n", "one\ntwo\nthree\nfour\nbad byte\n",
     ("d.txt: removed 1 control character (U+0000) on line 5.",)),
    (b"a\x1b[1mb\nc\x7f\n", "a[1mb\nc\n", ("d.txt: removed 2 control characters (U+001B, U+007F) on lines 1, 2.",)),
    (b"page one\x0cpage two\n", "page one page two\n",
     ("d.txt: removed 1 control character (U+000C) on line 1 (whitespace ones became spaces).",)),
    ("tab\there\r\nnext\n".encode(), "tab\there\r\nnext\n", ()),
    ("caf\u00e9 \u2028 ok\n".encode(), "caf\u00e9 \u2028 ok\n", ()),
])
def test_stray_control_characters_are_removed(data: bytes, text: str, notes) -> None:
    assert read_text(data, "d.txt") == (text, notes)


def test_many_lines_are_summarised() -> None:
    data = b"".join(b"line %d \x01\n" % i + b"clean text here and more of it\n" * 30 for i in range(7))
    _, notes = read_text(data, "d.txt")
    assert notes == ("d.txt: removed 7 control characters (U+0001) on lines 1, 32, 63, 94, 125 and 2 more.",)


@pytest.mark.parametrize("data, message", [
    (b"ok\n" + b"\x00" * 40 + b"x\n", "d.txt, line 2: 40 control characters (U+0000), the first on this line: "
     "this looks like a binary file (or UTF-16 text), not UTF-8 text"),
    ("hello world, a longer line\n".encode("utf-16-le"), "d.txt, line 1: 27 control characters (U+0000)"),
    (b"ok\nline two\ncaf\xe9\n", "d.txt, line 3: not UTF-8 (byte 0xe9 at byte offset 15)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "d.txt, line 1: not UTF-8 (byte 0x89 at byte offset 0)"),
    (b"\x00\x01\n", "d.txt: the file is empty"),
])
def test_binary_files_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(CorpusError) as exc:
        read_text(data, "d.txt")
    assert str(exc.value).startswith(message)


FIELD = Field("document text", ("text", "body", "content"), required=True)


@pytest.mark.parametrize("present, chosen", [
    (["id", "text", "body"], "text"), (["id", "body"], "body"), (["content"], "content"),
])
def test_pick_prefers_the_standard_name(present, chosen) -> None:
    assert pick(FIELD, present, "f.csv", 1) == chosen


def test_pick_of_an_optional_absent_field_is_none() -> None:
    assert pick(Field("title", ("title",)), ["text"], "f.csv", 1) is None


def test_control_pattern_is_unicodes_control_category_but_tab_and_line_breaks() -> None:
    import unicodedata

    controls = {chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) == "Cc"} - set("\t\n\r")
    matched = {chr(i) for i in range(0x110000) if upload_reading._CONTROL.fullmatch(chr(i))}
    assert matched == controls
