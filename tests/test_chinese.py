"""Chinese numerals: written out for any count, and read back by search."""

from __future__ import annotations

import pytest

from archive.chinese import chinese_number, chinese_to_int

# Written by hand from the rules of 汉语数字 (零 for each run of missing places, 十 only at the very start).
KNOWN = {
    0: "零",
    7: "七",
    10: "十",
    15: "十五",
    20: "二十",
    99: "九十九",
    100: "一百",
    101: "一百零一",
    110: "一百一十",
    115: "一百一十五",
    999: "九百九十九",
    1000: "一千",
    1001: "一千零一",
    1010: "一千零一十",
    1011: "一千零一十一",
    1100: "一千一百",
    1234: "一千二百三十四",
    2005: "二千零五",
    9999: "九千九百九十九",
    10000: "一万",
    10001: "一万零一",
    10010: "一万零一十",
    10100: "一万零一百",
    11000: "一万一千",
    12345: "一万二千三百四十五",
    20010: "二万零一十",
    100000: "十万",
    100001: "十万零一",
    101000: "十万一千",
    110000: "十一万",
    1000000: "一百万",
    1010000: "一百零一万",
    10000000: "一千万",
    100000000: "一亿",
    100010000: "一亿零一万",
    100001000: "一亿零一千",
    110000000: "一亿一千万",
    1000000000000: "一万亿",
}


@pytest.mark.parametrize(("number", "text"), KNOWN.items())
def test_chinese_number_writes_the_usual_numeral_for_any_size(number: int, text: str) -> None:
    assert chinese_number(number) == text


@pytest.mark.parametrize(("number", "text"), KNOWN.items())
def test_chinese_to_int_reads_the_usual_numeral(number: int, text: str) -> None:
    assert chinese_to_int(text) == number


def test_every_numeral_up_to_a_hundred_thousand_reads_back_as_its_number() -> None:
    wrong = [n for n in range(100_001) if chinese_to_int(chinese_number(n)) != n]
    assert wrong == []


def test_numerals_are_all_different_up_to_a_hundred_thousand() -> None:
    assert len({chinese_number(n) for n in range(100_001)}) == 100_001


@pytest.mark.parametrize(("text", "number"), [("二〇二四", 2024), ("两千", 2000), ("一万亿零五", 10**12 + 5)])
def test_chinese_to_int_reads_other_ways_of_writing_a_number(text: str, number: int) -> None:
    assert chinese_to_int(text) == number


@pytest.mark.parametrize("text", ["", "万", "亿五", "甲", "一万一万"])
def test_chinese_to_int_refuses_what_is_not_a_number(text: str) -> None:
    assert chinese_to_int(text) is None


def test_a_negative_count_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        chinese_number(-1)
