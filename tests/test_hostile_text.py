"""Text that used to crash or print wrong: very long lists, bidi and invisible controls, missing glyphs, bad bytes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

OPINION = "records/2025/opinion-2025-01.yaml"


def _with_problems(ws: Path, count: int) -> None:
    path = ws / OPINION
    text = path.read_text(encoding="utf-8")
    start, end = text.index("problems:\n"), text.index("recommendations:")
    items = "".join(f"  - 第{n}项问题的说明。\n" for n in range(1, count + 1))
    path.write_text(text[:start] + "problems:\n" + items + text[end:], encoding="utf-8")


def test_an_opinion_with_more_than_a_thousand_problems_renders_with_chinese_numbers(
    ws: Path, renda: Callable[..., Result], tmp_path: Path
) -> None:
    import docx

    _with_problems(ws, 1005)
    assert renda("validate").exit_code == 0

    result = renda("render", "opinion-2025-01", "--format", "docx", "-o", str(tmp_path / "o"))

    # Today: IndexError in chinese_number (it stopped at 999), after validate had passed.
    assert result.exit_code == 0, result.output
    assert result.exception is None
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "o/opinion-2025-01.docx")).paragraphs]
    leads = {int(m[2]): m[1] for p in paragraphs if (m := re.match(r"^(\S+?)、第(\d+)项问题的说明。", p))}
    assert len(leads) == 1005
    # Written independently of chinese_number.
    expected = {10: "十", 110: "一百一十", 999: "九百九十九", 1000: "一千", 1001: "一千零一", 1005: "一千零五"}
    assert {n: leads[n] for n in expected} == expected


def test_an_opinion_with_more_than_a_thousand_problems_renders_to_pdf(
    ws: Path, renda: Callable[..., Result], tmp_path: Path
) -> None:
    import pdfplumber

    _with_problems(ws, 1001)

    result = renda("render", "opinion-2025-01", "-o", str(tmp_path / "o"))

    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "o/opinion-2025-01.pdf") as pdf:
        last = "".join((page.extract_text() or "") for page in pdf.pages[-3:]).replace("\n", "").replace(" ", "")
    assert "一千零一、第1001项问题的说明。" in last
