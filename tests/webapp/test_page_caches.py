"""The caches behind the pages (archive/web/views.py): a record changed on disk is seen on the next request, and
what one viewer scope had computed is never served to another — every page a warmed application gives a
deputy, an organ, a member, a clerk of a lower level or the public is the page a fresh application gives."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.accounts import AccountStore, Viewer
from archive.clearance import Clearance
from archive.search import SearchHit, SearchResult
from archive.web import views
from archive.web.app import create_app
from archive.workspace import Workspace
from webapp.conftest import ClientAs, account_name, add_account, login

OPINION = "opinion-2024-02"  # 公开, final
SEARCHES = ("审议意见", "会议", "会议 类型:opinion", "湖")
LISTS = ("/", "/records", "/records?type=opinion", "/sittings", *(f"/search?q={q}" for q in SEARCHES))
OTHERS = (("deputy", "内部"), ("organ", "内部"), ("member", "内部"), ("clerk", "公开"), ("public", ""))


def _client(app: Starlette, root: Path, role: str, clearance: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    if role != "public":
        name = account_name(role, clearance)
        if AccountStore.of(Workspace(root)).get(name) is None:
            add_account(root, role, clearance)
        assert login(client, name).status_code == 303
    return client


def _json(client: TestClient, url: str) -> tuple[int, Any]:
    response = client.get(url, headers={"accept": "application/json"})
    return response.status_code, response.json() if response.status_code == 200 else None


def _ids(client: TestClient) -> list[str]:
    return [row["id"] for row in _json(client, "/records")[1]]


def test_a_clerks_cached_pages_are_never_served_to_another_scope(web_ws: Path) -> None:
    (web_ws / "renda.yaml").write_text(
        (web_ws / "renda.yaml").read_text("utf-8") + "\nweb:\n  public: true\n", encoding="utf-8"
    )
    warm_app = create_app(web_ws)
    clerk = _client(warm_app, web_ws, "clerk", "内部")
    every_id = _ids(clerk)
    for url in (*LISTS, *(f"/records/{i}" for i in every_id)):  # every cache filled with the clerk's view
        assert _json(clerk, url)[0] == 200, url
    for role, clearance in OTHERS:
        warm = _client(warm_app, web_ws, role, clearance)
        cold = _client(create_app(web_ws), web_ws, role, clearance)  # nothing cached: what this viewer must get
        seen = _ids(cold)
        assert set(seen) < set(every_id), f"{role} {clearance}: the sample must hide something from this viewer"
        for url in (*LISTS, *(f"/records/{i}" for i in every_id)):
            assert _json(warm, url) == _json(cold, url), f"{role} {clearance}: {url}"


def test_a_record_changed_on_disk_is_seen_on_the_next_request(
    app: Starlette, client_as: ClientAs, web_ws: Path
) -> None:
    app.state.site.CATALOG_CHECK_SECONDS = 0  # look at the records folder on every request
    app.state.site.CHECK_SHARE = math.inf
    clerk = client_as("clerk")
    for url in (f"/records/{OPINION}", "/records", "/", "/search?q=翠微湖"):
        assert _json(clerk, url)[0] == 200
    assert _json(clerk, "/search?q=翠微湖")[1] == []

    path = web_ws / "records" / "2024" / f"{OPINION}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["title"] = "澄湖区人大常委会关于翠微湖保护工作情况报告的审议意见"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    assert _json(clerk, f"/records/{OPINION}")[1]["title"] == data["title"]
    listed = {row["id"]: row["title"] for row in _json(clerk, "/records")[1]}
    assert listed[OPINION] == data["title"]
    assert [hit["id"] for hit in _json(clerk, "/search?q=翠微湖")[1]] == [OPINION]

    path.unlink()
    assert _json(clerk, f"/records/{OPINION}")[0] == 404
    assert OPINION not in _ids(clerk)
    assert _json(clerk, "/search?q=翠微湖")[1] == []


def _result(*sizes: int) -> SearchResult:
    return SearchResult(
        tuple(SearchHit(f"r{i}", "opinion", 17, 2024, "题名", 1.0, "s", text="字" * n) for i, n in enumerate(sizes))
    )


def test_searches_are_kept_per_scope_and_query_within_the_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "SEARCH_CACHE_CHARS", 1000)
    cache = views.SearchCache()
    clerk = Viewer("clerk", Clearance("内部", explicit=True), "a")
    other_clerk = Viewer("clerk", Clearance("内部", explicit=True), "b")  # the same scope: another account
    lower = Viewer("clerk", Clearance("公开", explicit=True), "c")
    organ = Viewer("organ", Clearance("内部", explicit=True), "d", organ="区人民政府")
    runs: list[str] = []

    def run(label: str, *sizes: int) -> Callable[[], SearchResult]:
        def search() -> SearchResult:
            runs.append(label)
            return _result(*sizes)

        return search

    first = cache.get(clerk, "湖", run("clerk", 300))
    assert cache.get(other_clerk, "湖", run("again", 300)) is first
    assert cache.get(lower, "湖", run("lower", 300)) is not first
    assert cache.get(organ, "湖", run("organ", 300)) is not first
    assert runs == ["clerk", "lower", "organ"]
    cache.get(clerk, "河", run("big", 2000))  # more than the bound: answered, not kept
    cache.get(clerk, "河", run("big again", 2000))
    cache.get(clerk, "山", run("third", 300))  # over the bound: the least recently used ("湖" of the clerk) goes
    cache.get(clerk, "湖", run("clerk again", 300))
    assert runs[3:] == ["big", "big again", "third", "clerk again"]


def test_a_facet_with_many_values_lists_the_most_frequent_and_the_selected_one() -> None:
    from archive.search.facets import Facet, FacetValue

    values = tuple(FacetValue(f"d{i:03}", f"代表{i}", 100 - i, selected=i == 70) for i in range(80))
    capped = Facet("deputy", "代表", values).capped(50)
    assert [v.value for v in capped.values] == [f"d{i:03}" for i in range(50)] + ["d070"]
    assert capped.hidden == 29
    few = Facet("deputy", "代表", values[:50])
    assert few.capped(50) == few
    assert few.capped(50).hidden == 0
