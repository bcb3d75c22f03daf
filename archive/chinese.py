"""Chinese numerals and dates as official documents write them (第十七届, 2024年5月6日)."""

from __future__ import annotations

import datetime as dt

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五, 110 → 一百一十 (up to 999)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 10 else chinese_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return DIGITS[n // 100] + "百" + tail


def date_text(day: dt.date | None) -> str:
    """2024年5月6日 (no zero padding, as GB/T 9704 writes 成文日期); empty for no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
