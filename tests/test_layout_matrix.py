"""Every optional element on every kind laid out right: a pairwise matrix of generated records, each PDF
measured by the GB/T 9704 checker (what ``renda check`` runs) with zero errors.

Per kind, the elements and their values are listed in ``KINDS``; :func:`pairwise` builds a covering design
in which every pair of values of two elements meets in at least one record (greedy, deterministic), instead
of the full product.  The body's length is one of the elements: where the body ends decides whether the 版记
shares the last page, takes an even page of its own, or follows a blank page.  All records are converted in
one ``render_documents`` call through the soffice pool; the 催办函 and a 履职档案 come from their commands.
"""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from samples import RENDA_COMMAND, copy_sample

if TYPE_CHECKING:
    from archive.conformance import CheckReport

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

ORGANS = [
    "区农业农村局",
    "区生态环境局",
    "区住房和城乡建设局",
    "区财政局",
    "区自然资源局",
    "区水务局",
    "区交通运输局",
    "区市场监督管理局",
    "区卫生健康委员会",
    "区教育局",
]
LONG_NAME = "澄湖区农村人居环境整治提升五年行动（2021—2025年）实施情况第三方评估报告及整改任务清单"

COMMON: dict[str, list[object]] = {
    "copy_number": [None, "000123"],
    "secrecy": [None, "内部", "秘密★1年"],
    "urgency": [None, "加急", "特急"],
    "title": ["short", "long"],
    "attachments": [0, 1, 2, 5],
    "attachment_pages": [False, True],
    "sealed": [True, False],
    "note": [None, "联系人：李明，电话：12345678"],
    "cc": [0, 1, 3, 10],
    "print_date": [None, "2024-07-02"],
    "body": [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4],  # the body's length, times the sample's
}
# per kind: the sample record the variants grow from, the elements it takes, and its main body field
KINDS: dict[str, tuple[str, dict[str, list[object]], str]] = {
    "opinion": (
        "records/2024/opinion-2024-02.yaml",
        {"format": ["文件格式", "信函格式"], "signatory": [None, "王建国"], "addressee": ["short", "long"], **COMMON},
        "assessment",
    ),
    "meeting": ("records/2024/cwh-17-23.yaml", {**COMMON, "resolutions": [0, 1, 2, 3]}, "body"),
    "inspection": ("records/2024/inspection-2024-01.yaml", COMMON, "report.intro"),
    "deputy_report": ("records/2024/report-2024-d045.yaml", COMMON, "body"),
}
LONG_ADDRESSEE = "区人民政府，区监察委员会，区人民法院，区人民检察院，各街道人大工作委员会，各镇人民代表大会主席团"
LONG_TITLE = {
    "opinion": "澄湖区人大常委会关于区人民政府农村人居环境整治提升工作和农村生活污水治理设施运行维护情况报告的审议意见",
    "meeting": "区第十七届人大常委会第二十三次会议暨农村人居环境整治提升工作和农村生活污水治理专题询问纪要",
    "inspection": "澄湖区人大常委会执法检查组关于检查《中华人民共和国老年人权益保障法》和"
    "《青澜市养老服务条例》在全区实施情况的报告",
    "deputy_report": "区第十七届人大代表范建新向原选区选民报告履行代表职责和参加闭会期间代表活动情况的述职报告",
}


def pairwise(factors: dict[str, list[object]]) -> list[dict[str, object]]:
    """A covering design of strength 2: every pair of values of two factors appears in some row."""
    names = list(factors)
    uncovered = {
        (a, va, b, vb)
        for a, b in itertools.combinations(names, 2)
        for va in range(len(factors[a]))
        for vb in range(len(factors[b]))
    }
    rows = []
    while uncovered:
        a, va, b, vb = min(uncovered)
        row = {a: va, b: vb}
        for name in names:
            if name in row:
                continue
            best = max(
                range(len(factors[name])),
                key=lambda v: sum(
                    ((n, row[n], name, v) in uncovered) or ((name, v, n, row[n]) in uncovered) for n in row
                ),
            )
            row[name] = best
        for x, y in itertools.combinations(names, 2):
            uncovered.discard((x, row[x], y, row[y]))
        rows.append({n: factors[n][i] for n, i in row.items()})
    return rows


