"""archive.drafting.yamledit: a record's YAML edited in place, untouched fields keeping their bytes."""

from __future__ import annotations

import copy
import difflib
import random
from pathlib import Path
from typing import Any

import pytest
from samples import REPO

from archive.drafting import DraftingError, edit_text, new_text
from archive.source import parse_yaml

RECORDS = sorted((REPO / "records").rglob("*.yaml"))
RECORD_IDS = [p.relative_to(REPO / "records").as_posix() for p in RECORDS]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two texts, byte for byte."""
    removed: list[str] = []
    added: list[str] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed.extend(a[i1:i2])
            added.extend(b[j1:j2])
    return removed, added


def _edited(text: str, data: dict[str, Any]) -> str:
    out = edit_text(text, data)
    assert parse_yaml(out).data == data
    return out


@pytest.mark.parametrize("path", RECORDS, ids=RECORD_IDS)
def test_every_sample_record_round_trips_byte_for_byte(path: Path) -> None:
    text = _read(path)
    assert edit_text(text, parse_yaml(text).data) == text


def _scalar_variants(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "补充"
    return f"{value}（改）"


@pytest.mark.parametrize("path", RECORDS, ids=RECORD_IDS)
def test_changing_one_top_level_scalar_changes_only_its_line(path: Path) -> None:
    text = _read(path)
    data = parse_yaml(text).data
    lines = text.splitlines(keepends=True)
    doc = parse_yaml(text)
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            continue
        changed = {**data, key: _scalar_variants(value)}
        out = _edited(text, changed)
        removed, added = _changed_lines(text, out)
        assert removed == [lines[doc.line_of((key,)) - 1]], key
        assert len(added) == 1 and added[0].startswith(f"{key}: "), key


def test_nested_mapping_field_list_items_and_keys() -> None:
    path = REPO / "records" / "2024" / "opinion-2024-01.yaml"
    text = _read(path)
    data = parse_yaml(text).data
    lines = text.splitlines(keepends=True)

    changed = copy.deepcopy(data)
    changed["report"]["title"] = "关于优化营商环境工作情况的报告（修订）"
    removed, added = _changed_lines(text, _edited(text, changed))
    assert removed == ["  title: 关于优化营商环境工作情况的报告\n"]
    assert added == ["  title: 关于优化营商环境工作情况的报告（修订）\n"]

    changed = copy.deepcopy(data)
    changed["problems"][1] = "惠企政策兑现仍不及时。"
    removed, added = _changed_lines(text, _edited(text, changed))
    assert removed == [next(line for line in lines if "惠企政策兑现不及时" in line)]
    assert added == ["  - 惠企政策兑现仍不及时。\n"]

    changed = copy.deepcopy(data)
    changed["problems"].append("新增的问题。")
    changed["cc"].pop()
    removed, added = _changed_lines(text, _edited(text, changed))
    assert removed == ["  - 区财政局\n"]
    assert added == ["  - 新增的问题。\n"]

    changed = copy.deepcopy(data)
    changed["recommendations"][0]["text"] = "改写的建议。"
    changed["recommendations"].append({"title": "新建议", "text": "内容"})
    removed, added = _changed_lines(text, _edited(text, changed))
    assert len(removed) == 1 and removed[0].startswith("    text: 全面推行")
    assert added == ["    text: 改写的建议。\n", "  - title: 新建议\n", "    text: 内容\n"]

    changed = copy.deepcopy(data)
    del changed["tags"]
    changed["note"] = "附注"
    removed, added = _changed_lines(text, _edited(text, changed))
    assert removed == ["tags:\n", "  - 优化营商环境\n"]
    assert added == ["note: 附注\n"]


COMMENTED = """\
# 审议意见（手写的注释）
id: opinion-2024-09
type: opinion  # 类型

# 以下两项一起改

title: '旧的标题'
# 只属于 note 的注释
note: 附注
tags: [甲, 乙]
body: |
  第一段。
  第二段。

