"""Verifying an archive package years later: the four properties of GB/T 18894-2016, file by file.

- 真实性 authenticity: every payload and tag file against every manifest (SHA-256 and SM3); each 件's 档号
  the same in its catalogue row, its folder and file names, its metadata and the 归档章 on its page 1;
- 完整性 completeness: bag declaration, Payload-Oxum, catalogue rows ↔ 件 folders, page counts ↔ PDFs, and
  nothing in the package but what its catalogues describe and the files every package has;
- 可用性 usability: PDF/A-2 identification in XMP, output intent, all fonts embedded, no encryption;
- 安全性 security: no 件 above the classification the package declares (bag-info ``Renda-Max-Classification``),
  in the catalogues or in any text file; no links, devices or paths that leave the package; no scripts,
  forbidden actions or embedded files in a PDF; no executable files; a ZIP unpacked only within bounds.

Needs nothing but the package: not the workspace that built it, and nothing outside the package — no link is
followed and no path a manifest names is read unless it is a regular file found inside the package.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from archive import pdfa
from archive.annual import bag as bagit
from archive.annual import registers, stamp
from archive.annual.arrange import RETENTION_NAMES
from archive.annual.stats import STATS_NAME
from archive.errors import AnnualArchiveError, ZipRefusedError
from archive.records import CLASSIFICATIONS

PROPERTIES = {
    "authenticity": "真实性",
    "completeness": "完整性",
    "usability": "可用性",
    "security": "安全性",
}
HEX256 = re.compile(r"[0-9a-f]{64}")
REQUIRED_INFO = ("Source-Organization", "External-Identifier", "Bagging-Date", "Payload-Oxum", "Bag-Group-Identifier")
# 档号 (DA/T 22-2015 7.4): 全宗号-WS·年度-保管期限代码[-机构代码]-件号
ARCHIVAL_CODE = re.compile(
    r"(?P<fonds>.+?)-WS·(?P<year>\d{4})-(?P<retention>" + "|".join(RETENTION_NAMES) + r")(?:-(?P<organ>[^-·/]+))?"
    r"-(?P<number>\d{4,})"
)
SOURCE_SUFFIXES = (".yaml", ".yml")
# what the classification scan reads: every payload file that is not one of these binary containers
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04")
TEXT_SCAN_BYTES = 16 << 20
MARKS = (
    re.compile(r"""(?m)^[\s-]*["']?classification["']?\s*:\s*["']?([^\s"',}]+)"""),  # YAML, JSON
    re.compile(r"<securityClassification>\s*([^<\s]+)\s*</securityClassification>"),  # DA/T 46 metadata
    re.compile(r"密级\s*[:：]\s*([^\s,，;；]+)"),  # 密级：机密 in any text
)
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
EXECUTABLE_SUFFIXES = frozenset(
    {
        ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jar", ".sh", ".elf", ".so",
        ".dylib", ".app", ".apk", ".lnk",
    }
)  # fmt: skip


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
    """Verify a package folder, or a ``.zip`` of one (unpacked into a temporary folder within bounds)."""
    if not path.exists():
        raise AnnualArchiveError(f"归档包不存在：{path}")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise AnnualArchiveError(f"{path} 既不是归档包目录，也不是 ZIP 文件")
        with tempfile.TemporaryDirectory(prefix="renda-verify-") as tmp:
            try:
                root = bagit.extract_zip(path, Path(tmp))
            except ZipRefusedError as exc:
                report = VerifyReport(path)
                report.checked["security"] += 1
                report.add("security", exc.member, exc.reason)
                return report
            report = _verify_dir(root)
            report.path = path
            return report
    return _verify_dir(path)


@dataclass
class _Package:
    """What one verification knows about the package: its files (found without following links) and
    its catalogues, read once."""

    root: Path
    listing: bagit.Listing
    catalogues: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # csv path → rows
    sources: set[str] = field(default_factory=set)  # the source record of each 件 described

    @property
    def payload(self) -> set[str]:
        return self.listing.payload()

    def has(self, rel: str) -> bool:
        return rel in self.listing.files


