"""检索: the CLI's query language with facets, snippets and pagination (/search?q=…)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
