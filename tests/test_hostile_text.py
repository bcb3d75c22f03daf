"""Text that used to crash or print wrong: very long lists, bidi and invisible controls, missing glyphs, bad bytes."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import RENDA_COMMAND

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


def _renda_bytes(ws: Path, *args: str | bytes) -> subprocess.CompletedProcess[str]:
    """The installed command with raw bytes in argv, in a UTF-8 locale (as a shell passes $(printf '\\xb8\\xc4'))."""
    env = {k: v for k, v in os.environ.items() if k not in ("RENDA_ROOT", "LANG", "LANGUAGE") and k[:3] != "LC_"}
    env.update(LC_ALL="C.UTF-8", PYTHONUTF8="1")
    command = [*RENDA_COMMAND, "--root", str(ws), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd=ws)


GBK_GAI = "改".encode("gbk")  # b"\xb8\xc4": not UTF-8


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["search", GBK_GAI], "第 4 个参数“\\xb8\\xc4”"),
        (["search", b"\xe5\x85\xb3" + GBK_GAI], "第 4 个参数“关\\xb8\\xc4”"),
        (["list", b"--type=" + GBK_GAI], "第 4 个参数“--type=\\xb8\\xc4”（选项 --type 的值）"),
        (["render", "--format", "docx", "-o", GBK_GAI, "--all"], "第 7 个参数“\\xb8\\xc4”"),
        ([GBK_GAI], "第 3 个参数“\\xb8\\xc4”"),
    ],
)
def test_an_argument_that_is_not_text_in_the_locale_is_refused_with_a_chinese_message(
    ws: Path, args: list[str | bytes], named: str
) -> None:
    before = sorted(p.name for p in ws.iterdir())

    result = _renda_bytes(ws, *args)

    # Today: UnicodeEncodeError … surrogates not allowed, with a traceback.
    assert "Traceback" not in result.stderr
    assert "surrogates" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert f"错误：{named}不是有效的 UTF-8 文本" in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in ws.iterdir()) == before


def test_valid_utf8_arguments_still_reach_the_command(ws: Path) -> None:
    result = _renda_bytes(ws, "search", "改".encode())

    assert result.returncode == 0, result.stderr
    assert "条结果" in result.stdout