status: draft  # 草稿
"""


def test_comments_above_and_beside_are_kept() -> None:
    data = parse_yaml(COMMENTED).data
    changed = {**data, "title": "新的标题", "status": "final"}
    out = _edited(COMMENTED, changed)
    assert out == COMMENTED.replace("'旧的标题'", "'新的标题'").replace("status: draft", "status: final")


def test_removed_key_takes_only_its_own_comment_lines() -> None:
    data = parse_yaml(COMMENTED).data
    changed = {k: v for k, v in data.items() if k != "note"}
    out = _edited(COMMENTED, changed)
    assert out == COMMENTED.replace("# 只属于 note 的注释\nnote: 附注\n", "")
    changed = {k: v for k, v in data.items() if k != "title"}
    out = _edited(COMMENTED, changed)
    assert "# 以下两项一起改\n" in out  # separated by a blank line: a heading, not the title's own comment


def test_flow_lists_and_block_scalars_keep_their_style() -> None:
    data = parse_yaml(COMMENTED).data
    out = _edited(COMMENTED, {**data, "tags": ["甲", "丙", "丁"]})
    assert "tags: [甲, 丙, 丁]\n" in out
    out = _edited(COMMENTED, {**data, "body": "第一段。\n改写的第二段。\n第三段。\n"})
    assert "body: |\n  第一段。\n  改写的第二段。\n  第三段。\n\nstatus: draft  # 草稿\n" in out


HOSTILE = [
    " leading space",
    "trailing space ",
    "a # not a comment",
    "#starts like a comment",
    "key: value",
    "{{ record.title }}",
    "{% if x %}y{% endif %}",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "123",
    "1.5",
    "0x1F",
    "9:30",
    "2024-01-01",
    "'quoted'",
    '"double"',
    "- item",
    "[a, b]",
    "&anchor",
    "*alias",
    "!tag",
    "@at",
    "`tick",
    "%percent",
    "|",
    ">",
    "",
    "多行\n文本\n",
    "多行\n无结尾换行",
    "结尾两个换行\n\n",
    "  缩进的首行\n第二行\n",
    "tab\tinside",
    "反斜杠 \\ 和 \\n",
    "长" * 3000,
    "word " * 400 + "end",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_round_trip_as_data(value: str) -> None:
    text = "id: x\ntitle: 标题\nnested:\n  - note: 旧\n"
    data = {"id": "x", "title": value, "nested": [{"note": value}], "added": value, "list": [value]}
    out = _edited(text, data)
    assert out.startswith("id: x\n")
    assert len(out.splitlines()) <= 7 + 4 * (value.count("\n") + 1)  # never folded by an emitter


def test_dates_as_strings_stay_plain() -> None:
    out = _edited("id: x\ndate: 2024-01-01\n", {"id": "x", "date": "2024-02-03", "deadline": "2024-05-06"})
    assert out == "id: x\ndate: 2024-02-03\ndeadline: 2024-05-06\n"


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
def test_control_characters_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(DraftingError, match=r"recommendations\[0\]\.text.*控制字符"):
        edit_text("id: x\n", {"id": "x", "recommendations": [{"text": f"a{bad}b"}]})


def test_new_text_writes_keys_in_the_order_renda_new_does() -> None:
    data = {"status": "draft", "title": "标题", "type": "opinion", "id": "opinion-2024-09", "extra": 1}
    text = new_text("opinion", data)
    keys = [line.split(":")[0] for line in text.splitlines()]
    assert keys == ["id", "type", "title", "status", "extra"]
    assert parse_yaml(text).data == data


ANCHORED = """\
id: d900
terms:
  - term: 16
    roles: &id001
      - 常委会委员
  - term: 17
    roles: *id001
name: 某某
"""


def test_anchors_and_aliases_are_written_out_when_what_they_share_changes() -> None:
    data = parse_yaml(ANCHORED).data
    renamed = _edited(ANCHORED, {**data, "name": "某某某"})
    assert renamed == ANCHORED.replace("name: 某某", "name: 某某某")  # elsewhere, the anchor stays
    changed = copy.deepcopy(data)
    changed["terms"][1]["roles"] = ["常委会主任"]
    out = _edited(ANCHORED, changed)
    assert "&id001" not in out and "*id001" not in out
    assert out.startswith("id: d900\n") and out.endswith("name: 某某\n")


def test_crlf_files_keep_their_line_breaks() -> None:
    text = "id: x\r\nlist:\r\n  - a\r\nname: n\r\n"
    out = _edited(text, {"id": "x", "list": ["a", "b"], "name": "m", "added": "c"})
    assert out == "id: x\r\nlist:\r\n  - a\r\n  - b\r\nname: m\r\nadded: c\r\n"


def test_emptied_lists_and_mappings_are_written_on_their_key_line() -> None:
    path = REPO / "records" / "2024" / "opinion-2024-01.yaml"
    text = _read(path)
    data = parse_yaml(text).data
    out = _edited(text, {**data, "cc": [], "report": {}})
    assert "\ncc: []\n" in out and "\nreport: {}\n" in out


# Random edits (seeded): values from the hostile list and collections, set, removed and added at random paths of
# random sample records.  Each must read back exactly, and only a file with anchors may need a field written
# out whole.
RANDOM_VALUES: list[Any] = [*HOSTILE[:-2], 1, 0, True, None, 2.5, [], {}, ["甲", "乙"], {"k": "v", "n": [1, 2]}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, (*path, i)))
    return out


def _mutated(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = copy.deepcopy(data)
    path = rng.choice([p for p in _paths(out) if p])
    parent: Any = out
    for part in path[:-1]:
        parent = parent[part]
    value = copy.deepcopy(rng.choice(RANDOM_VALUES))
    roll = rng.random()
    if roll < 0.6:
        parent[path[-1]] = value
    elif roll < 0.8:
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"added_{rng.randint(0, 99)}"] = value
    else:
        parent.append(value)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_read_back_exactly(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.drafting.yamledit as yamledit

    rng = random.Random(seed)
    written_out: list[str] = []
    fallback = yamledit._reemit_fields

    def spy(editor: Any, *args: Any) -> str:
        written_out.append(editor.text)
        return fallback(editor, *args)

    monkeypatch.setattr(yamledit, "_reemit_fields", spy)
    for _ in range(60):
        text = _read(rng.choice(RECORDS))
        data = parse_yaml(text).data
        for _ in range(rng.randint(1, 3)):
            data = _mutated(data, rng)
        _edited(text, data)
    assert all("&id" in text for text in written_out)
