"""Record texts and small helpers shared by the tests.

Line numbers matter: the bad-input tests point at lines of these texts, so
each constant lists its field lines in a comment.  Change a text only
together with the tests that count its lines.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from archive.schema import builtin_dir

STARTER = builtin_dir("templates") / "workspace"
REPO = Path(__file__).resolve().parent.parent
CLI_SCRIPT = REPO / "cli.py"
RENDA = Path(sys.executable).parent / "renda"
# The installed console script (it goes through main(), which translates usage errors); cli.py itself otherwise.
RENDA_COMMAND = [str(RENDA)] if RENDA.exists() else [sys.executable, str(CLI_SCRIPT)]

# A valid second 审议意见 for the starter workspace.
# 1 id, 3 term, 4 date, 5 title, 6 doc_number, 9 meeting, 11 report.title, 14 addressee, 16 assessment[0]
OPINION = """\
id: opinion-2025-02
type: opinion
term: 17
date: 2025-05-06
title: 澄湖区人大常委会关于全区物业管理工作情况报告的审议意见
doc_number: 澄人常函〔2025〕2号
classification: 公开
status: final
meeting: meeting-2025-01
report:
  title: 关于全区养老服务工作情况的报告
  organ: 区人民政府
  organ_kind: 政府
addressee: 区人民政府
assessment:
  - 常委会组成人员认为，区人民政府重视物业管理工作。
problems:
  - 部分老旧小区没有物业服务。
recommendations:
  - title: 扩大物业服务覆盖面
    text: 推动老旧小区引入物业服务或实行自治管理。
"""

# A valid second 常委会会议 (sitting 27, after the starter's 26).
# 1 id, 3 term, 4 date, 6 doc_number, 10 sitting, 11 presiding, 15 agenda[0].vote,
# 16 agenda[0].result, 17 attendance, 18 attendance.present
MEETING = """\
id: meeting-2025-02
type: meeting
term: 17
date: 2025-06-26
title: 区第十七届人大常委会第二十七次会议纪要
doc_number: 澄人常纪〔2025〕2号
classification: 公开
status: final
kind: 常委会会议
sitting: 27
presiding: d001
agenda:
  - item: 表决关于批准区级财政决算的决议（草案）
    action: 表决
    vote: {for: 3, against: 0, abstain: 0}
    result: 通过
attendance:
  present: [d001, d002, d003]
"""

# A fourth deputy of the 17th term.  6 terms[0].term, 7 terms[0].constituency
DEPUTY = """\
id: d004
type: deputy
name: 赵志远
gender: 男
terms:
  - term: 17
    constituency: 第7选区（湖滨街道）
"""

CJK = re.compile(r"[\u4e00-\u9fff]")


def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; ``old`` must occur exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def copy_starter(root: Path) -> Path:
    shutil.copytree(STARTER, root)
    return root


def write_file(root: Path, rel: str, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8) to ``root/rel``, creating folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def snapshot(root: Path) -> dict[str, tuple[str, int] | None]:
    """Every file and folder under ``root``: content hash and mtime (None for folders)."""
    state: dict[str, tuple[str, int] | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            state[rel] = None
        else:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            state[rel] = (digest.hexdigest(), path.stat().st_mtime_ns)
    return state


PROBLEM = re.compile(
    r"^(?P<source>[^:\s]+)(?::(?P<line>\d+))?: (?P<warning>警告：)?"
    r"(?:(?P<field>[A-Za-z_][\w.\[\]]*): )?(?P<message>.+)$"
)


@dataclass(frozen=True)
class Reported:
    """One problem line as `renda validate` printed it."""

    source: str
    line: int
    field: str
    message: str
    warning: bool


def reported(output: str) -> list[Reported]:
    """Every problem line of ``output`` (the summary and other lines are skipped)."""
    out = []
    for text in output.splitlines():
        m = PROBLEM.match(text)
        if m:
            out.append(Reported(m["source"], int(m["line"] or 0), m["field"] or "", m["message"], bool(m["warning"])))
    return out


def copy_sample(target: Path, engine: str = "whoosh") -> Path:
    """The bundled sample workspace (repository root), records and configuration only."""
    target.mkdir(parents=True)
    shutil.copytree(REPO / "records", target / "records")
    config = (REPO / "renda.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^  engine: \w+$", f"  engine: {engine}", config)
    (target / "renda.yaml").write_text(config, encoding="utf-8")
    return target