def _verify_dir(root: Path) -> VerifyReport:
    report = VerifyReport(root)
    try:
        listing = bagit.list_package(root)
    except OSError as exc:
        raise AnnualArchiveError(f"无法读取归档包 {root}：{exc.strerror or exc}") from None
    if "bagit.txt" not in listing.files:
        raise AnnualArchiveError(f"{root} 不是 BagIt 归档包：缺少 bagit.txt")
    package = _Package(root, listing)
    for rel, why in sorted(listing.refused.items()):
        report.checked["security"] += 1
        report.add("security", rel, why)
    _authenticity(package, report)
    info = _bag_info(package, report)
    facts = {rel: pdfa.inspect_pdf(root / rel) for rel in sorted(package.payload) if rel.lower().endswith(".pdf")}
    _read_catalogues(package, report)
    _completeness(package, report, facts)
    _archival_codes(package, report, info, facts)
    _usability(report, facts)
    _conformance(package, report, facts)
    _security(package, report, info, facts)
    report.findings.sort(key=lambda f: (list(PROPERTIES).index(f.property), f.file, f.message))
    return report


def _unsafe(rel: str) -> bool:
    """A manifest path that would leave the package (or is not a plain relative path at all)."""
    parts = rel.replace("\\", "/").split("/")
    return rel.startswith(("/", "\\")) or ":" in parts[0] or "\0" in rel or any(p in ("", ".", "..") for p in parts)


def _authenticity(package: _Package, report: VerifyReport) -> None:
    root, on_disk = package.root, package.payload
    listed = _manifests(package, report)
    named = set().union(*(set(v) for v in listed.values())) if listed else set()
    for rel in sorted(named - on_disk):
        if rel not in package.listing.refused:  # a link or device is reported under security
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
    _tag_manifests(package, report)


def _manifests(package: _Package, report: VerifyReport) -> dict[str, dict[str, str]]:
    """Each payload manifest's well-formed entries inside data/, by algorithm."""
    listed: dict[str, dict[str, str]] = {}
    for algorithm in bagit.ALGORITHMS:
        manifest = f"manifest-{algorithm}.txt"
        if not package.has(manifest):
            report.add("authenticity", manifest, "缺少清单文件")
            continue
        entries = bagit.read_manifest(package.root / manifest)
        if "" in entries:
            report.add("authenticity", manifest, f"清单格式错误：{entries.pop('')}")
        for rel, digest in sorted(entries.items()):
            if not HEX256.fullmatch(digest):  # SHA-256 and SM3 are both 256-bit
                report.add("authenticity", manifest, f"清单格式错误：{rel} 的校验值 '{digest}' 不是 64 位十六进制数")
                del entries[rel]
            elif _unsafe(rel) or not rel.startswith("data/"):
                report.add("security", manifest, f"清单中的路径 {bagit.printable(rel)} 指向 data/ 之外，未读取")
                del entries[rel]
        listed[algorithm] = entries
    return listed


def _tag_manifests(package: _Package, report: VerifyReport) -> None:
    root = package.root
    for algorithm in bagit.ALGORITHMS:
        tagmanifest = f"tagmanifest-{algorithm}.txt"
        if not package.has(tagmanifest):
            report.add("authenticity", tagmanifest, "缺少标签清单文件")
            continue
        for rel, digest in sorted(bagit.read_manifest(root / tagmanifest).items()):
            if rel and _unsafe(rel):
                report.add("security", tagmanifest, f"标签清单中的路径 {bagit.printable(rel)} 指向归档包之外，未读取")
            elif not rel or not package.has(rel):
                report.add("authenticity", rel or tagmanifest, "标签清单中列出的文件不存在")
            elif bagit.file_digests(root / rel)[algorithm] != digest:
                report.add("authenticity", rel, f"{algorithm.upper()} 校验值不符（标签文件被改动）")


