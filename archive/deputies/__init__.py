"""Deputies' attendance, performance files (履职档案) and draft 述职 reports, derived from the records."""

from __future__ import annotations

from archive.deputies.attendance import (
    Attendance,
    DeputyError,
    Outcome,
    Period,
    Sitting,
    attendance_of,
    attendance_table,
    find_deputy,
    resolve_period,
    screened_attendance,
)
from archive.deputies.draft import DraftReport, draft_report
from archive.deputies.profile import DeputyProfile, Figure, Section, build_profile, compile_profile, profile_period

__all__ = [
    "Attendance",
    "DeputyError",
    "DeputyProfile",
    "DraftReport",
    "Figure",
    "Outcome",
    "Period",
    "Section",
    "Sitting",
    "attendance_of",
    "attendance_table",
    "build_profile",
    "compile_profile",
    "draft_report",
    "find_deputy",
    "profile_period",
    "resolve_period",
    "screened_attendance",
]
