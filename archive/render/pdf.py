"""PDF through LibreOffice headless: one soffice process converts a whole batch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from archive.render.errors import RenderError

INSTALL_HINT = (
    "未找到 LibreOffice（soffice），只生成了 .docx。安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
)
TIMEOUT_PER_DOC = 30


def find_soffice() -> str | None:
    return shutil.which(os.environ.get("RENDA_SOFFICE", "soffice")) or shutil.which("libreoffice")


def convert_to_pdf(
    docx_files: list[Path], out_dir: Path, fonts_conf: Path | None, pdfa: bool = False
) -> dict[Path, Path]:
    """Convert every file in one soffice call; returns docx → pdf for the files that converted."""
    soffice = find_soffice()
    if soffice is None:
        raise RenderError(INSTALL_HINT)
    if not docx_files:
        return {}
    # blank pages LibreOffice inserts before an even-page section are real pages of an official document
    options = {
        "SelectPdfVersion": {"type": "long", "value": "2" if pdfa else "0"},
        "IsSkipEmptyPages": {"type": "boolean", "value": "false"},
    }
    target = "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))
    env = dict(os.environ)
    if fonts_conf is not None and fonts_conf.is_file():
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    with tempfile.TemporaryDirectory(prefix="renda-lo-") as profile:
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, docx_files),
        ]
        try:
            proc = subprocess.run(
                cmd,
                env=env,
                capture_output=True,
                text=True,
                timeout=60 + TIMEOUT_PER_DOC * len(docx_files),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError("LibreOffice 转换 PDF 超时") from None
    converted = {}
    for docx_file in docx_files:
        pdf = out_dir / (docx_file.stem + ".pdf")
        if pdf.is_file():
            converted[docx_file] = pdf
    if not converted:
        raise RenderError(f"LibreOffice 未能转换 PDF：{proc.stderr.strip() or proc.stdout.strip()}")
    return converted
