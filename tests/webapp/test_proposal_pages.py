"""Suggestions and motions on the web: /track and its JSON twin, /track/stats, the dashboards and the record
page's handling timeline — for every role at every clearance, against expectations worked out from the YAML."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

import cli
from archive.accounts import AccountStore
from archive.accounts.model import new_account
from archive.web.app import create_app
from archive.workspace import Workspace
from webapp.conftest import ROLES, ClientAs, add_account, csrf_of, login
from webapp.proposals_plant import (
    ANSWER_PDF,
    AS_OF,
    DEPUTY,
    LEVELS,
    ORGAN,
    OTHER,
    followed,
    handlers,
    last_answer,
    plant,
    sample_proposals,
    sees,
    signers,
)

PASSWORD = "correct-horse-42"


def _rows(text: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', text)


def _add_organ(root: Path, level: str, organ: str = ORGAN) -> str:
    ws = Workspace(root)
    name = f"organ-{'jy' if organ == ORGAN else 'wj'}-{level}"
    AccountStore.of(ws).add(new_account(name, "organ", level, ws.config, None, organ=organ), PASSWORD, actor="test")
    return name


Matrix = tuple[Path, list[dict[str, Any]], Starlette]  # the workspace, the planted proposals, an app over it


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    """The sample with the planted suggestions, one account per role and level (organs bound to 区教育局, and
    one at 内部 bound to 区卫生健康委员会), and an app over it."""
    root = copy_sample(tmp_path_factory.mktemp("proposals") / "ws")
    plant(root)
    for level in LEVELS:
        for role in ROLES:
            if role != "organ":
                add_account(root, role, level, name=f"{role}-{level}")
        _add_organ(root, level)
    _add_organ(root, "内部", OTHER)
    return root, sample_proposals(root), create_app(root)


@pytest.fixture(scope="module")
def as_who(matrix: Matrix) -> ClientAs:
    clients: dict[str, TestClient] = {}

    def make(role: str, level: str = "内部", organ: str = ORGAN) -> TestClient:
        name = f"organ-{'jy' if organ == ORGAN else 'wj'}-{level}" if role == "organ" else f"{role}-{level}"
        if name not in clients:
            client = TestClient(matrix[2], raise_server_exceptions=False, follow_redirects=False)
            assert login(client, name, PASSWORD).status_code == 303
            clients[name] = client
        return clients[name]

    return make


def _expected_track(role: str, level: str, proposals: list[dict[str, Any]]) -> list[str]:
    """The suggestions and motions of /track: what the viewer sees and track follows; an organ's only its own."""
    return sorted(
        d["id"] for d in proposals if sees(role, level, d) and followed(d) and (role != "organ" or ORGAN in handlers(d))
    )


# -- /track -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ["admin", "clerk", "member", "organ"])
def test_track_lists_the_suggestions_and_motions_the_viewer_may_see(
    matrix: Matrix, as_who: ClientAs, role: str, level: str
) -> None:
    _, proposals, _ = matrix
    client = as_who(role, level)
    want = _expected_track(role, level, proposals)
    shown = [r for r in _rows(client.get("/track").text) if not r.startswith("opinion-")]
    assert sorted(shown) == want
    data = client.get("/track.json").json()
    assert sorted(i["id"] for i in data["suggestions"] + data["motions"]) == want
    assert len(want) >= (2 if role == "organ" else 60)  # not an empty comparison


def test_a_deputy_has_no_track_table_but_a_dashboard_and_the_anonymous_log_in(matrix: Matrix, as_who: ClientAs) -> None:
    assert as_who("deputy").get("/track").status_code == 403
    assert as_who("deputy").get("/track/stats").status_code == 403
    anonymous = TestClient(matrix[2], raise_server_exceptions=False, follow_redirects=False)
    for path in ("/track/stats", "/records/suggestion-2025-902/answer/1"):
        response = anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("level", ["公开", "秘密"])
