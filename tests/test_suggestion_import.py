"""`renda import 建议汇总表.xlsx|.csv`: the session secretariat's list becomes suggestion records.

The lists are generated here with openpyxl / csv from the sample's registry as read straight from its YAML.
"""

from __future__ import annotations

import csv
import glob
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from openpyxl import Workbook
from samples import REPO, copy_sample, snapshot

import cli

HEADER = ["编号", "案由", "领衔代表", "附议代表", "类别", "主办单位", "会办单位", "内容"]
CATEGORIES = ["城乡建设", "交通运输", "教育", "医疗卫生", "生态环境", "社会保障", "经济发展", "农业农村", "社会治理"]
ORGANS = ["区住房和城乡建设局", "区交通运输局", "区教育局", "区卫生健康委员会", "区民政局", "区农业农村局"]


def serving_names(day: str) -> list[str]:
    """Names of the 第17届 deputies serving on ``day``, from the registry files themselves."""
    names = []
    for path in sorted(glob.glob(str(REPO / "records/deputies/*.yaml"))):
        data = yaml.safe_load(Path(path).read_text("utf-8"))
        for service in data["terms"]:
            start, end = str(service.get("start", "0000")), str(service.get("end", "9999"))
            if service["term"] == 17 and start <= day <= end:
                names.append(data["name"])
    return names


def rows(count: int) -> list[list[object]]:
    names = serving_names("2026-01-07")
    out: list[list[object]] = []
    for n in range(1, count + 1):
        lead = names[n % len(names)]
        co = "、".join(x for x in (names[(n + 3) % len(names)], names[(n + 7) % len(names)]) if x != lead)
        out.append(
            [
                n,
                f"关于第{n}号事项的建议",
                lead,
                co,
                CATEGORIES[n % len(CATEGORIES)],
                ORGANS[n % len(ORGANS)],
                ORGANS[(n + 1) % len(ORGANS)] if n % 4 == 0 else None,
                f"第{n}号建议反映的问题。\n具体建议。",
            ]
        )
    return out


