"""The `renda` command line.

Each command resolves the workspace, calls one library function and formats
the result.  Library errors (``ArchiveError``) become a Chinese message and
exit code 1; misuse is exit code 2; anything else is a bug and keeps its
traceback.  Heavy imports happen inside the commands so `renda --help` is
instant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from archive.clearance import Clearance, Screened
    from archive.followup import FollowUpReport
    from archive.problems import ValidationReport
    from archive.progress import Progress
    from archive.render import RenderResult
    from archive.workspace import Workspace

__version__ = "0.1.0"

TYPE_ALIASES = {
    "meeting": "meeting",
    "会议": "meeting",
    "opinion": "opinion",
    "审议意见": "opinion",
    "inspection": "inspection",
    "执法检查": "inspection",
    "deputy_report": "deputy_report",
    "代表述职": "deputy_report",
    "述职": "deputy_report",
    "deputy": "deputy",
    "代表": "deputy",
    "document": "document",
    "外来文件": "document",
    "letter": "letter",
    "函件": "letter",
    "催办函": "letter",
}


# -- Chinese help and usage ---------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _wrap_display(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for token in re.findall(r"[A-Za-z0-9_./=-]+|.", text):  # never split an ASCII word
        if current and _display_width(current + token) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
            continue
        current += token
    return [*lines, current]


class CJKHelpFormatter(click.HelpFormatter):
    """Aligns help columns by display width: a Chinese character takes two columns."""

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max(_display_width(r[0]) for r in rows), col_max) + col_spacing
        text_width = max((self.width or 80) - first_col - self.current_indent, 20)
        for first, second in rows:
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            if _display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrap_display(second, text_width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


class Context(click.Context):
    formatter_class = CJKHelpFormatter


class _Formatting:
    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), "用法：")  # type: ignore[attr-defined]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Arguments are described in the docstring; only options get rows here.
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]  # type: ignore[attr-defined]
        rows = [r for p in options if (r := p.get_help_record(ctx))]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            commands = [
                (name, cmd.get_short_help_str(limit=60))
                for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden
            ]
            if commands:
                with formatter.section("命令"):
                    formatter.write_dl(commands)


class Command(_Formatting, click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(_Formatting, click.Group):
    context_class = Context
    command_class = Command
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Any command that meets a full disk or a read-only file system says so, in one place."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            from archive.fileio import storage_error

            problem = storage_error(exc)
            if problem is None:
                raise
            _fail(problem)


_USAGE_MESSAGES: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (
        r"No such option:? '?([^\s']+)'?\.?(?: Did you mean '?([^\s'?]+)'?\?)?",
        lambda m: f"没有选项 {m[1]}" + (f"；是否应为 {m[2]}？" if m[2] else ""),
    ),
    (r"No such command '(.+?)'\.", lambda m: f"没有命令“{m[1]}”；运行 renda -h 查看可用命令"),
    (r"Missing argument '(.+?)'\.", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing option '(.+?)'\.", lambda m: f"缺少选项 {m[1]}"),
    (r"Option '(.+?)' requires an argument\.", lambda m: f"选项 {m[1]} 需要一个值"),
    (r"Got unexpected extra arguments? \((.+)\)", lambda m: f"多余的参数：{m[1]}"),
    (
        r"Invalid value for '?(.+?)'?: '(.+?)' is not a valid integer\.",
        lambda m: f"{m[1]} 的值应为整数，实际为 '{m[2]}'",
    ),
    (r"Invalid value for '?(.+?)'?: (.+)", lambda m: f"{m[1]} 的值无效：{m[2]}"),
    (r"Invalid value: (.+)", lambda m: m[1]),
)


def _translate_usage(message: str) -> str:
    for pattern, build in _USAGE_MESSAGES:
        match = re.match(pattern, message)
        if match:
            return build(match)
    return message


class RendaError(click.ClickException):
    """A library error, shown in Chinese with exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def _fail(exc: Exception) -> NoReturn:
    raise RendaError(str(exc)) from None


# -- shared state ---------------------------------------------------------------


class State:
    def __init__(self, root: str | None) -> None:
        self.root = root
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        from archive.errors import ArchiveError
        from archive.workspace import Workspace

        if self._workspace is None:
            try:
                self._workspace = Workspace.find(self.root)
            except ArchiveError as exc:
                _fail(exc)
        return self._workspace


pass_state = click.make_pass_decorator(State)


def json_option(help_text: str = "以 JSON 输出，便于其他程序读取") -> Callable[[Any], Any]:
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def output_option(default: str = "out/") -> Callable[[Any], Any]:
    return click.option(
        "-o",
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        metavar="目录",
        help=f"输出目录（默认为工作区的 {default}）",
    )


formats_option = click.option(
    "--format",
    "formats",
    default="docx,pdf",
    show_default=True,
    metavar="格式",
    help="输出格式，逗号分隔：docx、pdf、pdfa（PDF/A-2b）",
)


def _progress_stream() -> Any:
    """Where progress is drawn: stderr, and only when both stdout and stderr are a terminal."""
    return sys.stderr if sys.stdout.isatty() and sys.stderr.isatty() else None


@contextlib.contextmanager
def _progress(as_json: bool) -> Iterator[Progress | None]:
    """A progress line for long work on a terminal (none under --json or in a pipe), erased at the end."""
    import shutil

    from archive.progress import ProgressLine

    stream = None if as_json else _progress_stream()
    if stream is None:
        yield None
        return
    line = ProgressLine(stream, columns=shutil.get_terminal_size().columns)
    try:
        yield line
    finally:
        line.close()


