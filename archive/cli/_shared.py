"""What the commands share: the workspace state, the options defined once, and the output helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.cli._plumbing import display_width

if TYPE_CHECKING:
    from archive.clearance import Clearance, Screened
    from archive.progress import Progress
    from archive.render import RenderResult
    from archive.workspace import Workspace


class State:
    def __init__(self, root: str | None) -> None:
        self.root = root
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        from archive.workspace import Workspace

        if self._workspace is None:
            self._workspace = Workspace.find(self.root)
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


def progress_stream() -> Any:
    """Where progress is drawn: stderr, and only when both stdout and stderr are a terminal."""
    return sys.stderr if sys.stdout.isatty() and sys.stderr.isatty() else None


@contextlib.contextmanager
def progress_line(as_json: bool) -> Iterator[Progress | None]:
    """A progress line for long work on a terminal (none under --json or in a pipe), erased at the end."""
    import shutil

    from archive.progress import ProgressLine

    stream = None if as_json else progress_stream()
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


def clearance_of(workspace: Workspace, level: str | None) -> Clearance:
    from archive.clearance import Clearance

    return Clearance.of(workspace.config, level)


def say_screened(screened: Screened, verb: str = "列入") -> None:
    """On stderr (stdout may be JSON): what the output left out because of its classification level."""
    notice = screened.notice(verb)
    if notice:
        click.echo(f"提示：{notice}", err=True)


def marking_line(screened: Screened) -> str | None:
    """The last line of a text table built from classified records: the level it is marked at."""
    level = screened.marking
    return None if level == "公开" else f"本表含密级“{level}”的记录，按“{level}”管理。"


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def parse_type_option(value: str | None) -> str | None:
    """A --type value (English name, Chinese label or alias; the table is the schema's) to its record type."""
    from archive.schema import type_named, unknown_type_message

    if value is None:
        return None
    kind = type_named(value)
    if kind is None:
        raise click.BadParameter(unknown_type_message(value))
    return kind


def parse_formats(value: str) -> tuple[str, ...]:
    wanted = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in wanted if f not in ("docx", "pdf", "pdfa")]
    if unknown or not wanted:
        raise click.BadParameter(f"不支持的格式“{'、'.join(unknown)}”，可用 docx、pdf、pdfa", param_hint="--format")
    return wanted


def print_render(workspace: Workspace, result: RenderResult, as_json: bool, summary: bool = False) -> None:
    """What a render wrote (or its JSON), failures and notices on stderr; exit 1 when a document failed."""
    if as_json:
        echo_json(result.to_json())
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


def format_table(rows: list[list[str]]) -> str:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        "as_of",
        metavar="YYYY-MM-DD",
        help="参考日期：按这一天计算期限和状态（默认取 renda.yaml 的 oversight.as_of，未设时为今天）",
    )(func)


def parse_as_of(text: str | None) -> dt.date | None:
    from archive.followup import parse_date_option

    return parse_date_option(text) if text is not None else None
