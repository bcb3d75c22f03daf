"""Text that used to crash or print wrong: very long lists, bidi and invisible controls, missing glyphs, bad bytes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import RENDA_COMMAND, copy_starter

import cli

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
    # the problems are numbered （一）（二）… under 二、存在的问题 (GB/T 9704 7.3.3)
    leads = {int(m[2]): m[1] for p in paragraphs if (m := re.match(r"^（(\S+?)）第(\d+)项问题的说明。", p))}
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
    assert "（一千零一）第1001项问题的说明。" in last


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
    assert "有错误，无法生成" in rendered.output and "请先运行 renda validate" in rendered.output
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


RARE = ("\U0002a6a5", "\U0003134f")  # 𪚥, 𱍐: CJK Extensions B and G


@pytest.fixture(scope="module")
def rare_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter opinion with 𪚥 and 𱍐 in its title, rendered to .docx and PDF (validate only warns)."""
    if not shutil.which("fc-list") or any(_fc_covers(ord(ch)) for ch in RARE):
        pytest.skip("needs fontconfig and no installed font covering U+2A6A5 and U+3134F")
    root = tmp_path_factory.mktemp("rare")
    ws = copy_starter(root / "ws")
    _set_line(ws, TITLE, f"title: 澄湖区人大常委会关于{RARE[0]}全区养老服务工作情况报告的审议意见{RARE[1]}")
    result = CliRunner().invoke(cli.cli, ["--root", str(ws), "render", "opinion-2025-01", "-o", str(root / "out")])
    if not (root / "out/opinion-2025-01.pdf").exists():
        pytest.skip("LibreOffice is not installed")
    # render measures what it writes: the box drawn for 𪚥 fails the document, the files are kept
    assert result.exit_code == 1, result.output
    assert f"第 1 页：字符 “{RARE[0]}”（U+2A6A5）印成了方框" in result.output
    assert "文件已保留以便检查，不能作为正式文件印发" in result.output
    return root / "out"


def test_check_finds_the_characters_the_pdf_prints_as_boxes_or_drops_and_names_them_and_the_page(
    rare_render: Path, renda: Callable[..., Result]
) -> None:
    result = renda("check", str(rare_render / "opinion-2025-01.pdf"))

    # Today: “符合，0 个警告”, while page 1 shows a box for 𪚥 and nothing at all for 𱍐.
    assert result.exit_code == 1, result.output
    assert "符合" not in result.output
    assert "[错误] 第 1 页：字符 “" in result.output
    assert "电子文件可用性（GB/T 18894-2016）" in result.output
    [report] = json.loads(renda("check", "--json", str(rare_render / "opinion-2025-01.pdf")).output)
    named = {
        code for f in report["errors"] if f["rule"] == "glyphs_missing" and f["page"] == 1 for code in f["measured"]
    }
    assert named == {"U+2A6A5", "U+3134F"}


def test_check_sees_the_box_libreoffice_draws_for_a_character_its_font_lacks(
    rare_render: Path, renda: Callable[..., Result]
) -> None:
    import pdfplumber

    with pdfplumber.open(rare_render / "opinion-2025-01.pdf") as pdf:
        printed = "".join(page.extract_text() or "" for page in pdf.pages)
    if RARE[0] not in printed:
        pytest.skip("this LibreOffice drops the character instead of drawing .notdef for it")

    result = renda("check", str(rare_render / "opinion-2025-01.pdf"))

    # The text layer says 𪚥, so copying text shows nothing wrong; the glyph drawn is the font's .notdef box.
    assert f"第 1 页：字符 “{RARE[0]}”（U+2A6A5）印成了方框：嵌入字体 " in result.output
    assert "中没有它的字形（.notdef）" in result.output


def test_check_of_the_docx_names_the_characters_no_installed_font_covers(
    rare_render: Path, renda: Callable[..., Result]
) -> None:
    result = renda("check", "--json", str(rare_render / "opinion-2025-01.docx"))

    assert result.exit_code == 1
    [report] = json.loads(result.output)
    [finding] = [f for f in report["errors"] if f["rule"] == "glyphs_missing"]
    assert finding["measured"] == ["U+2A6A5", "U+3134F"]
    assert "没有任何已安装的字体能显示字符" in finding["message"]


def test_check_finds_glyphs_that_map_to_no_character(rare_render: Path, renda: Callable[..., Result]) -> None:
    import pikepdf

    # The title's font without its character map: pdfminer then reads each glyph as (cid:N).
    lone = rare_render.parent / "lone"
    lone.mkdir()
    with pikepdf.open(rare_render / "opinion-2025-01.pdf") as pdf:
        fonts = pdf.pages[0].Resources.Font
        stripped = [name for name, font in fonts.items() if "SemiBold" in str(font.get("/BaseFont"))]
        assert stripped
        for name in stripped:
            del fonts[name]["/ToUnicode"]
        pdf.save(lone / "opinion.pdf")

    result = renda("check", "--json", str(lone / "opinion.pdf"))

    assert result.exit_code == 1
    [report] = json.loads(result.output)
    missing = [f for f in report["errors"] if f["rule"] == "glyphs_missing"]
    assert [f["page"] for f in missing] == [1]
    assert "个字形没有对应的字符" in missing[0]["message"]
    assert report["measures"]["dropped_characters"] is None  # no .docx beside it to compare with


def test_check_of_a_pdf_whose_docx_prints_whole_finds_nothing_missing(ws: Path, renda: Callable[..., Result]) -> None:
    out = ws / "out"
    assert renda("render", "opinion-2025-01", "-o", str(out)).exit_code == 0
    if not (out / "opinion-2025-01.pdf").exists():
        pytest.skip("LibreOffice is not installed")

    result = renda("check", "--json", str(out / "opinion-2025-01.pdf"))

    [report] = json.loads(result.output)
    assert report["measures"]["dropped_characters"] == []
    assert report["measures"]["glyphless"] is None
    assert not [f for f in report["errors"] + report["warnings"] if f["rule"] == "glyphs_missing"]
