"""Building the annual archive package: arrange, render, stamp, catalogue, describe, bag — atomically.

Everything is made in a temporary folder beside the destination and renamed into place at the end; an
interrupted or failed build leaves the destination as it was.  LibreOffice runs twice for the whole
year: once for every document (and the statistics sheet), once for the stamp sheet whose page counts
come from the first run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from archive import pdfa
from archive.annual import _docx, metadata, registers
from archive.annual.arrange import (
    ArchiveClass,
    Arrangement,
    Item,
    Notice,
    archive_rules,
    arrange,
    sorted_notices,
)
from archive.annual.bag import fix_times, write_bag, write_zip
from archive.annual.handling import write_handling_sheet
from archive.annual.stamp import stamp_fields, write_stamp_sheet
from archive.annual.stats import STATS_NAME, AnnualStats, annual_stats, write_stats_docx
from archive.catalog import Catalog, load_catalog
from archive.chinese import date_text
from archive.errors import AnnualArchiveError, WriteError
from archive.fileio import make_work_folder, storage_error
from archive.progress import Progress, report
from archive.proposals import Proposal
from archive.records import Document
from archive.workspace import Workspace

CHINA = dt.timezone(dt.timedelta(hours=8))
FONTS_CONF = "fonts/fonts.conf"
MAX_LISTED = 20
# One soffice process silently stops after about 240 documents (LibreOffice 7.4, exit code 0), so a
# year is converted in batches; two batches run side by side on a machine with two cores or more.
BATCH = 80
RECORDS_PER_CALL = 60
WORKERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class BuiltItem:
    code: str
    record_id: str
    source: str
    pdf: str  # path inside the package
    pages: int


@dataclass
class BuildResult:
    path: Path
    arrangement: Arrangement
    stats: AnnualStats
    items: list[BuiltItem] = field(default_factory=list)

    @property
    def notices(self) -> list[Notice]:
        return sorted_notices(self.arrangement.notices)

    def to_json(self) -> dict[str, object]:
        arr = self.arrangement
        return {
            "path": str(self.path),
            "year": arr.year,
            "items": [
                {"code": i.code, "id": i.record_id, "source": i.source, "pdf": i.pdf, "pages": i.pages}
                for i in self.items
            ],
            "classes": [{"folder": c.folder, "label": c.label, "items": len(c.items)} for c in arr.classes],
            "drafts": [r.id for r in arr.drafts],
            "withheld": len(arr.withheld),
            "statistics": self.stats.as_dict(),
            "notices": [n.as_dict() for n in self.notices],
        }


RENDER_STAGE = "生成 PDF/A"
ITEM_STAGE = "整理归档件"


def package_name(fonds: str, year: int) -> str:
    return f"{fonds}-WS-{year}"


def checked_catalog(workspace: Workspace) -> Catalog:
    """The workspace's records; refuses when any of them is invalid (an archive is built from valid data)."""
    catalog = load_catalog(workspace)
    errors = catalog.sink.sorted()
    errors = [p for p in errors if p.severity.value == "error"]
    if errors:
        lines = [p.format() for p in errors[:MAX_LISTED]]
        more = f"\n……另有 {len(errors) - MAX_LISTED} 个问题" if len(errors) > MAX_LISTED else ""
        raise AnnualArchiveError(
            "\n".join(lines) + more + f"\n工作区有 {len(errors)} 个错误，不能归档；请先运行 renda validate 修正。"
        )
    return catalog


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2999:
        raise AnnualArchiveError(f"年度应为四位年份，如 2024，实际为 {year}")


def preflight(workspace: Workspace, year: int) -> Arrangement:
    """What the build would archive and every notice about it; writes nothing."""
    _check_year(year)
    catalog = checked_catalog(workspace)
    return _arranged(workspace, catalog, year)


def _arranged(workspace: Workspace, catalog: Catalog, year: int) -> Arrangement:
    """The arrangement, with what only the files can tell: whether each imported document's PDF can be
    archived.  Pre-flight and build both start here, so pre-flight says what build will do."""
    arrangement = arrange(catalog.records, workspace.config, year)
    extra = original_notices(workspace, arrangement)
    return replace(arrangement, notices=(*arrangement.notices, *extra)) if extra else arrangement


