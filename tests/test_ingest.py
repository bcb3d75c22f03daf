"""`renda import`: legacy PDFs become document records that search finds."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from click.testing import Result
from pdfgen import distinct_pages_pdf, flate_bomb_pdf, long_kids_pdf, official_pdf, shared_pages_pdf
from samples import RENDA_COMMAND, copy_sample, snapshot

from archive import ingest
from archive.ingest import Line, extract
from archive.search import search_workspace
from archive.search.analysis import fold
from archive.source import parse_yaml
from archive.workspace import Workspace

Renda = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
ARTICLES = sorted(FIXTURES.glob("article-*.pdf"))

# A phrase from each article that occurs in no other article nor in the starter workspace.
PHRASES = {
    "article-property.pdf": "专项维修资金使用程序繁琐",
    "article-liaison.pdf": "件件有回音、事事有着落",
    "article-budget.pdf": "预算联网监督系统",
}


def _import(renda: Renda, *files: Path) -> Result:
    return renda("import", *[str(f) for f in files])


def test_each_imported_article_is_found_first_by_a_phrase_from_it(ws: Path, renda: Renda) -> None:
    result = _import(renda, *ARTICLES)
    assert result.exit_code == 0, result.output
    assert result.output.count("已导入 ") == 3

    workspace = Workspace(ws)
    for pdf, phrase in PHRASES.items():
        hits = search_workspace(workspace, f'"{phrase}"').hits
        assert hits, phrase
        assert hits[0].source.endswith(".pdf")
        stored = (ws / hits[0].source).read_bytes()
        assert stored == (FIXTURES / pdf).read_bytes(), f"{phrase} should find {pdf} first"
        # unquoted, in other words, it still comes first
        assert search_workspace(workspace, phrase).hits[0].id == hits[0].id


def _broken_words(pdf: Path) -> list[str]:
    """Four characters around each place where the PDF wraps a paragraph line inside a sentence:
    a full line followed by a line that is not indented (so the paragraph goes on)."""
    with pdfplumber.open(pdf) as doc:
        lines = [ln for page in doc.pages for ln in page.extract_text_lines()]
    left = min(ln["x0"] for ln in lines)
    out = []
    for before, after in pairwise(lines):
        a, b = before["text"], after["text"]
        goes_on = len(a) >= 20 and after["x0"] < left + 2
        if goes_on and re.search(r"[\u4e00-\u9fff]{2}$", a) and re.match(r"[\u4e00-\u9fff]{2}", b):
            out.append(a[-2:] + b[:2])
    return out


def test_a_word_broken_across_two_pdf_lines_is_found(ws: Path, renda: Renda) -> None:
    pdf = FIXTURES / "article-property.pdf"
    broken = _broken_words(pdf)
    assert len(broken) >= 5  # the fixture really wraps lines inside words
    _import(renda, pdf)

    workspace = Workspace(ws)
    for text in broken:
        ids = [h.id for h in search_workspace(workspace, f'"{text}"').hits]
        assert "document-2024-01" in ids, text


def test_the_record_keeps_the_pdf_its_hash_and_what_was_detected(ws: Path, renda: Renda) -> None:
    _import(renda, FIXTURES / "article-property.pdf")
    record = ws / "records" / "2024" / "document-2024-01.yaml"
    data = parse_yaml(record.read_text(encoding="utf-8")).data
    pdf = ws / data["source_file"]["file"]

    assert data["title"] == "区人大常委会开展《物业管理条例》执法检查"
    # the article carries no 密级 mark: nothing is guessed, it waits for the clerk as an 内部 draft
    assert (data["date"], data["term"], data["status"]) == ("2024-05-20", 17, "draft")
    assert data["classification"] == "内部"
    assert data["issuer"] == "澄湖区人大常委会办公室"
    assert data["source_file"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert data["source_file"]["pages"] == 2
    body = "\n".join(data["body"])
    assert "澄湖区人大网" not in body  # running header dropped
    assert not re.search(r"—\s*\d+\s*—", body)  # page numbers dropped
    # paragraphs, not PDF lines: as many as the article has (plus the dateline)
    assert len(data["body"]) == 6
    assert renda("validate").exit_code == 0


def test_a_gbt_9704_document_rendered_by_renda_is_read_back(ws: Path, renda: Renda) -> None:
    # official-opinion.pdf is `renda render opinion-2024-02` of the sample workspace (masthead, 发文字号,
    # two-line title, 版记, "— N —" page numbers on alternating sides)
    result = renda("import", str(FIXTURES / "official-opinion.pdf"), "--json")
    (item,) = json.loads(result.output)["imported"]
    data = parse_yaml((ws / item["record"]).read_text(encoding="utf-8")).data

    assert item["missing"] == []
    assert data["title"] == "澄湖区人大常委会关于区人民政府农村人居环境整治提升工作情况报告的审议意见"
    assert data["doc_number"] == "澄人常函〔2024〕2号"
    assert data["issuer"] == "青澜市澄湖区人民代表大会常务委员会"
    assert (data["date"], data["term"], data["status"]) == ("2024-06-28", 17, "draft")  # no 密级 mark
    assert data["classification"] == "内部"
    body = "\n".join(data["body"])
    assert not re.search(r"—\s*\d+\s*—", body)
    assert "农村生活污水治理设施“建而不用”。部分设施因管网不配套" in body  # lines joined across the wrap


def test_too_many_pages_is_refused(renda: Renda, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest.extraction, "MAX_PAGES", 1)
    result = _import(renda, FIXTURES / "article-property.pdf")
    assert result.exit_code == 1
    assert "错误：页数过多（2 页），单个 PDF 不得超过 1 页；请拆分后导入" in result.output


def test_an_official_document_gets_its_doc_number_masthead_and_signature_date() -> None:
    size, w, h = 16.0, 595.0, 842.0
    lines = [
        Line("青澜市澄湖区人民政府文件", 1, 84, 517, 204, 26.0, w, h),
        Line("澄政发〔2019〕 12 号", 1, 218, 383, 297, size, w, h),
        Line("关于印发老旧小区改造", 1, 105, 496, 379, 22.0, w, h),
        Line("实施方案的通知", 1, 180, 420, 414, 22.0, w, h),
        Line("各镇人民政府、各街道办事处：", 1, 80, 300, 479, size, w, h),
        Line("现将《老旧小区改造实施方案》印发给你们，请认真", 1, 112, 521, 508, size, w, h),
        Line("贯彻执行。", 1, 80, 160, 537, size, w, h),
        Line("青澜市澄湖区人民政府", 1, 330, 500, 600, size, w, h),
        Line("2019年3月8日", 1, 360, 490, 629, size, w, h),
        Line("— 1 —", 1, 450, 500, 800, 14.0, w, h),
    ]
    found = extract(lines, 1)

    assert found.title == "关于印发老旧小区改造实施方案的通知"
    assert found.doc_number == "澄政发〔2019〕12号"
    assert found.issuer == "青澜市澄湖区人民政府"
    assert found.date is not None and found.date.isoformat() == "2019-03-08"
    assert "现将《老旧小区改造实施方案》印发给你们，请认真贯彻执行。" in found.paragraphs
    assert not any("— 1 —" in p for p in found.paragraphs)


def test_old_style_chinese_numeral_dates_are_read() -> None:
    w, h = 595.0, 842.0
    lines = [
        Line("会议通知", 1, 250, 350, 100, 22.0, w, h),
        Line("定于下周召开常委会会议，请准时参加。", 1, 80, 400, 200, 16.0, w, h),
        Line("二〇一五年十二月二十日", 1, 360, 500, 300, 16.0, w, h),
    ]
    found = extract(lines, 1)
    assert found.date is not None and found.date.isoformat() == "2015-12-20"


def test_what_was_not_detected_is_left_for_the_clerk(ws: Path, renda: Renda, monkeypatch: pytest.MonkeyPatch) -> None:
    w, h = 595.0, 842.0
    plain = [
        Line("本文没有标题也没有日期，只有一段很长的正文内容，用来检验未识别字段的处理。", 1, 80, 520, 200, 16, w, h)
    ]
    monkeypatch.setattr(ingest, "read_pdf_lines", lambda _path: (plain, 1))
    result = renda("import", str(FIXTURES / "article-budget.pdf"), "--json")
    report = json.loads(result.output)

    (item,) = report["imported"]
    assert item["missing"] == ["标题", "发文机关", "成文日期"]
    text = (ws / item["record"]).read_text(encoding="utf-8")
    data = parse_yaml(text).data
    assert (data["title"], data["issuer"], data["status"]) == ("（待填写）", "（待填写）", "draft")
    assert "date" not in data and "# date: 成文日期未能识别" in text
    validated = renda("validate")
    assert validated.exit_code == 0, validated.output
    assert f"{item['record']}:" in validated.output and "尚未填写" in validated.output


def test_bad_files_are_reported_and_the_rest_of_the_batch_is_imported(ws: Path, renda: Renda, tmp_path: Path) -> None:
    good = FIXTURES / "article-liaison.pdf"
    corrupt = tmp_path / "corrupt.pdf"
    data = good.read_bytes()
    corrupt.write_bytes(data[: len(data) // 3])
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("这不是 PDF", encoding="utf-8")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(ingest.extraction.MAX_PDF_BYTES + 1)  # sparse: no disk used
    files = [FIXTURES / "scanned.pdf", FIXTURES / "encrypted.pdf", corrupt, not_pdf, huge, tmp_path / "gone.pdf", good]

    result = _import(renda, *files)

    assert result.exit_code == 1
    assert "已导入 article-liaison.pdf → records/2023/document-2023-01.yaml" in result.output
    expected = {
        "scanned.pdf": "PDF 没有文字层（可能是扫描件）",
        "encrypted.pdf": "PDF 已加密，需要密码才能打开",
        "corrupt.pdf": "PDF 文件已损坏，无法读取",
        "notes.pdf": "不是 PDF 文件",
        "huge.pdf": "文件过大",
        "gone.pdf": "文件不存在",
    }
    for name, message in expected.items():
        (line,) = [ln for ln in result.output.splitlines() if ln.startswith(str(tmp_path / name)) or f"/{name}:" in ln]
        assert f"错误：{message}" in line, line
    assert "共导入 1 个文件，6 个失败。" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (ws / "records" / "2023").iterdir()) == [
        "document-2023-01.pdf",
        "document-2023-01.yaml",
    ]


def test_importing_the_same_pdf_twice_changes_nothing(ws: Path, renda: Renda) -> None:
    pdf = FIXTURES / "article-budget.pdf"
    assert _import(renda, pdf).exit_code == 0
    before = snapshot(ws)

    again = _import(renda, pdf)
    assert again.exit_code == 1
    assert "已经导入过（records/2022/document-2022-01.yaml）" in again.output
    assert snapshot(ws) == before


def test_an_existing_record_is_never_overwritten(ws: Path, renda: Renda) -> None:
    taken = ws / "records" / "2022" / "document-2022-01.yaml"
    taken.parent.mkdir(parents=True)
    taken.write_text("# the clerk's own file\n", encoding="utf-8")
    result = _import(renda, FIXTURES / "article-budget.pdf")

    assert result.exit_code == 0
    assert "records/2022/document-2022-02.yaml" in result.output
    assert taken.read_text(encoding="utf-8") == "# the clerk's own file\n"


def test_a_replaced_pdf_is_caught_by_validate(ws: Path, renda: Renda) -> None:
    _import(renda, FIXTURES / "article-budget.pdf")
    (ws / "records" / "2022" / "document-2022-01.pdf").write_bytes((FIXTURES / "article-liaison.pdf").read_bytes())
    result = renda("validate")

    assert result.exit_code == 1
    assert "records/2022/document-2022-01.yaml:" in result.output
    assert "source_file.sha256: 原始文件的 SHA-256 与记录不符" in result.output


def test_imported_text_is_what_search_holds(ws: Path, renda: Renda) -> None:
    _import(renda, FIXTURES / "article-liaison.pdf")
    (hit,) = search_workspace(Workspace(ws), '"连心桥"').hits
    assert hit.type == "document" and hit.term == 17 and hit.year == 2023
    assert fold("连心桥") in fold(hit.title)


def test_imported_documents_are_listed_and_skipped_by_render(renda: Renda, tmp_path: Path) -> None:
    _import(renda, FIXTURES / "article-liaison.pdf")

    listed = json.loads(renda("list", "--type", "外来文件", "--json").output)
    assert [(r["id"], r["type"], r["term"]) for r in listed] == [("document-2023-01", "document", 17)]

    rendered = renda("render", "--all", "--format", "docx", "-o", str(tmp_path / "out"), "--json")
    assert rendered.exit_code == 0, rendered.output
    report = json.loads(rendered.stdout)
    assert report["failures"] == []
    assert "document-2023-01" not in {d["id"] for d in report["documents"]}  # its PDF is the document
    # …and render says so instead of leaving it out silently
    assert "1 条外来文件记录（document-2023-01）的原件是 PDF，没有 .docx 可生成" in rendered.stderr
    assert report["notices"] == [
        "1 条外来文件记录（document-2023-01）的原件是 PDF，没有 .docx 可生成；用 --format pdf 复制原件"
    ]


def test_control_characters_from_a_broken_text_layer_are_dropped() -> None:
    from archive.ingest.extraction import _tidy

    assert _tidy(" 物业\x0c管理\ufffd 2024 年 6 月 ") == "物业管理2024年6月"


def test_a_date_outside_the_terms_leaves_the_term_for_the_clerk(
    ws: Path, renda: Renda, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, h = 595.0, 842.0
    lines = [
        Line("关于做好换届选举工作的通知", 1, 200, 400, 100, 22.0, w, h),
        Line("各镇人大主席团：现将有关事项通知如下，请认真贯彻落实。", 1, 80, 520, 200, 16.0, w, h),
        Line("澄湖区人大常委会办公室", 1, 330, 500, 300, 16.0, w, h),
        Line("1998年3月2日", 1, 360, 490, 330, 16.0, w, h),
    ]
    monkeypatch.setattr(ingest, "read_pdf_lines", lambda _path: (lines, 1))
    (item,) = json.loads(renda("import", str(FIXTURES / "article-budget.pdf"), "--json").output)["imported"]
    data = parse_yaml((ws / item["record"]).read_text(encoding="utf-8")).data

    assert item["missing"] == ["届次"]
    assert (data["date"], data["status"], data["issuer"]) == ("1998-03-02", "draft", "澄湖区人大常委会办公室")
    assert "term" not in data


# -- 密级 mark (issue 16 item 3) ---------------------------------------------------------------

NO_MARK = "未识别到密级标志，已按“内部”草稿导入，请核对密级后改为定稿"


@pytest.mark.parametrize(
    ("head", "level", "period", "status"),
    [
        (["000123", "秘密★1年"], "秘密", "1年", "final"),
        (["机密★10年", "特急"], "机密", "10年", "final"),
        (["秘密★6个月"], "秘密", "6个月", "final"),
        (["机密★十年"], "机密", "10年", "final"),
        (["秘密"], "秘密", None, "final"),
        (["内部"], "内部", None, "final"),
        (["公开"], "公开", None, "final"),
        ([], "内部", None, "draft"),  # no mark at all: not guessed 公开
        (["000045"], "内部", None, "draft"),  # a 份号 alone is no mark
        (["秘密★壹年"], "秘密", None, "draft"),  # a mark that does not parse: its level, as a draft
        (["内部★1年"], "内部", None, "draft"),
    ],
)
def test_the_classification_mark_of_an_imported_pdf_becomes_the_records_level(
    ws: Path, renda: Renda, tmp_path: Path, head: list[str], level: str, period: str | None, status: str
) -> None:
    pdf = official_pdf(tmp_path / "notice.pdf", head)
    result = renda("import", str(pdf))
    assert result.exit_code == 0, result.output

    record = ws / "records" / "2024" / "document-2024-01.yaml"
    data = parse_yaml(record.read_text(encoding="utf-8")).data
    assert (data["classification"], data.get("secrecy_period"), data["status"]) == (level, period, status)
    assert data["title"] == "关于开展专项调研工作的通知"
    body = "".join(data["body"])
    for line in head:
        assert line not in body  # 份号 and 密级 are 版头, not text
    if status == "draft":
        assert "notice.pdf: 注意：" in result.output
        assert "请核对密级后改为定稿" in result.output
        if not any("★" in h for h in head):
            assert NO_MARK in result.output
    else:
        assert "注意" not in result.output
    assert renda("validate").exit_code == 0


def test_a_top_secret_pdf_is_refused_and_nothing_is_written(ws: Path, renda: Renda, tmp_path: Path) -> None:
    before = snapshot(ws)
    result = renda("import", str(official_pdf(tmp_path / "ts.pdf", ["000001", "绝密★长期"])))

    assert result.exit_code == 1
    assert "ts.pdf: 错误：密级为“绝密”，超出本系统可以保存的范围（最高为“机密”），未导入" in result.output
    assert "Traceback" not in result.output
    assert snapshot(ws) == before


def test_search_and_the_archive_check_treat_imports_by_their_real_level(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    root = copy_sample(tmp_path / "ws")

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.cli, ["--root", str(root), *args])

    def left_out(output: str) -> tuple[int, int]:
        withheld = re.search(r"密级高于“内部”的 (\d+) 件未归档", output)
        drafts = re.search(r"草稿 (\d+) 件未归档", output)
        return (int(withheld[1]) if withheld else 0, int(drafts[1]) if drafts else 0)

    before = left_out(run("archive", "build", "2024", "--check").output)
    secret = official_pdf(tmp_path / "secret.pdf", ["秘密★1年"], body="请各单位严格控制知悉范围做好保密工作。")
    unmarked = official_pdf(tmp_path / "plain.pdf", [], body="请各单位认真组织开展乡村振兴专题调研。")
    imported = run("import", str(secret), str(unmarked))
    assert imported.exit_code == 0, imported.output

    # the workspace's ceiling is 内部: the 秘密 one is not found, the unmarked one is found as 内部
    assert run("search", "严格控制知悉范围").output.strip().endswith("没有找到符合条件的记录。")
    found = run("search", "乡村振兴专题调研").output
    (where,) = [line for line in found.splitlines() if "document-2024-" in line]
    assert "内部" in where  # search shows the level of anything above 公开

    check = run("archive", "build", "2024", "--check")
    assert left_out(check.output) == (before[0] + 1, before[1] + 1)  # withheld: the secret one; draft: the other

    # the phrase is findable: it was the level that kept the secret one out
    record = root / "records" / "2024" / "document-2024-01.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("classification: 秘密", "classification: 内部"))
    assert "document-2024-01" in run("search", "严格控制知悉范围").output


# -- file names (issue 16 item 7) --------------------------------------------------------------

# name → (as the record keeps it, as the CLI prints it): a record may hold line breaks but no C1 control
# (U+0085); printed, nothing may start a new line
HOSTILE_NAMES = {
    "x\nretention: D10\n#.pdf": ("x\nretention: D10\n#.pdf", "x\\x0aretention: D10\\x0a#.pdf"),
    # U+2028 is a hidden character no record may hold (renda validate refuses it): kept as an escape
    "x\u2028retention: D10.pdf": ("x\\u2028retention: D10.pdf", "x\\u2028retention: D10.pdf"),
    "x\u0085retention: D10.pdf": ("x\\x85retention: D10.pdf", "x\\x85retention: D10.pdf"),
    "x\rretention: D10.pdf": ("x\rretention: D10.pdf", "x\\x0dretention: D10.pdf"),
    "#comment.pdf": ("#comment.pdf", "#comment.pdf"),
    'it\'s "quoted".pdf': ('it\'s "quoted".pdf', 'it\'s "quoted".pdf'),
    "a: b.pdf": ("a: b.pdf", "a: b.pdf"),
    "- [x] {y}: &z *w !t |.pdf": ("- [x] {y}: &z *w !t |.pdf", "- [x] {y}: &z *w !t |.pdf"),
    "%TAG ! x.pdf": ("%TAG ! x.pdf", "%TAG ! x.pdf"),
}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_file_name_cannot_add_fields_to_the_imported_record(
    ws: Path, renda: Renda, tmp_path: Path, name: str
) -> None:
    stored, printed = HOSTILE_NAMES[name]
    pdf = tmp_path / "in" / name
    pdf.parent.mkdir()
    pdf.write_bytes((FIXTURES / "article-liaison.pdf").read_bytes())
    result = renda("import", str(pdf))
    assert result.exit_code == 0, result.output

    text = (ws / "records" / "2023" / "document-2023-01.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text).data
    assert set(data) == {"id", "type", "term", "date", "title", "classification", "status", "issuer"} | {
        "source_file",
        "body",
    }
    assert "retention" not in data
    assert data["source_file"]["original_name"] == stored
    assert f"已导入 {printed} → records/2023/document-2023-01.yaml\n" in result.output
    assert set(data["source_file"]) == {"file", "sha256", "original_name", "pages", "imported"}
    assert renda("validate").exit_code == 0


def test_a_file_name_that_is_not_utf8_is_imported_with_its_bytes_escaped(
    ws: Path, renda: Renda, tmp_path: Path
) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/\xb2\xe2\xca\xd4.pdf"  # 测试 in GBK
    with open(raw, "wb") as handle:
        handle.write((FIXTURES / "article-liaison.pdf").read_bytes())
    result = renda("import", os.fsdecode(raw))

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "已导入 \\xb2\\xe2\\xca\\xd4.pdf → records/2023/document-2023-01.yaml" in result.output
    data = parse_yaml((ws / "records" / "2023" / "document-2023-01.yaml").read_text(encoding="utf-8")).data
    assert data["source_file"]["original_name"] == "\\xb2\\xe2\\xca\\xd4.pdf"


# -- resource limits (issue 16 item 9) ---------------------------------------------------------

MEASURE = """\
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({
    "code": done.returncode,
    "output": done.stdout + done.stderr,
    "seconds": time.monotonic() - start,
    "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def _import_measured(root: Path, pdf: Path) -> dict[str, Any]:
    """`renda import` as a real process; its exit code, output, wall time and the peak RSS of it and its
    workers (measured by a fresh parent, so no other test's children count)."""
    command = [sys.executable, "-c", MEASURE, *RENDA_COMMAND, "--root", str(root), "import", str(pdf)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


def test_a_page_tree_of_300000_pages_is_refused_before_any_page_is_read(ws: Path, tmp_path: Path) -> None:
    before = snapshot(ws)
    run = _import_measured(ws, shared_pages_pdf(tmp_path / "many.pdf"))

    assert run["code"] == 1
    assert "many.pdf: 错误：页数过多（300000 页），单个 PDF 不得超过 300 页；请拆分后导入" in run["output"]
    assert "Traceback" not in run["output"]
    assert run["seconds"] < 20 and run["peak_mb"] < 300, run  # today: 69 s and 1.2 GB
    assert snapshot(ws) == before


def test_a_page_count_that_lies_is_caught_by_walking_the_page_tree(renda: Renda, tmp_path: Path) -> None:
    pdf = distinct_pages_pdf(tmp_path / "lie.pdf", 1000, count=1)
    result = renda("import", str(pdf))

    assert result.exit_code == 1
    assert "lie.pdf: 错误：页数过多（多于 300 页），单个 PDF 不得超过 300 页；请拆分后导入" in result.output


def test_a_flate_bomb_ends_in_a_clear_error_within_the_memory_limit(ws: Path, tmp_path: Path) -> None:
    bomb = flate_bomb_pdf(tmp_path / "bomb.pdf", 1024)  # 1 GB of zeros in about 1 MB
    assert bomb.stat().st_size < 2 * 1024 * 1024
    before = snapshot(ws)
    run = _import_measured(ws, bomb)

    assert run["code"] == 1
    limit = ingest.worker.MAX_MEMORY_MB
    assert f"bomb.pdf: 错误：PDF 解压后的内容超过 {limit} MB 的内存上限，未导入" in run["output"]
    assert "Traceback" not in run["output"]
    assert run["peak_mb"] < limit + 200 and run["seconds"] < 30, run  # today: 2.1 GB
    assert snapshot(ws) == before


def test_a_pdf_that_takes_too_long_to_read_is_stopped(
    renda: Renda, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest.worker, "MAX_SECONDS", 1)
    slow = long_kids_pdf(tmp_path / "slow.pdf", 300_000)  # seconds of parsing before the first page
    start = time.monotonic()
    result = renda("import", str(slow))

    assert result.exit_code == 1
    assert "slow.pdf: 错误：读取 PDF 超出资源限制（内存 768 MB、时间 1 秒），未导入" in result.output
    assert time.monotonic() - start < 20  # the parent waits at most 2 × 1 s + 5 s of wall time


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")
def test_a_secret_document_rendered_by_renda_is_imported_at_its_level(ws: Path, renda: Renda, tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    sample = copy_sample(tmp_path / "sample")
    opinion = sample / "records" / "2024" / "opinion-2024-02.yaml"
    text = opinion.read_text(encoding="utf-8")
    opinion.write_text(text.replace("classification: 公开", "classification: 秘密\nsecrecy_period: 1年", 1))
    out = tmp_path / "out"
    rendered = CliRunner().invoke(
        cli.cli, ["--root", str(sample), "render", "opinion-2024-02", "--format", "pdf", "-o", str(out)]
    )
    assert rendered.exit_code == 0, rendered.output

    result = renda("import", str(out / "opinion-2024-02.pdf"))
    assert result.exit_code == 0, result.output
    data = parse_yaml((ws / "records" / "2024" / "document-2024-01.yaml").read_text(encoding="utf-8")).data
    assert (data["classification"], data["secrecy_period"], data["status"]) == ("秘密", "1年", "final")
    assert not any("秘密" in p for p in data["body"] if isinstance(p, str))  # today: the mark is body text
