"""The checkers README "For developers" names, run by the suite so that CI fails on what they find: ruff's rules
(with unused arguments and complexity), ruff's formatting, and mypy (strict) over archive/, cli.py, tests/ and
bench/.  Each failure prints the checker's own report.  lint-imports runs in tests/test_layers.py."""

from __future__ import annotations

import subprocess
import sys

import pytest
from samples import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=REPO, timeout=600)


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "--no-cache", "."), ("ruff", "format", "--check", "--no-cache", ".")],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff_finds_nothing(command: tuple[str, ...]) -> None:
    result = _run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = _run("mypy")  # the files and the strictness come from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
