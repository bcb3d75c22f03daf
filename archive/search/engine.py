"""The one interface every search engine offers, and how to pick one.

The rest of renda sees ``index`` (from scratch), ``update`` (add or replace by
id), ``delete`` (by id) and ``search`` (an engine-neutral :class:`~.query.Plan`);
the engine's own objects never leave its module.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ..errors import SearchError
from .analysis import Analyzer
from .content import IndexDoc
from .hits import Hit
from .query import Plan

ENGINES: tuple[str, ...] = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"


class Engine(Protocol):
    name: str

    def index(self, docs: Iterable[IndexDoc]) -> None: ...

    def update(self, docs: Iterable[IndexDoc]) -> None: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, plan: Plan, limit: int) -> list[Hit]: ...

    def known(self, field: str, terms: Iterable[str]) -> set[str]:
        """The ``terms`` that at least one indexed document holds in ``field`` (a suggestion's evidence)."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def open_engine(name: str, directory: Path, analyzer: Analyzer) -> Engine:
    """The engine called ``name``, storing its files in ``directory``."""
    if name == "whoosh":
        from .whoosh_engine import WhooshEngine

        return WhooshEngine(directory, analyzer)
    if name == "tantivy":
        from .tantivy_engine import TantivyEngine

        return TantivyEngine(directory, analyzer)
    raise SearchError(f"未知的检索引擎“{name}”，可用：{'、'.join(ENGINES)}")
