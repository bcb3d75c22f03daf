"""The `renda` command line: one face of the library (the web application is the other).

Commands are grouped by area, one module each; ``_shared`` holds the workspace state and the options every
command uses; ``_plumbing`` the click subclasses that give every command the Chinese help and turn library
errors into a message and exit code 1.  Heavy imports happen inside the commands so `renda --help` is instant.
"""

from __future__ import annotations

import click

from archive import __version__
from archive.cli import accounts, annual, deputies, documents, oversight, records, search, serve
from archive.cli._plumbing import Group, run
from archive.cli._shared import State


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--root",
    metavar="目录",
    help="工作区根目录（默认从当前目录向上查找 renda.yaml；也可用环境变量 RENDA_ROOT）",
)
@click.version_option(
    __version__, "--version", prog_name="renda", message="%(prog)s %(version)s", help="显示版本号并退出"
)
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """renda：人大常委会文书、档案管理工具。

    校验记录（会议、审议意见、执法检查、代表述职、代表名册、代表建议和议案），
    按 GB/T 9704-2012 生成公文，跨届检索，督办审议意见和代表建议、议案的办理，
    代表履职档案，按 DA/T 22-2015 年度归档；renda serve 启动网页平台。
    """
    ctx.obj = State(root)


for _command in (
    records.init,
    records.validate,
    records.new,
    records.list_,
    documents.render,
    documents.check,
    annual.archive_group,
    search.index_,
    search.search,
    search.related,
    search.import_,
    oversight.track,
    deputies.deputy,
    serve.serve,
    accounts.user,
    accounts.audit,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point: run the command line, translating click's own usage errors to Chinese."""
    run(cli)


__all__ = ["__version__", "cli", "main"]
