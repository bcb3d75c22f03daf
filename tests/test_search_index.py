"""The index of a real workspace: exact phrases, secrecy, incremental updates, interruption, one writer."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import copy_sample

from archive.catalog import load_catalog
from archive.errors import SearchError
from archive.search import Filters, search_workspace, update_index
from archive.search.analysis import fold
from archive.search.engine import ENGINES
from archive.search.store import index_root, writer_lock
from archive.workspace import ConfigProblems, Workspace


@pytest.fixture(scope="module", params=ENGINES)
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The sample workspace, indexed once per engine (read-only for the tests that use it)."""
    root = copy_sample(tmp_path_factory.mktemp("sample") / "ws", request.param)
    workspace = Workspace(root)
    update_index(workspace)
    yield workspace


@pytest.fixture
def own(built: Path, tmp_path: Path) -> Workspace:
    """A private copy of the sample workspace and its (Whoosh) index, for tests that change them.

    copytree keeps modification times, so the copied index is current for the copied records.
    """
    return Workspace(Path(shutil.copytree(built, tmp_path / "ws")))


def _ids(workspace: Workspace, text: str, limit: int = 200, **filters: int | str) -> list[str]:
    result = search_workspace(workspace, text, Filters(**filters), limit=limit)  # type: ignore[arg-type]
    return [hit.id for hit in result.hits]


def _visible_records(workspace: Workspace) -> dict[str, str]:
    """id → the text the index holds, for every record the configuration lets search return."""
    from archive.search.content import index_doc

    catalog = load_catalog(workspace)
    names = {r.id: r.title for r in catalog.records if r.type == "deputy"}
    return {
        r.id: fold(index_doc(r, names, workspace.config.organs).text)
        for r in catalog.records
        if r.classification in ("公开", "内部")
    }


PHRASES = ["物业管理", "农村生活污水", "满意度测评", "赵静英", "老旧小区", "审议意见", "湖", "2024年", "食品安全法"]


@pytest.mark.parametrize("phrase", PHRASES)
def test_a_quoted_phrase_returns_exactly_the_records_containing_it(sample: Workspace, phrase: str) -> None:
    texts = _visible_records(sample)
    containing = {rid for rid, text in texts.items() if fold(phrase) in text}

    assert containing, phrase  # the sample really has the phrase
    assert set(_ids(sample, f'"{phrase}"')) == containing


RAW_PHRASES = ["物业管理", "农村生活污水", "满意度测评", "老旧小区", "食品安全法", "湖", "2024年"]


@pytest.mark.parametrize("phrase", RAW_PHRASES)
def test_a_quoted_phrase_returns_exactly_the_record_files_whose_text_contains_it(
    sample: Workspace, phrase: str
) -> None:
    """The same, counted on the YAML files as written (phrases that no deputy id stands in for)."""
    containing = set()
    for path in sample.record_files():
        text = path.read_text(encoding="utf-8")
        if phrase in text and not re.search(r"(?m)^classification: (秘密|机密)", text):
            containing.add(path.stem)
    assert containing, phrase
    assert set(_ids(sample, f'"{phrase}"')) == containing


def test_the_sample_s_internal_records_are_searchable_at_the_default_ceiling(sample: Workspace) -> None:
    assert "zrh-16-63" in _ids(sample, "主任会议")
    assert "opinion-2023-02" in _ids(sample, "审议意见", type="opinion")


def test_options_filter_like_the_query_text(sample: Workspace) -> None:
    by_option = _ids(sample, "审议意见", term=16, type="opinion")
    by_text = _ids(sample, "审议意见 届:16 类型:审议意见")
    assert by_option == by_text
    assert by_option and all(rid.startswith("opinion-2021") for rid in by_option)


def test_snippets_mark_what_matched(sample: Workspace) -> None:
    (hit, *_) = search_workspace(sample, '"农村生活污水"').hits
    marked = [text for text, match in hit.snippet if match]
    assert marked and all(fold(m) == "农村生活污水" for m in marked)
    assert "<mark>农村生活污水</mark>" in hit.as_dict()["snippet"]
    assert set(hit.as_dict()) == {"id", "type", "term", "year", "title", "score", "snippet", "source", "classification"}


def test_a_lower_ceiling_hides_internal_records_even_from_an_old_index(own: Workspace) -> None:
    assert "zrh-16-63" in _ids(own, "主任会议")
    config = own.config_path.read_text(encoding="utf-8") + "  max_classification: 公开\n"
    own.config_path.write_text(config, encoding="utf-8")
    fresh = Workspace(own.root)

    assert "zrh-16-63" not in _ids(fresh, "主任会议")
    assert "opinion-2023-02" not in _ids(fresh, "审议意见")