def test_track_json_is_what_renda_track_json_prints_at_the_same_clearance(
    matrix: Matrix, as_who: ClientAs, level: str
) -> None:
    root, _, _ = matrix
    for query, options in (
        ("", []),
        ("?kind=suggestion&status=overdue", ["--kind", "suggestion", "--status", "overdue"]),
        ("?organ=区教育局&key=1", ["--organ", "区教育局", "--key"]),
        ("?category=医疗卫生", ["--category", "医疗卫生"]),
    ):
        result = CliRunner().invoke(
            cli.cli, ["--root", str(root), "track", "--json", "--classification", level, *options]
        )
        assert result.exit_code == 0, result.output
        assert as_who("clerk", level).get(f"/track.json{query}").json() == json.loads(result.stdout), query


def test_track_filters_by_kind_organ_category_status_and_key(matrix: Matrix, as_who: ClientAs) -> None:
    _, proposals, _ = matrix
    client = as_who("clerk", "机密")
    seen = [d for d in proposals if followed(d)]

    def rows(**params: str) -> list[str]:
        response = client.get("/track", params=params)
        assert response.status_code == 200, response.text
        return sorted(_rows(response.text))

    assert rows(kind="议案") == sorted(d["id"] for d in seen if d["type"] == "motion")
    assert rows(kind="建议") == sorted(d["id"] for d in seen if d["type"] == "suggestion")
    education = rows(organ=ORGAN, kind="suggestion")
    assert education == sorted(d["id"] for d in seen if d["type"] == "suggestion" and ORGAN in handlers(d))
    assert "suggestion-2025-902" in education  # 会办 counts
    assert rows(category="医疗卫生") == sorted(d["id"] for d in seen if d["category"] == "医疗卫生")
    keyed = rows(key="1")
    assert keyed == sorted(d["id"] for d in seen if (d.get("handling") or {}).get("supervision"))
    assert "motion-2023-01" in keyed and "suggestion-2025-903" in keyed
    overdue = rows(kind="suggestion", status="已逾期")
    assert overdue == sorted(_overdue_ids(d for d in seen if d["type"] == "suggestion" and d["status"] == "final"))
    due_soon = rows(kind="suggestion", status="due_soon")
    assert due_soon == sorted(d["id"] for d in seen if d["type"] == "suggestion" and _open_state(d) == "due_soon")
    assert len(due_soon) == len(LEVELS)  # the planted n5 of each level


def _open_state(d: dict[str, Any]) -> str | None:
    """overdue / due_soon / pending for an unanswered item, worked out by hand: the answer is due three months
    after 交办 (six once an extension is approved), moved by at most a week over holidays; due soon is within the
    sample's 15 days.  None once answered.  An item inside the doubtful week fails the test: pick other data."""
    h = d.get("handling") or {}
    rounds = [h, *h.get("rehandling", [])]
    if not h or d["status"] != "final" or any(r.get("answer") and r["answer"]["date"] <= AS_OF for r in rounds):
        return None
    assert not h.get("deadline") and not h.get("rehandling"), d["id"]
    months = 6 if h.get("extension") and h["extension"]["approved"] <= AS_OF else 3
    month = h["assigned"].month + months
    nominal = dt.date(h["assigned"].year + (month - 1) // 12, (month - 1) % 12 + 1, h["assigned"].day)
    week, soon = dt.timedelta(days=7), AS_OF + dt.timedelta(days=15)
    if nominal + week < AS_OF:
        return "overdue"
    assert not nominal <= AS_OF <= nominal + week and not nominal <= soon < nominal + week, d["id"]
    return "due_soon" if nominal + week <= soon else "pending"


def _overdue_ids(proposals: Any) -> list[str]:
    return [d["id"] for d in proposals if _open_state(d) == "overdue"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "提案"}, "未知的类型“提案”"),
        ({"category": "航天"}, "没有类别为“航天”的建议或议案"),
        ({"status": "later"}, "未知的状态“later”"),
    ],
)
def test_track_bad_filter_is_a_400_in_chinese(as_who: ClientAs, params: dict[str, str], message: str) -> None:
    response = as_who("clerk").get("/track", params=params)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert "Traceback" not in response.text


# -- 催办函 for suggestions ------------------------------------------------------------------------------------


