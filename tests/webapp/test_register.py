"""发文登记 (/register, its JSON twin and /register.xlsx): the rows are recomputed here from the YAML files —
final records with a 发文字号, by the year in the 发文字号, ordered by 代字 and sequence number — and every
viewer gets exactly those at or under their clearance (canaries of every level, webapp.planted)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from samples import copy_sample
from starlette.applications import Starlette

from webapp.conftest import client_at, planted_app
from webapp.planted import LEVELS

NUMBER = re.compile(r"^(.+)〔(\d{4})〕([1-9]\d*)号$")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Starlette]:
    root = copy_sample(tmp_path_factory.mktemp("register") / "ws")
    _, app = planted_app(root, ("admin", "clerk", "member", "deputy", "organ"))
    return root, app


def issued(root: Path, year: int, clearance: str) -> list[dict[str, Any]]:
    """From the files: final records with a 发文字号 of ``year`` at or under ``clearance``, by 代字 then number."""
    rows = []
    for path in sorted((root / "records").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        number = NUMBER.match(str(data.get("doc_number") or ""))
        if data.get("status") != "final" or number is None or int(number[2]) != year:
            continue
        if LEVELS.index(data["classification"]) > LEVELS.index(clearance):
            continue
        rows.append((number[1], int(number[3]), data))
    return [d for _, _, d in sorted(rows, key=lambda r: (r[0], r[1]))]


@pytest.mark.parametrize("role", ["admin", "clerk", "member"])
def test_register_lists_exactly_the_issued_records_the_viewer_may_see(
    matrix: tuple[Path, Starlette], role: str
) -> None:
    root, app = matrix
    for level in LEVELS:
        client = client_at(app, role, level)
        want = issued(root, 2024, level)
        assert want, "the planted workspace issued documents in 2024"
        got = client.get("/register.json?year=2024").json()
        assert [r["id"] for r in got["rows"]] == [d["id"] for d in want], (role, level)
        for row, data in zip(got["rows"], want, strict=True):
            assert row["doc_number"] == data["doc_number"]
            assert row["title"] == data["title"]
            assert row["addressee"] == str(data.get("addressee") or "")
            assert row["classification"] == data["classification"]
            assert row["date"] == str(data["date"])
        top = max((d["classification"] for d in want), key=LEVELS.index)
        assert got["classification"] == top
        page = client.get("/register?year=2024").text
        hidden = [d for d in issued(root, 2024, "机密") if d["id"] not in {r["id"] for r in got["rows"]}]
        for data in hidden:  # nothing above the viewer's clearance: not its number, not its link
            assert data["doc_number"] not in page and f'/records/{data["id"]}"' not in page
        for data in want:
            assert data["doc_number"] in page
        book = load_workbook(io.BytesIO(client.get("/register.xlsx?year=2024").content))
        sheet = book.active
        assert sheet is not None
        cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
        assert cells[0][0] == f"密级：{top}"
        assert list(cells[2]) == ["发文字号", "标题", "主送", "密级", "签发人", "签发日期", "成文日期"]
        assert [r[0] for r in cells[3:]] == [d["doc_number"] for d in want]
        assert all(d["doc_number"] not in str(cells) for d in hidden)


@pytest.mark.parametrize("role", ["deputy", "organ"])
def test_register_is_for_the_office_and_members(matrix: tuple[Path, Starlette], role: str) -> None:
    _, app = matrix
    client = client_at(app, role, "机密")
    for url in ("/register", "/register.json", "/register.xlsx"):
        assert client.get(url).status_code == 403


def test_register_sorts_by_date_and_refuses_a_bad_year_or_order(matrix: tuple[Path, Starlette]) -> None:
    root, app = matrix
    client = client_at(app, "clerk", "机密")
    want = issued(root, 2024, "机密")
    by_date = client.get("/register.json?year=2024&sort=date").json()["rows"]
    assert [r["date"] for r in by_date] == sorted(str(d["date"]) for d in want)
    assert {r["id"] for r in by_date} == {d["id"] for d in want}
    for bad in ("year=20x4", "year=99999", "sort=title"):
        response = client.get(f"/register?{bad}")
        assert response.status_code == 400
        assert "应为" in response.text
    empty = client.get("/register?year=1999")
    assert empty.status_code == 200 and "1999年没有已印发的文件" in empty.text
