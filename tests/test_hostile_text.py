"""Text that used to crash or print wrong: very long lists, bidi and invisible controls, missing glyphs, bad bytes."""

from __future__ import annotations

import os
import re
import shutil
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


def _set_line(ws: Path, old: str, new: str) -> None:
    path = ws / OPINION
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line_of(ws: Path, start: str) -> int:
    lines = (ws / OPINION).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


TITLE = "title: 澄湖区人大常委会关于全区养老服务工作情况报告的审议意见"


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202e", "U+202E（从右到左强制，RIGHT-TO-LEFT OVERRIDE）"),
        ("\u202d", "U+202D（从左到右强制，LEFT-TO-RIGHT OVERRIDE）"),
        ("\u200f", "U+200F（从右到左标记，RIGHT-TO-LEFT MARK）"),
        ("\u2067", "U+2067（从右到左隔离，RIGHT-TO-LEFT ISOLATE）"),
        ("\u061c", "U+061C（阿拉伯字母标记，ARABIC LETTER MARK）"),
    ],
)
def test_a_bidi_control_in_a_title_is_a_validation_error_and_the_record_is_not_rendered(
    ws: Path, renda: Callable[..., Result], tmp_path: Path, char: str, name: str
) -> None:
    _set_line(ws, TITLE, f"title: 澄湖区人大常委会关于{char}养老服务工作情况报告的审议意见")
    line = _line_of(ws, "title:")

    result = renda("validate")

    assert result.exit_code == 1
    assert f"{OPINION}:{line}: title: 含有不可见的控制字符 {name}：会使打印和显示的文字顺序颠倒" in result.output
    # Today: validate passed and the PDF printed the title reversed.
    rendered = renda("render", "opinion-2025-01", "--format", "docx", "-o", str(tmp_path / "o"))
    assert rendered.exit_code == 1
    assert not (tmp_path / "o/opinion-2025-01.docx").exists()


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\u200b", "U+200B（零宽空格"),
        ("\u200d", "U+200D（零宽连字"),
        ("\ufeff", "U+FEFF"),
        ("\u00ad", "U+00AD（软连字符"),
    ],
)
def test_an_invisible_character_in_any_text_field_is_a_validation_error_naming_the_field(
    ws: Path, renda: Callable[..., Result], char: str, code: str
) -> None:
    _set_line(ws, "  - 农村养老服务设施利用率不高", f'  - "农村养老{char}服务设施利用率不高')
    text = (ws / OPINION).read_text(encoding="utf-8")
    start = text.index(f'"农村养老{char}')
    end = text.index("\n", start)
    (ws / OPINION).write_text(text[:end] + '"' + text[end:], encoding="utf-8")
    line = _line_of(ws, f'  - "农村养老{char}')

    result = renda("validate")

    assert result.exit_code == 1, result.output
    assert f"{OPINION}:{line}: problems[0]: 含有不可见的控制字符 {code}" in result.output
    assert "打印时看不见" in result.output


def _fc_covers(code: int) -> bool:
    """Whether any installed font covers the code point, asked of fontconfig directly."""
    found = subprocess.run(["fc-list", f":charset={code:x}", "family"], capture_output=True, text=True, check=True)
    return bool(found.stdout.strip())


needs_fontconfig = pytest.mark.skipif(not shutil.which("fc-list"), reason="fontconfig (fc-list) is not installed")


@needs_fontconfig
def test_characters_no_installed_font_covers_are_a_warning_at_validate(ws: Path, renda: Callable[..., Result]) -> None:
    rare = ["\U0002a6a5", "\U0003134f"]
    assert not any(_fc_covers(ord(ch)) for ch in rare), "this machine has a font for them: the test cannot tell"
    assert _fc_covers(ord("养"))
    _set_line(ws, TITLE, f"title: 澄湖区人大常委会关于{rare[0]}全区养老服务工作情况报告的审议意见{rare[1]}")
    line = _line_of(ws, "title:")

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert (
        f"{OPINION}:{line}: 警告：title: 没有任何已安装的字体能显示字符 “{rare[0]}”（U+2A6A5）、“{rare[1]}”（U+3134F）"
    ) in result.output
    assert "1 个警告" in result.output
    strict = renda("validate", "--strict")
    assert strict.exit_code == 1


def test_the_sample_records_have_no_hidden_characters_and_print_with_installed_fonts(
    renda: Callable[..., Result],
) -> None:
    result = renda("validate")

    assert result.exit_code == 0
    assert "没有发现问题" in result.output