def test_secret_records_are_not_indexed(own: Workspace) -> None:
    path = own.records_dir / "2024" / "opinion-2024-02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("classification: 公开", "classification: 秘密"))
    report = update_index(own)

    assert report.withheld == 1
    assert "opinion-2024-02" not in _ids(own, '"农村生活污水"')
    # not even in the index files
    for file in index_root(own).rglob("*"):
        if file.is_file() and file.name != "manifest.tsv":
            assert "农村生活污水设施“建而不用”" not in file.read_bytes().decode("utf-8", "ignore")


def _edit_add_remove(workspace: Workspace) -> None:
    """Edits opinion-2024-02 (adds 紫藤湾), adds opinion-2025-09, removes opinion-2021-03."""
    edited = workspace.records_dir / "2024" / "opinion-2024-02.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("白沙镇、青石镇", "白沙镇、青石镇、紫藤湾"))
    added = workspace.records_dir / "2025" / "opinion-2025-09.yaml"
    added.write_text(
        (workspace.records_dir / "2025" / "opinion-2025-01.yaml")
        .read_text(encoding="utf-8")
        .replace("opinion-2025-01", "opinion-2025-09")
        .replace("〔2025〕1号", "〔2025〕9号")
    )
    (workspace.records_dir / "2021" / "opinion-2021-03.yaml").unlink()


@pytest.mark.parametrize("engine", ENGINES)
def test_update_touches_only_what_changed(own: Workspace, engine: str) -> None:
    first = update_index(own, engine=engine, rebuild=True)
    assert first.rebuilt and first.indexed == 157

    again = update_index(own, engine=engine)
    assert not again.changed and again.unchanged == 157

    _edit_add_remove(own)
    report = update_index(own, engine=engine)

    assert not report.rebuilt
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert report.indexed == 157
    assert _ids(own, "紫藤湾") == ["opinion-2024-02"]
    assert "opinion-2025-09" in _ids(own, "审议意见", year=2025)
    assert "opinion-2021-03" not in _ids(own, "审议意见", year=2021)


def test_a_duplicate_id_added_later_is_skipped_and_a_moved_file_keeps_its_record(own: Workspace) -> None:
    original = own.records_dir / "2024" / "opinion-2024-02.yaml"
    (own.records_dir / "2024" / "copy-of-opinion.yaml").write_bytes(original.read_bytes())
    report = update_index(own)
    (skipped,) = report.skipped
    assert skipped.source == "records/2024/copy-of-opinion.yaml" and "与另一条记录重复" in skipped.reason

    (own.records_dir / "2024" / "copy-of-opinion.yaml").unlink()
    moved = own.records_dir / "moved" / "opinion-2024-02.yaml"
    moved.parent.mkdir()
    original.rename(moved)
    report = update_index(own)
    assert (report.added, report.removed, report.indexed) == (1, 2, 157)
    assert [h.source for h in search_workspace(own, '"建而不用"').hits if h.id == "opinion-2024-02"] == [
        "records/moved/opinion-2024-02.yaml"
    ]


def test_touching_a_file_without_changing_it_changes_nothing(own: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not update_index(own).changed  # the copied index is current
    path = own.records_dir / "2024" / "opinion-2024-02.yaml"
    path.write_bytes(path.read_bytes())
    assert not update_index(own).changed

    from archive.search.store import sha256_of

    hashed: list[Path] = []

    def counted(path: Path) -> str:
        hashed.append(path)
        return sha256_of(path)

    monkeypatch.setattr("archive.search.index.sha256_of", counted)
    assert not update_index(own).changed
    assert hashed == []  # the new mtime was remembered: the file is not read again


def test_a_renamed_deputy_reindexes_the_records_that_name_them(own: Workspace) -> None:
    assert not update_index(own).changed  # the copied index is current
    path = own.records_dir / "deputies" / "d002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 赵静英", "name: 赵静颖"))
    report = update_index(own)

    assert report.rebuilt  # names decide segmentation: the whole index follows
    assert "cwh-17-21" in _ids(own, "赵静颖")


def test_search_brings_the_index_up_to_date_first(own: Workspace) -> None:
    assert not update_index(own).changed  # the copied index is current
    path = own.records_dir / "2024" / "opinion-2024-02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("白沙镇、青石镇", "白沙镇、紫藤湾"))
    result = search_workspace(own, "紫藤湾")

    assert [h.id for h in result.hits] == ["opinion-2024-02"]
    assert result.report is not None and result.report.updated == 1


