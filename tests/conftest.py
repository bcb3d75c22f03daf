"""Fixtures: a fresh starter workspace per test and a CLI runner bound to it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import copy_sample, copy_starter, write_file

import cli
from archive.search import update_index
from archive.workspace import Workspace


@pytest.fixture(autouse=True)
def _no_root_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A RENDA_ROOT in the developer's shell must not decide which workspace a test sees.
    monkeypatch.delenv("RENDA_ROOT", raising=False)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A copy of the starter workspace (what `renda init` writes), absolute path."""
    return copy_starter(tmp_path / "ws")


@pytest.fixture
def write(ws: Path) -> Callable[[str, str | bytes], Path]:
    """``write("records/2025/x.yaml", text)`` writes a file into the workspace."""
    return lambda rel, content: write_file(ws, rel, content)


@pytest.fixture
def renda(ws: Path) -> Callable[..., Result]:
    """``renda("validate", "--strict")`` runs the CLI in-process with ``--root ws``."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.cli, ["--root", str(ws), *args])

    return run


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace (records and configuration) with a current Whoosh index, once per test module."""
    root = copy_sample(tmp_path_factory.mktemp("built") / "ws")
    update_index(Workspace(root))
    return root


@pytest.fixture
def sample(built: Path, tmp_path: Path) -> Path:
    """A copy of the indexed sample workspace (copytree keeps mtimes, so the index stays current); a module
    that needs another sample defines its own."""
    return Path(shutil.copytree(built, tmp_path / "ws"))


@pytest.fixture
def root(sample: Path) -> Path:
    """``sample`` under the name of the CLI's ``--root`` option."""
    return sample


@pytest.fixture
def run(sample: Path) -> Callable[..., Result]:
    """The CLI bound to ``sample`` (the module's own, where it defines one)."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli.cli, ["--root", str(sample), *args])

    return invoke
