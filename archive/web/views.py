"""What the pages derive from the records, computed once per catalog generation and viewer scope.

Reading a page is far more frequent than changing a record, yet every page used to screen the whole catalog,
index it by id, group it by sitting and organ, and recompute the follow-up of every opinion.  Here it is done
once and kept:

- a :class:`Generation` is one load of the records folder (``Site.generation()`` makes a new one when a record
  file is added, edited or removed) with what every viewer shares: the records by id, the problems by file,
  the key-phrase index of each clearance level;
- its :class:`SearchCache` keeps the searches asked (per scope and query text), with the hits left and the
  facet counts of each facet selection: paging through hits and narrowing by a facet do not search again;
- a :class:`ScopeView` is what one *scope* sees of a generation — the viewer without its account name (role,
  clearance, bound deputy, bound organ: everything :meth:`Viewer.sees` reads), so two clerks at 内部 share a
  view while a clerk's view is never handed to a member, a deputy, an organ or the public viewer.  Each of its
  parts is computed from ``scope.screen(...)`` on first use.

A new generation replaces the old one whole, so nothing computed from records that changed is ever served.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from archive.records import Deputy, Meeting, Opinion

if TYPE_CHECKING:
    from collections.abc import Callable

    from archive.accounts import Viewer
    from archive.catalog_model import Catalog
    from archive.clearance import Clearance
    from archive.dashboard import Dashboard
    from archive.followup.model import OpinionFollowUp
    from archive.problems import Problem
    from archive.records import Record
    from archive.search import SearchHit, SearchResult
    from archive.search.facets import Facet

SCOPES_KEPT = 64  # scopes remembered per generation (each level, each organ and each deputy is one)


def scope_of(who: Viewer) -> Viewer:
    """The key of ``who``'s view: the viewer without the account name, which the viewer rule does not read."""
    return replace(who, name=None)


def organ_of(record: Record) -> str | None:
    """报告机关: the organ whose report an opinion answers, or the record's own ``organ``."""
    return record.report_organ if isinstance(record, Opinion) else record.organ


def by_date(rows: list[Record], newest_first: bool = False) -> list[Record]:
    """``rows`` by date (undated first), then id; ``newest_first`` reverses the order."""
    dated = sorted(rows, key=lambda r: (r.date.isoformat() if r.date else "", r.id))
    return dated[::-1] if newest_first else dated