def test_records_with_errors_are_skipped_with_a_reason(own: Workspace) -> None:
    bad = own.records_dir / "2025" / "opinion-2025-01.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("date: 2025-", "date: 2025-13-"), encoding="utf-8")
    report = update_index(own)

    (skipped,) = report.skipped
    assert skipped.source == "records/2025/opinion-2025-01.yaml"
    assert "records/2025/opinion-2025-01.yaml:4: date:" in skipped.reason
    assert report.indexed == 156


def test_a_build_read_by_several_processes_matches_one_read_by_one(
    own: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search.index as index_module
    from archive.search.store import MANIFEST, live_generation

    bad = own.records_dir / "2025" / "opinion-2025-01.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("date: 2025-", "date: 2025-13-"), encoding="utf-8")
    monkeypatch.setattr(index_module, "READ_CHUNK", 7)
    reports, manifests, found = [], [], []
    for workers in ("1", "2"):
        monkeypatch.setenv("RENDA_INDEX_WORKERS", workers)
        report = update_index(own, rebuild=True)
        reports.append((report.indexed, report.withheld, report.skipped))
        generation = live_generation(own, "whoosh")
        assert generation is not None
        manifests.append((generation / MANIFEST).read_bytes())
        found.append(_ids(own, "物业 OR 养老"))
    assert reports[0] == reports[1] and reports[0][0] == 156 and len(reports[0][2]) == 1
    assert manifests[0] == manifests[1]
    assert found[0] == found[1] and len(found[0]) > 5


def test_a_second_writer_is_told_to_wait(own: Workspace) -> None:
    assert not update_index(own).changed  # the copied index is current
    with writer_lock(own), pytest.raises(SearchError, match="另一个 renda 进程正在更新检索索引"):
        update_index(own)


def test_search_while_another_process_writes_uses_the_index_as_it_is(own: Workspace) -> None:
    assert not update_index(own).changed  # the copied index is current
    path = own.records_dir / "2024" / "opinion-2024-02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("白沙镇、青石镇", "白沙镇、紫藤湾"))
    with writer_lock(own):
        result = search_workspace(own, "白沙镇")
    assert result.notice and "结果可能不是最新的" in result.notice
    assert "opinion-2024-02" in [h.id for h in result.hits]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_interrupted_rebuild_leaves_the_old_index_working(
    own: Workspace, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(own, engine=engine)
    folder = index_root(own) / engine
    before = sorted(p.name for p in folder.iterdir())

    from archive.search import content

    real = content.index_doc
    calls = {"n": 0}

    def interrupted(*args: object, **kwargs: object) -> content.IndexDoc:
        calls["n"] += 1
        if calls["n"] > 20:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("archive.search.index.index_doc", interrupted)
    with pytest.raises(KeyboardInterrupt):
        update_index(own, rebuild=True, engine=engine)
    monkeypatch.undo()

    assert sorted(p.name for p in folder.iterdir()) == before  # the half-built generation is gone
    assert "opinion-2024-02" in [h.id for h in search_workspace(own, '"农村生活污水"', engine=engine).hits]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_update_interrupted_before_its_manifest_is_written_is_repaired_by_the_next(
    own: Workspace, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(own, engine=engine)
    _edit_add_remove(own)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("archive.search.index.write_replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        update_index(own, engine=engine)  # the engine committed, the manifest still describes the old files
    monkeypatch.undo()

    report = update_index(own, engine=engine)
    assert not report.rebuilt and (report.added, report.updated, report.removed) == (1, 1, 1)
    assert report.indexed == 157
    assert not update_index(own, engine=engine).changed
    ids = [h.id for h in search_workspace(own, "审议意见", engine=engine, limit=200).hits]
    assert len(ids) == len(set(ids)) and "opinion-2025-09" in ids and "opinion-2021-03" not in ids
    assert [h.id for h in search_workspace(own, "紫藤湾", engine=engine).hits] == ["opinion-2024-02"]


def test_a_rebuild_keeps_the_generation_a_reader_may_still_hold_and_drops_older_ones(own: Workspace) -> None:
    folder = index_root(own) / "whoosh"
    (first,) = [p.name for p in folder.glob("g-*")]
    update_index(own, rebuild=True)
    second = (folder / "CURRENT").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.glob("g-*")) == sorted([first, second])

    update_index(own, rebuild=True)
    third = (folder / "CURRENT").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.glob("g-*")) == sorted([second, third])


def test_a_damaged_manifest_means_a_fresh_build_not_a_crash(own: Workspace) -> None:
    (manifest,) = index_root(own).rglob("manifest.tsv")
    manifest.write_text("{not json\n", encoding="utf-8")
    report = update_index(own)

    assert report.rebuilt and report.indexed == 157
    assert "opinion-2024-02" in _ids(own, '"农村生活污水"')


def test_an_unknown_engine_in_renda_yaml_is_refused_by_validation(own: Workspace) -> None:
    own.config_path.write_text(own.config_path.read_text(encoding="utf-8").replace("engine: whoosh", "engine: lucene"))
    with pytest.raises(ConfigProblems, match=r"renda\.yaml:\d+: search\.engine: "):
        Workspace(own.root).config  # noqa: B018


def test_the_manifest_round_trips_awkward_file_names(tmp_path: Path) -> None:
    from archive.search.store import Manifest, source_of, state_line

    manifest = Manifest("whoosh", "ctx", "words", {"d001": "周振华"}, {"records/deputies/d001.yaml": ["东岭镇"]})
    manifest.add(state_line("records/2024/a.yaml", 1, 2), "ab", "a", True)
    manifest.add(state_line('records/"quoted"\ttab\nline.yaml', 3, 4), "cd", None, False)
    manifest.add(state_line('"records/odd.yaml', 5, 6), "ef", 'b"\n', True)
    (tmp_path / "m.tsv").write_bytes(manifest.to_bytes())

    read = Manifest.read(tmp_path / "m.tsv", "whoosh")
    assert read is not None
    assert (read.context, read.words, read.names, read.places) == ("ctx", "words", manifest.names, manifest.places)
    assert [source_of(s) for s in read.states] == [
        "records/2024/a.yaml",
        'records/"quoted"\ttab\nline.yaml',
        '"records/odd.yaml',
    ]
    assert (read.digests, read.flags) == (["ab", "cd", "ef"], ["1", "0", "1"])
    assert [read.record_id(row) for row in (0, 2)] == ["a", 'b"\n'] and read.ids[1] == ""
    assert read.to_bytes() == manifest.to_bytes()  # the names line is passed on as read
    assert Manifest.read(tmp_path / "m.tsv", "tantivy") is None  # another engine's manifest is not this one

    (tmp_path / "empty.tsv").write_bytes(Manifest("whoosh", "ctx", "words", {}, {}).to_bytes())
    empty = Manifest.read(tmp_path / "empty.tsv", "whoosh")
    assert empty is not None and (empty.states, empty.flags, empty.names) == ([], [], {})


def test_a_manifest_of_an_older_version_means_a_rebuild(own: Workspace) -> None:
    (manifest,) = index_root(own).rglob("manifest.tsv")
    header, rest = manifest.read_text(encoding="utf-8").split("\n", 1)
    assert '"version": 5' in header
    manifest.write_text(header.replace('"version": 5', '"version": 4') + "\n" + rest, encoding="utf-8")
    report = update_index(own)

    assert report.rebuilt and report.indexed == 157
    assert not update_index(own).changed


def test_a_truncated_manifest_means_a_rebuild(own: Workspace) -> None:
    (manifest,) = index_root(own).rglob("manifest.tsv")
    data = manifest.read_bytes()
    manifest.write_bytes(data[: len(data) // 2])
    assert update_index(own).rebuilt


def test_an_index_from_another_version_that_cannot_be_rebuilt_now_is_refused_clearly(
    own: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.search.analysis.ANALYSIS_VERSION", 999)
    with writer_lock(own), pytest.raises(SearchError, match="请运行 renda index --rebuild"):
        search_workspace(own, "物业")
    assert update_index(own).rebuilt  # once the writer is free, the next update rebuilds it


def _exit_in_child(n: int) -> int:
    if n == 3:
        os._exit(9)  # as the kernel's OOM killer would end it
    return n * n


def test_a_build_process_that_dies_is_a_clear_error_not_a_traceback() -> None:
    from archive.search.store import parallel_map

    assert parallel_map(_exit_in_child, [1, 2], processes=2) == [1, 4]
    assert parallel_map(_exit_in_child, [1, 2], processes=1) == [1, 4]
    with pytest.raises(SearchError, match="RENDA_INDEX_WORKERS=1"):
        parallel_map(_exit_in_child, [1, 2, 3, 4], processes=2)


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), ("3", 3), ("", None), ("abc", None), ("0", None), ("-2", None)]
)
def test_renda_index_workers_takes_a_positive_count_and_ignores_anything_else(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    from archive.search.store import index_processes

    monkeypatch.setenv("RENDA_INDEX_WORKERS", value)
    per_core = max(1, min(8, os.cpu_count() or 1))
    assert index_processes() == (expected if expected is not None else per_core)
