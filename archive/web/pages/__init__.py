"""The pages of the web platform, one module per area; each exposes ``routes`` (see ``archive.web``)."""

from __future__ import annotations

from archive.web.pages import (
    annual,
    auth,
    deputies,
    editing,
    handling,
    home,
    issuing,
    preview,
    records,
    register,
    search,
    sittings,
    track,
    users,
)

PAGES = (
    home,
    auth,
    users,
    editing,
    records,
    handling,
    preview,
    issuing,
    register,
    sittings,
    search,
    track,
    deputies,
    annual,
)
