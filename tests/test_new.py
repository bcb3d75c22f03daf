"""`renda new` (archive.scaffold.new_record): record skeletons from the schemas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import OPINION, Reported, replace_once, reported, snapshot

from archive.schema import RECORD_TYPES, SchemaSet
from archive.source import parse_yaml

Renda = Callable[..., Result]
Write = Callable[[str, str | bytes], Path]

SKELETON = {  # what `new TYPE --date 2025-07-01` writes in the starter workspace
    "meeting": "records/2025/meeting-2025-02.yaml",
    "opinion": "records/2025/opinion-2025-02.yaml",
    "inspection": "records/2025/inspection-2025-02.yaml",
    "deputy_report": "records/2025/report-2025-02.yaml",
    "deputy": "records/deputies/d004.yaml",
    "document": "records/2025/document-2025-01.yaml",
    "letter": "records/2025/letter-2025-01.yaml",
    "suggestion": "records/2025/suggestion-2025-001.yaml",
    "motion": "records/2025/motion-2025-01.yaml",
    "report": "records/2025/workreport-2025-01.yaml",
}


def _new(renda: Renda, kind: str, *extra: str) -> Result:
    result = renda("new", kind, "--date", "2025-07-01", *extra)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_skeleton_has_every_required_field_with_its_chinese_title(ws: Path, renda: Renda, kind: str) -> None:
    _new(renda, kind)
    path = ws / SKELETON[kind]
    text = path.read_text(encoding="utf-8")
    data = parse_yaml(text).data
    schemas = SchemaSet()
    fields = schemas.field_info(kind)
    required = schemas.resolve(schemas.documents[kind])["required"]

    assert set(required) <= set(data)
    lines = text.splitlines()
    doc = parse_yaml(text)
    for name in required:
        line = lines[doc.line_of((name,)) - 1]
        assert line.startswith(f"{name}:")
        assert f"# {fields[name]['title']}：" in line, line
    assert data["id"] == path.stem
    assert data["type"] == kind


def test_skeleton_lists_nested_required_fields_and_optional_ones_as_comments(ws: Path, renda: Renda) -> None:
    _new(renda, "opinion")
    text = (ws / SKELETON["opinion"]).read_text(encoding="utf-8")
    data = parse_yaml(text).data

    assert set(data["report"]) == {"title", "organ", "organ_kind"}
    assert set(data["recommendations"][0]) == {"title", "text"}
    assert "  organ: （待填写）  # 报告机关：" in text
    assert "# deadline:  # 报告期限：" in text
    assert "deadline" not in data


def test_skeleton_fills_envelope_values(ws: Path, renda: Renda) -> None:
    result = _new(renda, "meeting")
    data = parse_yaml((ws / SKELETON["meeting"]).read_text(encoding="utf-8")).data

    assert (data["term"], data["date"], data["status"], data["classification"]) == (17, "2025-07-01", "draft", "公开")
    assert data["sitting"] == 27  # the starter holds the 26th sitting
    assert data["doc_number"] == "澄人常纪〔2025〕2号"
    assert (
        result.output.strip()
        == "已创建 records/2025/meeting-2025-02.yaml（编号 meeting-2025-02，发文字号 澄人常纪〔2025〕2号）"
    )


def test_chinese_type_names_are_accepted(ws: Path, renda: Renda) -> None:
    _new(renda, "审议意见")

    assert (ws / SKELETON["opinion"]).is_file()


def test_doc_number_is_the_next_free_one_of_that_year_and_code(ws: Path, write: Write, renda: Renda) -> None:
    def opinion(rid: str, number: str) -> str:
        return replace_once(replace_once(OPINION, "id: opinion-2025-02", f"id: {rid}"), "澄人常函〔2025〕2号", number)

    write("records/2025/opinion-2025-05.yaml", opinion("opinion-2025-05", "澄人常函〔2025〕5号"))
    write("records/2025/opinion-2025-06.yaml", opinion("opinion-2025-06", "澄人常函〔2024〕9号"))  # other year
    write("records/2025/opinion-2025-07.yaml", opinion("opinion-2025-07", "澄人常发〔2025〕8号"))  # other code
    assert renda("validate").exit_code == 0

    this_year = renda("new", "opinion", "--date", "2025-07-01")
    last_year = renda("new", "opinion", "--date", "2024-12-30")

    assert "发文字号 澄人常函〔2025〕6号" in this_year.output
    assert "发文字号 澄人常函〔2024〕10号" in last_year.output
    assert "doc_number: 澄人常函〔2025〕6号" in (ws / "records/2025/opinion-2025-08.yaml").read_text(encoding="utf-8")


def test_two_new_opinions_in_a_row_get_different_doc_numbers(renda: Renda) -> None:
    first = renda("new", "opinion", "--date", "2025-07-01")
    second = renda("new", "opinion", "--date", "2025-07-02")

    assert "澄人常函〔2025〕2号" in first.output
    assert "澄人常函〔2025〕3号" in second.output


def test_a_draft_with_a_typo_still_reserves_its_doc_number(write: Write, renda: Renda) -> None:
    draft = replace_once(replace_once(OPINION, "status: final", "status: draft"), "date: 2025-05-06", "date: 2025-5-6")
    write("records/2025/opinion-2025-02.yaml", draft)

    result = renda("new", "opinion", "--date", "2025-07-01")

    assert result.exit_code == 0, result.output
    assert "澄人常函〔2025〕3号" in result.output


def test_new_refuses_an_id_that_is_taken(ws: Path, renda: Renda) -> None:
    before = snapshot(ws)

    result = renda("new", "opinion", "--date", "2025-07-01", "--id", "opinion-2025-01")

    assert result.exit_code == 1
    assert "编号“opinion-2025-01”已被使用" in result.output
    assert snapshot(ws) == before


def test_new_refuses_the_name_of_a_broken_file(ws: Path, write: Write, renda: Renda) -> None:
    write("records/2025/opinion-2025-09.yaml", "")
    before = snapshot(ws)

    result = renda("new", "opinion", "--date", "2025-07-01", "--id", "opinion-2025-09")

    assert result.exit_code == 1
    assert "已被使用" in result.output
    assert snapshot(ws) == before


@pytest.mark.parametrize("bad_id", ["../escape", "records/x", "opinion 2025", "Opinion-1", "a..b"])
def test_new_refuses_ids_that_could_leave_the_folder(ws: Path, renda: Renda, bad_id: str) -> None:
    before = snapshot(ws.parent)

    result = renda("new", "opinion", "--date", "2025-07-01", "--id", bad_id)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert snapshot(ws.parent) == before


def test_new_with_a_date_outside_every_term_is_refused(ws: Path, renda: Renda) -> None:
    before = snapshot(ws)

    result = renda("new", "opinion", "--date", "2030-01-01")

    assert result.exit_code == 1
    assert "不在 renda.yaml 届次表的任何一届内" in result.output
    assert snapshot(ws) == before


def _validate(renda: Renda) -> tuple[Result, list[Reported]]:
    result = renda("validate")
    return result, [p for p in reported(result.output) if p.source.endswith(("-2025-02.yaml", "d004.yaml"))]


SKELETON_VALID = [pytest.param(kind, id=kind) for kind in ("meeting", "opinion", "inspection", "deputy_report")]


@pytest.mark.parametrize("kind", SKELETON_VALID)
def test_fresh_skeleton_validates_with_warnings_only(renda: Renda, kind: str) -> None:
    _new(renda, kind)

    result, mine = _validate(renda)

    assert result.exit_code == 0, result.output
    assert mine, "a draft full of placeholders should at least warn"
    assert all(p.warning for p in mine), result.output


@pytest.mark.parametrize("kind", ["meeting", "opinion", "inspection", "deputy_report"])
def test_placeholders_become_errors_when_the_status_is_final(ws: Path, renda: Renda, kind: str) -> None:
    _new(renda, kind)
    path = ws / SKELETON[kind]
    path.write_text(replace_once(path.read_text(encoding="utf-8"), "status: draft", "status: final"), encoding="utf-8")

    result, mine = _validate(renda)

    assert result.exit_code == 1
    title = [p for p in mine if p.field == "title"]
    assert len(title) == 1, result.output
    assert (title[0].line, title[0].warning) == (8, False)
    assert title[0].message == "仍是“（待填写）”，定稿前必须填写"


def test_fresh_deputy_skeleton_must_be_filled_before_it_validates(renda: Renda) -> None:
    # A registry entry has no draft state: it is referenced as soon as it exists.
    _new(renda, "deputy")

    result, mine = _validate(renda)

    assert result.exit_code == 1, result.output
    assert {p.field for p in mine} == {"name", "terms[0].constituency"}, result.output
    assert all(not p.warning and "请填写" in p.message for p in mine), result.output


def test_the_skeleton_writer_quotes_line_separators_so_values_read_back_exactly() -> None:
    import yaml

    from archive.scaffold import _scalar

    for value in ("a\u2028retention: D10", "a\x85b", "a\u2029b", "x\ny: 1", "# c", "a: b", "'q\" \\"):
        assert yaml.safe_load(f"v: {_scalar(value)}\n") == {"v": value}, value
