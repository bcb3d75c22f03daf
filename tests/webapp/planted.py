"""Records planted at every classification for the web pages' clearance matrix (search, track, deputies, archive).

For each level of ``LEVELS`` the sample workspace gets: an opinion addressed to the organ account's organ
(区人民政府), one addressed to another organ (区人民法院), a 述职 of the deputy account's deputy (d001) and a
draft opinion to 区人民政府 — all with ``MARK`` in the title, so one search finds exactly them; the 机密 opinion
to the court alone also carries ``SECRET_WORD`` (a dictionary word no sample record has).  The ceiling
(``max_public_classification``) is raised to 机密.  ``expected(role, clearance)`` says which planted records
a viewer sees, computed from the raw YAML and the scope rule as DOMAIN.md §7 words it — not by the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LEVELS = ("公开", "内部", "秘密", "机密")  # the order of the law, written out here on purpose
MARK = "翠微湖"
SECRET_WORD = "地方性法规"
DEPUTY = "d001"
ORGAN = "区人民政府"
OTHER_ORGAN = "区人民法院"
YEAR = 2024


def _rank(level: str) -> int:
    return LEVELS.index(level)


def _opinion(root: Path, n: int, level: str, organ: str, status: str, extra: str = "") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "records/2024/opinion-2024-02.yaml").read_text(encoding="utf-8"))
    data.update(
        id=f"opinion-{YEAR}-{n}",
        title=f"澄湖区人大常委会关于{organ}{MARK}{extra}治理情况报告的审议意见",
        doc_number=f"澄人常函〔{YEAR}〕{n}号",
        classification=level,
        status=status,
        addressee=organ,
    )
    data["report"] = {**data["report"], "organ": organ, "organ_kind": "政府" if organ == ORGAN else "法院"}
    data.pop("follow_up", None)
    return data


def _report(root: Path, n: int, level: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "records/2023/report-2023-d014.yaml").read_text(encoding="utf-8"))
    data.update(
        id=f"report-{YEAR}-{DEPUTY}-{n}",
        date=f"{YEAR}-11-{10 + n % 10:02d}",
        title=f"区第十七届人大代表{MARK}述职报告（{n}）",
        doc_number=f"澄人代述〔{YEAR}〕{n}号",
        classification=level,
        deputy=DEPUTY,
        constituency="第3选区（城关街道）",
    )
    return data


Planted = list[dict[str, Any]]  # the planted records' data


def plant(root: Path, ceiling: str = "机密") -> Planted:
    """Write the planted records into ``root`` (a scratch sample copy) and raise its ceiling; their data."""
    planted = []
    n = 60
    for level in LEVELS:
        made = [
            _opinion(root, n, level, ORGAN, "final"),
            _opinion(root, n + 1, level, OTHER_ORGAN, "final", SECRET_WORD if level == "机密" else ""),
            _report(root, n + 2, level),
            _opinion(root, n + 3, level, ORGAN, "draft"),
        ]
        n += 4
        for data in made:
            folder = root / "records" / str(YEAR)
            (folder / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        planted.extend(made)
    config = root / "renda.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "max_public_classification: 内部", f"max_public_classification: {ceiling}"
    )
    config.write_text(text, encoding="utf-8")
    return planted


def own_draft(role: str, data: dict[str, Any], deputy: str) -> bool:
    """The one draft outside the office a viewer sees: a deputy's own suggestion or motion (they lead it), not
    yet submitted."""
    return role == "deputy" and data.get("type") in ("suggestion", "motion") and data.get("lead") == deputy


def sees(role: str, clearance: str, data: dict[str, Any]) -> bool:
    """DOMAIN.md §7: the office sees all up to its clearance; members final records; a deputy final 公开
    ones and those naming them; an organ final 公开 ones and those addressed to or reported by it."""
    if _rank(data["classification"]) > _rank(clearance):
        return False
    if role in ("admin", "clerk"):
        return True
    if data["status"] != "final":
        return own_draft(role, data, DEPUTY)
    if role == "member":
        return True
    if data["classification"] == "公开":
        return True
    if role == "deputy":
        return data.get("deputy") == DEPUTY
    if role == "organ":
        return ORGAN in (data.get("addressee"), (data.get("report") or {}).get("organ"))
    return False


def expected(planted: list[dict[str, Any]], role: str, clearance: str) -> list[dict[str, Any]]:
    return [d for d in planted if sees(role, clearance, d)]
