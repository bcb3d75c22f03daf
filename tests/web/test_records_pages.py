"""The record pages (/records, /records/{id}, /sittings, downloads) for every role: content, filters, the JSON
twins, escaping, hostile URLs, the download cache and its failures."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from urllib.parse import quote

import yaml
from click.testing import CliRunner
from conftest import ROLES
from records_plant import may_see, raw_records
from starlette.testclient import TestClient

from archive.accounts import AccountStore
from archive.cli import cli
from archive.conformance import check_files
from archive.web.app import create_app
from archive.workspace import Workspace

OPINION = "opinion-2024-02"  # 公开, final, answered and evaluated
SITTING = "cwh-17-21"
ROUTES = (
    "/records",
    "/records.json",
    f"/records/{OPINION}",
    f"/records/{OPINION}.json",
    "/sittings",
    f"/sittings/{SITTING}",
)


def _ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def test_every_record_route_answers_every_role(client_as, anon) -> None:
    for role in ROLES:
        client = client_as(role)
        for url in ROUTES:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert "Traceback" not in response.text
        assert OPINION in client.get("/records").text
        download = client.get(f"/records/{OPINION}/download/docx")  # rendered once, then from the cache
        assert download.status_code == 200, role
        assert download.content[:2] == b"PK"
    for url in ROUTES:  # nobody logged in and no public view: the login page
        response = anon.get(url)
        assert response.status_code in (303, 401), url
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login?next=")


def test_public_view_shows_final_public_records_only(web_ws: Path) -> None:
    config = web_ws / "renda.yaml"
    config.write_text(config.read_text("utf-8") + "\nweb:\n  public: true\n", "utf-8")
    client = TestClient(create_app(web_ws), raise_server_exceptions=False, follow_redirects=False)
    expected = {d["id"] for d in raw_records(web_ws) if may_see("member", "公开", d)}
    assert set(_ids(client.get("/records.json").json())) == expected
    draft = next(d["id"] for d in raw_records(web_ws) if d.get("status") == "draft")
    assert client.get(f"/records/{draft}").status_code == 404
    assert client.get(f"/records/{OPINION}").status_code == 200


def test_list_json_twin_is_what_renda_list_json_prints(client_as, web_ws: Path) -> None:
    printed = CliRunner().invoke(cli, ["--root", str(web_ws), "list", "--json"])
    assert printed.exit_code == 0, printed.output
    cli_rows = json.loads(printed.stdout)
    client = client_as("admin")  # the office at the workspace's ceiling sees what the command lists
    assert client.get("/records.json").json() == cli_rows
    assert client.get("/records", headers={"accept": "application/json"}).json() == cli_rows
    by_type = CliRunner().invoke(cli, ["--root", str(web_ws), "list", "--json", "--type", "opinion", "--term", "17"])
    assert client.get("/records.json?type=opinion&term=17").json() == json.loads(by_type.stdout)


def test_filters_sorting_and_pages(client_as, web_ws: Path) -> None:
    client = client_as("clerk")
    everything = [d for d in raw_records(web_ws) if may_see("clerk", "内部", d)]
    term16 = {d["id"] for d in everything if d.get("term") == 16 or any(t["term"] == 16 for t in d.get("terms", []))}
    assert set(_ids(client.get("/records.json?term=16").json())) == term16
    in2024 = {d["id"] for d in everything if str(d.get("date", "")).startswith("2024")}
    assert set(_ids(client.get("/records.json?year=2024").json())) == in2024
    court = {d["id"] for d in everything if d["type"] == "opinion" and d["report"]["organ"] == "区人民法院"}
    assert set(_ids(client.get("/records.json?type=审议意见&organ=区人民法院").json())) == court
    by_title = client.get("/records.json?sort=title").json()
    assert [r["id"] for r in by_title] == [i for _, i in sorted((r["title"], r["id"]) for r in by_title)]
    assert len(by_title) == len(everything)
    newest = sorted(((str(d.get("date") or ""), d["id"]) for d in everything), reverse=True)
    page2 = client.get("/records?page=2").text
    second = [i for _, i in newest][50:100]
    assert f'/records/{second[0]}"' in page2 and f'/records/{second[-1]}"' in page2
    assert f'/records/{newest[0][1]}"' not in page2
    assert f"第 2 / {-(-len(newest) // 50)} 页" in page2
    facets = client.get("/records?term=17").text  # the 类型 links count within 第17届
    opinions17 = sum(1 for d in everything if d["type"] == "opinion" and d.get("term") == 17)
    assert re.search(rf'type=opinion">审议意见</a> <span class="count">{opinions17}</span>', facets)


def test_bad_filters_get_a_chinese_400(client_as) -> None:
    client = client_as("member")
    cases = {
        "/records?term=abc": "届次应为正整数",
        "/records?year=-1": "年度应为正整数",
        "/records?type=nonsense": "nonsense",
        "/records?sort=random": "排序方式",
        "/records?classification=机密": "密级“机密”无效",
    }
    for url, message in cases.items():
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.text
        assert "Traceback" not in response.text


def test_record_page_shows_labels_printed_numbers_and_the_follow_up(client_as) -> None:
    page = client_as("member").get(f"/records/{OPINION}").text
    for label in ("报告机关", "主送机关", "跟踪落实", "交办日期", "收到日期"):
        assert label in page
    assert "一、总体评价" in page and "二、存在的问题" in page and "三、意见和建议" in page
    assert "（一）长效管护机制不健全。" in page
    assert "2024-07-01</span> 交办区人民政府" in page
    assert "满意度测评：满意（满意 15，基本满意 6，不满意 0）" in page
    assert f'href="/records/{OPINION}/download/pdf"' in page
    assert "/records/cwh-17-19" in page  # the sitting that heard it, under 相关记录
    minutes = client_as("member").get(f"/records/{SITTING}").text
    assert '<span class="lead">一、</span>' in minutes or "一、听取和审议区人民法院关于执行工作情况的报告" in minutes


def test_validation_problems_show_on_the_office_page_only(client_as, web_ws: Path) -> None:
    path = web_ws / "records" / "2024" / f"{SITTING}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["attendance"]["present"].remove("d002")  # a member of the committee neither present nor excused
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    from archive.catalog import validate

    problems = [p for p in validate(Workspace(web_ws)).problems if p.source.endswith(f"{SITTING}.yaml")]
    assert problems, "the edit should make a problem"
    office = client_as("clerk").get(f"/records/{SITTING}")
    assert "校验问题" in office.text and problems[0].format() in office.text
    assert "校验问题" not in client_as("member").get(f"/records/{SITTING}").text


def test_xss_payloads_in_every_field_render_as_text(client_as, web_ws: Path) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    source = web_ws / "records" / "2024" / "opinion-2024-03.yaml"
    data = yaml.safe_load(source.read_text("utf-8"))
    data["title"] = "标题" + payload
    data["assessment"] = [payload]
    data["problems"] = [payload + "。问题"]
    data["recommendations"] = [{"title": "建议" + payload, "text": payload}]
    data["report"]["reporter"] = "院长" + payload
    data["tags"] = [payload]
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    sitting = web_ws / "records" / "2024" / f"{SITTING}.yaml"
    meeting = yaml.safe_load(sitting.read_text("utf-8"))
    meeting["place"] = "会议室" + payload
    meeting["agenda"][0]["item"] = "关于" + payload + "的报告"
    meeting["decisions"] = [payload]
    meeting["attendance"]["nonvoting"] = ["列席" + payload]
    meeting["body"].append({"h1": "标题" + payload})
    sitting.write_text(yaml.safe_dump(meeting, allow_unicode=True, sort_keys=False), "utf-8")
    client = client_as("clerk")
    assert client.get("/records/opinion-2024-03.json").json()["title"] == "标题" + payload
    for url in ("/records/opinion-2024-03", "/records?type=opinion", f"/sittings/{SITTING}", f"/records/{SITTING}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text, url


def test_traversal_in_record_and_download_urls_is_404(client_as, web_ws: Path) -> None:
    (web_ws.parent / "secret.pdf").write_bytes(b"%PDF-secret")
    client = client_as("admin")
    for url in (
        "/records/../secret.pdf/download/pdf",
        "/records/..%2F..%2Fsecret/download/pdf",
        "/records/%2e%2e%2f%2e%2e%2fsecret/download/pdf",
        f"/records/{OPINION}/download/..%2F..%2F..%2Frenda.yaml",
        f"/records/{OPINION}/download/pdf%00",
        "/records/..%5c..%5crenda.yaml",
        f"/records/{OPINION}/download/exe",
        "/records/cwh-17-21/download/../../../renda.yaml",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.content and b"organ:" not in response.content


def test_pdf_download_passes_the_check_and_is_rendered_once(client_as, web_ws: Path, tmp_path: Path) -> None:
    client = client_as("member")
    first = client.get(f"/records/{OPINION}/download/pdf")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    disposition = first.headers["content-disposition"]
    title = yaml.safe_load((web_ws / "records" / "2024" / f"{OPINION}.yaml").read_text("utf-8"))["title"]
    assert disposition.startswith(f'attachment; filename="{OPINION}.pdf"; ')
    assert f"filename*=UTF-8''{quote(f'{OPINION}-{title}.pdf', safe='')}" in disposition
    pdf = tmp_path / "got.pdf"
    pdf.write_bytes(first.content)
    (report,) = check_files([pdf])
    assert report.ok, [f.message for f in report.errors]
    cached = list((web_ws / ".renda" / "documents").glob("*.pdf"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    again = client.get(f"/records/{OPINION}/download/pdf")
    assert again.content == first.content
    assert cached[0].stat().st_mtime_ns == stamp


def test_two_requests_for_one_uncached_document_render_it_once(client_as, monkeypatch) -> None:
    from archive.render import cache

    calls: list[str] = []
    real = cache._Build.render

    def counted(self, staging):  # type: ignore[no-untyped-def]
        calls.append(self.record.id)
        return real(self, staging)

    monkeypatch.setattr(cache._Build, "render", counted)
    client = client_as("clerk")
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(client.get(f"/records/{OPINION}/download/docx").status_code))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200, 200]
    assert calls == [OPINION]


def test_a_record_edited_on_disk_gets_a_new_document(client_as, web_ws: Path) -> None:
    client = client_as("clerk")
    before = client.get(f"/records/{OPINION}/download/docx").content
    path = web_ws / "records" / "2024" / f"{OPINION}.yaml"
    path.write_text(path.read_text("utf-8").replace("长效管护机制不健全", "长效管护机制仍不健全"), "utf-8")
    import time

    time.sleep(2.1)  # the site looks at the records folder every two seconds
    after = client.get(f"/records/{OPINION}/download/docx").content
    assert before != after
    assert len(list((web_ws / ".renda" / "documents").glob("*.docx"))) == 2


def test_render_failure_is_a_chinese_error_page_and_leaves_no_cache_entry(client_as, web_ws: Path) -> None:
    own = web_ws / "templates" / "opinion.docx"
    own.parent.mkdir(exist_ok=True)
    own.write_bytes(b"not a docx at all")
    response = client_as("clerk").get(f"/records/{OPINION}/download/docx")
    assert response.status_code == 500
    assert "文件生成失败" in response.text
    assert "Traceback" not in response.text
    folder = web_ws / ".renda" / "documents"
    assert not [p for p in folder.iterdir() if not p.name.endswith(".lock")]


def test_views_and_downloads_above_public_are_audited(client_as, web_ws: Path) -> None:
    internal = next(
        d["id"] for d in raw_records(web_ws) if d.get("classification") == "内部" and d.get("status") == "final"
    )
    client = client_as("member")
    client.get(f"/records/{OPINION}")
    client.get(f"/records/{internal}")
    trail = AccountStore.of(Workspace(web_ws)).trail()
    viewed = [e.target for e in trail if e.event == "view"]
    assert viewed == [internal]


def test_each_browse_link_leads_to_as_many_records_as_it_counts(client_as) -> None:
    client = client_as("clerk")
    page = client.get("/records").text
    links = re.findall(r'<a href="(/records\?[^"]+)">[^<]+</a> <span class="count">(\d+)</span>', page)
    assert len(links) >= 8
    for href, count in links:
        target = href.replace("&amp;", "&").replace("/records?", "/records.json?")
        assert len(client.get(target).json()) == int(count), href


def test_same_subject_is_a_fragment_a_page_and_the_json_of_renda_related(client_as, web_ws: Path) -> None:
    printed = CliRunner().invoke(cli, ["--root", str(web_ws), "related", OPINION, "--json"])
    assert printed.exit_code == 0, printed.output
    expected = json.loads(printed.stdout)
    assert expected, "the sample opinion has related records"
    client = client_as("admin")  # the office at the workspace's ceiling: what the command sees
    assert client.get(f"/records/{OPINION}/related.json").json() == expected
    page = client.get(f"/records/{OPINION}")
    assert f'hx-get="/records/{OPINION}/related"' in page.text
    fragment = client.get(f"/records/{OPINION}/related", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert all(f"/records/{r['id']}" in fragment.text for r in expected)
    whole = client.get(f"/records/{OPINION}/related")
    assert "<html" in whole.text and "提出同一问题的记录" in whole.text
    assert client.get(f"/records/{SITTING}/related").status_code == 404  # a meeting raises no problem itself
