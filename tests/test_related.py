"""`renda related`: the records that raise the same problem across terms, and how the earlier ones ended."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import copy_sample

Renda = Callable[..., Result]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "ws")


def test_related_lists_the_earlier_opinion_on_the_same_problem_with_how_it_ended(run: Renda) -> None:
    result = run("related", "opinion-2025-03")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1. 澄湖区人大常委会关于区人民政府全区物业管理工作情况报告的审议意见"  # 2021, oldest first
    assert lines[1].split()[:3] == ["opinion-2021-01", "审议意见", "第16届"]
    assert "物业服务" in lines[2] and lines[2].startswith("   共同的关键词：")
    # the sample's opinion-2021-01: first report 2021-06-28, evaluated 基本满意 with 9/10/2 votes
    assert lines[3] == "   办理结果：已测评，按期报告，满意度测评：基本满意（满意 9，基本满意 10，不满意 2）"
    assert lines[-1].startswith("共 ") and "opinion-2024-04" not in result.output  # 审计整改: not the same problem


def test_related_json_and_limit(run: Renda) -> None:
    result = run("related", "opinion-2022-01", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    (only,) = json.loads(result.output)
    assert set(only) == {"id", "type", "kind", "title", "term", "date", "score", "shared", "outcome"}
    assert only["id"] in {"opinion-2024-02", "report-2023-d043"}  # both raise 农村生活污水设施运维
    assert only["shared"]


def test_recurring_lists_problem_threads_across_years(run: Renda) -> None:
    result = run("related", "--recurring", "--json")
    assert result.exit_code == 0, result.output
    threads = json.loads(result.output)
    members = [{r["id"] for r in t["records"]} for t in threads]
    assert {"opinion-2021-01", "opinion-2025-03"} in [m & {"opinion-2021-01", "opinion-2025-03"} for m in members]
    assert all(len(t["years"]) >= 2 for t in threads)
    for thread in threads:
        dates = [r["date"] for r in thread["records"]]
        assert dates == sorted(dates)
    only_2022 = json.loads(run("related", "--recurring", "--year", "2022", "--json").output)
    assert only_2022 and all(2022 in t["years"] for t in only_2022)
    assert len(only_2022) < len(threads)


def test_nothing_above_the_workspace_level_appears(run: Renda, sample: Path) -> None:
    config = sample / "renda.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "max_public_classification: 内部", "max_public_classification: 公开"
        ),
        encoding="utf-8",
    )
    path = sample / "records" / "2021" / "opinion-2021-01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("classification: 公开", "classification: 内部"), encoding="utf-8"
    )

    listed = run("related", "opinion-2025-03")
    assert listed.exit_code == 0, listed.output
    assert "opinion-2021-01" not in listed.output and "物业管理工作情况报告" not in listed.output.split("住宅小区")[0]
    threads = run("related", "--recurring")
    assert "opinion-2021-01" not in threads.output
    asked = run("related", "opinion-2021-01")
    assert asked.exit_code == 1
    assert "没有编号为“opinion-2021-01”的记录" in asked.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch-1"], "没有编号为“nosuch-1”的记录"),
        (["cwh-17-12"], "记录“cwh-17-12”是会议，只能查找"),
        ([], "请给出记录编号，或使用 --recurring"),
        (["opinion-2025-03", "--recurring"], "请给出记录编号，或使用 --recurring"),
        (["opinion-2025-03", "--year", "2024"], "--year 只能与 --recurring 同用"),
        (["opinion-2025-03", "--limit", "0"], "应为正整数"),
    ],
)
def test_bad_requests_fail_in_chinese_without_a_traceback(run: Renda, args: list[str], message: str) -> None:
    result = run("related", *args)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output


# -- the word counts remembered in .renda/related/ ------------------------------------------------------

CACHE = Path(".renda") / "related" / "words.json"


@pytest.fixture
def segmented(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts `related` segments in this test (each call of its word counter), in order."""
    import archive.related as related

    calls: list[str] = []
    count = related._words

    def counting(text: str, analyzer: object) -> object:
        calls.append(text)
        return count(text, analyzer)

    monkeypatch.setattr(related, "_words", counting)
    return calls