def original_notices(workspace: Workspace, arrangement: Arrangement) -> list[Notice]:
    """A document record is archived as its own PDF (made PDF/A-2b, pages untouched), and a suggestion's
    answer PDFs go into its 件 the same way: blocking notices for those that are missing, or whose PDF cannot
    be PDF/A."""
    notices = []
    for item in arrangement.items:
        record = item.record
        for file in item.answer_files:
            for problem in pdfa.original_problems(workspace.root / file):
                notices.append(Notice(record.source, f"{_answer_role(item)}文件 {file}：{problem}", blocking=True))
        if not isinstance(record, Document):
            continue
        if record.source_file is None:
            notices.append(Notice(record.source, "外来文件没有原始 PDF（source_file），无法归档", blocking=True))
            continue
        for problem in pdfa.original_problems(workspace.root / record.source_file.file):
            notices.append(Notice(record.source, problem, blocking=True))
    return notices


def _noon(day: dt.date | None) -> dt.datetime:
    # midnight in China; ZIP timestamps have no zone, so the same wall time everywhere
    day = day or dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)


def build_annual_archive(
    workspace: Workspace,
    year: int,
    dest: Path | None = None,
    *,
    as_zip: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build ``<dest>/<全宗号>-WS-<年度>/`` (or ``.zip``); ``dest`` defaults to the workspace's ``out/archive``.

    ``progress`` hears the records rendered to PDF/A and the 件 put together."""
    from archive.render import conversion

    _check_year(year)
    catalog = checked_catalog(workspace)
    config = workspace.config
    arrangement = _arranged(workspace, catalog, year)
    blocking = [n for n in arrangement.notices if n.blocking]
    if blocking:
        raise AnnualArchiveError("\n".join(n.format() for n in sorted_notices(blocking)) + "\n归档未进行。")
    if conversion.find_soffice() is None:
        raise AnnualArchiveError(conversion.INSTALL_HINT.replace("只生成了 .docx", "无法生成 PDF/A，归档未进行"))
    stats = annual_stats(catalog, year)

    dest = (dest or workspace.output_dir / "archive").resolve()
    name = package_name(config.fonds_code, year)
    target = dest / (name + ".zip" if as_zip else name)
    try:
        # private, named after this process: the next build removes it if this one is killed
        staging = make_work_folder(dest, f".{name}.")
    except OSError as exc:
        raise storage_error(exc, dest) or AnnualArchiveError(
            f"无法在 {dest} 中写入归档包：{exc.strerror or exc}"
        ) from None
    try:
        bag = staging / name
        result = _build_into(workspace, arrangement, stats, bag, staging / "work", progress)
        result.path = target
        when = _noon(max(i.record.date for i in arrangement.items if i.record.date))
        fix_times(bag, when)
        if as_zip:
            built = staging / (name + ".zip")
            write_zip(bag, built, when)
        else:
            built = bag
        _move_into_place(built, target, staging)
    except WriteError as exc:  # the disk filled up under a step that names its own (work) folder
        raise WriteError(f"无法写入 {dest}：{exc.reason}") from None
    except OSError as exc:
        problem = storage_error(exc, dest)
        raise problem or AnnualArchiveError(
            f"写入归档包失败（{exc.filename or dest}）：{exc.strerror or exc}"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _move_into_place(built: Path, target: Path, staging: Path) -> None:
    old = None
    if target.exists():
        old = staging / "previous"
        os.replace(target, old)
    try:
        os.replace(built, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise


def _build_into(
    workspace: Workspace,
    arrangement: Arrangement,
    stats: AnnualStats,
    bag: Path,
    work: Path,
    progress: Progress | None = None,
) -> BuildResult:
    config = workspace.config
    rules = archive_rules(config)
    docx_dir = work / "docx"
    pdf_dir = work / "pdf"
    docx_dir.mkdir(parents=True)
    pdf_dir.mkdir()
    data = bag / "data"
    data.mkdir(parents=True)
    year_end = _noon(max(i.record.date for i in arrangement.items if i.record.date))

    # 1. every record's documents through the renderer (PDF/A-2b), and the archive's own pages: the
    #    merged-report registration pages and the statistics sheet
    fonts = workspace.template_path(FONTS_CONF)
    registration: dict[str, Path] = {}
    for item in arrangement.items:
        if item.merged_report:
            target = docx_dir / f"{item.record.id}-report.docx"
            write = write_handling_sheet if isinstance(item.record, Proposal) else _registration_sheet
            registration[item.code] = write(item, target, _noon(item.record.date))
    stats_docx = data / f"{STATS_NAME}.docx"
    write_stats_docx(stats, config, stats_docx, year_end)
    made = [i for i in arrangement.items if not isinstance(i.record, Document)]
    with _Converter(pdf_dir, fonts) as converter:
        converter.add([*registration.values(), stats_docx])
        rendered = _render_records(workspace, made, work / "render", progress) if made else {}
    rendered.update(_archival_copies(workspace, arrangement.items, work / "originals"))
    answers = _answer_copies(workspace, arrangement.items, work / "answers")
    converted = converter.converted
    # each 件's parts in order, with their roles: 正本, then the registration page, then the answers
    roles = {
        item.code: [
            *(("正本", p) for p in rendered[item.record.id]),
            *([(_registration_role(item), converted[registration[item.code]])] if item.code in registration else []),
            *((_answer_role(item), p) for p in answers.get(item.code, [])),
        ]
        for item in arrangement.items
    }
    parts = {code: [p for _, p in pairs] for code, pairs in roles.items()}

    # 2. the stamp sheet, with the real page counts
    pages = {code: sum(pdfa.page_count(p) for p in docs) for code, docs in parts.items()}
    organ_names = {c.organ: c.organ_name for c in arrangement.classes if c.organ}
    sheet_docx = work / "stamps.docx"
    write_stamp_sheet(
        [stamp_fields(i, pages[i.code], organ_names.get(i.organ or "")) for i in arrangement.items],
        sheet_docx,
        year_end,
    )
    with _Converter(work, fonts) as converter:
        converter.add([sheet_docx])
    stamp_pdf = converter.converted[sheet_docx]

    # 3. each 件: PDF/A with its stamp, metadata, source YAML
    result = BuildResult(bag, arrangement, stats)
    with pdfa.StampSheet(stamp_pdf) as sheet:
        if sheet.pages != len(arrangement.items):
            raise AnnualArchiveError(f"归档章页数（{sheet.pages}）与件数（{len(arrangement.items)}）不符")
        for index, item in enumerate(arrangement.items):
            report(progress, ITEM_STAGE, index, len(arrangement.items), item.code)
            folder = data / item.folder / item.file_stem
            folder.mkdir(parents=True)
            target = folder / f"{item.file_stem}.pdf"
            count = pdfa.finish_item(
                parts[item.code],
                target,
                stamp=sheet,
                stamp_page=index,
                title=item.catalogue_title,
                author=item.responsible,
                when=_noon(item.record.date),
                key=item.code,
            )
            if count != pages[item.code]:
                raise AnnualArchiveError(f"{item.code}: 页数变化（{pages[item.code]} → {count}）")
            facts = metadata.FileFacts(target.name, target.stat().st_size, count, "PDF/A-2b")
            composition = _composition(roles[item.code])
            (folder / f"{item.file_stem}.xml").write_bytes(
                metadata.item_metadata(arrangement, item, facts, organ_names.get(item.organ or ""), composition)
            )
            source = workspace.root / item.record.source
            shutil.copyfile(source, folder / Path(item.record.source).name)
            result.items.append(
                BuiltItem(item.code, item.record.id, item.record.source, target.relative_to(bag).as_posix(), count)
            )
        report(progress, ITEM_STAGE, len(arrangement.items), len(arrangement.items))
    pdfa.finish_item(
        [converted[stats_docx]],
        data / f"{STATS_NAME}.pdf",
        stamp=None,
        stamp_page=0,
        title=f"{stats.year}年度工作统计",
        author=config.organ_name,
        when=year_end,
        key=f"{config.fonds_code}-{stats.year}-stats",
    )

    # 4. catalogue and 备考表 per class
    for cls in arrangement.classes:
        _write_class(arrangement, cls, data / cls.folder, pages, year_end, rules.arranger, rules.checker)

    # 5. the bag
    write_bag(
        bag,
        {
            "Source-Organization": config.fonds_name,
            "External-Identifier": f"{config.fonds_code}-WS·{arrangement.year}",
            "External-Description": (
                f"{config.fonds_name}{arrangement.year}年度文书档案（DA/T 22-2015），"
                f"{len(arrangement.items)}件，{len(arrangement.classes)}类"
            ),
            "Bagging-Date": year_end.date().isoformat(),
            "Bag-Group-Identifier": str(arrangement.year),
            "Renda-Max-Classification": config.max_public_classification,
        },
    )
    return result


def _archival_copies(workspace: Workspace, items: list[Item], out_dir: Path) -> dict[str, list[Path]]:
    """record id → the PDF/A-2b copy of its original, for every imported document among ``items``."""
    files: dict[str, list[Path]] = {}
    for item in items:
        record = item.record
        if not isinstance(record, Document) or record.source_file is None:
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{record.id}.pdf"
        pdfa.archival_copy(workspace.root / record.source_file.file, target)
        facts = pdfa.inspect_pdf(target)
        if (facts.pdfa_part, facts.pdfa_conformance, facts.output_intent) != ("2", "B", True) or facts.problems:
            raise AnnualArchiveError(f"{record.source}: 原 PDF 未能转为 PDF/A-2b，归档未进行。")
        files[record.id] = [target]
    return files


def _answer_copies(workspace: Workspace, items: list[Item], out_dir: Path) -> dict[str, list[Path]]:
    """档号 → the PDF/A-2b copies of a suggestion's or motion's answer PDFs, round by round."""
    files: dict[str, list[Path]] = {}
    for item in items:
        for number, file in enumerate(item.answer_files, 1):
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{item.record.id}-answer-{number}.pdf"
            pdfa.archival_copy(workspace.root / file, target)
            facts = pdfa.inspect_pdf(target)
            if (facts.pdfa_part, facts.pdfa_conformance, facts.output_intent) != ("2", "B", True) or facts.problems:
                raise AnnualArchiveError(
                    f"{item.record.source}: {_answer_role(item)}文件 {file} 未能转为 PDF/A-2b，归档未进行。"
                )
            files.setdefault(item.code, []).append(target)
    return files


def _answer_role(item: Item) -> str:
    return "答复" if isinstance(item.record, Proposal) else "研究处理情况报告"


def _registration_role(item: Item) -> str:
    return "办理情况登记" if isinstance(item.record, Proposal) else "研究处理情况报告登记"


def _composition(roles: list[tuple[str, Path]]) -> list[tuple[str, int]]:
    """The parts of a 件 that holds more than its own documents (a registration page, answers), with their
    pages; none for a 件 that is only its record's documents."""
    if all(role == "正本" for role, _ in roles):
        return []
    merged: list[tuple[str, int]] = []
    for role, path in roles:
        count = pdfa.page_count(path)
        if merged and merged[-1][0] == role == "正本":  # a meeting's minutes and resolutions: one 正本
            merged[-1] = (role, merged[-1][1] + count)
        else:
            merged.append((role, count))
    return merged


def _render_records(
    workspace: Workspace, items: list[Item], out_dir: Path, progress: Progress | None = None
) -> dict[str, list[Path]]:
    """record id → its PDF/A documents in order, through ``render_documents`` (the same pages as `renda
    render`), RECORDS_PER_CALL records a call, WORKERS calls at a time; failed records get one retry."""
    from concurrent.futures import ThreadPoolExecutor

    from archive.render import RenderResult, render_documents

    def run(numbered: tuple[int, list[Item]]) -> RenderResult:
        number, batch = numbered
        # one soffice process per call: the same batches, hence the same PDF bytes, on any number of cores
        return render_documents(
            workspace, [i.record for i in batch], out_dir / f"{number:04d}", ("pdf",), pdfa=True, processes=1
        )

    batches = [items[i : i + RECORDS_PER_CALL] for i in range(0, len(items), RECORDS_PER_CALL)]
    report(progress, RENDER_STAGE, 0, len(items))
    results = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        # in order, so the result list is the same on every build; each finished call is reported
        for result in pool.map(run, enumerate(batches)):
            results.append(result)
            done = sum(len(b) for b in batches[: len(results)])
            report(progress, RENDER_STAGE, done, len(items), batches[len(results) - 1][-1].record.id)
    failed = {f.record_id for r in results for f in r.failures}
    if failed:
        results.append(run((len(batches), [i for i in items if i.record.id in failed])))
    files: dict[str, list[Path]] = {}
    for result in results:
        if result.notices:
            raise AnnualArchiveError("\n".join(result.notices))
        for document in result.documents:
            files.setdefault(document.record_id, []).extend(document.files)
    retried = results[-1] if failed else None
    problems = [f"{f.source}: {f.message}" for f in (retried.failures if retried else [])]
    missing = [i.record.source for i in items if not files.get(i.record.id)]
    if problems or missing:
        listed = problems or [f"{source}: 没有生成 PDF" for source in missing]
        raise AnnualArchiveError("\n".join([*listed[:MAX_LISTED], f"{len(listed)} 条记录未能生成 PDF/A，归档未进行。"]))
    return files


class _Converter:
    """PDF/A-2b through LibreOffice in batches of BATCH files, WORKERS batches at a time.

    Files are added in a fixed order, so the batches (and the bytes LibreOffice writes) are the same on
    every build.  On leaving the block, whatever LibreOffice skipped gets one retry in a fresh process.
    """

    def __init__(self, out_dir: Path, fonts: Path) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.out_dir = out_dir
        self.fonts = fonts
        self.pending: list[Path] = []
        self.files: list[Path] = []
        self.futures: list[Future[dict[Path, Path]]] = []
        self.pool = ThreadPoolExecutor(max_workers=WORKERS)
        self.converted: dict[Path, Path] = {}

    def __enter__(self) -> _Converter:
        return self

    def add(self, files: list[Path]) -> None:
        self.pending.extend(files)
        self.files.extend(files)
        if len(self.pending) >= BATCH:
            self.futures.append(self.pool.submit(self._run, self.pending))
            self.pending = []

    def _run(self, batch: list[Path]) -> dict[Path, Path]:
        from archive.errors import RenderError
        from archive.render import conversion

        try:
            return conversion.convert_to_pdf(batch, self.out_dir, self.fonts, pdfa=True, processes=1)
        except RenderError:
            return {}

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        if self.pending:
            self.futures.append(self.pool.submit(self._run, self.pending))
        for future in self.futures:
            self.converted.update(future.result())
        self.pool.shutdown()
        missing = [p for p in self.files if p not in self.converted]
        if missing:
            self.converted.update(self._run(missing))
        missing = [p for p in self.files if p not in self.converted]
        if missing:
            names = "、".join(p.name for p in missing[:MAX_LISTED])
            raise AnnualArchiveError(f"LibreOffice 未能把 {len(missing)} 个文件转换为 PDF/A：{names}")


def _write_class(
    arrangement: Arrangement,
    cls: ArchiveClass,
    folder: Path,
    pages: Mapping[str, int],
    when: dt.datetime,
    arranger: str,
    checker: str,
) -> None:
    rows = registers.rows_for(cls, pages)
    name = registers.CATALOGUE_NAME
    (folder / f"{name}.csv").write_bytes(registers.csv_bytes(rows))
    heading = f"{arrangement.fonds_name} {arrangement.year}年度 {cls.label} {name}"
    registers.write_xlsx(rows, folder / f"{name}.xlsx", heading, when)
    registers.write_catalogue_docx(arrangement, cls, rows, folder / f"{name}.docx", when)
    registers.write_note_docx(
        arrangement,
        cls,
        folder / f"{registers.NOTE_NAME}.docx",
        when,
        arranger=arranger,
        checker=checker,
        withheld=len(arrangement.withheld),
        drafts=len(arrangement.drafts),
    )


def _registration_sheet(item: Item, path: Path, when: dt.datetime) -> Path:
    """One page registering the answering report(s) received, for the merged 件 mode."""
    document = _docx.new_document(margins_mm=(37, 26, 35, 28))
    _docx.paragraph(document, "研究处理情况报告登记", font=_docx.XBS, size_pt=22, align="center", after_pt=18)
    for relation in item.relations:
        rows: list[list[_docx.Cell | str]] = [
            [_docx.Cell("题名", bold_font=True), _docx.Cell(relation.title, align="left")],
            [_docx.Cell("文号", bold_font=True), relation.doc_number],
            [_docx.Cell("收到日期", bold_font=True), date_text(relation.date)],
            [_docx.Cell("满意度测评", bold_font=True), relation.evaluation or "—"],
            [_docx.Cell("所答复的审议意见", bold_font=True), _docx.Cell(item.record.title, align="left")],
        ]
        _docx.table(document, rows, (40, 116), font=_docx.FANG, size_pt=14, row_height_mm=12)
        _docx.paragraph(document, "", size_pt=14)
    _docx.save_docx(document, path, when, "研究处理情况报告登记", "renda")
    return path
