"""The drafting desk (issue 14): records opened, checked and saved from the browser, the YAML files staying the
single, readable source of truth.

* :mod:`archive.drafting.yamledit` — round-trip editing: a record's text changed as little as possible so that
  it holds new data (untouched fields keep their bytes), and new records in the house style;
* :mod:`archive.drafting.desk` — :class:`Desk`: open, blank, check, save, update under the workspace's write
  lock, with the rules of ``renda validate`` and no lost edits (versions are content hashes);
* :mod:`archive.drafting.history` — each save a git commit of that one file, authored by the account (dulwich).

How a page uses it (the site holds one desk, ``site.desk``)::

    draft = site.desk.open(site.catalog(), record_id)          # form: draft.data, hidden field draft.version
    result = site.desk.save(site.catalog(), draft.type, posted_data, base_version=posted_version,
                            author=viewer.name, record_id=record_id)
    if result.conflict:     # changed since the form was opened: show theirs_text / mine_text / diff
        ...
    elif not result.ok:     # result.problems: FieldProblem(path, field, message, severity) at their fields
        ...
    else:                   # written; result.notes: a git commit that failed (the file is saved)
        site.install(result.catalog)

A new record: ``site.desk.blank(catalog, type)`` or ``from_agenda(catalog, meeting_id, item)``, then ``save`` with
``record_id=None`` and ``base_version=""``.  A workflow step (核稿, 签发, a report received) is
``update(catalog, record_id, change, author=…)``: ``change`` gets the record as it is on disk, under the lock.
Problems are those of ``renda validate``; warnings never block.  ``check`` says them without writing.
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
