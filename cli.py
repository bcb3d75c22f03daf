"""The `renda` entry point the design names; the command line itself is the package `archive.cli`."""

from __future__ import annotations

from archive import __version__
from archive.cli import cli, main

__all__ = ["__version__", "cli", "main"]

if __name__ == "__main__":
    main()
