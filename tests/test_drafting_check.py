"""Desk.check says what `renda validate` says, without reloading the workspace: compared edit by edit on a copy
of the sample workspace, and the catalog a save returns compared with the workspace loaded again."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samples import copy_sample

from archive.catalog import Catalog, load_catalog, validate
from archive.catalog_model import PLACEHOLDER
from archive.drafting import Desk, edit_text
from archive.problems import Problem, Severity
from archive.source import format_field
from archive.workspace import Workspace

Data = dict[str, Any]


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[Data], Data]:
    def change(data: Data) -> Data:
        out = copy.deepcopy(data)
        target: Any = out
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return out

    return change


BREAKING: dict[str, tuple[str, Callable[[Data], Data]]] = {
    "unknown meeting ref": ("opinion-2024-01", _set(("meeting",), "cwh-17-61")),
    "duplicate 发文字号, reported here": ("opinion-2024-03", _set(("doc_number",), "澄人常函〔2024〕1号")),
    "duplicate 发文字号, first here": ("opinion-2024-01", _set(("doc_number",), "澄人常函〔2024〕3号")),
    "bad date": ("opinion-2024-02", _set(("date",), "2024-13-01")),
    "term/date mismatch": ("opinion-2024-02", _set(("term",), 16)),
    "enum": ("opinion-2024-01", _set(("report", "organ_kind"), "不存在的机关")),
    "assigned before the date": ("opinion-2024-01", _set(("follow_up", "assigned"), "2024-05-01")),
    "report received before assigned": ("opinion-2024-01", _set(("follow_up", "reports", 0, "received"), "2024-05-07")),
    "placeholder in a final record": ("opinion-2024-04", _set(("assessment", 0), PLACEHOLDER)),
    "sitting taken": ("cwh-17-19", _set(("sitting",), 16)),
    "sitting date after an opinion on it": ("cwh-17-23", _set(("date",), "2024-12-31")),
    "unknown deputy signs a suggestion": ("suggestion-2024-001", _set(("lead",), "d999")),
    "evaluation at an unknown meeting": (
        "opinion-2024-01",
        _set(("follow_up", "reports", 0, "evaluation", "meeting"), "cwh-17-99"),
    ),
}


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    return Workspace(copy_sample(tmp_path / "ws"))


def _said_by_validate(space: Workspace, source: str, text: str) -> tuple[Problem, ...]:
    """What `renda validate` reports with ``text`` in ``source`` (the file is put back afterwards)."""
    path = space.root / source
    original = path.read_bytes()
    path.write_text(text, encoding="utf-8")
    try:
        return validate(space).problems
    finally:
        path.write_bytes(original)


def _as_desk_says(problem: Problem, source: str) -> tuple[str, str, str]:
    """How the desk reports a problem validate found: its own record's as they are; another file's error as a
    whole-record problem naming that file, or, for a duplicate id or 发文字号 that file shares with this one, at
    this record's field."""
    if problem.source == source:
        return problem.field, problem.message, problem.severity.value
    if source in problem.message and problem.field == "doc_number":
        number = problem.message.split("”")[0] + "”"
        return "doc_number", f"{number}与 {problem.source} 重复", "error"
    return "", f"{problem.source}：{problem.detail()}", "error"


@pytest.mark.parametrize("case", list(BREAKING))
def test_check_says_what_validate_says(space: Workspace, case: str) -> None:
    record_id, change = BREAKING[case]
    catalog = load_catalog(space)
    assert not validate(space).problems  # the sample is clean: whatever validate reports below the edit made
    desk = Desk(space)
    draft = desk.open(catalog, record_id)
    data = change(draft.data)
    said = desk.check(catalog, draft.type, data, record_id)
    assert draft.source is not None
    expected = {
        _as_desk_says(p, draft.source)
        for p in _said_by_validate(space, draft.source, edit_text(draft.text, data))
        if p.source == draft.source or p.severity is Severity.ERROR
    }
    assert {(p.field, p.message, p.severity) for p in said} == expected
    assert any(p.severity == "error" for p in said), "each case breaks the record"
    for problem in said:
        assert format_field(problem.path) == problem.field


