"""The annual archive: arrangement, the built package (measured), determinism, verification, the CLI.

The sample workspace's 2024 archive is built once per session (as a ZIP, then unpacked); every
tampering case works on its own copy.  Layout is checked on the PDFs with pdfplumber and poppler's
pdffonts, never by trusting the code that drew it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from judged import judged_recurring
from samples import REPO, replace_once

import cli
from archive.annual import arrange, build_annual_archive, verify_package
from archive.annual.arrange import Arrangement
from archive.annual.stats import annual_stats
from archive.catalog import load_catalog
from archive.workspace import Workspace

YEAR = 2024
MM = 72 / 25.4
CODE = re.compile(r"^J017-WS·2024-(Y|D30|D10)-(\d{4})$")
NS = {"m": "urn:renda:metadata:da-t-46-2009"}

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")


# -- the package, built once ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build_annual_archive(Workspace(REPO), YEAR, tmp_path_factory.mktemp("first"), as_zip=True)
    return result.path


@pytest.fixture(scope="session")
def package(built_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    into = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(built_zip) as archive:
        archive.extractall(into)
    (root,) = into.iterdir()
    return root


@pytest.fixture
def copy(package: Path, tmp_path: Path) -> Path:
    target = tmp_path / package.name
    shutil.copytree(package, target)
    return target


def _pdfs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.pdf") if p.parent.name.startswith("J017"))


def _catalogue_rows(root: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted((root / "data").rglob("归档文件目录.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += [{**row, "_folder": path.parent.relative_to(root).as_posix()} for row in csv.DictReader(handle)]
    return rows


def _sample_records(year: int) -> list[dict[str, Any]]:  # YAML as loaded
    out = []
    for path in sorted((REPO / "records").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("type") != "deputy" and str(data.get("date", ""))[:4] == str(year):
            out.append(data)
    return out


# -- the package as built -------------------------------------------------------------------------------


def test_the_bagit_library_validates_the_package(package: Path) -> None:
    import bagit

    bag = bagit.Bag(str(package))
    bag.validate()

    info = bag.info
    assert info["Source-Organization"] == "青澜市澄湖区人民代表大会常务委员会"
    assert info["Bag-Group-Identifier"] == str(YEAR)
    assert info["External-Identifier"] == f"J017-WS·{YEAR}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info["Bagging-Date"])
    assert {p.name for p in package.iterdir()} >= {
        "bagit.txt",
        "bag-info.txt",
        "data",
        "manifest-sha256.txt",
        "manifest-sm3.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sm3.txt",
    }


def test_the_sm3_manifest_holds_the_sm3_of_every_payload_file(package: Path) -> None:
    lines = (package / "manifest-sm3.txt").read_text(encoding="utf-8").splitlines()
    payload = sorted(p.relative_to(package).as_posix() for p in (package / "data").rglob("*") if p.is_file())

    assert sorted(line.split("  ", 1)[1] for line in lines) == payload
    for line in lines:
        digest, rel = line.split("  ", 1)
        assert hashlib.new("sm3", (package / rel).read_bytes()).hexdigest() == digest


def test_every_final_record_of_the_year_is_one_item_and_drafts_are_left_out(package: Path) -> None:
    records = _sample_records(YEAR)
    final = {r["id"] for r in records if r.get("status", "final") == "final"}
    yamls = {p.stem for p in (package / "data").rglob("*.yaml")}

    assert yamls == final
    assert len(_catalogue_rows(package)) == len(final)


def test_archival_codes_number_items_from_0001_in_each_class_by_date(package: Path) -> None:
    rows = _catalogue_rows(package)
    by_class: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_class.setdefault(row["_folder"], []).append(row)

    assert len(by_class) >= 2
    for folder, members in by_class.items():
        numbers = [CODE.match(r["档号"]) for r in members]
        assert all(numbers), [r["档号"] for r in members]
        assert [int(m.group(2)) for m in numbers if m] == list(range(1, len(members) + 1))
        assert {m.group(1) for m in numbers if m} == {folder.split("/")[-1]}
        dates = [r["日期"] for r in members]
        assert all(re.fullmatch(r"2024\d{4}", d) for d in dates)
        assert dates == sorted(dates)


def test_the_catalogue_has_the_standard_columns_in_csv_and_xlsx(package: Path) -> None:
    from openpyxl import load_workbook

    columns = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    for path in (package / "data").rglob("归档文件目录.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
        assert table[0] == columns
        sheet = load_workbook(path.with_suffix(".xlsx")).active
        values = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
        assert values[1] == columns
        assert values[2:] == table[1:]
        assert path.with_suffix(".docx").is_file()
        assert (path.parent / "备考表.docx").is_file()


def test_catalogue_page_counts_equal_the_pdfs_pages(package: Path) -> None:
    import pdfplumber

    rows = _catalogue_rows(package)
    for row in rows:
        stem = row["档号"].replace("·", "-")
        with pdfplumber.open(package / row["_folder"] / stem / f"{stem}.pdf") as pdf:
            assert int(row["页数"]) == len(pdf.pages), row["档号"]


def test_every_pdf_carries_pdfa2b_identification_and_embeds_all_its_fonts(package: Path) -> None:
    import pikepdf

    pdfs = [*_pdfs(package), package / "data" / "年度工作统计.pdf"]
    assert len(pdfs) == len(_catalogue_rows(package)) + 1
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B"), path.name
            assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"
            assert not pdf.is_encrypted
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows, path.name
        # columns: name type encoding emb sub uni object ID; "emb" is the 4th field from the right
        assert all(row.split()[-5] == "yes" for row in rows), fonts


def test_the_archive_stamp_sits_at_the_top_centre_of_page_one(package: Path) -> None:
    import pdfplumber

    for row in _catalogue_rows(package):
        stem = row["档号"].replace("·", "-")
        number = row["档号"][-4:]
        with pdfplumber.open(package / row["_folder"] / stem / f"{stem}.pdf") as pdf:
            page = pdf.pages[0]
            top = page.crop((0, 0, page.width, 35 * MM))
            words = [w["text"] for w in top.extract_words()]
            assert ["J017", "2024", number] == words[:3], words
            retention = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}[row["_folder"].split("/")[1]]
            assert retention in words and str(len(pdf.pages)) == words[-1], words
            edges = top.edges
            left, right = min(e["x0"] for e in edges), max(e["x1"] for e in edges)
            upper, lower = min(e["top"] for e in edges), max(e["bottom"] for e in edges)
            assert abs((left + right) / 2 - page.width / 2) < 1 * MM
            assert abs((right - left) - 45 * MM) < 1 * MM
            assert abs((lower - upper) - 16 * MM) < 1 * MM
            assert 8 * MM < upper < 16 * MM
            if len(pdf.pages) > 1:  # page 1 only
                second = pdf.pages[1].crop((0, 0, page.width, 35 * MM))
                assert "J017" not in (second.extract_text() or "")


def test_metadata_uses_the_dat46_element_names(package: Path) -> None:
    for row in _catalogue_rows(package):
        stem = row["档号"].replace("·", "-")
        root = ET.parse(package / row["_folder"] / stem / f"{stem}.xml").getroot()
        code = root.find("m:archivalCode", NS)
        assert code is not None
        assert code.findtext("m:fondsIdentifier", namespaces=NS) == "J017"
        assert code.findtext("m:itemNumber", namespaces=NS) == row["档号"][-4:]
        assert root.findtext("m:electronicRecordCode", namespaces=NS) == row["档号"]
        assert root.findtext("m:contentDescription/m:title", namespaces=NS) == row["题名"]
        assert root.findtext("m:contentDescription/m:securityClassification", namespaces=NS) == row["密级"]
        assert root.findtext("m:formalCharacteristics/m:pages", namespaces=NS) == row["页数"]
        pdf = package / row["_folder"] / stem / f"{stem}.pdf"
        assert root.findtext("m:digitalProperties/m:computerFileSize", namespaces=NS) == str(pdf.stat().st_size)


def test_an_answered_opinion_names_its_report_in_the_remarks(package: Path) -> None:
    answered = [r for r in _sample_records(YEAR) if r["type"] == "opinion" and r.get("follow_up", {}).get("reports")]
    rows = {r["文号"]: r for r in _catalogue_rows(package)}

    assert answered
    for record in answered:
        report = record["follow_up"]["reports"][0]
        assert report["doc_number"] in rows[record["doc_number"]]["备注"]


def test_building_twice_gives_the_same_package_byte_for_byte(built_zip: Path, tmp_path: Path) -> None:
    again = build_annual_archive(Workspace(REPO), YEAR, tmp_path, as_zip=True).path

    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(built_zip.read_bytes()).hexdigest()


# -- verification -----------------------------------------------------------------------------------------


def test_the_built_package_verifies_as_a_folder_and_as_a_zip(package: Path, built_zip: Path) -> None:
    for path in (package, built_zip):
        report = verify_package(path)
        assert report.ok, [f.format() for f in report.findings]
        assert all(report.checked[key] > 0 for key in report.checked)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli.cli, list(args))


def test_flipping_one_byte_of_a_pdf_fails_verify_naming_the_file(copy: Path) -> None:
    pdf = _pdfs(copy)[3]
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    rel = pdf.relative_to(copy).as_posix()

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1
    assert re.search(rf"{re.escape(rel)}: \[真实性\] SHA256 校验值不符", result.output), result.output
    assert f"{rel}: [真实性] SM3 校验值不符" in result.output


def test_deleting_one_file_fails_verify_naming_it(copy: Path) -> None:
    gone = sorted((copy / "data").rglob("*.xml"))[0]
    gone.unlink()
    rel = gone.relative_to(copy).as_posix()

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1
    assert f"{rel}: [真实性] 清单中列出但归档包中没有该文件" in result.output
    assert f"{rel}: [完整性]" in result.output


def test_adding_one_file_fails_verify_naming_it(copy: Path) -> None:
    extra = copy / "data" / "Y" / "说明.txt"
    extra.write_text("多出来的文件", encoding="utf-8")

    result = _cli("archive", "verify", "--json", str(copy))

    assert result.exit_code == 1
    import json

    report = json.loads(result.output)
    assert {"property": "authenticity", "file": "data/Y/说明.txt", "message": "文件不在清单中（被添加）"} in report[
        "findings"
    ]


def test_verify_catches_a_wrong_page_count_and_a_classification_above_the_ceiling(copy: Path) -> None:
    path = copy / "data" / "Y" / "归档文件目录.csv"
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[1].split(",")
    first[7] = str(int(first[7]) + 1)
    first[6] = "秘密"
    path.write_text(text.replace(text.splitlines()[1], ",".join(first)), encoding="utf-8-sig")

    report = verify_package(copy)

    messages = [f.format() for f in report.findings]
    assert any("[完整性]" in m and "PDF 实有" in m for m in messages), messages
    assert any(m.startswith("data/Y/归档文件目录.csv:2: [安全性]") and "秘密" in m for m in messages), messages
    assert any("归档文件目录.csv: [真实性]" in m for m in messages), messages


def test_verify_rejects_what_is_not_a_package(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")

    missing = _cli("archive", "verify", str(tmp_path / "nothing"))
    not_bag = _cli("archive", "verify", str(tmp_path))
    not_zip = _cli("archive", "verify", str(tmp_path / "x.txt"))

    assert (missing.exit_code, not_bag.exit_code, not_zip.exit_code) == (1, 1, 1)
    assert "归档包不存在" in missing.output
    assert "缺少 bagit.txt" in not_bag.output
    assert "不是 ZIP 文件" in not_zip.output
    assert "Traceback" not in missing.output + not_bag.output + not_zip.output


# -- arrangement and pre-flight (no rendering) -------------------------------------------------------------


def _group(pattern: str, text: str) -> str:
    """The first group of ``pattern``'s first match in ``text`` (which must match)."""
    found = re.search(pattern, text)
    assert found, pattern
    return found[1]


