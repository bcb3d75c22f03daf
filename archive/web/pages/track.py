"""督办: the follow-up table with filters and 催办函 for chosen items (/track)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
