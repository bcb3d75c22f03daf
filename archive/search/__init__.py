"""Full-text search across terms: Chinese analysis, two engines behind one interface, the index manager.

Public entry points: :func:`update_index` (``renda index``) and :func:`search_workspace`
(``renda search``); :func:`parse_query` for the query language.
"""

from __future__ import annotations

from .index import IndexReport, SearchHit, SearchResult, search_settings, search_workspace, update_index
from .query import Filters, parse_query, record_type

__all__ = [
    "Filters",
    "IndexReport",
    "SearchHit",
    "SearchResult",
    "parse_query",
    "record_type",
    "search_settings",
    "search_workspace",
    "update_index",
]
