"""``renda track``: opinions, suggestions and motions in one list, on one engine, screened by clearance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from archive.catalog import Catalog, load_catalog
from archive.followup.compute import track_opinions, urgency_key
from archive.followup.model import FollowUpReport
from archive.followup.proposal_figures import ProposalStatistics, proposal_statistics
from archive.followup.proposals import track_proposals
from archive.workspace import Workspace

if TYPE_CHECKING:
    from archive.clearance import Clearance, Screened


def track_everything(catalog: Catalog, as_of: dt.date | None = None) -> FollowUpReport:
    """Opinions, suggestions and motions on the reference date, most urgent first."""
    opinions = track_opinions(catalog, as_of)
    items = sorted([*opinions.items, *track_proposals(catalog, opinions.as_of)], key=urgency_key)
    return FollowUpReport(opinions.as_of, tuple(items), opinions.notes)


def screened_follow_up(
    workspace: Workspace,
    clearance: Clearance,
    as_of: dt.date | None,
    narrow: Callable[[FollowUpReport], FollowUpReport] = lambda report: report,
) -> tuple[FollowUpReport, Screened]:
    """The follow-up of opinions, suggestions and motions (narrowed, e.g. to one status) from the records the
    clearance admits, and what it left out: ``renda track``."""
    return clearance.derive(
        load_catalog(workspace), lambda catalog: narrow(track_everything(catalog, as_of)), lambda r: r.sources
    )


def screened_statistics(
    workspace: Workspace, clearance: Clearance, year: int | None, by: str, as_of: dt.date | None
) -> tuple[ProposalStatistics, Screened]:
    """The suggestions' figures (:func:`proposal_statistics`) from the records the clearance admits: ``renda
    track stats``."""
    return clearance.derive(
        load_catalog(workspace),
        lambda catalog: proposal_statistics(catalog, year, by, as_of),
        lambda stats: tuple(rid for row in stats.rows[-1:] for rid in row.received),
    )
