"""archive.source: safe YAML parsing with a line map, and reading files as UTF-8."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from samples import CJK, OPINION

from archive.source import SourceError, format_field, parse_yaml, read_text

# -- line map -------------------------------------------------------------------------------------


def test_line_map_gives_the_line_of_every_nested_field() -> None:
    doc = parse_yaml(OPINION)

    assert doc.lines[("id",)] == 1
    assert doc.lines[("report",)] == 10
    assert doc.lines[("report", "title")] == 11
    assert doc.lines[("report", "organ_kind")] == 13
    assert doc.lines[("assessment", 0)] == 16
    assert doc.lines[("recommendations", 0)] == 20
    assert doc.lines[("recommendations", 0, "title")] == 20
    assert doc.lines[("recommendations", 0, "text")] == 21


def test_line_map_of_flow_and_block_items_inside_lists() -> None:
    doc = parse_yaml(
        "attendance:\n  present: [d001,\n    d002]\n  absent_on_leave:\n    - deputy: d003\n      reason: 因病\n"
    )

    assert doc.line_of(("attendance", "present", 0)) == 2
    assert doc.line_of(("attendance", "present", 1)) == 3
    assert doc.line_of(("attendance", "absent_on_leave", 0, "reason")) == 6


def test_line_of_a_missing_field_falls_back_to_its_nearest_parent() -> None:
    doc = parse_yaml(OPINION)

    assert doc.line_of(("report", "reporter")) == 10
    assert doc.line_of(("recommendations", 0, "nothing", 3)) == 20
    assert doc.line_of(("no_such_field",)) == 1


def test_field_paths_are_formatted_with_dots_and_indexes() -> None:
    assert format_field(("attendance", "absent_on_leave", 2, "reason")) == "attendance.absent_on_leave[2].reason"
    assert format_field(("members", 0)) == "members[0]"
    assert format_field(()) == ""


# -- scalars ----------------------------------------------------------------------------------------


def test_dates_are_kept_as_the_text_typed() -> None:
    doc = parse_yaml("date: 2025-05-06\nbad: 2024-02-30\nwhen: 2025-05-06 09:30:00\n")

    assert doc.data == {"date": "2025-05-06", "bad": "2024-02-30", "when": "2025-05-06 09:30:00"}


@pytest.mark.parametrize("clock", ["9:30", "14:05", "1:30:00"])
def test_clock_times_stay_text_instead_of_base_60_numbers(clock: str) -> None:
    assert parse_yaml(f"time: {clock}\n").data == {"time": clock}


def test_numbers_booleans_and_null_keep_their_types() -> None:
    doc = parse_yaml("term: 17\nratio: 0.5\nsealed: false\nnote: ~\n")

    assert doc.data == {"term": 17, "ratio": 0.5, "sealed": False, "note": None}
    assert type(doc.data["term"]) is int


def test_keys_are_the_text_as_written_even_when_they_look_like_booleans() -> None:
    assert parse_yaml("on: 1\nno: 2\n17: 3\n").data == {"on": 1, "no": 2, "17": 3}


# -- refusals -----------------------------------------------------------------------------------------


def test_merge_keys_are_refused_with_their_line() -> None:
    text = "base: &base {organ: 区人民政府}\nreport:\n  <<: *base\n  title: 报告\n"

    with pytest.raises(SourceError) as info:
        parse_yaml(text)

    assert info.value.line == 3
    assert info.value.field_path == ("report",)
    assert "合并键" in info.value.message


def test_duplicate_keys_in_a_nested_mapping_name_both_lines() -> None:
    text = "report:\n  title: 甲\n  organ: 区人民政府\n  title: 乙\n"

    with pytest.raises(SourceError) as info:
        parse_yaml(text)

    assert (info.value.line, info.value.field_path) == (4, ("report", "title"))
    assert "第一次在第 2 行" in info.value.message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("a: !!python/object:collections.OrderedDict {}\n", "!!python/object:collections.OrderedDict"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !foo bar\n", "!foo"),
        ("a: !!omap [x: 1]\n", "!!omap"),
        ("a: !<tag:example.com,2024:x> y\n", "tag:example.com,2024:x"),
    ],
)
def test_explicit_tags_are_refused(text: str, tag: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_yaml(text)

    assert tag in info.value.message
    assert "不允许使用 YAML 标签" in info.value.message
    assert info.value.line == 1


def test_a_key_that_is_not_plain_text_is_refused() -> None:
    with pytest.raises(SourceError, match="字段名必须是简单文本"):
        parse_yaml("? [a, b]\n: 1\n")


def test_several_documents_in_one_file_are_refused_at_the_second() -> None:
    with pytest.raises(SourceError) as info:
        parse_yaml("id: a\n---\nid: b\n")

    assert info.value.line == 3
    assert "只能包含一条记录" in info.value.message


@pytest.mark.parametrize("text", ["", "   \n\n", "# 只有注释\n  # 还有一行\n"])
def test_empty_documents_are_refused(text: str) -> None:
    with pytest.raises(SourceError, match="文件为空"):
        parse_yaml(text)


def test_escaped_control_characters_are_refused_with_the_field() -> None:
    with pytest.raises(SourceError) as info:
        parse_yaml('a: 1\ntitle: "标题\\x1b[31m"\n')

    assert (info.value.line, info.value.field_path) == (2, ("title",))
    assert "U+001B" in info.value.message


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "a: 1\nlaughs: [" + ", ".join(levels) + "]\n"

    started = time.perf_counter()
    with pytest.raises(SourceError) as info:
        parse_yaml(text)

    assert time.perf_counter() - started < 2.0
    assert "别名炸弹" in info.value.message


def test_alias_bomb_is_reported_at_its_line() -> None:
    levels = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "a: 1\nlaughs: [" + ", ".join(levels) + "]\n"

    with pytest.raises(SourceError) as info:
        parse_yaml(text)

    assert info.value.line == 2
    assert "别名炸弹" in info.value.message


def test_a_modest_number_of_aliases_is_allowed() -> None:
    doc = parse_yaml("who: &w [d001, d002]\nagain: *w\n")

    assert doc.data == {"who": ["d001", "d002"], "again": ["d001", "d002"]}


# Deep nesting can crash the C parser, so it runs in a child process: a crash fails one test, not the run.
DEEP = {
    "flow sequences [[[…": "'[' * 100_000 + ']' * 100_000",
    "flow mappings {a: {a: …": "'{a: ' * 100_000 + '}' * 100_000",
    "block sequences on one line - - - …": "'- ' * 100_000 + 'x'",
    "inside a record": "'id: a\\nbody: ' + '[' * 100_000 + ']' * 100_000",
}
_PROBE = """
import sys
from archive.source import SourceError, parse_yaml
try:
    parse_yaml({expr})
