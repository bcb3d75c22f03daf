"""The one rule every output asks: what may it contain, and at what level is it marked.

An output (a listing, a search result, a 履职档案, a 述职 draft, a 催办函, the annual statistics) is made at one
classification level, its :class:`Clearance`: by default the workspace's ``max_public_classification``, or a
level the clerk chose explicitly (``--classification``).  Records above that level are left out and counted;
what is left is marked at the highest classification it contains (:func:`marking`) — a derived record
inherits it, a derived document prints it in its 版头 with a 份号 when it is 秘密 or 机密 (GB/T 9704 7.2.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from archive.errors import ClearanceError as ClearanceError
from archive.records import CLASSIFICATIONS, Record, classification_rank

if TYPE_CHECKING:
    from archive.catalog import Catalog
    from archive.workspace import Config

T = TypeVar("T")

FIRST_COPY = "000001"  # 份号 of the one copy renda prints of a classified derived document


def check_level(level: str, where: str = "--classification") -> str:
    if level not in CLASSIFICATIONS:
        raise ClearanceError(f"{where} 的值应为 {'、'.join(CLASSIFICATIONS)} 之一，实际为“{level}”")
    return level


def marking(records: Iterable[Record]) -> str:
    """The highest classification among ``records`` (公开 when there are none)."""
    return max((r.classification for r in records), key=classification_rank, default=CLASSIFICATIONS[0])


def copy_number(level: str) -> str | None:
    """份号 a document marked ``level`` must carry: 涉密 (秘密, 机密) documents only."""
    return FIRST_COPY if classification_rank(level) >= classification_rank("秘密") else None


@dataclass(frozen=True)
class Screened:
    """Records split by a clearance: what the output may contain and what it leaves out."""

    clearance: Clearance
    kept: tuple[Record, ...]
    withheld: tuple[Record, ...]

    @property
    def marking(self) -> str:
        return marking(self.kept)

    def notice(self, verb: str = "列入") -> str | None:
        """The Chinese sentence a command prints when something was left out (None when nothing was)."""
        if not self.withheld:
            return None
        highest = marking(self.withheld)
        return (
            f"按密级“{self.clearance.level}”生成：另有 {len(self.withheld)} 条密级更高的记录未{verb}"
            f"（可用 --classification {highest} {verb}，输出将标注密级）"
        )


@dataclass(frozen=True)
class Clearance:
    """The level an output is made at: it may contain records at or below ``level``."""

    level: str
    explicit: bool = False  # chosen with --classification rather than renda.yaml's default

    @classmethod
    def of(cls, config: Config, level: str | None = None) -> Clearance:
        """``level`` when given (checked), else the workspace's ``max_public_classification``."""
        if level is None:
            return cls(config.max_public_classification)
        return cls(check_level(level), explicit=True)

    @property
    def rank(self) -> int:
        return classification_rank(self.level)

    def admits(self, record: Record) -> bool:
        return classification_rank(record.classification) <= self.rank

    def screen(self, records: Iterable[Record]) -> Screened:
        kept: list[Record] = []
        withheld: list[Record] = []
        for record in records:
            (kept if self.admits(record) else withheld).append(record)
        return Screened(self, tuple(kept), tuple(withheld))

    def screen_catalog(self, catalog: Catalog) -> tuple[Catalog, Screened]:
        """The catalog with only the records this clearance admits (broken files stay, for their problems)."""
        files = [f for f in catalog.files if f.record is None or self.admits(f.record)]
        return replace(catalog, files=files, _documents={}), self.screen(catalog.records)

    def relevant(self, ids: Iterable[str], catalog: Catalog) -> Screened:
        """The records named by ``ids`` (what a full build would have used), split by this clearance."""
        by_id = catalog.by_id()
        return self.screen(by_id[i] for i in dict.fromkeys(ids) if i in by_id)

    def derive(
        self, catalog: Catalog, build: Callable[[Catalog], T], sources: Callable[[T], Iterable[str]]
    ) -> tuple[T, Screened]:
        """Build a derived output from what this clearance admits.

        ``build`` makes the output from a catalog and ``sources`` names the records an output was built from.
        The output is built from the whole catalog only to learn which of *its* records are above the level
        (so the notice counts what this output would have contained, not every secret record of the
        workspace); when any are, it is built again from the screened catalog, and that is what is returned.
        """
        full = build(catalog)
        relevant = self.relevant(sources(full), catalog)
        if not relevant.withheld:
            return full, relevant
        screened, _ = self.screen_catalog(catalog)
        output = build(screened)
        return output, Screened(self, self.relevant(sources(output), screened).kept, relevant.withheld)
