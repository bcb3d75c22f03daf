"""renda: records, official documents and annual archives for people's-congress standing committees.

The library behind the `renda` command.  It never prints or exits; it raises
:class:`archive.errors.ArchiveError` subclasses with messages in Chinese.
"""

from .errors import ArchiveError

__version__ = "0.1.0"

__all__ = ["ArchiveError", "__version__"]
