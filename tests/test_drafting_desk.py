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
from archive.catalog_model import PLACEHOLDER
from archive.drafting import Desk, DraftingError, SaveResult, version_of
from archive.drafting.history import repository_of
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


# -- git ----------------------------------------------------------------------------------------------------


def _repository(root: Path) -> bytes:
    """Make ``root`` a git repository holding every file, committed by someone else; the HEAD commit id."""
    from dulwich import porcelain

    with porcelain.init(str(root)) as repo:
        porcelain.add(repo, paths=[str(p) for p in sorted((root / "records").rglob("*.yaml"))])
        porcelain.add(repo, paths=[str(root / "renda.yaml")])
        return porcelain.commit(
            repo, message=b"records", author=b"office <office@example.org>", committer=b"office <office@example.org>"
        )


def _title_change(desk: Desk, catalog: Catalog, message: str = "") -> SaveResult:
    draft = desk.open(catalog, OPINION)
    data = {**draft.data, "title": "澄湖区人大常委会关于营商环境的审议意见"}
    return desk.save(
        catalog, "opinion", data, base_version=draft.version, author="wangli", record_id=OPINION, message=message
    )


def test_in_a_git_repository_each_save_is_a_commit_of_that_file_by_the_account(
    space: Workspace, catalog: Catalog
) -> None:
    from dulwich.diff_tree import tree_changes
    from dulwich.objects import Blob, Commit
    from dulwich.repo import Repo

    before = _repository(space.root)
    other = space.root / "records/2024/opinion-2024-02.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "note: 手工改动，已暂存\n", encoding="utf-8")
    from dulwich import porcelain

    porcelain.add(str(space.root), paths=[str(other)])  # someone's staged change: neither committed nor unstaged
    result = _title_change(Desk(space), catalog, "核对标题")
    assert result.ok and result.notes == ()
    with Repo(str(space.root)) as repo:
        head = repo[repo.head()]
        assert isinstance(head, Commit)
        assert head.parents == [before]
        assert head.author == head.committer == b"wangli <wangli@renda.local>"
        assert (
            head.message.decode() == f"renda: {OPINION} 澄湖区人大常委会关于营商环境的审议意见 (wangli)\n\n核对标题\n"
        )
        parent = repo[before]
        assert isinstance(parent, Commit)
        changed = [(c.new.path, c.new.sha) for c in tree_changes(repo.object_store, parent.tree, head.tree) if c.new]
        blob = Blob.from_string((space.root / OPINION_FILE).read_bytes())
        assert changed == [(OPINION_FILE.encode(), blob.id)]  # that one file, as it is written
        status = porcelain.status(repo)
        assert status.staged["modify"] == [b"records/2024/opinion-2024-02.yaml"]
        assert not status.unstaged
    assert result.catalog is not None
    assert _title_change(Desk(space), result.catalog).ok  # the same title again: nothing to commit
    with Repo(str(space.root)) as repo:
        assert repo.head() == head.id


