"""Sittings: a sitting's page — agenda, attendance, the opinions and decisions it produced (/sittings/{id})."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
