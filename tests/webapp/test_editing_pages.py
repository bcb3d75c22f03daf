"""起草和修改 pages (/records/new, /records/new/{type}, /records/{id}/edit): every sample record round-trips
through its form byte for byte, a change of one field changes only its lines, problems are shown at their
fields with nothing written, a file changed meanwhile is the 409 conflict page, roles and clearance, and
hostile input (oversized or control characters, YAML and template syntax, forged hidden fields, unknown
buttons) — refused at the field or with 400, nothing written, audited."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest
from samples import REPO
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.accounts import AccountStore
from archive.catalog import validate
from archive.source import parse_yaml
from archive.web.app import create_app
from archive.workspace import Workspace
from webapp.conftest import ClientAs, account_name, add_account, login
from webapp.formreader import form_of
from webapp.planted import plant

SAMPLE_FILES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "records").rglob("*.yaml"))
OPINION = "records/2024/opinion-2024-01.yaml"


def changed(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``fields`` with some values replaced (keys with "__" for "." in names), or added when absent."""
    wanted = {k.replace("__", "."): v for k, v in values.items()}
    out = [(name, wanted.pop(name) if name in wanted else value) for name, value in fields]
    return out + list(wanted.items())


def post(client: TestClient, url: str, fields: list[tuple[str, str]], action: str = "save") -> httpx2.Response:
    """POST the form as a browser does (urlencoded, repeated names kept, the button pressed last)."""
    body = urlencode([*fields, ("_action", action)])
    return client.post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"})


def events(ws: Path) -> list[tuple[str, str]]:
    return [(e.event, e.target) for e in AccountStore.of(Workspace(ws)).trail()]


def field_block(html: str, name: str) -> str:
    """The markup of the field whose control is named ``name`` (its label, control, help and problems)."""
    at = html.index(f'name="{name}"')
    start = html.rindex('<div class="field', 0, at)
    return html[start : html.index("</div>", at)]


# -- round trips -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def round_trip(web_built: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TestClient]:
    """One scratch workspace and a logged-in clerk for the round trip of every sample record."""
    root = Path(shutil.copytree(web_built, tmp_path_factory.mktemp("round") / "ws"))
    client = TestClient(create_app(root), raise_server_exceptions=False, follow_redirects=False)
    assert login(client, "clerk").status_code == 303
    return root, client


@pytest.mark.parametrize("source", SAMPLE_FILES)
def test_every_sample_record_saved_unchanged_through_its_form_is_byte_identical(
    round_trip: tuple[Path, TestClient], source: str
) -> None:
    root, client = round_trip
    before = (root / source).read_bytes()
    record_id = parse_yaml(before.decode("utf-8")).data["id"]
    page = client.get(f"/records/{record_id}/edit")
    assert page.status_code == 200
    response = post(client, f"/records/{record_id}/edit", form_of(page.text))
    assert response.status_code == 303, response.text[:3000]
    assert response.headers["location"] == f"/records/{record_id}?notice=unchanged"
    assert (root / source).read_bytes() == before
    assert ("save", record_id) not in events(root)  # nothing changed: no row in the history either


def test_a_change_of_one_field_changes_only_its_line_and_shows_on_the_record_page(
    client_as: ClientAs, web_ws: Path
) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_text(encoding="utf-8")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    response = post(clerk, "/records/opinion-2024-01/edit", changed(fields, report__reporter="副区长 王一鸣"))
    assert response.status_code == 303
    assert response.headers["location"] == "/records/opinion-2024-01?notice=saved"
    after = (web_ws / OPINION).read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == ["-  reporter: 副区长 宋晓岚", "+  reporter: 副区长 王一鸣"]
    page = clerk.get("/records/opinion-2024-01?notice=saved").text
    assert "副区长 王一鸣" in page and "已保存" in page
    (row,) = [e for e in AccountStore.of(Workspace(web_ws)).trail() if e.event == "save"]
    assert row.target == "opinion-2024-01" and "王一鸣" in row.detail and "sha256:" in row.detail


