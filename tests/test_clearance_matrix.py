"""The classification matrix of issue 16: every output built from records × every classification × a ceiling.

A canary is planted in sample records: the 第十九次 sitting (cwh-17-19, attended by d035), an opinion overdue
on the sample's reference date (opinion-2024-03), the 2024 inspection report, the 2024 motion (motion-2024-01,
signed by d035, turned into suggestion-2024-013) and a new suggestion
(suggestion-2024-014: led by d041 and signed by d035, 重点督办, assigned to 区农业农村局 on the day it was given a
public suggestion, unanswered and so overdue on the reference date, as is another public one of that organ).
All get the cell's classification; the workspace's ceiling (``max_public_classification``) is the output
level.  The expectation comes from the parameters only: the record shows in a derived output iff its level is
at or below the ceiling, and an output that shows it is marked at least at its level.  A record's own document
is made at the record's level: it always shows the text and always carries the record's 密级.

One scratch workspace per (classification, ceiling), shared by the module; each command runs once per cell.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from samples import copy_sample

import cli

LEVELS = ("公开", "内部", "秘密", "机密")  # the order of the law, written out here on purpose
CEILINGS = ("公开", "内部")
MEETING = "records/2024/cwh-17-19.yaml"
OPINION = "records/2024/opinion-2024-03.yaml"
INSPECTION = "records/2024/inspection-2024-01.yaml"  # its document has no 版头: the 密级 still goes on top
CANARY = "金丝雀暗记"  # in the meeting's title
OPINION_CANARY = "青鸟暗记"  # in the opinion's title
INSPECTION_CANARY = "白鹭暗记"  # in the inspection report's title
MOTION = "records/2024/motion-2024-01.yaml"
MOTION_CANARY = "鸿雁暗记"  # in the motion's title
SUGGESTION_ID = "suggestion-2024-014"
SUGGESTION_CANARY = "朱鹮暗记"  # in the suggestion's title
SUGGESTION_LEAD = "d041"  # in no other canary record of 2024; d035 signs it too
# suggestion-2024-007 was assigned to the organ that day too; the organ owes suggestion-2025-008 as well
SUGGESTION_ORGAN, SUGGESTION_ASSIGNED = "区农业农村局", "2024-02-20"
SUGGESTION = f"""\
id: {SUGGESTION_ID}
type: suggestion
term: 17
date: 2024-01-10
title: 关于加快高标准农田灌溉设施建设的建议{SUGGESTION_CANARY}
classification: 公开
status: final
number: 14
session: 4
lead: {SUGGESTION_LEAD}
cosigners:
  - d035
category: 农业农村
body:
  - 部分高标准农田灌溉渠系老化，末级渠系不配套，旱季用水紧张。
  - 为此建议：加快灌溉设施改造，落实管护责任和经费。
handling:
  assigned: {SUGGESTION_ASSIGNED}
  lead_organ: {SUGGESTION_ORGAN}
  co_organs:
    - 区水利局
  supervision:
    by: 常委会副主任 赵静英
    date: 2024-02-27
