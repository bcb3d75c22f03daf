"""The query language and the Chinese analysis under it."""

from __future__ import annotations

import pytest

from archive.chinese import chinese_number, chinese_to_int
from archive.errors import QueryError
from archive.search.analysis import Analyzer, char_positions, char_tokens, flatten, place_names
from archive.search.content import parse_sitting, sittings_in
from archive.search.query import Filters, Phrase, Sitting, Words, parse_query
from archive.search.snippet import make_snippet, plain

ANALYZER = Analyzer()


def test_precise_words_take_consecutive_positions_and_sub_words_share_their_word_s() -> None:
    tokens = ANALYZER.word_tokens("澄湖区人大常委会审议意见")
    main = [(w, p) for w, p, sub in tokens if not sub]
    subs = {(w, p) for w, p, sub in tokens if sub}

    assert [p for _, p in main] == list(range(len(main)))
    where = dict(main)
    assert "人大常委会" in where and "审议意见" in where  # the shipped dictionary keeps them whole
    assert ("常委会", where["人大常委会"]) in subs
    assert ("审议", where["审议意见"]) in subs


def test_punctuation_leaves_a_gap_so_phrases_cannot_cross_it() -> None:
    tokens = ANALYZER.word_tokens("物业，管理")
    assert [(w, p) for w, p, _ in tokens] == [("物业", 0), ("管理", 2)]
    assert char_tokens("物业，管理") == [("物业", 0), ("业", 1), ("管理", 3), ("理", 4)]


def test_workspace_words_join_the_dictionary() -> None:
    # In this context the stock dictionary splits the name 赵静/英任; the deputies' names are added at load.
    assert "赵静英" not in ANALYZER.query_words("副主任赵静英任")
    assert "赵静英" in Analyzer(("赵静英",)).query_words("副主任赵静英任")
    # Whatever the segmenter does, the bigrams hold the name.
    assert [t for t, _ in char_tokens("副主任赵静英任")][3:5] == ["赵静", "静英"]


def test_full_width_letters_and_digits_fold_to_half_width() -> None:
    assert char_tokens("ＰＭ２") == [("pm", 0), ("m2", 1), ("2", 2)]


def test_flatten_puts_gaps_and_same_position_tokens_where_a_whitespace_tokenizer_expects() -> None:
    main, rest = flatten([("人大常委会", 0), ("人大", 0), ("审议", 1), ("意见", 3)])
    assert main.split() == ["人大常委会", "审议", "■", "意见"]
    assert rest.split() == ["人大"]


def test_places_come_from_constituencies() -> None:
    assert place_names(["第41选区（东岭镇）", "湖滨街道代表小组"]) == ["东岭镇", "湖滨街道"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("十七", 17), ("二十三", 23), ("十", 10), ("一百零五", 105), ("17", 17), ("１７", 17), ("甲", None)],
)
def test_chinese_numbers(text: str, number: int | None) -> None:
    assert chinese_to_int(text) == number


@pytest.mark.parametrize(
    "text", ["第十七届人大常委会第十二次会议", "十七届十二次", "17-12", "第17届常委会第12次会议", "十七届十二次会议"]
)
def test_every_usual_name_of_a_sitting_is_the_same_sitting(text: str) -> None:
    assert parse_sitting(text) == "17-12"


@pytest.mark.parametrize("n", [1, 9, 10, 12, 17, 20, 23, 99, 100, 105, 110, 123])
def test_chinese_numerals_round_trip(n: int) -> None:
    assert chinese_to_int(chinese_number(n)) == n


def test_sittings_are_found_in_running_text_but_not_presidium_meetings() -> None:
    text = "2024年6月26日，区第十七届人大常委会第十九次会议听取了报告；第十七届人大常委会第35次主任会议决定……"
    assert sittings_in(text) == {"17-19"}
    assert sittings_in("澄湖区第十七届人民代表大会常务委员会第二十次会议通过") == {"17-20"}


def test_words_phrases_or_exclusions_and_filters() -> None:
    query = parse_query('物业管理 "老旧小区" 养老 OR 托育 -草稿 届:17 年:2024 类型:审议意见 十七届十二次')

    assert query.groups == (
        (Words("物业管理"),),
        (Phrase("老旧小区"),),
        (Words("养老"), Words("托育")),
        (Sitting("17-12", "十七届十二次"),),
    )
    assert query.excluded == (Words("草稿"),)
    assert query.filters == Filters(term=17, year=2024, type="opinion")


