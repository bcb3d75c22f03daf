"""`renda archive verify` against hostile packages: each case builds on a real package, tampers with it the
way an attacker who can recompute the manifests would, and expects exit 1 with a finding naming the file.

The sample's 2024 package is built once for the module with `renda archive build`; each test works on its own
copy.  Manifests are recomputed here with hashlib (the way a careless or malicious tool would: following
links), independently of the code under test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from samples import copy_sample

import cli
from archive.annual import bag

NAME = "J017-WS-2024"
# the year's first sitting (cwh-17-16), a 件 of several pages that renda laid out; Y-0001 is the motion raised at
# the people's congress in January, whose second page is its handling registration
NUMBER = "0002"
ITEM = f"data/Y/J017-WS-2024-Y-{NUMBER}"
PDF = f"{ITEM}/J017-WS-2024-Y-{NUMBER}.pdf"
XML = f"{ITEM}/J017-WS-2024-Y-{NUMBER}.xml"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli.cli, list(args))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = copy_sample(tmp_path_factory.mktemp("verify") / "ws")
    result = _cli("--root", str(ws), "archive", "build", "2024", "-o", str(ws / "out"))
    assert result.exit_code == 0, result.output
    return ws / "out" / NAME


@pytest.fixture
def copy(package: Path, tmp_path: Path) -> Path:
    target = tmp_path / NAME
    shutil.copytree(package, target, symlinks=True)
    return target


def _rebag(root: Path) -> None:
    """Recompute Payload-Oxum, manifests and tag manifests so that every digest matches again."""
    payload = sorted(p for p in (root / "data").rglob("*") if p.is_file())  # follows links, as most tools do
    for algorithm in ("sha256", "sm3"):
        lines = [
            f"{hashlib.new(algorithm, p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n" for p in payload
        ]
        (root / f"manifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")
    info = root / "bag-info.txt"
    oxum = f"Payload-Oxum: {sum(p.stat().st_size for p in payload)}.{len(payload)}"
    info.write_text(re.sub(r"(?m)^Payload-Oxum: .*$", oxum, info.read_text(encoding="utf-8")), encoding="utf-8")
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sm3.txt"]
    for algorithm in ("sha256", "sm3"):
        lines = [f"{hashlib.new(algorithm, (root / t).read_bytes()).hexdigest()}  {t}\n" for t in tags]
        (root / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


def _keep_size(root: Path) -> None:
    """After PDF changes: the 件's metadata records the new file size, as a careful forger would."""
    xml = root / XML
    size = f"<computerFileSize>{(root / PDF).stat().st_size}</computerFileSize>"
    xml.write_text(re.sub(r"<computerFileSize>\d+</computerFileSize>", size, xml.read_text(encoding="utf-8")), "utf-8")


def _verify_tampered(root: Path, edit: Callable[[Any], None]) -> Result:
    """Edit the 件's PDF in place with ``edit(pdf)``, keep its recorded size and the manifests right (a careful
    forger), then verify the package."""
    import pikepdf

    with pikepdf.open(root / PDF, allow_overwriting_input=True) as pdf:
        edit(pdf)
        pdf.save(root / PDF)
    _keep_size(root)
    _rebag(root)
    return _cli("archive", "verify", str(root))


def _findings(result: Result) -> list[str]:
    return [line.strip() for line in result.output.splitlines() if line.startswith("  ")]


def test_a_freshly_built_package_verifies(package: Path) -> None:
    result = _cli("archive", "verify", str(package))

    assert result.exit_code == 0, result.output
    for name in ("真实性", "完整性", "可用性", "安全性"):
        assert re.search(rf"^{name}：通过（检查 [1-9]\d* 项）$", result.output, re.M), result.output
    assert "归档包校验通过" in result.output


def test_a_rebagged_copy_still_verifies(copy: Path) -> None:
    # the helper the other tests use to hide their tampering from the manifests changes nothing by itself
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 0, result.output


# -- PDFs: scripts, actions and embedded files ---------------------------------------------------------------