def _bag_info(package: _Package, report: VerifyReport) -> dict[str, str]:
    root, on_disk = package.root, package.payload
    declaration = bagit.read_tag_file(root / "bagit.txt")
    if declaration.get("BagIt-Version") not in ("0.97", "1.0"):
        report.add("completeness", "bagit.txt", "BagIt-Version 缺失或不受支持")
    if not package.has("bag-info.txt"):
        report.add("completeness", "bag-info.txt", "缺少 bag-info.txt")
        return {}
    info = bagit.read_tag_file(root / "bag-info.txt")
    for key in REQUIRED_INFO:
        if not info.get(key):
            report.add("completeness", "bag-info.txt", f"缺少 {key}")
    oxum = info.get("Payload-Oxum", "")
    size = sum(package.listing.files[rel] for rel in on_disk)
    if oxum and oxum != f"{size}.{len(on_disk)}":
        report.add("completeness", "bag-info.txt", f"Payload-Oxum 为 {oxum}，实际为 {size}.{len(on_disk)}")
    return info


def _read_catalogues(package: _Package, report: VerifyReport) -> None:
    for rel in sorted(r for r in package.payload if PurePosixPath(r).name == f"{registers.CATALOGUE_NAME}.csv"):
        try:
            package.catalogues[rel] = registers.read_csv(package.root / rel)
        except (UnicodeDecodeError, OSError, csv.Error) as exc:
            report.add("completeness", rel, f"无法读取：{exc}")


def _item(catalogue_rel: str, code: str) -> tuple[PurePosixPath, str]:
    """The 件 folder a catalogue row describes, and the file stem (the 档号 with ``·`` as ``-``)."""
    stem = code.replace("·", "-")
    return PurePosixPath(catalogue_rel).parent / stem, stem


def _completeness(package: _Package, report: VerifyReport, pdfs: dict[str, pdfa.PdfFacts]) -> None:
    root, on_disk = package.root, package.payload
    item_folders = {str(PurePosixPath(rel).parent) for rel in on_disk if rel.endswith(".xml")}
    described: set[str] = set()
    expected = {f"data/{STATS_NAME}.docx", f"data/{STATS_NAME}.pdf"}
    if not package.catalogues and not any(f.file.endswith(".csv") for f in report.findings):
        report.add("completeness", "data/", "没有归档文件目录（归档文件目录.csv）")
    sources: dict[PurePosixPath, list[str]] = {}
    for rel in sorted(on_disk):
        if rel.endswith(SOURCE_SUFFIXES):
            sources.setdefault(PurePosixPath(rel).parent, []).append(rel)
    for rel, rows in package.catalogues.items():
        folder = PurePosixPath(rel).parent
        expected |= {str(folder / name) for name in _class_files()}
        for line, row in enumerate(rows, start=2):
            code = row.get("档号") or ""
            item, stem = _item(rel, code)
            described.add(str(item))
            pdf_rel = str(item / f"{stem}.pdf")
            report.checked["completeness"] += 1
            if not code:
                report.add("completeness", f"{rel}:{line}", "档号为空")
                continue
            for suffix in (".pdf", ".xml"):
                expected.add(str(item / f"{stem}{suffix}"))
                if str(item / f"{stem}{suffix}") not in on_disk:
                    report.add("completeness", str(item / f"{stem}{suffix}"), f"目录第 {line} 行的 {code} 缺少此文件")
            package.sources |= set(sources.get(item, [])[:1])  # one source record a 件
            facts = pdfs.get(pdf_rel)
            if facts is not None and not facts.problems and str(facts.pages) != (row.get("页数") or "").strip():
                report.add(
                    "completeness", pdf_rel, f"目录第 {line} 行记页数 {row.get('页数')}，PDF 实有 {facts.pages} 页"
                )
            xml_rel = str(item / f"{stem}.xml")
            if facts is not None and not facts.problems and xml_rel in on_disk:
                _check_metadata(root, xml_rel, facts.pages, package.listing.files[pdf_rel], report)
    _strays(package, report, item_folders - described, expected)


