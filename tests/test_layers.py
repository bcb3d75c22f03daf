"""The library's layers (README "For developers"), as import-linter contracts in pyproject.toml: faces over
features over the core, no import cycle between sibling modules, no private module imported from outside its
package.  A forbidden import anywhere in archive/ fails this test."""

from __future__ import annotations

import subprocess
import sys

from samples import REPO


def lint_imports() -> subprocess.CompletedProcess[str]:
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache"], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
