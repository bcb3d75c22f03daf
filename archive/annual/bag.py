"""BagIt (RFC 8493) written by hand: manifests in SHA-256 and SM3, tag manifests, bag-info, deterministic ZIP.

Hand-written rather than through the ``bagit`` library because that library puts the time of bagging
into bag-info.txt and walks the file system in directory order; here every line is sorted and every
date comes from the records, so two builds give the same bytes.  The tests validate the result with the
``bagit`` library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from archive.errors import AnnualArchiveError, ZipRefusedError

ALGORITHMS = ("sha256", "sm3")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
CHUNK = 1 << 20


def new_hash(algorithm: str) -> hashlib._Hash:
    try:
        return hashlib.new(algorithm)
    except ValueError:
        raise AnnualArchiveError(
            f"本机 Python 的 hashlib 不支持 {algorithm.upper()} 算法（需要 OpenSSL 1.1.1 及以上版本）"
        ) from None


def file_digests(path: Path) -> dict[str, str]:
    hashes = {name: new_hash(name) for name in ALGORITHMS}
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            for h in hashes.values():
                h.update(chunk)
    return {name: h.hexdigest() for name, h in hashes.items()}


def encode_path(rel: str) -> str:
    """RFC 8493 2.1.3: CR, LF and % in a manifest path are percent-encoded."""
    return rel.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0a", "\n").replace("%0D", "\r").replace("%0d", "\r").replace("%25", "%")


def payload_files(bag: Path) -> list[str]:
    data = bag / "data"
    return sorted(p.relative_to(bag).as_posix() for p in data.rglob("*") if p.is_file())


def _manifest_text(entries: Mapping[str, Mapping[str, str]], algorithm: str) -> bytes:
    lines = [f"{entries[rel][algorithm]}  {encode_path(rel)}\n" for rel in sorted(entries)]
    return "".join(lines).encode("utf-8")


def write_bag(bag: Path, info: Mapping[str, str]) -> None:
    """Turn ``bag`` (which holds ``data/``) into a bag: bagit.txt, bag-info.txt, manifests, tag manifests."""
    payload = {rel: file_digests(bag / rel) for rel in payload_files(bag)}
    size = sum((bag / rel).stat().st_size for rel in payload)
    (bag / "bagit.txt").write_bytes(BAGIT_TXT.encode("utf-8"))
    fields = {**info, "Payload-Oxum": f"{size}.{len(payload)}"}
    (bag / "bag-info.txt").write_bytes("".join(f"{k}: {v}\n" for k, v in fields.items()).encode("utf-8"))
    for algorithm in ALGORITHMS:
        (bag / f"manifest-{algorithm}.txt").write_bytes(_manifest_text(payload, algorithm))
    tags = ["bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS)]
    tag_digests = {rel: file_digests(bag / rel) for rel in tags}
    for algorithm in ALGORITHMS:
        (bag / f"tagmanifest-{algorithm}.txt").write_bytes(_manifest_text(tag_digests, algorithm))


def all_files(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())


def fix_times(root: Path, when: dt.datetime) -> None:
    stamp = when.timestamp()
    for path in [*all_files(root), *sorted(p for p in root.rglob("*") if p.is_dir()), root]:
        os.utime(path, (stamp, stamp))


def write_zip(bag: Path, target: Path, when: dt.datetime) -> None:
    """Sorted members under the bag's folder name, one fixed timestamp, fixed permissions."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _zip_members(bag):
            rel = f"{bag.name}/{path.relative_to(bag).as_posix()}"
            if path.is_dir():
                info = zipfile.ZipInfo(rel + "/", date_time=stamp)
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(rel, date_time=stamp)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with path.open("rb") as handle:
                    archive.writestr(info, handle.read())


def _zip_members(bag: Path) -> Iterable[Path]:
    return sorted((p for p in bag.rglob("*")), key=lambda p: p.relative_to(bag).as_posix())


def read_tag_file(path: Path) -> dict[str, str]:
    """``Key: value`` lines (continuation lines folded in) of bagit.txt or bag-info.txt."""
    fields: dict[str, str] = {}
    last = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line[:1] in (" ", "\t") and last:
            fields[last] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            fields[last] = value.strip()
    return fields


