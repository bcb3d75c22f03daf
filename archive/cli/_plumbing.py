"""The plumbing of the command line, in click's own extension points.

``Command`` and ``Group`` give every command the Chinese help option and layout and map library errors to a
Chinese message and exit code 1; ``run`` translates click's usage errors (exit code 2) for the entry point.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import click

# -- Chinese help and usage ---------------------------------------------------


def display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _wrap_display(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for token in re.findall(r"[A-Za-z0-9_./=-]+|.", text):  # never split an ASCII word
        if current and display_width(current + token) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
            continue
        current += token
    return [*lines, current]


class CJKHelpFormatter(click.HelpFormatter):
    """Aligns help columns by display width: a Chinese character takes two columns."""

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max(display_width(r[0]) for r in rows), col_max) + col_spacing
        text_width = max((self.width or 80) - first_col - self.current_indent, 20)
        for first, second in rows:
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrap_display(second, text_width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


class Context(click.Context):
    formatter_class = CJKHelpFormatter


class _Plumbing:
    """What every command shares: Chinese usage, option and command rows, the Chinese help option, and library
    errors (``RendaError``, and a full disk or read-only file system) turned into a Chinese message with exit
    code 1 — so no command catches them."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option: click.Option | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示帮助并退出"
        return option

    def invoke(self, ctx: click.Context) -> Any:
        from archive.errors import RendaError

        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except RendaError as exc:
            raise ErrorMessage(str(exc)) from None
        except OSError as exc:  # a full disk or a read-only file system says so, in one place
            from archive.fileio import storage_error

            problem = storage_error(exc)
            if problem is None:
                raise
            raise ErrorMessage(str(problem)) from None

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


class Command(_Plumbing, click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(_Plumbing, click.Group):
    context_class = Context
    command_class = Command
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


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


class ErrorMessage(click.ClickException):
    """A library error, shown in Chinese with exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=True)


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


def run(cli: click.Group) -> None:
    """Run the command line as the entry point: click's own usage errors translated to Chinese, exit 2."""
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