def test_remind_for_overdue_suggestions_writes_one_letter_per_organ(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    add_account(root, "clerk")
    client = TestClient(create_app(root), raise_server_exceptions=False, follow_redirects=False)
    assert login(client, "clerk").status_code == 303
    chosen = ["suggestion-2025-008", "suggestion-2025-009"]
    organs = {}
    for rid in chosen:
        data = yaml.safe_load(next((root / "records").glob(f"*/{rid}.yaml")).read_text(encoding="utf-8"))
        organs[rid] = data["handling"]["lead_organ"]
    token = csrf_of(client.get("/track").text)
    response = client.post("/track/remind", data={"id": chosen, "csrf_token": token})
    assert response.status_code == 200, response.text
    letters = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "records").glob("*/letter-*.yaml")]
    assert sorted((letter["addressee"], tuple(letter["suggestions"])) for letter in letters) == sorted(
        (organs[rid], (rid,)) for rid in chosen
    )
    for letter in letters:
        assert f"/records/{letter['id']}/download/pdf" in response.text
    # the letters show on the suggestions' pages and in the table
    page = client.get("/records/suggestion-2025-008").text
    assert any(letter["doc_number"] in page for letter in letters)
    assert "已催办1次" in client.get("/track", params={"kind": "suggestion", "status": "overdue"}).text


# -- the record page ------------------------------------------------------------------------------------------


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _raw(root: Path, rid: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(next((root / "records").glob(f"*/{rid}.yaml")).read_text(encoding="utf-8"))
    return data


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month + months
    return dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, day.day)


def _expected_events(data: dict[str, Any]) -> list[tuple[dt.date, str]]:
    """(date, words) of each step the YAML records, as the timeline words it."""
    h = data["handling"]
    want = [(data["date"], "提出"), (h["assigned"], f"交办：主办单位 {h['lead_organ']}")]
    want += [(c["date"], f"与代表联系（{c['kind']}） {c['note']}") for c in h.get("contacts", [])]
    for n, r in enumerate([h, *h.get("rehandling", [])], 1):
        if r.get("answer"):
            a = r["answer"]
            want.append((a["date"], f"第{n}轮答复（{a['doc_number']}）：{a['class']}类"))
        e = r.get("evaluation")
        if e:
            want.append((e["date"], f"代表评价：{e['result']}" + (f" {e['note']}" if e.get("note") else "")))
        if e and e["result"] == "不满意":
            want.append((e["date"], f"代表不满意，交承办单位重新办理（第{n + 1}轮）"))
    if h.get("extension"):
        # six months from 交办 (the sample's suggestion_extended), on a working day
        until = _add_months(h["assigned"], 6)
        want.append((h["extension"]["approved"], f"同意延期答复，答复期限延至 {until} {h['extension']['reason']}"))
    if h.get("supervision"):
        want.append((h["supervision"]["date"], f"列为重点督办，由{h['supervision']['by']}领衔督办"))
    for p in data.get("progress", []):
        want.append((p["date"], f"{p['year']}年度办理进展报告（报告{p['reported_to']}） {p['summary']}"))
    if data.get("decision"):
        want.append((data["decision"]["date"], f"主席团决定：{data['decision']['result']}"))
    return want


