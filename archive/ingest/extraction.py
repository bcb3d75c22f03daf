"""Reading a text PDF: positioned lines from pdfplumber, then paragraphs and detected fields.

Running headers/footers and page numbers are dropped; lines are joined unless the previous one stopped
short or the next one is indented; masthead (发文机关标志), title, 发文字号, issuer and date are detected.
pdfplumber objects never leave this module.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.chinese import chinese_to_int
from archive.errors import IngestError
from archive.glyphs import is_hidden
from archive.ingest.worker import run_limited

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
MIN_TEXT_CHARS = 20  # fewer characters than this in the whole file: no usable text layer
MAX_PDF_SECONDS = 60  # for pdftotext, the fallback reader
_XHTML = "{http://www.w3.org/1999/xhtml}"

_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
_CN_DIGIT.update({"六": "6", "七": "7", "八": "8", "九": "9"})
_DATE = re.compile(
    r"(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日"
)
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*第?\s*0*(\d{1,4})\s*号")
_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－~～]\s*\d{1,4}\s*[—–\-－~～]|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4})$"
)
_SENTENCE_END = "。！？；：”」』）)"

LEVELS = ("公开", "内部", "秘密", "机密", "绝密")  # 绝密 is recognised only to be refused
_NUMERAL = "[0-9０-９〇零一二三四五六七八九十百]+"
_MARK = re.compile(rf"(?P<level>{'|'.join(LEVELS)})(?:★(?P<period>长期|(?P<n>{_NUMERAL})(?P<unit>年|个月)))?")
_COPY_NUMBER = re.compile(r"[0-9０-９]{1,6}")  # 份号: GB/T 9704 7.2.1, six digits
_URGENCY = re.compile(r"特急|加急|特提|平急")
_MARK_SIGN = re.compile("[★☆＊*]|密级|保密期限")
MARK_WINDOW = 5  # the 版头 lines above the 标志 that may hold 份号, 密级 and 紧急程度


@dataclass(frozen=True)
class Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    size: float
    page_width: float
    page_height: float


@dataclass(frozen=True)
class Extracted:
    """What was read from one PDF: paragraphs and the detected fields (None = not detected)."""

    paragraphs: tuple[str, ...]
    title: str | None
    doc_number: str | None
    issuer: str | None
    date: dt.date | None
    pages: int
    # The 密级 mark of the 版头 (GB/T 9704 7.2.2): None when there is none; ``unclear_mark`` holds
    # mark-like text that did not parse, so the importer can refuse to guess.
    classification: str | None = None
    secrecy_period: str | None = None
    unclear_mark: str | None = None


def read_pdf_lines(path: Path) -> tuple[list[Line], int]:
    """Every text line of ``path`` with its position; IngestError with a clerk's message otherwise."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise IngestError("文件不存在") from None
    except OSError as exc:
        raise IngestError(f"无法读取文件：{exc.strerror or exc}") from None
    if not path.is_file():
        raise IngestError("不是文件")
    if size > MAX_PDF_BYTES:
        raise IngestError(
            f"文件过大（{size / 1024 / 1024:.0f} MB），单个 PDF 不得超过 {MAX_PDF_BYTES // 1024 // 1024} MB"
        )
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise IngestError("不是 PDF 文件（文件开头没有 %PDF 标记）")
    return run_limited(_read_lines, path)


def check_page_tree(document: Any) -> None:
    """Refuse a pdfminer ``PDFDocument`` with more than MAX_PAGES pages before any page is enumerated:
    ``/Count`` of the root says how many there are; as it can lie, the page tree is also walked, object
    by object as pdfminer enumerates it, until there are more than MAX_PAGES leaves."""
    from pdfminer.pdftypes import PDFObjRef, resolve1

    root = resolve1(document.catalog.get("Pages"))
    if not isinstance(root, dict):
        raise IngestError("PDF 文件已损坏，无法读取（没有页面树）")
    count = resolve1(root.get("Count"))
    if isinstance(count, int) and count > MAX_PAGES:
        raise _too_many(str(count))
    leaves, stack, seen = 0, [root.get("Kids")], set()
    while stack:
        ref = stack.pop()
        if isinstance(ref, PDFObjRef):
            if ref.objid in seen:  # pdfminer shows a page named twice once; a loop ends here
                continue
            seen.add(ref.objid)
        node = resolve1(ref)
        kids = resolve1(node.get("Kids")) if isinstance(node, dict) else node if isinstance(node, list) else None
        if isinstance(kids, list):
            stack.extend(kids)
        else:
            leaves += 1
        if leaves > MAX_PAGES or len(stack) > MAX_PAGES * 10:
            raise _too_many(f"多于 {MAX_PAGES}")


_ENCRYPTED = "PDF 已加密，需要密码才能打开；请先解除加密再导入"


