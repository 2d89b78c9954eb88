"""ruff and mypy (configured in pyproject.toml, pinned in requirements-dev.txt) find nothing, and files stay small.

The size rule is the house style's: no module in components/ or benchmarks/
over 300 lines, no function there over 60.
"""

import ast
import importlib.util
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
CHECKED = ("components", "tests", "benchmarks", "training", "scripts", "app.py")
SIZED = ("components", "benchmarks")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 60


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True)


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed (requirements-dev.txt)")
def test_ruff_finds_nothing():
    out = _run("ruff", "check", "--no-cache", *CHECKED)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (requirements-dev.txt)")
def test_mypy_finds_nothing():
    out = _run("mypy", "--no-incremental", "--cache-dir", "/dev/null")  # files and settings: pyproject.toml
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success" in out.stdout  # it ran on the configured files


def _oversized(path: pathlib.Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(REPO).as_posix()
    found = [f"{name}: {len(text.splitlines())} lines"] if len(text.splitlines()) > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    return found


def test_modules_and_functions_stay_small():
    found = [o for folder in SIZED for p in sorted((REPO / folder).rglob("*.py")) for o in _oversized(p)]
    assert found == []


def test_the_size_rule_sees_a_long_function(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    long = tmp_path / "long.py"
    long.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES + "\n" * (MAX_MODULE_LINES - MAX_FUNCTION_LINES))
    assert _oversized(long) == ["long.py: 301 lines", "long.py:1 f(): 61 lines"]