def test_an_embedded_executable_and_a_launch_action_in_a_pdf_fail_security(copy: Path) -> None:
    import pikepdf

    def smuggle(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["malware.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really", description="x")
        spec = pdf.attachments["malware.exe"].obj
        annotation = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 20, 20], FS=spec
        )
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.Launch, F=pikepdf.String("malware.exe"))
        )

    result = _verify_tampered(copy, smuggle)

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert f"{PDF}: [安全性] 含有 Launch 动作，位于 /OpenAction（PDF/A-2 不允许）" in findings
    assert f"{PDF}: [安全性] 含有嵌入文件“malware.exe”（PDF/A-2 不允许）" in findings
    assert f"{PDF}: [安全性] 含有文件附件注释 FileAttachment（PDF/A-2 不允许）" in findings
    assert "安全性：3 个问题" in result.output
    assert "[真实性]" not in result.output  # the manifests agree: it is the content that is refused


def _javascript_in_names(pdf: object) -> None:
    import pikepdf

    assert isinstance(pdf, pikepdf.Pdf)
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    tree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("hello"), action]))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pdf.make_indirect(tree))


def _link(pdf: object, action: dict[str, object]) -> None:
    import pikepdf

    assert isinstance(pdf, pikepdf.Pdf)
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 20, 20], A=pikepdf.Dictionary(action)
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))


def _page_open_action(pdf: object) -> None:
    import pikepdf

    assert isinstance(pdf, pikepdf.Pdf)
    pdf.pages[0].AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("x")))


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_javascript_in_names, ["含有 JavaScript，位于名称树 /JavaScript"]),
        (lambda pdf: _link(pdf, {"/S": "/ImportData", "/F": "data.fdf"}), ["含有 ImportData 动作，位于 /A"]),
        (lambda pdf: _link(pdf, {"/S": "/Named", "/N": "/Print"}), ["含有命名动作 Print，位于 /A"]),
        (lambda pdf: _link(pdf, {"/S": "/RunThis"}), ["含有 RunThis 动作，位于 /A"]),
        (_page_open_action, ["含有附加动作（/AA）"]),
    ],
    ids=["javascript-name-tree", "import-data", "named-print", "unknown-action", "page-additional-action"],
)
def test_actions_pdfa_forbids_fail_security(copy: Path, tamper: Callable[[Any], None], expected: list[str]) -> None:
    result = _verify_tampered(copy, tamper)

    assert result.exit_code == 1, result.output
    for message in expected:
        assert f"{PDF}: [安全性] {message}（PDF/A-2 不允许）" in _findings(result)


@pytest.mark.parametrize(
    "action",
    [
        {"/S": "/URI", "/URI": "https://www.npc.gov.cn/"},
        {"/S": "/GoTo", "/D": [0, "/Fit"]},
        {"/S": "/Named", "/N": "/NextPage"},
    ],
    ids=["uri", "goto", "named-next-page"],
)
def test_actions_pdfa_permits_pass(copy: Path, action: dict[str, object]) -> None:
    import pikepdf

    def link(pdf: pikepdf.Pdf) -> None:
        if action["/S"] == "/GoTo":
            _link(pdf, {**action, "/D": pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])})
        else:
            _link(pdf, action)

    result = _verify_tampered(copy, link)

    assert result.exit_code == 0, result.output


# -- files the package must not hold --------------------------------------------------------------------------


def test_unlisted_payload_files_fail_even_with_recomputed_manifests(copy: Path) -> None:
    (copy / "data" / "malware.exe").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    (copy / "data" / "Y" / "readme.txt").write_text("请先运行 malware.exe", encoding="utf-8")
    (copy / ITEM / "extra.yaml").write_text("id: extra\n", encoding="utf-8")
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    unexpected = "[完整性] 归档包中不应有此文件：它不属于归档文件目录所列的任何一件，也不是归档包的固定文件"
    assert f"data/malware.exe: {unexpected}" in findings
    assert f"data/Y/readme.txt: {unexpected}" in findings
    assert f"{ITEM}/extra.yaml: {unexpected}" in findings  # one source record a 件 (cwh-17-16.yaml sorts first)
    assert "data/malware.exe: [安全性] 是可执行文件或脚本，归档包中不得含有" in findings
    assert "[真实性]" not in result.output


def test_a_file_beside_the_tag_files_is_refused(copy: Path) -> None:
    (copy / "fetch.txt").write_text("https://example.com/x 1 data/x\n", encoding="utf-8")

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    assert "fetch.txt: [完整性] 归档包中不应有此文件：data/ 之外只应有 BagIt 声明、说明和清单文件" in _findings(result)


