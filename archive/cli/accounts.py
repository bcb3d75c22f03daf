"""Accounts of the web platform (`renda user …`) and its audit trail (`renda audit`)."""

from __future__ import annotations

import getpass
import sys

import click

from archive.cli._plumbing import Command, ErrorMessage, Group
from archive.cli._shared import State, echo_json, format_table, json_option, pass_state

ROLE_HELP = "角色：admin 系统管理员、clerk 办公室、member 常委会组成人员、deputy 代表、organ 承办单位"


def cli_actor() -> str:
    """Who made a change from the command line, for the audit trail: the system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ErrorMessage("--password-stdin：标准输入中没有密码")
        return line.rstrip("\r\n")
    first = click.prompt("新密码", hide_input=True, prompt_suffix="：")
    second = click.prompt("再次输入新密码", hide_input=True, prompt_suffix="：")
    if first != second:
        raise ErrorMessage("两次输入的密码不一致，未作更改")
    return str(first)


password_stdin_option = click.option(
    "--password-stdin", "password_stdin", is_flag=True, help="从标准输入读取密码（第一行），便于脚本使用"
)


@click.group(cls=Group, short_help="网页平台的账号：新建、列出、改密码、停用")
def user() -> None:
    """网页平台（renda serve）的账号。账号、会话和审计记录保存在工作区的 .renda/web.sqlite。
    没有默认账号或默认密码：第一个系统管理员账号用 renda user add 名称 --role admin 建立。"""


@user.command(short_help="新建账号")
@click.argument("name", metavar="名称")
@click.option("--role", required=True, metavar="角色", help=ROLE_HELP)
@click.option(
    "--clearance",
    default="公开",
    show_default=True,
    metavar="密级",
    help="可查看的最高密级（不超过 renda.yaml 的 max_public_classification）",
)
@click.option("--deputy", "deputy_id", metavar="编号", help="代表账号对应的代表名册编号，如 d001")
@click.option("--organ", metavar="名称", help="承办单位账号对应的单位名称，如 区人民政府")
@click.option("--sign", "can_sign", is_flag=True, help="授予签发权限（仅办公室、系统管理员账号）")
@password_stdin_option
@pass_state
def add(
    state: State,
    name: str,
    role: str,
    clearance: str,
    deputy_id: str | None,
    organ: str | None,
    can_sign: bool,
    password_stdin: bool,
) -> None:
    """新建名为 名称 的账号，设定角色、密级和绑定的代表或承办单位，并设置密码（至少 10 个字符）；
    --sign 同时授予签发权限。"""
    from archive.accounts import AccountStore
    from archive.accounts.model import new_account, parse_role
    from archive.catalog import load_catalog

    workspace = state.workspace
    catalog = load_catalog(workspace) if parse_role(role) == "deputy" else None
    account = new_account(name, role, clearance, workspace.config, catalog, deputy_id, organ, can_sign)
    store = AccountStore.of(workspace)
    if store.get(account.name) is not None:
        raise ErrorMessage(f"账号“{account.name}”已存在")
    store.add(account, read_password(password_stdin), actor=cli_actor())
    signing = "，有签发权限" if account.can_sign else ""
    click.echo(f"已新建账号 {account.name}（{account.role_label}，密级“{account.clearance}”{signing}）")


@user.command(name="list", short_help="列出账号")
@json_option("以 JSON 输出账号（不含密码）")
@pass_state
def list_(state: State, as_json: bool) -> None:
    """列出全部账号：名称、角色、密级、绑定的代表或承办单位、状态。"""
    from archive.accounts import AccountStore

    accounts = AccountStore.of(state.workspace).accounts()
    if as_json:
        echo_json([a.as_dict() for a in accounts])
        return
    if not accounts:
        click.echo("尚无账号；用 renda user add 名称 --role admin 建立第一个系统管理员账号")
        return
    rows = [["账号", "角色", "密级", "绑定", "签发", "状态"]]
    rows += [
        [
            a.name,
            a.role_label,
            a.clearance,
            a.deputy or a.organ or "",
            "有" if a.can_sign else "",
            "已停用" if a.disabled else "正常",
        ]
        for a in accounts
    ]
    click.echo(format_table(rows))


@user.command(short_help="设置新密码")
@click.argument("name", metavar="名称")
@password_stdin_option
@pass_state
def passwd(state: State, name: str, password_stdin: bool) -> None:
    """为账号 名称 设置新密码；该账号已登录的会话随之失效。"""
    from archive.accounts import AccountStore

    store = AccountStore.of(state.workspace)
    store.require(name)
    store.set_password(name, read_password(password_stdin), actor=cli_actor())
    click.echo(f"已为账号 {name} 设置新密码")


@user.command(short_help="停用账号")
@click.argument("name", metavar="名称")
@pass_state
def disable(state: State, name: str) -> None:
    """停用账号 名称：不能再登录，已登录的会话立即失效。账号和它的审计记录保留。"""
    from archive.accounts import AccountStore

    AccountStore.of(state.workspace).disable(name, actor=cli_actor())
    click.echo(f"已停用账号 {name}")


@user.command(short_help="授予或收回签发权限")
@click.argument("name", metavar="名称")
@click.option("--revoke", is_flag=True, help="收回签发权限（默认为授予）")
@pass_state
def sign(state: State, name: str, revoke: bool) -> None:
    """授予账号 名称 签发权限（办公室、系统管理员账号）；--revoke 收回。变更记入审计记录。"""
    from archive.accounts import AccountStore

    AccountStore.of(state.workspace).set_signing(name, not revoke, actor=cli_actor())
    click.echo(f"已{'收回' if revoke else '授予'}账号 {name} 的签发权限")


@click.command(cls=Command, short_help="查看网页平台的审计记录并验证其完整性")
@click.option("--since", metavar="日期", help="只列出该日期（YYYY-MM-DD，UTC）以来的记录")
@click.option("--user", "user_name", metavar="名称", help="只列出该账号的操作")
@click.option("--verify", is_flag=True, help="验证审计链完整：被改动或删除的记录逐条指出，有则退出码为 1")
@json_option("以 JSON 输出审计记录（与 --verify 同用时输出验证结果）")
@pass_state
def audit(state: State, since: str | None, user_name: str | None, verify: bool, as_json: bool) -> None:
    """列出网页平台的审计记录：登录、登录失败、退出，查看和下载密级高于“公开”的记录，生成，账号变更，
    拒绝访问。每条记录带有前一条的哈希，--verify 据此证明记录未被改动或删除。"""
    from archive.accounts import AccountStore
    from archive.followup.compute import parse_date_option

    store = AccountStore.of(state.workspace)
    if verify:
        report = store.verify()
        if as_json:
            echo_json(report.as_dict())
        elif report.ok:
            click.echo(f"审计链完整：共 {report.rows} 条记录，逐条核对无误")
        for problem in report.problems if not as_json else ():
            click.echo(f"审计链断裂：{problem}", err=True)
        if not report.ok:
            raise ErrorMessage(f"审计链不完整：发现 {len(report.problems)} 处问题")
        return
    day = parse_date_option(since, "--since") if since else None
    entries = store.trail(day, user_name)
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if not entries:
        click.echo("没有符合条件的审计记录")
        return
    rows = [["序号", "时间（UTC）", "账号", "地址", "事件", "对象"]]
    rows += [[str(e.seq), e.at, e.actor, e.address or "", e.event_label, e.target] for e in entries]
    click.echo(format_table(rows))
