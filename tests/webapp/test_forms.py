"""The forms generated from the schemas (archive.web.forms): controls by schema keyword, text → typed data,
the array buttons, the checks of a field's text, the heading numbers of a body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.schema import RECORD_TYPES, SchemaSet
from archive.source import parse_yaml
from archive.web.forms import (
    ActionError,
    Field,
    apply_action,
    build_form,
    merge,
    parse,
    parse_raw,
    raw_of,
    text_problem,
)
from archive.web.forms.model import ARRAY, BLOCKS, OBJECT
from archive.web.forms.show import heading_numbers

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "records").rglob("*.yaml"))


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet()


def posted(f: Field, raw: Any, name: str = "") -> dict[str, list[str]]:
    """The form a browser would send for raw tree ``raw`` (every editable control with its text)."""
    out: dict[str, list[str]] = {}
    if not f.editable:
        return out
    if f.kind == OBJECT:
        for c in f.children:
            assert c.key is not None
            out.update(posted(c, raw.get(c.key), f"{name}.{c.key}" if name else c.key))
    elif f.kind == ARRAY:
        assert f.item is not None
        for i, row in enumerate(raw):
            out.update(posted(f.item, row, f"{name}.{i}"))
    elif f.kind == BLOCKS:
        out[f"{name}.kind"], out[f"{name}.text"] = [raw["kind"]], [raw["text"].replace("\n", "\r\n")]
    else:
        out[name] = [raw.replace("\n", "\r\n")]  # browsers send line breaks as CR LF
    return out


def control(f: Field, *path: str) -> Field:
    here: Field | None = f
    for key in path:
        assert here is not None
        here = here.child(key) if here.kind == OBJECT else here.item
    assert here is not None
    return here


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_record_comes_back_from_its_form_unchanged(schemas: SchemaSet, path: Path) -> None:
    data = parse_yaml(path.read_text(encoding="utf-8")).data
    form = build_form(schemas, data["type"])
    back, problems = parse(posted(form, raw_of(form, data)), form, None)  # nothing taken from the record
    assert problems == []
    assert back == data


def test_every_record_type_has_a_form_with_its_required_fields_marked(schemas: SchemaSet) -> None:
    for kind in RECORD_TYPES:
        form = build_form(schemas, kind)
        required = set(schemas.documents[kind].get("required", []))
        marked = {c.key for c in form.children if c.required}
        assert required <= marked, kind


def test_controls_follow_the_schema_keywords(schemas: SchemaSet) -> None:
    opinion = build_form(schemas, "opinion")
    assert control(opinion, "type").kind == "fixed" and control(opinion, "type").const == "opinion"
    assert control(opinion, "classification").kind == "select"
    assert control(opinion, "classification").options == ("公开", "内部", "秘密", "机密")
    assert control(opinion, "date").kind == "date" and control(opinion, "date").label == "成文日期"
    assert control(opinion, "term").kind == "number"
    assert control(opinion, "sealed").kind == "checkbox"
    assert control(opinion, "meeting").kind == "record" and control(opinion, "meeting").targets == ("meeting",)
    assert control(opinion, "report").kind == "object"
    assert control(opinion, "report", "organ_kind").options == ("政府", "监察委员会", "法院", "检察院")
    reports = control(opinion, "follow_up", "reports")
    assert reports.kind == "array" and control(reports, "x", "received").kind == "date"
    body = control(opinion, "body")
    assert body.kind == "array" and body.item is not None and body.item.kind == "blocks"
    assert body.item.options == ("h1", "h2", "h3", "h4")
    assert body.item.option_labels == ("一级标题", "二级标题", "三级标题", "四级标题")
    motion = build_form(schemas, "motion")
    session = control(motion, "session")
    assert session.kind == "choice" and session.options == ("闭会期间",) and session.integer_allowed
    assert control(motion, "lead").kind == "deputy"
    assert control(motion, "cosigners").item is not None and control(motion, "cosigners", "x").kind == "deputy"
    assert control(build_form(schemas, "deputy"), "birth").kind == "month"


def test_a_field_added_to_a_schema_gets_its_control_without_form_code(tmp_path: Path) -> None:
    text = (REPO / "schemas/opinion.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  deadline:",
        "  priority: {title: 优先级, description: 办理优先级。, type: string, enum: [高, 低]}\n"
        "  audit_note: {title: 审核意见, description: 只读。, type: string, x-form: readonly}\n"
        "  secret_key: {title: 内部键, description: 不显示。, type: string, x-form: hidden}\n"
        "  deadline:",
    )
    (tmp_path / "opinion.yaml").write_text(text, encoding="utf-8")
    form = build_form(SchemaSet(tmp_path), "opinion")
    assert control(form, "priority").kind == "select" and control(form, "priority").label == "优先级"
    assert control(form, "audit_note").mode == "readonly" and not control(form, "audit_note").editable
    assert control(form, "secret_key").mode == "hidden"
    opened = {"id": "x", "audit_note": "已核", "secret_key": "k1", "priority": "高"}
    raw = raw_of(form, opened)
    forged = posted(form, raw) | {"audit_note": ["改了"], "secret_key": ["改了"], "priority": ["低"]}
    data, problems = parse(forged, form, opened)
    assert problems == []
    assert data["audit_note"] == "已核" and data["secret_key"] == "k1" and data["priority"] == "低"
    assert data["type"] == "opinion"


def test_text_becomes_typed_values_and_empty_optional_fields_are_dropped(schemas: SchemaSet) -> None:
    form = build_form(schemas, "motion")
    sent = {
        "id": ["motion-2025-09"],
        "term": ["17"],
        "session": ["闭会期间"],
        "public": ["", "true"],
        "number": [" 12 "],
        "note": ["   "],
        "title": ["关于某事的议案"],
        "cosigners.0": ["d004 — 某某"],
        "cosigners.3": [""],
    }
    data, problems = parse(sent, form)
    assert problems == []
    assert data["term"] == 17 and data["number"] == 12 and data["session"] == "闭会期间"
    assert data["public"] is True and data["cosigners"] == ["d004"]
    assert "note" not in data and "date" not in data
    data, _ = parse({**sent, "session": ["3"], "public": [""]}, form)
    assert data["session"] == 3 and "public" not in data
    data, _ = parse({**sent, "public": ["false"]}, form)
    assert data["public"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 20_001, "不能超过 20000 个字（实际 20001 个字）"),
        ("第一行\x00第二行", "U+0000"),
        ("响铃\x07", "U+0007"),
        ("回车\r单独", "U+000D"),
        ("段落\u2028分隔", "U+2028"),
        ("C1\x85", "U+0085"),
    ],
)
def test_a_field_text_too_long_or_with_control_characters_is_refused_at_the_field(
    schemas: SchemaSet, text: str, expected: str
) -> None:
    assert expected in (text_problem(text) or "")
    form = build_form(schemas, "opinion")
    _, problems = parse({"report.title": [text], "title": ["好的标题"]}, form)
    assert [(p.name, p.path) for p in problems] == [("report.title", ("report", "title"))]
    assert expected in problems[0].message


def test_line_breaks_and_tabs_are_kept(schemas: SchemaSet) -> None:
    form = build_form(schemas, "opinion")
    data, problems = parse({"note": ["一行\r\n二行\t制表"]}, form)
    assert problems == [] and data["note"] == "一行\n二行\t制表"


def test_a_number_that_is_not_one_is_a_problem_at_its_field(schemas: SchemaSet) -> None:
    form = build_form(schemas, "opinion")
    parsed = parse_raw(
        {
            "term": "十七",
            "follow_up": {"reports": [{"received": ""}, {"title": "x", "evaluation": {"satisfied": "多"}}]},
        },
        form,
    )
    assert {(p.name, p.message) for p in parsed.problems} == {
        ("term", "应为整数，实际为“十七”"),
        ("follow_up.reports.1.evaluation.satisfied", "应为整数，实际为“多”"),
    }
    # the empty first row is dropped: the second row is item 0 of the data, still row 1 of the form
    assert parsed.data["follow_up"]["reports"] == [{"title": "x"}]
    assert parsed.anchor(("follow_up", "reports", 0, "received")) == "follow_up.reports.1.received"
    assert parsed.anchor(("follow_up", "reports", 0, "evaluation", "result")) == "follow_up.reports.1.evaluation.result"
    assert parsed.anchor(("follow_up", "reports", 0, "evaluation", "unknown")) == "follow_up.reports.1.evaluation"
    assert parsed.anchor(("nowhere",)) == ""


def test_array_buttons_add_remove_and_move_rows(schemas: SchemaSet) -> None:
    form = build_form(schemas, "opinion")
    data = parse_yaml((REPO / "records/2024/opinion-2024-01.yaml").read_text(encoding="utf-8")).data
    raw = raw_of(form, data)
    first, second = raw["problems"][0], raw["problems"][1]
    apply_action(raw, form, "down:problems.0")
    assert raw["problems"][:2] == [second, first]
    apply_action(raw, form, "up:problems.1")
    assert raw["problems"][:2] == [first, second]
    apply_action(raw, form, "remove:problems.0")
    assert raw["problems"][0] == second
    apply_action(raw, form, "add:follow_up.reports")
    assert raw["follow_up"]["reports"][-1] == {
        "received": "",
        "title": "",
        "doc_number": "",
        "evaluation": {
            "date": "",
            "meeting": "",
            "satisfied": "",
            "basically_satisfied": "",
            "unsatisfied": "",
            "result": "",
        },
    }
    apply_action(raw, form, "add:body")
    assert raw["body"] == [{"kind": "", "text": ""}]
    apply_action(raw, form, "renumber:body")  # shows the form again: nothing moves
    assert raw["body"] == [{"kind": "", "text": ""}] and raw["problems"][0] == second
    back = merge(parse_raw(raw, form).data, form, data)
    assert back["problems"] == data["problems"][1:]  # the empty rows added are dropped
    assert back["follow_up"] == data["follow_up"] and "body" not in back


@pytest.mark.parametrize(
    "action",
    [
        "add:title",
        "add:nothing",
        "remove:problems.99",
        "jump:problems.0",
        "add:",
        "remove:problems",
        "x",
        "renumber:title",
    ],
)
def test_an_unknown_action_is_refused(schemas: SchemaSet, action: str) -> None:
    form = build_form(schemas, "opinion")
    with pytest.raises(ActionError):
        apply_action(raw_of(form, {"problems": ["a"]}), form, action)


def test_body_rows_show_the_number_each_heading_will_print() -> None:
    rows = [
        {"kind": "h1", "text": "基本情况"},
        {"kind": "", "text": "段落"},
        {"kind": "h2", "text": "小标题"},
        {"kind": "h2", "text": ""},  # empty: dropped on save, not counted
        {"kind": "h2", "text": "又一个"},
        {"kind": "h3", "text": "三级"},
        {"kind": "h4", "text": "四级"},
        {"kind": "h1", "text": "问题"},
        {"kind": "h2", "text": "重新编号"},
    ]
    assert heading_numbers(rows) == ["一、", "", "（一）", "", "（二）", "1.", "（1）", "二、", "（一）"]