def test_a_classification_mark_in_any_text_file_is_found(copy: Path) -> None:
    (copy / ITEM / "notes.yml").write_text("note: 会议记录\nclassification: 机密\n", encoding="utf-8")
    (copy / "data" / "说明.txt").write_bytes("本件密级：秘密\n".encode("gb18030"))
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert f"{ITEM}/notes.yml: [安全性] 文件标注的密级“机密”高于允许的“内部”" in findings
    assert "data/说明.txt: [安全性] 文件标注的密级“秘密”高于允许的“内部”" in findings
    assert any(f.startswith(f"{ITEM}/notes.yml: [完整性] 归档包中不应有此文件") for f in findings), findings


def test_links_in_the_package_are_refused_and_never_followed(copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("classification: 绝密\n", encoding="utf-8")
    os.symlink("/etc/passwd", copy / "data" / "passwd.txt")
    os.symlink(outside / "secret.yaml", copy / ITEM / "notes.yaml")
    os.symlink(outside, copy / "data" / "Y" / "more")
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert "data/passwd.txt: [安全性] 是符号链接（指向 /etc/passwd），归档包中不允许链接，未读取" in findings
    assert (
        f"{ITEM}/notes.yaml: [安全性] 是符号链接（指向 {outside / 'secret.yaml'}），归档包中不允许链接，未读取"
        in findings
    )
    assert f"data/Y/more: [安全性] 是符号链接（指向 {outside}），归档包中不允许链接，未读取" in findings
    assert "绝密" not in result.output  # the linked file was not read
    assert "root:" not in result.output


def test_pipes_and_names_that_are_not_utf8_are_refused(copy: Path) -> None:
    os.mkfifo(copy / "data" / "pipe")
    (copy / os.fsdecode(b"data/bad\xff.txt")).write_text("x", encoding="utf-8")

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert "data/pipe: [安全性] 不是普通文件（设备、管道或套接字），未读取" in findings
    assert "data/bad\\xff.txt: [安全性] 文件名不是 UTF-8 编码" in findings


def test_a_manifest_line_pointing_outside_the_package_is_not_hashed(copy: Path, tmp_path: Path) -> None:
    host = tmp_path / "hostname"
    host.write_text("verify-host\n", encoding="utf-8")
    for algorithm in ("sha256", "sm3"):
        digest = hashlib.new(algorithm, host.read_bytes()).hexdigest()
        with (copy / f"tagmanifest-{algorithm}.txt").open("a", encoding="utf-8") as handle:
            handle.write(f"{digest}  ../hostname\n")
            handle.write(f"{digest}  ../../../../etc/hostname\n")
    with (copy / "manifest-sha256.txt").open("a", encoding="utf-8") as handle:
        handle.write(f"{hashlib.sha256(host.read_bytes()).hexdigest()}  data/../../hostname\n")

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert "tagmanifest-sha256.txt: [安全性] 标签清单中的路径 ../hostname 指向归档包之外，未读取" in findings
    assert "tagmanifest-sm3.txt: [安全性] 标签清单中的路径 ../../../../etc/hostname 指向归档包之外，未读取" in findings
    assert "manifest-sha256.txt: [安全性] 清单中的路径 data/../../hostname 指向 data/ 之外，未读取" in findings


# -- ZIP packages ---------------------------------------------------------------------------------------------


def _zip(root: Path, target: Path, extra: Sequence[tuple[zipfile.ZipInfo, bytes]] = ()) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root.name}/{path.relative_to(root).as_posix()}")
        for info, data in extra:
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _set_size(zip_path: Path, member: str, size: int) -> None:
    """Forge the uncompressed size a member declares, in its local header and the central directory."""
    data = bytearray(zip_path.read_bytes())
    name = member.encode("utf-8")
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            length = struct.unpack_from("<H", data, at + (28 if signature == b"PK\x01\x02" else 26))[0]
            if bytes(data[name_at : name_at + length]) == name:
                struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    zip_path.write_bytes(bytes(data))


def test_the_built_zip_verifies(package: Path, tmp_path: Path) -> None:
    result = _cli("archive", "verify", str(_zip(package, tmp_path / "p.zip")))

    assert result.exit_code == 0, result.output


