"""Verifying an archive package years later: the four properties of GB/T 18894-2016, file by file.

- 真实性 authenticity: every payload and tag file against every manifest (SHA-256 and SM3);
- 完整性 completeness: bag declaration, Payload-Oxum, catalogue rows ↔ 件 folders, page counts ↔ PDFs;
- 可用性 usability: PDF/A-2 identification in XMP, output intent, all fonts embedded, no encryption or
  JavaScript;
- 安全性 security: no 件 above the classification the package declares (bag-info ``Renda-Max-Classification``).

Needs nothing but the package: not the workspace that built it.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from archive.annual import bag as bagit
from archive.annual import catalogue, pdfa
from archive.annual.errors import AnnualArchiveError
from archive.records import CLASSIFICATIONS

PROPERTIES = {
    "authenticity": "真实性",
    "completeness": "完整性",
    "usability": "可用性",
    "security": "安全性",
}
HEX256 = re.compile(r"[0-9a-f]{64}")
REQUIRED_INFO = ("Source-Organization", "External-Identifier", "Bagging-Date", "Payload-Oxum", "Bag-Group-Identifier")


@dataclass(frozen=True)
class Finding:
    property: str  # a key of PROPERTIES
    file: str  # path inside the package
    message: str

    def format(self) -> str:
        return f"{self.file}: [{PROPERTIES[self.property]}] {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"property": self.property, "file": self.file, "message": self.message}


@dataclass
class VerifyReport:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROPERTIES, 0))

    @property
    def ok(self) -> bool:
        return not self.findings

    def failed(self, prop: str) -> list[Finding]:
        return [f for f in self.findings if f.property == prop]

    def add(self, prop: str, file: str, message: str) -> None:
        self.findings.append(Finding(prop, file, message))

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "properties": {
                key: {"name": name, "checked": self.checked[key], "failures": len(self.failed(key))}
                for key, name in PROPERTIES.items()
            },
            "findings": [f.as_dict() for f in self.findings],
        }


def verify_package(path: Path) -> VerifyReport:
    """Verify a package folder, or a ``.zip`` of one."""
    if not path.exists():
        raise AnnualArchiveError(f"归档包不存在：{path}")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise AnnualArchiveError(f"{path} 既不是归档包目录，也不是 ZIP 文件")
        with tempfile.TemporaryDirectory(prefix="renda-verify-") as tmp:
            root = _unzip(path, Path(tmp))
            report = _verify_dir(root)
            report.path = path
            return report
    return _verify_dir(path)


def _unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        tops = {PurePosixPath(n).parts[0] for n in names if n.strip("/")}
        for name in names:
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts:
                raise AnnualArchiveError(f"{path}: ZIP 中有不安全的路径 {name}")
        archive.extractall(into)
    if len(tops) != 1:
        raise AnnualArchiveError(f"{path}: ZIP 应只包含一个归档包目录，实际有 {len(tops)} 个顶层项")
    return into / tops.pop()


def _verify_dir(root: Path) -> VerifyReport:
    report = VerifyReport(root)
    if not (root / "bagit.txt").is_file():
        raise AnnualArchiveError(f"{root} 不是 BagIt 归档包：缺少 bagit.txt")
    payload_on_disk = set(bagit.payload_files(root)) if (root / "data").is_dir() else set()
    _authenticity(root, report, payload_on_disk)
    info = _bag_info(root, report, payload_on_disk)
    facts = {rel: pdfa.inspect_pdf(root / rel) for rel in sorted(payload_on_disk) if rel.lower().endswith(".pdf")}
    _completeness(root, report, payload_on_disk, facts)
    _usability(report, facts)
    _security(root, report, info)
    report.findings.sort(key=lambda f: (list(PROPERTIES).index(f.property), f.file, f.message))
    return report


def _authenticity(root: Path, report: VerifyReport, on_disk: set[str]) -> None:
    manifests = {a: root / f"manifest-{a}.txt" for a in bagit.ALGORITHMS}
    listed: dict[str, dict[str, str]] = {}
    for algorithm, manifest in manifests.items():
        if not manifest.is_file():
            report.add("authenticity", manifest.name, "缺少清单文件")
            continue
        entries = bagit.read_manifest(manifest)
        if "" in entries:
            report.add("authenticity", manifest.name, f"清单格式错误：{entries.pop('')}")
        for rel, digest in sorted(entries.items()):
            if not HEX256.fullmatch(digest):  # SHA-256 and SM3 are both 256-bit
                report.add(
                    "authenticity", manifest.name, f"清单格式错误：{rel} 的校验值 '{digest}' 不是 64 位十六进制数"
                )
                del entries[rel]
        listed[algorithm] = entries
    named = set().union(*(set(v) for v in listed.values())) if listed else set()
    for rel in sorted(named - on_disk):
        report.add("authenticity", rel, "清单中列出但归档包中没有该文件（被删除或改名）")
    for rel in sorted(on_disk - named):
        report.add("authenticity", rel, "文件不在清单中（被添加）")
    for rel in sorted(named & on_disk):
        digests = bagit.file_digests(root / rel)
        report.checked["authenticity"] += 1
        for algorithm, entries in listed.items():
            if rel not in entries:
                report.add("authenticity", rel, f"manifest-{algorithm}.txt 中没有该文件")
            elif entries[rel] != digests[algorithm]:
                report.add("authenticity", rel, f"{algorithm.upper()} 校验值不符（文件被改动）")
    for algorithm in bagit.ALGORITHMS:
        tagmanifest = root / f"tagmanifest-{algorithm}.txt"
        if not tagmanifest.is_file():
            report.add("authenticity", tagmanifest.name, "缺少标签清单文件")
            continue
        for rel, digest in sorted(bagit.read_manifest(tagmanifest).items()):
            tag = root / rel
            if not rel or not tag.is_file():
                report.add("authenticity", rel or tagmanifest.name, "标签清单中列出的文件不存在")
            elif bagit.file_digests(tag)[algorithm] != digest:
                report.add("authenticity", rel, f"{algorithm.upper()} 校验值不符（标签文件被改动）")


def _bag_info(root: Path, report: VerifyReport, on_disk: set[str]) -> dict[str, str]:
    declaration = bagit.read_tag_file(root / "bagit.txt")
    if declaration.get("BagIt-Version") not in ("0.97", "1.0"):
        report.add("completeness", "bagit.txt", "BagIt-Version 缺失或不受支持")
    info_path = root / "bag-info.txt"
    if not info_path.is_file():
        report.add("completeness", "bag-info.txt", "缺少 bag-info.txt")
        return {}
    info = bagit.read_tag_file(info_path)
    for key in REQUIRED_INFO:
        if not info.get(key):
            report.add("completeness", "bag-info.txt", f"缺少 {key}")
    oxum = info.get("Payload-Oxum", "")
    size = sum((root / rel).stat().st_size for rel in on_disk)
    if oxum and oxum != f"{size}.{len(on_disk)}":
        report.add("completeness", "bag-info.txt", f"Payload-Oxum 为 {oxum}，实际为 {size}.{len(on_disk)}")
    return info


def _catalogues(on_disk: set[str]) -> list[str]:
    return sorted(rel for rel in on_disk if PurePosixPath(rel).name == f"{catalogue.CATALOGUE_NAME}.csv")


def _completeness(root: Path, report: VerifyReport, on_disk: set[str], pdfs: dict[str, pdfa.PdfFacts]) -> None:
    item_folders = {str(PurePosixPath(rel).parent) for rel in on_disk if rel.endswith(".xml")}
    described: set[str] = set()
    catalogues = _catalogues(on_disk)
    if not catalogues:
        report.add("completeness", "data/", "没有归档文件目录（归档文件目录.csv）")
    for rel in catalogues:
        folder = PurePosixPath(rel).parent
        try:
            rows = catalogue.read_csv(root / rel)
        except (UnicodeDecodeError, OSError, csv.Error) as exc:
            report.add("completeness", rel, f"无法读取：{exc}")
            continue
        for line, row in enumerate(rows, start=2):
            code = row.get("档号") or ""
            stem = code.replace("·", "-")
            item = folder / stem
            described.add(str(item))
            pdf_rel = str(item / f"{stem}.pdf")
            report.checked["completeness"] += 1
            if not code:
                report.add("completeness", f"{rel}:{line}", "档号为空")
                continue
            for suffix in (".pdf", ".xml"):
                if str(item / f"{stem}{suffix}") not in on_disk:
                    report.add("completeness", str(item / f"{stem}{suffix}"), f"目录第 {line} 行的 {code} 缺少此文件")
            facts = pdfs.get(pdf_rel)
            if facts is not None and not facts.problems and str(facts.pages) != (row.get("页数") or "").strip():
                report.add(
                    "completeness", pdf_rel, f"目录第 {line} 行记页数 {row.get('页数')}，PDF 实有 {facts.pages} 页"
                )
            xml_rel = str(item / f"{stem}.xml")
            if facts is not None and not facts.problems and xml_rel in on_disk:
                _check_metadata(root, xml_rel, code, facts.pages, (root / pdf_rel).stat().st_size, report)
    for orphan in sorted(item_folders - described):
        report.add("completeness", orphan, "该件不在任何归档文件目录中")


def _check_metadata(root: Path, rel: str, code: str, pages: int, size: int, report: VerifyReport) -> None:
    """The 件's metadata names its 档号 and the PDF's real page count and size."""
    import xml.etree.ElementTree as ET

    from archive.annual.metadata import NAMESPACE

    try:
        tree = ET.parse(root / rel)
    except ET.ParseError as exc:
        report.add("completeness", rel, f"元数据不是有效的 XML：{exc}")
        return
    ns = {"m": NAMESPACE}
    expected = {
        "m:electronicRecordCode": code,
        "m:formalCharacteristics/m:pages": str(pages),
        "m:digitalProperties/m:computerFileSize": str(size),
    }
    for path, value in expected.items():
        found = tree.getroot().findtext(path, namespaces=ns)
        if found != value:
            name = path.rsplit(":", 1)[-1]
            report.add("completeness", rel, f"元数据 {name} 为 '{found}'，应为 '{value}'")


def _usability(report: VerifyReport, pdfs: dict[str, pdfa.PdfFacts]) -> None:
    for rel, facts in pdfs.items():
        report.checked["usability"] += 1
        for problem in facts.problems:
            report.add("usability", rel, problem)
        if facts.problems:
            continue
        if facts.pdfa_part != "2" or facts.pdfa_conformance.upper() != "B":
            found = f"{facts.pdfa_part or '无'}{facts.pdfa_conformance}"
            report.add("usability", rel, f"XMP 中没有 PDF/A-2b 标识（实际：{found}）")
        if not facts.output_intent:
            report.add("usability", rel, "缺少 PDF/A 输出意图（OutputIntent）")
        if facts.unembedded_fonts:
            report.add("usability", rel, "字体未嵌入：" + "、".join(facts.unembedded_fonts))
        if facts.encrypted:
            report.add("usability", rel, "文件已加密")
        if facts.javascript:
            report.add("usability", rel, "含有 JavaScript")


def _security(root: Path, report: VerifyReport, info: dict[str, str]) -> None:
    ceiling = info.get("Renda-Max-Classification", "")
    if ceiling not in CLASSIFICATIONS:
        report.add("security", "bag-info.txt", f"Renda-Max-Classification 缺失或无效：'{ceiling}'")
        return
    limit = CLASSIFICATIONS.index(ceiling)
    for rel in _catalogues(set(bagit.payload_files(root))):
        try:
            rows = catalogue.read_csv(root / rel)
        except (UnicodeDecodeError, OSError, csv.Error):
            continue  # reported under completeness
        for line, row in enumerate(rows, start=2):
            level = (row.get("密级") or "").strip()
            report.checked["security"] += 1
            if level not in CLASSIFICATIONS:
                report.add("security", f"{rel}:{line}", f"密级“{level}”无法识别")
            elif CLASSIFICATIONS.index(level) > limit:
                report.add("security", f"{rel}:{line}", f"{row.get('档号')} 密级“{level}”高于允许的“{ceiling}”")
    for source in sorted(p for p in (root / "data").rglob("*.yaml")):
        found = re.search(r"(?m)^classification:\s*(\S+)", source.read_text(encoding="utf-8", errors="replace"))
        level = found[1].strip("'\"") if found else "公开"
        if level in CLASSIFICATIONS and CLASSIFICATIONS.index(level) > limit:
            report.add("security", source.relative_to(root).as_posix(), f"源记录密级“{level}”高于允许的“{ceiling}”")
    for xml in sorted(p for p in (root / "data").rglob("*.xml")):
        text = xml.read_text(encoding="utf-8", errors="replace")
        for level in CLASSIFICATIONS[limit + 1 :]:
            if f"<securityClassification>{level}</securityClassification>" in text:
                report.add("security", xml.relative_to(root).as_posix(), f"元数据密级“{level}”高于允许的“{ceiling}”")
