"""The viewer rule, in one place: what a person looking at the web platform may see.

Every page asks only this.  A :class:`Viewer` is an account (its role, clearance and binding) or the anonymous
public viewer.  Its clearance is the account's, never above the workspace ceiling (``max_public_classification``
— checked when the account is made and again here, in case the ceiling was lowered since); the level test is
:class:`archive.clearance.Clearance`.  The scope, by role:

==================  =========================================================================================
role                sees
==================  =========================================================================================
admin 系统管理员      every record ≤ clearance (drafts and files with problems too)
clerk 办公室          every record ≤ clearance (drafts and files with problems too)
member 常委会组成人员  final records ≤ clearance
deputy 代表           final records ≤ clearance that are 公开 or name the deputy (their registry entry, their
                    述职, sittings where they were expected, inspections they joined, suggestions and motions
                    they signed), and the drafts of the suggestions and motions they lead; only their own
                    履职档案 and attendance
organ 承办单位        final records ≤ clearance that are 公开 or are assigned to / reported by the organ
                    (审议意见 addressed to it or on its report, 催办函 to it, documents it issued)
public (anonymous)  final 公开 records, only when renda.yaml says ``web: {public: true}``
==================  =========================================================================================

A record the viewer may not see and a record that does not exist are the same to a page: 404.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from archive.accounts.model import OFFICE_ROLES, ROLE_LABELS, Account
from archive.clearance import Clearance
from archive.proposals import Proposal
from archive.records import (
    CLASSIFICATIONS,
    Deputy,
    DeputyReport,
    Document,
    Inspection,
    Letter,
    Meeting,
    Opinion,
    Record,
    classification_rank,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from archive.catalog import Catalog
    from archive.workspace import Config

PUBLIC = "public"


@dataclass(frozen=True)
class Viewer:
    role: str  # a key of ROLE_LABELS, or "public"
    clearance: Clearance
    name: str | None = None  # account name; None for the public viewer
    deputy: str | None = None
    organ: str | None = None

    @classmethod
    def of(cls, account: Account, config: Config) -> Viewer:
        """The viewer an account is, its clearance capped by the workspace ceiling."""
        top = config.max_public_classification
        level = min(account.clearance, top, key=classification_rank)
        return cls(account.role, Clearance(level, explicit=True), account.name, account.deputy, account.organ)

    @classmethod
    def public(cls) -> Viewer:
        return cls(PUBLIC, Clearance(CLASSIFICATIONS[0], explicit=True))

    # -- who ----------------------------------------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.role == PUBLIC

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, "公众")

    @property
    def audit_name(self) -> str:
        return self.name or "-"

    # -- the rule -----------------------------------------------------------------------------------------

    def sees(self, record: Record) -> bool:
        if not self.clearance.admits(record):
            return False
        if self.is_office:
            return True
        if not record.is_final:
            return self.drafted(record)
        if self.role == "member":
            return True
        if record.classification == CLASSIFICATIONS[0]:
            return True
        if self.role == "deputy":
            return self.names_deputy(record)
        if self.role == "organ":
            return self.concerns_organ(record)
        return False

    def drafted(self, record: Record) -> bool:
        """A draft outside the office is seen only by the deputy drafting it: a suggestion or motion they lead,
        not yet submitted."""
        mine = self.role == "deputy" and self.deputy is not None
        return mine and isinstance(record, Proposal) and record.lead == self.deputy

    def names_deputy(self, record: Record) -> bool:
        """Whether ``record`` is about this deputy: their registry entry, 述职, a sitting, an inspection, a suggestion
        or motion they led or co-signed."""
        me = self.deputy
        if me is None:
            return False
        if isinstance(record, Deputy):
            return record.id == me
        if isinstance(record, DeputyReport):
            return record.deputy == me
        if isinstance(record, Meeting):
            att = record.attendance
            return (
                me in att.present
                or me in att.absent
                or me in att.nonvoting
                or any(x.deputy == me for x in att.on_leave)
            )
        if isinstance(record, Inspection):
            return me in record.members
        if isinstance(record, Proposal):
            return me in record.signers
        return False

    def concerns_organ(self, record: Record) -> bool:
        """Whether ``record`` is assigned to or reported by this organ (for a suggestion or motion: 主办 or 会办)."""
        organ = self.organ
        if organ is None:
            return False
        if isinstance(record, Opinion):
            return organ in (record.addressee, record.report_organ)
        if isinstance(record, Letter):
            return record.addressee == organ
        if isinstance(record, Document):
            return record.issuer == organ
        if isinstance(record, Proposal):
            return record.handling is not None and organ in record.handling.organs
        return False

    def may_see_deputy_file(self, deputy_id: str) -> bool:
        """履职档案 and attendance of a deputy: the office and members see all, a deputy only their own."""
        if self.is_office or self.role == "member":
            return True
        return self.role == "deputy" and self.deputy == deputy_id

    def visible(self, records: Iterable[Record]) -> list[Record]:
        return [r for r in records if self.sees(r)]

    def screen(self, catalog: Catalog) -> Catalog:
        """The catalog with only what this viewer sees; files that failed to load stay for the office only."""
        files = [
            f
            for f in catalog.files
            if (f.record is None and self.is_office) or (f.record is not None and self.sees(f.record))
        ]
        return replace(catalog, files=files, _documents={})
