"""Word counts of texts, remembered between runs in the workspace's ``.renda/`` folder.

Segmenting every record is the slow part of weighing key phrases (`renda related`, the recurring
problems of the annual statistics); a record's words change only when its text does.  The cache is one
JSON file per use::

    .renda/related/words.json   {"format": 1, "fingerprint": "…", "texts": {"<sha256 of a text>": {word: count}}}

An entry is keyed by the SHA-256 of the text that was segmented, so an edited record simply misses; the
``fingerprint`` names everything else that decides the words (the analysis version, the dictionary, the
folding data, the caller's own rules), and a file with another fingerprint is ignored and replaced.  The
file is written atomically, with only the texts of this run (a removed record leaves with the next write).
A cache that cannot be read or makes no sense is rebuilt; one that cannot be written (a read-only
workspace, a full disk) is skipped: the counts are made anyway, the run just does not remember them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import ArchiveError
from ..fileio import write_replace

CACHE_DIR = Path(".renda") / "related"
FORMAT = 1


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path, fingerprint: str) -> dict[str, object]:
    """The cached entries, or nothing when the file is missing, unreadable, of another fingerprint or broken."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):  # missing, unreadable, not JSON (UnicodeDecodeError is a ValueError)
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
        return {}
    texts = data.get("texts")
    return texts if isinstance(texts, dict) else {}


def _counts(entry: object) -> Counter[str] | None:
    """A cached entry as word counts, or None when it is not {word: positive int}."""
    if not isinstance(entry, dict):
        return None
    if not all(isinstance(w, str) and type(c) is int and c > 0 for w, c in entry.items()):
        return None
    return Counter(entry)


def cached_counts(
    root: Path,
    name: str,
    fingerprint: str,
    texts: Mapping[str, str],
    count: Callable[[str], Counter[str]],
    remember: Callable[[str], bool] = lambda _: True,
) -> dict[str, Counter[str]]:
    """``count(text)`` for every ``texts`` value (by the same key), taken from the cache ``name`` under the
    workspace ``root`` where it holds the same text counted under the same ``fingerprint``.

    The cache is rewritten when anything was counted or dropped; only the texts whose key ``remember``
    accepts are written (the caller keeps records above the workspace's level out of it)."""
    path = root / CACHE_DIR / f"{name}.json"
    cached = _read(path, fingerprint)
    out: dict[str, Counter[str]] = {}
    kept: dict[str, dict[str, int]] = {}
    changed = False
    for key, text in texts.items():
        digest = text_key(text)
        found = _counts(cached.get(digest))
        if found is None:
            found = count(text)
            changed = True
        out[key] = found
        if remember(key):
            kept[digest] = dict(found)
    if changed or set(kept) != set(cached):
        data = {"format": FORMAT, "fingerprint": fingerprint, "texts": kept}
        # a read-only workspace, a full disk: counted anyway, not remembered
        with contextlib.suppress(OSError, ArchiveError):
            write_replace(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return out
