"""The drafting desk (issue 14): records opened, checked and saved from the browser, the YAML files staying the
single, readable source of truth.

* :mod:`archive.drafting.yamledit` — round-trip editing: a record's text changed as little as possible so that
  it holds new data (untouched fields keep their bytes), and new records in the house style;
* :mod:`archive.drafting.desk` — :class:`Desk`: open, blank, check, save, update under the workspace's write
  lock, with the rules of ``renda validate`` and no lost edits (versions are content hashes);
* :mod:`archive.drafting.history` — each save a git commit of that one file, authored by the account (dulwich).
"""

from archive.drafting.desk import (
    Conflict,
    Desk,
    Draft,
    FieldProblem,
    SaveResult,
    parse_field,
    version_of,
)
from archive.drafting.errors import DraftingError
from archive.drafting.yamledit import edit_text, new_text

__all__ = [
    "Conflict",
    "Desk",
    "Draft",
    "DraftingError",
    "FieldProblem",
    "SaveResult",
    "edit_text",
    "new_text",
    "parse_field",
    "version_of",
]