def _strays(package: _Package, report: VerifyReport, orphans: set[str], expected: set[str]) -> None:
    """件 folders no catalogue lists, and files that belong to no 件 and are not the package's own."""
    on_disk = package.payload
    for orphan in sorted(orphans):
        report.add("completeness", orphan, "该件不在任何归档文件目录中")
    for rel in sorted(on_disk - expected - package.sources):
        report.add(
            "completeness", rel, "归档包中不应有此文件：它不属于归档文件目录所列的任何一件，也不是归档包的固定文件"
        )
    for rel in sorted(set(package.listing.files) - on_disk - set(bagit.TAG_FILES)):
        report.add("completeness", rel, "归档包中不应有此文件：data/ 之外只应有 BagIt 声明、说明和清单文件")


def _class_files() -> tuple[str, ...]:
    """What build writes into every class folder beside the 件 (see ``build._write_class``)."""
    name = registers.CATALOGUE_NAME
    return (f"{name}.csv", f"{name}.xlsx", f"{name}.docx", f"{registers.NOTE_NAME}.docx")


def _metadata(root: Path, rel: str) -> Any:
    import xml.etree.ElementTree as ET

    try:
        return ET.parse(root / rel).getroot()
    except ET.ParseError:
        return None


def _check_metadata(root: Path, rel: str, pages: int, size: int, report: VerifyReport) -> None:
    """The 件's metadata names the PDF's real page count and size."""
    from archive.annual.metadata import NAMESPACE

    tree = _metadata(root, rel)
    if tree is None:
        report.add("completeness", rel, "元数据不是有效的 XML")
        return
    ns = {"m": NAMESPACE}
    expected = {
        "m:formalCharacteristics/m:pages": str(pages),
        "m:digitalProperties/m:computerFileSize": str(size),
    }
    for path, value in expected.items():
        found = tree.findtext(path, namespaces=ns)
        if found != value:
            name = path.rsplit(":", 1)[-1]
            report.add("completeness", rel, f"元数据 {name} 为 '{found}'，应为 '{value}'")


def _archival_codes(
    package: _Package, report: VerifyReport, info: dict[str, str], pdfs: dict[str, pdfa.PdfFacts]
) -> None:
    """Each 件's 档号 reads the same in its catalogue row, its class folder, its metadata and its 归档章."""
    from archive.annual.metadata import NAMESPACE

    ns = {"m": NAMESPACE}
    package_fonds, _, package_year = info.get("External-Identifier", "").partition("-WS·")
    for rel, rows in package.catalogues.items():
        class_folder = str(PurePosixPath(rel).parent.relative_to("data")) if rel.startswith("data/") else ""
        for line, row in enumerate(rows, start=2):
            code = (row.get("档号") or "").strip()
            if not code:
                continue  # reported under completeness
            report.checked["authenticity"] += 1
            where = f"{rel}:{line}"
            parts = ARCHIVAL_CODE.fullmatch(code)
            if parts is None:
                report.add(
                    "authenticity", where, f"档号“{code}”不符合 DA/T 22 的格式（全宗号-WS·年度-保管期限-[机构-]件号）"
                )
                continue
            fonds, year, number = parts["fonds"], parts["year"], parts["number"]
            retention = RETENTION_NAMES[parts["retention"]]
            folder = parts["retention"] + (f"/{parts['organ']}" if parts["organ"] else "")
            if folder != class_folder:
                report.add(
                    "authenticity", where, f"档号 {code} 应在类目文件夹 data/{folder}/ 中，实际在 data/{class_folder}/"
                )
            if package_fonds and (fonds, year) != (package_fonds, package_year):
                report.add(
                    "authenticity",
                    where,
                    f"档号 {code} 与归档包的 {package_fonds}-WS·{package_year} 不符（全宗号或年度）",
                )
            if (row.get("序号") or "").strip().lstrip("0") != number.lstrip("0"):
                report.add("authenticity", where, f"序号 {row.get('序号')} 与档号 {code} 的件号 {number} 不符")
            item, stem = _item(rel, code)
            xml_rel, pdf_rel = str(item / f"{stem}.xml"), str(item / f"{stem}.pdf")
            organ_name = None
            tree = _metadata(package.root, xml_rel) if xml_rel in package.payload else None
            if tree is not None:
                organ_name = tree.findtext("m:archivalCode/m:organizationalStructureOrFunction", "", ns)
                described = {
                    "electronicRecordCode": (tree.findtext("m:electronicRecordCode", None, ns), code),
                    "fondsIdentifier": (tree.findtext("m:archivalCode/m:fondsIdentifier", None, ns), fonds),
                    "year": (tree.findtext("m:archivalCode/m:year", None, ns), year),
                    "retentionPeriod": (tree.findtext("m:archivalCode/m:retentionPeriod", None, ns), retention),
                    "itemNumber": (tree.findtext("m:archivalCode/m:itemNumber", None, ns), number),
                }
                for name, (found, wanted) in described.items():
                    if found != wanted:
                        report.add(
                            "authenticity", xml_rel, f"元数据 {name} 为“{found}”，与档号 {code} 不符（应为“{wanted}”）"
                        )
            facts = pdfs.get(pdf_rel)
            if facts is not None and not facts.problems:
                _check_stamp(package.root, pdf_rel, code, facts.pages, organ_name, report)


