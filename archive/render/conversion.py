"""PDF through LibreOffice headless: a batch goes to a small pool of soffice processes, one per core."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from archive.errors import RenderError
from archive.fileio import work_folder
from archive.processes import group_dies_with_us, watch_group
from archive.progress import Progress, report

INSTALL_HINT = (
    "未找到 LibreOffice（soffice），只生成了 .docx。安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
)
TIMEOUT_PER_DOC = 30
MIN_DOCS_PER_WORKER = 4
# one soffice process quietly stops converting after about 240 documents (LibreOffice 7.4)
MAX_DOCS_PER_PROCESS = 100
POLL_SECONDS = 0.5
CONVERT_STAGE = "转换 PDF"


def find_soffice() -> str | None:
    return shutil.which(os.environ.get("RENDA_SOFFICE", "soffice")) or shutil.which("libreoffice")


def workers(count: int) -> int:
    """LibreOffice processes for a batch: one per core, each with at least a few documents to amortise its
    two-second start; ``RENDA_PDF_WORKERS`` overrides."""
    wanted = os.environ.get("RENDA_PDF_WORKERS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), max(count, 1))
    return max(1, min(os.cpu_count() or 1, count // MIN_DOCS_PER_WORKER))


def convert_to_pdf(
    docx_files: list[Path],
    out_dir: Path,
    fonts_conf: Path | None,
    pdfa: bool = False,
    processes: int | None = None,
    progress: Progress | None = None,
) -> dict[Path, Path]:
    """Convert a batch with a small pool of soffice processes (``processes``, default one per core), none
    given more than MAX_DOCS_PER_PROCESS files; returns docx → pdf for the files that converted.

    ``progress`` hears how many PDFs exist so far (polled while LibreOffice works)."""
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
    parallel = processes if processes and processes > 0 else workers(len(docx_files))
    count = max(parallel, -(-len(docx_files) // MAX_DOCS_PER_PROCESS))
    chunks = [docx_files[i::count] for i in range(count)]
    errors: list[str] = []
    # LibreOffice profiles; a killed run's are removed by the next (its soffice processes died with it)
    with work_folder(Path(tempfile.gettempdir()), "renda-lo-") as profiles:
        waiting = list(enumerate(chunks))
        while waiting:
            wave, waiting = waiting[:parallel], waiting[parallel:]
            running = [_start(soffice, Path(profiles) / str(i), target, out_dir, chunk, env) for i, chunk in wave]
            if progress is None:
                for proc, timeout in running:
                    errors.extend(_finish(proc, timeout))
            else:
                errors.extend(_finish_watching(running, docx_files, out_dir, progress))
    converted = {}
    for docx_file in docx_files:
        pdf = out_dir / (docx_file.stem + ".pdf")
        if pdf.is_file() and _complete(pdf):
            converted[docx_file] = pdf
    if len(converted) < len(docx_files):
        _check_disk(out_dir)
    if not converted:
        raise RenderError(f"LibreOffice 未能转换 PDF：{'；'.join(errors) or '没有输出'}")
    return converted


def _finish(proc: subprocess.Popen[str], timeout: int) -> list[str]:
    """Wait for one soffice process; its complaints, if any."""
    with group_dies_with_us(proc.pid):  # registered when started (see _start)
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return ["LibreOffice 转换 PDF 超时"]
    return [err.strip()] if err.strip() else []


def _finish_watching(
    running: list[tuple[subprocess.Popen[str], int]], docx_files: list[Path], out_dir: Path, progress: Progress
) -> list[str]:
    """Wait for the processes (each drained by its own thread) while reporting the PDFs written so far."""
    from concurrent.futures import ThreadPoolExecutor, wait

    def written() -> list[Path]:
        return [d for d in docx_files if (out_dir / (d.stem + ".pdf")).is_file()]

    with ThreadPoolExecutor(max_workers=len(running)) as pool:
        futures = [pool.submit(_finish, proc, timeout) for proc, timeout in running]
        while True:
            _done, pending = wait(futures, timeout=POLL_SECONDS)
            done = written()
            report(progress, CONVERT_STAGE, len(done), len(docx_files), done[-1].stem if done else "")
            if not pending:
                break
        return [message for f in futures for message in f.result()]


FULL_DISK = 16 << 20  # bytes free below which a cut-off PDF is put down to the disk, not to LibreOffice


def _complete(pdf: Path) -> bool:
    """Whether LibreOffice wrote ``pdf`` to the end (it leaves a file cut off when the disk fills up); a cut-off
    file is removed."""
    with pdf.open("rb") as handle:
        handle.seek(max(0, pdf.stat().st_size - 1024))
        if b"%%EOF" in handle.read():
            return True
    pdf.unlink()
    return False


def _check_disk(out_dir: Path) -> None:
    """LibreOffice says nothing when it cannot write a PDF: missing or cut-off PDFs on a (nearly) full disk are
    the disk's fault, an OSError for the caller to report."""
    disk = os.statvfs(out_dir)
    if disk.f_bavail * disk.f_frsize < FULL_DISK:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out_dir))


def _start(
    soffice: str, profile: Path, target: str, out_dir: Path, chunk: list[Path], env: dict[str, str]
) -> tuple[subprocess.Popen[str], int]:
    """One soffice process with its own user profile (processes lock theirs)."""
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out_dir),
        *map(str, chunk),
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, which the watchdog kills whole (no preexec_fn: threads call this)
    )
    watch_group(proc.pid)  # soffice.bin, a child of oosplash, is killed if renda dies, even by SIGKILL
    return proc, 60 + TIMEOUT_PER_DOC * len(chunk)
