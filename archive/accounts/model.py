"""Roles and accounts: who may log in to the web platform, as what, at which clearance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.clearance import check_level
from archive.errors import AccountError
from archive.records import CLASSIFICATIONS, Deputy, classification_rank

if TYPE_CHECKING:
    from archive.catalog import Catalog
    from archive.workspace import Config

ROLE_LABELS: dict[str, str] = {
    "admin": "系统管理员",
    "clerk": "办公室",
    "member": "常委会组成人员",
    "deputy": "代表",
    "organ": "承办单位",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS)
OFFICE_ROLES = frozenset({"admin", "clerk"})

_NAME = re.compile(r"^[\w.\-]{1,32}$")
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    clearance: str
    deputy: str | None = None  # registry id (role deputy)
    organ: str | None = None  # organ name, e.g. 区人民政府 (role organ)
    disabled: bool = False
    created: str = ""
    can_sign: bool = False  # the signing right (签发): approves issuing a document

    @property
    def may_sign(self) -> bool:
        """Whether the account may 签发 now: it holds the right, is not disabled and is an office account."""
        return self.can_sign and not self.disabled and self.role in OFFICE_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "role_label": self.role_label,
            "clearance": self.clearance,
            "deputy": self.deputy,
            "organ": self.organ,
            "disabled": self.disabled,
            "created": self.created,
            "can_sign": self.can_sign,
        }


def parse_role(text: str) -> str:
    """A role by its English key or Chinese label."""
    for key, label in ROLE_LABELS.items():
        if text in (key, label):
            return key
    known = "、".join(f"{k}（{v}）" for k, v in ROLE_LABELS.items())
    raise AccountError(f"未知的角色“{text}”，可用：{known}")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(f"账号名“{name}”无效：应为 1 至 32 个字母、数字、汉字或 _ . -")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if password.strip() != password or "\n" in password:
        raise AccountError("密码不能以空白开头或结尾，也不能含换行")
    return password


def ceiling(config: Config) -> str:
    """The highest clearance an account of this workspace may have: ``max_public_classification``."""
    return config.max_public_classification


def check_clearance(level: str, config: Config) -> str:
    check_level(level, "--clearance")
    top = ceiling(config)
    if classification_rank(level) > classification_rank(top):
        raise AccountError(
            f"密级“{level}”高于本工作区可开放的最高密级“{top}”（renda.yaml 的 max_public_classification）"
        )
    return level


def new_account(
    name: str,
    role: str,
    clearance: str,
    config: Config,
    catalog: Catalog | None,
    deputy: str | None = None,
    organ: str | None = None,
    can_sign: bool = False,
) -> Account:
    """An account checked against the workspace: role, clearance under the ceiling, its binding, the signing
    right (office accounts only)."""
    role = parse_role(role)
    if can_sign:
        check_signing_role(role)
    check_name(name)
    check_clearance(clearance, config)
    if role == "deputy":
        if not deputy:
            raise AccountError("代表账号须用 --deputy 指定代表名册中的编号（如 d001）")
        registry = {r.id: r for r in (catalog.records if catalog else ()) if isinstance(r, Deputy)}
        if deputy not in registry:
            raise AccountError(f"代表名册中没有编号为“{deputy}”的代表")
    elif deputy:
        raise AccountError("只有代表账号（--role deputy）才能指定 --deputy")
    if role == "organ":
        if not organ or not organ.strip():
            raise AccountError("承办单位账号须用 --organ 指定单位名称（如 区人民政府）")
        organ = organ.strip()
    elif organ:
        raise AccountError("只有承办单位账号（--role organ）才能指定 --organ")
    return Account(name, role, clearance, deputy, organ, can_sign=can_sign)


def check_signing_role(role: str) -> None:
    """The signing right (签发) is for office accounts: drafts are seen and issued by the office only."""
    if role not in OFFICE_ROLES:
        raise AccountError(f"签发权限只能授予办公室或系统管理员账号，不能授予{ROLE_LABELS.get(role, role)}账号")


__all__ = ["CLASSIFICATIONS", "OFFICE_ROLES", "ROLES", "ROLE_LABELS", "Account"]