def test_array_buttons_work_without_javascript(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_bytes()
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    page = post(clerk, "/records/opinion-2024-01/edit", fields, "add:follow_up.reports")
    assert page.status_code == 200
    added = form_of(page.text)
    assert ("follow_up.reports.1.received", "") in added
    moved = post(clerk, "/records/opinion-2024-01/edit", added, "down:problems.0")
    rows = [v for n, v in form_of(moved.text) if re.fullmatch(r"problems\.\d+", n)]
    assert rows[0].startswith("惠企政策兑现不及时") and rows[1].startswith("涉企检查多头重复")
    assert (web_ws / OPINION).read_bytes() == before  # nothing is written until 保存


# -- problems at their fields ------------------------------------------------------------------------------


def test_a_validation_error_is_shown_at_its_field_and_nothing_is_written(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_bytes()
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    response = post(
        clerk, "/records/opinion-2024-01/edit", changed(fields, doc_number="澄人常函[2024]1号", addressee="")
    )
    assert response.status_code == 422
    html = response.text
    assert "六角括号" in field_block(html, "doc_number")
    assert "缺少必填字段" in field_block(html, "addressee")
    assert 'href="#f-doc_number"' in html and 'href="#f-addressee"' in html  # the summary links to them
    assert "澄人常函[2024]1号" in field_block(html, "doc_number")  # the user's text is kept
    assert (web_ws / OPINION).read_bytes() == before


def test_a_new_opinion_from_a_sittings_agenda_item_is_prefilled(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    sitting = clerk.get("/sittings/cwh-17-19").text
    link = re.search(r'href="(/records/new/opinion\?meeting=cwh-17-19&amp;item=\d+)"', sitting)
    assert link, "no 起草审议意见 link on the sitting's agenda"
    page = clerk.get(link[1].replace("&amp;", "&"))
    assert page.status_code == 200
    fields = dict(form_of(page.text))
    assert fields["meeting"] == "cwh-17-19"
    assert fields["report.title"] == "关于农村人居环境整治提升工作情况的报告"
    assert fields["report.organ"] == "区人民政府" and fields["addressee"] == "区人民政府"
    assert fields["status"] == "draft"
    assert re.fullmatch(r"opinion-\d{4}-\d+", fields["id"]) and not list(web_ws.rglob(f"{fields['id']}.yaml"))


def test_a_new_record_is_written_and_validates(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/new/opinion?meeting=cwh-17-19&item=1").text)
    filled = changed(
        fields,
        title="澄湖区人大常委会关于农村人居环境整治提升工作情况报告的审议意见",
        assessment__0="常委会组成人员认为，区人民政府做了大量工作。",
        problems__0="农村生活污水治理不平衡。",
        recommendations__0__title="补齐短板",
        recommendations__0__text="加快推进农村生活污水治理设施建设。",
    )
    response = post(clerk, "/records/new/opinion", filled)
    assert response.status_code == 303, response.text[:3000]
    new_id = dict(fields)["id"]
    assert response.headers["location"] == f"/records/{new_id}?notice=created"
    (written,) = web_ws.rglob(f"{new_id}.yaml")
    assert "农村生活污水治理不平衡。" in written.read_text(encoding="utf-8")
    assert validate(Workspace(web_ws)).errors == ()
    assert clerk.get(f"/records/{new_id}").status_code == 200
    assert ("create", new_id) in events(web_ws)


def test_a_file_changed_since_the_form_was_opened_is_the_conflict_page(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    path = web_ws / OPINION
    theirs = path.read_text(encoding="utf-8").replace("addressee: 区人民政府", "addressee: 区人民政府办公室")
    path.write_text(theirs, encoding="utf-8")
    response = post(clerk, "/records/opinion-2024-01/edit", changed(fields, report__reporter="副区长 王一鸣"))
    assert response.status_code == 409
    html = response.text
    assert "区人民政府办公室" in html and "副区长 王一鸣" in html  # both versions
    assert re.search(r'<textarea id="mine"[^>]*>[^<]*副区长 王一鸣', html)  # the user's text kept
    assert path.read_text(encoding="utf-8") == theirs
    assert ("conflict", "opinion-2024-01") in events(web_ws)


# -- who may edit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "organ", "deputy"])
def test_only_office_roles_may_draft_or_edit(client_as: ClientAs, web_ws: Path, role: str) -> None:
    client = client_as(role)
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    before = (web_ws / OPINION).read_bytes()
    # a deputy drafts only their own suggestions and motions (test_deputy_drafting.py)
    assert client.get("/records/new").status_code == (200 if role == "deputy" else 403)
    assert client.get("/records/new/opinion").status_code == 403
    assert client.get("/records/opinion-2024-01/edit").status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert token
    forged = changed(fields, csrf_token=token[1], report__reporter="某某")
    assert post(client, "/records/opinion-2024-01/edit", forged).status_code == 403
    assert (web_ws / OPINION).read_bytes() == before
    assert "/edit" not in client.get("/records/opinion-2024-01").text


@pytest.fixture
def planted(web_ws: Path) -> tuple[Path, Starlette]:
    """The sample with records planted at every level (ceiling 机密) and clerks at 内部 and 秘密."""
    plant(web_ws)
    for level in ("内部", "秘密"):
        if AccountStore.of(Workspace(web_ws)).get(account_name("clerk", level)) is None:
            add_account(web_ws, "clerk", level)
    return web_ws, create_app(web_ws)


def test_a_clerk_cannot_open_a_record_above_their_clearance_nor_set_a_higher_level(
    planted: tuple[Path, Starlette],
) -> None:
    root, app = planted
    clerk = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(clerk, account_name("clerk", "内部")).status_code == 303
    assert clerk.get("/records/opinion-2024-68/edit").status_code == 404  # 秘密
    secret_file = root / "records/2024/opinion-2024-68.yaml"
    secret_bytes = secret_file.read_bytes()
    inner = form_of(clerk.get("/records/opinion-2024-64/edit").text)
    assert post(clerk, "/records/opinion-2024-68/edit", changed(inner, id="opinion-2024-68")).status_code == 404
    assert secret_file.read_bytes() == secret_bytes
    assert clerk.get("/records/opinion-2024-64/edit").status_code == 200  # 内部
    page = clerk.get("/records/opinion-2024-01/edit").text
    assert '<option value="内部"' in field_block(page, "classification")
    assert '<option value="秘密"' not in field_block(page, "classification")
    before = (root / OPINION).read_bytes()
    response = post(clerk, "/records/opinion-2024-01/edit", changed(form_of(page), classification="秘密"))
    assert response.status_code == 422
    assert "高于您的权限" in field_block(response.text, "classification")
    assert (root / OPINION).read_bytes() == before
    # a 发文字号 a 秘密 record holds: refused, without naming that record
    response = post(clerk, "/records/opinion-2024-01/edit", changed(form_of(page), doc_number="澄人常函〔2024〕68号"))
    assert response.status_code == 422
    assert "重复" in field_block(response.text, "doc_number") or "已" in field_block(response.text, "doc_number")
    assert "opinion-2024-68" not in response.text and "另一条记录" in response.text
    assert (root / OPINION).read_bytes() == before
    secret = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(secret, account_name("clerk", "秘密")).status_code == 303
    assert secret.get("/records/opinion-2024-68/edit").status_code == 200


# -- hostile input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("长" * 20_001, "不能超过 20000 个字"),
        ("问题\x00一", "控制字符（U+0000"),
        ("问题\x1b[31m红", "控制字符（U+001B"),
    ],
)
def test_oversized_text_or_control_characters_are_refused_at_the_field(
    client_as: ClientAs, web_ws: Path, text: str, message: str
) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_bytes()
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    response = post(clerk, "/records/opinion-2024-01/edit", changed(fields, problems__1=text))
    assert response.status_code == 422
    assert message in field_block(response.text, "problems.1")
    assert (web_ws / OPINION).read_bytes() == before
    assert ("refused-input", "opinion-2024-01") in events(web_ws)


HOSTILE = [
    "{{ 7 * 7 }} {% raw %}{# 注释 #}",
    "key: value # 不是注释",
    "- 列表项\n- 另一项: 值",
    "&anchor *alias !!python/object/apply:os.system ['true']",
    "'单引号' \"双引号\" `反引号` | > @ %",
    "yes",
    "2024-01-01",
    "  前后有空格  ",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_yaml_and_template_syntax_in_text_is_saved_literally_and_round_trips(
    client_as: ClientAs, web_ws: Path, text: str
) -> None:
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    response = post(clerk, "/records/opinion-2024-01/edit", changed(fields, problems__1=text))
    assert response.status_code == 303, response.text[:3000]
    data = parse_yaml((web_ws / OPINION).read_text(encoding="utf-8")).data
    assert data["problems"][1] == text
    again = dict(form_of(clerk.get("/records/opinion-2024-01/edit").text))
    assert again["problems.1"].replace("\r\n", "\n") == text
    assert "<script>alert" not in clerk.get("/records/opinion-2024-01").text


def forged_cases(fields: list[tuple[str, str]], other_version: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "another record's version": changed(fields, _version=other_version),
        "an id that is not the URL's": changed(fields, id="opinion-2024-02"),
        "another type": changed(fields, _type="meeting"),
        "a path as type": changed(fields, _type="../../etc/passwd"),
        "a path as id": changed(fields, id="../../renda"),
        "no signature": [(n, v) for n, v in fields if n != "_sign"],
    }


def test_forged_hidden_fields_are_refused_with_400_and_audited(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    other = dict(form_of(clerk.get("/records/opinion-2024-02/edit").text))["_version"]
    before = {p: p.read_bytes() for p in (web_ws / "records").rglob("*.yaml")}
    for case, forged in forged_cases(fields, other).items():
        response = post(clerk, "/records/opinion-2024-01/edit", changed(forged, report__reporter="某某"))
        assert response.status_code == 400, case
        assert "未保存任何内容" in response.text, case
    new_fields = form_of(clerk.get("/records/new/opinion").text)
    for name, value in (("id", "../opinion-x"), ("_type", "meeting")):
        response = post(clerk, "/records/new/opinion", changed(new_fields, **{name: value}))
        assert response.status_code == 400, name
    assert {p: p.read_bytes() for p in (web_ws / "records").rglob("*.yaml")} == before
    refused = [target for event, target in events(web_ws) if event == "refused-input"]
    assert len(refused) == len(forged_cases(fields, other)) + 2


def test_an_unknown_button_is_refused_with_a_message_and_audited(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_bytes()
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    for action in ("delete:everything", "add:title", "remove:problems.99", "add:../../etc"):
        response = post(clerk, "/records/opinion-2024-01/edit", fields, action)
        assert response.status_code == 400, action
        assert "problem-summary" in response.text and "操作" in response.text
    assert (web_ws / OPINION).read_bytes() == before
    assert [e for e in events(web_ws) if e[0] == "refused-input"] == [("refused-input", "opinion-2024-01")] * 4


def test_a_file_where_text_belongs_is_refused(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_bytes()
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    response = clerk.post(
        "/records/opinion-2024-01/edit",
        data=dict(fields),
        files={"report.title": ("x.yaml", b"id: evil\n", "application/x-yaml")},
    )
    assert response.status_code == 400
    assert (web_ws / OPINION).read_bytes() == before


# -- pickers, body rows, buttons ---------------------------------------------------------------------------


def datalist(html: str, list_id: str) -> list[str]:
    """The option values of the <datalist> ``list_id`` of a page."""
    found = re.search(rf'<datalist id="{re.escape(list_id)}">(.*?)</datalist>', html, re.S)
    assert found, f"no datalist {list_id}"
    return re.findall(r'<option value="([^"]*)"', found[1])


def test_pickers_list_the_records_of_their_type_that_the_viewer_sees(planted: tuple[Path, Starlette]) -> None:
    _, app = planted
    clerk = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(clerk, account_name("clerk", "内部")).status_code == 303
    opinion = clerk.get("/records/opinion-2024-01/edit").text
    assert 'list="pick-meeting"' in opinion
    meetings = datalist(opinion, "pick-meeting")
    assert "cwh-17-16" in meetings and all(m.startswith(("cwh-", "zrh-")) for m in meetings)
    assert re.search(r'<option value="cwh-17-16">cwh-17-16 — [^<]+</option>', opinion)
    letter = clerk.get("/records/new/letter").text
    opinions = datalist(letter, "pick-opinion")
    assert "opinion-2024-64" in opinions  # 内部
    assert "opinion-2024-68" not in opinions and "opinion-2024-72" not in opinions  # 秘密, 机密
    motion = clerk.get("/records/motion-2023-01/edit").text
    assert 'name="lead" value="d011" list="pick-deputy"' in motion
    assert "d001" in datalist(motion, "pick-deputy")
    assert re.search(r'<option value="d001">d001 — 周振华</option>', motion)


def test_body_rows_show_their_kind_and_the_number_each_heading_prints(client_as: ClientAs) -> None:
    clerk = client_as("clerk")
    page = clerk.get("/records/report-2024-d045/edit").text
    numbers = re.findall(r'<span class="number" aria-label="编号">([^<]*)</span>', page)
    assert numbers[:6] == ["", "", "一、", "", "二、", ""]  # 各位选民 and the opening are paragraphs
    assert re.search(r'<select name="body.2.kind"[^>]*>.*?<option value="h1" selected>一级标题</option>', page, re.S)
    assert "add:body" in page and "remove:body.0" in page and "down:body.0" in page
    # a paragraph made a heading: 重新编号 shows the numbers it will print, nothing saved
    fields = changed(form_of(page), body__0__kind="h1")
    again = post(clerk, "/records/report-2024-d045/edit", fields, "renumber:body")
    assert again.status_code == 200
    numbers = re.findall(r'<span class="number" aria-label="编号">([^<]*)</span>', again.text)
    assert numbers[:6] == ["一、", "", "二、", "", "三、", ""]


def test_the_record_page_has_an_edit_button_for_office_roles_and_new_asks_for_a_type(client_as: ClientAs) -> None:
    clerk = client_as("clerk")
    assert 'href="/records/opinion-2024-01/edit"' in clerk.get("/records/opinion-2024-01").text
    chooser = clerk.get("/records/new").text
    for kind in ("opinion", "meeting", "deputy", "letter"):
        assert f'href="/records/new/{kind}"' in chooser
    assert clerk.get("/records/new/nothing").status_code == 404
    assert clerk.get("/records/new/opinion?meeting=cwh-17-19&item=x").status_code == 400
    assert "起草审议意见" not in client_as("member").get("/sittings/cwh-17-19").text


def test_two_new_records_racing_for_one_id_and_number_never_both_get_them(client_as: ClientAs, web_ws: Path) -> None:
    first, second = client_as("clerk"), client_as("admin")
    forms = [form_of(c.get("/records/new/opinion?meeting=cwh-17-19&item=1").text) for c in (first, second)]
    assert dict(forms[0])["id"] == dict(forms[1])["id"]
    filled = [
        changed(
            f,
            assessment__0="常委会组成人员认为，工作取得成效。",
            problems__0="问题尚存。",
            recommendations__0__title=f"建议{n}",
            recommendations__0__text="认真研究处理。",
        )
        for n, f in enumerate(forms)
    ]
    assert post(first, "/records/new/opinion", filled[0]).status_code == 303
    response = post(second, "/records/new/opinion", filled[1])
    assert response.status_code == 422
    new_id = dict(forms[0])["id"]
    (written,) = web_ws.rglob(f"{new_id}.yaml")
    assert "建议0" in written.read_text(encoding="utf-8")  # the first one's, not overwritten
    assert "problem-summary" in response.text and "建议1" in response.text  # the second keeps their text
    offered = dict(form_of(response.text))  # the next free id and number offered: saving again works
    assert offered["id"] != new_id and "已改为下一个可用的" in field_block(response.text, "id")
    assert post(second, "/records/new/opinion", list(offered.items())).status_code == 303
    assert "建议1" in next(web_ws.rglob(f"{offered['id']}.yaml")).read_text(encoding="utf-8")


def test_a_new_records_mistyped_number_stays_as_typed_with_its_problem(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    fields = form_of(clerk.get("/records/new/opinion?meeting=cwh-17-19&item=1").text)
    response = post(clerk, "/records/new/opinion", changed(fields, doc_number="澄人常函[2024]5号"))
    assert response.status_code == 422
    block = field_block(response.text, "doc_number")
    assert 'value="澄人常函[2024]5号"' in block and "六角括号" in block and "已改为" not in block
    assert not list(web_ws.rglob(f"{dict(fields)['id']}.yaml"))


PROBLEM_3 = "  - 个别部门存在“新官不理旧账”现象，招商引资承诺事项落实不到位，影响政府公信力。"


@pytest.mark.parametrize(
    ("name", "value", "removed", "added"),
    [
        ("problems.3", "个别部门招商承诺落实不到位。", PROBLEM_3, "  - 个别部门招商承诺落实不到位。"),
        ("follow_up.reports.0.evaluation.satisfied", "5", "        satisfied: 6", "        satisfied: 5"),
        ("date", "2024-05-07", "date: 2024-05-06", "date: 2024-05-07"),
        ("report.organ_kind", "法院", "  organ_kind: 政府", "  organ_kind: 法院"),
    ],
)
def test_a_change_of_a_list_item_a_nested_number_a_date_or_a_choice_changes_only_its_line(
    client_as: ClientAs, web_ws: Path, name: str, value: str, removed: str, added: str
) -> None:
    clerk = client_as("clerk")
    before = (web_ws / OPINION).read_text(encoding="utf-8")
    fields = form_of(clerk.get("/records/opinion-2024-01/edit").text)
    assert (
        post(clerk, "/records/opinion-2024-01/edit", changed(fields, **{name.replace(".", "__"): value})).status_code
        == 303
    )
    after = (web_ws / OPINION).read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == [f"-{removed}", f"+{added}"]


def test_empty_optional_envelope_fields_are_folded_and_a_row_added_shows_its_field(client_as: ClientAs) -> None:
    clerk = client_as("clerk")
    page = clerk.get("/records/opinion-2024-01/edit").text
    folded = page[page.index('<details class="more"') : page.index("</details>")]
    assert 'name="copy_number"' in folded and 'name="doc_number"' not in folded  # empty / filled
    assert "add:attachments" in folded and '<details class="more" open' not in page
    again = post(clerk, "/records/opinion-2024-01/edit", form_of(page), "add:attachments").text
    folded = again[again.index('<details class="more"') : again.index("</details>")]
    assert 'name="attachments.0.title"' in again and "attachments.0.title" not in folded
