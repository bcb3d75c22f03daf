"""The clearance matrix of the record pages: each role × each classification (公开/内部/秘密/机密) × list counts,
record pages, sitting pages, related records and downloads.  Expectations come from the raw YAML files and the
scope table (``records_plant.may_see``), never from the library."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import ROLES, add_account
from records_plant import LEVELS, expected_ids, plant, raw_records
from samples import copy_sample


@pytest.fixture(scope="module")
def web_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with planted records of every level, the ceiling at 机密, an account per role and level."""
    root = copy_sample(tmp_path_factory.mktemp("web-matrix") / "ws")
    plant(root)
    for role in ROLES:
        for level in LEVELS:
            add_account(root, role, level)
    return root


@pytest.fixture
def planted(web_ws: Path) -> dict[str, dict]:
    return {d["id"]: d for d in raw_records(web_ws) if d["id"].startswith(("cwh-17-6", "cwh-17-7", "opinion-2025-5"))}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_what_the_role_may_see_at_each_level(client_as, web_ws: Path, role: str) -> None:
    for level in LEVELS:
        client = client_as(role, clearance=level)
        expected = expected_ids(web_ws, role, level)
        rows = client.get("/records.json").json()
        assert {r["id"] for r in rows} == expected, (role, level)
        assert len(rows) == len(expected)
        page = client.get("/records")
        assert page.status_code == 200
        assert f"共 {len(expected)} 条" in page.text
        opinions = {d["id"] for d in raw_records(web_ws) if d["type"] == "opinion" and d["id"] in expected}
        assert {r["id"] for r in client.get("/records.json?type=opinion").json()} == opinions
        for higher in LEVELS[LEVELS.index(level) + 1 :]:  # a level above the viewer's is not a filter they have
            assert client.get(f"/records?classification={higher}").status_code == 400
            assert f'<option value="{higher}"' not in page.text


@pytest.mark.parametrize("role", ROLES)
def test_record_sitting_and_download_urls_answer_only_what_the_role_may_see(
    client_as, web_ws: Path, planted: dict[str, dict], role: str
) -> None:
    for level in LEVELS:
        client = client_as(role, clearance=level)
        expected = expected_ids(web_ws, role, level)
        for rid, data in planted.items():
            page = client.get(f"/records/{rid}")
            assert page.status_code == (200 if rid in expected else 404), (role, level, rid)
            if data["type"] == "meeting":
                sitting = client.get(f"/sittings/{rid}")
                assert sitting.status_code == (200 if rid in expected else 404), (role, level, rid)
            if rid not in expected:
                assert client.get(f"/records/{rid}/download/pdf").status_code == 404
                assert client.get(f"/records/{rid}.json").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_sitting_pages_and_related_records_hold_only_visible_records(
    client_as, web_ws: Path, planted: dict[str, dict], role: str
) -> None:
    everything = raw_records(web_ws)
    for level in LEVELS:
        client = client_as(role, clearance=level)
        expected = expected_ids(web_ws, role, level)
        for rid in (r for r in planted if r.startswith("cwh-17-6") and r in expected):
            produced = {r["id"] for r in client.get(f"/sittings/{rid}.json").json()["records"]}
            assert produced == {d["id"] for d in everything if d.get("meeting") == rid and d["id"] in expected}
            listed = {r["id"] for r in client.get("/sittings.json").json()}
            assert listed == {d["id"] for d in everything if d["type"] == "meeting" and d["id"] in expected}
        for rid in (r for r in planted if r.startswith("opinion-") and r in expected):
            related = client.get(f"/records/{rid}.json").json()["related"]
            shown = {r["id"] for group in related.values() for r in group}
            subject = {r["id"] for r in client.get(f"/records/{rid}/related.json").json()}
            assert shown | subject <= expected, (role, level, rid, (shown | subject) - expected)
            sitting = {r["id"] for r in related["sitting"]}
            meeting = planted[rid]["meeting"]
            same = {d["id"] for d in everything if d.get("meeting") == meeting and d["id"] != rid}
            assert sitting == (same | {meeting}) & expected, (role, level, rid)


def test_downloads_of_every_level_for_a_cleared_reader_and_none_above(client_as) -> None:  # type: ignore[no-untyped-def]
    """.docx of a planted opinion at each level: the clerk cleared for 机密 gets them all, the one at 内部 only two."""
    top, low = client_as("clerk", clearance="机密"), client_as("clerk", clearance="内部")
    for i, level in enumerate(LEVELS):
        rid = f"opinion-2025-5{i}0"
        got = top.get(f"/records/{rid}/download/docx")
        assert got.status_code == 200, (level, got.text)
        assert got.content[:2] == b"PK"
        if level in ("秘密", "机密"):  # marked as `renda render` marks it: 密级★保密期限 and the 份号
            with zipfile.ZipFile(io.BytesIO(got.content)) as docx:
                text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
            assert f"{level}★1年" in text and "000001" in text, level
        assert low.get(f"/records/{rid}/download/docx").status_code == (200 if i < 2 else 404)


def test_every_role_sees_the_same_404_for_a_hidden_and_a_missing_record(client_as) -> None:
    for role in ROLES:
        client = client_as(role, clearance="公开")
        hidden = client.get("/records/opinion-2025-530")  # 机密
        missing = client.get("/records/opinion-2099-999")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
        hidden_sitting, missing_sitting = client.get("/sittings/cwh-17-63"), client.get("/sittings/cwh-17-99")
        assert hidden_sitting.content == missing_sitting.content
        hidden_file = client.get("/records/opinion-2025-530/download/pdf")
        assert hidden_file.content == client.get("/records/opinion-2099-999/download/pdf").content