class Generation:
    """One load of the catalog and what every viewer shares of it."""

    def __init__(self, number: int, catalog: Catalog) -> None:
        self.number = number
        self.catalog = catalog
        self._lock = threading.Lock()
        self._scopes: OrderedDict[Viewer, ScopeView] = OrderedDict()
        self._related: dict[str, Any] = {}
        self.searches = SearchCache()

    @cached_property
    def by_id(self) -> dict[str, Record]:
        """Every record (unscreened) by id, the first of a duplicated id winning, as ``Catalog.by_id``."""
        return self.catalog.by_id()

    @cached_property
    def records(self) -> list[Record]:
        """Every record (unscreened), in the catalog's order."""
        return self.catalog.records

    @cached_property
    def cross_references(self) -> tuple[dict[str, str], dict[str, Meeting]]:
        """Every deputy's name and every sitting (unscreened), as a document's cache key is made from them
        (``archive.render.cache.cross_references``)."""
        from archive.render.cache import cross_references

        return cross_references(self.records)

    @cached_property
    def _problems(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for problem in self.catalog.sink.sorted():
            out.setdefault(problem.source, []).append(problem)
        return out

    def problems_of(self, source: str) -> list[Problem]:
        """The problems found in one record file, in the order ``renda validate`` prints them."""
        return list(self._problems.get(source, ()))

    def view(self, who: Viewer) -> ScopeView:
        """What ``who``'s scope sees of this generation (made on first use, kept for the next request)."""
        key = scope_of(who)
        with self._lock:
            found = self._scopes.get(key)
            if found is None:
                found = self._scopes[key] = ScopeView(self, key)
                while len(self._scopes) > SCOPES_KEPT:
                    self._scopes.popitem(last=False)
            else:
                self._scopes.move_to_end(key)
            return found

    def related_index(self, clearance: Clearance) -> Any:
        """The key-phrase weights of this generation at one clearance level (``archive.related.RelatedIndex``):
        the viewer's scope narrows its results (``admit``), so one index serves every account of a level."""
        from archive.related import RelatedIndex

        with self._lock:
            held = self._related.get(clearance.level)
        if held is None:
            held = RelatedIndex(self.catalog, clearance)  # outside the lock: the first one weighs every record
            with self._lock:
                held = self._related.setdefault(clearance.level, held)
        return held


class ScopeView:
    """What one viewer scope sees of one generation; every part computed from ``scope.screen(...)`` once."""

    def __init__(self, generation: Generation, scope: Viewer) -> None:
        self.generation = generation
        self.scope = scope
        self._lock = threading.Lock()
        self._daily: dict[tuple[str, dt.date], Any] = {}

    @cached_property
    def screened(self) -> Catalog:
        """The catalog with only what the scope sees (``Viewer.screen``)."""
        return self.scope.screen(self.generation.catalog)

    @cached_property
    def records(self) -> list[Record]:
        """The records the scope sees, in the catalog's order."""
        return self.screened.records

    @cached_property
    def by_id(self) -> dict[str, Record]:
        """The records the scope sees, by id (a duplicated id: the one ``record_or_404`` finds)."""
        sees = self.scope.sees
        return {rid: r for rid, r in self.generation.by_id.items() if sees(r)}

    @cached_property
    def deputy_names(self) -> dict[str, str]:
        """Registry id → name, of the deputies the scope sees."""
        return {r.id: r.name for r in self.by_id.values() if isinstance(r, Deputy)}

    @cached_property
    def meetings(self) -> dict[str, Meeting]:
        """Sitting id → sitting, of the sittings the scope sees."""
        return {r.id: r for r in self.by_id.values() if isinstance(r, Meeting)}

    @cached_property
    def _by_sitting(self) -> dict[str, list[Record]]:
        """Sitting id → the sitting and the records of it, oldest first."""
        groups: dict[str, list[Record]] = {}
        for r in self.records:
            keys = {r.id if isinstance(r, Meeting) else None, getattr(r, "meeting", None)}
            for key in keys - {None}:
                groups.setdefault(str(key), []).append(r)
        return {key: by_date(rows) for key, rows in groups.items()}

    @cached_property
    def _by_organ(self) -> dict[str, list[Record]]:
        """报告机关 → its records, newest first."""
        groups: dict[str, list[Record]] = {}
        for r in self.records:
            organ = organ_of(r)
            if organ:
                groups.setdefault(organ, []).append(r)
        return {key: by_date(rows, newest_first=True) for key, rows in groups.items()}

    def same_sitting(self, sitting: str | None) -> list[Record]:
        """The sitting ``sitting`` and the records of it, oldest first."""
        return list(self._by_sitting.get(sitting, ())) if sitting else []

    def same_organ(self, organ: str | None) -> list[Record]:
        """The records of ``organ`` (报告机关), newest first."""
        return list(self._by_organ.get(organ, ())) if organ else []

    def daily(self, what: str, make: Any) -> Any:
        """``make()`` kept for today: deadlines and "due soon" move with the date, not only with the records."""
        key = (what, dt.date.today())
        with self._lock:
            if key in self._daily:
                return self._daily[key]
        value = make()
        with self._lock:
            for old in [k for k in self._daily if k[0] == what and k != key]:
                del self._daily[old]
            return self._daily.setdefault(key, value)

    def follow_up(self, record: Record) -> OpinionFollowUp | None:
        """An opinion's loop (交办, deadline, reports, 测评, 催办函), or a suggestion's or motion's (交办, deadline,
        answers, evaluations, re-handling), from what the scope sees."""
        from archive.proposals import Proposal

        if not isinstance(record, Opinion | Proposal):
            return None
        items: dict[str, OpinionFollowUp] = self.daily("follow-up", self._follow_ups)
        return items.get(record.id)

    def _follow_ups(self) -> dict[str, OpinionFollowUp]:
        from archive.followup import track_opinions, track_proposals

        items = {item.id: item for item in reversed(track_opinions(self.screened).items)}
        items.update((item.id, item) for item in track_proposals(self.screened))
        return items

    def dashboard(self) -> Dashboard:
        """The scope's 首页 (``archive.dashboard.dashboard``)."""
        from archive.dashboard import dashboard

        board: Dashboard = self.daily("dashboard", lambda: dashboard(self.generation.catalog, self.scope))
        return board


SEARCH_CACHE_CHARS = 64_000_000  # hit text held by the cached searches of a generation (≤ ~130 MB of str)
SELECTIONS_KEPT = 16  # facet selections remembered per cached search


class CachedSearch:
    """One search of one scope: its result, and for each facet selection the hits left and the facet counts."""

    def __init__(self, result: SearchResult) -> None:
        self.result = result
        self.size = sum(len(hit.text) + 100 for hit in result.hits)  # ~100 for the rest of a hit
        self._lock = threading.Lock()
        self._narrowed: OrderedDict[tuple[tuple[str, str], ...], tuple[list[SearchHit], list[Facet]]] = OrderedDict()

    def narrowed(
        self, selection: dict[str, str], make: Callable[[], tuple[list[SearchHit], list[Facet]]]
    ) -> tuple[list[SearchHit], list[Facet]]:
        """The hits with every selected facet value and the facet counts over them (``make()`` the first time)."""
        key = tuple(sorted(selection.items()))
        with self._lock:
            found = self._narrowed.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._narrowed[key] = found
                while len(self._narrowed) > SELECTIONS_KEPT:
                    self._narrowed.popitem(last=False)
        return found


class SearchCache:
    """The searches of one generation by (scope, query text), least recently used dropped first, holding at
    most ``SEARCH_CACHE_CHARS`` characters of hit text (a search with more is not kept)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Viewer, str], CachedSearch] = OrderedDict()
        self._size = 0

    def get(self, who: Viewer, text: str, run: Callable[[], SearchResult]) -> CachedSearch:
        """The cached search of ``text`` for ``who``'s scope, or ``run()`` (kept unless it says the index could
        not be brought up to date: the next search tries again)."""
        key = (scope_of(who), text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        entry = CachedSearch(run())
        if entry.result.notice is None and entry.size <= SEARCH_CACHE_CHARS:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = entry
                    self._size += entry.size
                while self._size > SEARCH_CACHE_CHARS:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= dropped.size
        return entry
