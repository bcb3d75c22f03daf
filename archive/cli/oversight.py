"""Oversight of 审议意见, suggestions and motions: deadlines and status (track), reminder letters (remind),
assignment letters (assign), the suggestions' figures (stats)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
    from collections.abc import Iterable

    from archive.followup import FollowUpReport, OpinionFollowUp, ProposalStatistics
    from archive.scaffold import NewRecord
    from archive.workspace import Workspace


@click.group(
    cls=Group, invoke_without_command=True, short_help="督办：审议意见、代表建议和议案的期限和办理状态，催办函"
)
@as_of_option
@click.option(
    "--status",
    metavar="状态",
    help="只列出该状态：overdue 已逾期、due_soon 即将到期、pending 待报告（待答复）、"
    "answered_on_time 按期报告待测评（按期答复待评价）、answered_late 逾期报告待测评（逾期答复待评价）、"
    "evaluated 已测评（已评价）、unassigned 待交办、no_deadline 期限未定、draft 草稿（也可写中文）",
)
@click.option("--organ", metavar="机关", help="只列出主送或报告机关、主办或会办单位含该名称的，如 区人民政府、教育局")
@click.option("--kind", metavar="类型", help="只列出一类：opinion 审议意见、suggestion 建议、motion 议案（也可写中文）")
@click.option("--category", metavar="类别", help="只列出该类别的建议和议案，如 教育、城乡建设")
@click.option("--key", "supervised", is_flag=True, help="只列出重点督办的建议和议案")
@classification_option
@json_option("以 JSON 输出每件的各轮期限、收到（答复）日期和测评（评价）结果")
@click.pass_context
def track(
    ctx: click.Context,
    as_of: str | None,
    status: str | None,
    organ: str | None,
    kind: str | None,
    category: str | None,
    supervised: bool,
    level: str | None,
    as_json: bool,
) -> None:
    """督办：列出每件审议意见、代表建议和议案的期限和办理状态，已逾期的排在最前（终端中标红）。

    期限按 renda.yaml 的 deadlines 规则和国家法定节假日计算：期限最后一日是休息日的，顺延至下一个工作日。
    审议意见测评“不满意”的，按 deadlines.opinion_rereport 自测评之日起重新计算再次报告的期限；
    建议和议案自交办之日起按 deadlines.suggestion_answer（延期的按 suggestion_extended）计算答复期限，
    代表评价“不满意”的按 suggestion_rehandle 自评价之日起重新计算。
    子命令 remind 为已逾期的审议意见和建议生成催办函，assign 为交办的建议生成交办函，
    supervise 为重点督办的建议生成督办通知，stats 统计办理情况，draft-report 起草办理情况报告。
    """
    if ctx.invoked_subcommand is not None:
        if status or organ or kind or category or supervised or as_json:
            raise click.UsageError(
                "--status、--organ、--kind、--category、--key 和 --json 只用于列出督办事项；请写在子命令之后或去掉"
            )
        ctx.meta["track_as_of"] = as_of  # `renda track --as-of D remind` means the same as `remind --as-of D`
        ctx.meta["track_level"] = level
        return
    from archive.followup import screened_follow_up

    state = ctx.find_object(State)
    assert state is not None
    day = parse_as_of(as_of)
    clearance = clearance_of(state.workspace, level)
    report, screened = screened_follow_up(
        state.workspace, clearance, day, lambda report: report.filter(status, organ, kind, category, supervised)
    )
    say_screened(screened)
    if as_json:
        echo_json({"classification": screened.marking, **report.as_dict()})
    else:
        click.echo(format_track(report))
        if line := marking_line(screened):
            click.echo(line)
    for note in [*report.notes, *(f"{i.id}：{n}" for i in report.items for n in i.notes)]:
        click.echo(f"警告：{note}", err=True)


def say_letters(workspace: Workspace, created: Iterable[NewRecord], reused: Iterable[str], kind: str) -> None:
    """What a letter command kept: each letter record it wrote, and each same-day letter it rendered again."""
    for made in created:
        click.echo(f"已建立函件记录 {workspace.relative(made.path)}（发文字号 {made.doc_number}）")
    for rid in reused:
        click.echo(f"同一天的{kind}已有记录 {rid}，重新生成文件")


def format_track(report: FollowUpReport) -> str:
    header = ["编号", "主送", "交办", "报告期限", "收到报告", "状态", "测评"]
    if any(i.kind != "opinion" for i in report.items):
        header = ["编号", "主送/主办", "交办", "期限", "报告/答复", "状态", "测评/评价"]
    table = [header, *(track_row(i) for i in report.items)]
    lines = format_table(table).splitlines()
    color = use_color()
    styled = [lines[0]] + [
        click.style(line, fg="red", bold=True) if item.status.value == "overdue" and color else line
        for line, item in zip(lines[1:], report.items, strict=True)
    ]
    counts: dict[str, int] = {}
    for item in report.items:
        counts[item.status_label] = counts.get(item.status_label, 0) + 1
    summary = "，".join(f"{k} {v} 件" for k, v in counts.items())
    return "\n".join(
        [*styled, f"参考日期 {report.as_of.isoformat()}：共 {len(report.items)} 件{'，' if summary else ''}{summary}。"]
    )


def track_row(item: OpinionFollowUp) -> list[str]:
    current = item.current
    due = item.due.isoformat() if item.due else ""
    if current is not None and current.nominal_due is not None:
        due += "（节假日顺延）"
    if item.reopened:
        due += f"（第{len(item.rounds)}轮）"
    state = item.status_label
    if item.supervised_by:
        state += "，重点督办"
    if item.days_left is not None:
        state += f"（逾期{-item.days_left}天）" if item.days_left < 0 else f"（剩{item.days_left}天）"
    elif current is not None and current.on_time is False and item.status.value == "evaluated":
        state += f"（逾期{'报告' if item.kind == 'opinion' else '答复'}{current.days_late}天）"
    if item.reminders:
        state += f"，已催办{len(item.reminders)}次"
    assigned = item.assigned.isoformat() if item.assigned else ""
    received = current.received.isoformat() if current and current.received else ""
    evaluations = "→".join(r.evaluation for r in item.rounds if r.evaluation)
    if item.answer_class:
        received += f"（{item.answer_class}类）"
    return [item.id, item.addressee, assigned, due, received, state, evaluations]


def use_color() -> bool:
    return sys.stdout.isatty()


@track.command(short_help="为已逾期的审议意见和代表建议生成催办函")
@as_of_option
@output_option()
@formats_option
@classification_option
@json_option("以 JSON 列出写出的文件")
@pass_state
@click.pass_context
def remind(
    ctx: click.Context,
    state: State,
    as_of: str | None,
    output: Path | None,
    formats: str,
    level: str | None,
    as_json: bool,
) -> None:
    """为参考日期已逾期的每件审议意见生成催办函（信函格式，.docx 和 PDF），以常委会办公室名义发出。

    每件催办函保存为一条函件记录（records/年度/letter-….yaml），按办公室函件的发文字号顺序编号，
    可检索、归档；同一天再次运行不会重复建立记录。
    密级高于 max_public_classification（或 --classification）的意见不生成催办函，只给出件数；
    用 --classification 列入的，催办函按所引意见和会议的最高密级标注密级，版头印份号。
    """
    from archive.render.oversight import remind_screened

    wanted = parse_formats(formats)
    day = parse_as_of(as_of or ctx.meta.get("track_as_of"))
    workspace = state.workspace
    clearance = clearance_of(workspace, level or ctx.meta.get("track_level"))
    report, screened, reminders = remind_screened(workspace, clearance, day, output or workspace.output_dir, wanted)
    say_screened(screened, "生成催办函")
    result = reminders.result
    if as_json:
        echo_json(reminders.to_json(workspace))
        if result.failures:
            sys.exit(1)
        return
    if not result.documents and not result.failures:
        click.echo(f"参考日期 {report.as_of.isoformat()} 没有已逾期的审议意见，无需催办。")
        return
    say_letters(workspace, reminders.created, reminders.reused, "催办函")
    print_render(workspace, result, as_json)


@track.command(short_help="为交办给一个承办单位的代表建议生成交办函")
@click.option("--organ", required=True, metavar="承办单位", help="承办单位全称，或能唯一确定它的一部分，如 教育局")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="交办日期：列出这一天交办的建议和议案")
@click.option("--session", metavar="会议", help="只列出该次会议提出的，如 4 或 第四次会议；闭会期间提出的写 闭会期间")
@output_option()
@formats_option
@classification_option
@json_option("以 JSON 列出交办的建议、函件记录和写出的文件")
@pass_state
def assign(
    state: State,
    organ: str,
    day: str,
    session: str | None,
    output: Path | None,
    formats: str,
    level: str | None,
    as_json: bool,
) -> None:
    """为某一天交办给一个承办单位的代表建议和议案生成交办函（信函格式，.docx 和 PDF），以常委会办公室名义发出。

    交办函列出由该单位主办和会办的各件建议（届次、会议、编号、题名、领衔代表），并写明答复期限
    （renda.yaml 的 deadlines.suggestion_answer）。交办函保存为一条函件记录（records/年度/letter-….yaml），
    按办公室函件的发文字号顺序编号；同一单位同一天再次运行不会重复建立记录。
    交办函按所列建议的最高密级标注密级；密级高于 max_public_classification（或 --classification）的建议
    不列入，只给出件数。
    没有符合条件的建议时不生成交办函，退出码为 1。
    """
    from archive.followup import parse_date_option
    from archive.render.assignment import assign_screened

    wanted = parse_formats(formats)
    workspace = state.workspace
    clearance = clearance_of(workspace, level)
    when = parse_date_option(day, "--date")
    screened, letter = assign_screened(
        workspace, clearance, organ, when, session, output or workspace.output_dir, wanted
    )
    say_screened(screened)
    if as_json:
        echo_json(letter.to_json(workspace))
        if letter.result.failures:
            sys.exit(1)
        return
    items = letter.assignment
    click.echo(f"{items.organ}：{day} 交办主办 {len(items.lead)} 件、会办 {len(items.co)} 件")
    say_letters(
        workspace, [letter.created] if letter.created else [], [letter.reused] if letter.reused else [], "交办函"
    )
    print_render(workspace, letter.result, as_json)


@track.command(short_help="为本年度重点督办的代表建议生成督办通知")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="通知的成文日期")
@click.option("--year", type=int, metavar="年", help="列出该年提出的重点督办建议和议案（默认为 --date 所在年）")
@output_option()
@formats_option
@classification_option
@json_option("以 JSON 列出所列的建议、函件记录和写出的文件")
@pass_state
def supervise(
    state: State, day: str, year: int | None, output: Path | None, formats: str, level: str | None, as_json: bool
) -> None:
    """为一个年度列为重点督办（handling.supervision）的代表建议和议案生成督办通知（信函格式，.docx 和 PDF），
    以常委会办公室名义发给各主办、会办单位：列出每件的主办、会办单位和领衔督办的领导，并写明办理要求和答复期限。

    督办通知保存为一条函件记录（文种“督办通知”），同一天再次运行不会重复建立记录；按所列建议的最高密级标注密级，
    密级更高的不列入，只给出件数。该年没有重点督办的建议时不生成通知，退出码为 1。
    """
    from archive.followup import parse_date_option
    from archive.render.supervision import supervise_screened

    wanted = parse_formats(formats)
    workspace = state.workspace
    clearance = clearance_of(workspace, level)
    when = parse_date_option(day, "--date")
    screened, notice = supervise_screened(workspace, clearance, when, year, output or workspace.output_dir, wanted)
    say_screened(screened)
    if as_json:
        echo_json(notice.to_json(workspace))
        if notice.result.failures:
            sys.exit(1)
        return
    click.echo(f"{notice.year} 年度重点督办 {len(notice.items)} 件：{'、'.join(p.id for p in notice.items)}")
    say_letters(
        workspace, [notice.created] if notice.created else [], [notice.reused] if notice.reused else [], "督办通知"
    )
    print_render(workspace, notice.result, as_json)


@track.command(name="draft-report", short_help="根据办理情况统计起草代表建议办理情况报告")
@click.option("--year", type=int, required=True, metavar="年", help="报告该年提出的代表建议的办理情况")
@as_of_option
@classification_option
@pass_state
@click.pass_context
def draft_report(ctx: click.Context, state: State, year: int, as_of: str | None, level: str | None) -> None:
    """起草《关于××年代表建议、批评和意见办理情况的报告》：写出一条工作报告记录（records/年度/workreport-….yaml，
    status: draft），数字与 renda track stats 相同——收到、办结、按期答复、A/B/C 类、首次和最终满意率、重新办理，
    各主办单位和各类别的情况；主要做法、存在的问题和下一步工作写作“（待填写）”，由工作人员补写后改为定稿。

    报告日期为参考日期（--as-of）。密级按所统计建议的最高密级标注；同一年度已有报告时不会覆盖。
    """
    from archive.followup.report_draft import draft_handling_report

    day = parse_as_of(as_of or ctx.meta.get("track_as_of"))
    workspace = state.workspace
    clearance = clearance_of(workspace, level or ctx.meta.get("track_level"))
    drafted = draft_handling_report(workspace, clearance, year, day)
    say_screened(drafted.screened)
    made = drafted.record
    total = drafted.statistics.rows[-1]
    click.echo(
        f"已起草 {workspace.relative(made.path)}（{year} 年代表建议 {len(total.received)} 件，"
        f"统计截至 {drafted.statistics.as_of.isoformat()}）"
    )
    click.echo(
        "请核对数字，补写“（待填写）”的内容，定稿时把 status 改为 final，再运行 renda validate 和 renda render。"
    )


@track.command(short_help="代表建议办理情况统计：按主办单位或类别")
@as_of_option
@click.option("--year", type=int, metavar="年", help="只统计该年提出的建议（默认全部）")
@click.option(
    "--by",
    type=click.Choice(["organ", "category"]),
    default="organ",
    show_default=True,
    help="分组：organ 按主办单位，category 按类别",
)
@classification_option
@json_option("以 JSON 输出每个数字及其依据的记录")
@pass_state
@click.pass_context
def stats(
    ctx: click.Context, state: State, as_of: str | None, year: int | None, by: str, level: str | None, as_json: bool
) -> None:
    """代表建议办理情况统计：按主办单位（或类别）列出收到、办结、按期答复件数，答复的 A、B、C 类占比，
    首次和最终的满意率（满意和基本满意占已评价的比例），以及重新办理的件数；最后一行为合计。

    --json 时每个数字都列出所依据的建议编号。议案转为建议的按建议统计。
    """
    from archive.followup import screened_statistics

    day = parse_as_of(as_of or ctx.meta.get("track_as_of"))
    clearance = clearance_of(state.workspace, level or ctx.meta.get("track_level"))
    figures, screened = screened_statistics(state.workspace, clearance, year, by, day)
    say_screened(screened)
    if as_json:
        echo_json({"classification": screened.marking, **figures.as_dict()})
        return
    click.echo(format_stats(figures))
    if line := marking_line(screened):
        click.echo(line)


def format_stats(figures: ProposalStatistics) -> str:
    def pct(value: float | None) -> str:
        return f"{value * 100:.1f}%" if value is not None else "—"

    head = "主办单位" if figures.by == "organ" else "类别"
    table = [[head, "收到", "办结", "按期答复", "A类", "B类", "C类", "首次满意率", "最终满意率", "重新办理"]]
    for row in figures.rows:
        table.append(
            [
                row.group,
                str(len(row.received)),
                str(len(row.completed)),
                str(len(row.on_time)),
                *(f"{len(ids)}（{pct(row.share(c))}）" for c, ids in row.classes),
                pct(row.rate(row.first_evaluations)),
                pct(row.rate(row.final_evaluations)),
                str(len(row.rehandled)),
            ]
        )
    scope = f"{figures.year}年提出的" if figures.year else "全部"
    return format_table(table) + f"\n参考日期 {figures.as_of.isoformat()}：{scope}代表建议。"