except SourceError as exc:
    print("REFUSED", exc.line, exc.message)
else:
    print("ACCEPTED")
"""


def _parse_in_child(expr: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE.format(expr=expr)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.mark.parametrize("expr", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_without_crashing(expr: str) -> None:
    child = _parse_in_child(expr)

    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.startswith("REFUSED"), child.stdout
    assert "Traceback" not in child.stderr


@pytest.mark.parametrize(
    "expr",
    [
        pytest.param(DEEP["flow mappings {a: {a: …"], id="flow mappings {a: {a: …"),
        pytest.param(
            DEEP["flow sequences [[[…"],
            id="flow sequences [[[…",
        ),
        pytest.param(
            DEEP["block sequences on one line - - - …"],
            id="block sequences on one line - - - …",
        ),
    ],
)
def test_deep_nesting_is_explained_in_chinese(expr: str) -> None:
    child = _parse_in_child(expr)

    assert child.stdout.startswith("REFUSED"), child.stdout + child.stderr[-2000:]
    assert "嵌套层次过深" in child.stdout


@pytest.mark.parametrize("text", ["- " * 600 + "x\n", "a: " + "[" * 600 + "]" * 600 + "\n"], ids=["block", "flow"])
def test_a_few_hundred_levels_of_nesting_are_a_source_error(text: str) -> None:
    with pytest.raises(SourceError, match="嵌套层次过深"):
        parse_yaml(text)


def test_ordinary_nesting_is_accepted() -> None:
    text = "a:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(10)) + "  " * 11 + "- x\n"

    data = parse_yaml(text).data
    for i in range(10):
        data = data["a" if i == 0 else f"k{i - 1}"]
    assert data == {"k9": ["x"]}


# -- read_text ------------------------------------------------------------------------------------------


def test_read_text_returns_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("title: 审议意见\n".encode())

    assert read_text(path) == "title: 审议意见\n"


def test_read_text_refuses_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: x\n")

    with pytest.raises(SourceError, match="BOM") as info:
        read_text(path)
    assert info.value.line == 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_read_text_refuses_utf16(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("\ufefftitle: 审议意见\n".encode(encoding))

    with pytest.raises(SourceError, match="UTF-16"):
        read_text(path)


def test_read_text_names_gbk_and_the_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("id: a\ntype: opinion\ntitle: 审议意见\n".encode("gbk"))

    with pytest.raises(SourceError) as info:
        read_text(path)

    assert info.value.line == 3
    assert "GBK" in info.value.message
    assert "UTF-8" in info.value.message


def test_read_text_does_not_guess_gbk_for_bytes_that_are_not_gbk(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n\xff\xff\xff\n")

    with pytest.raises(SourceError) as info:
        read_text(path)

    assert info.value.line == 2
    assert "GBK" not in info.value.message


def test_read_text_enforces_the_size_limit_before_reading(tmp_path: Path) -> None:
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"a" * 1024)
    over = tmp_path / "over.yaml"
    over.write_bytes(b"a" * 1025)

    assert read_text(exact, max_bytes=1024) == "a" * 1024
    with pytest.raises(SourceError) as info:
        read_text(over, max_bytes=1024)
    assert "文件过大" in info.value.message
    assert CJK.search(info.value.message)


def test_read_text_of_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="无法读取文件"):
        read_text(tmp_path / "missing.yaml")


def test_source_errors_are_archive_errors() -> None:
    from archive.errors import ArchiveError, RecordError

    assert issubclass(SourceError, RecordError)
    assert issubclass(SourceError, ArchiveError)


def test_a_realistic_record_round_trips_to_plain_data() -> None:
    text = textwrap.dedent(
        """\
        id: meeting-2025-02
        sitting: 27
        agenda:
          - item: 表决
            vote: {for: 3, against: 0, abstain: 0}
        """
    )

    assert parse_yaml(text).data == {
        "id": "meeting-2025-02",
        "sitting": 27,
        "agenda": [{"item": "表决", "vote": {"for": 3, "against": 0, "abstain": 0}}],
    }


def test_aliases_nested_in_aliases_are_refused_when_they_nest_too_deep() -> None:
    # 200 anchors, each a list holding the previous one: small when expanded, but 200 levels deep.
    text = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))

    with pytest.raises(SourceError, match="嵌套层次过深"):
        parse_yaml(text)
