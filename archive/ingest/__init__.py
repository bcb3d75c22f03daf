"""Importing legacy PDFs as ``document`` records.

For each PDF: read the text layer with pdfplumber (line by line, with
positions), drop running headers and page numbers, join lines that the PDF
broke inside a paragraph, detect 发文字号, title, issuing organ and date, derive
the 届 from the date, and write ``records/<year>/document-<year>-NN.yaml`` with
the PDF copied beside it (SHA-256 recorded).  What cannot be detected is left
for the clerk: "（待填写）" and status draft.  A bad file is reported and the
batch goes on; nothing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archive.catalog import PLACEHOLDER
from archive.errors import IngestError
from archive.fileio import write_new
from archive.glyphs import is_hidden
from archive.ingest.extraction import Extracted, Line, extract, read_pdf_lines
from archive.records import CLASSIFICATIONS, classification_rank
from archive.walker import linked_folder
from archive.workspace import Workspace

__all__ = ["Extracted", "ImportFailure", "ImportResult", "Imported", "Line", "extract", "import_pdfs", "read_pdf_lines"]


@dataclass(frozen=True)
class Imported:
    pdf_name: str
    record_id: str
    record_source: str
    pdf_source: str
    missing: tuple[str, ...]
    classification: str = "内部"
    warnings: tuple[str, ...] = ()  # e.g. no 密级 mark: imported as an 内部 draft for the clerk to check


@dataclass(frozen=True)
class ImportFailure:
    file: str
    message: str


@dataclass
class ImportResult:
    imported: list[Imported] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": [
                {
                    "file": i.pdf_name,
                    "id": i.record_id,
                    "record": i.record_source,
                    "pdf": i.pdf_source,
                    "missing": list(i.missing),
                    "classification": i.classification,
                    "warnings": list(i.warnings),
                }
                for i in self.imported
            ],
            "failures": [{"file": f.file, "message": f.message} for f in self.failures],
        }


# -- writing ---------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _known_hashes(workspace: Workspace) -> dict[str, str]:
    """sha256 → record source of every PDF already imported."""
    out: dict[str, str] = {}
    for path in workspace.record_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for digest in re.findall(r"sha256:\s*['\"]?([0-9a-f]{64})", text):
            out.setdefault(digest, workspace.relative(path))
    return out


def _taken_ids(workspace: Workspace) -> set[str]:
    if not workspace.records_dir.is_dir():
        return set()
    return {p.stem for p in workspace.records_dir.rglob("*") if p.is_file()}


def _next_id(year: int, taken: set[str]) -> str:
    prefix = f"document-{year}-"
    numbers = [int(t[len(prefix) :]) for t in taken if t.startswith(prefix) and t[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes a string holding a line break or control character double-quoted, where
    each such character is an escape (``\\n``, ``\\N``, ``\\L``): single-quoted, the emitter writes them
    raw and a loader folds them, so the value would not read back as written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    awkward = any(ch in "\x85\u2028\u2029\ufeff" or (ch < " " and ch != "\t") or ch == "\x7f" for ch in value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if awkward else None)


_Dumper.add_representer(str, _represent_str)


# What a record cannot hold (archive.source refuses it) and, for printing, what would break a line.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _escape(pattern: re.Pattern[str], path: Path | str) -> str:
    text = os.fsencode(path).decode("utf-8", "backslashreplace")  # bytes that are not UTF-8 → \xNN
    return pattern.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def stored_name(path: Path | str) -> str:
    """A file name as a record keeps it: exact, except bytes that are not UTF-8 and characters no record
    may hold (what YAML cannot carry, and the hidden characters validation refuses: line separators, bidi
    controls, zero-width marks), which become ``\\xNN`` / ``\\uNNNN`` escapes."""
    text = _escape(_UNSTORABLE, path)
    return "".join(f"\\u{ord(ch):04x}" if is_hidden(ch) else ch for ch in text)


def display_name(path: Path | str) -> str:
    """A file name fit to print on one line: line breaks and control characters escaped as well."""
    return _escape(_UNPRINTABLE, path)


def record_yaml(data: dict[str, Any], missing: Sequence[str], warnings: Sequence[str] = ()) -> str:
    """The record's text.  Every value, the original file name included, goes through the YAML emitter:
    a name holding a line break, ``: `` or ``#`` cannot add fields or comments."""
    header = ["# 外来文件：由 renda import 导入（原文件名见 source_file.original_name）。"]
    header.extend("# " + " ".join(warning.splitlines()) for warning in warnings)
    if missing:
        header.append(
            f"# 未能识别：{'、'.join(missing)}。请对照原 PDF 填写“{PLACEHOLDER}”处，核对后把 status 改为 final。"
        )
    if "date" not in data:
        header.append("# date: 成文日期未能识别，请按 YYYY-MM-DD 填写（届次 term 随之填写）")
    if "doc_number" not in data:
        header.append("# doc_number: 未识别到发文字号；原件如有，请填写")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return "\n".join(header) + "\n" + body