classification_option = click.option(
    "--classification",
    "level",
    metavar="密级",
    help="按该密级生成：公开、内部、秘密、机密（默认为 renda.yaml 的 max_public_classification）。"
    "密级更高的记录不列入；输出按所含最高密级标注",
)


def _clearance(workspace: Workspace, level: str | None) -> Clearance:
    from archive.clearance import Clearance
    from archive.errors import ArchiveError

    try:
        return Clearance.of(workspace.config, level)
    except ArchiveError as exc:
        _fail(exc)


def _say_screened(screened: Screened, verb: str = "列入") -> None:
    """On stderr (stdout may be JSON): what the output left out because of its classification level."""
    notice = screened.notice(verb)
    if notice:
        click.echo(f"提示：{notice}", err=True)


def _marking_line(screened: Screened) -> str | None:
    """The last line of a text table built from classified records: the level it is marked at."""
    level = screened.marking
    return None if level == "公开" else f"本表含密级“{level}”的记录，按“{level}”管理。"


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _record_type(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in TYPE_ALIASES:
        raise click.BadParameter(
            f"未知的记录类型“{value}”，可用：meeting/会议、opinion/审议意见、inspection/执法检查、deputy_report/代表述职、deputy/代表、document/外来文件、"
            "letter/函件"
        )
    return TYPE_ALIASES[value]


# -- commands -------------------------------------------------------------------


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--root",
    metavar="目录",
    help="工作区根目录（默认从当前目录向上查找 renda.yaml；也可用环境变量 RENDA_ROOT）",
)
@click.version_option(
    __version__, "--version", prog_name="renda", message="%(prog)s %(version)s", help="显示版本号并退出"
)
@click.help_option("-h", "--help", help="显示帮助并退出")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """renda：人大常委会文书、档案管理工具。

    校验记录（会议、审议意见、执法检查、代表述职、代表名册），
    按 GB/T 9704-2012 生成公文，检索，按 DA/T 22-2015 年度归档。
    """
    ctx.obj = State(root)


@cli.command()
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False, path_type=Path))
@click.help_option("-h", "--help", help="显示帮助并退出")
def init(directory: Path) -> None:
    """新建工作区：renda.yaml 和每类记录各一个示例；不会覆盖已有文件。"""
    from archive.errors import ArchiveError
    from archive.scaffold import init_workspace

    try:
        written = init_workspace(directory)
    except ArchiveError as exc:
        _fail(exc)
    for path in written:
        click.echo(f"已创建 {path}")
    config = directory / "renda.yaml"
    click.echo(f"工作区已建好：{directory}。下一步：编辑 {config}，然后运行 renda --root {directory} validate")