def _arrangement(ws: Path, year: int = 2025) -> Arrangement:
    workspace = Workspace(ws)
    return arrange(load_catalog(workspace).records, workspace.config, year)


def test_drafts_and_records_above_the_allowed_classification_are_left_out(
    ws: Path, write: Callable[[str, str], Path], renda: Callable[..., Result]
) -> None:
    opinion = (ws / "records/2025/opinion-2025-01.yaml").read_text(encoding="utf-8")
    write("records/2025/opinion-2025-01.yaml", replace_once(opinion, "classification: 公开", "classification: 秘密"))
    report = (ws / "records/2025/report-2025-01.yaml").read_text(encoding="utf-8")
    write("records/2025/report-2025-01.yaml", replace_once(report, "status: final", "status: draft"))

    arrangement = _arrangement(ws)

    ids = [i.record.id for i in arrangement.items]
    assert "opinion-2025-01" not in ids and "report-2025-01" not in ids
    assert [r.id for r in arrangement.withheld] == ["opinion-2025-01"]
    assert [r.id for r in arrangement.drafts] == ["report-2025-01"]
    check = renda("archive", "build", "2025", "--check")
    assert check.exit_code == 0, check.output
    assert "密级高于“内部”的 1 件未归档，草稿 1 件未归档" in check.output
    assert "records/2025/opinion-2025-01.yaml: 密级“秘密”高于本工作区允许的“内部”，不进入归档包" in check.output


