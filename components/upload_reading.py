"""Read uploaded files: bytes to checked text, lines, JSON objects, CSV rows and named fields.

The shared first step of ``components.uploads`` (documents) and
``components.upload_queries`` (labelled queries):

* ``read_text``: the file's UTF-8 text (a BOM is dropped), refused when it is
  too large, empty, UTF-16, not UTF-8, or binary (control characters making
  up more than ``BINARY_SHARE`` of it). A few stray control characters in
  otherwise good text (a NUL byte on line 5) are removed instead, with a note
  naming the lines.
* ``jsonl`` and ``table``: JSON Lines objects and CSV/TSV rows, with line numbers.
* ``Field`` and ``pick``: one rule for which column (CSV) or key (JSONL)
  holds a value. The standard name wins (``text``); otherwise exactly one
  alias may stand in for it (``body``), and a note says which was used;
  two candidates, or none for a required field, is an error that names the
  columns found.

Every problem raises ``CorpusError`` naming the file, the line and what is
wrong. It does not decide what a document or a query is.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from components.errors import CorpusError
from components.wording import counted, plural

MAX_FILE_BYTES = 10 * 1024 * 1024
BINARY_SHARE = 0.01  # control characters beyond this share of the text (and MIN_BINARY_CONTROLS): binary
MIN_BINARY_CONTROLS = 8
# Unicode's control characters (category Cc) but tab, line feed and carriage return
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

Source = bytes | str | Path  # file content, or a path to read it from


def fail(name: str, line: int | None, problem: str) -> CorpusError:
    """The error for a problem in file ``name`` (at ``line`` when known)."""
    return CorpusError(f"{name}, line {line}: {problem}" if line else f"{name}: {problem}")


def _read_bytes(source: Source, name: str, max_bytes: int | None) -> bytes:
    too_large = fail(name, None, f"the file is larger than {(max_bytes or 0) // 2**20} MB")
    if isinstance(source, bytes):
        data = source
    else:
        try:
            if max_bytes is not None and Path(source).stat().st_size > max_bytes:
                raise too_large
            data = Path(source).read_bytes()
        except OSError as exc:
            raise fail(name, None, f"cannot be read ({exc.strerror})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large
    return data


def _line_list(lines: list[int]) -> str:
    shown = sorted(set(lines))
    head = ", ".join(map(str, shown[:5]))
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return f"{plural(len(shown), 'line')} {head}{more}"


def remove_controls(text: str, name: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without control characters other than tab and line breaks, and a note saying what went.

    Whitespace controls (form feed, vertical tab) become spaces, so words do
    not run together. Raises ``CorpusError`` when they are so many that the
    file is binary.
    """
    found = [(m.start(), m.group()) for m in _CONTROL.finditer(text)]
    if not found:
        return text, ()
    codes = sorted({f"U+{ord(ch):04X}" for _, ch in found})
    if len(found) > max(MIN_BINARY_CONTROLS, BINARY_SHARE * len(text)):
        shown = ", ".join(codes[:4]) + (", …" if len(codes) > 4 else "")
        raise fail(name, text.count("\n", 0, found[0][0]) + 1,
                   f"{counted(len(found), 'control character')} ({shown}), the first on this line: "
                   "this looks like a binary file (or UTF-16 text), not UTF-8 text")
    lines = [text.count("\n", 0, i) + 1 for i, _ in found]
    cleaned = _CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)
    spaces = " (whitespace ones became spaces)" if any(ch.isspace() for _, ch in found) else ""
    return cleaned, (f"{name}: removed {counted(len(found), 'control character')} ({', '.join(codes)}) "
                     f"on {_line_list(lines)}{spaces}.",)


def read_text(source: Source, name: str, bounded: bool = True) -> tuple[str, tuple[str, ...]]:
    """The file's text, checked (see the module docstring), and notes on what was cleaned.

    ``bounded``: refuse files over ``MAX_FILE_BYTES`` (uploads); files read from disk by the
    app or its command line (sample corpora, BEIR folders) pass False.
    """
    data = _read_bytes(source, name, MAX_FILE_BYTES if bounded else None)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise fail(name, None, "the file is UTF-16 text; save it as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(name, data.count(b"\n", 0, exc.start) + 1,
                   f"not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
                   "save the file as UTF-8") from None
    text, notes = remove_controls(text, name)
    if not text.strip():
        raise fail(name, None, "the file is empty")
    return text, notes


