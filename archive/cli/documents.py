"""Documents: GB/T 9704 rendering and the conformance check of any .docx or PDF."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli._plumbing import Command
from archive.cli._shared import (
    State,
    echo_json,
    formats_option,
    json_option,
    output_option,
    parse_formats,
    pass_state,
    print_render,
    progress_line,
)

if TYPE_CHECKING:
    pass


@click.command(cls=Command, short_help="按 GB/T 9704-2012 生成公文（.docx 和 PDF）")
@click.argument("selectors", nargs=-1, metavar="[编号|路径…]")
@click.option("--all", "render_all", is_flag=True, help="生成全部文书记录（不含代表名册）")
@formats_option
@output_option()
@json_option("以 JSON 列出写出的文件")
@pass_state
def render(
    state: State, selectors: tuple[str, ...], render_all: bool, formats: str, output: Path | None, as_json: bool
) -> None:
    """按 GB/T 9704-2012 生成公文（.docx 和 PDF）：审议意见书、会议纪要、决议决定、执法检查报告、述职报告。

    草稿（status: draft）带“草稿”水印。PDF 由 LibreOffice 转换；未安装时仍生成 .docx 并提示安装方法。
    """
    from archive.catalog import load_catalog, select_records
    from archive.render import render_documents

    wanted = parse_formats(formats)
    if not selectors and not render_all:
        raise click.UsageError("请给出记录编号或路径，或用 --all 生成全部文书")
    workspace = state.workspace
    catalog = load_catalog(workspace)
    records, broken = catalog.to_render() if render_all else (select_records(catalog, selectors), [])
    with progress_line(as_json) as progress:
        result = render_documents(
            workspace, records, output or workspace.output_dir, wanted, broken=broken, progress=progress
        )
    print_render(workspace, result, as_json, summary=True)


@click.command(cls=Command, short_help="检查 PDF 或 .docx 是否符合 GB/T 9704-2012")
@click.argument("files", nargs=-1, required=True, metavar="文件…", type=click.Path(path_type=Path))
@json_option("以 JSON 输出每个文件的错误、警告和测量值")
def check(files: tuple[Path, ...], as_json: bool) -> None:
    """检查 PDF 或 .docx 是否符合 GB/T 9704-2012：纸张、边距、行距、每页行数、每行字数、版头、红线、页码、版记、字体。

    也可检查在别处排版的文件。每个文件一行结论：“符合”表示“规定”条款全部符合（退出码 0），随后写明几项“一般”
    “推荐”要求不符合（只给警告）；任何文件有“规定”条款不符合时写“不符合”，退出码为 1。
    """
    from archive.conformance import check_files

    reports = check_files(files)
    if as_json:
        echo_json([r.as_dict() for r in reports])
    else:
        for report in reports:
            click.echo(f"{report.file}：{report.verdict}")
            for finding in report.errors + report.warnings:
                label = "错误" if finding.severity == "error" else "警告"
                click.echo(f"  [{label}] {finding.message}")
    if any(not r.ok for r in reports):
        sys.exit(1)
