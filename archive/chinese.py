"""Chinese numerals and dates as official documents write them (第十七届, 2024年5月6日)."""

from __future__ import annotations

import datetime as dt

DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
# Each big unit with the value below which the part after it needs a 零 (一万零一十, 一亿零五万).
_BIG_UNITS = ((10**8, "亿"), (10**4, "万"))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 110 → 一百一十, 1001 → 一千零一, 10010 → 一万零一十, 100000 → 十万; any size."""
    if n < 0:
        raise ValueError(f"chinese_number takes a count, not {n}")
    return _number(n, leading=True)


def _number(n: int, *, leading: bool) -> str:
    for unit, name in _BIG_UNITS:
        if n >= unit:
            high, low = divmod(n, unit)
            text = _number(high, leading=leading) + name
            if low:
                text += ("零" if low < unit // 10 else "") + _number(low, leading=False)
            return text
    return _section(n, leading=leading)


def _section(n: int, *, leading: bool) -> str:
    """0–9999; the ``一`` of ``一十`` is dropped only at the very start of the numeral (十五, 十万; 一百一十)."""
    if n < 10:
        return DIGITS[n]
    text, pending_zero = "", False
    for unit, name in _SMALL_UNITS:
        digit, n = divmod(n, unit)
        if digit:
            text += ("零" if pending_zero else "") + DIGITS[digit] + name
            pending_zero = False
        elif text:
            pending_zero = True
    if n:
        text += ("零" if pending_zero else "") + DIGITS[n]
    if leading and text.startswith("一十"):
        text = text[1:]
    return text


def date_text(day: dt.date | None) -> str:
    """2024年5月6日 (no zero padding, as GB/T 9704 writes 成文日期); empty for no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


_READ_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_READ_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_to_int(text: str) -> int | None:
    """``十七`` → 17, ``一百零五`` → 105, ``一万零一十`` → 10010, ``二〇二四`` → 2024, ``17`` → 17; None when it is
    not a number. Reads whatever :func:`chinese_number` writes."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if len(text) > 1 and all(ch in _READ_DIGITS for ch in text):  # 二〇二四: digit by digit
        return int("".join(str(_READ_DIGITS[ch]) for ch in text))
    return _read_big(text)


def _read_big(text: str) -> int | None:
    # 一万亿 is (一万)亿: split at the last big unit, the part before it is a number of its own
    # (any size before 亿, below 一万 before 万).
    for unit, name, most in ((10**8, "亿", None), (10**4, "万", 10**4)):
        if name in text:
            head, _, tail = text.rpartition(name)
            high = _read_big(head) if head else None
            low = _read_big(tail) if tail else 0
            if not high or low is None or low >= unit or (most and high >= most):
                return None
            return high * unit + low
    return _read_section(text)


def _read_section(text: str) -> int | None:
    if not text:
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _READ_DIGITS:
            current = _READ_DIGITS[ch]
        elif ch in _READ_UNITS:
            total += (current or 1) * _READ_UNITS[ch]
            current = 0
        else:
            return None
    return total + current
