"""Search that forgives (issue 17): traditional characters, sittings without their term, suggestions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from archive.search.engine import ENGINES

Renda = Callable[..., Result]


def found(run: Renda, engine: str, *query: str, limit: int = 50) -> list[str]:
    result = run("search", *query, "--engine", engine, "--limit", str(limit), "--json")
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.stdout)]


# -- traditional characters --------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("審議意見", "审议意见"), ("老舊小區改造", "老旧小区改造"), ("物業管理", "物业管理")],
)
def test_traditional_characters_find_what_the_simplified_find(
    run: Renda, engine: str, traditional: str, simplified: str
) -> None:
    expected = found(run, engine, simplified)
    assert expected  # the sample has these
    assert found(run, engine, traditional) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_a_record_in_traditional_characters_is_found_and_shown_as_written(
    run: Renda, sample: Path, engine: str
) -> None:
    path = sample / "records" / "2022" / "opinion-2022-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "老旧小区" in text
    path.write_text(text.replace("老旧小区", "老舊小區"), encoding="utf-8")

    result = run("search", '"老旧小区"', "--engine", engine, "--json", "--limit", "50")
    hits = {hit["id"]: hit for hit in json.loads(result.stdout)}
    assert "opinion-2022-01" in hits
    assert "<mark>老舊小區</mark>" in hits["opinion-2022-01"]["snippet"]  # the record's own text, marked
    assert path.read_text(encoding="utf-8").count("老舊小區") == text.count("老旧小区")  # not rewritten


# -- sittings named without their term --------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sitting_without_its_term_ranks_its_minutes_first(run: Renda, engine: str) -> None:
    hits = found(run, engine, "第十二次会议")
    assert hits[0] == "cwh-17-12"
    assert "zrh-17-20" not in hits[:1]  # the twentieth 主任会议 no longer ranks above it
    assert "cwh-17-12" in found(run, engine, "第12次会议")[:3]
    assert found(run, engine, "十二次常委会")[0] == "cwh-17-12"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_named_kind_and_a_term_filter_narrow_the_sittings(run: Renda, engine: str, sample: Path) -> None:
    assert found(run, engine, "第二十次主任会议")[0] == "zrh-17-20"
    assert "cwh-17-12" not in found(run, engine, "第十二次主任会议")
    # the twelfth sitting of term 16 exists too: newest term first, and 届:16 keeps only it
    older = sample / "records" / "2021" / "cwh-16-12.yaml"
    text = (sample / "records" / "2021" / "cwh-16-39.yaml").read_text(encoding="utf-8")
    older.write_text(
        text.replace("cwh-16-39", "cwh-16-12").replace("第三十九次", "第十二次").replace("sitting: 39", "sitting: 12"),
        encoding="utf-8",
    )
    both = found(run, engine, "第十二次会议")
    assert both[:2] == ["cwh-17-12", "cwh-16-12"]
    narrowed = found(run, engine, "第十二次会议", "--term", "16")
    assert narrowed[0] == "cwh-16-12" and "cwh-17-12" not in narrowed


# -- suggestions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("老旧小区改照", "老旧小区改造"),
        ("检查院", "检察院"),
        ("赵静瑛", "赵静英"),
        ("河长治", "河长制"),  # inside a phrase of several words, no dictionary word either way
        ("农村生活污水治里", "农村生活污水治理"),
    ],
)
def test_a_slip_gets_a_suggestion_with_what_it_would_find(run: Renda, engine: str, typed: str, meant: str) -> None:
    would_find = len(found(run, engine, meant, limit=999))
    assert would_find

    result = run("search", typed, "--engine", engine)

    assert result.exit_code == 0, result.output
    assert f"您要找的是不是：{meant}（{would_find} 条）" in result.output.splitlines()[-1]


def test_a_suggestion_does_not_replace_what_was_asked(run: Renda) -> None:
    result = run("search", "老旧小区改照", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # what was asked, found nothing: not the corrected search's hits
    assert "您要找的是不是：老旧小区改造" in result.stderr
    typo = run("search", "检查院", "--json", "--limit", "999")
    meant = run("search", "检察院", "--json", "--limit", "999")
    assert json.loads(typo.stdout) != json.loads(meant.stdout)


@pytest.mark.parametrize("query", ["物业管理", "检察院", "十七届十二次", '"老旧小区改照"', "量子计算"])
def test_no_suggestion_for_what_is_found_as_typed_or_has_no_near_word(run: Renda, query: str) -> None:
    result = run("search", query)
    assert result.exit_code == 0, result.output
    assert "您要找的是不是" not in result.output


def test_homophones_ignore_tones_and_the_retroflex_slip() -> None:
    from archive.search.suggest import homophones

    assert "察" in homophones("查")  # chá / chá
    assert "造" in homophones("照")  # zhào heard as zào
    assert "照" not in homophones("照")