@cli.command()
@click.argument("paths", nargs=-1, metavar="[路径…]", type=click.Path(exists=False, path_type=Path))
@click.option("--strict", is_flag=True, help="把警告也当作错误")
@json_option()
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def validate(state: State, paths: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """校验 renda.yaml 和记录：字段、格式、日期、引用、编号等，列出每个问题。

    给出路径时只报告这些文件（或目录）中的问题；引用检查仍读取全部记录。
    没有错误时退出码为 0，有错误时为 1。
    """
    from archive.catalog import validate as run_validation
    from archive.errors import ArchiveError

    try:
        report = run_validation(state.workspace, paths, strict=strict)
    except ArchiveError as exc:
        _fail(exc)
    _print_report(report, as_json)
    if not report.ok:
        sys.exit(1)


def _print_report(report: ValidationReport, as_json: bool) -> None:
    if as_json:
        _echo_json(
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


@cli.command()
@click.argument("record_type", metavar="类型")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="成文日期或会议日期（默认今天）")
@click.option("--id", "record_id", metavar="编号", help="记录编号（默认自动编号）")
@click.option("--meeting", metavar="会议编号", help="审议意见的审议会议，如 cwh-17-21（从议程取得报告）")
@click.option("--item", type=int, metavar="N", help="审议意见：该会议议程的第 N 项（会议审议了多份报告时）")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def new(
    state: State, record_type: str, day: str | None, record_id: str | None, meeting: str | None, item: int | None
) -> None:
    """新建一条记录的草稿：列出全部必填字段并附中文说明，自动填入下一个发文字号。

    类型：meeting（会议）、opinion（审议意见）、inspection（执法检查）、
    deputy_report（代表述职）、deputy（代表）。已有文件不会被覆盖。

    新建审议意见时用 --meeting 给出审议会议：所审议的报告、报告机关、主送机关和标题从会议议程中取得，
    成文日期默认为会议日期。
    """
    from archive.errors import ArchiveError
    from archive.scaffold import new_record
    from archive.schema import date_problem

    kind = _record_type(record_type)
    assert kind is not None
    if day is not None and date_problem(day):
        raise click.BadParameter(date_problem(day) or "", param_hint="--date")
    when = dt.date.fromisoformat(day) if day else None
    try:
        made = new_record(state.workspace, kind, when, record_id, meeting=meeting, item=item)
    except ArchiveError as exc:
        _fail(exc)
    click.echo(
        f"已创建 {state.workspace.relative(made.path)}（编号 {made.id}"
        + (f"，发文字号 {made.doc_number}）" if made.doc_number else "）")
    )


@cli.command(name="list")
@click.option(
    "--type",
    "record_type",
    metavar="类型",
    help="只列出该类型：meeting、opinion、inspection、deputy_report、deputy、document、letter（也可写中文）",
)
@click.option("--term", type=int, metavar="届", help="只列出该届，如 17")
@click.option("--year", type=int, metavar="年", help="只列出该年度，如 2024")
@classification_option
@json_option()
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def list_(
    state: State, record_type: str | None, term: int | None, year: int | None, level: str | None, as_json: bool
) -> None:
    """列出全部记录（含代表名册）：编号、类型、届次、日期、标题、状态、密级。

    密级高于 max_public_classification（或 --classification）的记录不列出，只给出条数。
    """
    from archive.catalog import filter_records, load_catalog
    from archive.errors import ArchiveError
    from archive.schema import TYPE_LABELS

    kind = _record_type(record_type)
    try:
        catalog = load_catalog(state.workspace)
    except ArchiveError as exc:
        _fail(exc)
    screened = _clearance(state.workspace, level).screen(filter_records(catalog.records, kind, term, year))
    rows = list(screened.kept)
    _say_screened(screened, "列出")
    broken = len(catalog.files) - len(catalog.records)
    if as_json:
        _echo_json([r.summary() for r in rows])
    else:
        table = [["编号", "类型", "届", "日期", "标题", "状态", "密级"]]
        for r in rows:
            table.append(
                [
                    r.id,
                    TYPE_LABELS[r.type],
                    str(r.term or ""),
                    r.date.isoformat() if r.date else "",
                    r.title,
                    "" if r.type == "deputy" else ("草稿" if r.status == "draft" else "定稿"),
                    r.classification,
                ]
            )
        click.echo(_format_table(table))
        click.echo(f"共 {len(rows)} 条记录。")
    if broken:
        click.echo(f"警告：{broken} 个文件有错误，未列出；运行 renda validate 查看详情。", err=True)
    if catalog.skipped:
        click.echo(f"警告：跳过了 {len(catalog.skipped)} 个符号链接；运行 renda validate 查看详情。", err=True)


@cli.command(short_help="按 GB/T 9704-2012 生成公文（.docx 和 PDF）")
@click.argument("selectors", nargs=-1, metavar="[编号|路径…]")
@click.option("--all", "render_all", is_flag=True, help="生成全部文书记录（不含代表名册）")
@formats_option
@output_option()
@json_option("以 JSON 列出写出的文件")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def render(
    state: State, selectors: tuple[str, ...], render_all: bool, formats: str, output: Path | None, as_json: bool
) -> None:
    """按 GB/T 9704-2012 生成公文（.docx 和 PDF）：审议意见书、会议纪要、决议决定、执法检查报告、述职报告。

    草稿（status: draft）带“草稿”水印。PDF 由 LibreOffice 转换；未安装时仍生成 .docx 并提示安装方法。
    """
    from archive.catalog import load_catalog, select_records
    from archive.errors import ArchiveError
    from archive.render import render_documents

    wanted = _parse_formats(formats)
    if not selectors and not render_all:
        raise click.UsageError("请给出记录编号或路径，或用 --all 生成全部文书")
    workspace = state.workspace
    try:
        catalog = load_catalog(workspace)
        records, broken = catalog.to_render() if render_all else (select_records(catalog, selectors), [])
        with _progress(as_json) as progress:
            result = render_documents(
                workspace, records, output or workspace.output_dir, wanted, broken=broken, progress=progress
            )
    except ArchiveError as exc:
        _fail(exc)
    _print_render(workspace, result, as_json, summary=True)


def _parse_formats(value: str) -> tuple[str, ...]:
    wanted = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in wanted if f not in ("docx", "pdf", "pdfa")]
    if unknown or not wanted:
        raise click.BadParameter(f"不支持的格式“{'、'.join(unknown)}”，可用 docx、pdf、pdfa", param_hint="--format")
    return wanted


def _print_render(workspace: Workspace, result: RenderResult, as_json: bool, summary: bool = False) -> None:
    """What a render wrote (or its JSON), failures and notices on stderr; exit 1 when a document failed."""
    if as_json:
        _echo_json(result.to_json())
    else:
        for doc in result.documents:
            for path in doc.files:
                click.echo(f"已生成 {workspace.relative(path)}{'（草稿）' if doc.draft else ''}")
        for failure in result.failures:
            click.echo(f"{failure.source}: 错误：{failure.message}", err=True)
        if summary:
            click.echo(f"共生成 {len(result.files)} 个文件，{len(result.failures)} 个失败。")
    for notice in result.notices:
        click.echo(f"提示：{notice}", err=True)
    if result.failures:
        sys.exit(1)


