"""Records: a new workspace, validation, new record drafts, the record list."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli._plumbing import Command
from archive.cli._shared import (
    State,
    classification_option,
    clearance_of,
    echo_json,
    format_table,
    json_option,
    parse_type_option,
    pass_state,
    say_screened,
)

if TYPE_CHECKING:
    from archive.problems import ValidationReport
    from archive.records import Record


@click.command(cls=Command)
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """新建工作区：renda.yaml 和每类记录各一个示例；不会覆盖已有文件。"""
    from archive.scaffold import init_workspace

    written = init_workspace(directory)
    for path in written:
        click.echo(f"已创建 {path}")
    config = directory / "renda.yaml"
    click.echo(f"工作区已建好：{directory}。下一步：编辑 {config}，然后运行 renda --root {directory} validate")


@click.command(cls=Command)
@click.argument("paths", nargs=-1, metavar="[路径…]", type=click.Path(exists=False, path_type=Path))
@click.option("--strict", is_flag=True, help="把警告也当作错误")
@json_option()
@pass_state
def validate(state: State, paths: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """校验 renda.yaml 和记录：字段、格式、日期、引用、编号等，列出每个问题。

    给出路径时只报告这些文件（或目录）中的问题；引用检查仍读取全部记录。
    没有错误时退出码为 0，有错误时为 1。
    """
    from archive.catalog import validate as run_validation

    report = run_validation(state.workspace, paths, strict=strict)
    print_report(report, as_json)
    if not report.ok:
        sys.exit(1)


def print_report(report: ValidationReport, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "files_checked": report.files_checked,
                "records_checked": report.records_checked,
                "errors": [p.as_dict() for p in report.errors],
                "warnings": [p.as_dict() for p in report.warnings],
            }
        )
        return
    for problem in report.problems:
        click.echo(problem.format())
    click.echo(report.summary())


@click.command(cls=Command)
@click.argument("record_type", metavar="类型")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="成文日期或会议日期（默认今天）")
@click.option("--id", "record_id", metavar="编号", help="记录编号（默认自动编号）")
@click.option("--meeting", metavar="会议编号", help="审议意见的审议会议，如 cwh-17-21（从议程取得报告）")
@click.option("--item", type=int, metavar="N", help="审议意见：该会议议程的第 N 项（会议审议了多份报告时）")
@pass_state
def new(
    state: State, record_type: str, day: str | None, record_id: str | None, meeting: str | None, item: int | None
) -> None:
    """新建一条记录的草稿：列出全部必填字段并附中文说明，自动填入下一个发文字号。

    类型：meeting（会议）、opinion（审议意见）、inspection（执法检查）、
    deputy_report（代表述职）、deputy（代表）、letter（函件）、suggestion（代表建议）、motion（议案）、
    report（工作报告）。已有文件不会被覆盖。

    新建审议意见时用 --meeting 给出审议会议：所审议的报告、报告机关、主送机关和标题从会议议程中取得，
    成文日期默认为会议日期。
    """
    from archive.scaffold import new_record
    from archive.schema import date_problem

    kind = parse_type_option(record_type)
    assert kind is not None
    if day is not None and date_problem(day):
        raise click.BadParameter(date_problem(day) or "", param_hint="--date")
    when = dt.date.fromisoformat(day) if day else None
    made = new_record(state.workspace, kind, when, record_id, meeting=meeting, item=item)
    click.echo(
        f"已创建 {state.workspace.relative(made.path)}（编号 {made.id}"
        + (f"，发文字号 {made.doc_number}）" if made.doc_number else "）")
    )


@click.command(cls=Command, name="list")
@click.option(
    "--type",
    "record_type",
    metavar="类型",
    help="只列出该类型：meeting、opinion、inspection、deputy_report、deputy、document、letter、suggestion、motion、"
    "report（也可写中文）",
)
@click.option("--term", type=int, metavar="届", help="只列出该届，如 17")
@click.option("--year", type=int, metavar="年", help="只列出该年度，如 2024")
@classification_option
@json_option()
@pass_state
def list_(
    state: State, record_type: str | None, term: int | None, year: int | None, level: str | None, as_json: bool
) -> None:
    """列出全部记录（含代表名册）：编号、类型、届次、日期、标题、状态、密级。

    密级高于 max_public_classification（或 --classification）的记录不列出，只给出条数。
    """
    from archive.catalog import filter_records, load_catalog

    kind = parse_type_option(record_type)
    catalog = load_catalog(state.workspace)
    screened = clearance_of(state.workspace, level).screen(filter_records(catalog.records, kind, term, year))
    rows = list(screened.kept)
    say_screened(screened, "列出")
    if as_json:
        echo_json([r.summary() for r in rows])
    else:
        click.echo(records_text(rows))
    broken = len(catalog.files) - len(catalog.records)
    if broken:
        click.echo(f"警告：{broken} 个文件有错误，未列出；运行 renda validate 查看详情。", err=True)
    if catalog.skipped:
        click.echo(f"警告：跳过了 {len(catalog.skipped)} 个符号链接；运行 renda validate 查看详情。", err=True)


def records_text(rows: list[Record]) -> str:
    from archive.schema import TYPE_LABELS

    table = [["编号", "类型", "届", "日期", "标题", "状态", "密级"]]
    for r in rows:
        state = "" if r.type == "deputy" else ("草稿" if r.status == "draft" else "定稿")
        day = r.date.isoformat() if r.date else ""
        table.append([r.id, TYPE_LABELS[r.type], str(r.term or ""), day, r.title, state, r.classification])
    return format_table(table) + f"\n共 {len(rows)} 条记录。"
