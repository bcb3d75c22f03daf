"""The drafting desk's error: a draft that cannot be opened, written or saved as asked (Chinese message)."""

from __future__ import annotations

from archive.errors import RendaError


class DraftingError(RendaError):
    """A record cannot be opened, written or saved as asked."""