def _too_many(pages: int | str) -> IngestError:
    return IngestError(f"页数过多（{pages} 页），单个 PDF 不得超过 {MAX_PAGES} 页；请拆分后导入")


def _read_lines(path: Path) -> tuple[list[Line], int]:
    """The work of read_pdf_lines, in its worker: the page count from the page tree first, then the text."""
    pdf = _open(path)
    try:
        with pdf:
            lines, pages, unmapped = _plumber_lines(pdf)
    except (IngestError, MemoryError):
        raise
    except Exception as exc:  # damaged content streams surface only while reading pages
        if any(isinstance(e, MemoryError) for e in (exc, *exc.args, exc.__cause__, exc.__context__)):
            raise MemoryError from None  # pdfplumber wraps what pdfminer raised, running out of memory included
        raise IngestError(f"PDF 文件已损坏，无法读取（{type(exc).__name__}）") from None
    read = sum(len(line.text) for line in lines)
    if read < MIN_TEXT_CHARS or unmapped:
        # pdfminer cannot map the glyphs of a font without a ToUnicode map (it yields "(cid:N)", dropped by
        # _tidy); poppler falls back on the font's encoding or program and reads the text the page shows.
        # Its lines are kept when they hold more text.
        poppler = _poppler_lines(path)
        if sum(len(line.text) for line in poppler) > read:
            lines = poppler
    if sum(len(line.text) for line in lines) < MIN_TEXT_CHARS:
        raise IngestError("PDF 没有文字层（可能是扫描件）；请先做文字识别（OCR）再导入")
    return lines, pages


def _open(path: Path) -> Any:
    """The pdfplumber PDF; an encrypted or damaged file is an IngestError."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError(_ENCRYPTED) from None
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged files; pdfplumber wraps them
        inner = [exc, *exc.args]
        if any(isinstance(e, MemoryError) for e in inner):
            raise MemoryError from None
        if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in inner):
            raise IngestError(_ENCRYPTED) from None
        raise IngestError(f"PDF 文件已损坏，无法读取（{type(exc).__name__}）") from None


def _plumber_lines(pdf: Any) -> tuple[list[Line], int, int]:
    """The text lines of an open pdfplumber PDF, the page count and how many glyphs had no character."""
    check_page_tree(pdf.doc)
    pages = len(pdf.pages)
    if pages > MAX_PAGES:
        raise _too_many(pages)
    lines: list[Line] = []
    unmapped = 0  # glyphs pdfminer could not map to a character
    for number, page in enumerate(pdf.pages, 1):
        for item in page.extract_text_lines(return_chars=True):
            unmapped += len(_CID.findall(item["text"]))
            text = _tidy(item["text"])
            if not text:
                continue
            sizes = [c.get("size", 0.0) for c in item.get("chars", ())]
            lines.append(
                Line(
                    text,
                    number,
                    float(item["x0"]),
                    float(item["x1"]),
                    float(item["top"]),
                    max(sizes) if sizes else 0.0,
                    float(page.width),
                    float(page.height),
                )
            )
        page.close()  # drop the page's parsed objects: memory stays that of one page
    return lines, pages, unmapped


def _poppler_lines(path: Path) -> list[Line]:
    """The text lines as poppler's pdftotext (poppler-utils, a required system package) reads them, with
    their boxes; [] when it is not installed or fails.  A line's size is its box height."""
    import shutil
    import subprocess
    import xml.etree.ElementTree as ET

    exe = shutil.which("pdftotext")
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, "-q", "-bbox-layout", "-l", str(MAX_PAGES), str(path), "-"],
            capture_output=True,
            timeout=MAX_PDF_SECONDS,
            check=False,
        )
        root = ET.fromstring(done.stdout) if done.returncode == 0 and done.stdout else None
    except (OSError, subprocess.SubprocessError, ET.ParseError):
        return []
    lines: list[Line] = []
    for number, page in enumerate(root.iter(_XHTML + "page") if root is not None else (), 1):
        width, height = float(page.get("width", 0)), float(page.get("height", 0))
        for line in page.iter(_XHTML + "line"):
            text = _tidy(" ".join(w.text or "" for w in line.iter(_XHTML + "word")))
            if not text:
                continue
            top, bottom = float(line.get("yMin", 0)), float(line.get("yMax", 0))
            x0, x1 = float(line.get("xMin", 0)), float(line.get("xMax", 0))
            lines.append(Line(text, number, x0, x1, top, round(bottom - top, 1), width, height))
    return lines


_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


# Characters a record file may not hold (see archive.source): PDFs carry them in broken text layers;
# "(cid:N)" is pdfminer's stand-in for a glyph it cannot map to a character (a font without ToUnicode).
_CID = re.compile(r"\(cid:\d+\)")
_UNPRINTABLE = re.compile(r"\(cid:\d+\)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufffe\uffff]")


