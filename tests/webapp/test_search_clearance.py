"""The clearance matrix of /search: each role × each classification, on both engines.

Records of every level are planted (``planted.py``) with one mark in their titles; the ceiling is raised
to 机密.  For every (role, clearance) the page must show exactly the planted records the scope rule gives —
in the hits, the total, the facet counts and the suggestion — the expectation computed from the raw YAML.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.web.app import create_app
from webapp.conftest import ROLES, client_at, planted_app
from webapp.planted import DEPUTY, LEVELS, MARK, ORGAN, OTHER_ORGAN, SECRET_WORD, Planted, expected

TYPO = SECRET_WORD[:-1] + "归"  # 地方性法归: one homophone away from the word only the 机密 record has


Matrix = tuple[Path, Planted, Starlette]  # the workspace, the planted records and an app over it


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    root = copy_sample(tmp_path_factory.mktemp(f"search-{request.param}") / "ws")
    config = root / "renda.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("engine: whoosh", f"engine: {request.param}"), encoding="utf-8"
    )
    return (root, *planted_app(root, ROLES))


def _facet_counts(html: str, facet: str) -> dict[str, int]:
    section = re.search(rf'data-facet="{facet}">(.*?)</section>', html, re.S)
    if section is None:
        return {}
    return {v: int(n) for v, n in re.findall(r'data-value="([^"]*)">(\d+)<', section[1])}


def _all_ids(client: TestClient, query: str) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        response = client.get("/search.json", params={"q": query, "page": page})
        assert response.status_code == 200
        got = [hit["id"] for hit in response.json()]
        if not got or (ids and got[-1] in ids):
            return ids
        ids.extend(got)
        page += 1


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_search_shows_exactly_what_the_viewer_may_see(matrix: Matrix, role: str, level: str) -> None:
    _, planted, app = matrix
    want = expected(planted, role, level)
    client = client_at(app, role, level)

    html = client.get("/search", params={"q": MARK}).text
    assert re.search(r'id="total">(\d+)<', html)[1] == str(len(want))  # type: ignore[index]
    assert sorted(_all_ids(client, MARK)) == sorted(d["id"] for d in want)
    for d in planted:  # a hidden record's title (and so its snippet) never reaches the page
        if d not in want:
            assert d["id"] not in html
    types = Counter(d["type"] for d in want)
    assert _facet_counts(html, "type") == dict(types)
    organs = Counter(d["report"]["organ"] for d in want if d["type"] == "opinion")
    assert _facet_counts(html, "organ") == {k: v for k, v in organs.items() if k in (ORGAN, OTHER_ORGAN)}
    reports = sum(1 for d in want if d["type"] == "deputy_report")
    assert _facet_counts(html, "deputy").get(DEPUTY, 0) == reports
    assert _facet_counts(html, "year") == ({"2024": len(want)} if want else {})


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_search_suggests_only_words_of_records_the_viewer_sees(matrix: Matrix, role: str, level: str) -> None:
    _, planted, app = matrix
    holders = [d for d in expected(planted, role, level) if SECRET_WORD in d["title"]]
    html = client_at(app, role, level).get("/search", params={"q": TYPO}).text
    if holders:
        assert "您要找的是不是：" in html
        assert f">{SECRET_WORD}</a>（{len(holders)} 条）" in html
    else:
        assert "您要找的是不是" not in html
        assert SECRET_WORD not in html


def test_search_narrowing_by_a_facet_counts_what_the_viewer_sees(matrix: Matrix) -> None:
    _, planted, app = matrix
    want = [d for d in expected(planted, "organ", "机密") if d["type"] == "opinion"]
    client = client_at(app, "organ", "机密")
    html = client.get("/search", params={"q": MARK, "type": "opinion"}).text
    assert re.search(r'id="total">(\d+)<', html)[1] == str(len(want))  # type: ignore[index]
    assert _facet_counts(html, "type") == {"opinion": len(want)}


def test_search_public_viewer_sees_final_public_records_only(matrix: Matrix) -> None:
    root, planted, _ = matrix
    app = create_app(root, public=True)
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    want = sorted(d["id"] for d in planted if d["classification"] == "公开" and d["status"] == "final")
    assert sorted(_all_ids(client, MARK)) == want
