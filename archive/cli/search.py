"""Search and import: the full-text index, queries, importing existing PDFs."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.cli._plumbing import Command
from archive.cli._shared import State, clearance_of, echo_json, json_option, pass_state, progress_line

if TYPE_CHECKING:
    from archive.related import Thread
    from archive.search import SearchHit


def notify(message: str) -> None:
    """Progress for long work, on stderr (stdout may be JSON)."""
    click.echo(message, err=True)


@click.command(cls=Command, name="index", short_help="建立或更新全文检索索引")
@click.option("--rebuild", is_flag=True, help="丢弃现有索引，全部重新建立")
@click.option("--engine", type=click.Choice(["whoosh", "tantivy"]), help="本次使用的检索引擎（默认按 renda.yaml）")
@json_option("以 JSON 输出新增、更新、删除和跳过的记录数")
@pass_state
def index_(state: State, rebuild: bool, engine: str | None, as_json: bool) -> None:
    """建立或更新全文检索索引：默认只处理新增、修改和删除的记录；索引保存在工作区的 .renda/index/。

    密级高于 renda.yaml 规定的记录不收录；有错误的记录跳过并给出警告。中途中断不会损坏原有索引；
    同一时间只能有一个进程写索引。
    """
    from archive.search import update_index

    with progress_line(as_json) as progress:
        report = update_index(state.workspace, rebuild=rebuild, engine=engine, notify=notify, progress=progress)
    if as_json:
        echo_json(report.as_dict())
        return
    for skipped in report.skipped:
        click.echo(f"警告：{skipped.source}: {skipped.reason}", err=True)
    if report.rebuilt:
        done = "已重新建立"
    elif report.changed:
        done = f"已更新：新增 {report.added}，修改 {report.updated}，删除 {report.removed}"
    else:
        done = "已是最新"
    click.echo(f"检索索引{done}（{report.engine}）；共收录 {report.indexed} 条记录，用时 {report.seconds:.1f} 秒。")
    if report.withheld:
        click.echo(f"另有 {report.withheld} 条记录密级高于检索收录范围，未收录。")


@click.command(cls=Command, short_help="全文检索记录", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="检索式…", type=click.UNPROCESSED)
@click.option("--term", type=int, metavar="届", help="只检索该届，如 17（同检索式中的 届:17）")
@click.option("--year", type=int, metavar="年", help="只检索该年度，如 2024（同 年:2024）")
@click.option("--type", "record_type", metavar="类型", help="只检索该类型，如 opinion 或 审议意见（同 类型:审议意见）")
@click.option("--limit", type=int, default=10, show_default=True, metavar="N", help="最多显示 N 条结果")
@click.option("--engine", type=click.Choice(["whoosh", "tantivy"]), help="本次使用的检索引擎（默认按 renda.yaml）")
@json_option("以 JSON 输出：编号、类型、届次、年度、标题、得分、摘要、来源文件")
@pass_state
def search(
    state: State,
    words: tuple[str, ...],
    term: int | None,
    year: int | None,
    record_type: str | None,
    limit: int,
    engine: str | None,
    as_json: bool,
) -> None:
    """全文检索记录，按相关度排序并显示摘要，命中的词突出显示。

    检索式：多个词同时出现；"带引号的短语" 须原样出现；甲 OR 乙 出现其一即可；-词语 排除；
    届:17、年:2024、类型:审议意见、代表:姓名 筛选；“第十七届人大常委会第十二次会议”“十七届十二次”“17-12”都指同一次会议。
    检索前自动更新索引（只处理改动过的记录）。
    """
    from archive.search import Filters, search_workspace
    from archive.search import record_type as parse_type

    # "-词语" excludes a word, so unknown "-x" reach the query; a mistyped "--option" should not.
    unknown = [w for w in words if w.startswith("--")]
    if unknown:
        raise click.UsageError(f"没有选项 {unknown[0]}")
    if limit < 1:
        raise click.BadParameter(f"应为正整数，实际为 {limit}", param_hint="--limit")
    filters = Filters(term, year, parse_type(record_type) if record_type else None)
    result = search_workspace(state.workspace, " ".join(words), filters, limit, engine, notify=notify)
    if result.notice:
        click.echo(f"提示：{result.notice}", err=True)
    # what the clerk may have meant: shown, never searched instead (on stderr beside JSON)
    hint = "、".join(f"{s.text}（{s.count} 条）" for s in result.suggestions)
    if as_json:
        echo_json([hit.as_dict() for hit in result.hits])
    else:
        print_hits(result.hits)
    if hint:
        click.echo(f"您要找的是不是：{hint}", err=as_json)


@click.command(cls=Command, short_help="查找提出同一问题的其他记录（跨届次）")
@click.argument("record_id", required=False, metavar="编号")
@click.option("--limit", default=5, show_default=True, type=int, metavar="N", help="最多列出 N 条")
@click.option("--recurring", is_flag=True, help="列出跨两个以上年度反复提出的问题（重点督办候选）")
@click.option("--year", type=int, metavar="年份", help="与 --recurring 同用：只列出含该年度记录的问题")
@json_option("以 JSON 输出相关记录、共同的关键词和办理结果")
@pass_state
def related(state: State, record_id: str | None, limit: int, recurring: bool, year: int | None, as_json: bool) -> None:
    """列出与某条记录提出同一问题的记录（任何届次，按时间先后），附共同的关键词、记录类型，
    审议意见另附办理结果（是否按期报告、满意度测评结果）。关键词按全部记录加权（TF-IDF）选出，
    相似度不足的记录不列出。密级高于 renda.yaml 的 max_public_classification 的记录不列入。

    --recurring 列出跨两个以上年度反复提出的问题，供确定重点督办事项参考。
    """
    from archive.catalog import load_catalog
    from archive.related import recurring_threads, related_records

    _check_related_options(record_id, recurring, year, limit)
    clearance = clearance_of(state.workspace, None)
    catalog = load_catalog(state.workspace)
    if recurring:
        threads = recurring_threads(catalog, clearance, year)
        if as_json:
            echo_json([t.as_dict() for t in threads])
        else:
            _print_threads(threads)
        return
    assert record_id is not None
    found = related_records(catalog, record_id, clearance, limit)
    if as_json:
        echo_json([r.as_dict() for r in found])
        return
    for n, r in enumerate(found, 1):
        click.echo("\n".join(_related_lines(r, n)))
    click.echo(
        f"共 {len(found)} 条相关记录（按时间先后）。" if found else f"没有找到与 {record_id} 提出同一问题的记录。"
    )


def _check_related_options(record_id: str | None, recurring: bool, year: int | None, limit: int) -> None:
    if recurring == bool(record_id):
        raise click.UsageError("请给出记录编号，或使用 --recurring（二者选一）")
    if year is not None and not recurring:
        raise click.UsageError("--year 只能与 --recurring 同用")
    if limit < 1:
        raise click.BadParameter(f"应为正整数，实际为 {limit}", param_hint="--limit")


def _print_threads(threads: list[Thread]) -> None:
    for n, thread in enumerate(threads, 1):
        click.echo(f"{n}. {'、'.join(thread.phrases)}（{'、'.join(str(y) for y in thread.years)}）")
        for k, r in enumerate(thread.records, 1):
            click.echo("\n".join("   " + x for x in _related_lines(r, k)))
    click.echo(f"共 {len(threads)} 个跨年度反复提出的问题。" if threads else "没有跨年度反复提出的问题。")


def _related_lines(r: Any, number: int) -> list[str]:
    where = "  ".join(x for x in (r.id, r.kind, f"第{r.term}届" if r.term else "", str(r.date or "")) if x)
    out = [f"{number}. {click.style(r.title, bold=True)}", f"   {where}", f"   共同的关键词：{'、'.join(r.shared)}"]
    if r.outcome:
        out.append(f"   办理结果：{r.outcome.text()}")
    return out


def print_hits(hits: Sequence[SearchHit]) -> None:
    """Ranked hits, the title in bold and the matched words in red."""
    from archive.schema import TYPE_LABELS

    for rank, hit in enumerate(hits, 1):
        term = f"第{hit.term}届" if hit.term else ""
        privacy = "" if hit.classification == "公开" else hit.classification
        facts = (TYPE_LABELS.get(hit.type, hit.type), term, str(hit.year or ""), privacy)
        click.echo(f"{rank}. {click.style(hit.title, bold=True)}")
        click.echo(f"   {hit.id}  {'  '.join(x for x in facts if x)}  {hit.source}")
        snippet = "".join(click.style(text, fg="red", bold=True) if match else text for text, match in hit.snippet)
        click.echo(f"   {snippet}")
    click.echo(f"共 {len(hits)} 条结果。" if hits else "没有找到符合条件的记录。")


@click.command(cls=Command, name="import", short_help="导入 PDF 文件（文件记录）或代表建议汇总表（XLSX、CSV）")
@click.argument("files", nargs=-1, required=True, metavar="文件…", type=click.Path(path_type=Path))
@click.option("--date", "raised", metavar="YYYY-MM-DD", help="建议汇总表：提出日期（表中没有“提出日期”列时必填）")
@click.option("--session", metavar="次数", help="建议汇总表：第几次会议期间提出（如 5），闭会期间提出的写“闭会期间”")
@click.option("--assigned", metavar="YYYY-MM-DD", help="建议汇总表：交办日期（表中有主办单位、没有“交办日期”列时使用）")
@click.option("--skip-bad", is_flag=True, help="建议汇总表：跳过有错误的行，导入其余各行（默认有一行错误就不导入）")
@json_option("以 JSON 列出导入的记录、待填写的字段和失败的文件")
@pass_state
def import_(
    state: State,
    files: tuple[Path, ...],
    raised: str | None,
    session: str | None,
    assigned: str | None,
    skip_bad: bool,
    as_json: bool,
) -> None:
    """把在 renda 以外形成的 PDF 文件导入为文件记录（document），或把会议秘书处的代表建议汇总表
    （.xlsx 或 .csv）导入为代表建议记录（suggestion），供督办、检索和归档。

    PDF：读取文字层，合并被换行拆开的句子，去掉页眉和页码，识别发文字号、标题和成文日期，
    按日期推定届次；原 PDF 复制到记录旁并记录 SHA-256。识别不出的字段标为“（待填写）”，记录为草稿。
    版头的密级标志（如“秘密★1年”）写入 classification 和 secrecy_period；没有或无法识别密级标志时
    按“内部”草稿导入，请核对后改为定稿；“绝密”文件不导入。
    扫描件（无文字层）、加密、损坏或过大的文件给出说明并跳过，其余文件照常导入；有失败时退出码为 1。
    不会覆盖已有记录。

    建议汇总表：每行一件建议，识别常用表头 编号、案由、领衔代表、附议代表、类别、主办单位、会办单位、内容
    （以及可选的 提出日期、交办日期）；代表写姓名或代表编号，按提出日期核对是否在任。
    有错误的行逐一列出行号和列名，整个文件不导入；加 --skip-bad 时跳过这些行、导入其余各行（退出码仍为 1）。
    已有记录不会被覆盖：同一份表再次导入时，已导入的行不重复建立。
    """
    sheets = [f for f in files if f.suffix.lower() in (".xlsx", ".csv")]
    if sheets:
        if len(sheets) != len(files):
            raise click.UsageError("PDF 文件和建议汇总表（.xlsx、.csv）请分开导入")
        import_sheets(state, sheets, raised, session, assigned, skip_bad, as_json)
        return
    if raised or session or assigned or skip_bad:
        raise click.UsageError("--date、--session、--assigned 和 --skip-bad 只用于导入建议汇总表（.xlsx、.csv）")
    from archive.ingest import import_pdfs

    result = import_pdfs(state.workspace, files)
    if as_json:
        echo_json(result.as_dict())
    else:
        for item in result.imported:
            todo = f"（待填写：{'、'.join(item.missing)}）" if item.missing else ""
            click.echo(f"已导入 {item.pdf_name} → {item.record_source}{todo}")
            for warning in item.warnings:
                click.echo(f"{item.pdf_name}: 注意：{warning}", err=True)
        for failure in result.failures:
            click.echo(f"{failure.file}: 错误：{failure.message}", err=True)
        click.echo(f"共导入 {len(result.imported)} 个文件，{len(result.failures)} 个失败。")
    if result.failures:
        sys.exit(1)


def import_sheets(
    state: State,
    sheets: list[Path],
    raised: str | None,
    session: str | None,
    assigned: str | None,
    skip_bad: bool,
    as_json: bool,
) -> None:
    from archive.followup import parse_date_option
    from archive.ingest.suggestions import ImportDefaults, import_suggestions, read_session

    def day(text: str | None, option: str) -> dt.date | None:
        return parse_date_option(text, option) if text is not None else None

    defaults = ImportDefaults(day(raised, "--date"), read_session(session), day(assigned, "--assigned"))
    results = [import_suggestions(state.workspace, sheet, defaults, skip_bad) for sheet in sheets]
    failed = any(r.problems for r in results)
    if as_json:
        echo_json({"sheets": [r.as_dict() for r in results]})
        if failed:
            sys.exit(1)
        return
    for result in results:
        for problem in result.problems:
            click.echo(problem.line(result.file), err=True)
        bad = len(result.bad_rows)
        summary = f"{result.file}：新建 {len(result.written)} 条建议记录"
        if result.existing:
            summary += f"，{len(result.existing)} 行此前已导入"
        if bad and skip_bad:
            summary += f"，跳过 {bad} 行有错误的"
        elif bad:
            summary = f"{result.file}：{bad} 行有错误，未导入任何记录；改正后重新导入，或加 --skip-bad 跳过这些行"
        click.echo(summary + "。")
    if failed:
        sys.exit(1)
