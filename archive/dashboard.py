"""首页 of the web platform: what each viewer sees first, computed from what the viewer may see.

office (admin, clerk): overdue and due-soon opinions, records with validation problems, recent changes;
organ: the opinions assigned to it with their deadlines; deputy: the records about them and their 履职档案;
member: recent sittings.  Every figure comes from ``viewer.screen(catalog)``, so nothing outside the viewer's
scope is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .followup.compute import track_opinions
from .followup.model import OpinionFollowUp, Status
from .records import Meeting, Record

if TYPE_CHECKING:
    from .accounts import Viewer
    from .loaded import Catalog
    from .problems import Problem

RECENT = 10  # rows of each "recent" list


@dataclass(frozen=True)
class Change:
    record: Record | None
    source: str
    modified: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.record.id if self.record else None,
            "title": self.record.title if self.record else None,
            "source": self.source,
            "modified": self.modified.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class Dashboard:
    role: str
    as_of: dt.date | None = None
    overdue: tuple[OpinionFollowUp, ...] = ()
    due_soon: tuple[OpinionFollowUp, ...] = ()
    assigned: tuple[OpinionFollowUp, ...] = ()  # organ: every opinion addressed to it or on its report
    problems: tuple[Problem, ...] = ()  # office: the first error of each record file that has one
    changes: tuple[Change, ...] = ()
    own: tuple[Record, ...] = field(default=())  # deputy: records about them
    sittings: tuple[Meeting, ...] = ()  # member: recent sittings
    deputy: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "overdue": [i.as_dict() for i in self.overdue],
            "due_soon": [i.as_dict() for i in self.due_soon],
            "assigned": [i.as_dict() for i in self.assigned],
            "problems": [p.as_dict() for p in self.problems],
            "changes": [c.as_dict() for c in self.changes],
            "own": [r.summary() for r in self.own],
            "sittings": [r.summary() for r in self.sittings],
            "deputy": self.deputy,
        }


def dashboard(catalog: Catalog, viewer: Viewer) -> Dashboard:
    """The 首页 of ``viewer`` over ``catalog`` (the whole catalog: it is screened here)."""
    seen = viewer.screen(catalog)
    if viewer.is_office:
        report = track_opinions(seen)
        sources = {f.source for f in seen.files}
        errors = tuple(p for s, p in sorted(seen.first_errors().items()) if s in sources)
        return Dashboard(
            viewer.role,
            report.as_of,
            overdue=tuple(i for i in report.items if i.status is Status.OVERDUE),
            due_soon=tuple(i for i in report.items if i.status is Status.DUE_SOON),
            problems=errors,
            changes=_recent_changes(seen),
        )
    if viewer.role == "organ":
        report = track_opinions(seen)
        mine = tuple(i for i in report.items if viewer.organ in (i.addressee, i.report_organ))
        return Dashboard(
            viewer.role,
            report.as_of,
            overdue=tuple(i for i in mine if i.status is Status.OVERDUE),
            due_soon=tuple(i for i in mine if i.status is Status.DUE_SOON),
            assigned=mine,
        )
    if viewer.role == "deputy":
        own = sorted((r for r in seen.records if viewer.names_deputy(r)), key=_newest_first)
        return Dashboard(viewer.role, own=tuple(own), deputy=viewer.deputy)
    sittings = sorted((r for r in seen.records if isinstance(r, Meeting)), key=_newest_first)
    return Dashboard(viewer.role, sittings=tuple(sittings[:RECENT]))


def _newest_first(record: Record) -> tuple[int, str]:
    return (-(record.date or dt.date.min).toordinal(), record.id)


def _recent_changes(catalog: Catalog) -> tuple[Change, ...]:
    root = catalog.workspace.root
    stamped = []
    for loaded in catalog.files:
        try:
            mtime = (root / loaded.source).stat().st_mtime
        except OSError:
            continue
        stamped.append((mtime, loaded))
    stamped.sort(key=lambda pair: (-pair[0], pair[1].source))
    return tuple(
        Change(loaded.record, loaded.source, dt.datetime.fromtimestamp(mtime).astimezone())
        for mtime, loaded in stamped[:RECENT]
    )