def suffix_of(name: str, allowed: Sequence[str]) -> str:
    """The file's extension, lower-cased, if it is one of ``allowed``."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        raise fail(name, None, "JSON files are not read: use JSON Lines (.jsonl), one object per line")
    if suffix not in allowed:
        raise fail(name, None, f"unsupported file type {suffix or '(none)'!r}; use {', '.join(allowed)}")
    return suffix


def lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every non-blank line."""
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield n, line.rstrip("\r")


def jsonl(text: str, name: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) of every non-blank line of a JSON Lines file."""
    for n, line in lines(text):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise fail(name, n, f"malformed JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise fail(name, n, "expected a JSON object ({...})")
        yield n, obj


def table(text: str, name: str, delimiter: str = ",") -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The lower-cased header and (line number, cells) of every non-blank row of a CSV/TSV file."""
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise fail(name, 1, f"cannot parse the header ({exc})") from None
    if not any(header):
        raise fail(name, 1, "the first line must be the header (column names)")
    dup = next((h for h in header if h and header.count(h) > 1), None)
    if dup:
        raise fail(name, 1, f"column {dup!r} appears twice in the header")

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    if len(row) > len(header):
                        raise fail(name, start, f"{len(row)} cells but the header has {len(header)} "
                                   "(quote cells that contain the delimiter)")
                    yield start, row + [""] * (len(header) - len(row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise fail(name, start, f"cannot parse the row starting here ({exc})") from None

    return header, rows()


@dataclass(frozen=True)
class Field:
    """A value looked up by name: the first ``standard`` names need no note, the rest are aliases."""

    what: str  # "document text", as messages name it
    names: tuple[str, ...]
    standard: int = 1
    required: bool = False


def pick(field: Field, present: Sequence[str], name: str, line: int, kind: str = "column") -> str | None:
    """Which of ``present`` (a header, or an object's keys) holds ``field``; None if absent and optional."""
    for candidates in (field.names[:field.standard], field.names[field.standard:]):
        found = [h for h in candidates if h in present]
        if len(found) > 1:
            raise fail(name, line, f"{kind}s {', '.join(found)} could each be the {field.what}; "
                       "rename or remove all but one")
        if found:
            return found[0]
    if field.required:
        raise fail(name, line, f"no {field.what} {kind}: name one {' or '.join(map(repr, field.names))} "
                   f"(found: {', '.join(map(repr, present)) or 'none'})")
    return None


def alias_notes(field_names: dict[Field, set[str]], name: str, kind: str = "column") -> tuple[str, ...]:
    """Notes saying which alias stood in for each field's standard name."""
    notes = []
    for field, used in field_names.items():
        aliases = sorted(used - set(field.names[:field.standard]))
        if aliases:
            notes.append(f"{name}: the {field.what} comes from {kind} {' and '.join(map(repr, aliases))} "
                         f"(no {kind} {field.names[0]!r}).")
    return tuple(notes)


def object_keys(obj: dict, name: str, line: int) -> dict[str, str]:
    """The object's keys with a value, lower-cased, mapped to the keys as written."""
    keys: dict[str, str] = {}
    for key, found in obj.items():
        if found is not None:
            if key.lower() in keys:
                raise fail(name, line, f"fields {keys[key.lower()]!r} and {key!r} differ only in letter case")
            keys[key.lower()] = key
    return keys


def value(obj: dict, key: str | None, name: str, line: int) -> str | None:
    """``obj[key]`` as text (numbers too); None when ``key`` is None or the value is null."""
    if key is None or obj.get(key) is None:
        return None
    found = obj[key]
    if isinstance(found, (dict, list)):
        raise fail(name, line, f"field {key!r} must be text, not {type(found).__name__}")
    return str(found)


Used = dict[Field, set[str]]  # per field, the names a file used for it (for ``alias_notes``)


def columns(header: list[str], fields: Sequence[Field], name: str, used: Used) -> list[int | None]:
    """Per field, the index of its column in ``header`` (None: absent and optional)."""
    out: list[int | None] = []
    for f in fields:
        key = pick(f, header, name, 1)
        if key is not None:
            used.setdefault(f, set()).add(key)
        out.append(header.index(key) if key is not None else None)
    return out


def object_fields(obj: dict, fields: Sequence[Field], name: str, line: int, used: Used) -> list[str | None]:
    """Per field, its value in a JSON object as text (None: absent and optional)."""
    keys = object_keys(obj, name, line)
    out = []
    for f in fields:
        key = pick(f, list(keys), name, line, "field")
        if key is not None:
            used.setdefault(f, set()).add(key)
        out.append(value(obj, keys[key] if key is not None else None, name, line))
    return out
