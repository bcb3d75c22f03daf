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
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from archive.annual.errors import AnnualArchiveError

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
