"""Deputies: performance profiles, attendance, drafts of annual reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.cli._plumbing import Group
from archive.cli._shared import (
    State,
    as_of_option,
    classification_option,
    clearance_of,
    echo_json,
    format_table,
    formats_option,
    json_option,
    marking_line,
    output_option,
    parse_as_of,
    parse_formats,
    pass_state,
    print_render,
    say_screened,
)

if TYPE_CHECKING:
    from archive.deputies import Attendance, Period

    pass


@click.group(cls=Group, short_help="代表履职：履职档案、出勤统计、述职报告草稿")
def deputy() -> None:
    """代表履职：由会议、执法检查和述职记录生成履职档案、出勤统计和述职报告草稿。"""


def period_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--year", type=int, metavar="年", help="统计年度，如 2024")(func)
    return click.option("--term", type=int, metavar="届", help="统计届次，如 17")(func)


@deputy.command(short_help="生成一位代表的履职档案（.docx 和 PDF）")
@click.argument("deputy_id", metavar="代表")
@period_options
@as_of_option
@formats_option
@output_option()
@classification_option
@json_option("不生成文件，以 JSON 输出档案内容和每个数字所依据的记录")
@pass_state
def profile(
    state: State,
    deputy_id: str,
    term: int | None,
    year: int | None,
    as_of: str | None,
    formats: str,
    output: Path | None,
    level: str | None,
    as_json: bool,
) -> None:
    """生成代表履职档案：基本情况、出席会议、视察调研、学习培训、代表小组活动、建议、述职、获奖八个部分。

    代表可写编号或姓名。--year 与 --term 只给一个；都不给时为该代表最近任职的一届。
    每个数字都注明所依据的记录编号。
    """
    from archive.catalog import load_catalog
    from archive.deputies import compile_profile
    from archive.render.oversight import render_profile

    wanted = parse_formats(formats)
    day = parse_as_of(as_of)
    workspace = state.workspace
    clearance = clearance_of(workspace, level)
    compiled, screened = clearance.derive(
        load_catalog(workspace),
        lambda catalog: compile_profile(catalog, deputy_id, term, year, day),
        lambda compiled: compiled.sources,
    )
    say_screened(screened)
    if as_json:
        echo_json({"classification": screened.marking, **compiled.as_dict()})
        for warning in compiled.attendance.warnings:
            click.echo(f"警告：{warning}", err=True)
        return
    result = render_profile(workspace, compiled, output or workspace.output_dir, wanted, screened.marking)
    for warning in compiled.attendance.warnings:
        click.echo(f"警告：{warning}", err=True)
    print_render(workspace, result, False)


@deputy.command(short_help="全体代表的出勤统计，标出应约谈的代表")
@period_options
@as_of_option
@classification_option
@json_option("以 JSON 输出每位代表的出席、请假、缺席及所依据的会议记录")
@pass_state
def attendance(
    state: State, term: int | None, year: int | None, as_of: str | None, level: str | None, as_json: bool
) -> None:
    """全体代表的出勤统计：应出席、出席、请假、缺席和未记录的会议次数。

    缺席或请假次数达到 renda.yaml 中 oversight 的约谈标准的代表列在最前并标注“约谈”。
    不给 --term 和 --year 时统计参考日期所在的一届。没有记录出席情况的会议不计为缺席。
    """
    from archive.deputies import screened_attendance

    day = parse_as_of(as_of)
    period, rows, screened = screened_attendance(state.workspace, clearance_of(state.workspace, level), term, year, day)
    for warning in (w for r in rows for w in r.warnings):
        click.echo(f"警告：{warning}", err=True)
    say_screened(screened)
    if as_json:
        echo_json(
            {"classification": screened.marking, "period": period.as_dict(), "deputies": [r.as_dict() for r in rows]}
        )
        return
    click.echo(attendance_text(rows, period))
    if line := marking_line(screened):
        click.echo(line)


def attendance_text(rows: list[Attendance], period: Period) -> str:
    table = [["编号", "姓名", "应出席", "出席", "请假", "缺席", "未记录", "约谈"]]
    for r in rows:
        c = r.counts()
        counts = [str(len(r.sittings)), *(str(c[k]) for k in ("present", "leave", "absent", "unrecorded"))]
        table.append([r.deputy, r.name, *counts, "约谈：" + "；".join(r.interview_reasons) if r.interview else ""])
    flagged = sum(1 for r in rows if r.interview)
    return (
        format_table(table) + f"\n{period.label}（{period.start} 至 {period.end}）：{len(rows)} 位代表有应出席的会议，"
        f"{flagged} 位达到约谈标准。"
    )


@deputy.command(name="draft-report", short_help="按年度生成代表述职报告的 YAML 草稿")
@click.argument("deputy_id", metavar="代表")
@click.option("--year", type=int, required=True, metavar="年", help="述职年度，如 2024（必填）")
@as_of_option
@classification_option
@pass_state
def draft_report(state: State, deputy_id: str, year: int, as_of: str | None, level: str | None) -> None:
    """按年度生成代表述职报告的 YAML 草稿（status: draft），填入出席会议、视察调研等数字，供办公室补写。

    草稿写在 records/年度/report-年度-代表编号.yaml；已有同编号记录时不会覆盖。
    密级高于 max_public_classification（或 --classification）的记录不写入草稿；草稿的密级为其所依据记录的最高密级。
    """
    from archive.catalog import load_catalog
    from archive.deputies import compile_profile
    from archive.deputies import draft_report as write_draft

    day = parse_as_of(as_of)
    workspace = state.workspace
    clearance = clearance_of(workspace, level)
    catalog = load_catalog(workspace)
    compiled, screened = clearance.derive(
        catalog, lambda c: compile_profile(c, deputy_id, None, year, day), lambda p: p.sources
    )
    made = write_draft(catalog, compiled, screened.marking)
    say_screened(screened)
    click.echo(
        f"已创建 {workspace.relative(made.path)}（编号 {made.id}，草稿，密级“{screened.marking}”）。"
        "补写“（待填写）”处后运行 renda validate。"
    )