@cli.group(name="archive", cls=Group, short_help="年度归档（DA/T 22-2015）：生成并校验归档包")
@click.help_option("-h", "--help", help="显示帮助并退出")
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
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def archive_build(state: State, year: int, output: Path | None, as_zip: bool, check_only: bool, as_json: bool) -> None:
    """生成年度归档包：该年度的定稿记录每条一件，PDF/A-2b 首页加盖归档章。

    每类一份归档文件目录（.docx、CSV、XLSX）和备考表，每件一份元数据（DA/T 46），另有年度工作统计。

    全部装入 BagIt 归档包（SHA-256 和 SM3 校验值）。

    草稿和密级高于 max_public_classification 的记录不归档，并给出说明。

    同一工作区、同一年度两次生成的归档包逐字节相同。需要 LibreOffice。
    """
    from archive.annual import build_annual_archive, preflight
    from archive.errors import ArchiveError

    workspace = state.workspace
    try:
        if check_only:
            arrangement = preflight(workspace, year)
        else:
            with _progress(as_json) as progress:
                result = build_annual_archive(workspace, year, output, as_zip=as_zip, progress=progress)
            arrangement = result.arrangement
    except ArchiveError as exc:
        _fail(exc)
    notices = sorted(arrangement.notices, key=lambda n: (not n.blocking, n.source, n.message))
    blocking = [n for n in notices if n.blocking]
    if as_json:
        if check_only:
            _echo_json(
                {
                    "year": year,
                    "items": len(arrangement.items),
                    "ok": not blocking,
                    "notices": [{"source": n.source, "message": n.message, "blocking": n.blocking} for n in notices],
                }
            )
        else:
            _echo_json(result.to_json())
    else:
        for notice in notices:
            click.echo(notice.format())
        classes = "，".join(f"{c.label} {len(c.items)} 件" for c in arrangement.classes)
        left_out = [
            f"{label} {n} 件未归档"
            for label, n in (
                (f"密级高于“{arrangement.max_classification}”的", len(arrangement.withheld)),
                ("草稿", len(arrangement.drafts)),
            )
            if n
        ]
        if left_out:
            classes += "；" + "，".join(left_out)
        if check_only:
            verdict = f"有 {len(blocking)} 个问题会阻止归档" if blocking else "可以归档"
            hints = len(notices) - len(blocking)
            click.echo(f"{year} 年度：{len(arrangement.items)} 件（{classes}）；{verdict}，{hints} 条提示。")
        else:
            click.echo(f"已生成归档包 {workspace.relative(result.path)}：{len(arrangement.items)} 件（{classes}）。")
            click.echo("运行 renda archive verify 校验归档包。")
    if blocking:
        sys.exit(1)


@archive_group.command(name="verify", short_help="按“四性”校验归档包")
@click.argument("path", metavar="归档包", type=click.Path(path_type=Path))
@json_option("以 JSON 输出每项检查的结果")
@click.help_option("-h", "--help", help="显示帮助并退出")
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
    from archive.errors import ArchiveError

    try:
        report = verify_package(path)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        _echo_json(report.as_dict())
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


@cli.command(short_help="检查 PDF 或 .docx 是否符合 GB/T 9704-2012")
@click.argument("files", nargs=-1, required=True, metavar="文件…", type=click.Path(path_type=Path))
@json_option("以 JSON 输出每个文件的错误、警告和测量值")
@click.help_option("-h", "--help", help="显示帮助并退出")
def check(files: tuple[Path, ...], as_json: bool) -> None:
    """检查 PDF 或 .docx 是否符合 GB/T 9704-2012：纸张、边距、行距、每页行数、每行字数、版头、红线、页码、版记、字体。

    也可检查在别处排版的文件。每个文件一行结论：“符合”表示“规定”条款全部符合（退出码 0），随后写明几项“一般”
    “推荐”要求不符合（只给警告）；任何文件有“规定”条款不符合时写“不符合”，退出码为 1。
    """
    from archive.conformance import check_files

    reports = check_files(files)
    if as_json:
        _echo_json([r.as_dict() for r in reports])
    else:
        for report in reports:
            click.echo(f"{report.file}：{report.verdict}")
            for finding in report.errors + report.warnings:
                label = "错误" if finding.severity == "error" else "警告"
                click.echo(f"  [{label}] {finding.message}")
    if any(not r.ok for r in reports):
        sys.exit(1)


# -- search and import (issue 4) -------------------------------------------------


def _notify(message: str) -> None:
    """Progress for long work, on stderr (stdout may be JSON)."""
    click.echo(message, err=True)


@cli.command(name="index", short_help="建立或更新全文检索索引")
@click.option("--rebuild", is_flag=True, help="丢弃现有索引，全部重新建立")
@click.option("--engine", type=click.Choice(["whoosh", "tantivy"]), help="本次使用的检索引擎（默认按 renda.yaml）")
@json_option("以 JSON 输出新增、更新、删除和跳过的记录数")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def index_(state: State, rebuild: bool, engine: str | None, as_json: bool) -> None:
    """建立或更新全文检索索引：默认只处理新增、修改和删除的记录；索引保存在工作区的 .renda/index/。

    密级高于 renda.yaml 规定的记录不收录；有错误的记录跳过并给出警告。中途中断不会损坏原有索引；
    同一时间只能有一个进程写索引。
    """
    from archive.errors import ArchiveError
    from archive.search import update_index

    try:
        with _progress(as_json) as progress:
            report = update_index(state.workspace, rebuild=rebuild, engine=engine, notify=_notify, progress=progress)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        _echo_json(report.as_dict())
        return
    for skipped in report.skipped:
        click.echo(f"警告：{skipped.source}: {skipped.reason}", err=True)
    if report.rebuilt:
        done = "已重新建立"
    elif report.changed:
        done = f"已更新：新增 {report.added}，修改 {report.updated}，删除 {report.removed}"
    else:
        done = "已是最新"
    click.echo(f"检索索引{done}（{report.engine}）；共收录 {report.indexed} 条记录，用时 {report.seconds:.1f} 秒。")
    if report.withheld:
        click.echo(f"另有 {report.withheld} 条记录密级高于检索收录范围，未收录。")


