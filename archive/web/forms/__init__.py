"""Forms generated from the record schemas (``model``), their values (``values``) and what the page shows beside
the controls (``numbering`` of body headings, read-only values, the pickers' choices)."""

from __future__ import annotations

from archive.web.forms.model import Field, build_form
from archive.web.forms.values import (
    ActionError,
    FormProblem,
    Parsed,
    apply_action,
    collect,
    empty_raw,
    merge,
    parse,
    parse_raw,
    raw_of,
    text_problem,
)

__all__ = [
    "ActionError",
    "Field",
    "FormProblem",
    "Parsed",
    "apply_action",
    "build_form",
    "collect",
    "empty_raw",
    "merge",
    "parse",
    "parse_raw",
    "raw_of",
    "text_problem",
]
