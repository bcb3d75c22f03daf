"""One walk of records/ for every command: symbolic links under records/ and ``source_file.file`` paths
that leave the workspace are reported as problems and skipped, the same way by validate, list, render,
index, search and archive (issue 16 item 11).  Each test works in a scratch copy of the sample."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import copy_sample

import cli


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def _ids_on_disk(root: Path, skip: str = "\0") -> set[str]:
    """The ids of the real record files (read with os.walk, which does not follow links), except under ``skip``."""
    ids = set()
    for folder, _dirs, files in os.walk(root / "records"):
        for name in files:
            path = Path(folder) / name
            if name.endswith(".yaml") and not path.is_symlink() and skip not in path.as_posix():
                found = re.search(r"(?m)^id: (\S+)$", path.read_text(encoding="utf-8"))
                assert found, path
                ids.add(found.group(1))
    return ids


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "ws")


def _no_traceback(*results: Result) -> None:
    for result in results:
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output and "Errno" not in result.output, result.output


def test_a_symlink_loop_and_a_link_to_a_parent_folder_are_reported_and_every_command_still_works(
    sample: Path,
) -> None:
    expected_ids = _ids_on_disk(sample)
    (sample / "records/2024/up").symlink_to("..")  # `ln -s .. up`: today index and every search fail with ELOOP
    (sample / "records/2023/a").symlink_to("b")
    (sample / "records/2023/b").symlink_to("a")
    up = "records/2024/up: 符号链接指向其上级目录（..），会构成循环，已跳过"
    loop_a = "records/2023/a: 符号链接构成循环（b），已跳过"
    loop_b = "records/2023/b: 符号链接构成循环（a），已跳过"

    validate = _run(sample, "validate")
    index = _run(sample, "index")
    search = _run(sample, "search", "物业管理", "--json")
    listed = _run(sample, "list", "--json")
    check = _run(sample, "archive", "build", "2024", "--check")
    track = _run(sample, "track")
    new = _run(sample, "new", "opinion", "--date", "2024-12-20")

    _no_traceback(validate, index, search, listed, check, track, new)
    assert validate.exit_code == 1
    for line in (up, loop_a, loop_b):
        assert line in validate.output.splitlines()
        assert f"警告：{line}" in index.output.splitlines()
        assert line in check.output
    assert "检查了 158 个文件、157 条记录：3 个错误，0 个警告。" in validate.output
    assert index.exit_code == 0 and f"共收录 {len(expected_ids)} 条记录" in index.output
    assert search.exit_code == 0 and json.loads(search.stdout), search.output
    assert listed.exit_code == 0
    assert {row["id"] for row in json.loads(listed.stdout)} == expected_ids
    assert "警告：跳过了 3 个符号链接；运行 renda validate 查看详情。" in listed.stderr
    assert check.exit_code == 1 and "不能归档" in check.output
    assert track.exit_code == 0 and "跳过了 3 个符号链接，未计入；运行 renda validate 查看详情" in track.output
    taken = max(int(i.rsplit("-", 1)[1]) for i in expected_ids if i.startswith("opinion-2024-"))
    assert new.exit_code == 0 and f"opinion-2024-{taken + 1:02d}" in new.output


def test_a_symlinked_folder_inside_the_workspace_is_skipped_by_every_command_alike(sample: Path) -> None:
    # Today the index reads records/2024 through the link while validate, list, render and archive do not see it.
    (sample / "extra").mkdir()
    (sample / "records/2024").rename(sample / "extra/2024")
    (sample / "records/2024").symlink_to("../extra/2024")
    expected_ids = _ids_on_disk(sample)  # the real files under records/, without extra/2024
    line = (
        "records/2024: 符号链接指向工作区内的 extra/2024，renda 不跟随符号链接，已跳过；"
        "请把记录文件直接放在 records/ 下"
    )

    validate = _run(sample, "validate")
    listed = _run(sample, "list", "--json")
    index = _run(sample, "index", "--json")
    search = _run(sample, "search", "审议意见", "--json", "--limit", "100")
    render = _run(sample, "render", "opinion-2024-01", "--format", "docx", "-o", str(sample / "o"))
    check = _run(sample, "archive", "build", "2024", "--check")

    _no_traceback(validate, listed, index, search, render, check)
    assert validate.exit_code == 1 and line in validate.output.splitlines()
    assert {row["id"] for row in json.loads(listed.stdout)} == expected_ids
    assert index.exit_code == 0
    report = json.loads(index.stdout)
    assert report["indexed"] == len(expected_ids)
    assert {"source": "records/2024", "reason": line.split(": ", 1)[1]} in report["skipped"]
    hits = json.loads(search.stdout)
    assert hits and all(h["id"] in expected_ids and not h["source"].startswith("records/2024/") for h in hits)
    assert render.exit_code == 1 and "找不到记录“opinion-2024-01”" in render.output
    assert not (sample / "o").exists()
    assert check.exit_code == 1 and line in check.output


def test_a_symlink_to_a_record_outside_the_workspace_is_neither_read_rendered_indexed_nor_archived(
    sample: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "opinion-2024-01.yaml"
    outside.parent.mkdir()
    (sample / "records/2024/opinion-2024-01.yaml").rename(outside)
    (sample / "records/2024/opinion-2024-01.yaml").symlink_to(outside)
    line = f"records/2024/opinion-2024-01.yaml: 符号链接指向工作区之外（{outside}），已跳过"

    validate = _run(sample, "validate")
    render = _run(sample, "render", "opinion-2024-01", "--format", "docx", "-o", str(sample / "o"))
    listed = _run(sample, "list", "--json")
    index = _run(sample, "index")
    search = _run(sample, "search", "opinion-2024-01", "--json")
    check = _run(sample, "archive", "build", "2024", "--check")

    _no_traceback(validate, render, listed, index, search, check)
    assert validate.exit_code == 1 and line in validate.output.splitlines()
    # today: rendered from the outside file, and archived with an absolute source path
    assert render.exit_code == 1
    assert (
        f"记录 records/2024/opinion-2024-01.yaml 有错误，无法生成：符号链接指向工作区之外（{outside}），已跳过；"
        "请先运行 renda validate"
    ) in render.output
    assert not (sample / "o").exists()
    rows = json.loads(listed.stdout)
    assert "opinion-2024-01" not in {r["id"] for r in rows}
    assert all(r["source"].startswith("records/") for r in rows)
    assert f"警告：{line}" in index.output.splitlines()
    assert search.exit_code == 0 and all(h["id"] != "opinion-2024-01" for h in json.loads(search.stdout))
    assert check.exit_code == 1 and line in check.output
    assert str(outside) not in check.output.replace(line, "")


def test_a_symlink_to_a_file_that_is_no_record_is_ignored_like_any_other_file(sample: Path) -> None:
    (sample / "records/2024/notes.txt").symlink_to("/etc/hostname")

    validate = _run(sample, "validate")

    assert validate.exit_code == 0, validate.output
    assert "没有发现问题" in validate.output


DOCUMENT = """\
id: document-2022-01
type: document
term: 17
date: '2022-08-30'
title: 区人大常委会听取上半年预算执行情况报告
classification: 公开
status: final
issuer: 澄湖区人大常委会财政经济工作委员会
source_file:
  file: {file}
  sha256: {sha256}
