"""What the documents say: the 审议意见书 written from the meeting and report, 纪要 with agenda and decisions,
`renda new opinion --meeting`, and validation that knows which documents need a 发文字号."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
from click.testing import CliRunner, Result
from samples import REPO, copy_sample, replace_once

import cli


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def paragraphs(path: Path) -> list[tuple[str | None, str]]:
    """(style name, text) of each non-empty paragraph."""
    return [(p.style.name if p.style else None, p.text) for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def render_docx(root: Path, record_id: str, out: Path) -> list[tuple[str | None, str]]:
    result = run(root, "render", record_id, "--format", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    return paragraphs(out / f"{record_id}.docx")


def test_the_opinion_opening_sentence_is_drawn_from_the_meeting_and_report(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    body = render_docx(root, "opinion-2024-03", tmp_path / "out")

    texts = [t for _, t in body]
    opening = texts[texts.index("区人民法院：") + 1]
    assert opening.startswith(
        "2024年8月28日，区第十七届人大常委会第二十一次会议听取和审议了区人民法院院长邵泽宇所作的关于执行工作情况的报告。"
    )
    # the sentence is not typed twice any more
    assert sum("听取和审议了" in t for t in texts) == 1


def test_a_changed_meeting_date_changes_the_opening_sentence(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    edit(root / "records/2024/cwh-17-21.yaml", "date: 2024-08-28", "date: 2024-08-27")

    texts = [t for _, t in render_docx(root, "opinion-2024-03", tmp_path / "out")]

    assert any(t.startswith("2024年8月27日，区第十七届人大常委会第二十一次会议") for t in texts)


def test_the_reporter_is_named_in_the_opening_sentence(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    texts = [t for _, t in render_docx(root, "opinion-2024-02", tmp_path / "out")]

    assert any(
        "听取和审议了副区长林志远受区人民政府委托所作的关于农村人居环境整治提升工作情况的报告。" in t for t in texts
    )


def test_the_opinion_follows_the_heading_hierarchy(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    body = render_docx(root, "opinion-2024-01", tmp_path / "out")

    headings = [(style, text) for style, text in body if style in ("一级标题", "二级标题")]
    firsts = [text for style, text in headings if style == "一级标题"]
    assert firsts == ["一、总体评价", "二、存在的问题", "三、意见和建议"]
    # every （一） stands under a 一、 heading, and numbering restarts under each
    assert headings[0] == ("一级标题", "一、总体评价")
    problems = [t for s, t in headings[headings.index(("一级标题", "二、存在的问题")) + 1 :] if s == "二级标题"]
    assert problems[0].startswith("（一）涉企检查多头重复。")
    recommendations = [t for s, t in headings[headings.index(("一级标题", "三、意见和建议")) + 1 :] if s == "二级标题"]
    assert recommendations[0].startswith("（一）规范涉企行政检查。")


def test_the_closing_request_takes_the_months_from_the_deadline_rule(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    edit(root / "renda.yaml", "  opinion_report:\n    months: 3", "  opinion_report:\n    months: 2")

    texts = [t for _, t in render_docx(root, "opinion-2024-03", tmp_path / "out")]

    assert "请区人民法院认真研究处理，并于2个月内将研究处理情况书面报告常委会。" in texts


def test_a_workspace_template_overrides_the_fixed_wording(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    (root / "templates").mkdir()
    template = docx.Document(str(REPO / "templates/opinion.docx"))
    for p in template.paragraphs:
        for r in p.runs:
            r.text = r.text.replace("现将常委会组成人员的审议意见整理如下：", "现将审议意见函告如下：")
    template.save(str(root / "templates/opinion.docx"))

    texts = [t for _, t in render_docx(root, "opinion-2024-03", tmp_path / "out")]

    assert any(t.endswith("的报告。现将审议意见函告如下：") for t in texts)
    assert not any("整理如下" in t for t in texts)


BODY_ONLY = """body:
  - 常委会组成人员认为，区人民法院执行工作取得积极成效。
  - h1: 关于执行工作中的问题
  - 一是涉民生案件执行周期偏长；二是财产查控效率不高。
  - h1: 关于进一步做好执行工作的建议
  - 建议健全执行联动机制。
