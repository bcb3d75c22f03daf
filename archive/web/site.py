"""What every request of one application shares: the workspace, the account store, templates, the catalog."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.accounts import AccountStore
from archive.accounts.store import IDLE_TIMEOUT

if TYPE_CHECKING:
    import jinja2

    from archive.accounts import Viewer
    from archive.catalog import Catalog
    from archive.web.views import Generation, ScopeView
    from archive.workspace import Workspace

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass(frozen=True)
class WebSettings:
    """The ``web:`` section of renda.yaml (optional)."""

    public: bool = False  # the anonymous public view (final 公开 records only)
    idle_minutes: int = IDLE_TIMEOUT // 60

    @classmethod
    def of(cls, raw: Any) -> WebSettings:
        section = raw.get("web") if isinstance(raw, dict) else None
        section = section if isinstance(section, dict) else {}
        return cls(bool(section.get("public", False)), int(section.get("idle_minutes", IDLE_TIMEOUT // 60)))


class Site:
    """One workspace served: shared by every request (thread-safe)."""

    CATALOG_CHECK_SECONDS = 2.0  # how often the records folder is looked at for changes, at most
    CHECK_SHARE = 0.05  # and no more of the time than this: 50,000 files take 0.2–0.3 s to look at

    def __init__(self, workspace: Workspace, store: AccountStore, settings: WebSettings) -> None:
        self.workspace = workspace
        self.store = store
        self.settings = settings
        self.templates = _environment()
        self._lock = threading.Lock()  # held while the folder is looked at and the catalog (re)loaded
        self._generation: Generation | None = None
        self._signature: tuple[int, int, int, int] | None = None
        self._checked = 0.0
        self._interval = self.CATALOG_CHECK_SECONDS
        self._index_lock = threading.Lock()
        self._indexed: int | None = None  # the generation the search index was last brought up to date for
        from archive.drafting import Desk

        self.desk: Desk = Desk(workspace)  # the drafting desk: one per site, its lock orders the site's saves

    @property
    def name(self) -> str:
        """The standing committee's name for the header (澄湖区人大常委会)."""
        return self.workspace.config.organ_short_name

    def records_signature(self) -> tuple[int, int, int, int]:
        """(number of record files, newest mtime, sum of mtimes, sum of sizes): changes when a record is added,
        edited (even to an older mtime) or removed.  One walk of the folder, no other system call."""
        from archive.walker import walk_records

        files = walk_records(self.workspace.root).files
        return (
            len(files),
            max((f[1] for f in files), default=0),
            sum(f[1] for f in files),
            sum(f[2] for f in files),
        )

    def generation(self) -> Generation:
        """The loaded catalog and what is derived from it (:mod:`archive.web.views`), reloaded when the records
        folder changed (looked at no more than every ``CATALOG_CHECK_SECONDS``, nor for more than
        ``CHECK_SHARE`` of the time).  While one request looks at the folder or reloads, the others are answered
        from the generation already loaded."""
        current = self._generation
        if current is not None and time.monotonic() - self._checked < self._interval:
            return current
        if not self._lock.acquire(blocking=current is None):
            assert current is not None
            return current
        try:
            return self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> Generation:
        from archive.catalog import load_catalog
        from archive.web.views import Generation

        current = self._generation
        if current is not None and time.monotonic() - self._checked < self._interval:
            return current  # another request refreshed it while this one waited for the lock
        started = time.monotonic()
        signature = self.records_signature()
        took = time.monotonic() - started
        if current is None or signature != self._signature:
            current = Generation(current.number + 1 if current else 1, load_catalog(self.workspace))
            self._generation, self._signature = current, signature
        self._checked = time.monotonic()
        self._interval = max(self.CATALOG_CHECK_SECONDS, took / self.CHECK_SHARE)
        return current

    def install(self, catalog: Catalog) -> None:
        """Make ``catalog`` (returned by a save of :attr:`desk`) the current generation at once, without reloading
        the folder, nor letting the next scheduled look reload it for the write that made it.  A catalog older
        than the current generation's (two saves installed out of order) is not installed."""
        from archive.web.views import Generation

        with self._lock:
            current = self._generation
            if current is not None and current.catalog.loaded_ns > catalog.loaded_ns:
                return
            self._generation = Generation(current.number + 1 if current else 1, catalog)
            self._signature = self.records_signature()
            self._checked = time.monotonic()

    def records_written(self) -> None:
        """The application itself wrote records (a 催办函): the next request looks at the folder at once, so the
        writer sees what it wrote without waiting for the next scheduled look."""
        self._checked = 0.0

    def catalog(self) -> Catalog:
        """The loaded catalog (every record, unscreened: pass it through ``viewer.screen``, or use
        ``generation().view(viewer)``)."""
        return self.generation().catalog

    def view(self, who: Viewer) -> ScopeView:
        """What ``who`` sees of the current generation (:class:`archive.web.views.ScopeView`)."""
        return self.generation().view(who)

    def index_due(self, generation: Generation) -> bool:
        """Whether a search should first bring the index up to date: once per generation (the records folder
        has not changed since, so the index has not either).  ``renda serve`` also updates it in the background."""
        with self._index_lock:
            due = self._indexed != generation.number
            self._indexed = generation.number
            return due


def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: record text is never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