body:
- 区第十七届人大常委会第七次会议听取和审议了区人民政府关于2022年上半年预算执行情况的报告。
"""


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "link"])
def test_a_source_file_outside_the_workspace_is_a_validation_error_and_never_archived(
    sample: Path, tmp_path: Path, how: str
) -> None:
    secret = tmp_path / "elsewhere" / "secret.pdf"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF-1.4 not for the archive\n")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()  # today: the hash matches, so validate passes
    if how == "dot-dot":
        reference = os.path.relpath(secret, sample)
        assert reference.startswith("../")
    elif how == "absolute":
        reference = str(secret)
    else:
        reference = "records/2022/document-2022-01.pdf"
        (sample / reference).symlink_to(secret)
    (sample / "records/2022/document-2022-01.yaml").write_text(
        DOCUMENT.format(file=reference, sha256=digest), encoding="utf-8"
    )
    line = (
        f"records/2022/document-2022-01.yaml:10: source_file.file: 原始文件路径 {reference} 指向工作区之外，未读取；"
        "应为相对于工作区根目录的路径"
    )

    validate = _run(sample, "validate")
    render = _run(sample, "render", "document-2022-01", "--format", "docx", "-o", str(sample / "o"))
    check = _run(sample, "archive", "build", "2022", "--check")

    _no_traceback(validate, render, check)
    assert validate.exit_code == 1 and line in validate.output.splitlines()
    assert render.exit_code == 1 and "记录 records/2022/document-2022-01.yaml 有错误，无法生成" in render.output
    assert check.exit_code == 1 and line in check.output


def test_a_source_file_inside_the_workspace_with_its_hash_validates(sample: Path) -> None:
    # the control for the test above: the same record, its PDF beside it
    pdf = sample / "records/2022/document-2022-01.pdf"
    pdf.write_bytes(b"%PDF-1.4 kept beside the record\n")
    (sample / "records/2022/document-2022-01.yaml").write_text(
        DOCUMENT.format(file="records/2022/document-2022-01.pdf", sha256=hashlib.sha256(pdf.read_bytes()).hexdigest()),
        encoding="utf-8",
    )

    validate = _run(sample, "validate")

    assert validate.exit_code == 0, validate.output


def test_new_draft_report_and_import_do_not_write_a_record_through_a_linked_folder(
    sample: Path, tmp_path: Path
) -> None:
    # today `renda new` writes the record into the folder the link points at, outside the workspace
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (sample / "records/2026").symlink_to(elsewhere)
    (sample / "records/2024").rename(elsewhere / "2024")
    (sample / "records/2024").symlink_to(elsewhere / "2024")
    (sample / "records/2022").rename(elsewhere / "2022")
    (sample / "records/2022").symlink_to(elsewhere / "2022")
    before = sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*"))

    new = _run(sample, "new", "opinion", "--date", "2026-03-01")
    draft = _run(sample, "deputy", "draft-report", "d035", "--year", "2024")
    imported = _run(sample, "import", str(Path(__file__).parent / "fixtures/pdf/article-budget.pdf"))

    _no_traceback(new, draft, imported)
    for result, link, what in (
        (new, "records/2026", "新记录"),
        (draft, "records/2024", "新记录"),
        (imported, "records/2022", "导入的记录"),
    ):
        assert result.exit_code == 1, result.output
        assert f"{link} 是符号链接，renda 不会把{what}写到链接指向的位置；请先运行 renda validate" in result.output
    assert sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*")) == before