@cli.command(short_help="全文检索记录", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="检索式…", type=click.UNPROCESSED)
@click.option("--term", type=int, metavar="届", help="只检索该届，如 17（同检索式中的 届:17）")
@click.option("--year", type=int, metavar="年", help="只检索该年度，如 2024（同 年:2024）")
@click.option("--type", "record_type", metavar="类型", help="只检索该类型，如 opinion 或 审议意见（同 类型:审议意见）")
@click.option("--limit", type=int, default=10, show_default=True, metavar="N", help="最多显示 N 条结果")
@click.option("--engine", type=click.Choice(["whoosh", "tantivy"]), help="本次使用的检索引擎（默认按 renda.yaml）")
@json_option("以 JSON 输出：编号、类型、届次、年度、标题、得分、摘要、来源文件")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def search(
    state: State,
    words: tuple[str, ...],
    term: int | None,
    year: int | None,
    record_type: str | None,
    limit: int,
    engine: str | None,
    as_json: bool,
) -> None:
    """全文检索记录，按相关度排序并显示摘要，命中的词突出显示。

    检索式：多个词同时出现；"带引号的短语" 须原样出现；甲 OR 乙 出现其一即可；-词语 排除；
    届:17、年:2024、类型:审议意见、代表:姓名 筛选；“第十七届人大常委会第十二次会议”“十七届十二次”“17-12”都指同一次会议。
    检索前自动更新索引（只处理改动过的记录）。
    """
    from archive.errors import ArchiveError
    from archive.search import Filters, search_workspace
    from archive.search import record_type as parse_type

    # "-词语" excludes a word, so unknown "-x" reach the query; a mistyped "--option" should not.
    unknown = [w for w in words if w.startswith("--")]
    if unknown:
        raise click.UsageError(f"没有选项 {unknown[0]}")
    if limit < 1:
        raise click.BadParameter(f"应为正整数，实际为 {limit}", param_hint="--limit")
    try:
        filters = Filters(term, year, parse_type(record_type) if record_type else None)
        result = search_workspace(state.workspace, " ".join(words), filters, limit, engine, notify=_notify)
    except ArchiveError as exc:
        _fail(exc)
    if result.notice:
        click.echo(f"提示：{result.notice}", err=True)
    # what the clerk may have meant: shown, never searched instead (on stderr beside JSON)
    hint = "、".join(f"{s.text}（{s.count} 条）" for s in result.suggestions)
    if as_json:
        _echo_json([hit.as_dict() for hit in result.hits])
        if hint:
            click.echo(f"您要找的是不是：{hint}", err=True)
        return
    from archive.schema import TYPE_LABELS

    for rank, hit in enumerate(result.hits, 1):
        where = "  ".join(
            x
            for x in (
                TYPE_LABELS.get(hit.type, hit.type),
                f"第{hit.term}届" if hit.term else "",
                str(hit.year or ""),
                "" if hit.classification == "公开" else hit.classification,
            )
            if x
        )
        click.echo(f"{rank}. {click.style(hit.title, bold=True)}")
        click.echo(f"   {hit.id}  {where}  {hit.source}")
        snippet = "".join(click.style(text, fg="red", bold=True) if match else text for text, match in hit.snippet)
        click.echo(f"   {snippet}")
    click.echo(f"共 {len(result.hits)} 条结果。" if result.hits else "没有找到符合条件的记录。")
    if hint:
        click.echo(f"您要找的是不是：{hint}")


@cli.command(short_help="查找提出同一问题的其他记录（跨届次）")
@click.argument("record_id", required=False, metavar="编号")
@click.option("--limit", default=5, show_default=True, type=int, metavar="N", help="最多列出 N 条")
@click.option("--recurring", is_flag=True, help="列出跨两个以上年度反复提出的问题（重点督办候选）")
@click.option("--year", type=int, metavar="年份", help="与 --recurring 同用：只列出含该年度记录的问题")
@json_option("以 JSON 输出相关记录、共同的关键词和办理结果")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def related(state: State, record_id: str | None, limit: int, recurring: bool, year: int | None, as_json: bool) -> None:
    """列出与某条记录提出同一问题的记录（任何届次，按时间先后），附共同的关键词、记录类型，
    审议意见另附办理结果（是否按期报告、满意度测评结果）。关键词按全部记录加权（TF-IDF）选出，
    相似度不足的记录不列出。密级高于 renda.yaml 的 max_public_classification 的记录不列入。

    --recurring 列出跨两个以上年度反复提出的问题，供确定重点督办事项参考。
    """
    from archive.catalog import load_catalog
    from archive.errors import ArchiveError
    from archive.related import recurring_threads, related_records

    if recurring == bool(record_id):
        raise click.UsageError("请给出记录编号，或使用 --recurring（二者选一）")
    if year is not None and not recurring:
        raise click.UsageError("--year 只能与 --recurring 同用")
    if limit < 1:
        raise click.BadParameter(f"应为正整数，实际为 {limit}", param_hint="--limit")
    clearance = _clearance(state.workspace, None)

    def line(r: Any, number: int) -> list[str]:
        where = "  ".join(x for x in (r.id, r.kind, f"第{r.term}届" if r.term else "", str(r.date or "")) if x)
        out = [f"{number}. {click.style(r.title, bold=True)}", f"   {where}", f"   共同的关键词：{'、'.join(r.shared)}"]
        if r.outcome:
            out.append(f"   办理结果：{r.outcome.text()}")
        return out

    try:
        catalog = load_catalog(state.workspace)
        if recurring:
            threads = recurring_threads(catalog, clearance, year)
            if as_json:
                _echo_json([t.as_dict() for t in threads])
                return
            for n, thread in enumerate(threads, 1):
                years = "、".join(str(y) for y in thread.years)
                click.echo(f"{n}. {'、'.join(thread.phrases)}（{years}）")
                for k, r in enumerate(thread.records, 1):
                    click.echo("\n".join("   " + x for x in line(r, k)))
            click.echo(f"共 {len(threads)} 个跨年度反复提出的问题。" if threads else "没有跨年度反复提出的问题。")
            return
        assert record_id is not None
        found = related_records(catalog, record_id, clearance, limit)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        _echo_json([r.as_dict() for r in found])
        return
    for n, r in enumerate(found, 1):
        click.echo("\n".join(line(r, n)))
    click.echo(
        f"共 {len(found)} 条相关记录（按时间先后）。" if found else f"没有找到与 {record_id} 提出同一问题的记录。"
    )


