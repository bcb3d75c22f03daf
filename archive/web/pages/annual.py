"""归档: the year's pre-flight, a build with live progress, download and verify report (/archive/{year})."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
