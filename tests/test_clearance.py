"""Nothing above the line leaves (issue 16, leaks 1, 2, 4, 5, 6): every output asks one rule.

Setup of the issue: a copy of the sample with the 第十九次 sitting (cwh-17-19) and the 2024 inspection
(inspection-2024-01) marked 秘密; the workspace's ceiling (max_public_classification) is 内部.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from judged import judged_recurring
from samples import copy_sample

import cli
from archive.clearance import Clearance, marking
from archive.records import Record

SECRET = ("records/2024/cwh-17-19.yaml", "records/2024/inspection-2024-01.yaml")


def _set_classification(root: Path, rel: str, level: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^classification: \S+$", f"classification: {level}", text), encoding="utf-8")


@pytest.fixture
def secret_ws(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path / "ws")
    for rel in SECRET:
        _set_classification(root, rel, "秘密")
    return root


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def _docx_text(path: Path) -> str:
    """Every w:t of the body, paragraphs on their own lines (python-docx not needed for plain text)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)


def _head(text: str, lines: int = 8) -> list[str]:
    """The first non-empty paragraphs: where 份号 and 密级 stand."""
    return [line for line in text.splitlines() if line.strip()][:lines]


# -- 1. deputy profile and attendance ---------------------------------------------------------------


def test_profile_leaves_out_the_secret_sitting_and_inspection_and_says_so(secret_ws: Path) -> None:
    out = secret_ws / "out"
    result = _run(secret_ws, "deputy", "profile", "d035", "--year", "2024", "--format", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = _docx_text(next(out.glob("*.docx")))
    assert "cwh-17-19" not in text and "inspection-2024-01" not in text
    assert "第十九次" not in text
    assert "另有 2 条密级更高的记录未列入" in result.stderr
    assert "--classification 秘密" in result.stderr

    as_json = _run(secret_ws, "deputy", "profile", "d035", "--year", "2024", "--json")
    assert as_json.exit_code == 0
    assert "cwh-17-19" not in as_json.stdout and "inspection-2024-01" not in as_json.stdout


def test_profile_at_the_secret_level_is_marked_secret_with_a_copy_number(secret_ws: Path) -> None:
    out = secret_ws / "out"
    args = ["deputy", "profile", "d035", "--year", "2024", "--format", "docx", "-o", str(out)]
    result = _run(secret_ws, *args, "--classification", "秘密")
    assert result.exit_code == 0, result.output
    text = _docx_text(next(out.glob("*.docx")))
    assert "cwh-17-19" in text and "inspection-2024-01" in text
    head = _head(text)
    assert head[:2] == ["000001", "秘密"], head

    as_json = _run(secret_ws, "deputy", "profile", "d035", "--year", "2024", "--json", "--classification", "秘密")
    assert json.loads(as_json.stdout)["classification"] == "秘密"


def test_attendance_json_leaves_out_the_secret_sitting(secret_ws: Path) -> None:
    result = _run(secret_ws, "deputy", "attendance", "--year", "2024", "--json")
    assert result.exit_code == 0
    assert "cwh-17-19" not in result.stdout
    assert json.loads(result.stdout)["classification"] == "公开"
    assert "密级更高的记录未列入" in result.stderr

    lifted = _run(secret_ws, "deputy", "attendance", "--year", "2024", "--json", "--classification", "秘密")
    assert "cwh-17-19" in lifted.stdout
    assert json.loads(lifted.stdout)["classification"] == "秘密"


def test_an_unknown_classification_level_is_refused_in_chinese(secret_ws: Path) -> None:
    result = _run(secret_ws, "deputy", "attendance", "--year", "2024", "--classification", "绝密")
    assert result.exit_code == 1
    assert "--classification 的值应为 公开、内部、秘密、机密 之一，实际为“绝密”" in result.stderr
    assert "Traceback" not in result.output


# -- 2. draft-report --------------------------------------------------------------------------------


def test_draft_report_leaves_out_secret_records_by_default(secret_ws: Path) -> None:
    result = _run(secret_ws, "deputy", "draft-report", "d035", "--year", "2024")
    assert result.exit_code == 0, result.output
    draft = secret_ws / "records/2024/report-2024-d035.yaml"
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    body = "\n".join(str(b) for b in data["body"])
    assert "第十九次" not in body
    assert "执法检查（" not in body  # the secret inspection's line: "参加…执法检查（期间）"
    assert data["classification"] == "公开"
    assert "密级更高的记录未列入" in result.stderr


def test_a_draft_built_from_secret_records_is_secret_and_search_does_not_return_it(secret_ws: Path) -> None:
    result = _run(secret_ws, "deputy", "draft-report", "d035", "--year", "2024", "--classification", "秘密")
    assert result.exit_code == 0, result.output
    assert "密级“秘密”" in result.output
    data = yaml.safe_load((secret_ws / "records/2024/report-2024-d035.yaml").read_text(encoding="utf-8"))
    assert data["classification"] == "秘密"
    assert "第十九次" in "\n".join(str(b) for b in data["body"])

    found = _run(secret_ws, "search", "谢文静", "述职", "--json")
    assert found.exit_code == 0, found.output
    assert "report-2024-d035" not in found.stdout


# -- 4. track remind --------------------------------------------------------------------------------


def _letters(root: Path, out: Path) -> dict[str, str]:
    """opinion id → the text of the 催办函 rendered for it (each letter is a record naming its opinion)."""
    letters = {}
    for path in (root / "records").rglob("letter-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        docx = out / f"{data['id']}.docx"
        if docx.exists() and "opinion" in data:  # letters for an organ's suggestions name no opinion
            letters[data["opinion"]] = _docx_text(docx)
    return letters


def test_remind_writes_no_letter_for_a_secret_opinion_unless_the_level_allows_and_then_marks_it(
    secret_ws: Path,
) -> None:
    _set_classification(secret_ws, "records/2024/opinion-2024-03.yaml", "秘密")
    out = secret_ws / "out"
    result = _run(secret_ws, "track", "remind", "--format", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    letters = _letters(secret_ws, out)
    assert "opinion-2024-03" not in letters
    assert "另有 1 条密级更高的记录未生成催办函" in result.stderr
    # the other overdue opinion was issued at the secret sitting: its letter no longer quotes it
    other = letters["opinion-2024-04"]
    assert "第十九次" not in other and "秘密" not in other

    lifted = _run(secret_ws, "track", "remind", "--format", "docx", "-o", str(out), "--classification", "秘密")
    assert lifted.exit_code == 0, lifted.output
    text = _letters(secret_ws, out)["opinion-2024-03"]
    assert "澄人常函〔2024〕3号" in text
    head = _head(text)
    assert "000001" in head and "秘密" in head, head


def test_track_lists_no_secret_opinion_and_marks_its_json(secret_ws: Path) -> None:
    _set_classification(secret_ws, "records/2024/opinion-2024-03.yaml", "秘密")
    result = _run(secret_ws, "track", "--json")
    data = json.loads(result.stdout)
    assert "opinion-2024-03" not in [o["id"] for o in data["opinions"]]
    assert data["classification"] == "内部"  # opinion-2023-02 is 内部 in the sample
    text = _run(secret_ws, "track")
    assert "opinion-2024-03" not in text.stdout
    assert text.stdout.splitlines()[-1] == "本表含密级“内部”的记录，按“内部”管理。"


# -- 5. 年度工作统计 ---------------------------------------------------------------------------------


def _archivable(root: Path, year: int, kind: str) -> int:
    """Final records of ``kind`` dated in ``year`` at 公开 or 内部 (the sample's ceiling), read from the YAML."""
    n = 0
    for path in (root / "records" / str(year)).glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind_of = data.get("kind") if data["type"] == "meeting" else data["type"]
        if kind_of == kind and data.get("status", "final") == "final" and data["classification"] in ("公开", "内部"):
            n += 1
    return n


def test_annual_statistics_count_only_what_the_archive_contains(secret_ws: Path) -> None:
    result = _run(secret_ws, "archive", "build", "2024", "--json", "-o", str(secret_ws / "out"))
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)["statistics"]
    assert stats["sittings"]["常委会会议"] == _archivable(secret_ws, 2024, "常委会会议") == 3
    assert stats["inspections"] == _archivable(secret_ws, 2024, "inspection") == 0
    # the 养老服务 thread (2023–2024) ran through the secret inspection: without it, 2023 alone, not listed
    listed = [{r["id"] for r in thread["records"]} for thread in stats["recurring_problems"]]
    assert listed == judged_recurring(secret_ws, 2024) == [{"opinion-2022-01", "report-2023-d043", "opinion-2024-02"}]
    sheet = _docx_text(secret_ws / "out" / "J017-WS-2024" / "data" / "年度工作统计.docx")
    assert "连续多年反复提出的问题" in sheet and "农村人居环境整治" in sheet
    assert "老年人权益保障法" not in sheet and "inspection-2024-01" not in json.dumps(stats)


# -- 6. search ceiling above the public one -----------------------------------------------------------


def test_a_search_ceiling_above_the_public_one_is_a_config_error(secret_ws: Path) -> None:
    config = secret_ws / "renda.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  max_classification: 机密\n", encoding="utf-8")
    validated = _run(secret_ws, "validate")
    assert validated.exit_code == 1
    assert "search.max_classification: 检索收录的最高密级“机密”高于公开范围" in validated.output
    assert "allow_above_public: true" in validated.output
    searched = _run(secret_ws, "search", "第十九次会议")
    assert searched.exit_code == 1
    assert "区第十七届人大常委会第十九次会议纪要" not in searched.output
    assert "Traceback" not in searched.output


def test_an_acknowledged_search_ceiling_above_the_public_one_is_accepted(secret_ws: Path) -> None:
    config = secret_ws / "renda.yaml"
    text = config.read_text(encoding="utf-8") + "  max_classification: 秘密\n  allow_above_public: true\n"
    config.write_text(text, encoding="utf-8")
    validated = _run(secret_ws, "validate")
    assert validated.exit_code == 0, validated.output
    found = _run(secret_ws, "search", "第十九次会议", "--json")
    assert "cwh-17-19" in found.stdout


# -- list -------------------------------------------------------------------------------------------


def test_list_leaves_out_records_above_the_level_and_counts_them(secret_ws: Path) -> None:
    result = _run(secret_ws, "list", "--year", "2024", "--json")
    ids = [r["id"] for r in json.loads(result.stdout)]
    assert "cwh-17-19" not in ids and "inspection-2024-01" not in ids
    assert "另有 2 条密级更高的记录未列出" in result.stderr
    lifted = _run(secret_ws, "list", "--year", "2024", "--json", "--classification", "秘密")
    rows = {r["id"]: r for r in json.loads(lifted.stdout)}
    assert rows["cwh-17-19"]["classification"] == "秘密"


# -- the rule itself -----------------------------------------------------------------------------------


def _record(rid: str, level: str) -> Record:
    return Record(id=rid, type="meeting", source=f"records/{rid}.yaml", title=rid, classification=level)


def test_the_marking_of_nothing_is_public_and_of_records_their_highest_level() -> None:
    assert marking([]) == "公开"
    assert marking([_record("a", "内部"), _record("b", "机密"), _record("c", "秘密")]) == "机密"


def test_a_clearance_keeps_what_is_at_or_below_its_level_and_counts_the_rest() -> None:
    records = [_record(r, level) for r, level in (("a", "公开"), ("b", "内部"), ("c", "秘密"), ("d", "机密"))]
    screened = Clearance("内部").screen(records)
    assert [r.id for r in screened.kept] == ["a", "b"]
    assert [r.id for r in screened.withheld] == ["c", "d"]
    assert screened.marking == "内部"
    assert screened.notice() == (
        "按密级“内部”生成：另有 2 条密级更高的记录未列入（可用 --classification 机密 列入，输出将标注密级）"
    )
    assert Clearance("机密").screen(records).notice() is None