def write_xlsx(path: Path, body: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in body:
        sheet.append(row)
    book.save(path)
    return path


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


IMPORT = ("--date", "2026-01-07", "--session", "6", "--assigned", "2026-02-10")


def new_records(root: Path) -> list[Path]:
    return sorted((root / "records/2026").glob("suggestion-2026-*.yaml"))


def test_a_300_row_list_with_3_bad_rows_names_them_and_writes_nothing_then_skips_them(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    body = rows(300)
    body[49][2] = "王小明"  # spreadsheet row 51: nobody of that name in the registry
    body[119][4] = "养老服务"  # row 121: a category renda.yaml does not list
    body[249][0] = "二五〇"  # row 251: not a number
    sheet = write_xlsx(tmp_path / "建议汇总.xlsx", body)
    before = snapshot(root)

    refused = run(root, "import", str(sheet), *IMPORT)

    assert refused.exit_code == 1, refused.output
    assert refused.stderr.splitlines() == [
        "建议汇总.xlsx:51: 领衔代表: 代表名册中没有“王小明”",
        "建议汇总.xlsx:121: 类别: 类别“养老服务”不在 renda.yaml 的 proposals.categories 中"
        "（可用：城乡建设、交通运输、教育、医疗卫生、生态环境、社会保障、经济发展、农业农村、社会治理、文化旅游、其他）",
        "建议汇总.xlsx:251: 编号: 应为正整数（如 12 或 第12号），实际为“二五〇”",
    ]
    assert "3 行有错误，未导入任何记录" in refused.stdout
    assert snapshot(root) == before

    skipped = run(root, "import", str(sheet), *IMPORT, "--skip-bad")

    assert skipped.exit_code == 1  # rows were left out: the batch is not a full success
    assert "新建 297 条建议记录，跳过 3 行有错误的" in skipped.stdout
    written = new_records(root)
    assert len(written) == 297
    assert {p.stem for p in written} == {f"suggestion-2026-{n:03d}" for n in range(1, 301)} - {
        "suggestion-2026-050",
        "suggestion-2026-120",
        "suggestion-2026-250",
    }
    first = yaml.safe_load((root / "records/2026/suggestion-2026-004.yaml").read_text("utf-8"))
    assert first["title"] == "关于第4号事项的建议"
    assert first["body"] == ["第4号建议反映的问题。", "具体建议。"]
    assert first["handling"] == {
        "assigned": "2026-02-10",
        "lead_organ": ORGANS[4 % 6],
        "co_organs": [ORGANS[5 % 6]],
    }
    assert (first["session"], first["term"], first["number"]) == (6, 17, 4)
    validated = run(root, "validate")
    assert validated.exit_code == 0, validated.output
    after = snapshot(root)

    again = run(root, "import", str(sheet), *IMPORT, "--skip-bad")

    assert "新建 0 条建议记录，297 行此前已导入" in again.stdout
    assert snapshot(root) == after


def test_a_clean_csv_in_gbk_is_imported_and_tracked(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    sheet = tmp_path / "list.csv"
    with sheet.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(5))

    result = run(root, "import", str(sheet), *IMPORT)

    assert result.exit_code == 0, result.output
    assert "list.csv：新建 5 条建议记录。" in result.stdout
    tracked = run(root, "track", "--kind", "建议", "--as-of", "2026-03-01")
    assert "suggestion-2026-001" in tracked.stdout


def test_a_row_that_clashes_with_an_existing_record_is_not_overwritten(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    body = rows(2)
    sheet = write_xlsx(tmp_path / "list.xlsx", body)
    before = snapshot(root)

    # the sample already holds suggestion-2025-001 and -002 with other subjects
    result = run(root, "import", str(sheet), "--date", "2025-01-08", "--session", "5", "--assigned", "2025-02-18")

    assert result.exit_code == 1
    assert "list.xlsx:2: 编号: 记录 suggestion-2025-001 已存在（案由“关于加快保障性租赁住房建设的建议”），不会覆盖" in (
        result.stderr
    )
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("案由,领衔代表\n关于甲的建议,彭丽\n", IMPORT, "list.csv:1: 编号: 表头缺少“编号”列"),
        (",".join(HEADER) + "\n1,关于甲的建议,彭丽,,教育,区教育局,,内容\n", ("--session", "6"), "没有提出日期"),
        (
            ",".join(HEADER) + "\n1,关于甲的建议,苏建平,,教育,,,内容\n",
            IMPORT,
            "list.csv:2: 领衔代表: “苏建平”在 2026-01-07 不是第17届在任代表",
        ),
        (
            ",".join(HEADER) + "\n1,关于甲的建议,彭丽,,教育,区教育局,,内容\n",
            ("--date", "2026-01-07"),
            "list.csv:2: 主办单位: 有主办单位但没有交办日期",
        ),
    ],
)
def test_bad_lists_are_named_by_row_and_column(
    tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    root = copy_sample(tmp_path / "ws")
    sheet = tmp_path / "list.csv"
    sheet.write_text(content, encoding="utf-8")
    before = snapshot(root)

    result = run(root, "import", str(sheet), *args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("--session", "第六届"), "--session 的值无效", 1),
        (("--date", "2026-13-01"), "--date 的值无效", 1),
    ],
)
def test_bad_import_options_are_chinese_errors(tmp_path: Path, args: tuple[str, ...], message: str, code: int) -> None:
    root = copy_sample(tmp_path / "ws")
    sheet = write_xlsx(tmp_path / "list.xlsx", rows(1))

    result = run(root, "import", str(sheet), *args)

    assert result.exit_code == code
    assert message in result.stderr


def test_a_broken_xlsx_is_one_line(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    sheet = tmp_path / "list.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")

    result = run(root, "import", str(sheet), *IMPORT)

    assert result.exit_code == 1
    assert "list.xlsx 不是有效的 XLSX 文件" in result.stderr
    assert "Traceback" not in result.output
