"""`renda index` and `renda search` as a clerk meets them."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import RENDA_COMMAND

from archive.search.store import writer_lock
from archive.workspace import Workspace

Renda = Callable[..., Result]


def test_index_reports_what_it_did_then_that_nothing_changed(run: Renda, sample: Path) -> None:
    shutil.rmtree(sample / ".renda")
    first = run("index")
    assert first.exit_code == 0, first.output
    assert "检索索引已重新建立（whoosh）；共收录 157 条记录" in first.output

    again = run("index")
    assert "检索索引已是最新（whoosh）；共收录 157 条记录" in again.output

    path = sample / "records" / "2024" / "opinion-2024-02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("白沙镇", "白沙镇、紫藤湾"), encoding="utf-8")
    third = run("index", "--json")
    report = json.loads(third.output)
    assert (report["added"], report["updated"], report["removed"], report["rebuilt"]) == (0, 1, 0, False)


def test_index_rebuild_and_engine_option(run: Renda) -> None:
    result = run("index", "--rebuild", "--engine", "tantivy")
    assert result.exit_code == 0, result.output
    assert "检索索引已重新建立（tantivy）" in result.output


def test_a_long_build_says_it_has_started_on_stderr(run: Renda, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.search.index as index_module

    monkeypatch.setattr(index_module, "NOTIFY_FILES", 10)
    result = run("index", "--rebuild", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["indexed"] == 157  # stdout stays JSON
    assert "正在建立检索索引：157 个记录文件" in result.stderr
    quiet = run("index")
    assert "正在建立" not in quiet.output  # nothing to build, nothing announced


def test_search_lists_ranked_hits_with_snippets(run: Renda) -> None:
    result = run("search", "物业管理", "--limit", "3")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. ")
    assert lines[1].split()[0] in {"opinion-2025-03", "opinion-2021-01", "suggestion-2021-008"}
    assert "物业管理" in lines[2]
    assert lines[-1] == "共 3 条结果。"


def test_search_json_has_the_documented_keys(run: Renda) -> None:
    result = run("search", '"农村生活污水"', "--json", "--type", "审议意见")
    hits = json.loads(result.output)

    documented = {"id", "type", "term", "year", "title", "score", "snippet", "source", "classification"}
    assert hits and all(set(h) == documented for h in hits)
    assert {h["type"] for h in hits} == {"opinion"}
    assert all(h["source"].startswith("records/") and "<mark>农村生活污水</mark>" in h["snippet"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_internal_records_say_so_in_the_result_list(run: Renda) -> None:
    result = run("search", "主任会议", "届:16", "--limit", "20")
    line = next(ln for ln in result.output.splitlines() if ln.strip().startswith("zrh-16-63 "))
    assert line.split()[-2] == "内部"
    assert all(ln.split()[-2] != "内部" for ln in result.output.splitlines() if ln.strip().startswith("zrh-16-58 "))


def test_search_options_filter(run: Renda) -> None:
    hits = json.loads(run("search", "审议意见", "--term", "16", "--year", "2021", "--json").output)
    assert hits and all(h["term"] == 16 and h["year"] == 2021 for h in hits)


def test_a_word_to_exclude_is_not_taken_for_an_option(run: Renda) -> None:
    with_it = json.loads(run("search", "物业", "--json", "--limit", "50").output)
    without = json.loads(run("search", "物业", "-老旧小区", "--json", "--limit", "50").output)
    assert 0 < len(without) < len(with_it)
    assert all("老旧小区" not in h["snippet"] for h in without)


def test_a_mistyped_option_is_still_a_usage_error(run: Renda) -> None:
    result = run("search", "物业", "--limt", "3")
    assert result.exit_code == 2
    assert "没有选项 --limt" in result.output


def test_a_bad_limit_is_a_usage_error_in_chinese(sample: Path) -> None:
    # through the console script: main() is what translates click's usage errors
    done = subprocess.run(
        [*RENDA_COMMAND, "--root", str(sample), "search", "物业", "--limit", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "错误：--limit 的值无效：应为正整数，实际为 0" in done.stderr


def test_search_with_nothing_found_says_so(run: Renda) -> None:
    result = run("search", "量子计算")
    assert result.exit_code == 0
    assert result.output.strip() == "没有找到符合条件的记录。"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"物业'], '引号"没有闭合'),
        (["物业", "OR"], "检索式以 OR 结尾"),
        (["-物业"], "只有排除词"),
        (["届:十七届啊"], "应为届次"),
        (["物业", "--type", "通知"], "未知的记录类型“通知”"),
    ],
)
def test_malformed_searches_fail_with_a_chinese_message_and_no_traceback(
    run: Renda, args: list[str], message: str
) -> None:
    result = run("search", *args)
    assert result.exit_code == 1
    assert result.output.startswith("错误：")
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_second_index_writer_gets_a_clear_message(run: Renda, sample: Path) -> None:
    with writer_lock(Workspace(sample)):
        result = run("index")
    assert result.exit_code == 1
    assert "错误：另一个 renda 进程正在更新检索索引" in result.output


def test_search_without_an_index_and_with_the_writer_busy_fails_clearly(run: Renda, sample: Path) -> None:
    shutil.rmtree(sample / ".renda" / "index" / "whoosh")
    with writer_lock(Workspace(sample)):
        result = run("search", "物业")
    assert result.exit_code == 1
    assert "另一个 renda 进程正在更新检索索引" in result.output


@pytest.mark.parametrize(
    ("alias", "kind"),
    [
        ("纪要", "meeting"),
        ("会议纪要", "meeting"),
        ("述职", "deputy_report"),
        ("审议意见", "opinion"),
        ("meeting", "meeting"),
    ],
)
def test_list_and_search_take_the_same_type_names(run: Renda, alias: str, kind: str) -> None:
    listed = run("list", "--type", alias, "--json")
    found = run("search", "人大", "--type", alias, "--limit", "100", "--json")

    assert listed.exit_code == 0, listed.output
    assert found.exit_code == 0, found.output
    listed_ids = {r["id"] for r in json.loads(listed.output) if r["type"] == kind}
    hits = json.loads(found.output)
    assert listed_ids and len(listed_ids) == len(json.loads(listed.output))
    assert hits and {h["type"] for h in hits} == {kind}
    assert {h["id"] for h in hits} <= listed_ids


def test_list_and_search_refuse_an_unknown_type_with_the_same_words(run: Renda) -> None:
    listed = run("list", "--type", "决议")
    found = run("search", "人大", "--type", "决议")

    expected = "未知的记录类型“决议”，可用：meeting/会议、opinion/审议意见、inspection/执法检查、deputy_report/代表述职"
    assert listed.exit_code == 2 and expected in listed.output
    assert found.exit_code == 1 and expected in found.output
