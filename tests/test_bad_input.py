"""The bad-input corpus: every way a clerk (or an attacker) can break a record file.

Each case writes one file into a fresh starter workspace and runs `renda validate`.
It must exit 1, print exactly one compiler-style line for the problem at the right
line and field with a Chinese message, never a traceback, and leave the workspace
byte-for-byte as it was.  Large inputs are generated in tmp_path at test time.
"""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import CJK, DEPUTY, MEETING, OPINION, replace_once, reported, snapshot, write_file

import cli

NEW = "records/2025/opinion-2025-02.yaml"
NEW_MEETING = "records/2025/meeting-2025-02.yaml"

Content = str | bytes | Callable[[Path], bytes]


@dataclass(frozen=True)
class Case:
    name: str
    content: Content
    line: int  # 0: the problem concerns the whole file and no line is printed
    field: str | tuple[str, ...]  # "": the problem names no field; a tuple: any of these
    message: str  # a regular expression the message must match
    target: str = NEW
    bug: str | None = None  # a known library bug: the case is a strict xfail until it is fixed


def opinion(old: str, new: str) -> str:
    return replace_once(OPINION, old, new)


def meeting(old: str, new: str) -> str:
    return replace_once(MEETING, old, new)


def _alias_bomb() -> str:
    """Billion laughs on one line: 9 levels of 9 aliases expand to 9**9 (387 million) strings."""
    levels = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    for i in range(1, 9):
        levels.append(f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "laughs: [" + ", ".join(levels) + "]\n"


def _system_call(ws: Path) -> bytes:
    # If the tag were executed, the marker file would appear in the workspace (the snapshot sees it).
    text = opinion("addressee: 区人民政府", f'addressee: !!python/object/apply:os.system ["touch {ws}/pwned"]')
    return text.encode()


def _python_name(_ws: Path) -> bytes:
    return opinion("addressee: 区人民政府", "addressee: !!python/name:os.system").encode()


def _duplicate_id(ws: Path) -> bytes:
    return (ws / "records/2025/opinion-2025-01.yaml").read_bytes()


def _fifty_megabytes(_ws: Path) -> bytes:
    filler = ("# " + "填写说明" * 40 + "\n").encode()
    return OPINION.encode() + filler * (50 * 1024 * 1024 // len(filler) + 1)


CASES = [
    # -- not YAML at all ---------------------------------------------------------------------------
    Case(
        "binary junk (PNG saved as .yaml)",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 64,
        1,
        "",
        r"不是 UTF-8 编码",
    ),
    Case(
        "binary junk that happens to be UTF-8 (NUL bytes)",
        b"id: x\n\x00\x01\x02\x03\x04binary\x00\n",
        2,
        "",
        r"控制字符 U\+0000",
    ),
    Case("plain prose", "这是一段普通的文字，不是记录。\n它没有任何字段。\n", 1, "", r"应为“字段: 值”形式的映射"),
    # -- YAML syntax -------------------------------------------------------------------------------
    Case(
        "syntax error: second colon in a plain value",
        opinion("addressee: 区人民政府", "addressee: 区人民政府: 办公室"),
        14,
        "",
        r"^YAML 语法错误（第 17 列）：.*冒号",
    ),
    Case(
        "syntax error: unclosed [ is reported where it was opened",
        opinion("addressee: 区人民政府", "addressee: [区人民政府"),
        14,
        "",
        r"^YAML 语法错误（第 12 列）：.*方括号",
    ),
    Case(
        "syntax error: unclosed quote is reported where it was opened",
        opinion("addressee: 区人民政府", 'addressee: "区人民政府'),
        14,
        "",
        r"^YAML 语法错误（第 12 列）：.*引号",
    ),
    Case(
        "syntax error: tab used for indentation",
        opinion("report:\n  title:", "report:\n\ttitle:"),
        11,
        "",
        r"^YAML 语法错误（第 1 列）：.*制表符",
    ),
    Case("duplicate key", OPINION + "title: 又一个标题\n", 22, "title", r"字段“title”重复出现（第一次在第 5 行）"),
    # -- tags: nothing may be constructed or executed -------------------------------------------------
    Case(
        "!!python/object/apply:os.system",
        _system_call,
        14,
        "addressee",
        r"不允许使用 YAML 标签“!!python/object/apply:os\.system”",
    ),
    Case("!!python/name", _python_name, 14, "addressee", r"不允许使用 YAML 标签“!!python/name:os\.system”"),
    Case(
        "!!binary",
        opinion("addressee: 区人民政府", "addressee: !!binary 5Yy65Lq65rCR5pS/5bqc"),
        14,
        "addressee",
        r"不允许使用 YAML 标签“!!binary”",
    ),
    Case(
        "custom tag !foo",
        opinion("addressee: 区人民政府", "addressee: !foo 区人民政府"),
        14,
        "addressee",
        r"不允许使用 YAML 标签“!foo”",
    ),
    Case(
        "custom tag on a mapping",
        opinion("report:\n", "report: !record\n"),
        10,
        "report",
        r"不允许使用 YAML 标签“!record”",
    ),
    Case(
        "!!set",
        opinion("problems:\n  - 部分老旧小区没有物业服务。\n", "problems: !!set {部分老旧小区没有物业服务。}\n"),
        17,
        "problems",
        r"不允许使用 YAML 标签“!!set”",
    ),
    # -- alias bomb (a second test checks time and memory) -------------------------------------------
    Case(
        "alias bomb (billion laughs)",
        OPINION + _alias_bomb(),
        22,
        ("", "laughs"),
        r"100000.*别名炸弹",
    ),
    # -- schema: types, names, formats ---------------------------------------------------------------
    Case("wrong type: term as text", opinion("term: 17", 'term: "17"'), 3, "term", r"应为整数，实际为文字 '17'"),
    Case(
        "unknown field with a near miss",
        opinion("title: 澄湖区", "titel: 澄湖区"),
        5,
        "titel",
        r"未知字段“titel”；是否应为“title”？",
    ),
    Case(
        "impossible date", opinion("date: 2025-05-06", "date: 2024-02-30"), 4, "date", r"日期不存在：2024年2月没有30日"
    ),
    Case(
        "doc_number with square brackets",
        opinion("澄人常函〔2025〕2号", "澄人常函[2024]3号"),
        6,
        "doc_number",
        r"发文字号应写作.*'澄人常函\[2024\]3号'.*六角括号",
    ),
    Case(
        "doc_number with a two-digit year",
        opinion("澄人常函〔2025〕2号", "澄人常函〔24〕3号"),
        6,
        "doc_number",
        r"发文字号应写作.*'澄人常函〔24〕3号'.*四位",
    ),
    # -- references -----------------------------------------------------------------------------------
    Case(
        "opinion.meeting names a missing meeting",
        opinion("meeting: meeting-2025-01", "meeting: meeting-2025-09"),
        9,
        "meeting",
        r"引用的会议“meeting-2025-09”不存在",
    ),
    Case(
        "attendance names a missing deputy",
        meeting("present: [d001, d002, d003]", "present: [d001, d002, d009]"),
        18,
        "attendance.present[2]",
        r"引用的代表“d009”不存在",
        target=NEW_MEETING,
    ),
    Case(
        "the same id in two files",
        _duplicate_id,
        2,
        "id",
        r"编号“opinion-2025-01”重复，已在 records/2025/opinion-2025-01\.yaml 中使用",
        target="records/2025/zz/opinion-2025-01.yaml",
    ),
    # -- encodings and sizes -----------------------------------------------------------------------------
    Case("GBK-encoded file", OPINION.encode("gbk"), 5, "", r"不是 UTF-8 编码.*GBK"),
    Case("UTF-8 with BOM", b"\xef\xbb\xbf" + OPINION.encode(), 1, "", r"BOM"),
    Case("empty file", b"", 1, "", r"文件为空"),
    Case("only comments", "# 这里以后再写\n\n# 还没有内容\n", 1, "", r"文件为空"),
    Case("50 MB file", _fifty_megabytes, 0, "", r"文件过大.*不得超过"),
    # -- characters ------------------------------------------------------------------------------------------
    Case(
        "control character via an escape",
        opinion("addressee: 区人民政府", r'addressee: "区人民\x07政府"'),
        14,
        "addressee",
        r"控制字符 U\+0007",
    ),
    Case(
        "raw control character in the file",
        opinion("addressee: 区人民政府", "addressee: 区人民\x07政府"),
        14,
        "",
        r"控制字符 U\+0007",
    ),
    # -- ids that could escape a folder --------------------------------------------------------------------------
    Case(
        "id with a slash",
        opinion("id: opinion-2025-02", "id: records/opinion"),
        1,
        "id",
        r"编号.*实际为 'records/opinion'",
    ),
    Case("id with ..", opinion("id: opinion-2025-02", "id: ../opinion"), 1, "id", r"编号.*实际为 '\.\./opinion'"),
    Case(
        "id with a space",
        opinion("id: opinion-2025-02", "id: opinion 2025 02"),
        1,
        "id",
        r"编号.*实际为 'opinion 2025 02'",
    ),
]


def _content(case: Case, ws: Path) -> bytes:
    if callable(case.content):
        return case.content(ws)
    return case.content if isinstance(case.content, bytes) else case.content.encode()


def _validate(ws: Path) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(ws), "validate"])


