"""archive.schema: the built-in schemas, their Chinese documentation, overrides and messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from jsonschema import Draft202012Validator
from samples import CJK, OPINION, replace_once

from archive.schema import (
    RECORD_TYPES,
    SCHEMA_FILES,
    SchemaSet,
    builtin_dir,
    date_problem,
    doc_number_problem,
)
from archive.source import parse_yaml, read_text

SCHEMA_DIR = builtin_dir("schemas")
SCHEMA_PATHS = sorted(SCHEMA_DIR.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = parse_yaml(read_text(path)).data
    assert isinstance(data, dict)
    return data


def test_every_expected_schema_file_is_shipped() -> None:
    assert {p.stem for p in SCHEMA_PATHS} == set(SCHEMA_FILES)


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=lambda p: p.name)
def test_every_schema_file_is_valid_json_schema(path: Path) -> None:
    schema = _load(path)

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_each_record_schema_fixes_its_type(kind: str) -> None:
    assert _load(SCHEMA_DIR / f"{kind}.yaml")["properties"]["type"]["const"] == kind


def _documented_nodes(node: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node that describes a field: properties, items, additionalProperties, $defs (any depth)."""
    if not isinstance(node, dict):
        return
    for key in ("properties", "$defs"):
        for name, sub in node.get(key, {}).items():
            if isinstance(sub, dict):
                yield f"{pointer}/{key}/{name}", sub
                yield from _documented_nodes(sub, f"{pointer}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        sub = node.get(key)
        if isinstance(sub, dict):
            yield f"{pointer}/{key}", sub
            yield from _documented_nodes(sub, f"{pointer}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        # Branches are not fields themselves, but the fields inside them are.
        for i, sub in enumerate(node.get(key, [])):
            yield from _documented_nodes(sub, f"{pointer}/{key}/{i}")


def _undocumented() -> list[str]:
    schemas = SchemaSet()
    missing = []
    for name in SCHEMA_FILES:
        document = schemas.documents[name]
        nodes = [(f"{name}.yaml#", document), *_documented_nodes(document, f"{name}.yaml#")]
        for pointer, node in nodes:
            # A node that only points elsewhere inherits the target's title and description.
            effective = schemas.resolve(node) if "$ref" in node else node
            for key in ("title", "description"):
                value = effective.get(key)
                if not (isinstance(value, str) and CJK.search(value)):
                    missing.append(f"{pointer} {key}={value!r}")
    return missing


def test_every_field_at_every_depth_has_a_chinese_title_and_description() -> None:
    assert _undocumented() == []


def test_the_documentation_walk_reaches_deep_fields() -> None:
    # Guards the test above against walking nothing.
    pointers = {p for name in SCHEMA_FILES for p, _ in _documented_nodes(SchemaSet().documents[name], name)}

    assert "opinion/properties/follow_up/properties/reports/items/properties/evaluation" in pointers
    assert "common/$defs/block/anyOf/1/properties/h1" in pointers
    assert "config/properties/terms/additionalProperties/properties/start" in pointers
    assert "config/properties/organs/additionalProperties" in pointers
    assert len(pointers) > 150


# -- override ------------------------------------------------------------------------------------------------------


def _override_opinion(ws: Path) -> Path:
    """A workspace copy of opinion.yaml that only accepts the four 一府一委两院 as addressee."""
    text = (SCHEMA_DIR / "opinion.yaml").read_text(encoding="utf-8")
    old = (
        "  addressee: {title: 主送机关, description: 主送机关，通常是报告机关，如“区人民政府”。,"
        " type: string, minLength: 2}\n"
    )
    new = (
        "  addressee: {title: 主送机关, description: 主送机关，只能是一府一委两院。, type: string,"
        " enum: [区人民政府, 区监察委员会, 区人民法院, 区人民检察院]}\n"
    )
    path = ws / "schemas" / "opinion.yaml"
    path.parent.mkdir()
    path.write_text(replace_once(text, old, new), encoding="utf-8")
    return path


def test_workspace_schema_overrides_the_builtin_one(
    ws: Path, write: Callable[[str, str], Path], renda: Callable[..., Result]
) -> None:
    write(
        "records/2025/opinion-2025-02.yaml", replace_once(OPINION, "addressee: 区人民政府", "addressee: 市政府办公室")
    )
    assert renda("validate").exit_code == 0  # the built-in schema accepts any addressee

    override = _override_opinion(ws)
    result = renda("validate")

    assert result.exit_code == 1
    assert "records/2025/opinion-2025-02.yaml:14: addressee: 应为以下之一：区人民政府、区监察委员会" in result.output
    assert SchemaSet(override.parent).sources["opinion"] == override
    assert SchemaSet(override.parent).sources["meeting"] == SCHEMA_DIR / "meeting.yaml"


def test_an_invalid_override_schema_is_reported_not_crashed_on(ws: Path, renda: Callable[..., Result]) -> None:
    (ws / "schemas").mkdir()
    (ws / "schemas" / "meeting.yaml").write_text("type: 17\n", encoding="utf-8")

    result = renda("validate")

    assert result.exit_code == 1
    assert "meeting.yaml" in result.output
    assert "不是有效的 JSON Schema" in result.output
    assert "Traceback" not in result.output


# -- messages --------------------------------------------------------------------------------------------------------


def test_missing_required_fields_are_named_with_their_chinese_title() -> None:
    data = parse_yaml(replace_once(OPINION, "addressee: 区人民政府\n", "")).data

    issues = SchemaSet().check("opinion", data)

    assert [(i.path, i.message, i.at_key) for i in issues] == [
        (("addressee",), "缺少必填字段“addressee”（主送机关）", False)
    ]


def test_a_field_far_from_any_known_name_lists_the_known_ones() -> None:
    data = parse_yaml(OPINION + "zzz: 1\n").data

    (issue,) = SchemaSet().check("opinion", data)

    assert issue.path == ("zzz",)
    assert issue.message.startswith("未知字段“zzz”；可用的字段：")
    assert "addressee" in issue.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-01", None),
        ("2024-02-29", None),
        ("2023-02-29", "日期不存在：2023年2月没有29日"),
        ("2024-13-01", "应为日期 YYYY-MM-DD，实际为 '2024-13-01'（月份应在 1 至 12 之间）"),
        ("2024/7/1", "应为日期 YYYY-MM-DD，实际为 '2024/7/1'（是否应为 2024-07-01？）"),
        ("2024年7月1日", "应为日期 YYYY-MM-DD，实际为 '2024年7月1日'（是否应为 2024-07-01？）"),
        ("七月一日", "应为日期 YYYY-MM-DD，实际为 '七月一日'"),
    ],
)
def test_date_problems_are_explained(text: str, expected: str | None) -> None:
    assert date_problem(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("澄人常函〔2024〕7号", None),
        ("澄人常函[2024]7号", "六角括号"),
        ("澄人常函（2024）7号", "六角括号"),
        ("澄人常函〔24〕7号", "四位"),
        ("澄人常函〔2024〕第7号", "不加“第”"),
        ("澄人常函〔2024〕07号", "不补零"),
        ("澄人常函〔2024〕7", "应以“号”结尾"),
    ],
)
def test_doc_number_problems_are_explained(text: str, hint: str | None) -> None:
    problem = doc_number_problem(text)

    if hint is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith("发文字号应写作“代字〔年份〕序号号”")
        assert hint in problem
