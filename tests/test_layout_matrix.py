"""Every optional element of a 审议意见书 laid out right: a pairwise matrix of generated records, each PDF
measured by the GB/T 9704 checker (``renda check``) with zero errors.

The elements and their values are listed in ``FACTORS``; :func:`pairwise` builds a covering design in which
every pair of values of two elements meets in at least one record (greedy, deterministic), instead of the
full product.  All PDFs are converted in one ``render_documents`` call through the soffice pool.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from tests.samples import copy_sample

needs_soffice = pytest.mark.skipif(
    __import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)

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

FACTORS: dict[str, list[object]] = {
    "format": ["文件格式", "信函格式"],
    "copy_number": [None, "000123"],
    "secrecy": [None, "内部", "秘密★1年"],
    "urgency": [None, "加急", "特急"],
    "signatory": [None, "王建国"],
    "title": ["short", "long"],
    "attachments": [0, 1, 2, 5],
    "attachment_pages": [False, True],
    "sealed": [True, False],
    "note": [None, "联系人：李明，电话：12345678"],
    "cc": [0, 1, 3, 10],
    "print_date": [None, "2024-07-02"],
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


def _record(base: dict, n: int, row: dict[str, object]) -> dict:
    data = dict(base)
    data["id"] = f"opinion-2024-{n + 50:02d}"
    data["doc_number"] = f"澄人常函〔2024〕{n + 50}号"
    data.pop("follow_up", None)
    data["format"] = row["format"]
    if row["title"] == "long":
        data["title"] = (
            "澄湖区人大常委会关于区人民政府农村人居环境整治提升工作和农村生活污水治理设施运行维护情况报告的审议意见"
        )
    for key in ("copy_number", "urgency", "signatory", "note", "print_date"):
        if row[key]:
            data[key] = row[key]
    if row["secrecy"]:
        level, _, period = str(row["secrecy"]).partition("★")
        data["classification"] = level
        if period:
            data["secrecy_period"] = period
    data["sealed"] = row["sealed"]
    count = int(row["attachments"])  # type: ignore[call-overload]
    data["attachments"] = [
        {
            "title": LONG_NAME if i % 2 else f"附件材料{i + 1}",
            **({"body": ["附件正文。" * 40]} if row["attachment_pages"] else {}),
        }
        for i in range(count)
    ] or None
    data["cc"] = ORGANS[: int(row["cc"])] or None  # type: ignore[call-overload]
    return {k: v for k, v in data.items() if v is not None}


ROWS = pairwise(FACTORS)


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    from archive.catalog import load_catalog
    from archive.conformance import check_files
    from archive.render import render_documents
    from archive.workspace import Workspace

    root = copy_sample(tmp_path_factory.mktemp("matrix") / "ws")
    base = yaml.safe_load((root / "records/2024/opinion-2024-02.yaml").read_text(encoding="utf-8"))
    for n, row in enumerate(ROWS):
        text = yaml.safe_dump(_record(base, n, row), allow_unicode=True, sort_keys=False)
        (root / f"records/2024/opinion-2024-{n + 50:02d}.yaml").write_text(text, encoding="utf-8")
    workspace = Workspace(root)
    wanted = {f"opinion-2024-{n + 50:02d}" for n in range(len(ROWS))}
    records = [r for r in load_catalog(workspace).records if r.id in wanted]
    out = root / "out"
    render_documents(workspace, records, out, formats=("pdf",), check=False)
    return out, check_files(sorted(out.glob("*.pdf")))


def test_pairwise_design_covers_every_pair_of_element_values() -> None:
    for a, b in itertools.combinations(FACTORS, 2):
        met = {(str(r[a]), str(r[b])) for r in ROWS}
        assert met == {(str(x), str(y)) for x in FACTORS[a] for y in FACTORS[b]}, (a, b)


@needs_soffice
@pytest.mark.slow
def test_every_combination_of_optional_elements_measures_right(matrix) -> None:
    _out, reports = matrix
    assert len(reports) == len(ROWS)  # every generated record validated and rendered
    failed = {Path(r.file).name: [f.message for f in r.errors] for r in reports if r.errors}
    assert not failed, failed
