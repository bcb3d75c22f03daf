"""archive.drafting.Desk: saving is validating, no lost edits, one 发文字号 per record, a commit per save."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from samples import copy_sample

from archive.catalog import Catalog, load_catalog
from archive.drafting import Desk, DraftingError, SaveResult, version_of
from archive.source import parse_yaml
from archive.workspace import Workspace

OPINION = "opinion-2024-01"
OPINION_FILE = "records/2024/opinion-2024-01.yaml"


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    return Workspace(copy_sample(tmp_path / "ws"))


@pytest.fixture
def catalog(space: Workspace) -> Catalog:
    return load_catalog(space)


def _files(root: Path) -> dict[str, bytes]:
    files = sorted((root / "records").rglob("*"))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}


def test_version_is_the_sha256_of_the_bytes() -> None:
    assert version_of("审议意见\n") == version_of("审议意见\n".encode())
    assert version_of(b"") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_open_reads_the_file_as_it_is_now(space: Workspace, catalog: Catalog) -> None:
    draft = Desk(space).open(catalog, OPINION)
    raw = (space.root / OPINION_FILE).read_bytes()
    assert (draft.id, draft.type, draft.source) == (OPINION, "opinion", OPINION_FILE)
    assert draft.version == version_of(raw) and draft.text == raw.decode()
    assert draft.data == parse_yaml(raw.decode()).data
    with pytest.raises(DraftingError, match="找不到记录“opinion-2099-01”"):
        Desk(space).open(catalog, "opinion-2099-01")


def test_save_writes_one_field_and_returns_the_catalog_with_it(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    data = {**draft.data, "title": "澄湖区人大常委会关于营商环境的审议意见"}
    result = desk.save(catalog, "opinion", data, base_version=draft.version, author="clerk", record_id=OPINION)
    assert result.ok and not result.conflict and not result.notes
    assert result.draft is not None and result.draft.version == version_of((space.root / OPINION_FILE).read_bytes())
    assert "-title: 澄湖区人大常委会关于区人民政府优化营商环境工作情况报告的审议意见" in result.diff
    assert "+title: 澄湖区人大常委会关于营商环境的审议意见" in result.diff
    assert result.catalog is not None
    assert result.catalog.by_id()[OPINION].title == "澄湖区人大常委会关于营商环境的审议意见"
    reloaded = load_catalog(space)
    assert sorted(result.catalog.sink.sorted()) == sorted(reloaded.sink.sorted())


def test_an_error_writes_nothing(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    before = _files(space.root)
    data = copy.deepcopy(draft.data)
    data["follow_up"]["reports"][0]["received"] = "2024-13-01"
    result = desk.save(catalog, "opinion", data, base_version=draft.version, author="clerk", record_id=OPINION)
    assert not result.ok and result.catalog is None and result.diff == ""
    [problem] = result.errors
    assert problem.path == ("follow_up", "reports", 0, "received")
    assert problem.field == "follow_up.reports[0].received"
    assert "2024-13-01" in problem.message
    assert _files(space.root) == before  # byte for byte, and no temporary file left


def test_a_file_changed_on_disk_meanwhile_is_a_conflict(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    path = space.root / OPINION_FILE
    theirs = path.read_text(encoding="utf-8").replace("status: final", "status: draft")
    path.write_text(theirs, encoding="utf-8")
    data = {**draft.data, "addressee": "区人民政府办公室"}
    result = desk.save(catalog, "opinion", data, base_version=draft.version, author="clerk", record_id=OPINION)
    assert not result.ok and result.conflict is not None
    conflict = result.conflict
    assert (conflict.source, conflict.base_version) == (OPINION_FILE, draft.version)
    assert conflict.theirs_version == version_of(theirs) and conflict.theirs_text == theirs
    assert "addressee: 区人民政府办公室" in conflict.mine_text
    assert "-addressee: 区人民政府\n+addressee: 区人民政府办公室" in conflict.diff
    assert path.read_text(encoding="utf-8") == theirs


def _blank_opinion(desk: Desk, catalog: Catalog) -> dict[str, Any]:
    draft = desk.from_agenda(catalog, "cwh-17-16", 1)
    data = copy.deepcopy(draft.data)
    data.update(assessment=["评价。"], problems=["问题。"], recommendations=[{"title": "建议", "text": "内容。"}])
    return data


def test_blank_and_from_agenda_fill_what_renda_new_does(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    blank = desk.blank(catalog, "opinion", today=dt.date(2024, 6, 1))
    assert (blank.source, blank.version, blank.text) == (None, "", "")
    assert blank.id == "opinion-2024-05" and blank.data["doc_number"] == "澄人常函〔2024〕5号"
    assert blank.data["status"] == "draft" and blank.data["term"] == 17
    drafted = desk.from_agenda(catalog, "cwh-17-16", 1)
    assert drafted.data["meeting"] == "cwh-17-16" and drafted.data["date"] == "2024-04-25"
    assert drafted.data["report"]["organ"] == drafted.data["addressee"] == "区人民政府"
    with pytest.raises(DraftingError, match="没有第 99 项"):
        desk.from_agenda(catalog, "cwh-17-16", 99)


def test_a_new_record_is_written_where_renda_new_writes_it(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    data = _blank_opinion(desk, catalog)
    result = desk.save(catalog, "opinion", data, base_version="", author="clerk")
    assert result.ok, result.problems
    assert result.draft is not None and result.draft.source == "records/2024/opinion-2024-05.yaml"
    assert parse_yaml((space.root / result.draft.source).read_text(encoding="utf-8")).data == data
    again = desk.save(catalog, "opinion", data, base_version="", author="clerk")
    assert not again.ok
    assert [p.path for p in again.errors][:1] == [("id",)]


def _race(desks: list[Desk], catalog: Catalog, drafts: list[dict[str, Any]]) -> list[SaveResult]:
    results: list[SaveResult | None] = [None] * len(drafts)
    start = threading.Barrier(len(drafts))

    def run(k: int) -> None:
        start.wait()
        results[k] = desks[k].save(catalog, "opinion", drafts[k], base_version="", author=f"clerk{k}")

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(drafts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]


@pytest.mark.parametrize("shared", [False, True], ids=["two desks on one folder", "two threads of one desk"])
def test_two_saves_racing_for_one_doc_number_never_both_get_it(
    space: Workspace, catalog: Catalog, shared: bool
) -> None:
    desk = Desk(space)
    desks = [desk, desk] if shared else [desk, Desk(space)]
    first = _blank_opinion(desk, catalog)
    second = {**copy.deepcopy(first), "id": "opinion-2024-90"}
    results = _race(desks, catalog, [first, second])
    assert sorted(r.ok for r in results) == [False, True]
    loser = next(r for r in results if not r.ok)
    assert [p.path for p in loser.errors] == [("doc_number",)]
    assert f"发文字号“{first['doc_number']}”" in loser.errors[0].message and "重复" in loser.errors[0].message
    written = [p.name for p in (space.root / "records" / "2024").glob("opinion-2024-*.yaml")]
    assert ("opinion-2024-05.yaml" in written) != ("opinion-2024-90.yaml" in written)
