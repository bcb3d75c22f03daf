"""Each save a git commit of that one file, authored by the account: the office's records keep their history
where archivists expect it.  dulwich (pure Python) writes the objects; there is no shell-out to git.

The commit's tree is HEAD's with only the saved file changed, and only that file's index entry is brought up to
date: what someone else staged in the same repository is neither committed nor unstaged.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from archive.drafting.errors import DraftingError

EMAIL_DOMAIN = "renda.local"


def author_line(account: str) -> bytes:
    """``<account> <account@renda.local>`` (what git cannot hold in a name — angle brackets, line breaks, other
    controls, spaces in the address — left out)."""
    name = re.sub(r"[<>\x00-\x1f\x7f]", "", account).strip() or "renda"
    address = re.sub(r"\s", "", name)
    return f"{name} <{address}@{EMAIL_DOMAIN}>".encode()


def repository_of(root: Path) -> Path | None:
    """The work tree of the git repository ``root`` is (inside), or None."""
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    try:
        with Repo.discover(str(root)) as repo:
            return Path(repo.path).resolve()
    except NotGitRepository:
        return None


def commit_file(path: Path, account: str, message: str) -> str | None:
    """Commit the current bytes of ``path`` (a file inside a git work tree) authored by ``account``; returns the
    commit id (hex), or None when ``path`` is in no repository or the repository ignores it.  DraftingError
    when the repository cannot be written."""
    from dulwich.errors import NotGitRepository
    from dulwich.ignore import IgnoreFilterManager
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(path.parent))
    except NotGitRepository:
        return None
    with repo:
        top = Path(repo.path).resolve()
        rel = path.resolve().relative_to(top).as_posix()
        if IgnoreFilterManager.from_repo(repo).is_ignored(rel):
            return None
        try:
            return _commit(repo, rel, path.read_bytes(), account, message)
        except (OSError, KeyError, ValueError) as exc:
            raise DraftingError(f"无法写入 git 仓库 {top}：{exc}") from exc


def _commit(repo: object, rel: str, data: bytes, account: str, message: str) -> str:
    from dulwich.object_store import commit_tree_changes
    from dulwich.objects import Blob, Commit, ObjectID, Tree
    from dulwich.refs import Ref
    from dulwich.repo import Repo

    assert isinstance(repo, Repo)
    blob = Blob.from_string(data)
    repo.object_store.add_object(blob)
    try:
        head: ObjectID | None = repo.refs[Ref(b"HEAD")]
    except KeyError:  # an empty repository: the first commit
        head = None
    if head is not None:
        parent = repo[head]
        assert isinstance(parent, Commit)
        base_tree: ObjectID | Tree = parent.tree
    else:
        base_tree = Tree()
        repo.object_store.add_object(base_tree)
    tree = commit_tree_changes(repo.object_store, base_tree, [(rel.encode(), 0o100644, blob.id)])
    commit = Commit()
    commit.tree = tree
    commit.parents = [head] if head is not None else []
    commit.author = commit.committer = author_line(account)
    commit.author_time = commit.commit_time = int(time.time())
    offset = -time.altzone if time.localtime().tm_isdst > 0 else -time.timezone
    commit.author_timezone = commit.commit_timezone = offset
    commit.encoding = b"UTF-8"
    commit.message = message.encode("utf-8")
    repo.object_store.add_object(commit)
    if head is None:
        names, _ = repo.refs.follow(Ref(b"HEAD"))
        written = repo.refs.add_if_new(names[-1], commit.id)
    else:
        written = repo.refs.set_if_equals(Ref(b"HEAD"), head, commit.id)
    if not written:
        raise ValueError("HEAD 已被其他程序改动")
    _stage(repo, rel)
    return commit.id.decode("ascii")


def _stage(repo: object, rel: str) -> None:
    """Bring the saved file's index entry up to date (the rest of the index is left as it is)."""
    from dulwich.repo import Repo

    assert isinstance(repo, Repo)
    worktree = repo.get_worktree()
    worktree.stage([rel])