def test_a_zip_bomb_is_refused_from_its_central_directory(package: Path, tmp_path: Path) -> None:
    # 4.2 GB declared by a member of a few kilobytes: refused before a byte is written
    member = f"{NAME}/data/zeros.bin"
    target = _zip(package, tmp_path / "bomb.zip", [(zipfile.ZipInfo(member), bytes(1 << 20))])
    _set_size(target, member, 4_200_000_000)
    with zipfile.ZipFile(target) as archive:
        assert archive.getinfo(member).file_size == 4_200_000_000

    result = _cli("archive", "verify", str(target))

    assert result.exit_code == 1, result.output
    (finding,) = _findings(result)
    assert re.fullmatch(
        rf"{member}: \[安全性\] 压缩比 \d+:1 超过上限 100:1（\d+ 字节解压后为 4200000000 字节，疑似压缩炸弹），未解压",
        finding,
    ), finding


def test_a_zip_member_that_inflates_past_its_declared_size_is_stopped(package: Path, tmp_path: Path) -> None:
    member = f"{NAME}/data/zeros.bin"
    target = _zip(package, tmp_path / "liar.zip", [(zipfile.ZipInfo(member), bytes(8 << 20))])
    _set_size(target, member, 1000)

    result = _cli("archive", "verify", str(target))

    assert result.exit_code == 1, result.output
    (finding,) = _findings(result)
    assert finding.startswith(f"{member}: [安全性] ZIP 成员已损坏，无法解压"), finding


def test_a_zip_larger_than_the_bound_is_refused(package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _zip(package, tmp_path / "p.zip")
    with zipfile.ZipFile(target) as archive:
        total = sum(i.file_size for i in archive.infolist())
    monkeypatch.setattr(bag, "MAX_ZIP_BYTES", total - 1)

    result = _cli("archive", "verify", str(target))

    assert result.exit_code == 1, result.output
    assert f"p.zip: [安全性] 解压后共 {total} 字节，超过上限 {total - 1} 字节（疑似压缩炸弹），未解压" in result.output


def _symlink_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (zipfile.ZipInfo(f"{NAME}/../evil.txt"), "ZIP 成员的路径不安全（绝对路径、含 .. 或盘符），未解压"),
        (zipfile.ZipInfo("/tmp/evil.txt"), "ZIP 成员的路径不安全（绝对路径、含 .. 或盘符），未解压"),
        (_symlink_member(f"{NAME}/data/passwd.txt"), "ZIP 成员是符号链接，归档包中不允许链接，未解压"),
    ],
    ids=["dot-dot", "absolute", "symlink"],
)
def test_unsafe_zip_members_are_refused(package: Path, tmp_path: Path, member: zipfile.ZipInfo, message: str) -> None:
    target = _zip(package, tmp_path / "unsafe.zip", [(member, b"/etc/passwd")])

    result = _cli("archive", "verify", str(target))

    assert result.exit_code == 1, result.output
    assert _findings(result) == [f"{member.filename}: [安全性] {message}"]
    assert not (tmp_path / "evil.txt").exists()


# -- 档号: catalogue, folder, metadata and 归档章 agree -----------------------------------------------------


def test_a_pdf_swapped_with_another_items_fails_on_its_stamp(copy: Path) -> None:
    import pikepdf

    def pages(path: Path) -> int:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)

    # another item's PDF with as many pages as this one: only its stamp can tell them apart
    other = next(
        p
        for p in sorted((copy / "data/Y").glob("J017-WS-2024-Y-*/J017-WS-2024-Y-*.pdf"))
        if p.name != Path(PDF).name and pages(p) == pages(copy / PDF)
    )
    number = other.stem[-4:]
    shutil.copyfile(other, copy / PDF)
    _keep_size(copy)
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    assert _findings(result) == [
        f"{PDF}: [真实性] 归档章中的件号为“{number}”，与档号 J017-WS·2024-Y-{NUMBER} 不符（应为“{NUMBER}”）"
    ]


def test_a_page_one_without_its_stamp_is_found(copy: Path) -> None:
    import pikepdf

    def unstamp(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0]
        kept = [i for i in pikepdf.parse_content_stream(page) if str(i.operator) != "Do"]
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))

    result = _verify_tampered(copy, unstamp)

    assert result.exit_code == 1, result.output
    assert _findings(result) == [f"{PDF}: [真实性] 第 1 页没有归档章（档号 J017-WS·2024-Y-{NUMBER}）"]


