"""renda: records, official documents and annual archives for people's-congress standing committees.

The library behind the `renda` command.  It never prints or exits; it raises
:class:`archive.errors.RendaError` subclasses (``ArchiveError`` is its old name) with messages in Chinese.
"""

from archive.errors import ArchiveError, RendaError

__version__ = "0.1.0"

__all__ = ["ArchiveError", "RendaError", "__version__"]
