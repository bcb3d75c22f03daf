"""The pages of the web platform, one module per area; each exposes ``routes`` (see ``archive.web``)."""

from __future__ import annotations

from archive.web.pages import annual, auth, deputies, handling, home, records, search, sittings, track, users

PAGES = (home, auth, users, records, handling, sittings, search, track, deputies, annual)