def test_no_repository_no_commit_and_a_failed_commit_keeps_the_file(
    space: Workspace, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _title_change(Desk(space), catalog)
    assert result.ok and result.notes == ()
    assert not (space.root / ".git").exists() and repository_of(space.root) is None

    _repository(space.root)

    def broken(*_: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archive.drafting.history._commit", broken)
    draft = Desk(space).open(result.catalog or catalog, OPINION)
    again = Desk(space).save(
        result.catalog or catalog,
        "opinion",
        {**draft.data, "title": "又改了标题"},
        base_version=draft.version,
        author="wangli",
        record_id=OPINION,
    )
    assert again.ok
    assert "title: 又改了标题\n" in (space.root / OPINION_FILE).read_text(encoding="utf-8")
    [note] = again.notes
    assert note.startswith("记录已保存，但未能提交到 git 仓库") and "No space left on device" in note


def test_a_repository_that_ignores_the_records_gets_no_commit(space: Workspace, catalog: Catalog) -> None:
    from dulwich.repo import Repo

    head = _repository(space.root)
    (space.root / ".gitignore").write_text("/records/\n", encoding="utf-8")
    assert _title_change(Desk(space), catalog).ok
    with Repo(str(space.root)) as repo:
        assert repo.head() == head


# -- update, numbers, the whole record -------------------------------------------------------------------------


def test_update_changes_the_record_as_it_is_on_disk_now(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    path = space.root / OPINION_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("addressee: 区人民政府", "addressee: 区政府"), "utf-8")
    seen: list[dict[str, Any]] = []

    def assign(data: dict[str, Any]) -> dict[str, Any]:
        seen.append(copy.deepcopy(data))
        data["follow_up"]["reports"][0]["title"] = "研究处理情况的报告（修订）"
        return data

    result = desk.update(catalog, OPINION, assign, author="clerk")
    assert result.ok
    assert seen[0]["addressee"] == "区政府"  # the change by hand is kept, not overwritten from the catalog
    text = path.read_text(encoding="utf-8")
    assert "addressee: 区政府\n" in text and "      title: 研究处理情况的报告（修订）\n" in text
    stale = desk.update(catalog, OPINION, assign, author="clerk", base_version=version_of(b"old"))
    assert stale.conflict is not None and stale.conflict.theirs_text == text


def test_next_doc_number_inside_update_is_taken_under_the_lock(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)

    def number(data: dict[str, Any]) -> dict[str, Any]:
        data["doc_number"] = desk.next_doc_number(catalog, "opinion", 2024)
        return data

    first = desk.update(catalog, "opinion-2024-02", number, author="clerk")
    second = desk.update(catalog, "opinion-2024-03", number, author="clerk")  # the stale catalog, on purpose
    assert first.draft is not None and second.draft is not None
    assert (first.draft.data["doc_number"], second.draft.data["doc_number"]) == (
        "澄人常函〔2024〕5号",
        "澄人常函〔2024〕6号",
    )
    with pytest.raises(DraftingError, match="doc_codes 中没有"):
        desk.next_doc_number(catalog, "deputy", 2024)


def test_a_removed_file_is_a_conflict_and_control_characters_a_problem_at_their_field(
    space: Workspace, catalog: Catalog
) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    bad = copy.deepcopy(draft.data)
    bad["recommendations"][1]["text"] = "含有\x1b[31m控制字符"
    [problem] = desk.check(catalog, "opinion", bad, OPINION)
    assert (problem.path, problem.severity) == (("recommendations", 1, "text"), "error")
    assert "U+001B" in problem.message
    refused = desk.save(catalog, "opinion", bad, base_version=draft.version, author="clerk", record_id=OPINION)
    assert not refused.ok and refused.errors == (problem,)
    (space.root / OPINION_FILE).unlink()
    gone = desk.save(catalog, "opinion", draft.data, base_version=draft.version, author="clerk", record_id=OPINION)
    assert gone.conflict is not None and gone.conflict.theirs_version == "" and gone.conflict.theirs_text == ""
    assert not (space.root / OPINION_FILE).exists()


def test_warnings_do_not_block_and_are_returned(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    data = {**draft.data, "status": "draft", "addressee": PLACEHOLDER}
    result = desk.save(catalog, "opinion", data, base_version=draft.version, author="clerk", record_id=OPINION)
    assert result.ok
    assert [(p.path, p.severity) for p in result.problems] == [(("addressee",), "warning")]


def test_a_record_cannot_be_renamed_nor_change_type(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    renamed = desk.check(catalog, "opinion", {**draft.data, "id": "opinion-2024-99"}, OPINION)
    assert [p.path for p in renamed] == [("id",)]
    retyped = desk.check(catalog, "opinion", {**draft.data, "type": "letter"}, OPINION)
    assert [p.path for p in retyped] == [("type",)]
    escaping = desk.check(catalog, "opinion", {**draft.data, "id": "../../etc/passwd"})
    assert [p.path for p in escaping] == [("id",)]


def test_site_install_makes_the_saved_catalog_current_without_a_reload(
    space: Workspace, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.accounts import AccountStore
    from archive.web.site import Site, WebSettings

    site = Site(space, AccountStore.of(space), WebSettings())
    first = site.generation()
    result = _title_change(site.desk, site.catalog())
    assert result.catalog is not None
    site.install(result.catalog)
    assert site.generation().number == first.number + 1 and site.catalog() is result.catalog

    def no_reload(_: Workspace) -> Catalog:
        raise AssertionError("the folder was reloaded")

    monkeypatch.setattr("archive.catalog.load_catalog", no_reload)
    monkeypatch.setattr(site, "_checked", 0.0)  # the next scheduled look, now
    assert site.catalog() is result.catalog
    site.install(catalog)  # an older catalog than the current one is not installed
    assert site.catalog() is result.catalog


def test_a_file_that_no_longer_parses_is_not_overwritten(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    draft = desk.open(catalog, OPINION)
    path = space.root / OPINION_FILE
    path.write_text("id: [unclosed\n", encoding="utf-8")
    broken = version_of(path.read_bytes())
    result = desk.save(catalog, "opinion", draft.data, base_version=broken, author="clerk", record_id=OPINION)
    assert not result.ok
    assert [(p.path, p.severity) for p in result.problems] == [((), "error")]
    assert "无法读取" in result.problems[0].message
    assert path.read_text(encoding="utf-8") == "id: [unclosed\n"
    with pytest.raises(DraftingError, match="无法读取"):
        desk.open(catalog, OPINION)


def test_every_sample_record_saved_unchanged_stays_byte_identical(space: Workspace, catalog: Catalog) -> None:
    desk = Desk(space)
    before = _files(space.root)
    for loaded in catalog.files:
        data = loaded.document.data if loaded.document else None
        assert isinstance(data, dict)
        draft = desk.open(catalog, data["id"])
        result = desk.save(
            catalog, draft.type, draft.data, base_version=draft.version, author="clerk", record_id=draft.id
        )
        assert result.ok and result.diff == "" and result.draft is not None
        assert result.draft.version == draft.version, loaded.source
        catalog = result.catalog or catalog
    assert _files(space.root) == before