@cli.command(name="import", short_help="把已有的 PDF 文件导入为文件记录")
@click.argument("files", nargs=-1, required=True, metavar="PDF文件…", type=click.Path(path_type=Path))
@json_option("以 JSON 列出导入的记录、待填写的字段和失败的文件")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def import_(state: State, files: tuple[Path, ...], as_json: bool) -> None:
    """把在 renda 以外形成的 PDF 文件导入为文件记录（document），供检索和归档。

    读取文字层，合并被换行拆开的句子，去掉页眉和页码，识别发文字号、标题和成文日期，
    按日期推定届次；原 PDF 复制到记录旁并记录 SHA-256。识别不出的字段标为“（待填写）”，记录为草稿。
    版头的密级标志（如“秘密★1年”）写入 classification 和 secrecy_period；没有或无法识别密级标志时
    按“内部”草稿导入，请核对后改为定稿；“绝密”文件不导入。
    扫描件（无文字层）、加密、损坏或过大的文件给出说明并跳过，其余文件照常导入；有失败时退出码为 1。
    不会覆盖已有记录。
    """
    from archive.errors import ArchiveError
    from archive.ingest import import_pdfs

    try:
        result = import_pdfs(state.workspace, files)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        _echo_json(result.as_dict())
    else:
        for item in result.imported:
            todo = f"（待填写：{'、'.join(item.missing)}）" if item.missing else ""
            click.echo(f"已导入 {item.pdf_name} → {item.record_source}{todo}")
            for warning in item.warnings:
                click.echo(f"{item.pdf_name}: 注意：{warning}", err=True)
        for failure in result.failures:
            click.echo(f"{failure.file}: 错误：{failure.message}", err=True)
        click.echo(f"共导入 {len(result.imported)} 个文件，{len(result.failures)} 个失败。")
    if result.failures:
        sys.exit(1)


# -- oversight: 审议意见督办 (track) and 代表履职 (deputy) ------------------------------


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        "as_of",
        metavar="YYYY-MM-DD",
        help="参考日期：按这一天计算期限和状态（默认取 renda.yaml 的 oversight.as_of，未设时为今天）",
    )(func)


def _parse_as_of(text: str | None) -> dt.date | None:
    from archive.errors import ArchiveError
    from archive.followup import parse_date_option

    try:
        return parse_date_option(text) if text is not None else None
    except ArchiveError as exc:
        _fail(exc)


@cli.group(cls=Group, invoke_without_command=True, short_help="审议意见督办：报告期限和办理状态，催办函")
@as_of_option
@click.option(
    "--status",
    metavar="状态",
    help="只列出该状态：overdue 已逾期、due_soon 即将到期、pending 待报告、answered_on_time 按期报告待测评、"
    "answered_late 逾期报告待测评、evaluated 已测评、unassigned 待交办、no_deadline 期限未定、draft 草稿（也可写中文）",
)
@click.option("--organ", metavar="机关", help="只列出主送或报告机关含该名称的意见，如 区人民政府、法院")
@classification_option
@json_option("以 JSON 输出每件意见的各轮期限、收到日期和测评结果")
@click.help_option("-h", "--help", help="显示帮助并退出")
@click.pass_context
def track(
    ctx: click.Context, as_of: str | None, status: str | None, organ: str | None, level: str | None, as_json: bool
) -> None:
    """审议意见督办：列出每件审议意见的报告期限和办理状态，已逾期的排在最前（终端中标红）。

    期限按 renda.yaml 的 deadlines 规则和国家法定节假日计算：期限最后一日是休息日的，顺延至下一个工作日。
    测评“不满意”的，按 deadlines.opinion_rereport 自测评之日起重新计算再次报告的期限。
    子命令 remind 为已逾期的意见生成催办函。
    """
    if ctx.invoked_subcommand is not None:
        if status or organ or as_json:
            raise click.UsageError("--status、--organ 和 --json 只用于列出意见；请写在子命令之后或去掉")
        ctx.meta["track_as_of"] = as_of  # `renda track --as-of D remind` means the same as `remind --as-of D`
        ctx.meta["track_level"] = level
        return
    from archive.catalog import load_catalog
    from archive.errors import ArchiveError
    from archive.followup import track_opinions

    state = ctx.find_object(State)
    assert state is not None
    day = _parse_as_of(as_of)
    clearance = _clearance(state.workspace, level)
    try:
        report, screened = clearance.derive(
            load_catalog(state.workspace),
            lambda catalog: track_opinions(catalog, day).filter(status, organ),
            lambda report: report.sources,
        )
    except ArchiveError as exc:
        _fail(exc)
    _say_screened(screened)
    if as_json:
        _echo_json({"classification": screened.marking, **report.as_dict()})
    else:
        click.echo(_format_track(report))
        if line := _marking_line(screened):
            click.echo(line)
    for note in [*report.notes, *(f"{i.id}：{n}" for i in report.items for n in i.notes)]:
        click.echo(f"警告：{note}", err=True)


