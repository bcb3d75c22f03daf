"""`renda deputy`: performance files, attendance and draft reports, every number recounted here from the raw YAML.

The recount below reads the record files with plain PyYAML and counts by the rules a clerk would apply by
hand: a sitting counts for a deputy when the minutes list the deputy and the deputy served on that day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from samples import REPO, snapshot

import cli

AS_OF = dt.date(2025, 6, 30)  # oversight.as_of of the sample


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def copy_sample(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO / "renda.yaml", target / "renda.yaml")
    shutil.copytree(REPO / "records", target / "records")
    return target


def raw(root: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((root / "records").rglob("*.yaml"))]


def day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class Recount:
    present: set[str]
    leave: set[str]
    absent: set[str]
    inspections: set[str]
    reports: set[str]
    suggestions: int


def recount(root: Path, deputy: str, start: dt.date, end: dt.date, term: int | None = None) -> Recount:
    records = raw(root)
    person = next(r for r in records if r["type"] == "deputy" and r["id"] == deputy)
    services = [
        (s["term"], day(s["start"]) if "start" in s else dt.date.min, day(s["end"]) if "end" in s else dt.date.max)
        for s in person["terms"]
    ]

    def serving(t: int, d: dt.date) -> bool:
        return any(t == st and a <= d <= b for st, a, b in services)

    out = Recount(set(), set(), set(), set(), set(), 0)
    for r in records:
        if r["type"] == "meeting" and "attendance" in r:
            when = day(r["date"])
            if not (start <= when <= end) or (term is not None and r["term"] != term) or not serving(r["term"], when):
                continue
            att = r["attendance"]
            if deputy in att.get("present", []):
                out.present.add(r["id"])
            if deputy in [x["deputy"] for x in att.get("absent_on_leave", [])]:
                out.leave.add(r["id"])
            if deputy in att.get("absent", []):
                out.absent.add(r["id"])
        elif r["type"] == "inspection" and (deputy == r["leader"] or deputy in r["members"]):
            if day(r["period"]["start"]) <= end and day(r["period"]["end"]) >= start:
                out.inspections.add(r["id"])
        elif r["type"] == "deputy_report" and r["deputy"] == deputy and start <= day(r["date"]) <= end:
            out.reports.add(r["id"])
            out.suggestions += len(r.get("suggestions", []))
    return out


def profile_json(root: Path, *args: str) -> dict[str, Any]:
    result = run(root, "deputy", "profile", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def figures(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for s in profile["sections"] for f in s["figures"]}


CASES = [
    # deputy, CLI period, recount window, term filter
    ("d001", ["--term", "16"], (dt.date(2016, 12, 28), dt.date(2021, 12, 27)), 16),
    ("d001", ["--term", "17"], (dt.date(2021, 12, 28), AS_OF), 17),
    ("d041", ["--term", "17"], (dt.date(2021, 12, 28), AS_OF), 17),  # resigned 2024-03-15
    ("d048", ["--year", "2024"], (dt.date(2024, 1, 1), dt.date(2024, 12, 31)), None),  # by-election 2024-06-20
    ("d035", ["--year", "2022"], (dt.date(2022, 1, 1), dt.date(2022, 12, 31)), None),
    ("d014", ["--term", "17"], (dt.date(2021, 12, 28), AS_OF), 17),
    ("d010", ["--year", "2021"], (dt.date(2021, 1, 1), dt.date(2021, 12, 31)), None),  # two terms in one year
]


@pytest.mark.parametrize(("deputy", "args", "window", "term"), CASES, ids=[f"{c[0]}{''.join(c[1])}" for c in CASES])
def test_profile_figures_equal_an_independent_recount(
    deputy: str, args: list[str], window: tuple[dt.date, dt.date], term: int | None
) -> None:
    expected = recount(REPO, deputy, *window, term=term)

    profile = profile_json(REPO, deputy, *args)

    att = profile["attendance"]
    assert set(att["present"]["records"]) == expected.present
    assert set(att["leave"]["records"]) == expected.leave
    assert set(att["absent"]["records"]) == expected.absent
    assert att["unrecorded"]["count"] == 0
    assert att["expected"] == len(expected.present | expected.leave | expected.absent)
    fig = figures(profile)
    assert set(fig["inspections"]["records"]) == expected.inspections
    assert fig["inspections"]["count"] == len(expected.inspections)
    assert set(fig["reports"]["records"]) == expected.reports
    assert fig["suggestions"]["count"] == expected.suggestions
    assert [s["title"] for s in profile["sections"]] == [
        "基本情况",
        "出席会议情况",
        "视察调研情况",
        "学习培训情况",
        "代表小组活动情况",
        "提出建议、批评和意见情况",
        "向选民述职情况",
        "获奖情况",
    ]
    # Traceable: every figure's records are real record ids of the workspace.
    ids = {r["id"] for r in raw(REPO)}
    assert all(set(f["records"]) <= ids for f in fig.values())


def test_the_sample_cases_are_not_trivial() -> None:
    # The recount must see real data, or the test above would compare empty sets.
    assert len(recount(REPO, "d041", dt.date(2021, 12, 28), AS_OF, 17).present) == 5
    assert recount(REPO, "d048", dt.date(2024, 1, 1), dt.date(2024, 12, 31)).suggestions == 1
    assert len(recount(REPO, "d001", dt.date(2016, 12, 28), dt.date(2021, 12, 27), 16).present) >= 4


def test_the_default_period_is_the_deputys_latest_term() -> None:
    assert profile_json(REPO, "周振华")["period"]["term"] == 17


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_sittings_after_resignation_and_before_a_by_election_are_not_counted(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    # cwh-17-16 (2024-04-25) lists d041, who resigned on 2024-03-15, and d048, elected only on 2024-06-20.
    _edit(
        root / "records/2024/cwh-17-16.yaml",
        "    - d040\n  absent_on_leave:",
        "    - d040\n    - d041\n    - d048\n  absent_on_leave:",
    )
    # cwh-17-21 (2024-08-28) lists d048 after the by-election: that one counts.
    _edit(root / "records/2024/cwh-17-21.yaml", "  present:\n", "  present:\n    - d048\n")

    d041 = profile_json(root, "d041", "--term", "17")["attendance"]
    d048 = profile_json(root, "d048", "--year", "2024")["attendance"]

    assert "cwh-17-16" not in d041["present"]["records"]
    assert d041["present"]["count"] == 5
    assert d048["present"]["records"] == ["cwh-17-21"]
    assert d048["expected"] == 1


def test_a_sitting_without_attendance_is_unrecorded_and_warned_not_absent(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2024/cwh-17-23.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\nattendance:\n(?:  .*\n|    .*\n)+", "\n", text), encoding="utf-8")

    att = profile_json(root, "d001", "--year", "2024")["attendance"]
    validated = run(root, "validate")

    assert att["unrecorded"]["records"] == ["cwh-17-23"]
    assert att["absent"]["count"] == 0
    assert "records/2024/cwh-17-23.yaml" in validated.output and "没有记录出席情况" in validated.output


def test_attendance_flags_deputies_who_reach_the_interview_threshold(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    for name in ("cwh-17-16", "cwh-17-19"):
        path = root / f"records/2024/{name}.yaml"
        _edit(path, "    - d035\n", "")
        _edit(path, "  absent_on_leave:", "  absent:\n    - d035\n  absent_on_leave:")

    result = run(root, "deputy", "attendance", "--year", "2024", "--json")
    table = run(root, "deputy", "attendance", "--year", "2024")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["deputies"]
    flagged = [r for r in rows if r["interview"]]
    assert [r["deputy"] for r in flagged] == ["d035"]
    assert rows[0]["deputy"] == "d035"
    assert flagged[0]["absent"]["records"] == ["cwh-17-16", "cwh-17-19"]
    assert "缺席 2 次" in flagged[0]["interview_reasons"][0]
    assert re.search(r"^d035\s+谢文静.*约谈", table.output, re.M)
    assert "1 位达到约谈标准" in table.output


def test_attendance_table_matches_the_recount_for_every_deputy() -> None:
    result = run(REPO, "deputy", "attendance", "--year", "2024", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {"term": None, "year": 2024, "start": "2024-01-01", "end": "2024-12-31"}
    for row in data["deputies"]:
        expected = recount(REPO, row["deputy"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
        assert set(row["present"]["records"]) == expected.present, row["deputy"]
        assert set(row["leave"]["records"]) == expected.leave, row["deputy"]
    assert "d041" not in {r["deputy"] for r in data["deputies"]}  # resigned before any 2024 sitting


@pytest.mark.slow
def test_profile_renders_a_docx_and_pdf_that_pass_the_checker_with_the_recounted_numbers(tmp_path: Path) -> None:
    from archive.conformance import check_file
    from archive.render.conversion import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path / "out"
    expected = recount(REPO, "d041", dt.date(2021, 12, 28), AS_OF, 17)

    result = run(REPO, "deputy", "profile", "d041", "--term", "17", "-o", str(out))

    assert result.exit_code == 0, result.output
    docx_file, pdf_file = out / "d041-履职档案-第17届.docx", out / "d041-履职档案-第17届.pdf"
    for path in (docx_file, pdf_file):
        report = check_file(path)
        assert report.errors == (), (path.name, [f.message for f in report.errors])
    text = _docx_text(docx_file)
    n = len(expected.present | expected.leave | expected.absent)
    assert (
        f"应出席区人大常委会会议{n}次，出席{len(expected.present)}次，请假{len(expected.leave)}次，"
        f"缺席{len(expected.absent)}次。" in text
    )
    assert "苏建平代表履职档案" in text
    for part in ("一、基本情况", "二、出席会议情况", "八、获奖情况"):
        assert part in text
    assert "2024年3月15日起代表资格终止" in text
    assert all(rid in text for rid in expected.present)  # the sources are printed


def test_profile_source_lines_are_flush_left_while_the_body_stays_justified(tmp_path: Path) -> None:
    # justified, a line of Latin record ids gets wide gaps between the ids
    import docx
    from docx.oxml.ns import qn

    out = tmp_path / "out"

    result = run(REPO, "deputy", "profile", "d041", "--term", "17", "--format", "docx", "-o", str(out))

    assert result.exit_code == 0, result.output
    document = docx.Document(str(out / "d041-履职档案-第17届.docx"))

    def alignment(paragraph: Any) -> str | None:
        """The w:jc in force: the paragraph's own, else its style's."""
        for ppr in (paragraph._p.pPr, paragraph.style.element.pPr):
            jc = ppr.find(qn("w:jc")) if ppr is not None else None
            if jc is not None:
                return str(jc.get(qn("w:val")))
        return None

    sources = [p for p in document.paragraphs if p.text.startswith("（依据记录：")]
    body = [p for p in document.paragraphs if p.style and p.style.name == "公文正文" and p.text]
    assert len(sources) >= 3 and body
    assert {alignment(p) for p in sources} <= {"left", "start"}
    assert {alignment(p) for p in body} == {"both"}
    # font, size and indents come from the style
    assert {p.style.name if p.style else None for p in sources} == {"公文无缩进"}


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["profile", "d04"], "代表名册中没有“d04”（代表编号或姓名）；是否应为“d048”？"),
        (["profile", "周振"], "是否应为“周振华”？"),
        (["profile", "d001", "--term", "15"], "届次表中没有第15届"),
        (["profile", "d001", "--term", "17", "--year", "2024"], "--year 和 --term 只能给出一个"),
        (["profile", "d001", "--as-of", "2025-6-30"], "是否应为 2025-06-30？"),
        (["profile", "d041", "--year", "2025"], "在2025年度没有任职"),
        (["profile", "d015", "--year", "2024"], "在2024年度没有任职"),  # served the 16th term only
        (["attendance", "--term", "9"], "届次表中没有第9届"),
        (["draft-report", "d999", "--year", "2024"], "代表名册中没有“d999”"),
    ],
)
def test_bad_deputy_input_is_a_chinese_error_with_exit_one(args: list[str], message: str) -> None:
    result = run(REPO, "deputy", *args)

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("错误：")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_profile_format_is_a_usage_error() -> None:
    result = run(REPO, "deputy", "profile", "d001", "--format", "odt")

    assert result.exit_code == 2
    assert "不支持的格式“odt”" in result.output


def test_draft_report_writes_a_draft_that_validates_and_never_overwrites(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    expected = recount(root, "d035", dt.date(2024, 1, 1), dt.date(2024, 12, 31))

    first = run(root, "deputy", "draft-report", "d035", "--year", "2024")

    assert first.exit_code == 0, first.output
    path = root / "records/2024/report-2024-d035.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["type"], data["status"], data["deputy"], data["term"]) == ("deputy_report", "draft", "d035", 17)
    body = "\n".join(b if isinstance(b, str) else next(iter(b.values())) for b in data["body"])
    n = len(expected.present | expected.leave | expected.absent)
    assert f"应出席区人大常委会会议{n}次，出席{len(expected.present)}次" in body
    validated = run(root, "validate", "--json")
    report = json.loads(validated.stdout)
    assert validated.exit_code == 0, validated.output
    assert any(w["source"] == "records/2024/report-2024-d035.yaml" for w in report["warnings"])  # placeholders

    before = snapshot(root)
    again = run(root, "deputy", "draft-report", "d035", "--year", "2024")

    assert again.exit_code == 1
    assert "已存在" in again.stderr and "不会覆盖" in again.stderr
    assert snapshot(root) == before


def test_draft_report_refuses_an_existing_report_record(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    before = snapshot(root)

    result = run(root, "deputy", "draft-report", "d048", "--year", "2024")

    assert result.exit_code == 1
    assert "report-2024-d048" in result.stderr
    assert snapshot(root) == before


CONGRESS = """\
id: dbh-17-04
type: meeting
term: 17
date: 2025-01-10
title: 区第十七届人民代表大会第四次会议纪要
classification: 公开
status: final
kind: 代表大会会议
sitting: 4
attendance:
  present:
    - d001
    - d014
  absent_on_leave:
    - deputy: d048
      reason: 因病
  absent:
    - d043