def import_pdfs(workspace: Workspace, files: Iterable[Path], today: dt.date | None = None) -> ImportResult:
    """Import each PDF; failures are collected, never raised, so one bad file does not stop the batch."""
    config = workspace.config
    today = today or dt.date.today()
    result = ImportResult()
    known = _known_hashes(workspace)
    taken = _taken_ids(workspace)
    for path in files:
        name = display_name(path)
        try:
            result.imported.append(_import_one(workspace, config, path, known, taken, today))
        except IngestError as exc:
            result.failures.append(ImportFailure(name, str(exc)))
    return result


def _import_one(
    workspace: Workspace, config: Any, path: Path, known: dict[str, str], taken: set[str], today: dt.date
) -> Imported:
    lines, pages = read_pdf_lines(path)
    raw = path.read_bytes()
    digest = _sha256(raw)
    if digest in known:
        raise IngestError(f"这个文件已经导入过（{known[digest]}），未重复导入")
    found = extract(lines, pages)
    if not found.paragraphs:
        raise IngestError("去掉页眉页码后没有正文，未导入")
    # Many documents (articles, notices) have no 发文字号: its absence alone does not make a draft.
    missing = [
        label
        for label, value in (("标题", found.title), ("发文机关", found.issuer), ("成文日期", found.date))
        if value is None
    ]
    year = found.date.year if found.date else today.year
    record_id = _next_id(year, taken)
    folder = workspace.records_dir / str(year)
    pdf_path = folder / f"{record_id}.pdf"
    yaml_path = folder / f"{record_id}.yaml"
    term = config.term_of(found.date) if found.date else None
    data: dict[str, Any] = {"id": record_id, "type": "document"}
    if term:
        data["term"] = term.number
    if found.date:
        data["date"] = found.date.isoformat()
    data["title"] = found.title or PLACEHOLDER
    if found.doc_number:
        data["doc_number"] = found.doc_number
    classification, warnings = _classification(found)
    data["classification"] = classification
    if found.secrecy_period:
        data["secrecy_period"] = found.secrecy_period
    if found.date and term is None:
        missing.append("届次")  # the date lies outside renda.yaml's table of terms
    data["status"] = "draft" if missing or warnings else "final"
    data["issuer"] = found.issuer or PLACEHOLDER
    data["source_file"] = {
        "file": workspace.relative(pdf_path),
        "sha256": digest,
        "original_name": stored_name(path.name),
        "pages": pages,
        "imported": today.isoformat(),
    }
    data["body"] = list(found.paragraphs)
    text = record_yaml(data, missing, warnings)
    link = linked_folder(workspace.root, yaml_path)
    if link:
        raise IngestError(f"{link} 是符号链接，renda 不会把导入的记录写到链接指向的位置；请先运行 renda validate")
    write_new(pdf_path, raw, IngestError)
    try:
        write_new(yaml_path, text.encode("utf-8"), IngestError)
    except BaseException:
        pdf_path.unlink(missing_ok=True)
        raise
    taken.add(record_id)
    known[digest] = workspace.relative(yaml_path)
    return Imported(
        display_name(path.name),
        record_id,
        workspace.relative(yaml_path),
        workspace.relative(pdf_path),
        tuple(missing),
        classification,
        tuple(warnings),
    )


def _classification(found: Extracted) -> tuple[str, list[str]]:
    """The record's 密级 from the PDF's mark.  Without a readable mark nothing is guessed: the record is
    an 内部 draft (or higher, when the unreadable mark names a higher level) for the clerk to check."""
    if found.classification == "绝密" or (found.unclear_mark and "绝密" in found.unclear_mark):
        raise IngestError(
            "密级为“绝密”，超出本系统可以保存的范围（最高为“机密”），未导入；请按涉密载体管理规定处理原件"
        )
    if found.classification is not None:
        return found.classification, []
    if found.unclear_mark is None:
        return "内部", ["未识别到密级标志，已按“内部”草稿导入，请核对密级后改为定稿"]
    named = [level for level in CLASSIFICATIONS if level in found.unclear_mark]
    level = max(["内部", *named], key=classification_rank)
    return level, [f"密级标志“{found.unclear_mark}”无法识别，已按“{level}”草稿导入，请核对密级后改为定稿"]