def _tidy(text: str) -> str:
    """Drop the spaces PDF text extraction puts between Chinese characters and figures (2024 年 6 月),
    and characters that cannot appear in a record (controls, and the invisible ones validate refuses)."""
    text = "".join(ch for ch in _UNPRINTABLE.sub("", text) if ch == "\n" or not is_hidden(ch))
    return _CJK_SPACE.sub("", text.strip())


def _in_margin(line: Line) -> bool:
    return line.top < line.page_height * 0.09 or line.top > line.page_height * 0.9


def _running_heads(lines: Sequence[Line], pages: int, body_size: float) -> set[str]:
    """Texts in the top or bottom margin that recur on at least half of the pages, or that are set
    smaller than the body text: running headers and footers."""
    seen: Counter[str] = Counter()
    out = set()
    for line in lines:
        if _in_margin(line):
            key = re.sub(r"\d+", "#", line.text)
            seen[key] += 1
            if body_size and line.size < body_size - 1.0:
                out.add(key)
    if pages >= 2:
        out.update(text for text, count in seen.items() if count >= max(2, pages // 2))
    return out


def extract(lines: Sequence[Line], pages: int) -> Extracted:
    """Paragraphs and fields from positioned lines.  Pure: no I/O."""
    all_sizes = [ln.size for ln in lines if ln.size]
    running = _running_heads(lines, pages, statistics.median(all_sizes) if all_sizes else 0.0)
    body = [
        ln
        for ln in lines
        if not _PAGE_NUMBER.match(ln.text.replace(" ", "")) and re.sub(r"\d+", "#", ln.text) not in running
    ]
    body, marking = _strip_marking(body, statistics.median(all_sizes) if all_sizes else 0.0)
    if not body:
        return Extracted((), None, None, None, None, pages, *marking)
    sizes = [ln.size for ln in body if ln.size]
    body_size = statistics.median(sizes) if sizes else 0.0
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    char = body_size or 12.0

    masthead, title_lines = _large_type(body, body_size)
    if not title_lines:
        first = body[0]
        centred = abs((first.x0 - left) - (right - first.x1)) < 2 * char
        if centred and len(first.text) <= 40 and not first.text.endswith(tuple(_SENTENCE_END)):
            title_lines = [first]
    title = "".join(ln.text for ln in title_lines) or None
    issuer = _masthead_issuer([ln.text for ln in masthead])
    doc_number = None
    for ln in body[:12]:
        m = _DOC_NUMBER.search(ln.text)
        if m:
            doc_number = f"{m[1]}〔{m[2]}〕{int(m[3])}号"
            break
    date = _document_date(body, title_lines)
    rest = [ln for ln in body if ln not in title_lines and ln not in masthead]
    if issuer is None:
        issuer = _signature(rest) or _byline(rest)
    paragraphs = tuple(_paragraphs(rest, left, right, char))
    return Extracted(paragraphs, title, doc_number, issuer, date, pages, *marking)


def _large_type(body: Sequence[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """Large type at the top of page 1: 发文机关标志 (masthead) then the title, or only the title."""
    groups: list[list[Line]] = []
    for ln in body:
        if ln.page != 1:
            break
        if ln.size < body_size + 1.5:
            if sum(1 for g in groups if g) >= 2:
                break
            if groups and groups[-1]:
                groups.append([])  # a smaller line ends a group
            continue
        if groups and groups[-1] and abs(groups[-1][-1].size - ln.size) <= 0.5:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    groups = [g for g in groups if g]
    masthead: list[Line] = []
    if len(groups) >= 2 or (groups and "".join(ln.text for ln in groups[0]).endswith("文件")):
        masthead = groups.pop(0)
    return masthead, groups[0] if groups else []


def _byline(lines: Sequence[Line]) -> str | None:
    """A published article's source (来源：…) near the top."""
    for ln in lines[:4]:
        source = re.search(r"来源[:：]\s*([\u4e00-\u9fff]{2,30})", ln.text)
        if source:
            return source[1]
    return None


_MARK_WORD = re.compile(r"(文件|会议纪要|纪要)$")


def _masthead_issuer(texts: list[str]) -> str | None:
    """The 发文机关 of a 标志's lines.  A joint 标志 (7.2.4: 联合行文) stacks the organs with "文件" beside
    them, read as a line of its own or at the end of the first: the organs are joined with 、; a long name
    wrapped over two lines ends with "文件" on its last line only and is joined as it was."""
    if not texts:
        return None
    joint = len(texts) >= 2 and (any(_MARK_WORD.fullmatch(t) for t in texts) or _MARK_WORD.search(texts[0]))
    if joint:
        organs = [_MARK_WORD.sub("", t) for t in texts]
        return "、".join(t for t in organs if t) or None
    return _MARK_WORD.sub("", "".join(texts)) or None


def parse_mark(text: str) -> tuple[str, str | None] | None:
    """``秘密★1年`` → (秘密, 1年); ``机密★十年`` → (机密, 10年); ``内部`` → (内部, None); None when ``text``
    is not exactly a 密级 mark (a 保密期限 only goes with 秘密, 机密 and 绝密)."""
    m = _MARK.fullmatch(re.sub(r"\s+", "", text))
    if not m:
        return None
    if m["period"] is None or m["period"] == "长期":
        period = m["period"]
    else:
        number = chinese_to_int(m["n"])
        if not number:
            return None
        period = f"{number}{m['unit']}"
    if period and m["level"] in ("公开", "内部"):
        return None
    return m["level"], period


def _strip_marking(body: list[Line], body_size: float) -> tuple[list[Line], tuple[str | None, str | None, str | None]]:
    """Take the 份号, 密级 and 紧急程度 lines off the top of page 1 (版头, not text) and read the mark.

    Only the leading lines count: 份号, 密级和保密期限 and 紧急程度 stand above the 标志 and the title.
    A short leading line that looks like a mark but does not parse is kept out of the text too and
    reported as unclear, so the importer does not guess a level from it.
    """
    level = period = unclear = None
    dropped: set[int] = set()
    for index, ln in enumerate(body[:MARK_WINDOW]):
        text = re.sub(r"\s+", "", ln.text)
        if ln.page != 1:
            break
        if _COPY_NUMBER.fullmatch(text) and index == 0:
            dropped.add(index)
            continue
        parsed = parse_mark(text)
        if parsed and level is None:
            level, period = parsed
            dropped.add(index)
            continue
        if _URGENCY.fullmatch(text):
            dropped.add(index)
            continue
        small = not body_size or ln.size < body_size + 1.5  # the 标志 and the title are set larger
        mark_like = _MARK_SIGN.search(text) or (len(text) <= 8 and text.startswith(LEVELS))
        if level is None and unclear is None and small and mark_like:
            unclear = text
            dropped.add(index)
            continue
        break
    if level is not None:
        unclear = None
    return [ln for i, ln in enumerate(body) if i not in dropped], (level, period, unclear)


def _paragraphs(lines: Sequence[Line], left: float, right: float, char: float) -> list[str]:
    """Join lines into paragraphs: a line that reaches the right edge continues on the next line
    unless the next one is indented (a new paragraph); a short line ends its paragraph."""
    out: list[str] = []
    current = ""
    previous: Line | None = None
    for ln in lines:
        starts_new = (
            previous is None
            or previous.x1 < right - 1.5 * char  # the previous line stopped short
            or ln.x0 > left + 1.5 * char  # this line is indented
            or abs(ln.size - previous.size) > 1.0
        )
        if starts_new and current:
            out.append(current)
            current = ""
        current = _join(current, ln.text)
        previous = ln
    if current:
        out.append(current)
    return out


def _join(before: str, after: str) -> str:
    if before and before[-1].isascii() and before[-1].isalnum() and after[:1].isascii() and after[:1].isalnum():
        return before + " " + after  # Latin words keep their space; Chinese has none to restore
    return before + after


def _parse_date(m: re.Match[str]) -> dt.date | None:
    year_text = "".join(_CN_DIGIT.get(c, c) for c in m[1])
    month, day = chinese_to_int(m[2]), chinese_to_int(m[3])
    try:
        return dt.date(int(year_text), month or 0, day or 0)
    except ValueError:
        return None


def _document_date(lines: Sequence[Line], title_lines: Sequence[Line]) -> dt.date | None:
    """成文日期: a line that is only a date (the signature date), else a 题注 or dateline near the top."""
    for ln in reversed(lines):
        m = _DATE.fullmatch(ln.text.replace(" ", ""))
        if m:
            return _parse_date(m)
    start = lines.index(title_lines[-1]) + 1 if title_lines else 0
    for ln in lines[start : start + 4]:
        m = _DATE.search(ln.text)
        if m:
            return _parse_date(m)
    return None


def _signature(lines: Sequence[Line]) -> str | None:
    """The organ signed above the closing date line, if the document ends that way."""
    for i in range(len(lines) - 1, 0, -1):
        if _DATE.fullmatch(lines[i].text.replace(" ", "")):
            above = lines[i - 1].text.strip()
            short = len(above) <= 30 and not above.endswith(tuple(_SENTENCE_END))
            if short and re.search(r"(委员会|人民政府|法院|检察院|办公室|局|委|会|院|厅|部|处)$", above):
                return above
            return None
    return None