def test_related_segments_each_record_once_and_an_edited_one_again(
    run: Renda, sample: Path, segmented: list[str]
) -> None:
    first = run("related", "opinion-2025-03")
    assert first.exit_code == 0, first.output
    assert len(segmented) >= 20 and (sample / CACHE).is_file()  # every problem-raising record of the sample
    segmented.clear()

    again = run("related", "opinion-2025-03")
    threads = run("related", "--recurring")
    assert again.output == first.output and threads.exit_code == 0
    assert segmented == []  # nothing segmented twice

    # 审计整改 gains the 物业 problems of 2021: only that record is segmented again, and it is now related
    path = sample / "records" / "2024" / "opinion-2024-04.yaml"
    text = path.read_text(encoding="utf-8")
    earlier = (sample / "records" / "2021" / "opinion-2021-01.yaml").read_text(encoding="utf-8")
    problems = earlier.split("problems:\n", 1)[1].split("recommendations:", 1)[0]
    path.write_text(text.replace("problems:\n", "problems:\n" + problems, 1), encoding="utf-8")
    edited = run("related", "opinion-2025-03")
    assert edited.exit_code == 0, edited.output
    assert len(segmented) == 1 and "业主委员会组建率偏低" in segmented[0]
    assert "opinion-2024-04" in edited.output and "opinion-2024-04" not in first.output


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff not json", b'{"format": 1, "fingerprint": "x", "texts": []}', b"[1, 2]", b""],
    ids=["garbage", "another-fingerprint", "not-an-object", "empty"],
)
def test_a_broken_cache_is_rebuilt_without_a_traceback(run: Renda, sample: Path, content: bytes) -> None:
    expected = run("related", "opinion-2022-01")
    (sample / CACHE).write_bytes(content)

    result = run("related", "opinion-2022-01")

    assert result.exit_code == 0, result.output
    assert result.output == expected.output
    assert json.loads((sample / CACHE).read_text(encoding="utf-8"))["format"] == 1  # written again, whole


def test_cached_counts_that_make_no_sense_are_recounted(run: Renda, sample: Path, segmented: list[str]) -> None:
    expected = run("related", "opinion-2022-01")
    data = json.loads((sample / CACHE).read_text(encoding="utf-8"))
    for counts in data["texts"].values():
        for word in counts:
            counts[word] = "many"
    (sample / CACHE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    segmented.clear()

    result = run("related", "opinion-2022-01")

    assert result.exit_code == 0, result.output
    assert result.output == expected.output
    assert len(segmented) == len(data["texts"])


def test_a_new_analysis_version_recounts_every_record(
    run: Renda, segmented: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.related as related

    run("related", "opinion-2022-01")
    counted = len(segmented)
    segmented.clear()
    monkeypatch.setattr(related, "WORDS_VERSION", related.WORDS_VERSION + 1)

    result = run("related", "opinion-2022-01")

    assert result.exit_code == 0, result.output
    assert len(segmented) == counted


def test_records_above_the_workspace_level_are_never_written_to_the_cache(sample: Path) -> None:
    from archive.catalog import load_catalog
    from archive.clearance import Clearance
    from archive.related import related_records
    from archive.workspace import Workspace

    path = sample / "records" / "2024" / "opinion-2024-04.yaml"
    text = path.read_text(encoding="utf-8").replace("classification: 公开", "classification: 秘密")
    path.write_text(text.replace("problems:\n", "problems:\n  - 绝密代号青鸾工程审计整改滞后。\n", 1), encoding="utf-8")
    workspace = Workspace(sample)

    cleared = related_records(load_catalog(workspace), "opinion-2024-04", Clearance.of(workspace.config, "秘密"))

    assert isinstance(cleared, list)  # the secret record is read at 秘密 …
    cache = (sample / CACHE).read_text(encoding="utf-8")
    assert "审计整改" not in cache and "青鸾" not in cache  # … and its words are not remembered
    assert "物业服务" in cache  # the others' are