@pytest.mark.parametrize("rid", ["suggestion-2023-004", "suggestion-2025-011", "motion-2023-01", "suggestion-2025-008"])
def test_record_page_shows_the_handling_timeline_from_the_yaml(matrix: Matrix, as_who: ClientAs, rid: str) -> None:
    root, _, _ = matrix
    data = _raw(root, rid)
    response = as_who("clerk").get(f"/records/{rid}")
    assert response.status_code == 200
    text = _text(response.text)
    timeline = text[text.index("办理过程") : text.index("全部字段")]
    h = data["handling"]
    assert all(organ in timeline for organ in h.get("co_organs", []))
    assert all(r["answer"]["summary"] in timeline for r in [h, *h.get("rehandling", [])] if r.get("answer"))
    if not h.get("answer"):
        assert "第1轮答复期限：尚未答复" in timeline
    places = []
    for day, line in _expected_events(data):
        assert f"{day} {line}" in timeline, line
        places.append((day, timeline.index(f"{day} {line}")))
    assert [day for day, _ in sorted(places, key=lambda x: x[1])] == sorted(day for day, _ in places)  # oldest first
    # every signer links to their page
    assert re.findall(r'<a href="/deputies/([^"]+)">', response.text) == signers(data)
    # the JSON twin carries the same events
    events = as_who("clerk").get(f"/records/{rid}.json").json()["timeline"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    assert {(e["date"], e["kind"]) for e in events} >= {(str(data["date"]), "raised"), (str(h["assigned"]), "assigned")}


@pytest.mark.parametrize("rid", ["suggestion-2023-004", "motion-2023-01"])
def test_a_suggestion_or_motion_downloads_as_its_document(as_who: ClientAs, rid: str) -> None:
    """A suggestion and a motion render (the 代表建议/代表议案 document); the record page offers them."""
    client = as_who("clerk")
    page = client.get(f"/records/{rid}").text
    assert f"/records/{rid}/download/docx" in page
    assert set(client.get(f"/records/{rid}.json").json()["downloads"]) == {"docx", "pdf", "pdfa"}
    made = client.get(f"/records/{rid}/download/docx")
    assert made.status_code == 200
    with zipfile.ZipFile(io.BytesIO(made.content)) as docx:
        text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    assert ("号建议）" if rid.startswith("suggestion") else "号议案）") in text
    assert "领衔代表：" in text


def test_a_motion_turned_into_a_suggestion_points_to_it(matrix: Matrix, as_who: ClientAs) -> None:
    root, _, _ = matrix
    data = _raw(root, "motion-2024-01")
    page = as_who("member").get("/records/motion-2024-01").text
    target = data["decision"]["suggestion"]
    assert f'<a href="/records/{target}">{target}</a>' in page
    assert "尚未交办" not in page


def test_signers_link_to_deputy_pages_only_for_who_may_open_them(as_who: ClientAs) -> None:
    page = as_who("organ").get("/records/suggestion-2025-902").text
    assert "/deputies/" not in page.split("提出人", 1)[1].split("全部字段", 1)[0]
    deputy = as_who("deputy").get("/records/suggestion-2025-902").text
    assert re.findall(r'<a href="/deputies/([^"]+)">', deputy) == [DEPUTY]  # their own page, not the lead's


def test_the_answer_pdf_is_linked_and_served_to_who_sees_the_record(matrix: Matrix, as_who: ClientAs) -> None:
    root, _, _ = matrix
    rid = "suggestion-2025-912"  # 内部, handled by OTHER with ORGAN as 会办, co-signed by the deputy
    path = root / _raw(root, rid)["handling"]["answer"]["file"]
    for client in (as_who("clerk"), as_who("organ"), as_who("organ", organ=OTHER), as_who("deputy")):
        page = client.get(f"/records/{rid}").text
        assert f'href="/records/{rid}/answer/1"' in page
        response = client.get(f"/records/{rid}/answer/1")
        assert response.status_code == 200
        assert response.content == path.read_bytes()
        assert response.content.startswith(ANSWER_PDF)
        assert "attachment" in response.headers["content-disposition"]
        assert rid in unquote(response.headers["content-disposition"])
    with sqlite3.connect(root / ".renda" / "web.sqlite") as db:
        rows = [" ".join(map(str, row)) for row in db.execute("select * from audit")]
    assert any("download" in row and rid in row and "answer" in row for row in rows)  # 内部: audited
    assert as_who("clerk").get(f"/records/{rid}/answer/2").status_code == 404  # no second round
    assert as_who("clerk").get(f"/records/{rid}/answer/x").status_code == 404
    assert as_who("clerk", "公开").get(f"/records/{rid}/answer/1").status_code == 404  # above the clearance


def test_the_public_view_offers_only_published_answers(matrix: Matrix) -> None:
    root, proposals, _ = matrix
    anonymous = TestClient(create_app(root, public=True), raise_server_exceptions=False, follow_redirects=False)
    answered = [d for d in proposals if d["status"] == "final" and (last_answer(d) or {}).get("file")]
    assert {d["classification"] for d in answered} == set(LEVELS)
    for d in answered:
        rid = d["id"]
        page = anonymous.get(f"/records/{rid}")
        answer = anonymous.get(f"/records/{rid}/answer/1")
        if d["classification"] != "公开":
            assert page.status_code == answer.status_code == 404
            continue
        assert page.status_code == 200
        published = bool(d.get("public"))
        assert (f"/records/{rid}/answer/1" in page.text) == published
        assert answer.status_code == (200 if published else 404)
        # nor the answer's summary and 文号, in the page, its JSON twin or the timeline
        said = last_answer(d) or {}
        twin = json.dumps(anonymous.get(f"/records/{rid}.json").json(), ensure_ascii=False)
        for text in (said.get("summary"), said.get("doc_number")):
            if text:
                assert (html.escape(text) in page.text) == published, (rid, text)
                assert (text in twin) == published, (rid, text)
    assert any(d.get("public") and d["classification"] == "公开" for d in answered)
    assert any(not d.get("public") and d["classification"] == "公开" for d in answered)


def test_an_organ_cannot_open_another_organs_suggestion(as_who: ClientAs) -> None:
    """Each organ's own 内部 suggestion (n1 of 区教育局, n3 of 区卫生健康委员会) is a 404 to the other, as a
    missing one is."""
    other = as_who("organ", organ=OTHER)
    mine = as_who("organ")
    for client, rid in ((mine, "suggestion-2025-913"), (other, "suggestion-2025-911")):
        missing = client.get("/records/suggestion-2025-999")
        assert missing.status_code == 404
        response = client.get(f"/records/{rid}")
        assert response.status_code == 404
        assert response.text == missing.text
        assert rid not in response.text
        assert client.get(f"/records/{rid}.json").status_code == 404
    assert mine.get("/records/suggestion-2025-912/answer/1").status_code == 200
    assert as_who("organ", organ=OTHER).get("/records/suggestion-2025-913").status_code == 200


def test_hostile_text_in_a_suggestion_shows_as_text(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    add_account(root, "clerk")
    add_account(root, "deputy")
    payload = '<script>alert("x")</script>'
    path = root / "records/2025/suggestion-2025-011.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = f"{payload}关于口袋公园的建议"
    data["body"] = [f"{payload}正文"]
    data["cosigners"] = [*data["cosigners"], DEPUTY]
    data["handling"]["extension"]["reason"] = f"{payload}延期理由"
    data["handling"]["contacts"][0]["note"] = "<img src=x onerror=alert(1)>见面"
    data["handling"]["supervision"] = {"by": f"{payload}主任", "date": dt.date(2025, 3, 1)}
    data["handling"]["answer"] = {"date": dt.date(2025, 6, 1), "class": "B", "summary": f"{payload}答复要点"}
    data["handling"]["evaluation"] = {"date": dt.date(2025, 6, 10), "result": "不满意", "note": f"{payload}评价"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app = create_app(root)
    pages = []
    for name, urls in (("clerk", ["/records/suggestion-2025-011", "/track?kind=suggestion", "/"]), ("deputy", ["/"])):
        client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        assert login(client, name).status_code == 303
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            pages.append(response.text)
    record = pages[0]
    for text in ("延期理由", "答复要点", "评价", "主任", "正文"):
        assert f"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{text}" in record
    assert "&lt;img src=x onerror=alert(1)&gt;见面" in record
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;关于口袋公园的建议" in page


# -- dashboards ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_a_deputys_dashboard_lists_what_they_led_or_cosigned(matrix: Matrix, as_who: ClientAs, level: str) -> None:
    _, proposals, _ = matrix
    client = as_who("deputy", level)
    want = {d["id"]: d["lead"] == DEPUTY for d in proposals if DEPUTY in signers(d) and sees("deputy", level, d)}
    assert len(want) >= 9
    data = client.get("/.json").json()
    assert {p["id"]: p["role"] == "lead" for p in data["own_proposals"]} == want
    page = client.get("/").text
    section = page[page.index('id="own-proposals"') : page.index('id="own"')]
    assert sorted(_rows(section)) == sorted(want)
    for row in data["own_proposals"]:
        assert row["follow_up"] is None or row["follow_up"]["status_label"] in section


@pytest.mark.parametrize("level", LEVELS)
def test_an_organs_dashboard_lists_its_suggestions_overdue_first(matrix: Matrix, as_who: ClientAs, level: str) -> None:
    _, proposals, _ = matrix
    data = as_who("organ", level).get("/.json").json()
    want = sorted(d["id"] for d in proposals if sees("organ", level, d) and followed(d) and ORGAN in handlers(d))
    listed = [i["id"] for i in data["proposals_assigned"]]
    assert sorted(listed) == want
    statuses = [i["status"] for i in data["proposals_assigned"]]
    overdue = statuses.count("overdue")
    assert overdue >= 1 and statuses[:overdue] == ["overdue"] * overdue
    assert all(i["due"] for i in data["proposals_assigned"])


@pytest.mark.parametrize("level", ["公开", "机密"])
def test_office_dashboard_has_overdue_and_due_soon_suggestions_by_the_opinions(
    matrix: Matrix, as_who: ClientAs, level: str
) -> None:
    _, proposals, _ = matrix
    client = as_who("clerk", level)
    data = client.get("/.json").json()
    final = [d for d in proposals if sees("clerk", level, d) and followed(d) and d["status"] == "final"]
    assert sorted(i["id"] for i in data["proposals_overdue"]) == sorted(_overdue_ids(final))
    due_soon = [d["id"] for d in final if _open_state(d) == "due_soon"]
    assert sorted(i["id"] for i in data["proposals_due_soon"]) == sorted(due_soon)
    assert due_soon
    page = client.get("/").text
    assert 'id="overdue"' in page and 'id="proposals-overdue"' in page
    section = page[page.index('id="proposals-overdue"') : page.index('id="proposals-due-soon"')]
    assert sorted(_rows(section)) == sorted(_overdue_ids(final))


# -- /track/stats -----------------------------------------------------------------------------------------------


def _suggestions_seen(proposals: list[dict[str, Any]], role: str, level: str) -> list[dict[str, Any]]:
    return [
        d
        for d in proposals
        if d["type"] == "suggestion"
        and d["status"] == "final"
        and followed(d)
        and sees(role, level, d)
        and (role != "organ" or ORGAN in handlers(d))
    ]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ["clerk", "member", "organ"])
def test_stats_count_what_the_viewer_may_see(matrix: Matrix, as_who: ClientAs, role: str, level: str) -> None:
    _, proposals, _ = matrix
    seen = _suggestions_seen(proposals, role, level)
    data = as_who(role, level).get("/track/stats.json").json()
    total = data["rows"][-1]
    assert total["group"] == "合计"
    assert sorted(total["received"]["records"]) == sorted(d["id"] for d in seen)
    for c in "ABC":
        want = sorted(d["id"] for d in seen if (last_answer(d) or {}).get("class") == c)
        assert sorted(total["classes"][c]["records"]) == want
    by_organ = {row["group"]: sorted(row["received"]["records"]) for row in data["rows"][:-1]}
    want_by_organ: dict[str, list[str]] = {}
    for d in seen:
        want_by_organ.setdefault(d["handling"]["lead_organ"], []).append(d["id"])
    assert by_organ == {k: sorted(v) for k, v in want_by_organ.items()}


@pytest.mark.parametrize("level", ["公开", "机密"])
def test_stats_json_is_what_renda_track_stats_json_prints_at_the_same_clearance(
    matrix: Matrix, as_who: ClientAs, level: str
) -> None:
    root, _, _ = matrix
    for query, options in (("", []), ("?by=category&year=2025", ["--by", "category", "--year", "2025"])):
        result = CliRunner().invoke(
            cli.cli, ["--root", str(root), "track", "stats", "--json", "--classification", level, *options]
        )
        assert result.exit_code == 0, result.output
        assert as_who("clerk", level).get(f"/track/stats.json{query}").json() == json.loads(result.stdout), query


def test_each_figure_of_the_stats_page_opens_its_records(matrix: Matrix, as_who: ClientAs) -> None:
    _, proposals, _ = matrix
    client = as_who("clerk", "秘密")
    page = client.get("/track/stats", params={"by": "category"}).text
    data = client.get("/track/stats.json", params={"by": "category"}).json()
    links = re.findall(r'<a class="figure" data-figure="([^"]+)" href="([^"]+)">(\d+)</a>', page)
    assert len(links) > 30
    rows = {row["group"]: row for row in data["rows"]}
    for figure, href, count in links[:40]:
        target = client.get(html.unescape(href))
        assert target.status_code == 200
        listed = re.findall(r'<li data-id="([^"]+)">', target.text)
        assert len(listed) == int(count), href
        group = re.search(r"group=([^&]+)", html.unescape(href))
        assert group is not None
        row = rows[unquote(group[1].replace("+", " "))]
        if figure == "received":
            assert sorted(listed) == sorted(row["received"]["records"])
    education = sorted(d["id"] for d in _suggestions_seen(proposals, "clerk", "秘密") if d["category"] == "教育")
    assert sorted(rows["教育"]["received"]["records"]) == education


def test_stats_refuse_what_the_viewer_does_not_see_and_bad_values(as_who: ClientAs) -> None:
    organ = as_who("organ")
    assert organ.get("/track/stats", params={"group": "区交通运输局", "figure": "received"}).status_code == 404
    assert organ.get("/track/stats", params={"group": ORGAN, "figure": "received"}).status_code == 200
    clerk = as_who("clerk")
    for params, message in (
        ({"by": "deputy"}, "分组“deputy”无效"),
        ({"year": "20x5"}, "年度应为四位数字"),
        ({"group": ORGAN, "figure": "votes"}, "统计项“votes”无效"),
    ):
        response = clerk.get("/track/stats", params=params)
        assert response.status_code == 400
        assert message in html.unescape(response.text)
    year = clerk.get("/track/stats.json", params={"year": "2023"}).json()
    assert year["year"] == 2023
    assert all(rid.startswith("suggestion-2023-") for rid in year["rows"][-1]["received"]["records"])


def test_track_pages_a_long_table_and_every_row_is_on_one_page(
    as_who: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.web.pages import track

    monkeypatch.setattr(track, "PER_PAGE", 10)
    client = as_who("clerk", "机密")
    query = {"kind": "suggestion"}
    data = client.get("/track.json", params=query).json()
    everything = [i["id"] for i in data["suggestions"]]
    pages = -(-len(everything) // 10)
    assert pages > 5
    seen: list[str] = []
    for n in range(1, pages + 1):
        page = client.get("/track", params={**query, "page": str(n)}).text
        rows = _rows(page)
        assert len(rows) == (10 if n < pages else len(everything) - 10 * (pages - 1))
        assert (f"page={n + 1}" in html.unescape(page)) == (n < pages)  # 下一页 keeps the filters
        assert "kind=suggestion" in html.unescape(page.split('aria-label="分页"', 1)[1])
        seen += rows
    assert seen == everything  # the order of the JSON, most urgent first, and nothing twice
    assert client.get("/track", params={"page": "0"}).status_code == 400
    assert _rows(client.get("/track", params={**query, "page": "999"}).text) == everything[10 * (pages - 1) :]


@pytest.mark.parametrize("reference", ["../outside.pdf", "/etc/hostname", "answers/link.pdf", "answers/missing.pdf"])
def test_an_answer_file_outside_the_workspace_or_missing_is_never_served(tmp_path: Path, reference: str) -> None:
    root = copy_sample(tmp_path / "ws")
    add_account(root, "clerk")
    secret = tmp_path / "outside.pdf"
    secret.write_bytes(b"%PDF-1.4 not for the web")
    (root / "answers").mkdir()
    (root / "answers" / "link.pdf").symlink_to(secret)
    path = root / "records/2023/suggestion-2023-004.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["handling"]["answer"]["file"] = reference
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    client = TestClient(create_app(root), raise_server_exceptions=False, follow_redirects=False)
    assert login(client, "clerk").status_code == 303
    response = client.get("/records/suggestion-2023-004/answer/1")
    assert response.status_code == 404
    assert b"not for the web" not in response.content
    assert "答复文件" in response.text and "Traceback" not in response.text


def test_the_track_table_follows_a_record_changed_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.web.site import Site

    monkeypatch.setattr(Site, "CATALOG_CHECK_SECONDS", 0)
    root = copy_sample(tmp_path / "ws")
    ws = Workspace(root)
    store = AccountStore.of(ws)
    store.add(new_account("jy", "organ", "内部", ws.config, None, organ=ORGAN), PASSWORD, actor="test")
    client = TestClient(create_app(root), raise_server_exceptions=False, follow_redirects=False)
    assert login(client, "jy", PASSWORD).status_code == 303
    before = _rows(client.get("/track").text)
    assert "suggestion-2025-008" not in before and before  # 区农业农村局's, not 区教育局's
    path = root / "records/2025/suggestion-2025-008.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["handling"]["co_organs"] = [ORGAN]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    after = _rows(client.get("/track").text)
    assert sorted(after) == sorted([*before, "suggestion-2025-008"])
