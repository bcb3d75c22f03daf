"""首页 of the web platform: what each viewer sees first, computed from what the viewer may see.

office (admin, clerk): overdue and due-soon opinions and, beside them, overdue and due-soon suggestions and
motions; records with validation problems, recent changes; organ: the opinions and the suggestions and motions
assigned to it (主办 or 会办) with their deadlines, overdue first; deputy: the records about them, the
suggestions and motions they led or co-signed with where each stands, and their 履职档案; member: recent
sittings.  Every figure comes from ``viewer.screen(catalog)``, so nothing outside the viewer's
scope is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.followup.compute import track_opinions, urgency_key
from archive.followup.model import OpinionFollowUp, Status
from archive.followup.proposals import track_proposals
from archive.proposals import Motion, Proposal
from archive.records import Meeting, Record

if TYPE_CHECKING:
    from collections.abc import Iterable

    from archive.accounts import Viewer
    from archive.catalog import Catalog
    from archive.problems import Problem

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
class OwnProposal:
    """A suggestion or motion of the deputy looking: whether they led it or co-signed it, and where it stands
    (None for a motion turned into a suggestion: that suggestion is followed instead)."""

    record: Proposal
    led: bool
    follow_up: OpinionFollowUp | None

    @property
    def converted_to(self) -> str | None:
        """The suggestion a motion was turned into (议案转建议)."""
        p = self.record
        return p.decision.suggestion if isinstance(p, Motion) and p.decision else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.record.summary(),
            "kind": self.record.type,
            "role": "lead" if self.led else "cosigner",
            "follow_up": self.follow_up.as_dict() if self.follow_up else None,
            "converted_to": self.converted_to,
        }


@dataclass(frozen=True)
class Dashboard:
    role: str
    as_of: dt.date | None = None
    overdue: tuple[OpinionFollowUp, ...] = ()
    due_soon: tuple[OpinionFollowUp, ...] = ()
    assigned: tuple[OpinionFollowUp, ...] = ()  # organ: every opinion addressed to it or on its report
    # suggestions and motions: office — overdue and due soon; organ — all it handles (主办/会办), most urgent first
    proposals_overdue: tuple[OpinionFollowUp, ...] = ()
    proposals_due_soon: tuple[OpinionFollowUp, ...] = ()
    proposals_assigned: tuple[OpinionFollowUp, ...] = ()
    own_proposals: tuple[OwnProposal, ...] = ()  # deputy: led or co-signed, newest first
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
            "proposals_overdue": [i.as_dict() for i in self.proposals_overdue],
            "proposals_due_soon": [i.as_dict() for i in self.proposals_due_soon],
            "proposals_assigned": [i.as_dict() for i in self.proposals_assigned],
            "own_proposals": [p.as_dict() for p in self.own_proposals],
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
        return _office(seen, viewer)
    if viewer.role == "organ":
        return _organ(seen, viewer)
    if viewer.role == "deputy":
        own = sorted((r for r in seen.records if viewer.names_deputy(r)), key=_newest_first)
        return Dashboard(viewer.role, own=tuple(own), deputy=viewer.deputy, own_proposals=_own_proposals(seen, viewer))
    sittings = sorted((r for r in seen.records if isinstance(r, Meeting)), key=_newest_first)
    return Dashboard(viewer.role, sittings=tuple(sittings[:RECENT]))


def _office(seen: Catalog, viewer: Viewer) -> Dashboard:
    report = track_opinions(seen)
    proposals = sorted(track_proposals(seen, report.as_of), key=urgency_key)
    sources = {f.source for f in seen.files}
    errors = tuple(p for s, p in sorted(seen.first_errors().items()) if s in sources)
    return Dashboard(
        viewer.role,
        report.as_of,
        overdue=_with(report.items, Status.OVERDUE),
        due_soon=_with(report.items, Status.DUE_SOON),
        proposals_overdue=_with(proposals, Status.OVERDUE),
        proposals_due_soon=_with(proposals, Status.DUE_SOON),
        problems=errors,
        changes=_recent_changes(seen),
    )


def _organ(seen: Catalog, viewer: Viewer) -> Dashboard:
    report = track_opinions(seen)
    mine = tuple(i for i in report.items if viewer.organ in (i.addressee, i.report_organ))
    handled = {r.id for r in seen.records if isinstance(r, Proposal) and viewer.concerns_organ(r)}
    proposals = sorted((i for i in track_proposals(seen, report.as_of) if i.id in handled), key=urgency_key)
    return Dashboard(
        viewer.role,
        report.as_of,
        overdue=_with(mine, Status.OVERDUE),
        due_soon=_with(mine, Status.DUE_SOON),
        assigned=mine,
        proposals_assigned=tuple(proposals),
    )


def _own_proposals(seen: Catalog, viewer: Viewer) -> tuple[OwnProposal, ...]:
    """The suggestions and motions the deputy led or co-signed, newest first, each with where it stands."""
    followed = {i.id: i for i in track_proposals(seen)}
    mine = [r for r in seen.records if isinstance(r, Proposal) and viewer.deputy in r.signers]
    return tuple(OwnProposal(p, p.lead == viewer.deputy, followed.get(p.id)) for p in sorted(mine, key=_newest_first))


def _with(items: Iterable[OpinionFollowUp], status: Status) -> tuple[OpinionFollowUp, ...]:
    return tuple(i for i in items if i.status is status)


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
