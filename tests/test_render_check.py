"""`renda render` measures what it makes: every PDF goes through the GB/T 9704 checker; a 规定 error fails the
record (exit 1, the clause named, the file kept), and `renda archive build` refuses to pack such an item."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import Result
from docx.oxml.ns import qn

from archive.schema import builtin_dir

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def _template_without_imprint_rules(ws: Path) -> None:
    """The workspace's own opinion.docx: the built-in one with the 版记's rules (paragraph borders) removed."""
    document = docx.Document(str(builtin_dir("templates") / "opinion.docx"))
    removed = 0
    for border in list(document.element.body.iter(qn("w:pBdr"))):
        style = border.getparent().find(qn("w:pStyle"))
        if style is not None and style.get(qn("w:val")) == "GwImprint":
            border.getparent().remove(border)
            removed += 1
    assert removed == 3  # 抄送 (top and middle rule), 印发 (last rule); 印发 alone (both)
    (ws / "templates").mkdir(exist_ok=True)
    document.save(str(ws / "templates" / "opinion.docx"))


@needs_soffice
def test_render_fails_a_pdf_that_breaks_a_rule_naming_the_clause_and_keeps_the_file(
    ws: Path, renda: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    good = renda("render", "opinion-2025-01", "-o", str(out))
    assert good.exit_code == 0, good.output
    assert "共生成 2 个文件，0 个失败" in good.output

    _template_without_imprint_rules(ws)
    result = renda("render", "opinion-2025-01", "-o", str(out))

    assert result.exit_code == 1, result.output
    assert "records/2025/opinion-2025-01.yaml: 错误：opinion-2025-01.pdf 不符合 GB/T 9704-2012" in result.output
    assert "版记没有分隔线（GB/T 9704-2012 7.4.1 版记中的分隔线，规定）" in result.output
    assert "文件已保留以便检查，不能作为正式文件印发" in result.output
    assert "1 个失败" in result.output
    assert (out / "opinion-2025-01.pdf").is_file()
    assert "Traceback" not in result.output


@needs_soffice
def test_archive_build_refuses_an_item_whose_pdf_does_not_conform(
    ws: Path, renda: Callable[..., Result], tmp_path: Path
) -> None:
    _template_without_imprint_rules(ws)

    result = renda("archive", "build", "2025", "-o", str(tmp_path / "archive"))

    assert result.exit_code == 1, result.output
    assert "records/2025/opinion-2025-01.yaml" in result.output
    assert "7.4.1" in result.output and "版记没有分隔线" in result.output
    assert "归档未进行" in result.output
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").iterdir())
    assert "Traceback" not in result.output