"""


def test_a_congress_session_expects_every_serving_deputy(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    (root / "records/2025/dbh-17-04.yaml").write_text(CONGRESS, encoding="utf-8")

    result = run(root, "deputy", "attendance", "--year", "2025", "--json")

    assert result.exit_code == 0, result.output
    rows = {r["deputy"]: r for r in json.loads(result.stdout)["deputies"]}
    congress = {k: v["by_kind"].get("代表大会会议") for k, v in rows.items()}
    assert congress["d014"] == {"present": 1, "leave": 0, "absent": 0, "unrecorded": 0}
    assert congress["d048"] == {"present": 0, "leave": 1, "absent": 0, "unrecorded": 0}
    assert congress["d043"] == {"present": 0, "leave": 0, "absent": 1, "unrecorded": 0}
    # d045 serves but is not listed: unrecorded, with a warning, never absent.
    assert congress["d045"] == {"present": 0, "leave": 0, "absent": 0, "unrecorded": 1}
    assert "警告：dbh-17-04（2025-01-10）会议记录未列入出席、请假或缺席" in result.stderr
    assert "d041" not in rows  # resigned in 2024: not expected at a 2025 session
    serving = {
        r["id"]
        for r in raw(root)
        if r["type"] == "deputy" and any(t["term"] == 17 and "end" not in t for t in r["terms"])
    }
    assert {k for k, v in congress.items() if v} == serving


@pytest.mark.slow
def test_sparse_and_two_term_profiles_pass_the_checker(tmp_path: Path) -> None:
    # Files made of short one-line facts (d013 in 2021) and a year over two terms (d010) lay out like the
    # others: the checker finds the margin from the flush-left source notes.
    from archive.catalog import load_catalog
    from archive.conformance import check_file
    from archive.deputies import compile_profile
    from archive.render import render_prepared
    from archive.render.conversion import find_soffice
    from archive.render.oversight import profile_document
    from archive.workspace import Workspace

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    workspace = Workspace(REPO)
    catalog = load_catalog(workspace)
    documents = [
        profile_document(compile_profile(catalog, key, term, year), workspace.config)
        for key, term, year in (("d013", None, 2021), ("d010", None, 2021), ("d001", 16, None))
    ]

    result = render_prepared(workspace, documents, tmp_path, ("pdf",))

    assert result.failures == []
    assert len(result.files) == 3
    for pdf in result.files:
        report = check_file(pdf)
        assert report.errors == (), (pdf.name, [f.message for f in report.errors])


def test_a_period_that_starts_after_the_reference_date_is_refused() -> None:
    result = run(REPO, "deputy", "profile", "d001", "--term", "17", "--as-of", "2021-06-30")

    assert result.exit_code == 1
    assert "第17届从 2021-12-28 开始，晚于参考日期 2021-06-30" in result.stderr


def test_an_impossible_year_is_refused() -> None:
    result = run(REPO, "deputy", "attendance", "--year", "20244")

    assert result.exit_code == 1
    assert "年份应在 1949 至 2100 之间，实际为 20244" in result.stderr


def test_a_name_shared_by_two_deputies_asks_for_the_id(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    text = (root / "records/deputies/d014.yaml").read_text(encoding="utf-8")
    name = yaml.safe_load(text)["name"]
    (root / "records/deputies/d049.yaml").write_text(text.replace("id: d014", "id: d049"), encoding="utf-8")

    result = run(root, "deputy", "profile", name, "--json")

    assert result.exit_code == 1
    assert f"名为“{name}”的代表有 2 位（d014、d049），请用代表编号" in result.stderr


def test_a_deputy_whose_registry_file_is_broken_points_to_validate(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _edit(root / "records/deputies/d014.yaml", "gender: 女", "gender: 未知")

    result = run(root, "deputy", "profile", "d014", "--json")

    assert result.exit_code == 1
    assert "records/deputies/d014.yaml 有错误，请先运行 renda validate 修正" in result.stderr