PARAMS = [
    pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []) for c in CASES
]


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input_is_reported_at_its_line_without_touching_the_workspace(case: Case, ws: Path) -> None:
    write_file(ws, case.target, _content(case, ws))
    before = snapshot(ws)

    result = _validate(ws)

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    mine = [p for p in reported(result.output) if p.source == case.target and not p.warning]
    fields = case.field if isinstance(case.field, tuple) else (case.field,)
    matching = [p for p in mine if p.line == case.line and p.field in fields]
    assert len(matching) == 1, f"expected one error at {case.target}:{case.line} {case.field!r}:\n{result.output}"
    assert CJK.search(matching[0].message), matching[0].message
    assert re.search(case.message, matching[0].message), matching[0].message
    assert snapshot(ws) == before
    assert not (ws / "pwned").exists()


def test_alias_bomb_is_refused_within_two_seconds_and_bounded_memory(ws: Path) -> None:
    write_file(ws, NEW, OPINION + _alias_bomb())

    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = _validate(ws)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.exit_code == 1
    assert "别名炸弹" in result.output
    # Fully expanded the bomb is 387 million strings (gigabytes); refusing it takes a few MB.
    assert peak < 64 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert elapsed < 2.0, f"{elapsed:.2f} s (with tracemalloc on)"