def test_a_record_can_override_its_retention_and_organs_classify_when_configured(
    ws: Path, write: Callable[[str, str], Path]
) -> None:
    inspection = (ws / "records/2025/inspection-2025-01.yaml").read_text(encoding="utf-8")
    write(
        "records/2025/inspection-2025-01.yaml",
        replace_once(inspection, "status: final\n", "status: final\nretention: D10\norgan: FGW\n"),
    )
    config = (ws / "renda.yaml").read_text(encoding="utf-8")
    write("renda.yaml", re.sub(r"classify_by_organ: false", "classify_by_organ: true", config))

    arrangement = _arrangement(ws)

    codes = {i.record.id: i.code for i in arrangement.items}
    assert codes["inspection-2025-01"] == "J017-WS·2025-D10-FGW-0001"
    assert all(re.fullmatch(r"J017-WS·2025-(Y|D30|D10)-[A-Z]{2,6}-\d{4}", c) for c in codes.values()), codes


def test_check_lists_what_weakens_the_archive_and_writes_nothing(
    ws: Path, write: Callable[[str, str], Path], renda: Callable[..., Result]
) -> None:
    inspection = (ws / "records/2025/inspection-2025-01.yaml").read_text(encoding="utf-8")
    inspection = re.sub(r"(?m)^doc_number: .*\n", "", inspection)
    write("records/2025/inspection-2025-01.yaml", inspection)
    meeting = (ws / "records/2025/meeting-2025-01.yaml").read_text(encoding="utf-8")
    write("records/2024/meeting-2025-01.yaml", re.sub(r"(?m)^title: .*$", "title: 会议纪要", meeting))
    (ws / "records/2025/meeting-2025-01.yaml").unlink()
    before = sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*"))

    result = renda("archive", "build", "2025", "--check")

    assert result.exit_code == 0, result.output
    assert "records/2025/inspection-2025-01.yaml: 缺少文号" in result.output
    assert "records/2024/meeting-2025-01.yaml: 成文日期在 2025 年，但文件放在 2024 年的目录中" in result.output
    assert "records/2024/meeting-2025-01.yaml: 题名“会议纪要”不能反映文件内容" in result.output
    assert re.search(r"2025 年度：\d+ 件（.+）；可以归档", result.output)
    assert sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*")) == before