"""


def _body_only(root: Path) -> Path:
    path = root / "records/2024/opinion-2024-03.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("assessment:")
    end = text.index("follow_up:") if "follow_up:" in text else len(text)
    path.write_text(text[:start] + BODY_ONLY + text[end:], encoding="utf-8")
    return path


def test_an_opinion_written_as_free_text_renders_between_the_opening_and_the_request(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _body_only(root)

    checked = run(root, "validate", str(root / "records/2024/opinion-2024-03.yaml"))
    body = render_docx(root, "opinion-2024-03", tmp_path / "out")

    assert checked.exit_code == 0, checked.output
    texts = [t for _, t in body]
    start = texts.index("区人民法院：") + 1
    sitting = "2024年8月28日，区第十七届人大常委会第二十一次会议"
    assert texts[start] == sitting + "听取和审议了区人民法院院长邵泽宇所作的关于执行工作情况的报告。"
    assert texts[start + 1] == "常委会组成人员认为，区人民法院执行工作取得积极成效。"
    assert ("一级标题", "一、关于执行工作中的问题") in body
    assert ("一级标题", "二、关于进一步做好执行工作的建议") in body
    assert "一、总体评价" not in texts
    assert "请区人民法院认真研究处理，并于3个月内将研究处理情况书面报告常委会。" in texts


def test_an_opinion_with_both_forms_or_neither_is_an_error(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = _body_only(root)
    edit(path, "body:\n", "problems:\n  - 执行周期偏长。\nbody:\n")

    both = run(root, "validate")
    edit(path, "problems:\n  - 执行周期偏长。\nbody:\n", "other:\n")
    path.write_text(path.read_text(encoding="utf-8").split("other:\n")[0] + "follow_up:\n  assigned: 2024-09-06\n")
    neither = run(root, "validate")

    assert both.exit_code == 1
    assert "records/2024/opinion-2024-03.yaml" in both.output
    assert "已用 body 写了整篇正文，不能同时填写 problems" in both.output
    assert neither.exit_code == 1
    assert "缺少必填字段“assessment”（总体评价）；或者不分三部分，把整篇正文写在 body 中" in neither.output


def test_new_opinion_from_a_meeting_fills_report_organ_addressee_title_and_meeting(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    made = run(root, "new", "opinion", "--meeting", "cwh-17-21")

    assert made.exit_code == 0, made.output
    assert (
        "已创建 records/2024/opinion-2024-05.yaml（编号 opinion-2024-05，发文字号 澄人常函〔2024〕5号）" in made.output
    )
    text = (root / "records/2024/opinion-2024-05.yaml").read_text(encoding="utf-8")
    for line in (
        "date: 2024-08-28",
        "title: 澄湖区人大常委会关于区人民法院执行工作情况报告的审议意见",
        "meeting: cwh-17-21",
        "  title: 关于执行工作情况的报告",
        "  organ: 区人民法院",
        "  organ_kind: 法院",
        "addressee: 区人民法院",
    ):
        assert line + "  #" in text, line
    # the draft renders: its opening sentence names the sitting and the report, headings go 一、 → （一）
    body = render_docx(root, "opinion-2024-05", tmp_path / "out")
    texts = [t for _, t in body]
    assert any(
        t.startswith("2024年8月28日，区第十七届人大常委会第二十一次会议听取和审议了区人民法院关于执行工作情况的报告。")
        for t in texts
    )
    styles = [s for s, _ in body if s in ("一级标题", "二级标题")]
    assert styles[0] == "一级标题"


def test_new_opinion_from_a_meeting_that_heard_several_reports_lists_them(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    before = sorted((root / "records").rglob("*.yaml"))

    result = run(root, "new", "opinion", "--meeting", "cwh-17-12")

    assert result.exit_code == 1
    assert "会议“cwh-17-12”审议了 2 份报告，请用 --item 指定是哪一项" in result.output
    assert "1. 听取和审议区监察委员会关于整治群众身边不正之风和腐败问题工作情况的报告" in result.output
    assert "3. 听取和审议区人民政府关于2023年上半年预算执行情况的报告" in result.output
    assert "Traceback" not in result.output
    assert sorted((root / "records").rglob("*.yaml")) == before


def test_new_opinion_with_item_takes_that_agenda_item(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "new", "opinion", "--meeting", "cwh-17-12", "--item", "3")

    assert result.exit_code == 0, result.output
    text = (root / "records/2023/opinion-2023-03.yaml").read_text(encoding="utf-8")
    assert "  title: 关于2023年上半年预算执行情况的报告  #" in text
    assert "addressee: 区人民政府  #" in text


def test_new_opinion_with_a_bad_item_or_meeting_says_which(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    far = run(root, "new", "opinion", "--meeting", "cwh-17-12", "--item", "9")
    zero = run(root, "new", "opinion", "--meeting", "cwh-17-12", "--item", "0")
    typo = run(root, "new", "opinion", "--meeting", "cwh-17-2")
    wrong_type = run(root, "new", "meeting", "--meeting", "cwh-17-12")

    assert far.exit_code == 1 and "会议“cwh-17-12”的议程只有 3 项，没有第 9 项" in far.output
    assert zero.exit_code == 1 and "没有第 0 项" in zero.output
    assert typo.exit_code == 1 and "找不到会议记录“cwh-17-2”；是否应为“cwh-17-28”？" in typo.output
    assert wrong_type.exit_code == 1 and "--meeting 和 --item 只用于新建审议意见（opinion）" in wrong_type.output


def test_minutes_print_the_agenda_and_the_decisions(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    body = render_docx(root, "cwh-17-12", tmp_path / "out")

    texts = [t for _, t in body]
    agenda = next(t for t in texts if t.startswith("会议的议程是："))
    assert "听取和审议区监察委员会关于整治群众身边不正之风和腐败问题工作情况的报告" in agenda
    assert "听取区人民政府关于养老服务体系建设审议意见研究处理情况的报告" in agenda
    assert ("一级标题", "四、会议议定事项") in body
    assert "（一）会议对区监察委员会专项工作报告的审议意见，由常委会办公室整理后交区监察委员会研究处理。" in texts
    assert any(t.startswith("（二）会议对区人民政府关于养老服务体系建设审议意见研究处理情况的报告") for t in texts)


def test_a_final_opinion_without_a_doc_number_is_a_validation_error(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    edit(root / "records/2024/opinion-2024-02.yaml", "doc_number: 澄人常函〔2024〕2号\n", "")

    result = run(root, "validate")

    assert result.exit_code == 1
    assert (
        "records/2024/opinion-2024-02.yaml:1: doc_number: 定稿的审议意见书以文件格式或信函格式印发，"
        "必须有发文字号（GB/T 9704-2012 7.2.5）" in result.output
    )


def test_a_draft_opinion_may_wait_for_its_doc_number(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "validate", "--strict")

    # opinion-2025-03 is a draft without doc_number
    assert result.exit_code == 0, result.output


def test_a_signatory_on_an_opinion_is_a_warning(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    edit(root / "records/2024/opinion-2024-02.yaml", "status: final\n", "status: final\nsignatory: 周振华\n")

    result = run(root, "validate")

    assert result.exit_code == 0, result.output
    assert "signatory: 签发人只用于上行文（GB/T 9704-2012 7.2.6）；审议意见书是主送区人民政府的下行文" in result.output
    assert "1 个警告" in result.output


def test_the_sample_records_carry_no_hand_typed_opening_sentence() -> None:
    for path in sorted((REPO / "records").rglob("opinion-*.yaml")):
        text = path.read_text(encoding="utf-8")
        first = text.split("assessment:\n", 1)[1].splitlines()[0] if "assessment:\n" in text else ""
        assert "听取和审议了" not in first, path.name


def test_the_starter_workspace_copy_keeps_working(tmp_path: Path) -> None:
    # the sample opinion of `renda init` renders with the new template
    root = tmp_path / "init"
    assert CliRunner().invoke(cli.cli, ["init", str(root)]).exit_code == 0
    shutil.rmtree(tmp_path / "out", ignore_errors=True)

    texts = [t for _, t in render_docx(root, "opinion-2025-01", tmp_path / "out")]

    assert any(t.startswith("2025年4月24日，区第十七届人大常委会第二十六次会议听取和审议了") for t in texts)


def _ids(root: Path, query: str) -> list[str]:
    import json

    result = run(root, "search", query, "--json")
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.output)]


def test_an_opinion_is_found_under_the_sitting_that_heard_it_also_after_an_update(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    assert run(root, "index").exit_code == 0
    # a new opinion of cwh-17-21, indexed incrementally; its text names no sitting
    assert run(root, "new", "opinion", "--meeting", "cwh-17-21").exit_code == 0

    found = _ids(root, "十七届二十一次")
    edit(root / "records/2024/cwh-17-21.yaml", "sitting: 21", "sitting: 22")
    edit(root / "records/2024/cwh-17-21.yaml", "第二十一次会议纪要", "第二十二次会议纪要")
    moved = _ids(root, "十七届二十二次")

    assert "opinion-2024-03" in found and "opinion-2024-05" in found
    assert "opinion-2024-03" in moved and "opinion-2024-05" in moved