def test_fifty_megabyte_file_is_refused_quickly(ws: Path) -> None:
    write_file(ws, NEW, _fifty_megabytes(ws))

    started = time.perf_counter()
    result = _validate(ws)
    elapsed = time.perf_counter() - started

    assert result.exit_code == 1
    assert f"{NEW}: 文件过大（50.0 MB）" in result.output
    assert elapsed < 2.0, f"{elapsed:.2f} s"


def test_moderately_deep_nesting_is_refused_without_a_traceback(ws: Path) -> None:
    write_file(ws, NEW, OPINION + "tags: " + "[" * 600 + "]" * 600 + "\n")
    before = snapshot(ws)

    result = _validate(ws)

    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert any(p.line == 22 and "嵌套层次过深" in p.message for p in reported(result.output)), result.output
    assert snapshot(ws) == before


def test_template_syntax_in_text_fields_is_plain_text(ws: Path) -> None:
    title = "{{ x }} 与 {% if %} 不是模板"
    text = opinion("title: 澄湖区人大常委会关于全区物业管理工作情况报告的审议意见", f'title: "{title}"')
    text = replace_once(
        text, "  - 部分老旧小区没有物业服务。", "  - 请于{% if deadline %}期限内{% endif %}报告，{{ organ }}负责"
    )
    write_file(ws, NEW, text)

    checked = _validate(ws)
    listed = CliRunner().invoke(cli.cli, ["--root", str(ws), "list", "--json"])

    assert checked.exit_code == 0, checked.output
    assert listed.exit_code == 0, listed.output
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows["opinion-2025-02"]["title"] == title


def test_unmodified_samples_validate_clean_so_each_case_tests_only_its_change(ws: Path) -> None:
    write_file(ws, NEW, OPINION)
    write_file(ws, NEW_MEETING, MEETING)
    write_file(ws, "records/deputies/d004.yaml", DEPUTY)

    result = _validate(ws)

    assert result.exit_code == 0, result.output
    assert reported(result.output) == []
    assert "检查了 11 个文件、10 条记录：没有发现问题。" in result.output