def test_an_item_renumbered_in_folder_and_catalogue_fails_on_its_metadata_and_stamp(copy: Path) -> None:
    old, new = "J017-WS-2024-Y-0011", "J017-WS-2024-Y-0012"  # the last 件 of the class, moved one number on
    folder = copy / "data/Y" / new
    (copy / "data/Y" / old).rename(folder)
    for path in folder.iterdir():
        path.rename(folder / path.name.replace(old, new))
    csv_path = copy / "data/Y/归档文件目录.csv"
    text = csv_path.read_text(encoding="utf-8-sig")
    csv_path.write_text(text.replace("J017-WS·2024-Y-0011", "J017-WS·2024-Y-0012"), encoding="utf-8-sig")
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    code = "J017-WS·2024-Y-0012"
    assert f"data/Y/{new}/{new}.pdf: [真实性] 归档章中的件号为“0011”，与档号 {code} 不符（应为“0012”）" in findings
    assert (
        f"data/Y/{new}/{new}.xml: [真实性] 元数据 electronicRecordCode 为“J017-WS·2024-Y-0011”，"
        f"与档号 {code} 不符（应为“{code}”）"
    ) in findings
    assert f"data/Y/{new}/{new}.xml: [真实性] 元数据 itemNumber 为“0011”，与档号 {code} 不符（应为“0012”）" in findings
    assert f"data/Y/归档文件目录.csv:12: [真实性] 序号 11 与档号 {code} 的件号 0012 不符" in findings


def test_a_catalogue_row_in_the_wrong_class_folder_is_found(copy: Path) -> None:
    csv_path = copy / "data/D30/归档文件目录.csv"
    text = csv_path.read_text(encoding="utf-8-sig")
    csv_path.write_text(text.replace("J017-WS·2024-D30-0002", "J017-WS·2024-Y-0002"), encoding="utf-8-sig")
    target = copy / "data/D30/J017-WS-2024-Y-0002"
    shutil.copytree(copy / "data/D30/J017-WS-2024-D30-0002", target)
    for path in target.iterdir():
        path.rename(target / path.name.replace("D30-0002", "Y-0002"))
    shutil.rmtree(copy / "data/D30/J017-WS-2024-D30-0002")
    _rebag(copy)

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert (
        "data/D30/归档文件目录.csv:3: [真实性] 档号 J017-WS·2024-Y-0002 应在类目文件夹 data/Y/ 中，实际在 data/D30/"
        in findings
    )
    assert (
        "data/D30/J017-WS-2024-Y-0002/J017-WS-2024-Y-0002.pdf: [真实性] 归档章中的保管期限为“定期30年”，"
        "与档号 J017-WS·2024-Y-0002 不符（应为“永久”）"
    ) in findings


# -- 可用性: GB/T 9704-2012 layout of each 件 (issue 11 item 3) -----------------------------------------


def test_every_item_is_measured_against_gb_t_9704_and_a_clean_package_conforms(package: Path) -> None:
    result = _cli("archive", "verify", str(package), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    items = len(list((package / "data").glob("*/J017-WS-2024-*/J017-WS-2024-*.pdf")))
    # every PDF's PDF/A facts, the statistics sheet's too, plus the layout of every 件
    stats_pdfs = len(list((package / "data").glob("*.pdf")))
    usability = report["properties"]["usability"]
    assert (usability["checked"], usability["failures"]) == (2 * items + stats_pdfs, 0)


def test_an_item_laid_out_off_the_text_block_fails_usability_naming_the_clause_and_page(copy: Path) -> None:
    import pikepdf

    def shift(pdf: pikepdf.Pdf) -> None:
        assert len(pdf.pages) >= 2
        page = pdf.pages[1]  # page 2: no 归档章 there, only the body, moved 15 mm to the right
        page.contents_add(b"1 0 0 1 42.5 0 cm\n", prepend=True)

    result = _verify_tampered(copy, shift)

    assert result.exit_code == 1, result.output
    findings = _findings(result)
    assert findings, result.output
    assert all(f.startswith(f"{PDF}: [可用性] 版式不符合 GB/T 9704-2012 ") for f in findings), findings
    assert any("（规定）：第 2 页：" in f and "左" in f for f in findings), findings
