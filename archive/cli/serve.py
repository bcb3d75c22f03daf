"""`renda serve`: the office web platform over this workspace."""

from __future__ import annotations

import click

from ._plumbing import Command
from ._shared import State, pass_state


@click.command(cls=Command, short_help="启动网页平台（办公室、组成人员、代表、承办单位）")
@click.option(
    "--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听地址；非本机地址须先建立系统管理员账号"
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), metavar="端口", help="监听端口")
@pass_state
def serve(state: State, host: str, port: int) -> None:
    """在本机启动网页平台：按角色和密级浏览记录、检索、督办、代表履职和归档。
    默认只监听 127.0.0.1；对外提供服务请放在 nginx（TLS）之后，见 README“网页平台”。
    启动时和记录文件改动后自动更新检索索引。按 Ctrl-C 停止。"""
    from archive.web.server import serve as run

    run(state.workspace, host, port, say=lambda message: click.echo(message, err=True))