"""


def _rank(level: str) -> int:
    return LEVELS.index(level)


class Cell:
    """One scratch workspace and the outputs of every command in it (run on first use)."""

    def __init__(self, root: Path, level: str, ceiling: str) -> None:
        self.root, self.level, self.ceiling = root, level, ceiling
        self.planted = shutil.copytree(root, root.parent / "planted")  # as planted, before any command wrote to it

    @property
    def admitted(self) -> bool:
        return _rank(self.level) <= _rank(self.ceiling)

    def run(self, *args: str, root: Path | None = None) -> Result:
        result = CliRunner().invoke(cli.cli, ["--root", str(root or self.root), *args])
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
        return result

    @cached_property
    def list_text(self) -> str:
        return self.run("list", "--year", "2024").stdout

    @cached_property
    def list_json(self) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = json.loads(self.run("list", "--year", "2024", "--json").stdout)
        return rows

    @cached_property
    def search_text(self) -> str:
        return self.run("search", CANARY).stdout

    @cached_property
    def search_json(self) -> list[dict[str, str]]:
        hits: list[dict[str, str]] = json.loads(self.run("search", CANARY, "--json").stdout)
        return hits

    def rendered(self, fmt: str, record: str = "cwh-17-19") -> Path:
        out = self.root / "out" / f"render-{fmt}-{record}"
        self.run("render", record, "--format", fmt, "-o", str(out))
        return next(out.glob(f"*.{fmt}"))

    def deputy_profile(self, deputy: str) -> str:
        out = self.root / "out" / f"profile-{deputy}"
        self.run("deputy", "profile", deputy, "--year", "2024", "--format", "docx", "-o", str(out))
        return docx_text(next(out.glob("*.docx")))

    @cached_property
    def profile_docx(self) -> str:
        return self.deputy_profile("d035")

    @cached_property
    def profile_json(self) -> dict[str, Any]:  # JSON as printed
        return _json_object(self.run("deputy", "profile", "d035", "--year", "2024", "--json").stdout)

    @cached_property
    def lead_profile_docx(self) -> str:  # the suggestion's lead deputy has no other canary: its marking alone
        return self.deputy_profile(SUGGESTION_LEAD)

    @cached_property
    def lead_profile_json(self) -> dict[str, Any]:
        return _json_object(self.run("deputy", "profile", SUGGESTION_LEAD, "--year", "2024", "--json").stdout)

    @cached_property
    def attendance_json(self) -> dict[str, Any]:
        return _json_object(self.run("deputy", "attendance", "--year", "2024", "--json").stdout)

    @cached_property
    def attendance_text(self) -> str:
        return self.run("deputy", "attendance", "--year", "2024").stdout

    @cached_property
    def draft(self) -> dict[str, Any]:  # YAML as written
        copy = self.scratch("draft-ws")  # the draft is a new record: keep it out of the other outputs
        self.run("deputy", "draft-report", "d035", "--year", "2024", root=copy)
        text = (copy / "records/2024/report-2024-d035.yaml").read_text(encoding="utf-8")
        draft: dict[str, Any] = yaml.safe_load(text)
        return draft

    @cached_property
    def track_json(self) -> dict[str, Any]:
        return _json_object(self.run("track", "--json").stdout)

    @cached_property
    def track_text(self) -> str:
        return self.run("track").stdout

    @cached_property
    def reminders(self) -> list[tuple[dict[str, Any], str]]:
        """Every 催办函 ``track remind`` kept as a letter record and rendered: (the record, its text)."""
        out = self.root / "out" / "remind"
        self.run("track", "remind", "--format", "docx", "-o", str(out))
        letters = []
        for path in sorted((self.root / "records").rglob("letter-*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if (out / f"{data['id']}.docx").exists():
                letters.append((data, docx_text(out / f"{data['id']}.docx")))
        return letters

    @property
    def reminder(self) -> str | None:
        # each 催办函 is kept as a letter record naming its opinion, rendered under the letter's id
        return next((text for data, text in self.reminders if data.get("opinion") == "opinion-2024-03"), None)

    def scratch(self, name: str) -> Path:
        """A copy of the cell's workspace as planted, for a command that writes a record: the other outputs stay
        as built, and what the command sees does not depend on which commands ran before it."""
        copy = self.root.parent / name
        if not copy.exists():
            shutil.copytree(self.planted, copy)
        return copy

    def letter(self, name: str, *args: str) -> tuple[str, str]:
        """(what the command printed, the text of the one letter it rendered) in a scratch workspace."""
        root = self.scratch(f"{name}-ws")
        out = root / "out" / name
        printed = self.run("track", *args, "--format", "docx", "-o", str(out), root=root).stdout
        (path,) = out.glob("*.docx")
        return printed, docx_text(path)

    @cached_property
    def assignment(self) -> tuple[str, str]:  # 交办函
        return self.letter("assign", "assign", "--organ", SUGGESTION_ORGAN, "--date", SUGGESTION_ASSIGNED)

    @cached_property
    def supervision(self) -> tuple[str, str]:  # 督办通知
        return self.letter("supervise", "supervise", "--date", "2024-03-01")

    @cached_property
    def handling_report(self) -> dict[str, Any]:  # YAML as written by track draft-report
        root = self.scratch("handling-ws")
        self.run("track", "draft-report", "--year", "2024", root=root)
        (path,) = (root / "records").rglob("workreport-*.yaml")
        report: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return report

    @cached_property
    def track_suggestions_text(self) -> str:
        return self.run("track", "--kind", "suggestion").stdout

    @cached_property
    def stats_text(self) -> str:
        return self.run("track", "stats", "--year", "2024").stdout

    @cached_property
    def stats_json(self) -> dict[str, Any]:
        return _json_object(self.run("track", "stats", "--year", "2024", "--json").stdout)

    @cached_property
    def suggestion_search_text(self) -> str:
        return self.run("search", SUGGESTION_CANARY, "--type", "建议").stdout

    @cached_property
    def suggestion_search_json(self) -> list[dict[str, str]]:
        hits: list[dict[str, str]] = json.loads(
            self.run("search", SUGGESTION_CANARY, "--type", "建议", "--json").stdout
        )
        return hits

    @cached_property
    def motion_search_json(self) -> list[dict[str, str]]:
        hits: list[dict[str, str]] = json.loads(self.run("search", MOTION_CANARY, "--type", "议案", "--json").stdout)
        return hits

    @cached_property
    def archive_check(self) -> dict[str, Any]:
        return _json_object(self.run("archive", "build", "2024", "--check", "--json").stdout)

    @cached_property
    def package(self) -> tuple[Path, dict[str, Any]]:
        out = self.root / "out" / "archive"
        report = _json_object(self.run("archive", "build", "2024", "--json", "-o", str(out)).stdout)
        return Path(str(report["path"])), report


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    assert isinstance(value, dict), text
    return value


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def head_marking(text: str) -> tuple[str | None, str | None]:
    """(份号, 密级) among the first paragraphs of a document, as printed (密级 may carry ★期限)."""
    head = [line.strip() for line in text.splitlines() if line.strip()][:6]
    copy = next((line for line in head if re.fullmatch(r"\d{6}", line)), None)
    mark = next((line.split("★")[0] for line in head if line.split("★")[0] in LEVELS), None)
    return copy, mark


def assert_marked(text: str, level: str, *, copy_number: bool) -> None:
    """A document showing a record of ``level`` carries a 密级 at least that high (and a 份号 when 涉密)."""
    if level == "公开":
        return
    copy, mark = head_marking(text)
    assert mark is not None and _rank(mark) >= _rank(level), (level, text[:200])
    if copy_number and _rank(level) >= _rank("秘密"):
        assert copy is not None, text[:200]


CELLS = [(level, ceiling) for ceiling in CEILINGS for level in LEVELS]


@pytest.fixture(scope="module", params=CELLS, ids=[f"{lv}-ceiling-{c}" for lv, c in CELLS])
def cell(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Cell:
    level, ceiling = request.param
    root = copy_sample(tmp_path_factory.mktemp("matrix") / "ws")
    config = root / "renda.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"(?m)^max_public_classification: \S+$", f"max_public_classification: {ceiling}", text),
        encoding="utf-8",
    )
    planted_in = (MEETING, CANARY), (OPINION, OPINION_CANARY), (INSPECTION, INSPECTION_CANARY), (MOTION, MOTION_CANARY)
    for rel, canary in planted_in:
        path = root / rel
        text = re.sub(r"(?m)^classification: \S+$", f"classification: {level}", path.read_text(encoding="utf-8"))
        text = re.sub(r"(?m)^(title: .*)$", rf"\g<1>{canary}", text, count=1)
        path.write_text(text, encoding="utf-8")
    planted = SUGGESTION.replace("classification: 公开", f"classification: {level}")
    (root / "records/2024" / f"{SUGGESTION_ID}.yaml").write_text(planted, encoding="utf-8")
    return Cell(root, level, ceiling)


# -- the record's own document: made at the record's level ----------------------------------------------


def test_render_docx_of_the_record_itself_shows_it_marked_at_its_level(cell: Cell) -> None:
    text = docx_text(cell.rendered("docx"))
    assert CANARY in text
    assert_marked(text, cell.level, copy_number=False)
    if cell.level == "公开":
        assert head_marking(text)[1] is None


def test_render_docx_of_a_report_without_masthead_is_marked_too(cell: Cell) -> None:
    text = docx_text(cell.rendered("docx", "inspection-2024-01"))
    assert INSPECTION_CANARY in text
    assert_marked(text, cell.level, copy_number=False)


def test_render_pdf_of_the_record_itself_shows_it_marked_at_its_level(cell: Cell) -> None:
    if (cell.level, cell.ceiling) not in (("秘密", "内部"), ("内部", "公开")):
        pytest.skip("PDF conversion is slow: two cells of the matrix are enough for the PDF path")
    text = pdf_text(cell.rendered("pdf"))
    assert CANARY in text
    first = [line.strip() for line in text.splitlines() if line.strip()][:4]
    assert any(line.split("★")[0] == cell.level for line in first), first


# -- listings ------------------------------------------------------------------------------------------


def test_list_text(cell: Cell) -> None:
    shown = [line for line in cell.list_text.splitlines() if CANARY in line]
    assert bool(shown) is cell.admitted
    for line in shown:
        assert line.split()[-1] == cell.level  # the row's 密级 column


def test_list_json(cell: Cell) -> None:
    rows = [r for r in cell.list_json if CANARY in r["title"]]
    assert bool(rows) is cell.admitted
    assert all(r["classification"] == cell.level for r in rows)


def test_search_text(cell: Cell) -> None:
    assert (CANARY in cell.search_text) is cell.admitted
    if cell.admitted and cell.level != "公开":
        line = next(ln for ln in cell.search_text.splitlines() if ln.strip().startswith("cwh-17-19 "))
        assert cell.level in line.split()


def test_search_json(cell: Cell) -> None:
    hits = [h for h in cell.search_json if CANARY in h["title"] or CANARY in h["snippet"]]
    assert bool(hits) is cell.admitted
    assert all(_rank(h["classification"]) >= _rank(cell.level) for h in hits)


def test_track_text(cell: Cell) -> None:
    assert ("opinion-2024-03" in cell.track_text) is cell.admitted
    if cell.admitted and cell.level != "公开":
        last = cell.track_text.splitlines()[-1]
        marked = re.search(r"按“(.+?)”管理", last)
        assert marked and _rank(marked[1]) >= _rank(cell.level), last


def test_track_json(cell: Cell) -> None:
    ids = [o["id"] for o in cell.track_json["opinions"]]
    assert ("opinion-2024-03" in ids) is cell.admitted
    assert OPINION_CANARY not in json.dumps(cell.track_json, ensure_ascii=False) or cell.admitted
    if cell.admitted:
        assert _rank(str(cell.track_json["classification"])) >= _rank(cell.level)


# -- derived documents and records ---------------------------------------------------------------------


def test_deputy_profile_docx(cell: Cell) -> None:
    text = cell.profile_docx
    assert ("cwh-17-19" in text) is cell.admitted
    if cell.admitted:
        assert_marked(text, cell.level, copy_number=True)


def test_deputy_profile_pdf(cell: Cell) -> None:
    if (cell.level, cell.ceiling) not in (("内部", "内部"), ("秘密", "内部")):
        pytest.skip("PDF conversion is slow: one cell that shows the record and one that leaves it out")
    out = cell.root / "out" / "profile-pdf"
    cell.run("deputy", "profile", "d035", "--year", "2024", "--format", "pdf", "-o", str(out))
    text = pdf_text(next(out.glob("*.pdf")))
    assert ("cwh-17-19" in text) is cell.admitted
    first = [line.strip() for line in text.splitlines() if line.strip()][:3]
    assert (first[0] == cell.level) is cell.admitted, first


def test_deputy_profile_json(cell: Cell) -> None:
    text = json.dumps(cell.profile_json, ensure_ascii=False)
    assert ("cwh-17-19" in text) is cell.admitted
    if cell.admitted:
        assert _rank(str(cell.profile_json["classification"])) >= _rank(cell.level)


def test_deputy_attendance_json(cell: Cell) -> None:
    text = json.dumps(cell.attendance_json, ensure_ascii=False)
    assert ("cwh-17-19" in text) is cell.admitted
    if cell.admitted:
        assert _rank(str(cell.attendance_json["classification"])) >= _rank(cell.level)


def test_deputy_attendance_text(cell: Cell) -> None:
    # the table shows counts only; what it is marked at is its last line
    last = cell.attendance_text.splitlines()[-1]
    if cell.admitted and cell.level != "公开":
        marked = re.search(r"按“(.+?)”管理", last)
        assert marked and _rank(marked[1]) >= _rank(cell.level), last
    if not cell.admitted:
        assert cell.level not in last


def test_draft_report_record(cell: Cell) -> None:
    body = "\n".join(str(b) for b in cell.draft["body"])
    assert ("第十九次" in body) is cell.admitted
    if cell.admitted:
        assert _rank(str(cell.draft["classification"])) >= _rank(cell.level)


def test_track_remind_letter(cell: Cell) -> None:
    assert (cell.reminder is not None) is cell.admitted
    if cell.reminder is not None:
        assert "澄人常函〔2024〕3号" in cell.reminder
        assert_marked(cell.reminder, cell.level, copy_number=True)


# -- the annual archive ----------------------------------------------------------------------------------


def test_archive_catalogue_csv(cell: Cell) -> None:
    package, _ = cell.package
    rows = [
        row
        for path in sorted(package.rglob("归档文件目录.csv"))
        for row in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    ]
    shown = [r for r in rows if CANARY in r["题名"]]
    assert bool(shown) is cell.admitted
    assert all(r["密级"] == cell.level for r in shown)
    assert all(_rank(r["密级"]) <= _rank(cell.ceiling) for r in rows)


def test_archive_metadata(cell: Cell) -> None:
    package, _ = cell.package
    holding = [p for p in package.rglob("*.xml") if CANARY in p.read_text(encoding="utf-8")]
    assert bool(holding) is cell.admitted
    for path in holding:
        assert f"<securityClassification>{cell.level}</securityClassification>" in path.read_text(encoding="utf-8")
    copies = [p for p in package.rglob("*.yaml") if CANARY in p.read_text(encoding="utf-8")]
    assert bool(copies) is cell.admitted


def _sittings_at_or_below(root: Path, ceiling: str) -> int:
    """Final 常委会会议 of 2024 at or below ``ceiling``, read straight from the YAML."""
    n = 0
    for path in (root / "records/2024").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if (
            data.get("type") == "meeting"
            and data.get("kind") == "常委会会议"
            and data.get("status", "final") == "final"
            and _rank(data.get("classification", "公开")) <= _rank(ceiling)
        ):
            n += 1
    return n


def test_archive_statistics(cell: Cell) -> None:
    _, report = cell.package
    stats = report["statistics"]
    assert stats["sittings"]["常委会会议"] == _sittings_at_or_below(cell.root, cell.ceiling)
    items = sum(1 for _ in cell.package[0].rglob("归档文件目录.csv"))
    assert items  # the package was written


# -- suggestions (issue 15 item 4): the canary suggestion in every output built from suggestions ---------------


def _suggestions_at_or_below(root: Path, ceiling: str) -> int:
    """Final suggestions raised in 2024 at or below ``ceiling``, read straight from the YAML."""
    n = 0
    for path in (root / "records/2024").glob("suggestion-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("status", "final") == "final" and _rank(data.get("classification", "公开")) <= _rank(ceiling):
            n += 1
    return n


def _marked_line(text: str, level: str) -> None:
    """A table showing a record of ``level`` above 公开 says on its last line at what level it is kept."""
    last = text.splitlines()[-1]
    marked = re.search(r"按“(.+?)”管理", last)
    assert marked and _rank(marked[1]) >= _rank(level), last


def test_render_docx_of_a_suggestion_shows_it_marked_at_its_level(cell: Cell) -> None:
    text = docx_text(cell.rendered("docx", SUGGESTION_ID))
    assert SUGGESTION_CANARY in text
    assert_marked(text, cell.level, copy_number=False)
    if cell.level == "公开":
        assert head_marking(text)[1] is None


def test_render_pdf_of_a_suggestion_shows_it_marked_at_its_level(cell: Cell) -> None:
    if (cell.level, cell.ceiling) != ("机密", "内部"):
        pytest.skip("PDF conversion is slow: one cell of the matrix is enough for a suggestion's PDF")
    text = pdf_text(cell.rendered("pdf", SUGGESTION_ID))
    assert SUGGESTION_CANARY in text
    first = [line.strip() for line in text.splitlines() if line.strip()][:4]
    assert any(line.split("★")[0] == cell.level for line in first), first


def test_list_shows_the_suggestion_at_its_level(cell: Cell) -> None:
    shown = [line for line in cell.list_text.splitlines() if SUGGESTION_CANARY in line]
    assert bool(shown) is cell.admitted
    assert all(line.split()[-1] == cell.level for line in shown)
    rows = [r for r in cell.list_json if SUGGESTION_CANARY in r["title"]]
    assert bool(rows) is cell.admitted
    assert all(r["classification"] == cell.level for r in rows)


def test_search_for_suggestions(cell: Cell) -> None:
    assert (SUGGESTION_CANARY in cell.suggestion_search_text) is cell.admitted
    if cell.admitted and cell.level != "公开":
        line = next(ln for ln in cell.suggestion_search_text.splitlines() if ln.strip().startswith(SUGGESTION_ID))
        assert cell.level in line.split(), line
    hits = [h for h in cell.suggestion_search_json if SUGGESTION_CANARY in h["title"] + h["snippet"]]
    assert [h["id"] for h in hits] == ([SUGGESTION_ID] if cell.admitted else [])
    assert all(h["classification"] == cell.level for h in hits)


def test_track_suggestions_text(cell: Cell) -> None:
    rows = [line for line in cell.track_suggestions_text.splitlines() if line.startswith(SUGGESTION_ID)]
    assert bool(rows) is cell.admitted
    for row in rows:  # the canary is what the matrix says it is: overdue and supervised
        assert "已逾期" in row and "重点督办" in row, row
    if cell.admitted and cell.level != "公开":
        _marked_line(cell.track_suggestions_text, cell.level)


def test_track_json_suggestions(cell: Cell) -> None:
    ids = [s["id"] for s in cell.track_json["suggestions"]]
    assert (SUGGESTION_ID in ids) is cell.admitted
    assert (SUGGESTION_CANARY in json.dumps(cell.track_json, ensure_ascii=False)) is cell.admitted


def test_track_stats_json(cell: Cell) -> None:
    stats = cell.stats_json
    assert (SUGGESTION_ID in json.dumps(stats)) is cell.admitted
    total = stats["rows"][-1]
    assert total["received"]["count"] == _suggestions_at_or_below(cell.root, cell.ceiling)
    if cell.admitted:
        assert _rank(str(stats["classification"])) >= _rank(cell.level)


def test_track_stats_text(cell: Cell) -> None:
    total = next(line for line in cell.stats_text.splitlines() if line.startswith("合计"))
    assert total.split()[1] == str(_suggestions_at_or_below(cell.root, cell.ceiling))
    if cell.admitted and cell.level != "公开":
        _marked_line(cell.stats_text, cell.level)


def test_track_remind_letter_for_the_overdue_suggestion(cell: Cell) -> None:
    # one 催办函 per lead organ: the canary's organ owes a public suggestion too, so its letter is there either way
    letters = [(data, text) for data, text in cell.reminders if data.get("addressee") == SUGGESTION_ORGAN]
    assert len(letters) == 1, [data for data, _ in cell.reminders]
    ((data, letter),) = letters
    assert "suggestion-2025-008" in data["suggestions"]
    assert (SUGGESTION_ID in data["suggestions"]) is cell.admitted
    assert (SUGGESTION_CANARY in letter) is cell.admitted
    assert all(SUGGESTION_CANARY not in text for _, text in cell.reminders) or cell.admitted
    if cell.admitted:
        assert_marked(letter, cell.level, copy_number=True)
    else:
        assert head_marking(letter)[1] in (None, *LEVELS[: _rank(cell.ceiling) + 1])


def _led_by_the_organ(root: Path, ceiling: str) -> int:
    """Final 2024 suggestions the canary's organ was given to lead on the canary's day, at or below ``ceiling``."""
    n = 0
    for path in (root / "records/2024").glob("suggestion-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        handling = data.get("handling") or {}
        if (
            str(handling.get("assigned")) == SUGGESTION_ASSIGNED
            and handling.get("lead_organ") == SUGGESTION_ORGAN
            and _rank(data.get("classification", "公开")) <= _rank(ceiling)
        ):
            n += 1
    return n


def test_track_assign_letter(cell: Cell) -> None:
    printed, letter = cell.assignment  # the organ leads a public suggestion of that day too: a letter either way
    assert (SUGGESTION_CANARY in letter) is cell.admitted
    assert f"交办主办 {_led_by_the_organ(cell.root, cell.ceiling)} 件" in printed, printed
    if cell.admitted:
        assert_marked(letter, cell.level, copy_number=True)
    else:  # nor does its marking tell that something higher was left out
        assert head_marking(letter)[1] in (None, *LEVELS[: _rank(cell.ceiling) + 1])


def test_track_supervise_notice(cell: Cell) -> None:
    printed, notice = cell.supervision  # suggestion-2024-001 is supervised in 2024 too: a notice either way
    assert (SUGGESTION_ID in printed) is cell.admitted
    assert (SUGGESTION_CANARY in notice) is cell.admitted
    if cell.admitted:
        assert_marked(notice, cell.level, copy_number=True)
    else:
        assert head_marking(notice)[1] in (None, *LEVELS[: _rank(cell.ceiling) + 1])


def test_track_draft_report_record(cell: Cell) -> None:
    report = cell.handling_report
    first = str(report["body"][0])
    assert f"共提出建议、批评和意见{_suggestions_at_or_below(cell.root, cell.ceiling)}件" in first, first
    assert SUGGESTION_CANARY not in yaml.safe_dump(report, allow_unicode=True) or cell.admitted
    if cell.admitted:
        assert _rank(str(report["classification"])) >= _rank(cell.level)
    else:
        assert _rank(str(report["classification"])) <= _rank(cell.ceiling)


def test_deputy_profile_lists_the_suggestion(cell: Cell) -> None:
    # part 六 of the lead's 履职档案: the suggestion is the only record of the cell's level in it
    assert (SUGGESTION_CANARY in cell.lead_profile_docx) is cell.admitted
    if cell.admitted:
        assert_marked(cell.lead_profile_docx, cell.level, copy_number=True)
    else:
        assert head_marking(cell.lead_profile_docx)[1] in (None, *LEVELS[: _rank(cell.ceiling) + 1])
    profile = json.dumps(cell.lead_profile_json, ensure_ascii=False)
    assert (SUGGESTION_ID in profile) is cell.admitted
    if cell.admitted:
        assert _rank(str(cell.lead_profile_json["classification"])) >= _rank(cell.level)


def test_deputy_profile_of_a_cosigner_lists_the_suggestion(cell: Cell) -> None:
    assert (SUGGESTION_CANARY in cell.profile_docx) is cell.admitted
    assert (SUGGESTION_ID in json.dumps(cell.profile_json, ensure_ascii=False)) is cell.admitted


def test_archive_holds_the_suggestion_as_an_item(cell: Cell) -> None:
    package, report = cell.package
    rows = [
        row
        for path in sorted(package.rglob("归档文件目录.csv"))
        for row in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    ]
    shown = [r for r in rows if SUGGESTION_CANARY in r["题名"]]
    assert len(shown) == int(cell.admitted)
    assert all(r["密级"] == cell.level for r in shown)
    holding = [p for p in package.rglob("*.xml") if SUGGESTION_CANARY in p.read_text(encoding="utf-8")]
    assert bool(holding) is cell.admitted
    for path in holding:
        assert f"<securityClassification>{cell.level}</securityClassification>" in path.read_text(encoding="utf-8")
    assert bool(list(package.rglob(f"{SUGGESTION_ID}.yaml"))) is cell.admitted
    received = report["statistics"]["suggestions"]["received"]
    assert received["count"] == _suggestions_at_or_below(cell.root, cell.ceiling)
    assert (SUGGESTION_ID in received["records"]) is cell.admitted


def test_archive_check(cell: Cell) -> None:
    check = cell.archive_check
    assert SUGGESTION_CANARY not in json.dumps(check, ensure_ascii=False)  # a notice names the file, not the title
    about = [n["message"] for n in check["notices"] if SUGGESTION_ID in n["source"]]
    withheld = [m for m in about if "不进入归档包" in m]
    assert bool(withheld) is not cell.admitted
    assert any("尚未答复" in m for m in about) is cell.admitted  # checked as an item only when it is archived
    package, _ = cell.package
    rows = sum(
        1
        for path in package.rglob("归档文件目录.csv")
        for _ in csv.DictReader(path.read_text("utf-8-sig").splitlines())
    )
    assert check["items"] == rows  # the check counts what the build archives


# -- motions: the canary motion (a 大会 motion d035 signed, turned into a suggestion) --------------------------


def test_render_docx_of_a_motion_shows_it_marked_at_its_level(cell: Cell) -> None:
    text = docx_text(cell.rendered("docx", "motion-2024-01"))
    assert MOTION_CANARY in text
    assert_marked(text, cell.level, copy_number=False)


def test_render_docx_of_the_suggestion_a_motion_became_quotes_nothing_of_it(cell: Cell) -> None:
    text = docx_text(cell.rendered("docx", "suggestion-2024-013"))  # 公开 in every cell
    assert MOTION_CANARY not in text
    assert head_marking(text)[1] is None


def test_list_shows_the_motion_at_its_level(cell: Cell) -> None:
    rows = [r for r in cell.list_json if MOTION_CANARY in r["title"]]
    assert [r["id"] for r in rows] == (["motion-2024-01"] if cell.admitted else [])
    assert all(r["classification"] == cell.level for r in rows)


def test_search_for_motions(cell: Cell) -> None:
    hits = [h for h in cell.motion_search_json if MOTION_CANARY in h["title"] + h["snippet"]]
    assert [h["id"] for h in hits] == (["motion-2024-01"] if cell.admitted else [])
    assert all(h["classification"] == cell.level for h in hits)


def test_deputy_profile_lists_the_motion(cell: Cell) -> None:
    assert (MOTION_CANARY in cell.profile_docx) is cell.admitted
    assert ("motion-2024-01" in json.dumps(cell.profile_json, ensure_ascii=False)) is cell.admitted


def _motions_at_or_below(root: Path, ceiling: str) -> int:
    """Final motions raised in 2024 at or below ``ceiling``, read straight from the YAML."""
    n = 0
    for path in (root / "records/2024").glob("motion-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("status", "final") == "final" and _rank(data.get("classification", "公开")) <= _rank(ceiling):
            n += 1
    return n


def test_archive_holds_the_motion_as_an_item(cell: Cell) -> None:
    package, report = cell.package
    rows = [
        row
        for path in sorted(package.rglob("归档文件目录.csv"))
        for row in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    ]
    shown = [r for r in rows if MOTION_CANARY in r["题名"]]
    assert len(shown) == int(cell.admitted)
    assert all(r["密级"] == cell.level for r in shown)
    assert bool(list(package.rglob("motion-2024-01.yaml"))) is cell.admitted
    assert report["statistics"]["motions"] == _motions_at_or_below(cell.root, cell.ceiling)