def _format_track(report: FollowUpReport) -> str:
    table = [["编号", "主送", "交办", "报告期限", "收到报告", "状态", "测评"]]
    overdue = []
    for item in report.items:
        current = item.current
        due = item.due.isoformat() if item.due else ""
        if current is not None and current.nominal_due is not None:
            due += "（节假日顺延）"
        if item.reopened:
            due += f"（第{len(item.rounds)}轮）"
        state = item.status.label
        if item.days_left is not None:
            state += f"（逾期{-item.days_left}天）" if item.days_left < 0 else f"（剩{item.days_left}天）"
        elif current is not None and current.on_time is False and item.status.value == "evaluated":
            state += f"（逾期报告{current.days_late}天）"
        if item.reminders:
            state += f"，已催办{len(item.reminders)}次"
        table.append(
            [
                item.id,
                item.addressee,
                item.assigned.isoformat() if item.assigned else "",
                due,
                current.received.isoformat() if current and current.received else "",
                state,
                "→".join(r.evaluation for r in item.rounds if r.evaluation),
            ]
        )
        overdue.append(item.status.value == "overdue")
    lines = _format_table(table).splitlines()
    color = _use_color()
    styled = [lines[0]] + [
        click.style(line, fg="red", bold=True) if late and color else line
        for line, late in zip(lines[1:], overdue, strict=True)
    ]
    counts: dict[str, int] = {}
    for item in report.items:
        counts[item.status.label] = counts.get(item.status.label, 0) + 1
    summary = "，".join(f"{k} {v} 件" for k, v in counts.items())
    return "\n".join(
        [*styled, f"参考日期 {report.as_of.isoformat()}：共 {len(report.items)} 件{'，' if summary else ''}{summary}。"]
    )


def _use_color() -> bool:
    return sys.stdout.isatty()


@track.command(short_help="为已逾期的审议意见生成催办函")
@as_of_option
@output_option()
@formats_option
@classification_option
@json_option("以 JSON 列出写出的文件")
@click.help_option("-h", "--help", help="显示帮助并退出")
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
    from archive.catalog import load_catalog
    from archive.errors import ArchiveError
    from archive.followup import track_opinions
    from archive.render.oversight import remind_overdue

    wanted = _parse_formats(formats)
    day = _parse_as_of(as_of or ctx.meta.get("track_as_of"))
    workspace = state.workspace
    clearance = _clearance(workspace, level or ctx.meta.get("track_level"))
    try:
        catalog = load_catalog(workspace)
        report, screened = clearance.derive(
            catalog, lambda c: track_opinions(c, day).overdue(), lambda report: report.sources
        )
        allowed, _ = clearance.screen_catalog(catalog)
        reminders = remind_overdue(workspace, report, output or workspace.output_dir, wanted, allowed)
    except ArchiveError as exc:
        _fail(exc)
    _say_screened(screened, "生成催办函")
    result = reminders.result
    if as_json:
        _echo_json(
            {
                **result.to_json(),
                "records": [
                    {"id": n.id, "doc_number": n.doc_number, "source": workspace.relative(n.path)}
                    for n in reminders.created
                ],
                "reused": list(reminders.reused),
            }
        )
        if result.failures:
            sys.exit(1)
        return
    if not result.documents and not result.failures:
        click.echo(f"参考日期 {report.as_of.isoformat()} 没有已逾期的审议意见，无需催办。")
        return
    for made in reminders.created:
        click.echo(f"已建立函件记录 {workspace.relative(made.path)}（发文字号 {made.doc_number}）")
    for rid in reminders.reused:
        click.echo(f"同一天的催办函已有记录 {rid}，重新生成文件")
    _print_render(workspace, result, as_json)


@cli.group(cls=Group, short_help="代表履职：履职档案、出勤统计、述职报告草稿")
@click.help_option("-h", "--help", help="显示帮助并退出")
def deputy() -> None:
    """代表履职：由会议、执法检查和述职记录生成履职档案、出勤统计和述职报告草稿。"""


def _period_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--year", type=int, metavar="年", help="统计年度，如 2024")(func)
    return click.option("--term", type=int, metavar="届", help="统计届次，如 17")(func)


@deputy.command(short_help="生成一位代表的履职档案（.docx 和 PDF）")
@click.argument("deputy_id", metavar="代表")
@_period_options
@as_of_option
@formats_option
@output_option()
@classification_option
@json_option("不生成文件，以 JSON 输出档案内容和每个数字所依据的记录")
@click.help_option("-h", "--help", help="显示帮助并退出")
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
    from archive.errors import ArchiveError
    from archive.render.oversight import render_profile

    wanted = _parse_formats(formats)
    day = _parse_as_of(as_of)
    workspace = state.workspace
    clearance = _clearance(workspace, level)
    try:
        compiled, screened = clearance.derive(
            load_catalog(workspace),
            lambda catalog: compile_profile(catalog, deputy_id, term, year, day),
            lambda compiled: compiled.sources,
        )
        _say_screened(screened)
        if as_json:
            _echo_json({"classification": screened.marking, **compiled.as_dict()})
            for warning in compiled.attendance.warnings:
                click.echo(f"警告：{warning}", err=True)
            return
        result = render_profile(workspace, compiled, output or workspace.output_dir, wanted, screened.marking)
    except ArchiveError as exc:
        _fail(exc)
    for warning in compiled.attendance.warnings:
        click.echo(f"警告：{warning}", err=True)
    _print_render(workspace, result, False)


