"""Download files: fresh folder each, old ones pruned."""

import os
import time

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