def _rows(kind: str) -> list[dict[str, object]]:
    return pairwise(KINDS[kind][1])


def _record(kind: str, base: dict[str, Any], n: int, row: dict[str, object]) -> dict[str, Any]:  # YAML data
    data = dict(base)
    data["id"] = f"{base['id']}-m{n:03d}"
    data["doc_number"] = f"澄人常函〔2024〕{n + 500}号"
    data.pop("follow_up", None)
    for key in ("format", "copy_number", "urgency", "signatory", "note", "print_date"):
        if row.get(key):
            data[key] = row[key]
    if row.get("addressee") == "long":
        data["addressee"] = LONG_ADDRESSEE
    if row["title"] == "long":
        data["title"] = LONG_TITLE[kind]
    if row["secrecy"]:
        level, _, period = str(row["secrecy"]).partition("★")
        data["classification"] = level
        if period:
            data["secrecy_period"] = period
    data["sealed"] = row["sealed"]
    count = int(row["attachments"])  # type: ignore[call-overload]
    pages = {"body": ["附件正文。" * 40]} if row["attachment_pages"] else {}
    data["attachments"] = [{"title": LONG_NAME if i % 2 else f"附件材料{i + 1}", **pages} for i in range(count)] or None
    data["cc"] = ORGANS[: int(row["cc"])] or None  # type: ignore[call-overload]
    holder, field = data, KINDS[kind][2]
    if "." in field:
        outer, field = field.split(".")
        holder = data[outer] = dict(data[outer])
    text = list(holder[field])
    holder[field] = (text * 4)[: max(1, round(len(text) * float(row["body"])))]  # type: ignore[arg-type]
    if kind == "meeting":
        first = base["resolutions"][0]
        data["resolutions"] = [
            {**first, "doc_number": f"澄人常发〔2024〕{n * 3 + i + 100}号"}
            for i in range(int(row["resolutions"]))  # type: ignore[call-overload]
        ] or None
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, list[CheckReport]]:
    """Every generated record rendered in one batch, plus the sample's 催办函 and a 履职档案, each PDF checked."""
    from archive.catalog import load_catalog
    from archive.conformance import check_files
    from archive.render import render_documents
    from archive.workspace import Workspace

    root = copy_sample(tmp_path_factory.mktemp("matrix") / "ws")
    wanted = set()
    for kind, (source, _factors, _field) in KINDS.items():
        base = yaml.safe_load((root / source).read_text(encoding="utf-8"))
        for n, row in enumerate(_rows(kind)):
            record = _record(kind, base, n, row)
            wanted.add(record["id"])
            text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
            (root / f"records/2024/{record['id']}.yaml").write_text(text, encoding="utf-8")
    workspace = Workspace(root)
    records = [r for r in load_catalog(workspace).records if r.id in wanted]
    assert len(records) == len(wanted), "every generated record loads"
    out = root / "out"
    result = render_documents(workspace, records, out, formats=("pdf",), check=False)
    expected = len(result.files)
    for command in (["track", "remind"], ["deputy", "profile", "d045", "--year", "2024"]):
        done = subprocess.run(
            [*RENDA_COMMAND, "--root", str(root), *command, "-o", str(out), "--format", "pdf"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        expected += done.stdout.count("已生成")
    return out, expected, check_files(sorted(out.glob("*.pdf")))


@pytest.mark.parametrize("kind", list(KINDS))
def test_pairwise_design_covers_every_pair_of_element_values(kind: str) -> None:
    factors = KINDS[kind][1]
    rows = _rows(kind)
    for a, b in itertools.combinations(factors, 2):
        met = {(str(r[a]), str(r[b])) for r in rows}
        assert met == {(str(x), str(y)) for x in factors[a] for y in factors[b]}, (a, b)
    assert len(rows) < 0.01 * math.prod(len(v) for v in factors.values())  # far fewer than the full product


@needs_soffice
@pytest.mark.slow
def test_every_combination_of_optional_elements_on_every_kind_measures_right(
    matrix: tuple[Path, int, list[CheckReport]],
) -> None:
    _out, expected, reports = matrix
    assert len(reports) == expected >= 200  # every generated record validated and rendered
    failed = {Path(r.file).name: [f.message for f in r.errors] for r in reports if r.errors}
    assert not failed, failed