@deputy.command(short_help="全体代表的出勤统计，标出应约谈的代表")
@_period_options
@as_of_option
@classification_option
@json_option("以 JSON 输出每位代表的出席、请假、缺席及所依据的会议记录")
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def attendance(
    state: State, term: int | None, year: int | None, as_of: str | None, level: str | None, as_json: bool
) -> None:
    """全体代表的出勤统计：应出席、出席、请假、缺席和未记录的会议次数。

    缺席或请假次数达到 renda.yaml 中 oversight 的约谈标准的代表列在最前并标注“约谈”。
    不给 --term 和 --year 时统计参考日期所在的一届。没有记录出席情况的会议不计为缺席。
    """
    from archive.catalog import load_catalog
    from archive.deputies import attendance_table, resolve_period
    from archive.errors import ArchiveError
    from archive.followup import oversight_settings, reference_date

    day = _parse_as_of(as_of)
    workspace = state.workspace
    clearance = _clearance(workspace, level)
    try:
        catalog = load_catalog(workspace)
        config = workspace.config
        period = resolve_period(config, term, year, reference_date(config, day))
        rows, screened = clearance.derive(
            catalog,
            lambda c: attendance_table(c, period, oversight_settings(config)),
            lambda rows: [s.meeting for r in rows for s in r.sittings],
        )
    except ArchiveError as exc:
        _fail(exc)
    for warning in (w for r in rows for w in r.warnings):
        click.echo(f"警告：{warning}", err=True)
    _say_screened(screened)
    if as_json:
        _echo_json(
            {"classification": screened.marking, "period": period.as_dict(), "deputies": [r.as_dict() for r in rows]}
        )
        return
    table = [["编号", "姓名", "应出席", "出席", "请假", "缺席", "未记录", "约谈"]]
    for r in rows:
        c = r.counts()
        table.append(
            [
                r.deputy,
                r.name,
                str(len(r.sittings)),
                str(c["present"]),
                str(c["leave"]),
                str(c["absent"]),
                str(c["unrecorded"]),
                "约谈：" + "；".join(r.interview_reasons) if r.interview else "",
            ]
        )
    click.echo(_format_table(table))
    flagged = sum(1 for r in rows if r.interview)
    click.echo(
        f"{period.label}（{period.start} 至 {period.end}）：{len(rows)} 位代表有应出席的会议，"
        f"{flagged} 位达到约谈标准。"
    )
    if line := _marking_line(screened):
        click.echo(line)


@deputy.command(name="draft-report", short_help="按年度生成代表述职报告的 YAML 草稿")
@click.argument("deputy_id", metavar="代表")
@click.option("--year", type=int, required=True, metavar="年", help="述职年度，如 2024（必填）")
@as_of_option
@classification_option
@click.help_option("-h", "--help", help="显示帮助并退出")
@pass_state
def draft_report(state: State, deputy_id: str, year: int, as_of: str | None, level: str | None) -> None:
    """按年度生成代表述职报告的 YAML 草稿（status: draft），填入出席会议、视察调研等数字，供办公室补写。

    草稿写在 records/年度/report-年度-代表编号.yaml；已有同编号记录时不会覆盖。
    密级高于 max_public_classification（或 --classification）的记录不写入草稿；草稿的密级为其所依据记录的最高密级。
    """
    from archive.catalog import load_catalog
    from archive.deputies import compile_profile
    from archive.deputies import draft_report as write_draft
    from archive.errors import ArchiveError

    day = _parse_as_of(as_of)
    workspace = state.workspace
    clearance = _clearance(workspace, level)
    try:
        catalog = load_catalog(workspace)
        compiled, screened = clearance.derive(
            catalog, lambda c: compile_profile(c, deputy_id, None, year, day), lambda p: p.sources
        )
        made = write_draft(catalog, compiled, screened.marking)
    except ArchiveError as exc:
        _fail(exc)
    _say_screened(screened)
    click.echo(
        f"已创建 {workspace.relative(made.path)}（编号 {made.id}，草稿，密级“{screened.marking}”）。"
        "补写“（待填写）”处后运行 renda validate。"
    )


def _format_table(rows: list[list[str]]) -> str:
    widths = [max(_display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - _display_width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _check_arguments(args: list[str]) -> None:
    """Bytes that are not text in the locale's encoding reach Python as lone surrogates (PEP 383) and would crash
    whichever command first encodes them; refuse them here, once, for every command and option."""
    encoding = sys.getfilesystemencoding()
    for position, arg in enumerate(args, 1):
        try:
            arg.encode(encoding)
        except UnicodeEncodeError:
            shown = arg.encode(encoding, "surrogateescape").decode(encoding, "backslashreplace")
            option = f"（选项 {arg.partition('=')[0]} 的值）" if arg.startswith("--") and "=" in arg else ""
            raise click.UsageError(
                f"第 {position} 个参数“{shown}”{option}不是有效的 {encoding.upper()} 文本；"
                "请检查终端或脚本的字符编码（例如 GBK 与 UTF-8 混用）"
            ) from None


def main() -> None:
    """Entry point: run the group, translating click's own usage errors to Chinese."""
    try:
        _check_arguments(sys.argv[1:])
        cli.main(standalone_mode=False, prog_name="renda")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("已中止。", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
        click.echo(f"错误：{_translate_usage(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