def test_a_made_up_title_goes_in_square_brackets(ws: Path, write: Callable[[str, str], Path]) -> None:
    meeting = (ws / "records/2025/meeting-2025-01.yaml").read_text(encoding="utf-8")
    write(
        "records/2025/meeting-2025-01.yaml",
        replace_once(meeting, "status: final\n", "status: final\narchive_title: 区人大常委会第二十六次会议纪要\n"),
    )

    arrangement = _arrangement(ws)

    (item,) = [i for i in arrangement.items if i.record.id == "meeting-2025-01"]
    assert item.catalogue_title == "[区人大常委会第二十六次会议纪要]"


def test_a_year_without_records_is_refused(renda: Callable[..., Result], ws: Path) -> None:
    result = renda("archive", "build", "2019", "-o", str(ws / "out"))

    assert result.exit_code == 1
    assert "2019 年度没有可归档的定稿记录" in result.output
    assert not (ws / "out").exists()


@pytest.mark.parametrize("year", ["99999", "0"])
def test_a_year_that_is_not_a_year_is_refused(renda: Callable[..., Result], year: str) -> None:
    result = renda("archive", "build", year, "--check")

    assert result.exit_code == 1
    assert f"年度应为四位年份，如 2024，实际为 {year}" in result.output


def test_an_invalid_workspace_is_refused_naming_file_and_line(
    ws: Path, write: Callable[[str, str], Path], renda: Callable[..., Result]
) -> None:
    opinion = (ws / "records/2025/opinion-2025-01.yaml").read_text(encoding="utf-8")
    write("records/2025/opinion-2025-01.yaml", replace_once(opinion, "date: 2025-", "date: 2025-13-"))

    result = renda("archive", "build", "2025", "-o", str(ws / "out"))

    assert result.exit_code == 1
    assert re.search(r"records/2025/opinion-2025-01\.yaml:\d+: date: ", result.output), result.output
    assert "请先运行 renda validate 修正" in result.output
    assert "Traceback" not in result.output
    assert not (ws / "out").exists()


