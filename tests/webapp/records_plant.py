"""Records of every classification planted in a scratch workspace for the record pages' tests, and the scope
rule written out again from the table in ``archive.accounts.viewer`` (so expectations do not come from it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from webapp.planted import own_draft

LEVELS = ("公开", "内部", "秘密", "机密")
ORGAN = "区人民政府"  # the organ account's organ (conftest.ORGAN)
OTHER_ORGAN = "区人民法院"
DEPUTY = "d001"  # the deputy account's registry id (conftest.DEPUTY_ID)
OFFICE = ("admin", "clerk")


def _level_lines(level: str) -> str:
    return "secrecy_period: 1年\ncopy_number: '000001'\n" if level in ("秘密", "机密") else ""


def plant(root: Path) -> dict[str, str]:
    """Plant, for each level i: sittings cwh-17-6i (d001 present) and cwh-17-7i (d001 not there), opinions
    opinion-2025-5i0 (to 区人民政府), -5i1 (to 区人民法院), -5i2 (a draft to 区人民政府), all heard at cwh-17-6i.
    Raise the workspace ceiling to 机密.  Returns id → level of what was planted."""
    config = root / "renda.yaml"
    config.write_text(
        re.sub(r"(?m)^max_public_classification: .*$", "max_public_classification: 机密", config.read_text("utf-8")),
        "utf-8",
    )
    sample = root / "records" / "2024"
    meeting = yaml.safe_load((sample / "cwh-17-21.yaml").read_text("utf-8"))
    opinion = yaml.safe_load((sample / "opinion-2024-03.yaml").read_text("utf-8"))
    folder = root / "records" / "2025"
    planted: dict[str, str] = {}
    for i, level in enumerate(LEVELS):
        for k, with_deputy in ((6, True), (7, False)):
            rid = f"cwh-17-{k}{i}"
            data = dict(meeting, id=rid, sitting=k * 10 + i, classification=level, issue_number=k * 10 + i)
            data["date"] = f"2025-07-{k - 5}{i + 1}"  # after the sample's last sitting, in sitting order
            data["doc_number"] = f"澄人常纪〔2025〕{k}{i}号"
            data["title"] = f"区第十七届人大常委会第{k}{i}次会议纪要（{level}）"
            att = dict(data["attendance"])
            if not with_deputy:
                att["present"] = [d for d in att["present"] if d != DEPUTY]
            data["attendance"] = att
            if not with_deputy:
                data["presiding"] = "d002"
            _write(folder / f"{rid}.yaml", data, level)
            planted[rid] = level
        for k, (addressee, status) in enumerate(((ORGAN, "final"), (OTHER_ORGAN, "final"), (ORGAN, "draft"))):
            rid = f"opinion-2025-5{i}{k}"
            organ_kind = "政府" if addressee == ORGAN else "法院"
            data = dict(
                opinion,
                id=rid,
                classification=level,
                status=status,
                meeting=f"cwh-17-6{i}",
                addressee=addressee,
                report={"title": opinion["report"]["title"], "organ": addressee, "organ_kind": organ_kind},
                doc_number=f"澄人常函〔2025〕5{i}{k}号",
                date="2025-07-25",
                title=f"澄湖区人大常委会关于{addressee}执行工作情况报告的审议意见（{level}{k}）",
            )
            data.pop("follow_up", None)
            _write(folder / f"{rid}.yaml", data, level)
            planted[rid] = level
    return planted


def _write(path: Path, data: dict[str, Any], level: str) -> None:
    data.pop("secrecy_period", None)
    data.pop("copy_number", None)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text + _level_lines(level), "utf-8")


# -- the scope rule, from the raw YAML ------------------------------------------------------------------


def raw_records(root: Path) -> list[dict[str, Any]]:
    """Every record file of the workspace as plain YAML data."""
    return [yaml.safe_load(p.read_text("utf-8")) for p in sorted((root / "records").rglob("*.yaml"))]


def names_deputy(data: dict[str, Any], deputy: str) -> bool:
    kind = data["type"]
    if kind == "deputy":
        return bool(data["id"] == deputy)
    if kind == "deputy_report":
        return data.get("deputy") == deputy
    if kind == "meeting":
        att = data.get("attendance") or {}
        listed = [*att.get("present", []), *att.get("absent", []), *att.get("nonvoting", [])]
        return deputy in listed or any(x.get("deputy") == deputy for x in att.get("absent_on_leave", []))
    if kind == "inspection":
        return deputy in data.get("members", [])
    if kind in ("suggestion", "motion"):
        return deputy == data.get("lead") or deputy in data.get("cosigners", [])
    return False


def concerns_organ(data: dict[str, Any], organ: str) -> bool:
    kind = data["type"]
    if kind == "opinion":
        return organ in (data.get("addressee"), (data.get("report") or {}).get("organ"))
    if kind == "letter":
        return data.get("addressee") == organ
    if kind == "document":
        return data.get("issuer") == organ
    if kind in ("suggestion", "motion"):
        handling = data.get("handling") or {}
        return organ in [handling.get("lead_organ"), *handling.get("co_organs", [])]
    return False


def may_see(role: str, clearance: str, data: dict[str, Any]) -> bool:
    """The table of archive.accounts.viewer, written out."""
    level = data.get("classification", "公开")
    if LEVELS.index(level) > LEVELS.index(clearance):
        return False
    if role in OFFICE:
        return True
    if data.get("status", "final") != "final":
        return own_draft(role, data, DEPUTY)
    if role == "member" or level == "公开":
        return True
    if role == "deputy":
        return names_deputy(data, DEPUTY)
    if role == "organ":
        return concerns_organ(data, ORGAN)
    return False


def expected_ids(root: Path, role: str, clearance: str) -> set[str]:
    return {d["id"] for d in raw_records(root) if may_see(role, clearance, d)}
