"""The .docx a clerk saves again: only the styles it uses and the office's named styles, no foreign fonts,
and a LibreOffice docx→odt→docx round trip (what a WPS/LibreOffice save does) keeps the 版记's rules and
the page margins — measured on the re-saved .docx and on its PDF by the GB/T 9704 checker."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from samples import RENDA_COMMAND, copy_sample

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

# one record of every kind: 审议意见书 (文件格式 and 信函格式), 纪要 with a 决定, 执法检查报告, 代表述职报告
RECORDS = ["opinion-2024-03", "opinion-2022-02", "cwh-17-23", "inspection-2024-01", "report-2024-d045"]
FOREIGN_FONTS = ("ＭＳ 明朝", "ＭＳ ゴシック", "Cambria", "Calibri", "Arial", "Courier", "Symbol", "맑은 고딕")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The .docx of every kind, the 催办函 and a 履职档案 included, written by the commands."""
    root = copy_sample(tmp_path_factory.mktemp("roundtrip") / "ws")
    out = root / "out"
    for command in (
        ["render", *RECORDS],
        ["track", "remind"],
        ["deputy", "profile", "d045", "--year", "2024"],
    ):
        done = subprocess.run(
            [*RENDA_COMMAND, "--root", str(root), *command, "-o", str(out), "--format", "docx"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return sorted(out.glob("*.docx"))


def _soffice(args: list[str], profile: Path, fonts: Path) -> None:
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args]
    subprocess.run(cmd, env=env, capture_output=True, check=True, timeout=600)


def test_docx_carries_only_used_and_office_styles_and_no_foreign_fonts(docs: list[Path]) -> None:
    assert len(docs) >= 7
    for path in docs:
        with zipfile.ZipFile(path) as z:
            styles = z.read("word/styles.xml").decode()
            fonts = z.read("word/fontTable.xml").decode()
        for font in FOREIGN_FONTS:
            assert f'w:name="{font}"' not in fonts, (path.name, font)
        assert "仿宋_GB2312" in fonts
        # python-docx's template brought ~150 English styles (Heading 1…9, Quote, List Bullet …)
        for unused in ("Heading1", "Quote", "ListBullet", "IntenseQuote", "MacroText", "Title"):
            assert f'w:styleId="{unused}"' not in styles, (path.name, unused)
        assert styles.count("<w:style ") < 45, path.name


@needs_soffice
@pytest.mark.slow
def test_libreoffice_round_trip_keeps_the_imprint_rules_and_the_margins(docs: list[Path], tmp_path: Path) -> None:
    from archive.conformance import check_files
    from archive.render import FONTS_CONF
    from archive.schema import builtin_dir

    fonts = builtin_dir("templates") / FONTS_CONF
    profile = tmp_path / "profile"
    odt, back, pdf = tmp_path / "odt", tmp_path / "back", tmp_path / "pdf"
    _soffice(["--convert-to", "odt", "--outdir", str(odt), *map(str, docs)], profile, fonts)
    odts = sorted(odt.glob("*.odt"))
    assert len(odts) == len(docs)
    _soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(back), *map(str, odts)], profile, fonts)
    saved = sorted(back.glob("*.docx"))
    assert len(saved) == len(docs)
    target = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    _soffice(["--convert-to", target, "--outdir", str(pdf), *map(str, saved)], profile, fonts)
    pdfs = sorted(pdf.glob("*.pdf"))
    assert len(pdfs) == len(docs)
    reports = check_files([*saved, *pdfs])
    failed = {Path(r.file).name: [f.message for f in r.errors] for r in reports if r.errors}
    assert not failed, failed
    # the 版记 keeps its three rules where it has a 抄送 line … and its two otherwise (7.4.1)
    imprints = [r for r in reports if r.file.endswith(".pdf") and (r.measures.get("colophon") or {}).get("rules")]
    assert imprints, "a 版记 with rules survives the round trip"