def _check_stamp(root: Path, rel: str, code: str, pages: int, organ_name: str | None, report: VerifyReport) -> None:
    parts = ARCHIVAL_CODE.fullmatch(code)
    assert parts is not None
    try:
        fields = stamp.read_stamp(pdfa.first_page_overlays(root / rel))
    except ValueError as exc:
        report.add("authenticity", rel, f"无法读取第 1 页的归档章（{exc}）")
        return
    if fields is None:
        report.add("authenticity", rel, f"第 1 页没有归档章（档号 {code}）")
        return
    wanted = {
        "全宗号": (fields.fonds, parts["fonds"]),
        "年度": (fields.year, parts["year"]),
        "件号": (fields.number, parts["number"]),
        "保管期限": (fields.retention, RETENTION_NAMES[parts["retention"]]),
        "页数": (fields.pages, str(pages)),
    }
    if organ_name is not None:
        wanted["机构"] = (fields.organ, organ_name.replace(" ", ""))
    for name, (found, value) in wanted.items():
        if found != value:
            report.add("authenticity", rel, f"归档章中的{name}为“{found}”，与档号 {code} 不符（应为“{value}”）")


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


def _conformance(package: _Package, report: VerifyReport, pdfs: dict[str, pdfa.PdfFacts]) -> None:
    """可用性 of what renda laid out: each 件's PDF, without its 归档章 (and a merged 件's registration sheet),
    still meets every 规定 clause of GB/T 9704-2012, as `archive build` made sure before packing it.  An
    imported original (a ``document`` record) is kept as received and is not judged."""
    from archive.conformance import check_file
    from archive.errors import ArchiveError

    root = package.root
    for rel, rows in package.catalogues.items():
        for row in rows:
            code = row.get("档号") or ""
            if not code:
                continue
            item, stem = _item(rel, code)
            pdf_rel = str(item / f"{stem}.pdf")
            facts = pdfs.get(pdf_rel)
            if facts is None or facts.problems or _record_type(package, item) in (None, "document"):
                continue
            report.checked["usability"] += 1
            xml_rel = str(item / f"{stem}.xml")
            meta = _metadata(root, xml_rel) if package.has(xml_rel) else None
            with tempfile.TemporaryDirectory(prefix="renda-verify-") as tmp:
                bare = Path(tmp) / f"{stem}.pdf"
                try:
                    pdfa.as_laid_out(root / pdf_rel, bare, drop_last=_added_pages(meta))
                    measured = check_file(bare)
                except (ValueError, ArchiveError) as exc:
                    report.add("usability", pdf_rel, f"无法按 GB/T 9704-2012 实测版式（{exc}）")
                    continue
            for finding in measured.errors:
                page = f"第 {finding.page} 页：" if finding.page else ""
                report.add(
                    "usability", pdf_rel, f"版式不符合 GB/T 9704-2012 {finding.clause}（规定）：{page}{finding.message}"
                )