def test_without_libreoffice_the_build_says_how_to_install_it(
    renda: Callable[..., Result], ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.render.conversion.find_soffice", lambda: None)

    result = renda("archive", "build", "2025", "-o", str(ws / "out"))

    assert result.exit_code == 1
    assert "apt-get install libreoffice" in result.output


def test_an_interrupted_build_leaves_nothing_behind(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("archive.annual.build.write_bag", broken)
    out = ws / "out"
    previous = out / "J017-WS-2025" / "bagit.txt"
    previous.parent.mkdir(parents=True)
    previous.write_text("the package of an earlier build", encoding="utf-8")

    with pytest.raises(KeyboardInterrupt):
        build_annual_archive(Workspace(ws), 2025, out)

    assert [p.relative_to(out).as_posix() for p in out.rglob("*")] == ["J017-WS-2025", "J017-WS-2025/bagit.txt"]
    assert previous.read_text(encoding="utf-8") == "the package of an earlier build"


def test_the_cli_builds_a_folder_that_verifies_and_reports_json(renda: Callable[..., Result], ws: Path) -> None:
    import json

    result = renda("archive", "build", "2025", "-o", str(ws / "out"), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert Path(report["path"]) == ws / "out" / "J017-WS-2025"
    assert report["items"][0]["code"] == "J017-WS·2025-Y-0001"
    verify = CliRunner().invoke(cli.cli, ["archive", "verify", report["path"]])
    assert verify.exit_code == 0, verify.output
    assert "归档包校验通过" in verify.output
    manifest = (ws / "out" / "J017-WS-2025" / "manifest-sha256.txt").read_bytes()
    again = renda("archive", "build", "2025", "-o", str(ws / "out"))  # replaces the earlier package
    assert again.exit_code == 0, again.output
    assert "已生成归档包 out/J017-WS-2025：" in again.output
    assert (ws / "out" / "J017-WS-2025" / "manifest-sha256.txt").read_bytes() == manifest
    assert sorted(p.name for p in (ws / "out").iterdir()) == ["J017-WS-2025"]


@pytest.mark.parametrize("command", ["build", "verify"])
def test_archive_subcommands_have_chinese_help(command: str) -> None:
    result = CliRunner().invoke(cli.cli, ["archive", command, "-h"], prog_name="renda")

    assert result.exit_code == 0
    assert result.output.startswith(f"用法：renda archive {command}")
    assert re.search(r"[\u4e00-\u9fff]", result.output.splitlines()[2])


# -- statistics ---------------------------------------------------------------------------------------------


def test_the_statistics_count_the_years_records() -> None:
    workspace = Workspace(REPO)
    stats = annual_stats(load_catalog(workspace), YEAR)
    records = [r for r in _sample_records(YEAR) if r.get("status", "final") == "final"]

    sittings = dict(stats.sittings)
    for kind in ("常委会会议", "主任会议"):
        assert sittings[kind] == sum(1 for r in records if r["type"] == "meeting" and r["kind"] == kind)
    assert stats.opinions_issued == sum(1 for r in records if r["type"] == "opinion")
    assert stats.inspections == sum(1 for r in records if r["type"] == "inspection")
    assert stats.deputy_reports == sum(1 for r in records if r["type"] == "deputy_report")
    answered = [r for r in records if r["type"] == "opinion" and r.get("follow_up", {}).get("reports")]
    assert stats.opinions_answered == len(answered)
    # by hand, as `renda track` counts them: opinion-2024-01 answered 43 days late; opinion-2024-02 due on
    # National Day 2024-10-01, moved to the next working day 10-08 and answered that day, on time;
    # opinion-2024-03 and opinion-2024-04 unanswered
    assert (stats.opinions_on_time, stats.opinions_late, stats.opinions_unanswered) == (1, 1, 2)
    assert stats.satisfaction_rate == 1.0  # both evaluated ones: 基本满意 and 满意
    rate = stats.attendance_rate
    assert rate is not None and 0.5 < rate <= 1


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_the_statistics_list_the_problems_raised_again_across_years(year: int) -> None:
    stats = annual_stats(load_catalog(Workspace(REPO)), year)

    listed = sorted(sorted(r.id for r in thread.records) for thread in stats.recurring)
    assert listed == sorted(sorted(group) for group in judged_recurring(REPO, year))
    assert all(year in thread.years and len(thread.years) >= 2 for thread in stats.recurring)
    # the 物业管理 opinion of 2025 is a draft: not issued, so not listed, and 2021's 物业 opinion stands alone
    assert all(r.id != "opinion-2025-03" for thread in stats.recurring for r in thread.records)


def test_the_statistics_sheet_lists_the_recurring_problems_records(package: Path) -> None:
    import pdfplumber

    with pdfplumber.open(package / "data" / "年度工作统计.pdf") as pdf:
        text = re.sub(r"\s", "", "".join(page.extract_text() or "" for page in pdf.pages))
    titles = {
        str(data["id"]): re.sub(r"\s", "", str(data.get("title", "")))
        for data in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (REPO / "records").rglob("*.yaml"))
    }
    assert "连续多年反复提出的问题" in text
    expected = judged_recurring(REPO, YEAR)
    assert len(expected) == 2  # 农村生活污水 2022–2024, 养老服务 2023–2024
    for group in expected:
        for rid in group:
            assert titles[rid] in text, rid
    assert titles["opinion-2024-01"] not in text  # 营商环境: raised in 2024 only


def test_an_answer_after_the_deadline_is_not_on_time(ws: Path, write: Callable[[str, str], Path]) -> None:
    opinion = (ws / "records/2025/opinion-2025-01.yaml").read_text(encoding="utf-8")
    assigned = dt.date.fromisoformat(_group(r"assigned: (\S+)", opinion))
    late = assigned + dt.timedelta(days=200)  # the starter allows a few months at most
    text = replace_once(
        opinion, f"assigned: {assigned}\n", f"assigned: {assigned}\n  reports:\n    - received: {late}\n"
    )
    write("records/2025/opinion-2025-01.yaml", text)
    workspace = Workspace(ws)

    stats = annual_stats(load_catalog(workspace), 2025)

    assert (stats.opinions_answered, stats.opinions_on_time) == (1, 0)


def test_merged_mode_puts_the_report_registration_page_into_the_opinions_item(
    ws: Path, write: Callable[[str, str], Path]
) -> None:
    import pdfplumber

    opinion = (ws / "records/2025/opinion-2025-01.yaml").read_text(encoding="utf-8")
    assigned = _group(r"assigned: (\S+)", opinion)
    report = (
        "  reports:\n    - received: 2025-07-01\n      title: 区人民政府关于养老服务工作审议意见研究处理情况的报告\n"
    )
    write(
        "records/2025/opinion-2025-01.yaml",
        replace_once(opinion, f"assigned: {assigned}\n", f"assigned: {assigned}\n{report}"),
    )
    config = (ws / "renda.yaml").read_text(encoding="utf-8")
    write("renda.yaml", replace_once(config, "opinion_report: linked", "opinion_report: merged"))

    result = build_annual_archive(Workspace(ws), 2025, ws / "out")

    (built,) = [i for i in result.items if i.record_id == "opinion-2025-01"]
    with pdfplumber.open(result.path / built.pdf) as pdf:
        assert len(pdf.pages) == built.pages
        assert "研究处理情况报告登记" in (pdf.pages[-1].extract_text() or "")
    rows = _catalogue_rows(result.path)
    (row,) = [r for r in rows if r["档号"] == built.code]
    assert row["备注"].startswith("研究处理情况报告（已并入本件）") and row["页数"] == str(built.pages)
    assert verify_package(result.path).ok


def test_verify_flags_a_pdf_that_is_not_pdfa_has_a_loose_font_javascript_and_encryption(copy: Path) -> None:
    import pikepdf

    target = _pdfs(copy)[0]
    pdf = pikepdf.new()
    pdf.add_blank_page()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (x) Tj ET")
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.save(target, encryption=pikepdf.Encryption(owner="o", user=""))
    rel = target.relative_to(copy).as_posix()

    report = verify_package(copy)

    usability = {f.message for f in report.findings if f.property == "usability" and f.file == rel}
    assert "XMP 中没有 PDF/A-2b 标识（实际：无）" in usability
    assert "缺少 PDF/A 输出意图（OutputIntent）" in usability
    assert "字体未嵌入：Helvetica" in usability
    assert "文件已加密" in usability
    security = {f.message for f in report.findings if f.property == "security" and f.file == rel}
    assert "含有 JavaScript，位于 /OpenAction（PDF/A-2 不允许）" in security


def test_verify_compares_the_metadata_with_the_pdf(copy: Path) -> None:
    xml = sorted((copy / "data").rglob("*.xml"))[0]
    text = xml.read_text(encoding="utf-8")
    pages = _group(r"<pages>(\d+)</pages>", text)
    xml.write_text(text.replace(f"<pages>{pages}</pages>", f"<pages>{int(pages) + 2}</pages>"), encoding="utf-8")
    rel = xml.relative_to(copy).as_posix()

    messages = [f.format() for f in verify_package(copy).findings]

    assert f"{rel}: [完整性] 元数据 pages 为 '{int(pages) + 2}'，应为 '{pages}'" in messages


def test_a_record_that_cannot_be_rendered_stops_the_build_naming_it(
    ws: Path, write: Callable[[str, str | bytes], Path], renda: Callable[..., Result]
) -> None:
    write("templates/opinion.docx", b"not a docx")

    result = renda("archive", "build", "2025", "-o", str(ws / "out"))

    assert result.exit_code == 1
    assert "records/2025/opinion-2025-01.yaml: 模板 templates/opinion.docx 无法使用" in result.output
    assert "1 条记录未能生成 PDF/A，归档未进行。" in result.output
    assert "Traceback" not in result.output
    assert list((ws / "out").iterdir()) == []


def test_an_output_folder_that_cannot_be_made_is_reported(ws: Path, renda: Callable[..., Result]) -> None:
    (ws / "plain.txt").write_text("a file, not a folder", encoding="utf-8")

    result = renda("archive", "build", "2025", "-o", str(ws / "plain.txt" / "archive"))

    assert result.exit_code == 1
    assert f"无法在 {ws / 'plain.txt' / 'archive'} 中写入归档包" in result.output
    assert "Traceback" not in result.output


def test_verify_reports_a_catalogue_and_manifest_that_are_not_utf8(copy: Path) -> None:
    (copy / "data" / "Y" / "归档文件目录.csv").write_bytes("序号,档号\n1,档号".encode("gbk"))
    (copy / "manifest-sm3.txt").write_bytes(b"\xff\xfe broken\n")

    result = _cli("archive", "verify", str(copy))

    assert result.exit_code == 1, result.output
    assert "data/Y/归档文件目录.csv: [完整性] 无法读取" in result.output
    assert "manifest-sm3.txt: [真实性] 清单格式错误" in result.output
    assert "Traceback" not in result.output


def test_verify_reads_the_classification_of_the_source_records_too(copy: Path) -> None:
    source = sorted((copy / "data").rglob("*.yaml"))[0]
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"(?m)^classification: .*$", "classification: 机密", text), encoding="utf-8")

    messages = [f.format() for f in verify_package(copy).findings]

    assert f"{source.relative_to(copy).as_posix()}: [安全性] 源记录密级“机密”高于允许的“内部”" in messages