def read_manifest(path: Path) -> dict[str, str]:
    """path → digest; malformed lines are returned under the key ``""`` with the line as value."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        digest, sep, rel = line.partition(" ")
        if not sep:
            entries[""] = line
            continue
        entries[decode_path(rel.strip())] = digest.lower()
    return entries


# -- reading a package back: only from inside it ----------------------------------------------------------

TAG_FILES = (
    "bagit.txt",
    "bag-info.txt",
    *(f"manifest-{a}.txt" for a in ALGORITHMS),
    *(f"tagmanifest-{a}.txt" for a in ALGORITHMS),
)
MAX_ENTRIES = 1_000_000  # files and folders in one package: a year of 件 is some thousands
# ZIP expansion bounds, checked on the central directory before anything is written and again while
# streaming each member.  PDF/A, DOCX and XLSX hardly compress; only the small text files (catalogue,
# metadata, records) reach a ratio of 10:1, so a member that claims more than 100:1 above 1 MiB is a bomb.
MAX_ZIP_MEMBERS = 200_000
MAX_ZIP_BYTES = 16 << 30
MAX_ZIP_RATIO = 100
RATIO_FLOOR = 1 << 20


def printable(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (surrogate escapes) as ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Listing:
    """What a package folder holds, found without following a single link.

    ``files`` are the regular files (path inside the package → size); ``refused`` are the entries that are
    never read: symbolic links (wherever they point), devices, pipes, sockets and names that are not UTF-8.
    """

    files: dict[str, int]
    refused: dict[str, str]

    def payload(self) -> set[str]:
        return {rel for rel in self.files if rel.startswith("data/")}


def list_package(root: Path) -> Listing:
    files: dict[str, int] = {}
    refused: dict[str, str] = {}
    pending = [""]
    seen = 0
    while pending:
        folder = pending.pop()
        with os.scandir(root / folder if folder else root) as entries:
            for entry in entries:
                seen += 1
                if seen > MAX_ENTRIES:
                    raise AnnualArchiveError(f"{root}: 归档包中的文件和文件夹超过 {MAX_ENTRIES} 个，不予校验")
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if printable(rel) != rel:
                    refused[printable(rel)] = "文件名不是 UTF-8 编码"
                elif entry.is_symlink():
                    target = printable(os.readlink(entry.path))
                    refused[rel] = f"是符号链接（指向 {target}），归档包中不允许链接，未读取"
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    files[rel] = entry.stat(follow_symlinks=False).st_size
                else:
                    refused[rel] = "不是普通文件（设备、管道或套接字），未读取"
    return Listing(files, refused)


def extract_zip(path: Path, into: Path) -> Path:
    """Unpack a package ZIP into ``into`` within the bounds above; returns the package folder."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise AnnualArchiveError(f"{path}: ZIP 文件无法读取（{exc}）") from None
    with archive:
        members = archive.infolist()
        top = _check_members(path, members)
        written = 0
        for info in members:
            written = _extract_member(archive, info, into, written)
    return into / top


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> str:
    if len(members) > MAX_ZIP_MEMBERS:
        raise ZipRefusedError(path.name, f"ZIP 有 {len(members)} 个成员，超过上限 {MAX_ZIP_MEMBERS} 个，未解压")
    names: set[str] = set()
    total = 0
    for info in members:
        name = info.filename
        parts = name.rstrip("/").split("/")
        kind = (info.external_attr >> 16) & 0o170000
        if (
            not name.rstrip("/")
            or name.startswith("/")
            or "\\" in name
            or "\0" in name
            or ":" in parts[0]
            or any(p in ("", ".", "..") for p in parts)
        ):
            raise ZipRefusedError(printable(name), "ZIP 成员的路径不安全（绝对路径、含 .. 或盘符），未解压")
        if kind == stat.S_IFLNK:
            raise ZipRefusedError(name, "ZIP 成员是符号链接，归档包中不允许链接，未解压")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise ZipRefusedError(name, "ZIP 成员不是普通文件或文件夹，未解压")
        if info.flag_bits & 0x1:
            raise ZipRefusedError(name, "ZIP 成员已加密，未解压")
        if name.rstrip("/") in names:
            raise ZipRefusedError(name, "ZIP 中有同名成员，未解压")
        names.add(name.rstrip("/"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ZipRefusedError(
                name,
                f"压缩比 {ratio}:1 超过上限 {MAX_ZIP_RATIO}:1"
                f"（{info.compress_size} 字节解压后为 {info.file_size} 字节，疑似压缩炸弹），未解压",
            )
        total += info.file_size
    if total > MAX_ZIP_BYTES:
        raise ZipRefusedError(
            path.name, f"解压后共 {total} 字节，超过上限 {MAX_ZIP_BYTES} 字节（疑似压缩炸弹），未解压"
        )
    tops = {n.split("/")[0] for n in names}
    if len(tops) != 1:
        raise AnnualArchiveError(f"{path}: ZIP 应只包含一个归档包目录，实际有 {len(tops)} 个顶层项")
    return tops.pop()


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path, written: int) -> int:
    """Stream one member, counting: never more than it declared, never past MAX_ZIP_BYTES in all."""
    target = into.joinpath(*info.filename.rstrip("/").split("/"))
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return written
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with archive.open(info) as source, target.open("xb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                written += len(chunk)
                if size > info.file_size or written > MAX_ZIP_BYTES:
                    raise ZipRefusedError(
                        info.filename, "解压出的数据多于 ZIP 目录中声明的大小（疑似压缩炸弹），已停止"
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ZipRefusedError(info.filename, f"ZIP 成员已损坏，无法解压（{exc}）") from None
    except OSError as exc:
        raise AnnualArchiveError(f"解压 {info.filename} 失败：{exc.strerror or exc}") from None
    return written