def _same_problems(result_catalog: Catalog | None, space: Workspace) -> None:
    assert result_catalog is not None
    reloaded = load_catalog(space)
    assert list(result_catalog.sink.sorted()) == list(reloaded.sink.sorted())
    assert [f.source for f in result_catalog.files] == [f.source for f in reloaded.files]


SAVED: dict[str, tuple[str, Callable[[Data], Data]]] = {
    "a sitting's agenda no longer names the opinion's report": (
        "cwh-17-16",
        _set(("agenda", 0, "reporter"), "区人民检察院"),
    ),
    "a deputy's term ends early (the registry: every record checked)": (
        "d001",
        lambda d: _set(("terms", 1), {**d["terms"][1], "end": "2026-12-20", "end_reason": "辞职"})(d),
    ),
    "a deputy joins the committee (its sittings now miss a member: warnings elsewhere)": (
        "d014",
        lambda d: _set(("terms", 1), {**d["terms"][1], "roles": ["常委会委员"]})(d),
    ),
    "an opinion's title": ("opinion-2024-02", _set(("title",), "澄湖区人大常委会关于某项工作的审议意见")),
    "a draft with a placeholder": ("opinion-2024-04", lambda d: {**d, "status": "draft", "assessment": [PLACEHOLDER]}),
}


@pytest.mark.parametrize("case", list(SAVED))
def test_the_catalog_a_save_returns_is_the_workspace_loaded_again(space: Workspace, case: str) -> None:
    record_id, change = SAVED[case]
    catalog = load_catalog(space)
    desk = Desk(space)
    draft = desk.open(catalog, record_id)
    result = desk.save(
        catalog, draft.type, change(draft.data), base_version=draft.version, author="clerk", record_id=record_id
    )
    assert result.ok, result.problems
    _same_problems(result.catalog, space)


def test_saves_in_a_row_and_files_changed_by_hand_between_them(space: Workspace) -> None:
    catalog = load_catalog(space)
    desk = Desk(space)
    new = desk.from_agenda(catalog, "cwh-17-16", 1)
    first = desk.save(catalog, "opinion", new.data, base_version="", author="clerk")
    assert first.ok and first.catalog is not None
    _same_problems(first.catalog, space)
    # by hand, meanwhile: a record removed and another edited
    (space.root / "records/2024/opinion-2024-03.yaml").unlink()
    edited = space.root / "records/2024/opinion-2024-02.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(
            "doc_number: 澄人常函〔2024〕2号", "doc_number: 澄人常函〔2024〕5号"
        ),
        encoding="utf-8",
    )
    draft = desk.open(first.catalog, "opinion-2024-04")
    second = desk.save(
        first.catalog,
        "opinion",
        {**draft.data, "title": "新标题"},
        base_version=draft.version,
        author="clerk",
        record_id="opinion-2024-04",
    )
    assert second.ok
    _same_problems(second.catalog, space)
    # the number the hand edit took is not free any more, though the catalog the form had did not know it
    assert desk.next_doc_number(first.catalog, "opinion", 2024) == "澄人常函〔2024〕6号"
    blank = desk.blank(first.catalog, "opinion", today=dt.date(2024, 7, 1))
    taken = {
        **blank.data,
        "doc_number": "澄人常函〔2024〕5号",
        "assessment": ["评价。"],
        "problems": ["问题。"],
        "recommendations": [{"title": "建议", "text": "内容。"}],
    }
    refused = desk.save(first.catalog, "opinion", taken, base_version="", author="clerk")
    assert not refused.ok
    assert [(p.path, p.message) for p in refused.errors] == [
        (("doc_number",), "发文字号“澄人常函〔2024〕5号”与 records/2024/opinion-2024-02.yaml 重复")
    ]