def test_the_cli_writes_a_zip_that_verifies(ws: Path, renda: Callable[..., Result]) -> None:
    result = renda("archive", "build", "2025", "--zip", "-o", str(ws / "out"))

    assert result.exit_code == 0, result.output
    assert "已生成归档包 out/J017-WS-2025.zip：" in result.output
    assert sorted(p.name for p in (ws / "out").iterdir()) == ["J017-WS-2025.zip"]
    with zipfile.ZipFile(ws / "out" / "J017-WS-2025.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        info = archive.read("J017-WS-2025/bag-info.txt").decode("utf-8")
        day = dt.date.fromisoformat(_group(r"Bagging-Date: (\S+)", info))
        assert {i.date_time for i in archive.infolist()} == {(day.year, day.month, day.day, 0, 0, 0)}
        assert all(n.startswith("J017-WS-2025/") for n in names)
    verify = renda("archive", "verify", str(ws / "out" / "J017-WS-2025.zip"))
    assert verify.exit_code == 0, verify.output


def test_classifying_by_organ_nests_the_classes_and_stamps_the_organ(
    ws: Path, write: Callable[[str, str], Path]
) -> None:
    import pdfplumber

    config = (ws / "renda.yaml").read_text(encoding="utf-8")
    write("renda.yaml", replace_once(config, "classify_by_organ: false", "classify_by_organ: true"))
    inspection = (ws / "records/2025/inspection-2025-01.yaml").read_text(encoding="utf-8")
    write(
        "records/2025/inspection-2025-01.yaml",
        replace_once(inspection, "status: final\n", "status: final\norgan: FGW\n"),
    )

    result = build_annual_archive(Workspace(ws), 2025, ws / "out")

    rows = _catalogue_rows(result.path)
    assert {r["_folder"] for r in rows} >= {"data/Y/BGS", "data/Y/FGW"}
    (built,) = [i for i in result.items if i.record_id == "inspection-2025-01"]
    assert built.code == "J017-WS·2025-Y-FGW-0001"
    with pdfplumber.open(result.path / built.pdf) as pdf:
        top = pdf.pages[0].crop((0, 0, pdf.pages[0].width, 35 * MM))
        assert "法制工作委员会" in (top.extract_text() or "").replace(" ", "")
    assert verify_package(result.path).ok
