"""Oversight follow-up of 审议意见: due dates and where each opinion's loop stands on a reference date.

Suggestions and motions (DOMAIN.md §6) run on the same rounds, deadlines and statuses (:mod:`.proposals`);
``renda track`` lists all three (:mod:`.tracking`).

The loop (DOMAIN.md §2): 审议 → 交办 → 研究处理 → 报告 → 满意度测评.  Each opinion has one or more *rounds*:
round 1 is the first 研究处理情况报告, due by ``deadlines.opinion_report`` (or the opinion's own ``deadline``);
an evaluation of 不满意 reopens the loop and starts another round, due by ``deadlines.opinion_rereport``
counted from the evaluation date.  Deadlines are counted on the official calendar (:mod:`archive.workdays`):
a deadline on a rest day moves to the next working day.

Everything is computed *as of* a reference date: events after it are ignored, so ``--as-of 2024-09-01``
shows the state of that day.  The reference date is ``--as-of``, else ``oversight.as_of`` in renda.yaml,
else today.
"""

from __future__ import annotations

from archive.followup.compute import (
    deadline_wording,
    follow_up,
    oversight_settings,
    parse_date_option,
    reference_date,
    track_opinions,
)
from archive.followup.figures import FollowUpFigures, figures_of, followup_figures
from archive.followup.model import (
    STATUS_LABELS,
    FollowUpReport,
    OpinionFollowUp,
    Round,
    Status,
    TrackingError,
    parse_kind,
    parse_status,
)
from archive.followup.proposal_figures import ProposalFigures, ProposalStatistics, proposal_statistics
from archive.followup.proposals import proposal_follow_up, track_proposals
from archive.followup.tracking import screened_follow_up, screened_statistics, track_everything

__all__ = [
    "STATUS_LABELS",
    "FollowUpFigures",
    "FollowUpReport",
    "OpinionFollowUp",
    "ProposalFigures",
    "ProposalStatistics",
    "Round",
    "Status",
    "TrackingError",
    "deadline_wording",
    "figures_of",
    "follow_up",
    "followup_figures",
    "oversight_settings",
    "parse_date_option",
    "parse_kind",
    "parse_status",
    "proposal_follow_up",
    "proposal_statistics",
    "reference_date",
    "screened_follow_up",
    "screened_statistics",
    "track_everything",
    "track_opinions",
    "track_proposals",
]
