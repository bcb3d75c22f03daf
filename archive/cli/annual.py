"""The annual archive (DA/T 22): build a year's package, verify a package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli._plumbing import Group
from archive.cli._shared import State, echo_json, json_option, output_option, pass_state, progress_line

if TYPE_CHECKING:
    from archive.annual import Arrangement


@click.group(name="archive", cls=Group, short_help="年度归档（DA/T 22-2015）：生成并校验归档包")
def archive_group() -> None:
    """年度归档（DA/T 22-2015）：生成并校验归档包。

    按年度—保管期限（—机构）整理，生成 PDF/A 和归档章、归档文件目录、备考表、元数据和 BagIt 归档包。

    按“四性”校验归档包。
    """


@archive_group.command(name="build", short_help="生成一个年度的归档包")
@click.argument("year", type=int, metavar="年度")
@output_option("out/archive/")
@click.option("--zip", "as_zip", is_flag=True, help="生成 ZIP 文件（固定时间戳、成员排序，可逐字节复现）")
@click.option("--check", "check_only", is_flag=True, help="只做归档前检查：列出会阻止或削弱归档的问题，不写任何文件")
@json_option()
@pass_state
def archive_build(state: State, year: int, output: Path | None, as_zip: bool, check_only: bool, as_json: bool) -> None:
    """生成年度归档包：该年度的定稿记录每条一件，PDF/A-2b 首页加盖归档章。

    每类一份归档文件目录（.docx、CSV、XLSX）和备考表，每件一份元数据（DA/T 46），另有年度工作统计。

    全部装入 BagIt 归档包（SHA-256 和 SM3 校验值）。

    草稿和密级高于 max_public_classification 的记录不归档，并给出说明。

    同一工作区、同一年度两次生成的归档包逐字节相同。需要 LibreOffice。
    """
    from archive.annual import build_annual_archive, preflight

    workspace = state.workspace
    if check_only:
        arrangement = preflight(workspace, year)
        report, lines = arrangement.preflight_json(), [arrangement.preflight_summary()]
    else:
        with progress_line(as_json) as progress:
            result = build_annual_archive(workspace, year, output, as_zip=as_zip, progress=progress)
        arrangement, report = result.arrangement, result.to_json()
        built = f"{workspace.relative(result.path)}：{len(arrangement.items)} 件（{arrangement.contents()}）"
        lines = [f"已生成归档包 {built}。", "运行 renda archive verify 校验归档包。"]
    if as_json:
        echo_json(report)
    else:
        print_notices(arrangement, lines)
    if arrangement.blocking:
        sys.exit(1)


def print_notices(arrangement: Arrangement, lines: list[str]) -> None:
    for notice in arrangement.sorted_notices:
        click.echo(notice.format())
    for line in lines:
        click.echo(line)


@archive_group.command(name="verify", short_help="按“四性”校验归档包")
@click.argument("path", metavar="归档包", type=click.Path(path_type=Path))
@json_option("以 JSON 输出每项检查的结果")
def archive_verify(path: Path, as_json: bool) -> None:
    """按“四性”逐项校验归档包（目录或 ZIP）。

    真实性：每个文件的 SHA-256 和 SM3 校验值；每件的档号在目录、文件夹、元数据和首页归档章中一致。

    完整性：归档文件目录与文件一一对应，页数与 PDF 一致，没有目录之外的文件。

    可用性：PDF/A-2 标识、输出意图、字体全部嵌入、无加密。

    安全性：密级不超过允许级别；无链接、包外路径、可执行文件；PDF 无脚本、禁用动作和嵌入文件；ZIP 解压有上限。

    不需要工作区，只读归档包内部的文件。有任何问题时逐个列出文件，退出码为 1。
    """
    from archive.annual import verify_package
    from archive.annual.verify import PROPERTIES

    report = verify_package(path)
    if as_json:
        echo_json(report.as_dict())
    else:
        for key, name in PROPERTIES.items():
            failed = report.failed(key)
            verdict = f"{len(failed)} 个问题" if failed else "通过"
            click.echo(f"{name}：{verdict}（检查 {report.checked[key]} 项）")
        for finding in report.findings:
            click.echo(f"  {finding.format()}")
        click.echo("归档包校验通过。" if report.ok else f"归档包校验未通过：{len(report.findings)} 个问题。")
    if not report.ok:
        sys.exit(1)
