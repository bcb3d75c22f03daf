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

    from archive.catalog import Catalog
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

    CATALOG_CHECK_SECONDS = 2.0  # how often the records folder is looked at for changes

    def __init__(self, workspace: Workspace, store: AccountStore, settings: WebSettings) -> None:
        self.workspace = workspace
        self.store = store
        self.settings = settings
        self.templates = _environment()
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._signature: tuple[int, int] | None = None
        self._checked = 0.0

    @property
    def name(self) -> str:
        """The standing committee's name for the header (澄湖区人大常委会)."""
        return self.workspace.config.organ_short_name

    def records_signature(self) -> tuple[int, int]:
        """(number of record files, newest mtime): changes when a record is added, edited or removed."""
        files = self.workspace.record_files()
        newest = max((f.stat().st_mtime_ns for f in files if f.exists()), default=0)
        return len(files), newest

    def catalog(self) -> Catalog:
        """The loaded catalog (every record, unscreened: pass it through ``viewer.screen``), reloaded when the
        records folder changed (looked at no more than every two seconds)."""
        from archive.catalog import load_catalog

        with self._lock:
            now = time.monotonic()
            if self._catalog is None or now - self._checked >= self.CATALOG_CHECK_SECONDS:
                self._checked = now
                signature = self.records_signature()
                if self._catalog is None or signature != self._signature:
                    self._catalog = load_catalog(self.workspace)
                    self._signature = signature
            return self._catalog


def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: record text is never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
