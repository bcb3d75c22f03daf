"""代表: the registry by term and a deputy's page with attendance and the 履职档案 (/deputies, /deputies/{id})."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