def test_chinese_quotes_full_width_colon_and_english_filter_names() -> None:
    query = parse_query("“农村生活污水” 届：十七 type:deputy_report year:2023")
    assert query.groups == ((Phrase("农村生活污水"),),)
    assert query.filters == Filters(term=17, year=2023, type="deputy_report")


def test_filters_alone_are_a_query() -> None:
    assert parse_query("类型:执法检查 届:16").filters == Filters(term=16, type="inspection")


def test_options_win_over_the_query_text() -> None:
    assert Filters(term=16, year=2021).merged(Filters(term=17)) == Filters(term=17, year=2021)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"物业管理', '引号"没有闭合'),
        ("“物业管理", "引号“没有闭合"),
        ("OR 物业", "应写在两个检索词之间"),
        ("物业 OR", "以 OR 结尾"),
        ("物业 OR OR 养老", "应写在两个检索词之间"),
        ("物业 - 养老", "缺少要排除的词"),
        ("-物业", "只有排除词"),
        ("", "检索式为空"),
        ("，。", "检索式为空"),
        ("届:abc", "应为届次"),
        ("年:24", "不是有效的年份"),
        ("类型:通知", "未知的记录类型“通知”"),
        ("机构:BGS 物业", "未知的筛选条件“机构:”"),
        ('""', "引号中没有可检索的文字"),
        ("物" * 501, "检索式过长"),
    ],
)
def test_malformed_queries_get_a_chinese_message(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert message in str(caught.value)


def test_a_snippet_shows_the_window_where_most_query_words_meet() -> None:
    text = "物业" + "。" * 200 + "老旧小区没有物业服务，物业管理薄弱" + "。" * 200 + "物业"
    segments = make_snippet(text, ["物业", "老旧小区"], width=40)
    shown = plain(segments, "[", "]")

    assert "[老旧小区]没有[物业]服务，[物业]管理薄弱" in shown
    assert shown.startswith("…") and shown.endswith("…")


def test_a_snippet_of_text_without_matches_is_its_beginning() -> None:
    assert plain(make_snippet("甲乙丙" * 50, ["丁"], width=10)) == "甲乙丙甲乙丙甲乙丙甲…"


def test_many_single_character_matches_stay_cheap() -> None:
    segments = make_snippet("湖" * 100_000, ["湖"], width=20)
    assert sum(1 for _, hit in segments if hit) == 20


def test_every_dictionary_word_is_indexed_where_it_starts_whatever_the_precise_cut() -> None:
    text = "检查《中华人民共和国食品安全法》实施情况，关于养老服务体系建设的审议意见书"
    tokens = ANALYZER.word_tokens(text)
    position = {w: p for w, p, sub in tokens if not sub}
    assert "安全法" in position and "食品" in position  # precise mode cut 食品/安全法 …
    assert ("食品安全", position["食品"], True) in tokens  # … and the straddling word is there too
    assert ("服务体系", position["养老服务"], True) in tokens
    assert ("审议意见", position["审议意见书"], True) in tokens


def test_full_mode_words_are_exactly_the_dictionary_words_of_the_text() -> None:
    """The offsets read off rjieba's full-mode order against a brute-force scan of every substring."""
    text = "区人大常委会听取和审议了关于农村生活污水治理和饮用水水源保护工作情况的报告，满意度测评结果为满意"
    brute = {
        (k, text[k:end])
        for k in range(len(text))
        for end in range(k + 2, len(text) + 1)
        if ANALYZER.is_dictionary_word(text[k:end])
    }
    assert set(ANALYZER._full_words(text)) == brute and len(brute) > 20


def test_char_positions_group_the_char_tokens() -> None:
    text = "物业管理，物业服务；ＰＭ２.5 业主大会业主"
    grouped: dict[str, list[int]] = {}
    for token, pos in char_tokens(text):
        grouped.setdefault(token, []).append(pos)
    assert char_positions(text) == grouped and grouped["物业"] == [0, 5] and len(grouped["业主"]) == 2
