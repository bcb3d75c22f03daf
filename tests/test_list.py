"""`renda list` (archive.catalog.filter_records): what is in the workspace, filtered."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import DEPUTY, replace_once

from archive.catalog import filter_records, load_catalog
from archive.workspace import Workspace

Renda = Callable[..., Result]
Write = Callable[[str, str | bytes], Path]

# The starter workspace's records in `list` order: type, then date, then id.
STARTER_ORDER = [
    "meeting-2025-01",
    "opinion-2025-01",
    "inspection-2025-01",
    "report-2025-01",
    "d001",
    "d002",
    "d003",
]
STARTER_IDS = set(STARTER_ORDER)
KEYS = {"id", "type", "term", "date", "title", "status", "classification", "source"}

MEETING_2021 = """\
id: meeting-2021-01
type: meeting
term: 16
date: 2021-06-01
title: 区第十六届人大常委会第四十次会议纪要
doc_number: 澄人常纪〔2021〕1号
classification: 内部
status: draft
kind: 常委会会议
sitting: 40
attendance:
  present: [d004]
"""


@pytest.fixture
def two_terms(ws: Path, write: Write) -> Path:
    """The starter plus a 16th term: one meeting in 2021 and one deputy who served only then."""
    config = ws / "renda.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        replace_once(text, "  17:\n", "  16:\n    start: 2016-12-28\n    end: 2021-12-27\n  17:\n"), encoding="utf-8"
    )
    write("records/2021/meeting-2021-01.yaml", MEETING_2021)
    write("records/deputies/d004.yaml", replace_once(DEPUTY, "term: 17", "term: 16"))
    return ws


def _rows(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def _ids(result: Result) -> set[str]:
    return {str(r["id"]) for r in _rows(result)}


def test_json_rows_have_exactly_the_documented_keys(renda: Renda) -> None:
    rows = _rows(renda("list", "--json"))

    assert {str(r["id"]) for r in rows} == STARTER_IDS
    assert all(set(r) == KEYS for r in rows)


def test_json_row_values_and_relative_source(ws: Path, renda: Renda) -> None:
    result = renda("list", "--json")
    rows = {r["id"]: r for r in _rows(result)}

    assert rows["opinion-2025-01"] == {
        "id": "opinion-2025-01",
        "type": "opinion",
        "term": 17,
        "date": "2025-04-30",
        "title": "澄湖区人大常委会关于全区养老服务工作情况报告的审议意见",
        "status": "final",
        "classification": "公开",
        "source": "records/2025/opinion-2025-01.yaml",
    }
    assert rows["d001"]["date"] is None
    assert rows["d001"]["source"] == "records/deputies/d001.yaml"
    assert str(ws) not in result.stdout


def test_rows_are_sorted_by_type_then_date(renda: Renda) -> None:
    ids = [r["id"] for r in _rows(renda("list", "--json"))]

    assert ids == STARTER_ORDER


@pytest.mark.parametrize("name", ["opinion", "审议意见"])
def test_type_filter_accepts_english_and_chinese_names(renda: Renda, name: str) -> None:
    assert _ids(renda("list", "--type", name, "--json")) == {"opinion-2025-01"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("meeting", {"meeting-2025-01"}), ("代表述职", {"report-2025-01"}), ("代表", {"d001", "d002", "d003"})],
)
def test_type_filter_selects_one_type(renda: Renda, name: str, expected: set[str]) -> None:
    assert _ids(renda("list", "--type", name, "--json")) == expected


def test_unknown_type_is_a_usage_error(renda: Renda) -> None:
    result = renda("list", "--type", "决议")

    assert result.exit_code == 2
    assert "未知的记录类型“决议”" in result.output


@pytest.mark.usefixtures("two_terms")
def test_term_filter_includes_deputies_serving_that_term(renda: Renda) -> None:
    assert _ids(renda("list", "--term", "16", "--json")) == {"meeting-2021-01", "d004"}
    assert _ids(renda("list", "--term", "17", "--json")) == STARTER_IDS


@pytest.mark.usefixtures("two_terms")
def test_year_filter_uses_the_record_date(renda: Renda) -> None:
    assert _ids(renda("list", "--year", "2021", "--json")) == {"meeting-2021-01"}
    assert _ids(renda("list", "--year", "2025", "--json")) == {
        "meeting-2025-01",
        "opinion-2025-01",
        "inspection-2025-01",
        "report-2025-01",
    }
    assert _ids(renda("list", "--year", "2019", "--json")) == set()


@pytest.mark.usefixtures("two_terms")
def test_filters_combine(renda: Renda) -> None:
    assert _ids(renda("list", "--type", "会议", "--term", "16", "--year", "2021", "--json")) == {"meeting-2021-01"}
    assert _ids(renda("list", "--type", "会议", "--year", "2024", "--json")) == set()


def test_filter_records_matches_the_cli(two_terms: Path) -> None:
    records = load_catalog(Workspace(two_terms)).records

    assert [r.id for r in filter_records(records, "meeting")] == ["meeting-2021-01", "meeting-2025-01"]
    assert [r.id for r in filter_records(records, term=16)] == ["meeting-2021-01", "d004"]


@pytest.mark.usefixtures("two_terms")
def test_table_output_shows_chinese_headers_and_a_count(renda: Renda) -> None:
    result = renda("list")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["编号", "类型", "届", "日期", "标题", "状态", "密级"]
    assert any(line.startswith("meeting-2021-01") and "草稿" in line and "内部" in line for line in lines)
    assert lines[-1] == "共 9 条记录。"


def test_broken_files_are_left_out_with_a_warning_on_stderr(write: Write, renda: Renda) -> None:
    write("records/2025/broken.yaml", "id: [\n")

    result = renda("list", "--json")

    assert _ids(result) == STARTER_IDS
    assert "1 个文件有错误，未列出" in result.stderr