def _added_pages(meta: Any) -> int:
    """How many trailing pages of a 件 renda did not lay out as its record's document: the parts after the
    正本 in the metadata's ``composition`` (a registration page, a suggestion's answers); a package without one
    marks a merged opinion 件 by a 组成部分 relation, whose registration sheet is its last page."""
    if meta is None:
        return 0
    parts = [e for e in meta.iter() if e.tag.endswith("}part")]
    if parts:
        added = 0
        for part in parts:
            role = next((c.text for c in part if c.tag.endswith("}role")), "")
            pages = next((c.text or "" for c in part if c.tag.endswith("}pages")), "")
            if role != "正本" and pages.isdigit():
                added += int(pages)
        return added
    return 1 if any(e.text == "组成部分" for e in meta.iter() if e.tag.endswith("relationType")) else 0


def _record_type(package: _Package, item: PurePosixPath) -> str | None:
    """The ``type`` of the source record filed with a 件 (None when there is none or it cannot be read)."""
    import yaml

    for rel in sorted(package.sources):
        if PurePosixPath(rel).parent == item:
            try:
                data = yaml.safe_load((package.root / rel).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                return None
            return data.get("type") if isinstance(data, dict) and isinstance(data.get("type"), str) else None
    return None


def _security(package: _Package, report: VerifyReport, info: dict[str, str], pdfs: dict[str, pdfa.PdfFacts]) -> None:
    for rel, facts in pdfs.items():
        report.checked["security"] += 1
        for problem in facts.active_content:
            report.add("security", rel, f"{problem}（PDF/A-2 不允许）")
    for rel in sorted(package.payload):
        if _executable(package.root / rel):
            report.add("security", rel, "是可执行文件或脚本，归档包中不得含有")
    ceiling = info.get("Renda-Max-Classification", "")
    if ceiling not in CLASSIFICATIONS:
        report.add("security", "bag-info.txt", f"Renda-Max-Classification 缺失或无效：'{ceiling}'")
        return
    _classification(package, report, ceiling)


def _classification(package: _Package, report: VerifyReport, ceiling: str) -> None:
    """Nothing above the package's ceiling: neither in a catalogue row nor marked in any text file."""
    limit = CLASSIFICATIONS.index(ceiling)
    for rel, rows in package.catalogues.items():
        for line, row in enumerate(rows, start=2):
            level = (row.get("密级") or "").strip()
            report.checked["security"] += 1
            if level not in CLASSIFICATIONS:
                report.add("security", f"{rel}:{line}", f"密级“{level}”无法识别")
            elif CLASSIFICATIONS.index(level) > limit:
                report.add("security", f"{rel}:{line}", f"{row.get('档号')} 密级“{level}”高于允许的“{ceiling}”")
    for rel in sorted(package.payload):
        text = _text(package.root / rel)
        if text is None:
            continue
        report.checked["security"] += 1
        what = "源记录" if rel in package.sources else "元数据" if rel.endswith(".xml") else "文件标注的"
        levels = {m for pattern in MARKS for m in pattern.findall(text) if m in CLASSIFICATIONS}
        for level in sorted(levels, key=CLASSIFICATIONS.index):
            if CLASSIFICATIONS.index(level) > limit:
                report.add("security", rel, f"{what}密级“{level}”高于允许的“{ceiling}”")


def _text(path: Path) -> str | None:
    """A payload file's text for the classification scan; None for PDF, DOCX, XLSX and other binary files.

    Every file is read, whatever its name: a ``notes.yml`` or ``说明.txt`` is scanned like a record."""
    with path.open("rb") as handle:
        head = handle.read(8192)
        if head.startswith(BINARY_MAGIC) or b"\0" in head:
            return None
        data = head + handle.read(TEXT_SCAN_BYTES - len(head))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")  # Chinese text saved by an older editor


def _executable(path: Path) -> bool:
    if path.suffix.lower() in EXECUTABLE_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return handle.read(4).startswith(EXECUTABLE_MAGIC)
